/*
 * What svmx does for each device: nothing, complete a native SVM stack, or
 * provide SVM itself.  Decided once per device from the driver's own answers
 * and the workaround table (workarounds.c).
 */
#ifndef SVMX_DEVICE_H
#define SVMX_DEVICE_H

#include "cl.h"
#include "workarounds.h"

#include <stdbool.h>
#include <stddef.h>

enum svmx_device_role {
	/* Native support is complete, or svmx cannot deliver more: untouched. */
	SVMX_ROLE_PASS,
	/* Native SVM with atomics, a claimed scope feature defined (PoCL 3.1). */
	SVMX_ROLE_SCOPE_FIX,
	/*
	 * No usable native SVM on a device that executes on the host's memory
	 * (rusticl on llvmpipe, 22.3 to 26.2: see provide_svm in
	 * workarounds.c): svmx provides coarse- and fine-grain buffers and
	 * atomics over page-aligned anonymous memory.
	 */
	SVMX_ROLE_EMULATE,
	/*
	 * Native SVM without atomics on a device that executes on the host's
	 * memory, whose own SVM svmx keeps (none measured here: rusticl 23.2
	 * and later get SVMX_ROLE_EMULATE): svmx adds the atomics, orders and
	 * scopes, and the build handling for them.
	 */
	SVMX_ROLE_ATOMICS,
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
	char defines[256];	/* -D for each added feature, or "" */
	/* CL_DEVICE_EXTENSIONS and _WITH_VERSION: the driver's, then svmx's. */
	char *extensions;	/* never NULL: a device without it is not probed */
	cl_name_version *extensions_versioned;
	size_t nextensions;	/* entries of extensions_versioned */
	bool added_extensions;	/* svmx answers both queries */
	unsigned workarounds;	/* set of enum svmx_workaround (workarounds.h) */
	/* The driver's own answers, before svmx's additions. */
	cl_device_svm_capabilities native_svm;
	cl_device_atomic_capabilities native_atomic_memory;
	unsigned mesa_version;	/* rusticl's, as major * 100 + minor; else 0 */
	cl_ulong max_alloc;	/* CL_DEVICE_MAX_MEM_ALLOC_SIZE */
	/* Kernels run on host CPUs over host memory: no arming needed. */
	bool host_coherent;
};

/* The device's record, classifying it on first use; NULL for a bad handle. */
const struct svmx_device *svmx_device_lookup(cl_device_id id);

/*
 * Every device of the context has fine-grain system SVM of its own: a
 * pointer outside svmx's allocations then goes to the driver as it is.
 */
bool svmx_context_system_svm(cl_context context);

/* Every device of the context (of the kernel's context) has workaround w. */
bool svmx_context_devices_have(cl_context context, enum svmx_workaround w);
bool svmx_kernel_devices_have(cl_kernel kernel, enum svmx_workaround w);

/* The driver lists name in CL_DEVICE_EXTENSIONS (or svmx added it). */
bool svmx_device_has_extension(const struct svmx_device *dev, const char *name);

/* The driver lists name in CL_DEVICE_OPENCL_C_FEATURES (or svmx added it). */
bool svmx_device_has_feature(const struct svmx_device *dev, const char *name);

static inline bool svmx_device_touched(const struct svmx_device *dev)
{
	return dev && dev->role != SVMX_ROLE_PASS;
}

#endif
