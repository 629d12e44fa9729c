# The Python module `gpugap` (docs/python.md): build/python/gpugap, importable with
# PYTHONPATH=build/python. Included by CMakeLists.txt after the CLI's targets.
option(GPUGAP_PYTHON "Build the Python module gpugap (pybind11)" ON)
if(GPUGAP_PYTHON AND NOT GPUGAP_FUZZ)
  # Debian's interpreter, whose packages (python3-pandas, python3-pytest) the Makefile installs,
  # before any other python3 on PATH (pyenv, a virtualenv); -DPython3_EXECUTABLE=... chooses another.
  if(NOT Python3_EXECUTABLE AND EXISTS /usr/bin/python3)
    set(Python3_EXECUTABLE /usr/bin/python3)
  endif()
  find_package(Python3 REQUIRED COMPONENTS Interpreter Development.Module)
  find_package(pybind11 REQUIRED CONFIG)
  # A shared object can only take position-independent code.
  set_target_properties(gpugap_glue gpugap_lib gpugap_cli_lib PROPERTIES POSITION_INDEPENDENT_CODE ON)
  pybind11_add_module(gpugap_python MODULE NO_EXTRAS ${CMAKE_CURRENT_LIST_DIR}/module.cpp)
  set_target_properties(gpugap_python PROPERTIES OUTPUT_NAME _gpugap
                        LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/python/gpugap)
  target_link_libraries(gpugap_python PRIVATE gpugap_cli_lib)
  configure_file(${CMAKE_CURRENT_LIST_DIR}/gpugap/__init__.py ${CMAKE_BINARY_DIR}/python/gpugap/__init__.py COPYONLY)

  if(GPUGAP_TESTS)
    # pytest (tests/python) as one ctest test: tests/python/conftest.py fails the run on any skip.
    # No __pycache__ written into the source tree.
    set(GPUGAP_PYTEST_ENV "PYTHONPATH=${CMAKE_BINARY_DIR}/python" "GPUGAP_BIN=$<TARGET_FILE:gpugap>" PYTHONDONTWRITEBYTECODE=1)
    if(GPUGAP_SANITIZE)
      # python3 is not instrumented: the ASan runtime must be loaded before the module, and
      # libstdc++ with it (python3 does not link it, and ASan's __cxa_throw needs the real one).
      foreach(lib libasan.so libstdc++.so)
        execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=${lib} OUTPUT_VARIABLE path
                        OUTPUT_STRIP_TRAILING_WHITESPACE)
        list(APPEND GPUGAP_PRELOAD ${path})
      endforeach()
      list(JOIN GPUGAP_PRELOAD " " GPUGAP_PRELOAD)
      list(APPEND GPUGAP_PYTEST_ENV "LD_PRELOAD=${GPUGAP_PRELOAD}")
    endif()
    add_test(NAME python.gpugap
             COMMAND ${Python3_EXECUTABLE} -m pytest -q -p no:cacheprovider ${CMAKE_SOURCE_DIR}/tests/python)
    # Under the sanitizers the module and the executable it is compared with run several times slower.
    if(GPUGAP_SANITIZE)
      set(GPUGAP_PYTEST_TIMEOUT 600)
    else()
      set(GPUGAP_PYTEST_TIMEOUT 300)
    endif()
    set_tests_properties(python.gpugap PROPERTIES ENVIRONMENT "${GPUGAP_PYTEST_ENV}" TIMEOUT ${GPUGAP_PYTEST_TIMEOUT})
  endif()
endif()
