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

/* Monotonic host time in nanoseconds: svmx's profiling clock. */
cl_ulong svmx_event_now(void);

/*
 * Remember event, just returned to the application for an SVM command of
 * type enqueued at queued_ns.  With profiling, svmx timestamps the
 * command's submission, start and end with event callbacks.  On failure
 * (no memory) the event keeps the driver's command type.
 */
void svmx_event_track(cl_event event, cl_command_type type, bool profiling,
		      cl_ulong queued_ns);

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
