/*
 * What svmx does for each device: nothing, complete a native SVM stack, or
 * provide SVM itself.  Decided once per device from the driver's own answers.
 */
#ifndef SVMX_DEVICE_H
#define SVMX_DEVICE_H

#include "cl.h"

#include <stdbool.h>
#include <stddef.h>

enum svmx_device_role {
	/* Native support is complete, or svmx cannot deliver more: untouched. */
	SVMX_ROLE_PASS,
	/*
	 * Native SVM with atomics whose compiler lacks the all-devices scope
	 * feature macro it claims (PoCL 3.1): svmx adds the feature and defines
	 * it for OpenCL C 3.0 builds; SVM calls stay native.
	 */
	SVMX_ROLE_SCOPE_FIX,
	/*
	 * No usable native SVM on a device that executes on the host's memory
	 * (rusticl on llvmpipe): svmx provides coarse- and fine-grain buffers
	 * and atomics over page-aligned anonymous memory.
	 */
	SVMX_ROLE_EMULATE,
};

/* The OpenCL C features svmx may add, in the order it adds them. */
#define SVMX_MAX_ADDED_FEATURES 4

struct svmx_device {
	cl_device_id id;
	enum svmx_device_role role;
	cl_device_svm_capabilities svm;			/* as svmx reports them */
	cl_device_atomic_capabilities atomic_memory;
	cl_device_atomic_capabilities atomic_fence;
	cl_name_version *features;			/* full reported list */
	size_t nfeatures;
	size_t nadded;					/* of them added by svmx */
	char defines[256];	/* appended to OpenCL C 3.0 builds, or "" */
	/*
	 * Compile OpenCL C 2.0 and 3.0 through the compiler's 2.0 mode, with
	 * seq_cst stores and fences as locked RMWs (rusticl 22.3 aborts in
	 * clCreateKernel on scoped atomics of 3.0 builds and on all-devices
	 * fences, and llvmpipe emits no fence): see build_options.c.
	 */
	bool c3_as_c2;
	cl_ulong max_alloc;	/* CL_DEVICE_MAX_MEM_ALLOC_SIZE */
	/* Kernels run on host CPUs over host memory: no arming needed. */
	bool host_coherent;
};

/* The device's record, classifying it on first use; NULL for a bad handle. */
const struct svmx_device *svmx_device_lookup(cl_device_id id);

static inline bool svmx_device_touched(const struct svmx_device *dev)
{
	return dev && dev->role != SVMX_ROLE_PASS;
}

#endif
