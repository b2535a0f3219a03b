/*
 * clFinish: for svmx's queues, also wait for commands the driver's clFinish
 * would miss (svm_commands.h, svmx_queue_finish); forwarded elsewhere.
 */
#include "layer.h"
#include "svm_commands.h"

static cl_int CL_API_CALL finish(cl_command_queue queue)
{
	struct svmx_queue q;
	cl_int err = svmx_queue_open(queue, &q);

	if (err != CL_SUCCESS)
		return err;
	if (!q.ctx)
		return SVMX_FORWARD(clFinish, CL_INVALID_COMMAND_QUEUE, queue);
	err = svmx_queue_finish(&q);
	svmx_queue_close(&q);
	return err;
}

void svmx_install_queue_finish(struct _cl_icd_dispatch *d)
{
	if (d->clFinish)
		d->clFinish = finish;
}
