# The layer check must fail on a tree that breaks its rules: runs cmake/check_layers.py on
# fixture/ (a declared cycle, an undeclared area include, <crm/...> outside capi, ../ out of a
# top-level folder, adapters including plugin/, a host including more than public headers, ...)
# and passes only when it exits non-zero with exactly the findings of fixture.expected.
#   cmake -DPYTHON=... -DCHECK=cmake/check_layers.py -DFIXTURE=tests/architecture/fixture
#         -DEXPECTED=tests/architecture/fixture.expected -P expect_findings.cmake
execute_process(
  COMMAND ${PYTHON} ${CHECK} --root ${FIXTURE} --graph ${FIXTURE}/areas.json
  RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE errors)
if(status EQUAL 0)
  message(FATAL_ERROR "check_layers.py passed a tree that breaks the rules:\n${output}")
endif()
if(errors)
  message(FATAL_ERROR "check_layers.py failed otherwise than with findings:\n${errors}")
endif()
file(READ ${EXPECTED} expected)
# The last line is the count of findings with the fixture's absolute path.
string(REGEX REPLACE "check_layers: [0-9]+ finding\\(s\\) in [^\n]*\n$" "" findings "${output}")
if(NOT findings STREQUAL expected)
  message(FATAL_ERROR "check_layers.py reported other findings than expected.\n"
                      "expected:\n${expected}\nreported:\n${output}")
endif()
message(STATUS "check_layers.py failed the fixture with the expected findings")
