#include "dispatch.h"

#include <stddef.h>
#include <string.h>

struct _cl_icd_dispatch svmx_next;

void svmx_dispatch_set_next(cl_uint num_entries,
			    const struct _cl_icd_dispatch *target)
{
	cl_uint n = num_entries < SVMX_DISPATCH_ENTRIES ? num_entries
							: SVMX_DISPATCH_ENTRIES;

	memset(&svmx_next, 0, sizeof(svmx_next));
	memcpy(&svmx_next, target, n * sizeof(void *));
}

#define ENTRY(fn) { #fn, offsetof(struct _cl_icd_dispatch, fn) }

/* Every OpenCL 1.x entry svmx calls or replaces. */
static const struct {
	const char *name;
	size_t offset;
} needed[] = {
	ENTRY(clGetPlatformInfo), ENTRY(clGetDeviceInfo),
	ENTRY(clCreateContext), ENTRY(clCreateContextFromType),
	ENTRY(clRetainContext), ENTRY(clReleaseContext), ENTRY(clGetContextInfo),
	ENTRY(clGetCommandQueueInfo),
	ENTRY(clCreateBuffer), ENTRY(clCreateSubBuffer), ENTRY(clRetainMemObject),
	ENTRY(clReleaseMemObject), ENTRY(clGetMemObjectInfo),
	ENTRY(clCreateProgramWithBinary), ENTRY(clReleaseProgram), ENTRY(clBuildProgram),
	ENTRY(clCompileProgram), ENTRY(clGetProgramInfo), ENTRY(clGetProgramBuildInfo),
	ENTRY(clCreateKernel), ENTRY(clCreateKernelsInProgram), ENTRY(clRetainKernel),
	ENTRY(clReleaseKernel), ENTRY(clSetKernelArg), ENTRY(clGetKernelInfo),
	ENTRY(clGetKernelArgInfo),
	ENTRY(clWaitForEvents), ENTRY(clGetEventInfo), ENTRY(clCreateUserEvent),
	ENTRY(clRetainEvent), ENTRY(clReleaseEvent), ENTRY(clSetUserEventStatus),
	ENTRY(clSetEventCallback), ENTRY(clGetEventProfilingInfo),
	ENTRY(clFlush), ENTRY(clFinish),
	ENTRY(clEnqueueReadBuffer), ENTRY(clEnqueueWriteBuffer), ENTRY(clEnqueueCopyBuffer),
	ENTRY(clEnqueueFillBuffer), ENTRY(clEnqueueNDRangeKernel), ENTRY(clEnqueueTask),
	ENTRY(clEnqueueMarkerWithWaitList),
	ENTRY(clGetExtensionFunctionAddress), ENTRY(clGetExtensionFunctionAddressForPlatform),
};

const char *svmx_dispatch_missing(void)
{
	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		void *fn;

		memcpy(&fn, (const char *)&svmx_next + needed[i].offset, sizeof(fn));
		if (!fn)
			return needed[i].name;
	}
	return NULL;
}
