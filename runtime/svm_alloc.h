/* clSVMAlloc and clSVMFree for contexts svmx serves (OpenCL 3.0, 5.6.1). */
#ifndef SVMX_SVM_ALLOC_H
#define SVMX_SVM_ALLOC_H

#include "context.h"

#include <stdbool.h>

/* Whether flags are a combination clSVMAlloc accepts; names the fault if not. */
bool svmx_svm_flags_valid(cl_svm_mem_flags flags);

void *svmx_svm_alloc(struct svmx_context *ctx, cl_svm_mem_flags flags, size_t size,
		     cl_uint alignment);

/*
 * clSVMAlloc on a context whose SVM is native: CL_MEM_SVM_ATOMICS, which svmx
 * adds to every device of the context (SVMX_WA_SVM_ATOMICS), is validated
 * here and not passed on, since the driver refuses a flag it does not report.
 */
void *svmx_svm_alloc_native(cl_context context, cl_svm_mem_flags flags, size_t size,
			    cl_uint alignment);

/* A pointer svmx did not allocate in this context, or freed already, is ignored. */
void svmx_svm_free(struct svmx_context *ctx, void *ptr);

#endif
