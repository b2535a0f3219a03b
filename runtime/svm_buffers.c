#include "svm_buffers.h"

#include "context.h"
#include "dispatch.h"
#include "log.h"
#include "registry.h"

cl_int svmx_svm_buffer_check(cl_context context, cl_mem_flags flags, size_t size,
			     const void *host_ptr)
{
	struct svmx_alloc *alloc;
	cl_int err = CL_SUCCESS;
	size_t offset;

	if (!(flags & CL_MEM_USE_HOST_PTR) || !host_ptr || !context)
		return CL_SUCCESS;
	alloc = svmx_registry_find(host_ptr, context);
	if (!alloc)
		return CL_SUCCESS;
	offset = (size_t)((const char *)host_ptr - (const char *)alloc->base);
	if (size > alloc->size - offset) {
		svmx_warn("clCreateBuffer: %zu bytes at %p run past the end of SVM allocation %p (%zu bytes)",
			  size, host_ptr, alloc->base, alloc->size);
		err = CL_INVALID_BUFFER_SIZE;
	}
	svmx_alloc_put(alloc);
	return err;
}

#define MEM_INFO(mem, name, var) \
	(svmx_next.clGetMemObjectInfo((mem), (name), sizeof(var), &(var), NULL) == CL_SUCCESS)

bool svmx_svm_buffer_uses_svm(cl_mem mem, cl_bool *uses)
{
	cl_context context = NULL;
	cl_mem parent = NULL;
	cl_mem_flags flags = 0;
	void *host_ptr = NULL;
	struct svmx_context *ctx;
	struct svmx_alloc *alloc;

	if (!MEM_INFO(mem, CL_MEM_CONTEXT, context) || !(ctx = svmx_context_find(context)))
		return false;
	svmx_context_put(ctx);
	if (MEM_INFO(mem, CL_MEM_ASSOCIATED_MEMOBJECT, parent) && parent)
		mem = parent;
	*uses = CL_FALSE;
	if (MEM_INFO(mem, CL_MEM_FLAGS, flags) && (flags & CL_MEM_USE_HOST_PTR) &&
	    MEM_INFO(mem, CL_MEM_HOST_PTR, host_ptr) && host_ptr &&
	    (alloc = svmx_registry_find(host_ptr, context)) != NULL) {
		*uses = CL_TRUE;
		svmx_alloc_put(alloc);
	}
	return true;
}
