/*
 * Buffer objects over SVM memory (OpenCL 3.0, 5.2.1 and 5.6.1): a
 * clCreateBuffer with CL_MEM_USE_HOST_PTR on a pointer into an svmx
 * allocation shares that memory (the driver's buffer is zero-copy over it),
 * may not run past the allocation, and reports CL_MEM_USES_SVM_POINTER.
 */
#ifndef SVMX_SVM_BUFFERS_H
#define SVMX_SVM_BUFFERS_H

#include "cl.h"

#include <stdbool.h>

/*
 * Before the driver creates a buffer: CL_INVALID_BUFFER_SIZE if host_ptr is
 * in an SVM allocation of context (used with CL_MEM_USE_HOST_PTR) and size
 * runs past its end; CL_SUCCESS otherwise.
 */
cl_int svmx_svm_buffer_check(cl_context context, cl_mem_flags flags, size_t size,
			     const void *host_ptr);

/*
 * CL_MEM_USES_SVM_POINTER of mem, a buffer of a context svmx serves: true if
 * it, or the buffer it is a sub-buffer of, was created with
 * CL_MEM_USE_HOST_PTR on memory of an svmx allocation.  Returns false (and
 * leaves *uses alone) if svmx does not serve mem's context.
 */
bool svmx_svm_buffer_uses_svm(cl_mem mem, cl_bool *uses);

#endif
