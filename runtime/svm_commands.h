/*
 * The SVM enqueue commands (OpenCL 3.0, 5.6.2) for contexts svmx serves:
 * clEnqueueSVMFree, MemCpy, MemFill, Map, Unmap and MigrateMem, each made
 * of native commands on the allocations' backing buffers (copies, reads,
 * writes, fills, markers), so wait lists, blocking, queue order and event
 * status are the driver's own.  The events returned report the SVM
 * command type (events.h).
 */
#ifndef SVMX_SVM_COMMANDS_H
#define SVMX_SVM_COMMANDS_H

#include "queue.h"

cl_int svmx_enqueue_svm_free(struct svmx_queue *q, cl_uint nptrs, void *ptrs[],
			     void(CL_CALLBACK *pfn)(cl_command_queue, cl_uint, void *[], void *),
			     void *user_data, cl_uint nwait, const cl_event *wait,
			     cl_event *event);

cl_int svmx_enqueue_svm_memcpy(struct svmx_queue *q, cl_bool blocking, void *dst,
			       const void *src, size_t size, cl_uint nwait,
			       const cl_event *wait, cl_event *event);

cl_int svmx_enqueue_svm_mem_fill(struct svmx_queue *q, void *ptr, const void *pattern,
				 size_t pattern_size, size_t size, cl_uint nwait,
				 const cl_event *wait, cl_event *event);

cl_int svmx_enqueue_svm_map(struct svmx_queue *q, cl_bool blocking, cl_map_flags flags,
			    void *ptr, size_t size, cl_uint nwait, const cl_event *wait,
			    cl_event *event);

cl_int svmx_enqueue_svm_unmap(struct svmx_queue *q, void *ptr, cl_uint nwait,
			      const cl_event *wait, cl_event *event);

cl_int svmx_enqueue_svm_migrate_mem(struct svmx_queue *q, cl_uint nptrs, const void **ptrs,
				    const size_t *sizes, cl_mem_migration_flags flags,
				    cl_uint nwait, const cl_event *wait, cl_event *event);

#endif
