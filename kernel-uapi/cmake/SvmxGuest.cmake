# svmx guest tests: boot a debug kernel built from Debian's linux-source under
# qemu (TCG) and run static test programs in it.  Include this file from any
# CMakeLists.txt of the project, then call svmx_add_guest_test().
#
# svmx_add_guest_test(<name>
#     RUN "<command and args>"...   commands run in the guest, in order; each
#                                   must exit 0 (programs are found in /bin)
#     [BINS <target or file>...]    programs copied to the guest's /bin,
#                                   dynamic ones with their libraries
#                                   (targets must exist before the call)
#     [MODULES <file.ko>...]        extra modules, insmod'ed after svmx.ko; the
#                                   text @KVER@ is replaced by the kernel
#                                   version (6.1, 6.12); "file.ko a=1 b=2"
#                                   passes module parameters
#                                   @tree/ stands for the kernel's build tree
#                                   (e.g. @tree/lib/test_hmm.ko)
#     [KEEP_MODULES <name>...]      modules not unloaded at the end
#     [LIBS <file[:dst]>...]        shared libraries, at /dst (default: the
#                                   same path), with the libraries they need
#     [FILES <src:dst>...]          any other file, placed at /dst
#     [OPENCL]                      Mesa's rusticl in the guest; dynamic
#                                   BINS bring their libraries (libOpenCL)
#     [MEM <size>]                  guest memory, default 1G
#     [NO_SVMX_MODULE]              do not load svmx.ko
#     [KERNELS <ver>...]            default: ${SVMX_KERNEL_VERSIONS}
#     [TIMEOUT <seconds>]           default 900
#     [LABELS <label>...]           default: kernel
#     [THP always|madvise|never])   default madvise
#
# Registers one ctest test <name>_<ver> per kernel, requiring the fixture
# svmx_kernel_<ver> (the kernel and svmx.ko for it are built by the test
# svmx_kernel_build_<ver>).  The kernel build tree, for building other
# modules against it, is printed by kernel-uapi/harness/build-kernel.sh <ver>.
include_guard(GLOBAL)

set(SVMX_GUEST_HARNESS_DIR ${CMAKE_CURRENT_LIST_DIR}/../harness)
set(SVMX_KERNEL_VERSIONS "6.1;6.12;7.3" CACHE STRING "Kernels the guest tests boot")
set(SVMX_KERNEL_BINARY_DIR ${CMAKE_BINARY_DIR}/kernel-uapi)

function(svmx_add_guest_test name)
  cmake_parse_arguments(G "NO_SVMX_MODULE;OPENCL" "TIMEOUT;THP;MEM"
    "RUN;BINS;LIBS;MODULES;KEEP_MODULES;FILES;KERNELS;LABELS" ${ARGN})
  if(NOT G_RUN)
    message(FATAL_ERROR "svmx_add_guest_test(${name}): RUN is required")
  endif()
  if(NOT G_KERNELS)
    set(G_KERNELS ${SVMX_KERNEL_VERSIONS})
  endif()
  if(NOT G_TIMEOUT)
    set(G_TIMEOUT 900)
  endif()
  if(NOT G_LABELS)
    set(G_LABELS kernel)
  endif()
  if(NOT G_THP)
    set(G_THP madvise)
  endif()
  foreach(kver IN LISTS G_KERNELS)
    set(args --kernel ${kver} --timeout ${G_TIMEOUT} --thp ${G_THP}
      --log ${SVMX_KERNEL_BINARY_DIR}/logs/${name}_${kver}.log)
    if(NOT G_NO_SVMX_MODULE)
      list(APPEND args --module ${SVMX_KERNEL_BINARY_DIR}/module-${kver}/svmx.ko)
    endif()
    foreach(m IN LISTS G_MODULES)
      string(REPLACE "@KVER@" "${kver}" m "${m}")
      list(APPEND args --module ${m})
    endforeach()
    foreach(k IN LISTS G_KEEP_MODULES)
      list(APPEND args --keep-module ${k})
    endforeach()
    foreach(b IN LISTS G_BINS)
      if(TARGET ${b})
        list(APPEND args --bin $<TARGET_FILE:${b}>)
      else()
        list(APPEND args --bin ${b})
      endif()
    endforeach()
    foreach(l IN LISTS G_LIBS)
      list(APPEND args --lib ${l})
    endforeach()
    foreach(f IN LISTS G_FILES)
      list(APPEND args --file ${f})
    endforeach()
    if(G_OPENCL)
      list(APPEND args --opencl)
    endif()
    if(G_MEM)
      list(APPEND args --mem ${G_MEM})
    endif()
    foreach(r IN LISTS G_RUN)
      list(APPEND args --run ${r})
    endforeach()
    add_test(NAME ${name}_${kver}
      COMMAND ${SVMX_GUEST_HARNESS_DIR}/run-guest.sh ${args})
    set_tests_properties(${name}_${kver} PROPERTIES
      FIXTURES_REQUIRED svmx_kernel_${kver}
      LABELS "${G_LABELS}"
      TIMEOUT ${G_TIMEOUT})
  endforeach()
endfunction()
