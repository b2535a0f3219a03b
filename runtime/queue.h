/*
 * A command-queue whose context svmx may serve, looked up for the duration
 * of one call: every entry point that takes a queue opens it first.
 */
#ifndef SVMX_QUEUE_H
#define SVMX_QUEUE_H

#include "context.h"

struct svmx_queue {
	cl_command_queue handle;
	cl_context context;
	struct svmx_context *ctx;	/* a reference, or NULL: not svmx's */
	cl_command_queue_properties props;
};

/*
 * CL_INVALID_COMMAND_QUEUE for a NULL or invalid queue.  Otherwise
 * CL_SUCCESS, with q->ctx NULL when svmx does not serve the queue's context
 * (the caller forwards the call untouched) and a reference to put with
 * svmx_queue_close otherwise.
 */
cl_int svmx_queue_open(cl_command_queue queue, struct svmx_queue *q);

/*
 * The same without q->props, one driver query fewer, for callers that
 * enqueue nothing themselves (clFinish).
 */
cl_int svmx_queue_open_context(cl_command_queue queue, struct svmx_queue *q);
void svmx_queue_close(struct svmx_queue *q);

#endif
