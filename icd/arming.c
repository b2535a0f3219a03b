/*
 * The cl_svm_arm_stats_svmx extension (include/svmx/svmx_ext.h): its one
 * function, handed out by clGetExtensionFunctionAddress[ForPlatform].
 */
#include "arming.h"
#include "context.h"
#include "layer.h"
#include "registry.h"

#include <string.h>

static cl_int CL_API_CALL get_svm_arm_stats(cl_context context, const void *svm_ptr,
					    cl_svm_arm_stats_svmx *stats)
{
	struct svmx_context *ctx = svmx_context_find(context);
	struct svmx_alloc *alloc;
	bool ok;

	if (!ctx)
		return CL_INVALID_CONTEXT;
	svmx_context_put(ctx);
	if (!stats || !svm_ptr)
		return CL_INVALID_VALUE;
	alloc = svmx_registry_find(svm_ptr, context);
	if (!alloc)
		return CL_INVALID_VALUE;
	ok = svmx_arming_stats(alloc, stats);
	svmx_alloc_put(alloc);
	return ok ? CL_SUCCESS : CL_INVALID_VALUE;
}

static void *our_function(const char *name)
{
	return name && strcmp(name, CL_SVMX_ARM_STATS_FUNCTION_NAME) == 0 ?
		       (void *)get_svm_arm_stats : NULL;
}

static void *CL_API_CALL get_extension_function_address_for_platform(cl_platform_id platform,
								     const char *name)
{
	void *fn = our_function(name);

	return fn ? fn : svmx_next.clGetExtensionFunctionAddressForPlatform(platform, name);
}

static void *CL_API_CALL get_extension_function_address(const char *name)
{
	void *fn = our_function(name);

	return fn ? fn : svmx_next.clGetExtensionFunctionAddress(name);
}

void svmx_install_arming(struct _cl_icd_dispatch *d)
{
	d->clGetExtensionFunctionAddressForPlatform = get_extension_function_address_for_platform;
	d->clGetExtensionFunctionAddress = get_extension_function_address;
}
