/*
 * The contexts in which svmx provides SVM (all devices SVMX_ROLE_EMULATE).
 * svmx counts the application's references itself: drivers count their
 * internal ones too, so CL_CONTEXT_REFERENCE_COUNT cannot say when the
 * application is done with a context.
 */
#ifndef SVMX_CONTEXT_H
#define SVMX_CONTEXT_H

#include "cl.h"

#include <stdatomic.h>
#include <stdbool.h>

struct svmx_context {
	cl_context handle;
	atomic_uint app_refs;		/* the application's references */
	atomic_uint refs;		/* this struct's users */
	cl_uint ndevices;
	cl_device_id *devices;
	cl_ulong max_alloc;		/* smallest CL_DEVICE_MAX_MEM_ALLOC_SIZE */
};

/* Called after the driver created context: start tracking it if svmx serves it. */
void svmx_context_created(cl_context context);

/* The context's record with a reference to put, or NULL if svmx does not serve it. */
struct svmx_context *svmx_context_find(cl_context context);
void svmx_context_put(struct svmx_context *ctx);

void svmx_context_retained(cl_context context);

/*
 * Called before the driver's release.  On the application's last reference
 * svmx forgets the context's allocations and drops its buffers over them
 * (they hold the context); the memory goes when the driver destroys the
 * context (clSetContextDestructorCallback), after the commands, kernels and
 * buffers still using it, or at once if the driver cannot say when.
 */
void svmx_context_releasing(cl_context context);

#endif
