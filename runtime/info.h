/* Answering a clGet*Info query with svmx's own value. */
#ifndef SVMX_INFO_H
#define SVMX_INFO_H

#include "cl.h"

#include <stddef.h>

/*
 * Copy the len bytes of data out as the answer: CL_INVALID_VALUE (and
 * nothing written) if value is too small for them, else CL_SUCCESS with
 * *size_ret = len.  value and size_ret may be NULL.
 */
cl_int svmx_info_answer(const void *data, size_t len, size_t size, void *value,
			size_t *size_ret);

#endif
