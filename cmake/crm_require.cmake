# crm_require(<find_package arguments> DEBIAN <packages>... [OR <alternative>]): find_package()
# that, when the package is missing, stops the configure naming the Debian packages to install
# (the CMake package name alone does not say which apt package provides it;
# scripts/lib/packages.sh lists them all), and OR what else would do (an option that goes
# without it). A macro, so that <Name>_FOUND and the like reach the caller as find_package's do.
macro(crm_require crm_require_package)
  cmake_parse_arguments(crm_require "" "OR" "DEBIAN" ${ARGN})
  find_package(${crm_require_package} ${crm_require_UNPARSED_ARGUMENTS})
  if(NOT ${crm_require_package}_FOUND)
    list(JOIN crm_require_DEBIAN " " crm_require_apt)
    if(crm_require_OR)
      set(crm_require_apt "${crm_require_apt}, or ${crm_require_OR}")
    endif()
    message(FATAL_ERROR "${crm_require_package} not found. On Debian: apt-get install "
                        "${crm_require_apt} (scripts/lib/packages.sh lists every package the "
                        "build and the tests need).")
  endif()
endmacro()

# crm_require_header(<header> DEBIAN <packages>...): the same for a header-only library that
# ships no CMake package (spdlog and fmt are compiled in header-only).
function(crm_require_header header)
  cmake_parse_arguments(crm_require "" "" "DEBIAN" ${ARGN})
  string(MAKE_C_IDENTIFIER "CRM_HEADER_${header}" variable)
  find_path(${variable} ${header})
  if(NOT ${variable})
    list(JOIN crm_require_DEBIAN " " apt)
    message(FATAL_ERROR "<${header}> not found. On Debian: apt-get install ${apt} "
                        "(scripts/lib/packages.sh lists every package the build and the tests "
                        "need).")
  endif()
endfunction()
