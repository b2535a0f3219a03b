/*
 * The contexts in which svmx provides SVM (all devices SVMX_ROLE_EMULATE).
 * svmx counts the application's references itself: drivers count their
 * internal ones too, so CL_CONTEXT_REFERENCE_COUNT cannot say when the
 * application is done with a context.
 */
#ifndef SVMX_CONTEXT_H
#define SVMX_CONTEXT_H

#include "cl.h"
#include "tracked.h"

#include <stdbool.h>

struct svmx_context {
	struct svmx_tracked tracked;
	cl_context handle;
	bool destructor;		/* the driver tells svmx when it destroys the context */
	cl_uint ndevices;
	cl_device_id *devices;
	cl_ulong max_alloc;		/* smallest CL_DEVICE_MAX_MEM_ALLOC_SIZE */
	unsigned workarounds;		/* those every device has (workarounds.h) */
	/*
	 * Every device reports fine-grain system SVM (its own, or svmx's where
	 * SVMX_WA_SYSTEM_SVM): any host pointer is an SVM pointer.
	 */
	bool host_pointers;
};

/* Called after the driver created context: start tracking it if svmx serves it. */
void svmx_context_created(cl_context context);

/* The context's record with a reference to put, or NULL if svmx does not serve it. */
struct svmx_context *svmx_context_find(cl_context context);
void svmx_context_get(struct svmx_context *ctx);
void svmx_context_put(struct svmx_context *ctx);

void svmx_context_retained(cl_context context);

/*
 * The application holds no reference: the queues, kernels and buffers it
 * still has keep the context, so svmx keeps serving it but holds no driver
 * object of its own between calls (they would keep it forever).
 */
static inline bool svmx_context_released(struct svmx_context *ctx)
{
	return svmx_tracked_released(&ctx->tracked);
}

/*
 * Called before the driver's release.  On the application's last reference
 * svmx drops its own buffers over the context's allocations (they hold the
 * context) and keeps serving it: a context lives until its last reference,
 * and the queues, kernels and buffers the application still holds are
 * references.  When the driver destroys the context
 * (clSetContextDestructorCallback) svmx forgets it and frees its
 * allocations.  A driver that cannot say when gets the old behaviour: svmx
 * forgets the context and frees its allocations at the application's last
 * release.
 */
void svmx_context_releasing(cl_context context);

#endif
