/*
 * clEnqueueSVMFree's free, run by the driver's completion callback of a
 * marker.  svm_commands.c makes the command around it:
 *
 * marker "first" waits for the wait list (and, in an in-order queue, every
 * earlier command); its completion callback frees the pointers (or calls
 * the application's function) and then completes the user event "gate";
 * the event returned is a second marker that waits for first and gate.  So
 * the memory is gone before the returned event completes, and later
 * commands of an in-order queue run after the free.
 *
 * rusticl 22.3 calls no callback for a command whose wait list failed (the
 * specification says it should): such records are found by a sweep at the
 * next clEnqueueSVMFree, which fails their gate and releases them.
 */
#ifndef SVMX_DEFERRED_FREE_H
#define SVMX_DEFERRED_FREE_H

#include "queue.h"

struct svmx_deferred_free;

/*
 * A free of ptrs (or a call of pfn) in q's context, not started yet, with
 * its gate.  NULL with *err set if it cannot be made.  Sweeps the records
 * of failed frees first.
 */
struct svmx_deferred_free *
svmx_deferred_free_new(struct svmx_queue *q, cl_uint n, void *ptrs[],
		       void(CL_CALLBACK *pfn)(cl_command_queue, cl_uint, void *[], void *),
		       void *user_data, cl_int *err);

/* Drop a record that was never started. */
void svmx_deferred_free_drop(struct svmx_deferred_free *f);

/*
 * Run f when first completes (f holds first from here on, and frees
 * itself).  CL_SUCCESS: *gate is f's gate, with a reference of the
 * caller's.  Otherwise nothing is freed and the gate completes.
 */
cl_int svmx_deferred_free_start(struct svmx_deferred_free *f, cl_event first, cl_event *gate);

#endif
