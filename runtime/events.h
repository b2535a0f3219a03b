/*
 * The events svmx returns for the SVM commands it implements with native
 * commands (markers, copies, fills): svmx remembers each such event until
 * the application releases it, so that clGetEventInfo reports the SVM
 * command type and clGetEventProfilingInfo reports times svmx measured
 * (the driver it serves may have no real profiling clock).
 */
#ifndef SVMX_EVENTS_H
#define SVMX_EVENTS_H

#include "cl.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Monotonic host time in nanoseconds: svmx's profiling clock. */
cl_ulong svmx_event_now(void);

/*
 * Remember event, just returned to the application for an SVM command of
 * type enqueued on queue at queued_ns.  With profiling, svmx timestamps the
 * command's submission, start and end with event callbacks.  If proxy is
 * not NULL (svmx retains it), the command is complete as soon as proxy is
 * (and failed if it failed), whatever the driver says of event yet.  On
 * failure (no memory) the event keeps the driver's command type.
 */
void svmx_event_track(cl_event event, cl_command_type type, bool profiling,
		      cl_ulong queued_ns, cl_command_queue queue, cl_event proxy);

/*
 * rusticl 22.3 sets an event CL_COMPLETE only when someone waits for that
 * very event or its queue thread gets to it after its batch's fence: after
 * clFinish, or after a later command of an in-order queue completed, an
 * earlier event may still say CL_SUBMITTED.  svmx answers for its SVM
 * events: *status is what the driver said; it becomes CL_COMPLETE (or the
 * proxy's failure) if svmx knows the command is done.
 */
void svmx_event_correct_status(cl_event event, cl_int *status);

/*
 * For clFinish: svmx_event_mark() before the queue is finished, then
 * svmx_events_finished() with its value once it is: every SVM event of
 * queue tracked before the mark is complete.
 */
uint64_t svmx_event_mark(void);
void svmx_events_finished(cl_command_queue queue, uint64_t mark);

/* The application retained or is about to release event. */
void svmx_event_retained(cl_event event);
void svmx_event_releasing(cl_event event);

/* The SVM command type of an event svmx tracks; false if it tracks none. */
bool svmx_event_command_type(cl_event event, cl_command_type *type);

/*
 * clGetEventProfilingInfo for an event svmx tracks: true and *err set if
 * svmx answered, false if the event is not svmx's.
 */
bool svmx_event_profiling_info(cl_event event, cl_profiling_info name, size_t size,
			       void *value, size_t *size_ret, cl_int *err);

#endif
