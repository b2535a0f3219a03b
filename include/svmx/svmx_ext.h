/*
 * svmx's OpenCL extension: per-allocation arming statistics.
 *
 * Where svmx arms SVM_ATOMICS allocations for exclusive device access
 * (runtime/arming.c), it counts per allocation what SVMX_STATS=1 prints at
 * exit.  An application reads the same numbers, for the allocation holding
 * any pointer, through the function that
 *   clGetExtensionFunctionAddressForPlatform(platform, "clGetSVMArmStatsSVMX")
 * returns while svmx is loaded (NULL without it).
 */
#ifndef SVMX_EXT_H
#define SVMX_EXT_H

#include <CL/cl.h>
#include <svmx/svmx_uapi.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CL_SVMX_ARM_STATS_FUNCTION_NAME "clGetSVMArmStatsSVMX"

typedef struct cl_svm_arm_stats_svmx {
	cl_ulong bytes;		/* size the allocation was asked for */
	cl_ulong arms;		/* arm requests that succeeded */
	/* pages revoked, indexed by enum svmx_reason (SVMX_REASON_CPU, ...) */
	cl_ulong revoked[SVMX_STATS_REASONS];
	cl_ulong rearms;	/* revoked pages armed again for a device */
	cl_ulong armed;		/* 1 while svmx holds the whole allocation armed */
} cl_svm_arm_stats_svmx;

/*
 * Statistics of the svmx allocation of context that holds svm_ptr.
 * CL_INVALID_CONTEXT: context is not a valid context svmx serves.
 * CL_INVALID_VALUE: stats is NULL, or svm_ptr is in no svmx allocation of
 * context made with CL_MEM_SVM_ATOMICS.
 */
typedef cl_int(CL_API_CALL *clGetSVMArmStatsSVMX_fn)(cl_context context, const void *svm_ptr,
						      cl_svm_arm_stats_svmx *stats);

#ifdef __cplusplus
}
#endif

#endif
