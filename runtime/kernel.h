/*
 * What svmx remembers of a kernel in a context it serves: which arguments
 * are SVM pointers and which allocations the exec info names, so they can
 * be cloned, armed and cleared.
 */
#ifndef SVMX_KERNEL_H
#define SVMX_KERNEL_H

#include "allocation.h"
#include "cl.h"
#include "tracked.h"

#include <pthread.h>

struct svmx_kernel_arg {
	struct svmx_alloc *alloc;	/* set by clSetKernelArgSVMPointer, or NULL */
	cl_mem mem;			/* svmx's buffer the argument is, held while set */
	signed char is_pointer;		/* -1 unknown, 0 no, 1 global/constant pointer */
};

struct svmx_kernel {
	struct svmx_tracked tracked;
	cl_kernel handle;
	cl_context context;

	pthread_mutex_t lock;		/* guards everything below */
	cl_uint nargs;
	struct svmx_kernel_arg *args;
	struct svmx_alloc **exec_allocs;	/* CL_KERNEL_EXEC_INFO_SVM_PTRS */
	size_t nexec;
	/*
	 * Every device of the context has fine-grain system SVM of its own
	 * (rusticl 25 and later): SVM pointers, svmx's included, go to the
	 * driver as they are, and svmx only keeps what they point into.
	 */
	bool system_svm;
	/*
	 * svmx gives every device of the context fine-grain system SVM
	 * (SVMX_WA_SYSTEM_SVM): a pointer outside svmx's allocations goes to
	 * the driver as a one-byte zero-copy buffer at that address.
	 */
	bool host_buffers;
};

/* Called after the driver made kernel; tracks it if svmx serves its context. */
void svmx_kernel_created(cl_kernel kernel);
/* Called after the driver cloned source into clone. */
void svmx_kernel_cloned(cl_kernel source, cl_kernel clone);
void svmx_kernel_retained(cl_kernel kernel);
void svmx_kernel_releasing(cl_kernel kernel);

struct svmx_kernel *svmx_kernel_find(cl_kernel kernel);
void svmx_kernel_put(struct svmx_kernel *k);

cl_int svmx_kernel_set_svm_arg(struct svmx_kernel *k, cl_uint index, const void *value);

/* A plain clSetKernelArg replaced whatever SVM pointer index held. */
void svmx_kernel_forget_arg(struct svmx_kernel *k, cl_uint index);

cl_int svmx_kernel_set_exec_info(struct svmx_kernel *k, cl_kernel_exec_info name,
				 size_t size, const void *value);

/*
 * Before kernel is submitted to queue: arm the SVM_ATOMICS allocations it
 * can reach (SVM arguments, exec-info pointers) if queue's device wants
 * arming (arming.h).  Cheap when nothing needs it.
 */
void svmx_kernel_arm_reachable(cl_kernel kernel, cl_command_queue queue);

#endif
