/* clSVMAlloc, clSVMFree: svmx's allocations where it serves the context. */
#include "layer.h"
#include "svm_alloc.h"

static void *CL_API_CALL svm_alloc(cl_context context, cl_svm_mem_flags flags, size_t size,
				   cl_uint alignment)
{
	struct svmx_context *ctx = svmx_context_find(context);
	void *p;

	if (!ctx)
		return svmx_svm_alloc_native(context, flags, size, alignment);
	p = svmx_svm_alloc(ctx, flags, size, alignment);
	svmx_context_put(ctx);
	return p;
}

static void CL_API_CALL svm_free(cl_context context, void *ptr)
{
	struct svmx_context *ctx = svmx_context_find(context);

	if (!ctx) {
		if (context && svmx_next.clSVMFree)
			svmx_next.clSVMFree(context, ptr);
		return;
	}
	svmx_svm_free(ctx, ptr);
	svmx_context_put(ctx);
}

void svmx_install_svm_alloc(struct _cl_icd_dispatch *d)
{
	d->clSVMAlloc = svm_alloc;
	d->clSVMFree = svm_free;
}
