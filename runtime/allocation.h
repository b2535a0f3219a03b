/*
 * One clSVMAlloc allocation made by svmx: page-aligned anonymous memory (the
 * only kind the kernel can make device-exclusive), owned by one context, and
 * the cl_mem objects through which the driver reaches it.
 */
#ifndef SVMX_ALLOCATION_H
#define SVMX_ALLOCATION_H

#include "cl.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct svmx_context;
struct svmx_arm_record;

struct svmx_subbuffer {
	size_t offset;
	cl_mem mem;
};

struct svmx_alloc {
	void *base;
	size_t size;			/* as asked for */
	size_t map_size;		/* size rounded up to pages: what is armed */
	size_t mapped;			/* mapped: enough pages to hold base + size too */
	cl_svm_mem_flags flags;
	cl_context context;
	struct svmx_context *owner;	/* context's record (a reference), or NULL */
	atomic_uint refs;		/* registry + users of this struct */
	struct svmx_arm_record *arm;	/* SVM_ATOMICS only: arming counts (arming.c) */

	pthread_mutex_t lock;		/* guards everything below */
	bool freed;			/* clSVMFree ran: memory is gone */
	cl_mem buffer;			/* the whole allocation, made on first use */
	struct svmx_subbuffer *subs;	/* interior pointers handed to kernels */
	size_t nsubs, subs_cap;
	size_t next_victim;		/* round robin when the cache is full */
};

/* Largest alignment clSVMAlloc accepts (bigger ones return NULL). */
#define SVMX_MAX_ALIGNMENT ((size_t)2 << 20)

/* Maps memory and returns an allocation holding one reference, or NULL. */
struct svmx_alloc *svmx_alloc_create(cl_context context, cl_svm_mem_flags flags,
				     size_t size, size_t alignment);

void svmx_alloc_get(struct svmx_alloc *alloc);
void svmx_alloc_put(struct svmx_alloc *alloc);

/*
 * The memory goes back to the system and the driver objects are released;
 * the struct lives on until its last reference is put.
 */
void svmx_alloc_release_memory(struct svmx_alloc *alloc);

/*
 * Release svmx's references to the driver objects (they hold the context)
 * but keep the memory: commands and kernels still using it hold their own.
 */
void svmx_alloc_release_buffers(struct svmx_alloc *alloc);

/*
 * Set argument index of kernel to a buffer whose device address is exactly
 * base + offset (offset up to size: one past the end is svmx's memory too).  The buffer is looked up and handed to the driver under the
 * allocation's lock, so neither a concurrent free nor cache eviction can
 * release it first.  *held, the buffer the caller holds for that argument
 * (or NULL), becomes the buffer set, with a reference taken unless it was
 * held already: drivers need not retain a kernel argument (rusticl 25 does
 * not, and a released buffer fails the launch with CL_INVALID_KERNEL_ARGS).
 */
cl_int svmx_alloc_set_kernel_arg(struct svmx_alloc *alloc, size_t offset,
				 cl_kernel kernel, cl_uint index, cl_mem *held);

/* The whole-allocation buffer (made on first use), for copies and fills. */
cl_int svmx_alloc_buffer(struct svmx_alloc *alloc, cl_mem *mem);

static inline bool svmx_alloc_contains(const struct svmx_alloc *alloc,
				       const void *p)
{
	return (const char *)p >= (const char *)alloc->base &&
	       (const char *)p < (const char *)alloc->base + alloc->size;
}

/* p is base + size, C's one past the end of the allocation. */
static inline bool svmx_alloc_ends_at(const struct svmx_alloc *alloc, const void *p)
{
	return (const char *)p == (const char *)alloc->base + alloc->size;
}

#endif
