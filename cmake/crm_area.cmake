# The areas of plugin/, each its own target, and the check that keeps them layered.
#
#   crm_area(<name> [TARGET <target>] SOURCES <file>... [DEPENDS <area>...]
#            [LIBRARIES <library>...] [GENERATED <header>...] [OWNS <table>...]
#            [READS <table>...])
#
# declares the area plugin/<name>/: a static library crm_<name> (or the existing TARGET, e.g.
# the shared library crm for capi) built from SOURCES and linked to the areas it DEPENDS on
# (their targets crm_<area>) and to other LIBRARIES. GENERATED names headers of the build tree
# that belong to the area (core/version.hpp). The declarations are also written to the graph
# that cmake/check_layers.py checks the sources against (crm_write_area_graph): an area may
# include the headers of the areas it declares, and the declared graph must have no cycle.
# OWNS names the CRM tables the area owns: only its sources write them (INSERT, UPDATE, DELETE).
# READS names the tables of other areas its SQL reads directly (a set-based statement over
# several tables); any other table an area's SQL names must be reached through its owner.
function(crm_area name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "TARGET"
                        "SOURCES;DEPENDS;LIBRARIES;GENERATED;OWNS;READS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "crm_area(${name}): unknown arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_TARGET)
    set(arg_TARGET crm_${name})
  endif()
  if(TARGET ${arg_TARGET})
    # An existing target (the shared library): what it links stays private to it.
    target_sources(${arg_TARGET} PRIVATE ${arg_SOURCES})
    set(scope PRIVATE)
  else()
    add_library(${arg_TARGET} STATIC ${arg_SOURCES})
    set(scope PUBLIC)
  endif()
  foreach(dependency IN LISTS arg_DEPENDS)
    target_link_libraries(${arg_TARGET} ${scope} crm_${dependency})
  endforeach()
  if(arg_LIBRARIES)
    target_link_libraries(${arg_TARGET} ${scope} ${arg_LIBRARIES})
  endif()
  set_property(GLOBAL APPEND PROPERTY CRM_AREAS ${name})
  set_property(GLOBAL PROPERTY CRM_AREA_TARGET_${name} ${arg_TARGET})
  set_property(GLOBAL PROPERTY CRM_AREA_DEPENDS_${name} "${arg_DEPENDS}")
  set_property(GLOBAL PROPERTY CRM_AREA_GENERATED_${name} "${arg_GENERATED}")
  set_property(GLOBAL PROPERTY CRM_AREA_OWNS_${name} "${arg_OWNS}")
  set_property(GLOBAL PROPERTY CRM_AREA_READS_${name} "${arg_READS}")
endfunction()

# A CMake list as a JSON array of strings.
function(crm_json_strings out)
  set(items "")
  foreach(item IN LISTS ARGN)
    list(APPEND items "\"${item}\"")
  endforeach()
  list(JOIN items ", " items)
  set(${out} "[${items}]" PARENT_SCOPE)
endfunction()

# crm_write_area_graph(<output.json> INCLUDE_DIRS <dir>...)
# writes every crm_area() declaration as the JSON that cmake/check_layers.py reads.
function(crm_write_area_graph output)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "INCLUDE_DIRS")
  get_property(areas GLOBAL PROPERTY CRM_AREAS)
  set(entries "")
  foreach(name IN LISTS areas)
    get_property(target GLOBAL PROPERTY CRM_AREA_TARGET_${name})
    get_property(depends GLOBAL PROPERTY CRM_AREA_DEPENDS_${name})
    get_property(generated GLOBAL PROPERTY CRM_AREA_GENERATED_${name})
    foreach(dependency IN LISTS depends)
      if(NOT dependency IN_LIST areas)
        message(FATAL_ERROR "crm_area(${name}) depends on ${dependency}, which is no area")
      endif()
      get_property(dependency_target GLOBAL PROPERTY CRM_AREA_TARGET_${dependency})
      if(NOT dependency_target STREQUAL "crm_${dependency}")
        message(FATAL_ERROR "crm_area(${name}) depends on ${dependency}, whose target "
                            "${dependency_target} no area can link")
      endif()
    endforeach()
    get_property(owns GLOBAL PROPERTY CRM_AREA_OWNS_${name})
    get_property(reads GLOBAL PROPERTY CRM_AREA_READS_${name})
    crm_json_strings(depends_json ${depends})
    crm_json_strings(generated_json ${generated})
    crm_json_strings(owns_json ${owns})
    crm_json_strings(reads_json ${reads})
    list(APPEND entries
         "    {\"name\": \"${name}\", \"folder\": \"plugin/${name}\", \"target\": \"${target}\", \"depends\": ${depends_json}, \"generated\": ${generated_json}, \"owns\": ${owns_json}, \"reads\": ${reads_json}}")
  endforeach()
  list(JOIN entries ",\n" entries)
  set(dirs "")
  foreach(directory IN LISTS arg_INCLUDE_DIRS)
    list(APPEND dirs "\"${directory}\"")
  endforeach()
  list(JOIN dirs ", " dirs)
  file(CONFIGURE OUTPUT ${output}
       CONTENT "{\n  \"areas\": [\n${entries}\n  ],\n  \"include_dirs\": [${dirs}]\n}\n" @ONLY)
endfunction()
