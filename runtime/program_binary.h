/*
 * Program binaries of kernels that hit svmx's fence word (build_options.c,
 * SVMX_WA_FENCE) would hold that word's address, which only svmx maps and
 * which may differ from one process to the next.  Such a binary is handed
 * out with svmx's header in front and the address taken out of its SPIR-V
 * (the header lists where it was); loading it through svmx puts back the
 * address of this process's word.  Loaded without svmx, the header makes
 * the driver see a program with no kernels (measured on rusticl 22.3:
 * clCreateKernel fails with CL_INVALID_PROGRAM_EXECUTABLE) instead of one
 * that faults.
 */
#ifndef SVMX_PROGRAM_BINARY_H
#define SVMX_PROGRAM_BINARY_H

#include "cl.h"

#include <stdbool.h>
#include <stddef.h>

/* Binaries built for dev carry the header (its fence word is mapped). */
bool svmx_program_binary_wraps(cl_device_id dev);

/* The size of the binary handed out for a driver binary of len bytes. */
size_t svmx_program_binary_wrapped_size(const unsigned char *driver, size_t len);

/*
 * Write the binary handed out for the driver's binary to out, which has
 * svmx_program_binary_wrapped_size() bytes; only for a device that wraps
 * (svmx_program_binary_wraps(): its fence word is mapped).
 */
void svmx_program_binary_wrap(const unsigned char *driver, size_t len, unsigned char *out);

/* The binary carries svmx's header. */
bool svmx_program_binary_is_wrapped(const unsigned char *bin, size_t len);

/*
 * The driver's binary inside a wrapped one, with this process's fence word
 * put where the binary uses it, in a copy the caller frees: CL_SUCCESS,
 * CL_OUT_OF_HOST_MEMORY, or CL_INVALID_BINARY when the header is damaged
 * or the binary needs the word at an address where this process has none.
 */
cl_int svmx_program_binary_unwrap(const unsigned char *bin, size_t len, unsigned char **driver,
				  size_t *driver_len);

#endif
