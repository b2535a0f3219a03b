/*
 * A word of host memory that kernels on a host-coherent device (llvmpipe)
 * hit with a locked read-modify-write wherever the source asks for a fence:
 * llvmpipe compiles fences to no instruction, and an atomic RMW is the one
 * full barrier OpenCL C can express on it (see build_options.c).
 */
#ifndef SVMX_FENCE_WORD_H
#define SVMX_FENCE_WORD_H

#include <stdint.h>

/*
 * The word's address, the same in every process where the preferred address
 * is free (so program binaries built through svmx stay valid); 0 when no
 * page could be mapped.
 */
uintptr_t svmx_fence_word(void);

#endif
