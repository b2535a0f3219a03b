#include "queue.h"

#include "dispatch.h"

#include <string.h>

cl_int svmx_queue_open_context(cl_command_queue queue, struct svmx_queue *q)
{
	memset(q, 0, sizeof(*q));
	if (!queue ||
	    svmx_next.clGetCommandQueueInfo(queue, CL_QUEUE_CONTEXT, sizeof(q->context),
					    &q->context, NULL) != CL_SUCCESS)
		return CL_INVALID_COMMAND_QUEUE;
	q->handle = queue;
	q->ctx = svmx_context_find(q->context);
	return CL_SUCCESS;
}

cl_int svmx_queue_open(cl_command_queue queue, struct svmx_queue *q)
{
	cl_int err = svmx_queue_open_context(queue, q);

	if (err != CL_SUCCESS)
		return err;
	if (q->ctx && svmx_next.clGetCommandQueueInfo(queue, CL_QUEUE_PROPERTIES, sizeof(q->props),
						      &q->props, NULL) != CL_SUCCESS) {
		svmx_queue_close(q);
		return CL_INVALID_COMMAND_QUEUE;
	}
	return CL_SUCCESS;
}

void svmx_queue_close(struct svmx_queue *q)
{
	if (q->ctx)
		svmx_context_put(q->ctx);
	q->ctx = NULL;
}
