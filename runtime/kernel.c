#include "kernel.h"

#include "arming.h"

#include "context.h"
#include "device.h"
#include "dispatch.h"
#include "handle_map.h"
#include "log.h"
#include "registry.h"

#include <stdlib.h>

static struct svmx_handle_map kernels = SVMX_HANDLE_MAP_INIT;

static void clear_exec(struct svmx_kernel *k)
{
	for (size_t i = 0; i < k->nexec; i++)
		if (k->exec_allocs[i])
			svmx_alloc_put(k->exec_allocs[i]);
	free(k->exec_allocs);
	k->exec_allocs = NULL;
	k->nexec = 0;
}

static void free_kernel(struct svmx_tracked *t)
{
	struct svmx_kernel *k = svmx_tracked_entry(t, struct svmx_kernel, tracked);

	for (cl_uint i = 0; i < k->nargs; i++) {
		if (k->args[i].alloc)
			svmx_alloc_put(k->args[i].alloc);
		if (k->args[i].mem)
			svmx_next.clReleaseMemObject(k->args[i].mem);
	}
	clear_exec(k);
	free(k->args);
	pthread_mutex_destroy(&k->lock);
	free(k);
}

void svmx_kernel_put(struct svmx_kernel *k)
{
	svmx_tracked_put(&k->tracked);
}

struct svmx_kernel *svmx_kernel_find(cl_kernel kernel)
{
	struct svmx_tracked *t = svmx_tracked_find(&kernels, kernel);

	return t ? svmx_tracked_entry(t, struct svmx_kernel, tracked) : NULL;
}

static struct svmx_kernel *track(cl_kernel kernel, cl_context context)
{
	struct svmx_kernel *k = calloc(1, sizeof(*k));
	cl_uint nargs = 0;

	if (!k)
		return NULL;
	if (svmx_next.clGetKernelInfo(kernel, CL_KERNEL_NUM_ARGS, sizeof(nargs), &nargs,
				      NULL) != CL_SUCCESS)
		goto fail;
	k->args = calloc(nargs ? nargs : 1, sizeof(*k->args));
	if (!k->args)
		goto fail;
	for (cl_uint i = 0; i < nargs; i++)
		k->args[i].is_pointer = -1;
	k->handle = kernel;
	k->context = context;
	k->nargs = nargs;
	k->system_svm = svmx_context_system_svm(context);
	k->host_buffers = svmx_context_devices_have(context, SVMX_WA_SYSTEM_SVM);
	svmx_tracked_init(&k->tracked, free_kernel);
	pthread_mutex_init(&k->lock, NULL);
	if (!svmx_handle_map_insert(&kernels, kernel, &k->tracked)) {
		pthread_mutex_destroy(&k->lock);
		goto fail;
	}
	return k;
fail:
	svmx_error("cannot track kernel %p: SVM arguments on it will fail", (void *)kernel);
	free(k->args);
	free(k);
	return NULL;
}

void svmx_kernel_created(cl_kernel kernel)
{
	cl_context context = NULL;
	struct svmx_context *ctx;

	if (svmx_next.clGetKernelInfo(kernel, CL_KERNEL_CONTEXT, sizeof(context), &context,
				      NULL) != CL_SUCCESS)
		return;
	ctx = svmx_context_find(context);
	if (ctx) {
		track(kernel, context);
		svmx_context_put(ctx);
	}
}

void svmx_kernel_cloned(cl_kernel source, cl_kernel clone)
{
	struct svmx_kernel *src = svmx_kernel_find(source);
	struct svmx_kernel *k;

	if (!src)
		return;
	k = track(clone, src->context);
	if (k) {
		/* The driver copied the buffers; svmx copies what they stand for. */
		pthread_mutex_lock(&src->lock);
		for (cl_uint i = 0; i < k->nargs && i < src->nargs; i++) {
			k->args[i] = src->args[i];
			if (k->args[i].alloc)
				svmx_alloc_get(k->args[i].alloc);
			if (k->args[i].mem)
				svmx_next.clRetainMemObject(k->args[i].mem);
		}
		if (src->nexec) {
			k->exec_allocs = malloc(src->nexec * sizeof(*k->exec_allocs));
			if (k->exec_allocs) {
				k->nexec = src->nexec;
				for (size_t i = 0; i < src->nexec; i++) {
					k->exec_allocs[i] = src->exec_allocs[i];
					if (k->exec_allocs[i])
						svmx_alloc_get(k->exec_allocs[i]);
				}
			}
		}
		pthread_mutex_unlock(&src->lock);
	}
	svmx_kernel_put(src);
}

void svmx_kernel_retained(cl_kernel kernel)
{
	svmx_tracked_retained(&kernels, kernel);
}

void svmx_kernel_releasing(cl_kernel kernel)
{
	struct svmx_tracked *t = svmx_tracked_releasing(&kernels, kernel);

	if (t) {
		svmx_tracked_remove(&kernels, kernel, t);
		svmx_tracked_put(t);
	}
}

/* Whether argument index is a global or constant pointer, if the driver says. */
static signed char arg_is_pointer(struct svmx_kernel *k, cl_uint index)
{
	cl_kernel_arg_address_qualifier q;

	if (k->args[index].is_pointer < 0) {
		if (svmx_next.clGetKernelArgInfo(k->handle, index, CL_KERNEL_ARG_ADDRESS_QUALIFIER,
						 sizeof(q), &q, NULL) == CL_SUCCESS)
			k->args[index].is_pointer = q == CL_KERNEL_ARG_ADDRESS_GLOBAL ||
						    q == CL_KERNEL_ARG_ADDRESS_CONSTANT;
		else
			k->args[index].is_pointer = 1;	/* unknown: let the driver judge */
	}
	return k->args[index].is_pointer;
}

static void remember(struct svmx_kernel *k, cl_uint index, struct svmx_alloc *alloc, cl_mem mem)
{
	struct svmx_alloc *old = k->args[index].alloc;
	cl_mem old_mem = k->args[index].mem;

	k->args[index].alloc = alloc;
	k->args[index].mem = mem;
	if (old)
		svmx_alloc_put(old);
	if (old_mem && old_mem != mem)
		svmx_next.clReleaseMemObject(old_mem);
}

/*
 * SVMX_WA_SYSTEM_SVM: a buffer of one byte at value, which the driver
 * passes as that very address (zero-copy); the kernel reaches the rest of
 * the host's memory from there.  Called with k->lock held.
 */
static cl_int set_host_pointer_arg(struct svmx_kernel *k, cl_uint index, const void *value)
{
	cl_int err = CL_SUCCESS;
	cl_mem mem = svmx_next.clCreateBuffer(k->context, CL_MEM_READ_WRITE | CL_MEM_USE_HOST_PTR,
					      1, (void *)value, &err);

	if (!mem)
		return err == CL_SUCCESS ? CL_OUT_OF_RESOURCES : err;
	err = svmx_next.clSetKernelArg(k->handle, index, sizeof(mem), &mem);
	if (err == CL_SUCCESS)
		remember(k, index, NULL, mem);	/* the argument holds it */
	else
		svmx_next.clReleaseMemObject(mem);
	return err;
}

cl_int svmx_kernel_set_svm_arg(struct svmx_kernel *k, cl_uint index, const void *value)
{
	struct svmx_alloc *alloc = NULL;
	cl_mem held;
	cl_int err;

	pthread_mutex_lock(&k->lock);
	if (index >= k->nargs) {
		err = CL_INVALID_ARG_INDEX;
		goto out;
	}
	if (!arg_is_pointer(k, index)) {
		svmx_warn("clSetKernelArgSVMPointer: argument %u of kernel %p is not a global or constant pointer",
			  index, (void *)k->handle);
		err = CL_INVALID_ARG_VALUE;
		goto out;
	}
	if (!value) {
		err = svmx_next.clSetKernelArg(k->handle, index, sizeof(cl_mem), NULL);
		if (err == CL_SUCCESS)
			remember(k, index, NULL, NULL);
		goto out;
	}
	alloc = svmx_registry_find_end(value, k->context);
	/*
	 * The driver takes any host pointer: no buffer needed (rusticl 26
	 * refuses sub-buffers at offsets below CL_DEVICE_MEM_BASE_ADDR_ALIGN).
	 */
	if (k->system_svm) {
		err = SVMX_FORWARD(clSetKernelArgSVMPointer, CL_INVALID_OPERATION, k->handle, index,
				   value);
		if (err == CL_SUCCESS) {
			remember(k, index, alloc, NULL);
			alloc = NULL;
		}
		goto out;
	}
	if (!alloc && k->host_buffers) {
		err = set_host_pointer_arg(k, index, value);
		goto out;
	}
	if (!alloc) {
		svmx_warn("clSetKernelArgSVMPointer: %p is not inside (or one past the end of) an SVM allocation of the kernel's context",
			  value);
		err = CL_INVALID_ARG_VALUE;
		goto out;
	}
	held = k->args[index].mem;
	err = svmx_alloc_set_kernel_arg(alloc, (size_t)((const char *)value - (char *)alloc->base),
					k->handle, index, &held);
	if (err == CL_SUCCESS) {
		remember(k, index, alloc, held);
		alloc = NULL;
	} else if (err == CL_INVALID_ARG_SIZE || err == CL_INVALID_MEM_OBJECT) {
		err = CL_INVALID_ARG_VALUE;
	}
out:
	pthread_mutex_unlock(&k->lock);
	if (alloc)
		svmx_alloc_put(alloc);
	return err;
}

void svmx_kernel_forget_arg(struct svmx_kernel *k, cl_uint index)
{
	pthread_mutex_lock(&k->lock);
	if (index < k->nargs)
		remember(k, index, NULL, NULL);
	pthread_mutex_unlock(&k->lock);
}

static cl_int set_exec_ptrs(struct svmx_kernel *k, size_t size, const void *value)
{
	size_t n = size / sizeof(void *);
	const void *const *ptrs = value;
	struct svmx_alloc **allocs = NULL;
	cl_int err = CL_SUCCESS;

	if (size % sizeof(void *) || (size && !value) || (!size && value))
		return CL_INVALID_VALUE;
	if (n && !(allocs = calloc(n, sizeof(*allocs))))
		return CL_OUT_OF_HOST_MEMORY;
	for (size_t i = 0; i < n; i++) {
		allocs[i] = svmx_registry_find_end(ptrs[i], k->context);
		/* The driver's own memory: nothing of svmx's to keep or arm. */
		if (!allocs[i] && (k->system_svm || k->host_buffers))
			continue;
		if (!allocs[i]) {
			svmx_warn("clSetKernelExecInfo: CL_KERNEL_EXEC_INFO_SVM_PTRS[%zu] = %p is not inside (or one past the end of) an SVM allocation of the kernel's context",
				  i, ptrs[i]);
			err = CL_INVALID_VALUE;
			goto fail;
		}
	}
	pthread_mutex_lock(&k->lock);
	clear_exec(k);
	k->exec_allocs = allocs;
	k->nexec = n;
	pthread_mutex_unlock(&k->lock);
	return CL_SUCCESS;
fail:
	for (size_t i = 0; allocs && i < n; i++)
		if (allocs[i])
			svmx_alloc_put(allocs[i]);
	free(allocs);
	return err;
}

cl_int svmx_kernel_set_exec_info(struct svmx_kernel *k, cl_kernel_exec_info name,
				 size_t size, const void *value)
{
	switch (name) {
	case CL_KERNEL_EXEC_INFO_SVM_PTRS:
		return set_exec_ptrs(k, size, value);
	case CL_KERNEL_EXEC_INFO_SVM_FINE_GRAIN_SYSTEM:
		if (size != sizeof(cl_bool) || !value)
			return CL_INVALID_VALUE;
		/* Only a driver with fine-grain system SVM of its own shares it. */
		if (*(const cl_bool *)value && !k->system_svm && !k->host_buffers)
			return CL_INVALID_OPERATION;
		if (*(const cl_bool *)value && k->system_svm)
			return SVMX_FORWARD(clSetKernelExecInfo, CL_INVALID_OPERATION, k->handle,
					    name, size, value);
		/* svmx's host buffers take any pointer whatever the switch says. */
		return CL_SUCCESS;
	default:
		return CL_INVALID_VALUE;
	}
}

void svmx_kernel_arm_reachable(cl_kernel kernel, cl_command_queue queue)
{
	struct svmx_kernel *k = svmx_kernel_find(kernel);

	if (!k)
		return;
	if (svmx_arming_wanted_on_queue(queue)) {
		pthread_mutex_lock(&k->lock);
		for (cl_uint i = 0; i < k->nargs; i++)
			if (k->args[i].alloc)
				svmx_arming_arm(k->args[i].alloc, 0, 0);
		for (size_t i = 0; i < k->nexec; i++)
			if (k->exec_allocs[i])
				svmx_arming_arm(k->exec_allocs[i], 0, 0);
		pthread_mutex_unlock(&k->lock);
	}
	svmx_kernel_put(k);
}
