/*
 * Program binaries of kernels that hit svmx's fence word (build_options.c,
 * SVMX_WA_FENCE) hold that word's address, which only svmx maps.  Such a
 * binary is handed out with svmx's header in front, saying where the word
 * must be: svmx strips the header when the binary is loaded again and maps
 * the word there, or refuses the binary with CL_INVALID_BINARY.  Loaded
 * without svmx, the header makes the driver see a program with no kernels
 * (measured on rusticl 22.3: clCreateKernel fails with
 * CL_INVALID_PROGRAM_EXECUTABLE) instead of one that faults.
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
 * The driver's binary inside a wrapped one, with the fence word mapped where
 * the binary expects it: CL_SUCCESS, or CL_INVALID_BINARY when the header is
 * damaged or the word cannot be at that address in this process.
 */
cl_int svmx_program_binary_unwrap(const unsigned char *bin, size_t len,
				  const unsigned char **driver, size_t *driver_len);

#endif
