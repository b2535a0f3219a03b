#include "deferred_free.h"

#include "dispatch.h"
#include "log.h"
#include "svm_alloc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* One free waiting for its first marker: listed until its callback or a sweep claims it. */
struct svmx_deferred_free {
	struct svmx_deferred_free *prev, *next;
	bool linked;			/* on the list: not claimed yet */
	atomic_uint refs;		/* the list's, and sweeps' */
	cl_event first;			/* held by the record */
	cl_event gate;
	struct svmx_context *ctx;
	cl_command_queue queue;
	void(CL_CALLBACK *pfn)(cl_command_queue, cl_uint, void *[], void *);
	void *user_data;
	cl_uint n;
	void *ptrs[];
};

static pthread_mutex_t pending_lock = PTHREAD_MUTEX_INITIALIZER;
static struct svmx_deferred_free pending = { .prev = &pending, .next = &pending };
static size_t npending;

static void link_pending(struct svmx_deferred_free *f)
{
	pthread_mutex_lock(&pending_lock);
	f->next = &pending;
	f->prev = pending.prev;
	pending.prev->next = f;
	pending.prev = f;
	f->linked = true;
	npending++;
	pthread_mutex_unlock(&pending_lock);
}

static void unlink_locked(struct svmx_deferred_free *f)
{
	f->prev->next = f->next;
	f->next->prev = f->prev;
	f->linked = false;
	npending--;
}

/* Take f off the list if it is still there: whoever does owns the free. */
static bool claim(struct svmx_deferred_free *f)
{
	bool mine;

	pthread_mutex_lock(&pending_lock);
	mine = f->linked;
	if (mine)
		unlink_locked(f);
	pthread_mutex_unlock(&pending_lock);
	return mine;
}

/* The record whose first marker is first, taken off the list, or NULL. */
static struct svmx_deferred_free *claim_by_marker(cl_event first)
{
	struct svmx_deferred_free *f;

	pthread_mutex_lock(&pending_lock);
	for (f = pending.next; f != &pending; f = f->next)
		if (f->first == first)
			break;
	if (f == &pending)
		f = NULL;
	else
		unlink_locked(f);
	pthread_mutex_unlock(&pending_lock);
	return f;
}

static void release_event(cl_event ev)
{
	if (ev)
		svmx_next.clReleaseEvent(ev);
}

static void put_pending(struct svmx_deferred_free *f)
{
	if (atomic_fetch_sub_explicit(&f->refs, 1, memory_order_acq_rel) != 1)
		return;
	release_event(f->gate);
	release_event(f->first);
	svmx_context_put(f->ctx);
	free(f);
}

/*
 * The driver may hold first's lock here: no calls on first itself.  The
 * record is found by its marker, not through data: a sweep may have taken
 * and freed it already.
 */
static void CL_CALLBACK free_now(cl_event first, cl_int status, void *data)
{
	struct svmx_deferred_free *f = claim_by_marker(first);

	(void)data;
	if (!f)
		return;
	if (status == CL_COMPLETE) {
		if (f->pfn) {
			f->pfn(f->queue, f->n, f->ptrs, f->user_data);
		} else {
			for (cl_uint i = 0; i < f->n; i++)
				svmx_svm_free(f->ctx, f->ptrs[i]);
		}
	}
	svmx_next.clSetUserEventStatus(f->gate, status < 0 ? status : CL_COMPLETE);
	put_pending(f);	/* the list's reference; the driver still holds first */
}

/* Fail and drop the records of frees whose first marker failed without a callback. */
static void sweep_failed(void)
{
	struct svmx_deferred_free **snap;
	size_t n = 0;

	pthread_mutex_lock(&pending_lock);
	snap = npending ? malloc(npending * sizeof(*snap)) : NULL;
	for (struct svmx_deferred_free *f = pending.next; snap && f != &pending; f = f->next) {
		atomic_fetch_add_explicit(&f->refs, 1, memory_order_relaxed);
		snap[n++] = f;
	}
	pthread_mutex_unlock(&pending_lock);
	/* Outside the lock: the driver's callbacks take it while holding their event. */
	for (size_t i = 0; i < n; i++) {
		struct svmx_deferred_free *f = snap[i];
		cl_int status = CL_COMPLETE;

		if (svmx_next.clGetEventInfo(f->first, CL_EVENT_COMMAND_EXECUTION_STATUS,
					     sizeof(status), &status, NULL) == CL_SUCCESS &&
		    status < 0 && claim(f)) {
			svmx_next.clSetUserEventStatus(f->gate, status);
			put_pending(f);	/* the list's reference */
		}
		put_pending(f);
	}
	free(snap);
}

struct svmx_deferred_free *
svmx_deferred_free_new(struct svmx_queue *q, cl_uint n, void *ptrs[],
		       void(CL_CALLBACK *pfn)(cl_command_queue, cl_uint, void *[], void *),
		       void *user_data, cl_int *err)
{
	struct svmx_deferred_free *f;

	sweep_failed();
	f = calloc(1, sizeof(*f) + n * sizeof(void *));
	if (!f) {
		*err = CL_OUT_OF_HOST_MEMORY;
		return NULL;
	}
	atomic_init(&f->refs, 1);
	f->ctx = svmx_context_find(q->context);
	if (!f->ctx) {	/* released meanwhile */
		free(f);
		*err = CL_INVALID_COMMAND_QUEUE;
		return NULL;
	}
	f->queue = q->handle;
	f->pfn = pfn;
	f->user_data = user_data;
	f->n = n;
	if (n)
		memcpy(f->ptrs, ptrs, n * sizeof(void *));
	f->gate = svmx_next.clCreateUserEvent(q->context, err);
	if (!f->gate) {
		put_pending(f);
		return NULL;
	}
	return f;
}

void svmx_deferred_free_drop(struct svmx_deferred_free *f)
{
	put_pending(f);
}

cl_int svmx_deferred_free_start(struct svmx_deferred_free *f, cl_event first, cl_event *gate)
{
	cl_int err;

	svmx_next.clRetainEvent(first);
	f->first = first;	/* the record's reference */
	/* The callback may run at once and drop the record: the caller holds the gate. */
	svmx_next.clRetainEvent(f->gate);
	*gate = f->gate;
	link_pending(f);
	err = svmx_next.clSetEventCallback(first, CL_COMPLETE, free_now, NULL);
	if (err != CL_SUCCESS) {
		/* first is enqueued: complete the chain without freeing. */
		svmx_error("clEnqueueSVMFree: clSetEventCallback failed (%d): nothing freed", err);
		if (claim(f)) {
			svmx_next.clSetUserEventStatus(f->gate, CL_COMPLETE);
			put_pending(f);
		}
		release_event(*gate);
		*gate = NULL;
	}
	return err;
}
