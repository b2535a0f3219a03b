#include "svm_commands.h"

#include "arming.h"
#include "deferred_free.h"
#include "dispatch.h"
#include "events.h"
#include "log.h"
#include "queue_finish.h"
#include "registry.h"
#include "workarounds.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The checks every enqueue makes of its wait list (OpenCL 3.0, 5.11). */
static cl_int check_wait_list(struct svmx_queue *q, cl_uint n, const cl_event *list)
{
	if ((n == 0) != (list == NULL))
		return CL_INVALID_EVENT_WAIT_LIST;
	for (cl_uint i = 0; i < n; i++) {
		cl_context context = NULL;

		if (!list[i] ||
		    svmx_next.clGetEventInfo(list[i], CL_EVENT_CONTEXT, sizeof(context), &context,
					     NULL) != CL_SUCCESS)
			return CL_INVALID_EVENT_WAIT_LIST;
		if (context != q->context)
			return CL_INVALID_CONTEXT;
	}
	return CL_SUCCESS;
}

static void release_event(cl_event ev)
{
	if (ev)
		svmx_next.clReleaseEvent(ev);
}

static void release_mem(cl_mem mem)
{
	if (mem)
		svmx_next.clReleaseMemObject(mem);
}

/*
 * rusticl 26.2 refuses a non-blocking command whose wait list holds a
 * failed event, with CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST, which the
 * specification names for blocking calls only (SVMX_WA_FAILED_WAIT_LIST).
 * The command is then enqueued as failed: a user event with that status
 * stands for it, and a blocking caller gets the status from its wait.
 */
static cl_int failed_by_wait_list(struct svmx_queue *q, cl_int err, cl_event *ev)
{
	if (err != CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST || !q->ctx ||
	    !svmx_wa(q->ctx->workarounds, SVMX_WA_FAILED_WAIT_LIST))
		return err;
	*ev = svmx_next.clCreateUserEvent(q->context, &err);
	if (*ev)
		err = svmx_next.clSetUserEventStatus(*ev, CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST);
	if (err != CL_SUCCESS) {
		release_event(*ev);
		*ev = NULL;
	}
	return err;
}

/*
 * A marker that waits for exactly the wait list.  A marker with an empty
 * list waits for every earlier command; in an out-of-order queue an SVM
 * command with no wait list must not, so it waits for a completed user
 * event instead.
 */
static cl_int marker(struct svmx_queue *q, cl_uint n, const cl_event *list, cl_event *ev)
{
	cl_event done = NULL;
	cl_int err = CL_SUCCESS;

	if (!n && (q->props & CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE)) {
		done = svmx_next.clCreateUserEvent(q->context, &err);
		if (!done)
			return err;
		svmx_next.clSetUserEventStatus(done, CL_COMPLETE);
		n = 1;
		list = &done;
	}
	err = failed_by_wait_list(q, svmx_next.clEnqueueMarkerWithWaitList(q->handle, n, list, ev),
				  ev);
	release_event(done);
	return err;
}

/*
 * Hand ev, the event of the native command that implements an SVM command,
 * to the application as that command's event (or drop it), after waiting
 * for it if the command is blocking.  proxy: see svmx_event_track.
 */
static cl_int hand_out(struct svmx_queue *q, cl_command_type type, cl_ulong queued, cl_event ev,
		       bool wait, cl_event *event, cl_event proxy)
{
	if (wait) {
		cl_int err;

		svmx_flush_begin();
		err = svmx_next.clWaitForEvents(1, &ev);
		svmx_flush_end();
		if (err != CL_SUCCESS) {
			release_event(ev);
			return CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST;
		}
	}
	if (event) {
		*event = ev;
		svmx_event_track(ev, type, q->props & CL_QUEUE_PROFILING_ENABLE, queued, q->handle,
				 proxy);
	} else {
		release_event(ev);
	}
	return CL_SUCCESS;
}

/* A command that has nothing to do but keep its place in the queue. */
static cl_int empty_command(struct svmx_queue *q, cl_command_type type, cl_ulong queued,
			    bool blocking, cl_uint n, const cl_event *list, cl_event *event)
{
	cl_event ev = NULL;
	cl_int err = marker(q, n, list, &ev);

	if (err != CL_SUCCESS)
		return err;
	return hand_out(q, type, queued, ev, blocking, event, NULL);
}

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif

/*
 * [p, p + size) is host memory a command may read (or write).  Host memory
 * outside svmx's allocations is the application's, and naming memory it
 * does not have is its bug; but a freed allocation's address is a common
 * one, and svmx answers it with CL_INVALID_VALUE rather than let the
 * driver's thread fault on it.  MADV_POPULATE_* (Linux 5.14) fails for a
 * range that is not mapped (ENOMEM) or lacks the access (EINVAL; EFAULT
 * where a fault would fail), and touches no byte.  On a kernel without
 * them, and for commands that touch no byte (map, unmap, migrate),
 * mincore() finds unmapped pages.
 */
enum host_access { HOST_MAPPED, HOST_READ, HOST_WRITE };

static pthread_once_t populate_once = PTHREAD_ONCE_INIT;
static bool populate_works;
static long page;

/* EINVAL means "no such access" only where the kernel knows the advice. */
static void probe_populate(void)
{
	volatile char on_the_stack = 0;
	uintptr_t here = (uintptr_t)&on_the_stack;

	page = sysconf(_SC_PAGESIZE);
	populate_works = madvise((void *)(here & ~(uintptr_t)(page - 1)), (size_t)page,
				 MADV_POPULATE_READ) == 0;
}

static bool host_range_usable(const void *p, size_t size, enum host_access access)
{
	uintptr_t start, end;
	unsigned char vec[256];

	pthread_once(&populate_once, probe_populate);
	start = (uintptr_t)p & ~(uintptr_t)(page - 1);
	end = (uintptr_t)p + (size ? size : 1);
	if (access != HOST_MAPPED && populate_works)
		return madvise((void *)start, end - start, access == HOST_WRITE ?
			       MADV_POPULATE_WRITE : MADV_POPULATE_READ) == 0;
	while (start < end) {
		size_t len = end - start < sizeof(vec) * (size_t)page ?
			     end - start : sizeof(vec) * (size_t)page;

		if (mincore((void *)start, len, vec) != 0)
			return false;
		start += len;
	}
	return true;
}

/*
 * The allocation of the queue's context holding [p, p + size), with a
 * reference, in *alloc; NULL if p is in none.  CL_INVALID_VALUE if the range
 * starts in one (or at its end) and runs past its end.
 */
static cl_int find_range(struct svmx_queue *q, const void *p, size_t size,
			 struct svmx_alloc **alloc, size_t *offset)
{
	struct svmx_alloc *a = svmx_registry_find_end(p, q->context);

	*alloc = NULL;
	if (!a)
		return CL_SUCCESS;
	*offset = (size_t)((const char *)p - (const char *)a->base);
	if (size > a->size - *offset) {
		svmx_warn("%p + %zu bytes runs past the end of SVM allocation %p (%zu bytes)",
			  p, size, a->base, a->size);
		svmx_alloc_put(a);
		return CL_INVALID_VALUE;
	}
	*alloc = a;
	return CL_SUCCESS;
}

/*
 * Like find_range, but p must be in an allocation of the queue's context,
 * unless the context has fine-grain system SVM: then any host memory is
 * SVM memory, and *alloc is NULL for it.
 */
static cl_int find_svm_range(struct svmx_queue *q, const char *what, const void *p,
			     size_t size, enum host_access access, struct svmx_alloc **alloc,
			     size_t *offset)
{
	cl_int err = find_range(q, p, size, alloc, offset);

	if (err == CL_SUCCESS && !*alloc && q->ctx && q->ctx->host_pointers &&
	    !host_range_usable(p, size, access)) {
		svmx_warn("%s: %p + %zu bytes is not mapped memory", what, p, size);
		err = CL_INVALID_VALUE;
	} else if (err == CL_SUCCESS && !*alloc && !(q->ctx && q->ctx->host_pointers)) {
		svmx_warn("%s: %p is not in an SVM allocation of context %p", what, p,
			  (void *)q->context);
		err = CL_INVALID_VALUE;
	}
	return err;
}

static cl_int alloc_buffer(struct svmx_alloc *alloc, cl_mem *mem)
{
	*mem = NULL;
	if (!alloc)
		return CL_SUCCESS;
	/* Fails only if the allocation was freed meanwhile. */
	return svmx_alloc_buffer(alloc, mem) == CL_SUCCESS ? CL_SUCCESS : CL_INVALID_VALUE;
}

static void put_alloc(struct svmx_alloc *alloc)
{
	if (alloc)
		svmx_alloc_put(alloc);
}

cl_int svmx_enqueue_svm_memcpy(struct svmx_queue *q, cl_bool blocking, void *dst,
			       const void *src, size_t size, cl_uint nwait,
			       const cl_event *wait, cl_event *event)
{
	uintptr_t d = (uintptr_t)dst, s = (uintptr_t)src;
	struct svmx_alloc *da = NULL, *sa = NULL;
	cl_mem dbuf = NULL, sbuf = NULL, tmp = NULL;
	size_t doff = 0, soff = 0;
	cl_ulong queued = svmx_event_now();
	cl_event ev = NULL;
	bool wait_after = false;
	cl_int err;

	if ((err = check_wait_list(q, nwait, wait)) != CL_SUCCESS)
		return err;
	if (!dst || !src)
		return CL_INVALID_VALUE;
	if (size && (s <= d ? d - s < size : s - d < size))
		return CL_MEM_COPY_OVERLAP;
	if (d + size < d || s + size < s)
		return CL_INVALID_VALUE;	/* past the end of the address space */
	if (!size)
		return empty_command(q, CL_COMMAND_SVM_MEMCPY, queued, blocking, nwait, wait,
				     event);
	if ((err = find_range(q, dst, size, &da, &doff)) != CL_SUCCESS ||
	    (err = find_range(q, src, size, &sa, &soff)) != CL_SUCCESS)
		goto out;
	if ((!da && !host_range_usable(dst, size, HOST_WRITE)) ||
	    (!sa && !host_range_usable(src, size, HOST_READ))) {
		svmx_warn("clEnqueueSVMMemcpy: %p or %p + %zu bytes is not mapped memory", dst, src,
			  size);
		err = CL_INVALID_VALUE;
		goto out;
	}
	if ((err = alloc_buffer(da, &dbuf)) != CL_SUCCESS ||
	    (err = alloc_buffer(sa, &sbuf)) != CL_SUCCESS)
		goto out;
	/*
	 * Never blocking in the driver: a blocking command waits for its event,
	 * so a failed wait list is CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST
	 * whatever status the driver passes on (rusticl 25 returns the failed
	 * event's own).
	 */
	wait_after = blocking;
	if (dbuf && sbuf) {
		err = svmx_next.clEnqueueCopyBuffer(q->handle, sbuf, dbuf, soff, doff, size, nwait,
						    wait, &ev);
	} else if (dbuf) {
		err = svmx_next.clEnqueueWriteBuffer(q->handle, dbuf, CL_FALSE, doff, size, src,
						     nwait, wait, &ev);
	} else if (sbuf) {
		err = svmx_next.clEnqueueReadBuffer(q->handle, sbuf, CL_FALSE, soff, size, dst,
						    nwait, wait, &ev);
	} else {
		/* Plain host memory on both sides: read through a zero-copy view of src. */
		tmp = svmx_next.clCreateBuffer(q->context, CL_MEM_READ_ONLY | CL_MEM_USE_HOST_PTR,
					       size, (void *)src, &err);
		if (tmp)
			err = svmx_next.clEnqueueReadBuffer(q->handle, tmp, CL_FALSE, 0, size, dst,
							    nwait, wait, &ev);
		else if (err == CL_INVALID_BUFFER_SIZE)
			err = CL_INVALID_VALUE;
	}
	err = failed_by_wait_list(q, err, &ev);
	if (err == CL_SUCCESS) {
		err = hand_out(q, CL_COMMAND_SVM_MEMCPY, queued, ev, wait_after, event, NULL);
		ev = NULL;
	}
out:
	release_event(ev);
	release_mem(tmp);
	release_mem(dbuf);
	release_mem(sbuf);
	put_alloc(da);
	put_alloc(sa);
	return err;
}

cl_int svmx_enqueue_svm_mem_fill(struct svmx_queue *q, void *ptr, const void *pattern,
				 size_t pattern_size, size_t size, cl_uint nwait,
				 const cl_event *wait, cl_event *event)
{
	cl_ulong queued = svmx_event_now();
	struct svmx_alloc *alloc = NULL;
	cl_mem buf = NULL;
	size_t offset = 0;
	cl_event ev = NULL;
	cl_int err;

	if ((err = check_wait_list(q, nwait, wait)) != CL_SUCCESS)
		return err;
	if (!ptr || !pattern || !pattern_size || pattern_size > 128 ||
	    (pattern_size & (pattern_size - 1)) || (uintptr_t)ptr % pattern_size ||
	    size % pattern_size)
		return CL_INVALID_VALUE;
	if ((err = find_svm_range(q, "clEnqueueSVMMemFill", ptr, size, HOST_WRITE, &alloc,
				  &offset)) !=
	    CL_SUCCESS)
		return err;
	if (!size) {
		err = empty_command(q, CL_COMMAND_SVM_MEMFILL, queued, false, nwait, wait, event);
		goto out;
	}
	if ((err = alloc_buffer(alloc, &buf)) != CL_SUCCESS)
		goto out;
	/* Host memory (fine-grain system SVM): a zero-copy view of the range. */
	if (!buf) {
		offset = 0;
		buf = svmx_next.clCreateBuffer(q->context, CL_MEM_READ_WRITE | CL_MEM_USE_HOST_PTR,
					       size, ptr, &err);
		if (!buf) {
			err = err == CL_INVALID_BUFFER_SIZE ? CL_INVALID_VALUE : err;
			goto out;
		}
	}
	err = svmx_next.clEnqueueFillBuffer(q->handle, buf, pattern, pattern_size, offset, size,
					    nwait, wait, &ev);
	err = failed_by_wait_list(q, err, &ev);
	if (err == CL_SUCCESS)
		err = hand_out(q, CL_COMMAND_SVM_MEMFILL, queued, ev, false, event, NULL);
	release_mem(buf);
out:
	put_alloc(alloc);
	return err;
}

/*
 * Map and unmap: the device shares the host's memory coherently, so they
 * only keep their place in the queue, once [ptr, ptr + size) is known SVM.
 */
static cl_int ordering_command(struct svmx_queue *q, const char *what, cl_command_type type,
			       cl_ulong queued, bool blocking, void *ptr, size_t size,
			       cl_uint nwait, const cl_event *wait, cl_event *event)
{
	struct svmx_alloc *alloc = NULL;
	size_t offset;
	cl_int err = find_svm_range(q, what, ptr, size, HOST_MAPPED, &alloc, &offset);

	if (err != CL_SUCCESS)
		return err;
	err = empty_command(q, type, queued, blocking, nwait, wait, event);
	put_alloc(alloc);
	return err;
}

cl_int svmx_enqueue_svm_map(struct svmx_queue *q, cl_bool blocking, cl_map_flags flags,
			    void *ptr, size_t size, cl_uint nwait, const cl_event *wait,
			    cl_event *event)
{
	cl_ulong queued = svmx_event_now();
	cl_int err;

	if ((err = check_wait_list(q, nwait, wait)) != CL_SUCCESS)
		return err;
	if (!ptr || !size ||
	    (flags & ~(cl_map_flags)(CL_MAP_READ | CL_MAP_WRITE | CL_MAP_WRITE_INVALIDATE_REGION)) ||
	    ((flags & CL_MAP_WRITE_INVALIDATE_REGION) && (flags & (CL_MAP_READ | CL_MAP_WRITE))))
		return CL_INVALID_VALUE;
	return ordering_command(q, "clEnqueueSVMMap", CL_COMMAND_SVM_MAP, queued, blocking, ptr,
				size, nwait, wait, event);
}

cl_int svmx_enqueue_svm_unmap(struct svmx_queue *q, void *ptr, cl_uint nwait,
			      const cl_event *wait, cl_event *event)
{
	cl_ulong queued = svmx_event_now();
	cl_int err;

	if ((err = check_wait_list(q, nwait, wait)) != CL_SUCCESS)
		return err;
	if (!ptr)
		return CL_INVALID_VALUE;
	return ordering_command(q, "clEnqueueSVMUnmap", CL_COMMAND_SVM_UNMAP, queued, false, ptr,
				1, nwait, wait, event);
}

/* One range of a clEnqueueSVMMigrateMem, resolved to its allocation. */
struct migrate_range {
	struct svmx_alloc *alloc;
	size_t offset;
	size_t size;		/* never 0: a 0 size was resolved to the whole allocation */
	cl_mem_migration_flags flags;
};

/*
 * Moves migrated ranges by arming (arming.h): SVM_ATOMICS ranges migrated to
 * a device that wants arming are armed, to the host disarmed.  Called after
 * the marker that orders the migration in the queue was enqueued, before
 * the call returns: the arming happens at enqueue, not when the marker
 * runs.  Host-coherent devices have nothing to move.
 */
static void migrate_by_arming(cl_command_queue queue, const struct migrate_range *ranges,
			      size_t nranges)
{
	if (!svmx_arming_wanted_on_queue(queue))
		return;	/* host-coherent devices: nothing to move or arm */
	/* Atomic ranges move by arming: to the device armed, to the host given back. */
	for (size_t i = 0; i < nranges; i++) {
		const struct migrate_range *r = &ranges[i];

		if (!r->alloc)
			continue;	/* host memory, not svmx's: nothing to arm */
		if (r->flags & CL_MIGRATE_MEM_OBJECT_HOST)
			svmx_arming_disarm(r->alloc, r->offset, r->size);
		else
			svmx_arming_arm(r->alloc, r->offset, r->size);
	}
}

#define MIGRATE_FLAGS (CL_MIGRATE_MEM_OBJECT_HOST | CL_MIGRATE_MEM_OBJECT_CONTENT_UNDEFINED)

cl_int svmx_enqueue_svm_migrate_mem(struct svmx_queue *q, cl_uint nptrs, const void **ptrs,
				    const size_t *sizes, cl_mem_migration_flags flags,
				    cl_uint nwait, const cl_event *wait, cl_event *event)
{
	cl_ulong queued = svmx_event_now();
	struct migrate_range *ranges;
	cl_uint found = 0;
	cl_event ev = NULL;
	cl_int err;

	if ((err = check_wait_list(q, nwait, wait)) != CL_SUCCESS)
		return err;
	if (!nptrs || !ptrs || (flags & ~(cl_mem_migration_flags)MIGRATE_FLAGS))
		return CL_INVALID_VALUE;
	ranges = calloc(nptrs, sizeof(*ranges));
	if (!ranges)
		return CL_OUT_OF_HOST_MEMORY;
	for (; found < nptrs; found++) {
		struct migrate_range *r = &ranges[found];
		size_t size = sizes ? sizes[found] : 0;

		err = find_svm_range(q, "clEnqueueSVMMigrateMem", ptrs[found], size ? size : 1,
				     HOST_MAPPED, &r->alloc, &r->offset);
		if (err != CL_SUCCESS)
			goto out;
		if (!size && r->alloc) {	/* the whole allocation */
			r->offset = 0;
			size = r->alloc->size;
		}
		r->size = size;
		r->flags = flags;
	}
	err = marker(q, nwait, wait, &ev);
	if (err == CL_SUCCESS) {
		migrate_by_arming(q->handle, ranges, nptrs);
		err = hand_out(q, CL_COMMAND_SVM_MIGRATE_MEM, queued, ev, false, event, NULL);
	}
out:
	for (cl_uint i = 0; i < found; i++)
		put_alloc(ranges[i].alloc);
	free(ranges);
	return err;
}

/* Two markers around a deferred free: deferred_free.h says why. */
cl_int svmx_enqueue_svm_free(struct svmx_queue *q, cl_uint nptrs, void *ptrs[],
			     void(CL_CALLBACK *pfn)(cl_command_queue, cl_uint, void *[], void *),
			     void *user_data, cl_uint nwait, const cl_event *wait,
			     cl_event *event)
{
	cl_ulong queued = svmx_event_now();
	struct svmx_deferred_free *f;
	cl_event first = NULL, waits[2], ev = NULL;
	cl_int err;

	if ((err = check_wait_list(q, nwait, wait)) != CL_SUCCESS)
		return err;
	if ((nptrs == 0) != (ptrs == NULL))
		return CL_INVALID_VALUE;
	for (cl_uint i = 0; !pfn && i < nptrs; i++) {
		struct svmx_alloc *alloc = ptrs[i] ? svmx_registry_find(ptrs[i], q->context) : NULL;
		bool base = alloc && alloc->base == ptrs[i];

		put_alloc(alloc);
		if (ptrs[i] && !base) {
			svmx_warn("clEnqueueSVMFree: svm_pointers[%u] = %p is not an SVM allocation of context %p",
				  i, ptrs[i], (void *)q->context);
			return CL_INVALID_VALUE;
		}
	}
	f = svmx_deferred_free_new(q, nptrs, ptrs, pfn, user_data, &err);
	if (!f)
		return err;
	if ((err = marker(q, nwait, wait, &first)) != CL_SUCCESS) {
		svmx_deferred_free_drop(f);
		return err;
	}
	err = svmx_deferred_free_start(f, first, &waits[1]);
	if (err != CL_SUCCESS) {
		release_event(first);
		return err;
	}
	waits[0] = first;
	/*
	 * rusticl runs callbacks once a whole flushed batch has run: first must
	 * end its batch, or the batch holding the second marker would wait for
	 * the gate forever.
	 */
	svmx_flush_begin();
	svmx_next.clFlush(q->handle);
	svmx_flush_end();
	err = svmx_next.clEnqueueMarkerWithWaitList(q->handle, 2, waits, &ev);
	release_event(waits[0]);
	if (err != CL_SUCCESS) {
		release_event(waits[1]);
		svmx_error("clEnqueueSVMFree: the closing marker failed (%d); the free still runs", err);
		return err;
	}
	/*
	 * The gate completes right after the free, and later commands of an
	 * in-order queue run after the closing marker, which waits for it: the
	 * free's event is complete once the gate is.
	 */
	err = hand_out(q, CL_COMMAND_SVM_FREE, queued, ev, false, event, waits[1]);
	release_event(waits[1]);
	return err;
}
