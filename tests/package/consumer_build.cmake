# ctest script: installs the build into a fresh prefix, then configures, builds and runs tests/package/consumer.
# Inputs (-D): BUILD_DIR, CONSUMER_DIR, WORK_DIR, CXX_COMPILER, GENERATOR, PREFIX_PATH (the build's own, '|'-separated).
foreach(var BUILD_DIR CONSUMER_DIR WORK_DIR CXX_COMPILER GENERATOR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "consumer_build.cmake: -D${var}=... is required")
  endif()
endforeach()

function(run_step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}")
  endif()
  message(STATUS "${what}: ok")
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

string(REPLACE "|" ";" PREFIX_PATH "${PREFIX_PATH}")
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
run_step("install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
if(NOT EXISTS ${prefix}/include/mmrope/reference/designs/registry.hpp)
  message(FATAL_ERROR "install put no reference/designs/registry.hpp under ${prefix}/include/mmrope")
endif()
run_step("installed mmrope" ${prefix}/bin/mmrope positions --preset qwen2-vl --layout "text:2")
if(NOT step_output MATCHES "1,text,1,1,1")
  message(FATAL_ERROR "installed mmrope printed unexpected positions:\n${step_output}")
endif()
# Debug (no optimisation) keeps the consumer's compile short; it only has to compile and run.
run_step("configure consumer" ${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${WORK_DIR}/build -G ${GENERATOR}
         -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_PREFIX_PATH=${prefix};${PREFIX_PATH}")
run_step("build consumer" ${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run_step("run consumer" ${WORK_DIR}/build/consumer)
message(STATUS "${step_output}")
