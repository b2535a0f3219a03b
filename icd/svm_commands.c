/*
 * The SVM enqueue commands: svmx's own where it serves the queue's context,
 * the next layer's (or CL_INVALID_OPERATION if it has none) elsewhere.
 */
#include "layer.h"
#include "svm_commands.h"

static cl_int CL_API_CALL enqueue_svm_free(cl_command_queue queue, cl_uint nptrs, void *ptrs[],
					   void(CL_CALLBACK *pfn)(cl_command_queue, cl_uint,
								  void *[], void *),
					   void *user_data, cl_uint nwait, const cl_event *wait,
					   cl_event *event)
{
	struct svmx_queue q;
	cl_int err = svmx_queue_open(queue, &q);

	if (err != CL_SUCCESS)
		return err;
	if (!q.ctx)
		return SVMX_FORWARD(clEnqueueSVMFree, CL_INVALID_OPERATION, queue, nptrs, ptrs, pfn,
				    user_data, nwait, wait, event);
	err = svmx_enqueue_svm_free(&q, nptrs, ptrs, pfn, user_data, nwait, wait, event);
	svmx_queue_close(&q);
	return err;
}

static cl_int CL_API_CALL enqueue_svm_memcpy(cl_command_queue queue, cl_bool blocking, void *dst,
					     const void *src, size_t size, cl_uint nwait,
					     const cl_event *wait, cl_event *event)
{
	struct svmx_queue q;
	cl_int err = svmx_queue_open(queue, &q);

	if (err != CL_SUCCESS)
		return err;
	if (!q.ctx)
		return SVMX_FORWARD(clEnqueueSVMMemcpy, CL_INVALID_OPERATION, queue, blocking, dst,
				    src, size, nwait, wait, event);
	err = svmx_enqueue_svm_memcpy(&q, blocking, dst, src, size, nwait, wait, event);
	svmx_queue_close(&q);
	return err;
}

static cl_int CL_API_CALL enqueue_svm_mem_fill(cl_command_queue queue, void *ptr,
					       const void *pattern, size_t pattern_size,
					       size_t size, cl_uint nwait, const cl_event *wait,
					       cl_event *event)
{
	struct svmx_queue q;
	cl_int err = svmx_queue_open(queue, &q);

	if (err != CL_SUCCESS)
		return err;
	if (!q.ctx)
		return SVMX_FORWARD(clEnqueueSVMMemFill, CL_INVALID_OPERATION, queue, ptr, pattern,
				    pattern_size, size, nwait, wait, event);
	err = svmx_enqueue_svm_mem_fill(&q, ptr, pattern, pattern_size, size, nwait, wait, event);
	svmx_queue_close(&q);
	return err;
}

static cl_int CL_API_CALL enqueue_svm_map(cl_command_queue queue, cl_bool blocking,
					  cl_map_flags flags, void *ptr, size_t size,
					  cl_uint nwait, const cl_event *wait, cl_event *event)
{
	struct svmx_queue q;
	cl_int err = svmx_queue_open(queue, &q);

	if (err != CL_SUCCESS)
		return err;
	if (!q.ctx)
		return SVMX_FORWARD(clEnqueueSVMMap, CL_INVALID_OPERATION, queue, blocking, flags,
				    ptr, size, nwait, wait, event);
	err = svmx_enqueue_svm_map(&q, blocking, flags, ptr, size, nwait, wait, event);
	svmx_queue_close(&q);
	return err;
}

static cl_int CL_API_CALL enqueue_svm_unmap(cl_command_queue queue, void *ptr, cl_uint nwait,
					    const cl_event *wait, cl_event *event)
{
	struct svmx_queue q;
	cl_int err = svmx_queue_open(queue, &q);

	if (err != CL_SUCCESS)
		return err;
	if (!q.ctx)
		return SVMX_FORWARD(clEnqueueSVMUnmap, CL_INVALID_OPERATION, queue, ptr, nwait,
				    wait, event);
	err = svmx_enqueue_svm_unmap(&q, ptr, nwait, wait, event);
	svmx_queue_close(&q);
	return err;
}

static cl_int CL_API_CALL enqueue_svm_migrate_mem(cl_command_queue queue, cl_uint nptrs,
						  const void **ptrs, const size_t *sizes,
						  cl_mem_migration_flags flags, cl_uint nwait,
						  const cl_event *wait, cl_event *event)
{
	struct svmx_queue q;
	cl_int err = svmx_queue_open(queue, &q);

	if (err != CL_SUCCESS)
		return err;
	if (!q.ctx)
		return SVMX_FORWARD(clEnqueueSVMMigrateMem, CL_INVALID_OPERATION, queue, nptrs,
				    ptrs, sizes, flags, nwait, wait, event);
	err = svmx_enqueue_svm_migrate_mem(&q, nptrs, ptrs, sizes, flags, nwait, wait, event);
	svmx_queue_close(&q);
	return err;
}

void svmx_install_svm_commands(struct _cl_icd_dispatch *d)
{
	d->clEnqueueSVMFree = enqueue_svm_free;
	d->clEnqueueSVMMemcpy = enqueue_svm_memcpy;
	d->clEnqueueSVMMemFill = enqueue_svm_mem_fill;
	d->clEnqueueSVMMap = enqueue_svm_map;
	d->clEnqueueSVMUnmap = enqueue_svm_unmap;
	d->clEnqueueSVMMigrateMem = enqueue_svm_migrate_mem;
}
