/*
 * clFinish, clFlush, clWaitForEvents: clFinish of svmx's queues also waits
 * for commands already flushed (runtime/queue_finish.h), so the two calls
 * that flush without waiting for everything are counted.
 */
#include "context.h"
#include "events.h"
#include "layer.h"
#include "queue_finish.h"
#include "queue.h"
#include "workarounds.h"

static cl_int CL_API_CALL finish(cl_command_queue queue)
{
	struct svmx_queue q;
	cl_int err = svmx_queue_open_context(queue, &q);

	if (err != CL_SUCCESS)
		return err;
	if (!q.ctx)
		return svmx_next.clFinish(queue);
	uint64_t mark = svmx_event_mark();
	unsigned w = q.ctx->workarounds;

	err = svmx_wa(w, SVMX_WA_FINISH_AFTER_FLUSH) ? svmx_queue_finish(queue) :
						       svmx_next.clFinish(queue);
	/* A status the specification does not allow clFinish (SVMX_WA_FINISH_STATUS). */
	if (err != CL_SUCCESS && err != CL_INVALID_COMMAND_QUEUE && err != CL_OUT_OF_RESOURCES &&
	    err != CL_OUT_OF_HOST_MEMORY && svmx_wa(w, SVMX_WA_FINISH_STATUS))
		err = CL_SUCCESS;
	/* Every earlier SVM event is complete now, whatever the driver says yet. */
	if (err == CL_SUCCESS)
		svmx_events_finished(queue, mark);
	svmx_queue_close(&q);
	return err;
}

static cl_int CL_API_CALL flush(cl_command_queue queue)
{
	cl_int err;

	svmx_flush_begin();
	err = svmx_next.clFlush(queue);
	svmx_flush_end();
	return err;
}

static cl_int CL_API_CALL wait_for_events(cl_uint n, const cl_event *list)
{
	cl_int err;

	svmx_flush_begin();
	err = svmx_next.clWaitForEvents(n, list);
	svmx_flush_end();
	return err;
}

void svmx_install_queue_finish(struct _cl_icd_dispatch *d)
{
	d->clFinish = finish;
	d->clFlush = flush;
	d->clWaitForEvents = wait_for_events;
}
