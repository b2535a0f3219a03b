/*
 * clEnqueueNDRangeKernel, clEnqueueTask: arm what the kernel can reach
 * before it is submitted.  Installed only when an exclusive-access provider
 * is active, so launches elsewhere go straight to the driver.
 */
#include "arming.h"
#include "kernel.h"
#include "layer.h"

static cl_int CL_API_CALL enqueue_nd_range_kernel(cl_command_queue queue, cl_kernel kernel,
						  cl_uint dims, const size_t *offset,
						  const size_t *global, const size_t *local,
						  cl_uint nwait, const cl_event *wait,
						  cl_event *event)
{
	svmx_kernel_arm_reachable(kernel, queue);
	return svmx_next.clEnqueueNDRangeKernel(queue, kernel, dims, offset, global, local, nwait,
						wait, event);
}

static cl_int CL_API_CALL enqueue_task(cl_command_queue queue, cl_kernel kernel,
				       cl_uint nwait, const cl_event *wait, cl_event *event)
{
	svmx_kernel_arm_reachable(kernel, queue);
	return svmx_next.clEnqueueTask(queue, kernel, nwait, wait, event);
}

void svmx_install_kernel_launch(struct _cl_icd_dispatch *d)
{
	if (!svmx_arming_active())
		return;
	d->clEnqueueNDRangeKernel = enqueue_nd_range_kernel;
	d->clEnqueueTask = enqueue_task;
}
