#include "svm_alloc.h"

#include "allocation.h"
#include "device.h"
#include "dispatch.h"
#include "log.h"
#include "registry.h"

#include <stdlib.h>
#include <unistd.h>

#define ACCESS_FLAGS (CL_MEM_READ_WRITE | CL_MEM_WRITE_ONLY | CL_MEM_READ_ONLY)

bool svmx_svm_flags_valid(cl_svm_mem_flags flags)
{
	cl_svm_mem_flags access = flags & ACCESS_FLAGS;

	if (flags & ~(ACCESS_FLAGS | CL_MEM_SVM_FINE_GRAIN_BUFFER | CL_MEM_SVM_ATOMICS)) {
		svmx_warn("clSVMAlloc: flags %#llx has bits that are not SVM flags",
			  (unsigned long long)flags);
		return false;
	}
	if (access & (access - 1)) {
		svmx_warn("clSVMAlloc: flags %#llx names more than one of READ_WRITE, WRITE_ONLY, READ_ONLY",
			  (unsigned long long)flags);
		return false;
	}
	if ((flags & CL_MEM_SVM_ATOMICS) && !(flags & CL_MEM_SVM_FINE_GRAIN_BUFFER)) {
		svmx_warn("clSVMAlloc: CL_MEM_SVM_ATOMICS needs CL_MEM_SVM_FINE_GRAIN_BUFFER");
		return false;
	}
	return true;
}

void *svmx_svm_alloc(struct svmx_context *ctx, cl_svm_mem_flags flags, size_t size,
		     cl_uint alignment)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct svmx_alloc *alloc;

	if (!svmx_svm_flags_valid(flags))
		return NULL;
	if (size == 0 || size > ctx->max_alloc) {
		svmx_warn("clSVMAlloc: size %zu is not in 1..CL_DEVICE_MAX_MEM_ALLOC_SIZE (%llu)",
			  size, (unsigned long long)ctx->max_alloc);
		return NULL;
	}
	if (alignment & (alignment - 1) || alignment > SVMX_MAX_ALIGNMENT) {
		svmx_warn("clSVMAlloc: alignment %u is not a power of two up to %zu",
			  alignment, SVMX_MAX_ALIGNMENT);
		return NULL;
	}
	if (!(flags & ACCESS_FLAGS))
		flags |= CL_MEM_READ_WRITE;
	alloc = svmx_alloc_create(ctx->handle, flags, size,
				  alignment > page ? alignment : page);
	if (!alloc)
		return NULL;
	svmx_context_get(ctx);
	alloc->owner = ctx;
	if (!svmx_registry_add(alloc)) {
		svmx_alloc_put(alloc);
		return NULL;
	}
	svmx_debug("clSVMAlloc(%zu, %#llx) = %p", size, (unsigned long long)flags, alloc->base);
	return alloc->base;
}

void svmx_svm_free(struct svmx_context *ctx, void *ptr)
{
	struct svmx_alloc *alloc;

	if (!ptr)
		return;
	alloc = svmx_registry_take(ptr, ctx->handle);
	if (!alloc) {
		svmx_warn("clSVMFree: %p is not an SVM allocation of context %p (never allocated, "
			  "an interior pointer, or freed already): ignored",
			  ptr, (void *)ctx->handle);
		return;
	}
	svmx_alloc_release_memory(alloc);
	svmx_alloc_put(alloc);
}

void *svmx_svm_alloc_native(cl_context context, cl_svm_mem_flags flags, size_t size,
			    cl_uint alignment)
{
	if (!svmx_next.clSVMAlloc)
		return NULL;
	if ((flags & CL_MEM_SVM_ATOMICS) && context &&
	    svmx_context_devices_have(context, SVMX_WA_SVM_ATOMICS)) {
		if (!svmx_svm_flags_valid(flags))
			return NULL;
		flags &= ~(cl_svm_mem_flags)CL_MEM_SVM_ATOMICS;
	}
	return svmx_next.clSVMAlloc(context, flags, size, alignment);
}
