#include "allocation.h"

#include "arming.h"
#include "context.h"
#include "dispatch.h"
#include "log.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* Interior pointers remembered per allocation before the oldest is dropped. */
#define SUBBUFFER_CACHE 64

/* Not cached: callers run on any thread, and glibc answers from the auxv. */
static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* mmap with the start aligned to alignment (a power of two >= page size). */
static void *map_aligned(size_t len, size_t alignment)
{
	size_t extra = alignment > page_size() ? alignment - page_size() : 0;
	char *p = mmap(NULL, len + extra, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (extra) {
		char *start = (char *)(((uintptr_t)p + alignment - 1) & ~(uintptr_t)(alignment - 1));

		if (start > p)
			munmap(p, (size_t)(start - p));
		if ((size_t)(start - p) < extra)
			munmap(start + len, extra - (size_t)(start - p));
		p = start;
	}
	return p;
}

struct svmx_alloc *svmx_alloc_create(cl_context context, cl_svm_mem_flags flags,
				     size_t size, size_t alignment)
{
	size_t map_size = (size + page_size() - 1) & ~(page_size() - 1);
	/*
	 * base + size is mapped too (one more page when size fills the last
	 * one), so a one-past-the-end kernel argument is svmx's memory and no
	 * other allocation can start there.
	 */
	size_t mapped = (size + page_size()) & ~(page_size() - 1);
	struct svmx_alloc *alloc;

	if (map_size < size || mapped < size)
		return NULL;	/* size wrapped around */
	alloc = calloc(1, sizeof(*alloc));
	if (!alloc)
		return NULL;
	alloc->base = map_aligned(mapped, alignment);
	if (!alloc->base) {
		svmx_error("clSVMAlloc: mmap of %zu bytes failed", mapped);
		free(alloc);
		return NULL;
	}
	alloc->size = size;
	alloc->map_size = map_size;
	alloc->mapped = mapped;
	alloc->flags = flags;
	alloc->context = context;
	atomic_init(&alloc->refs, 1);
	pthread_mutex_init(&alloc->lock, NULL);
	svmx_arming_track(alloc);
	return alloc;
}

void svmx_alloc_get(struct svmx_alloc *alloc)
{
	atomic_fetch_add_explicit(&alloc->refs, 1, memory_order_relaxed);
}

void svmx_alloc_put(struct svmx_alloc *alloc)
{
	if (atomic_fetch_sub_explicit(&alloc->refs, 1, memory_order_acq_rel) != 1)
		return;
	svmx_alloc_release_memory(alloc);
	svmx_arming_forget(alloc);
	pthread_mutex_destroy(&alloc->lock);
	if (alloc->owner)
		svmx_context_put(alloc->owner);
	free(alloc->subs);
	free(alloc);
}

static void release_mem(cl_mem mem)
{
	if (mem)
		svmx_next.clReleaseMemObject(mem);
}

/* Kernels that still hold these buffers keep their own references. */
static void release_buffers_locked(struct svmx_alloc *alloc)
{
	for (size_t i = 0; i < alloc->nsubs; i++)
		release_mem(alloc->subs[i].mem);
	alloc->nsubs = 0;
	release_mem(alloc->buffer);
	alloc->buffer = NULL;
}

/*
 * svmx's buffers hold the context: once the application has released it,
 * svmx keeps none between calls (the driver holds what it was given).
 * Called with the lock held, after the buffers were handed on.
 */
static void drop_buffers_if_released(struct svmx_alloc *alloc)
{
	if (alloc->owner && svmx_context_released(alloc->owner))
		release_buffers_locked(alloc);
}

void svmx_alloc_release_buffers(struct svmx_alloc *alloc)
{
	pthread_mutex_lock(&alloc->lock);
	release_buffers_locked(alloc);
	pthread_mutex_unlock(&alloc->lock);
}

void svmx_alloc_release_memory(struct svmx_alloc *alloc)
{
	pthread_mutex_lock(&alloc->lock);
	if (!alloc->freed) {
		alloc->freed = true;
		release_buffers_locked(alloc);
		svmx_arming_release(alloc);	/* before the pages go */
		munmap(alloc->base, alloc->mapped);
	}
	pthread_mutex_unlock(&alloc->lock);
}

static cl_int whole_buffer(struct svmx_alloc *alloc)
{
	cl_int err = CL_SUCCESS;

	if (alloc->buffer)
		return CL_SUCCESS;
	/* Zero-copy on host-coherent devices: the device address is base. */
	alloc->buffer = svmx_next.clCreateBuffer(alloc->context,
						 CL_MEM_READ_WRITE | CL_MEM_USE_HOST_PTR,
						 alloc->size, alloc->base, &err);
	if (err != CL_SUCCESS) {
		svmx_error("clCreateBuffer(USE_HOST_PTR %p, %zu bytes) for an SVM allocation failed: %d",
			   alloc->base, alloc->size, err);
		alloc->buffer = NULL;
	}
	return err;
}

static cl_int subbuffer_at(struct svmx_alloc *alloc, size_t offset, cl_mem *mem)
{
	cl_buffer_region region = { offset, alloc->size - offset };
	struct svmx_subbuffer *slot;
	cl_int err = CL_SUCCESS;
	cl_mem sub;

	for (size_t i = 0; i < alloc->nsubs; i++) {
		if (alloc->subs[i].offset == offset) {
			*mem = alloc->subs[i].mem;
			return CL_SUCCESS;
		}
	}
	if (offset == alloc->size) {
		/* One past the end: a byte of svmx's mapping, not of the buffer. */
		sub = svmx_next.clCreateBuffer(alloc->context,
					       CL_MEM_READ_WRITE | CL_MEM_USE_HOST_PTR, 1,
					       (char *)alloc->base + offset, &err);
	} else {
		sub = svmx_next.clCreateSubBuffer(alloc->buffer, 0,
						  CL_BUFFER_CREATE_TYPE_REGION, &region, &err);
	}
	if (err != CL_SUCCESS) {
		svmx_error("clCreateSubBuffer at offset %zu of SVM allocation %p failed: %d",
			   offset, alloc->base, err);
		return err;
	}
	if (alloc->nsubs < SUBBUFFER_CACHE) {
		if (alloc->nsubs == alloc->subs_cap) {
			size_t cap = alloc->subs_cap ? alloc->subs_cap * 2 : 4;
			struct svmx_subbuffer *subs = realloc(alloc->subs, cap * sizeof(*subs));

			if (!subs) {
				release_mem(sub);
				return CL_OUT_OF_HOST_MEMORY;
			}
			alloc->subs = subs;
			alloc->subs_cap = cap;
		}
		slot = &alloc->subs[alloc->nsubs++];
	} else {
		/* Dropping our reference is safe: kernel arguments hold their own. */
		slot = &alloc->subs[alloc->next_victim];
		alloc->next_victim = (alloc->next_victim + 1) % SUBBUFFER_CACHE;
		release_mem(slot->mem);
	}
	slot->offset = offset;
	slot->mem = sub;
	*mem = sub;
	return CL_SUCCESS;
}

cl_int svmx_alloc_set_kernel_arg(struct svmx_alloc *alloc, size_t offset,
				 cl_kernel kernel, cl_uint index, cl_mem *held)
{
	cl_mem mem = NULL;
	cl_int err;

	pthread_mutex_lock(&alloc->lock);
	if (alloc->freed)
		err = CL_INVALID_ARG_VALUE;
	else if ((err = whole_buffer(alloc)) == CL_SUCCESS) {
		if (offset == 0)
			mem = alloc->buffer;
		else
			err = subbuffer_at(alloc, offset, &mem);
		if (err == CL_SUCCESS)
			err = svmx_next.clSetKernelArg(kernel, index, sizeof(mem), &mem);
		/* A new reference only for another buffer than the one held. */
		if (err == CL_SUCCESS && mem != *held)
			*held = svmx_next.clRetainMemObject(mem) == CL_SUCCESS ? mem : NULL;
		drop_buffers_if_released(alloc);
	}
	pthread_mutex_unlock(&alloc->lock);
	return err;
}

cl_int svmx_alloc_buffer(struct svmx_alloc *alloc, cl_mem *mem)
{
	cl_int err;

	pthread_mutex_lock(&alloc->lock);
	err = alloc->freed ? CL_INVALID_VALUE : whole_buffer(alloc);
	if (err == CL_SUCCESS) {
		*mem = alloc->buffer;
		svmx_next.clRetainMemObject(*mem);
		drop_buffers_if_released(alloc);
	}
	pthread_mutex_unlock(&alloc->lock);
	return err;
}
