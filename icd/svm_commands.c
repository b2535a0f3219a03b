/*
 * The SVM enqueue commands: svmx's own where it serves the queue's context,
 * the next layer's (or CL_INVALID_OPERATION if it has none) elsewhere.
 */
#include "layer.h"
#include "svm_commands.h"

/* Resolve queue; run OURS for svmx's contexts, forward FN with ARGS otherwise. */
#define SVM_COMMAND(queue, fn, ours, ...)                                              \
	do {                                                                           \
		struct svmx_queue q_;                                                  \
		cl_int err_ = svmx_queue_open((queue), &q_);                           \
		if (err_ != CL_SUCCESS)                                                \
			return err_;                                                   \
		if (!q_.ctx)                                                           \
			return SVMX_FORWARD(fn, CL_INVALID_OPERATION, (queue), __VA_ARGS__); \
		err_ = ours;                                                           \
		svmx_queue_close(&q_);                                                 \
		return err_;                                                           \
	} while (0)

static cl_int CL_API_CALL enqueue_svm_free(cl_command_queue queue, cl_uint nptrs, void *ptrs[],
					   void(CL_CALLBACK *pfn)(cl_command_queue, cl_uint,
								  void *[], void *),
					   void *user_data, cl_uint nwait, const cl_event *wait,
					   cl_event *event)
{
	SVM_COMMAND(queue, clEnqueueSVMFree,
		    svmx_enqueue_svm_free(&q_, nptrs, ptrs, pfn, user_data, nwait, wait, event),
		    nptrs, ptrs, pfn, user_data, nwait, wait, event);
}

static cl_int CL_API_CALL enqueue_svm_memcpy(cl_command_queue queue, cl_bool blocking, void *dst,
					     const void *src, size_t size, cl_uint nwait,
					     const cl_event *wait, cl_event *event)
{
	SVM_COMMAND(queue, clEnqueueSVMMemcpy,
		    svmx_enqueue_svm_memcpy(&q_, blocking, dst, src, size, nwait, wait, event),
		    blocking, dst, src, size, nwait, wait, event);
}

static cl_int CL_API_CALL enqueue_svm_mem_fill(cl_command_queue queue, void *ptr,
					       const void *pattern, size_t pattern_size,
					       size_t size, cl_uint nwait, const cl_event *wait,
					       cl_event *event)
{
	SVM_COMMAND(queue, clEnqueueSVMMemFill,
		    svmx_enqueue_svm_mem_fill(&q_, ptr, pattern, pattern_size, size, nwait, wait,
					      event),
		    ptr, pattern, pattern_size, size, nwait, wait, event);
}

static cl_int CL_API_CALL enqueue_svm_map(cl_command_queue queue, cl_bool blocking,
					  cl_map_flags flags, void *ptr, size_t size,
					  cl_uint nwait, const cl_event *wait, cl_event *event)
{
	SVM_COMMAND(queue, clEnqueueSVMMap,
		    svmx_enqueue_svm_map(&q_, blocking, flags, ptr, size, nwait, wait, event),
		    blocking, flags, ptr, size, nwait, wait, event);
}

static cl_int CL_API_CALL enqueue_svm_unmap(cl_command_queue queue, void *ptr, cl_uint nwait,
					    const cl_event *wait, cl_event *event)
{
	SVM_COMMAND(queue, clEnqueueSVMUnmap,
		    svmx_enqueue_svm_unmap(&q_, ptr, nwait, wait, event),
		    ptr, nwait, wait, event);
}

static cl_int CL_API_CALL enqueue_svm_migrate_mem(cl_command_queue queue, cl_uint nptrs,
						  const void **ptrs, const size_t *sizes,
						  cl_mem_migration_flags flags, cl_uint nwait,
						  const cl_event *wait, cl_event *event)
{
	SVM_COMMAND(queue, clEnqueueSVMMigrateMem,
		    svmx_enqueue_svm_migrate_mem(&q_, nptrs, ptrs, sizes, flags, nwait, wait,
						 event),
		    nptrs, ptrs, sizes, flags, nwait, wait, event);
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
