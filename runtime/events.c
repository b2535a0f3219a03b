#include "events.h"

#include "dispatch.h"
#include "handle_map.h"
#include "info.h"
#include "log.h"
#include "tracked.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

enum { T_QUEUED, T_SUBMIT, T_START, T_END, T_COUNT };

/* svmx's record of an SVM command's event. */
struct svm_event {
	struct svmx_tracked tracked;
	cl_event handle;
	cl_command_type type;
	bool profiling;
	cl_command_queue queue;
	cl_event proxy;		/* retained, or NULL */
	uint64_t seq;		/* tracking order, for svmx_events_finished */
	atomic_bool finished;	/* a clFinish of queue returned after it was tracked */
	struct svm_event *prev, *next;	/* the list of tracked events, while in the map */
	pthread_mutex_t lock;	/* guards t[] */
	cl_ulong t[T_COUNT];	/* 0: not yet */
};

static struct svmx_handle_map events = SVMX_HANDLE_MAP_INIT;

/* Every event in the map, for svmx_events_finished. */
static pthread_mutex_t list_lock = PTHREAD_MUTEX_INITIALIZER;
static struct svm_event list = { .prev = &list, .next = &list };
static uint64_t next_seq = 1;	/* guarded by list_lock */

static void link_event(struct svm_event *ev)
{
	pthread_mutex_lock(&list_lock);
	ev->seq = next_seq++;
	ev->next = &list;
	ev->prev = list.prev;
	list.prev->next = ev;
	list.prev = ev;
	pthread_mutex_unlock(&list_lock);
}

static void unlink_event(struct svm_event *ev)
{
	pthread_mutex_lock(&list_lock);
	if (ev->next) {
		ev->prev->next = ev->next;
		ev->next->prev = ev->prev;
		ev->prev = ev->next = NULL;
	}
	pthread_mutex_unlock(&list_lock);
}

cl_ulong svmx_event_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (cl_ulong)ts.tv_sec * 1000000000ull + (cl_ulong)ts.tv_nsec;
}

static void free_event(struct svmx_tracked *t)
{
	struct svm_event *ev = svmx_tracked_entry(t, struct svm_event, tracked);

	if (ev->proxy)
		svmx_next.clReleaseEvent(ev->proxy);
	pthread_mutex_destroy(&ev->lock);
	free(ev);
}

static void put(struct svm_event *ev)
{
	svmx_tracked_put(&ev->tracked);
}

static struct svm_event *find(cl_event event)
{
	struct svmx_tracked *t = svmx_tracked_find(&events, event);

	return t ? svmx_tracked_entry(t, struct svm_event, tracked) : NULL;
}

/* Record time slot (and any earlier slot still empty) unless already set. */
static void stamp(struct svm_event *ev, int slot, cl_ulong now)
{
	pthread_mutex_lock(&ev->lock);
	for (int i = T_SUBMIT; i <= slot; i++)
		if (!ev->t[i])
			ev->t[i] = now > ev->t[i - 1] ? now : ev->t[i - 1];
	pthread_mutex_unlock(&ev->lock);
}

/*
 * Called by the driver as the command moves on.  It looks the record up by
 * handle instead of holding it, so an event whose command fails (some
 * drivers then call no CL_COMPLETE callback) leaves nothing behind.  The
 * driver may hold the event's own lock here: touch only svmx's state.
 */
static void CL_CALLBACK on_status(cl_event event, cl_int status, void *data)
{
	struct svm_event *ev = find(event);
	cl_ulong now = svmx_event_now();

	(void)data;
	if (!ev)
		return;
	if (status == CL_SUBMITTED)
		stamp(ev, T_SUBMIT, now);
	else if (status == CL_RUNNING)
		stamp(ev, T_START, now);
	else if (status == CL_COMPLETE)
		stamp(ev, T_END, now);
	put(ev);
}

void svmx_event_track(cl_event event, cl_command_type type, bool profiling,
		      cl_ulong queued_ns, cl_command_queue queue, cl_event proxy)
{
	struct svm_event *ev = calloc(1, sizeof(*ev));

	if (!ev) {
		svmx_error("out of memory: event %p keeps the driver's command type",
			   (void *)event);
		return;
	}
	ev->handle = event;
	ev->type = type;
	ev->profiling = profiling;
	ev->t[T_QUEUED] = queued_ns ? queued_ns : 1;
	ev->queue = queue;
	if (proxy && svmx_next.clRetainEvent(proxy) == CL_SUCCESS)
		ev->proxy = proxy;
	atomic_init(&ev->finished, false);
	svmx_tracked_init(&ev->tracked, free_event);
	pthread_mutex_init(&ev->lock, NULL);
	link_event(ev);
	if (!svmx_handle_map_insert(&events, event, &ev->tracked)) {
		svmx_error("cannot track event %p: it keeps the driver's command type",
			   (void *)event);
		unlink_event(ev);
		put(ev);
		return;
	}
	if (profiling) {
		svmx_next.clSetEventCallback(event, CL_SUBMITTED, on_status, NULL);
		svmx_next.clSetEventCallback(event, CL_RUNNING, on_status, NULL);
		svmx_next.clSetEventCallback(event, CL_COMPLETE, on_status, NULL);
	}
}

void svmx_event_retained(cl_event event)
{
	svmx_tracked_retained(&events, event);
}

void svmx_event_releasing(cl_event event)
{
	struct svmx_tracked *t = svmx_tracked_releasing(&events, event);

	if (!t)
		return;
	if (svmx_tracked_remove(&events, event, t))
		unlink_event(svmx_tracked_entry(t, struct svm_event, tracked));
	svmx_tracked_put(t);
}

/* Whether svmx knows ev's command is done; *status gets what to report then. */
static bool known_done(struct svm_event *ev, cl_int *status)
{
	cl_int proxy = CL_QUEUED;

	if (atomic_load(&ev->finished)) {
		*status = CL_COMPLETE;
		return true;
	}
	if (ev->proxy &&
	    svmx_next.clGetEventInfo(ev->proxy, CL_EVENT_COMMAND_EXECUTION_STATUS,
				     sizeof(proxy), &proxy, NULL) == CL_SUCCESS &&
	    proxy <= CL_COMPLETE) {
		*status = proxy;
		return true;
	}
	return false;
}

void svmx_event_correct_status(cl_event event, cl_int *status)
{
	struct svm_event *ev;

	if (*status <= CL_COMPLETE || !(ev = find(event)))
		return;
	known_done(ev, status);
	put(ev);
}

uint64_t svmx_event_mark(void)
{
	uint64_t mark;

	pthread_mutex_lock(&list_lock);
	mark = next_seq;
	pthread_mutex_unlock(&list_lock);
	return mark;
}

void svmx_events_finished(cl_command_queue queue, uint64_t mark)
{
	if (svmx_handle_map_empty(&events))
		return;
	pthread_mutex_lock(&list_lock);
	for (struct svm_event *ev = list.next; ev != &list; ev = ev->next)
		if (ev->queue == queue && ev->seq < mark)
			atomic_store(&ev->finished, true);
	pthread_mutex_unlock(&list_lock);
}

bool svmx_event_command_type(cl_event event, cl_command_type *type)
{
	struct svm_event *ev;

	if (!(ev = find(event)))
		return false;
	*type = ev->type;
	put(ev);
	return true;
}

bool svmx_event_profiling_info(cl_event event, cl_profiling_info name, size_t size,
			       void *value, size_t *size_ret, cl_int *err)
{
	struct svm_event *ev;
	cl_int status = CL_QUEUED;
	cl_ulong t;
	int slot;

	if (!(ev = find(event)))
		return false;
	switch (name) {
	case CL_PROFILING_COMMAND_QUEUED: slot = T_QUEUED; break;
	case CL_PROFILING_COMMAND_SUBMIT: slot = T_SUBMIT; break;
	case CL_PROFILING_COMMAND_START: slot = T_START; break;
	case CL_PROFILING_COMMAND_END:
	case CL_PROFILING_COMMAND_COMPLETE: slot = T_END; break;
	default:
		*err = CL_INVALID_VALUE;
		goto out;
	}
	/* A short buffer is CL_INVALID_VALUE whatever the command's state. */
	if (value && size < sizeof(cl_ulong)) {
		*err = CL_INVALID_VALUE;
		goto out;
	}
	/* Ask the driver before taking svmx's lock: its callbacks take them the other way. */
	if (svmx_next.clGetEventInfo(event, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof(status),
				     &status, NULL) != CL_SUCCESS ||
	    !ev->profiling || (status > CL_COMPLETE && !known_done(ev, &status)) ||
	    status != CL_COMPLETE) {
		*err = CL_PROFILING_INFO_NOT_AVAILABLE;
		goto out;
	}
	/* Complete, but the driver may not have run svmx's callback yet. */
	stamp(ev, T_END, svmx_event_now());
	pthread_mutex_lock(&ev->lock);
	t = ev->t[slot];
	pthread_mutex_unlock(&ev->lock);
	*err = svmx_info_answer(&t, sizeof(t), size, value, size_ret);
out:
	put(ev);
	return true;
}
