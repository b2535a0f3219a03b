/*
 * The bad-input table: for every entry point the svmx layer intercepts, each
 * invalid argument the OpenCL 3.0 specification names (and the ones svmx
 * defines where the specification leaves the behaviour undefined), with
 * the exact result expected.  Run on rusticl under the layer; built with
 * -DSVMX_SANITIZE=ON it is the AddressSanitizer/UBSan run.
 *
 * "bad_inputs --markdown" prints the table that conformance/BAD_INPUTS.md
 * holds.
 */
#define CL_USE_DEPRECATED_OPENCL_1_1_APIS
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS
#include "cltest.h"

#include <svmx/svmx_ext.h>

#include <dirent.h>
#include <stdint.h>
#include <string.h>

/* Results that are not status codes. */
#define RETURNS_NULL 1		/* a function returning a pointer returned NULL */
#define NO_EFFECT 2		/* a void function changed nothing */

/* Host memory far (in the executable's data) from the mmap'd allocations. */
static char far_host[64];

struct fx {
	cl_platform_id platform;
	cl_context_properties on_platform[3];
	cl_context ctx, ctx2;
	cl_device_id dev;
	cl_command_queue q;
	/*
	 * A queue no row gives a failed wait list, for the rows that succeed
	 * on a device with fine-grain system SVM: rusticl 25 fails every later
	 * command of an in-order queue once one failed by its wait list.
	 */
	cl_command_queue clean;
	cl_program prog;
	cl_kernel k;		/* k(global int *p, int x) */
	int *p;			/* coarse grain, 4096 bytes */
	int *fine;		/* fine grain, 4096 bytes */
	int *other;		/* an allocation of ctx2 */
	int *atomic;		/* fine grain with atomics, 4096 bytes */
	cl_svm_arm_stats_svmx stats;
	void *freed;		/* allocated and freed */
	char host[256];
	cl_mem buf;
	cl_event done;		/* a complete user event of ctx */
	cl_event failed;	/* a user event of ctx with a negative status */
	cl_event foreign;	/* a user event of ctx2 */
	cl_event wl_done[1], wl_null[1], wl_mem[1], wl_foreign[1], wl_failed[1];
	void *ptrs_host[1], *ptrs_interior[1], *ptrs_freed[1], *ptrs_null[1], *ptrs_p[1];
	void *ptrs_two_past[1];
	size_t size_past[1];
	char pattern[256];
	cl_ulong ul;
	cl_bool yes, no;
	cl_kernel kernels[1];
	cl_device_id null_device[1];
};

static cl_int ptr_result(struct fx *f, void *p)
{
	if (!p)
		return RETURNS_NULL;
	clSVMFree(f->ctx, p);
	return CL_SUCCESS;
}

static cl_int fn_result(void *fn)
{
	return fn ? CL_SUCCESS : RETURNS_NULL;
}

static cl_int arm_stats(struct fx *f, cl_context c, const void *ptr,
			cl_svm_arm_stats_svmx *stats)
{
	clGetSVMArmStatsSVMX_fn get = (clGetSVMArmStatsSVMX_fn)
		clGetExtensionFunctionAddressForPlatform(f->platform,
							 CL_SVMX_ARM_STATS_FUNCTION_NAME);

	return get ? get(c, ptr, stats) : CL_INVALID_OPERATION;
}

static cl_int obj_result(void *obj, cl_int err)
{
	if (obj)
		return CL_SUCCESS;	/* leaks the object: the row fails anyway */
	return err;
}

/* clSVMFree returns nothing: its bad inputs must leave f->p usable. */
static cl_int p_still_usable(struct fx *f)
{
	cl_int err = clSetKernelArgSVMPointer(f->k, 0, f->p);
	/*
	 * A queue of its own: after a command failed by its wait list, what a
	 * queue does is the driver's choice (OpenCL 3.0, 5.11; rusticl 25
	 * fails every later command of an in-order queue).
	 */
	cl_command_queue q = err == CL_SUCCESS ?
		clCreateCommandQueueWithProperties(f->ctx, f->dev, NULL, &err) : NULL;

	if (err == CL_SUCCESS)
		err = clEnqueueSVMMemcpy(q, CL_TRUE, f->p, f->host, 64, 0, NULL, NULL);
	if (q)
		clReleaseCommandQueue(q);
	return err == CL_SUCCESS ? NO_EFFECT : err;
}

static cl_int svm_free_then_check(struct fx *f, cl_context c, void *ptr)
{
	clSVMFree(c, ptr);
	return p_still_usable(f);
}

/* The errcode_ret of a creating call that should fail (and return NULL). */
#define OBJ_ERR(call)                                                           \
	({                                                                      \
		cl_int e_ = CL_SUCCESS;                                         \
		void *o_ = (void *)(call);                                      \
		obj_result(o_, e_);                                             \
	})

/*
 * clCreateProgramWithBinary of a binary with svmx's header (runtime/
 * program_binary.c): magic, version, relocation count, the fixed fence
 * word, one relocation offset, then 36 bytes of 0xa5 as the driver's binary.  A header svmx cannot honour, or a
 * relocation outside the binary, is refused.
 */
static cl_int wrapped_binary(struct fx *f, cl_uint version, cl_uint relocations,
			     cl_ulong fixed_word, cl_uint offset)
{
	unsigned char bin[64] = "svmxbin";
	const unsigned char *bins[1] = { bin };
	size_t len = sizeof(bin);
	cl_int status = CL_SUCCESS, err = CL_SUCCESS;
	cl_program prog;

	memcpy(bin + 8, &version, sizeof(version));
	memcpy(bin + 12, &relocations, sizeof(relocations));
	memcpy(bin + 16, &fixed_word, sizeof(fixed_word));
	memcpy(bin + 24, &offset, sizeof(offset));
	memset(bin + 28, 0xa5, sizeof(bin) - 28);	/* the driver's part */
	prog = clCreateProgramWithBinary(f->ctx, 1, &f->dev, &len, bins, &status, &err);
	if (prog) {
		clReleaseProgram(prog);
		return CL_SUCCESS;
	}
	/* binary_status must name the binary too */
	return err == CL_INVALID_BINARY && status != CL_INVALID_BINARY ? CL_INVALID_VALUE : err;
}

static cl_context create_context(cl_uint n, const cl_device_id *devs, void *notify,
				 void *user_data, cl_int *err)
{
	return clCreateContext(NULL, n, devs, (void(CL_CALLBACK *)(const char *, const void *,
								    size_t, void *))notify,
			       user_data, err);
}

/*
 * R(id, entry point, bad argument, expected, reference, expression).
 * The reference names the entry point whose error list in the OpenCL 3.0
 * API specification gives the code, or "svmx" where the specification
 * leaves the behaviour undefined and svmx chose the code.
 */
#define QUEUE_ROWS(R, fn, call)                                                           \
	R(fn##_null_queue, #fn, "command_queue is NULL", CL_INVALID_COMMAND_QUEUE, #fn,      \
	  call(NULL, 0, NULL))                                                            \
	R(fn##_queue_is_a_buffer, #fn, "command_queue is a buffer object",                 \
	  CL_INVALID_COMMAND_QUEUE, #fn, call((cl_command_queue)f->buf, 0, NULL))          \
	R(fn##_wait_list_null_count_1, #fn, "event_wait_list NULL, num_events 1",          \
	  CL_INVALID_EVENT_WAIT_LIST, #fn, call(f->q, 1, NULL))                            \
	R(fn##_wait_list_count_0, #fn, "event_wait_list not NULL, num_events 0",           \
	  CL_INVALID_EVENT_WAIT_LIST, #fn, call(f->q, 0, f->wl_done))                      \
	R(fn##_wait_list_holds_null, #fn, "event_wait_list holds NULL",                    \
	  CL_INVALID_EVENT_WAIT_LIST, #fn, call(f->q, 1, f->wl_null))                      \
	R(fn##_wait_list_holds_buffer, #fn, "event_wait_list holds a buffer object",       \
	  CL_INVALID_EVENT_WAIT_LIST, #fn, call(f->q, 1, f->wl_mem))                       \
	R(fn##_wait_list_other_context, #fn, "event_wait_list holds an event of another context", \
	  CL_INVALID_CONTEXT, #fn, call(f->q, 1, f->wl_foreign))

/* Each enqueue with valid arguments but the queue and wait list given. */
#define MEMCPY_Q(q, n, w) clEnqueueSVMMemcpy(q, CL_FALSE, f->p, f->fine, 64, n, w, NULL)
#define FILL_Q(q, n, w) clEnqueueSVMMemFill(q, f->p, f->pattern, 4, 64, n, w, NULL)
#define MAP_Q(q, n, w) clEnqueueSVMMap(q, CL_FALSE, CL_MAP_READ, f->p, 64, n, w, NULL)
#define UNMAP_Q(q, n, w) clEnqueueSVMUnmap(q, f->p, n, w, NULL)
#define MIGRATE_Q(q, n, w) clEnqueueSVMMigrateMem(q, 1, (const void **)f->ptrs_p, NULL, 0, n, w, NULL)
#define FREE_Q(q, n, w) clEnqueueSVMFree(q, 0, NULL, NULL, NULL, n, w, NULL)

#define ROWS(R)                                                                            \
	/* clSVMAlloc: NULL means failure; it has no error code. */                        \
	R(alloc_null_context, "clSVMAlloc", "context is NULL", RETURNS_NULL, "clSVMAlloc",  \
	  ptr_result(f, clSVMAlloc(NULL, CL_MEM_READ_WRITE, 64, 0)))                        \
	R(alloc_context_is_queue, "clSVMAlloc", "context is a command-queue", RETURNS_NULL, \
	  "clSVMAlloc", ptr_result(f, clSVMAlloc((cl_context)f->q, CL_MEM_READ_WRITE, 64, 0))) \
	R(alloc_non_svm_flag, "clSVMAlloc", "flags has CL_MEM_USE_HOST_PTR", RETURNS_NULL,  \
	  "clSVMAlloc", ptr_result(f, clSVMAlloc(f->ctx, CL_MEM_USE_HOST_PTR, 64, 0)))      \
	R(alloc_two_access_flags, "clSVMAlloc", "flags has READ_ONLY and WRITE_ONLY",       \
	  RETURNS_NULL, "clSVMAlloc",                                                      \
	  ptr_result(f, clSVMAlloc(f->ctx, CL_MEM_READ_ONLY | CL_MEM_WRITE_ONLY, 64, 0)))   \
	R(alloc_atomics_without_fine, "clSVMAlloc",                                        \
	  "CL_MEM_SVM_ATOMICS without CL_MEM_SVM_FINE_GRAIN_BUFFER", RETURNS_NULL, "clSVMAlloc", \
	  ptr_result(f, clSVMAlloc(f->ctx, CL_MEM_SVM_ATOMICS, 64, 0)))                     \
	R(alloc_size_0, "clSVMAlloc", "size is 0", RETURNS_NULL, "clSVMAlloc",              \
	  ptr_result(f, clSVMAlloc(f->ctx, CL_MEM_READ_WRITE, 0, 0)))                       \
	R(alloc_size_huge, "clSVMAlloc", "size > CL_DEVICE_MAX_MEM_ALLOC_SIZE", RETURNS_NULL, \
	  "clSVMAlloc", ptr_result(f, clSVMAlloc(f->ctx, CL_MEM_READ_WRITE, SIZE_MAX / 2, 0))) \
	R(alloc_alignment_3, "clSVMAlloc", "alignment 3 (not a power of two)", RETURNS_NULL, \
	  "clSVMAlloc", ptr_result(f, clSVMAlloc(f->ctx, CL_MEM_READ_WRITE, 64, 3)))        \
	R(alloc_alignment_huge, "clSVMAlloc", "alignment 2^30 (unsupported)", RETURNS_NULL,  \
	  "clSVMAlloc", ptr_result(f, clSVMAlloc(f->ctx, CL_MEM_READ_WRITE, 64, 1u << 30)))  \
	/* clSVMFree returns nothing. */                                                   \
	R(free_null_context, "clSVMFree", "context is NULL", NO_EFFECT, "svmx",              \
	  svm_free_then_check(f, NULL, f->p))                                              \
	R(free_other_context, "clSVMFree", "context is not the allocation's", NO_EFFECT,     \
	  "svmx", svm_free_then_check(f, f->ctx2, f->p))                                    \
	R(free_host_pointer, "clSVMFree", "pointer not from clSVMAlloc", NO_EFFECT, "svmx",  \
	  svm_free_then_check(f, f->ctx, f->host))                                          \
	R(free_interior_pointer, "clSVMFree", "interior pointer of an allocation", NO_EFFECT, \
	  "svmx", svm_free_then_check(f, f->ctx, f->p + 1))                                 \
	R(free_freed_pointer, "clSVMFree", "pointer freed already", NO_EFFECT, "svmx",       \
	  svm_free_then_check(f, f->ctx, f->freed))                                         \
	R(free_null_pointer, "clSVMFree", "pointer is NULL", NO_EFFECT, "clSVMFree",         \
	  svm_free_then_check(f, f->ctx, NULL))                                             \
	/* clSetKernelArgSVMPointer */                                                     \
	R(argsvm_null_kernel, "clSetKernelArgSVMPointer", "kernel is NULL", CL_INVALID_KERNEL, \
	  "clSetKernelArgSVMPointer", clSetKernelArgSVMPointer(NULL, 0, f->p))              \
	R(argsvm_kernel_is_buffer, "clSetKernelArgSVMPointer", "kernel is a buffer object",  \
	  CL_INVALID_KERNEL, "clSetKernelArgSVMPointer",                                   \
	  clSetKernelArgSVMPointer((cl_kernel)f->buf, 0, f->p))                             \
	R(argsvm_index_out_of_range, "clSetKernelArgSVMPointer", "arg_index >= number of arguments", \
	  CL_INVALID_ARG_INDEX, "clSetKernelArgSVMPointer", clSetKernelArgSVMPointer(f->k, 2, f->p)) \
	R(argsvm_not_a_pointer, "clSetKernelArgSVMPointer", "argument is not a global pointer", \
	  CL_INVALID_ARG_VALUE, "clSetKernelArgSVMPointer", clSetKernelArgSVMPointer(f->k, 1, f->p)) \
	R(argsvm_host_pointer, "clSetKernelArgSVMPointer", "pointer outside any allocation", \
	  CL_INVALID_ARG_VALUE, "clSetKernelArgSVMPointer", clSetKernelArgSVMPointer(f->k, 0, f->host)) \
	R(argsvm_freed_pointer, "clSetKernelArgSVMPointer", "pointer freed already",         \
	  CL_INVALID_ARG_VALUE, "clSetKernelArgSVMPointer", clSetKernelArgSVMPointer(f->k, 0, f->freed)) \
	R(argsvm_other_context, "clSetKernelArgSVMPointer", "allocation of another context", \
	  CL_INVALID_ARG_VALUE, "clSetKernelArgSVMPointer", clSetKernelArgSVMPointer(f->k, 0, f->other)) \
	R(argsvm_two_past_end, "clSetKernelArgSVMPointer", "two past the end of an allocation (one past is valid)", \
	  CL_INVALID_ARG_VALUE, "clSetKernelArgSVMPointer",                                \
	  clSetKernelArgSVMPointer(f->k, 0, (char *)f->p + 4097))                           \
	/* clSetKernelExecInfo */                                                          \
	R(exec_null_kernel, "clSetKernelExecInfo", "kernel is NULL", CL_INVALID_KERNEL,       \
	  "clSetKernelExecInfo",                                                           \
	  clSetKernelExecInfo(NULL, CL_KERNEL_EXEC_INFO_SVM_PTRS, sizeof(void *), f->ptrs_p)) \
	R(exec_kernel_is_buffer, "clSetKernelExecInfo", "kernel is a buffer object",         \
	  CL_INVALID_KERNEL, "clSetKernelExecInfo",                                        \
	  clSetKernelExecInfo((cl_kernel)f->buf, CL_KERNEL_EXEC_INFO_SVM_PTRS, sizeof(void *), f->ptrs_p)) \
	R(exec_bad_name, "clSetKernelExecInfo", "param_name unknown", CL_INVALID_VALUE,       \
	  "clSetKernelExecInfo", clSetKernelExecInfo(f->k, 0x1234, sizeof(void *), f->ptrs_p)) \
	R(exec_ptrs_bad_size, "clSetKernelExecInfo", "SVM_PTRS size not a multiple of a pointer", \
	  CL_INVALID_VALUE, "clSetKernelExecInfo",                                         \
	  clSetKernelExecInfo(f->k, CL_KERNEL_EXEC_INFO_SVM_PTRS, 3, f->ptrs_p))             \
	R(exec_ptrs_null_value, "clSetKernelExecInfo", "SVM_PTRS value NULL, size > 0",       \
	  CL_INVALID_VALUE, "clSetKernelExecInfo",                                         \
	  clSetKernelExecInfo(f->k, CL_KERNEL_EXEC_INFO_SVM_PTRS, sizeof(void *), NULL))     \
	R(exec_ptrs_host_pointer, "clSetKernelExecInfo", "SVM_PTRS pointer outside any allocation", \
	  CL_INVALID_VALUE, "svmx",                                                        \
	  clSetKernelExecInfo(f->k, CL_KERNEL_EXEC_INFO_SVM_PTRS, sizeof(void *), f->ptrs_host)) \
	R(exec_ptrs_freed_pointer, "clSetKernelExecInfo", "SVM_PTRS pointer freed already",   \
	  CL_INVALID_VALUE, "svmx",                                                        \
	  clSetKernelExecInfo(f->k, CL_KERNEL_EXEC_INFO_SVM_PTRS, sizeof(void *), f->ptrs_freed)) \
	R(exec_ptrs_two_past_end, "clSetKernelExecInfo",                                   \
	  "SVM_PTRS pointer two past the end of an allocation (one past is valid)",        \
	  CL_INVALID_VALUE, "svmx",                                                        \
	  clSetKernelExecInfo(f->k, CL_KERNEL_EXEC_INFO_SVM_PTRS, sizeof(void *), f->ptrs_two_past)) \
	R(exec_system_true, "clSetKernelExecInfo", "FINE_GRAIN_SYSTEM CL_TRUE (unsupported)", \
	  CL_INVALID_OPERATION, "clSetKernelExecInfo",                                     \
	  clSetKernelExecInfo(f->k, CL_KERNEL_EXEC_INFO_SVM_FINE_GRAIN_SYSTEM, sizeof(cl_bool), &f->yes)) \
	R(exec_system_bad_size, "clSetKernelExecInfo", "FINE_GRAIN_SYSTEM size 1",            \
	  CL_INVALID_VALUE, "clSetKernelExecInfo",                                         \
	  clSetKernelExecInfo(f->k, CL_KERNEL_EXEC_INFO_SVM_FINE_GRAIN_SYSTEM, 1, &f->no))   \
	/* clGetDeviceInfo */                                                              \
	R(devinfo_null_device, "clGetDeviceInfo", "device is NULL", CL_INVALID_DEVICE,        \
	  "clGetDeviceInfo",                                                               \
	  clGetDeviceInfo(NULL, CL_DEVICE_SVM_CAPABILITIES, sizeof(f->ul), &f->ul, NULL))    \
	R(devinfo_bad_name, "clGetDeviceInfo", "param_name unknown", CL_INVALID_VALUE,        \
	  "clGetDeviceInfo", clGetDeviceInfo(f->dev, 0x7fff, sizeof(f->ul), &f->ul, NULL))   \
	R(devinfo_svm_small, "clGetDeviceInfo", "SVM_CAPABILITIES, size 1", CL_INVALID_VALUE, \
	  "clGetDeviceInfo", clGetDeviceInfo(f->dev, CL_DEVICE_SVM_CAPABILITIES, 1, &f->ul, NULL)) \
	R(devinfo_atomics_small, "clGetDeviceInfo", "ATOMIC_MEMORY_CAPABILITIES, size 1",     \
	  CL_INVALID_VALUE, "clGetDeviceInfo",                                             \
	  clGetDeviceInfo(f->dev, CL_DEVICE_ATOMIC_MEMORY_CAPABILITIES, 1, &f->ul, NULL))    \
	R(devinfo_fence_small, "clGetDeviceInfo", "ATOMIC_FENCE_CAPABILITIES, size 1",        \
	  CL_INVALID_VALUE, "clGetDeviceInfo",                                             \
	  clGetDeviceInfo(f->dev, CL_DEVICE_ATOMIC_FENCE_CAPABILITIES, 1, &f->ul, NULL))     \
	R(devinfo_features_small, "clGetDeviceInfo", "OPENCL_C_FEATURES, size 1",             \
	  CL_INVALID_VALUE, "clGetDeviceInfo",                                             \
	  clGetDeviceInfo(f->dev, CL_DEVICE_OPENCL_C_FEATURES, 1, f->host, NULL))            \
	/* Contexts */                                                                     \
	R(ctx_no_devices, "clCreateContext", "devices NULL", CL_INVALID_VALUE, "clCreateContext", \
	  OBJ_ERR(create_context(1, NULL, NULL, NULL, &e_))) \
	R(ctx_zero_devices, "clCreateContext", "num_devices 0", CL_INVALID_VALUE, "clCreateContext", \
	  OBJ_ERR(create_context(0, &f->dev, NULL, NULL, &e_))) \
	R(ctx_user_data_without_notify, "clCreateContext", "user_data without pfn_notify",    \
	  CL_INVALID_VALUE, "clCreateContext",                                             \
	  OBJ_ERR(create_context(1, &f->dev, NULL, f, &e_))) \
	R(ctx_null_device, "clCreateContext", "devices holds NULL", CL_INVALID_DEVICE,        \
	  "clCreateContext",                                                               \
	  OBJ_ERR(create_context(1, f->null_device, NULL, NULL, &e_))) \
	R(ctx_type_0, "clCreateContextFromType", "device_type with an unknown bit", CL_INVALID_DEVICE_TYPE,     \
	  "clCreateContextFromType",                                                       \
	  OBJ_ERR(clCreateContextFromType(f->on_platform, (cl_device_type)1 << 20, NULL, NULL, &e_))) \
	R(retain_ctx_null, "clRetainContext", "context is NULL", CL_INVALID_CONTEXT,          \
	  "clRetainContext", clRetainContext(NULL))                                        \
	R(retain_ctx_buffer, "clRetainContext", "context is a buffer object", CL_INVALID_CONTEXT, \
	  "clRetainContext", clRetainContext((cl_context)f->buf))                          \
	R(release_ctx_null, "clReleaseContext", "context is NULL", CL_INVALID_CONTEXT,        \
	  "clReleaseContext", clReleaseContext(NULL))                                      \
	R(release_ctx_buffer, "clReleaseContext", "context is a buffer object", CL_INVALID_CONTEXT, \
	  "clReleaseContext", clReleaseContext((cl_context)f->buf))                        \
	/* Programs and kernels */                                                         \
	R(build_null_program, "clBuildProgram", "program is NULL", CL_INVALID_PROGRAM,        \
	  "clBuildProgram", clBuildProgram(NULL, 0, NULL, NULL, NULL, NULL))               \
	R(build_devices_null, "clBuildProgram", "num_devices 1, device_list NULL", CL_INVALID_VALUE, \
	  "clBuildProgram", clBuildProgram(f->prog, 1, NULL, NULL, NULL, NULL))            \
	R(build_user_data_without_notify, "clBuildProgram", "user_data without pfn_notify",   \
	  CL_INVALID_VALUE, "clBuildProgram", clBuildProgram(f->prog, 0, NULL, NULL, NULL, f)) \
	R(compile_null_program, "clCompileProgram", "program is NULL", CL_INVALID_PROGRAM,    \
	  "clCompileProgram", clCompileProgram(NULL, 0, NULL, NULL, 0, NULL, NULL, NULL, NULL)) \
	R(build_info_null_program, "clGetProgramBuildInfo", "program is NULL",                \
	  CL_INVALID_PROGRAM, "clGetProgramBuildInfo",                                     \
	  clGetProgramBuildInfo(NULL, f->dev, CL_PROGRAM_BUILD_OPTIONS, 0, NULL, &f->size_past[0])) \
	R(build_info_device_is_buffer, "clGetProgramBuildInfo", "device is a buffer object", \
	  CL_INVALID_DEVICE, "clGetProgramBuildInfo",                                      \
	  clGetProgramBuildInfo(f->prog, (cl_device_id)f->buf, CL_PROGRAM_BUILD_OPTIONS, 0, NULL, \
				&f->size_past[0]))                                         \
	R(build_info_options_too_small, "clGetProgramBuildInfo",                           \
	  "CL_PROGRAM_BUILD_OPTIONS into 4 bytes", CL_INVALID_VALUE, "clGetProgramBuildInfo", \
	  clGetProgramBuildInfo(f->prog, f->dev, CL_PROGRAM_BUILD_OPTIONS, 4, f->host, NULL)) \
	R(program_info_null_program, "clGetProgramInfo", "program is NULL", CL_INVALID_PROGRAM, \
	  "clGetProgramInfo",                                                                \
	  clGetProgramInfo(NULL, CL_PROGRAM_BINARY_SIZES, 0, NULL, &f->size_past[0]))        \
	R(program_info_sizes_too_small, "clGetProgramInfo", "CL_PROGRAM_BINARY_SIZES into 1 byte", \
	  CL_INVALID_VALUE, "clGetProgramInfo",                                              \
	  clGetProgramInfo(f->prog, CL_PROGRAM_BINARY_SIZES, 1, f->host, NULL))              \
	R(program_info_binaries_too_small, "clGetProgramInfo", "CL_PROGRAM_BINARIES into 1 byte", \
	  CL_INVALID_VALUE, "clGetProgramInfo",                                              \
	  clGetProgramInfo(f->prog, CL_PROGRAM_BINARIES, 1, f->host, NULL))                  \
	R(binary_lengths_null, "clCreateProgramWithBinary", "lengths is NULL", CL_INVALID_VALUE, \
	  "clCreateProgramWithBinary",                                                       \
	  OBJ_ERR(clCreateProgramWithBinary(f->ctx, 1, &f->dev, NULL,                        \
					    (const unsigned char **)f->ptrs_host, NULL, &e_))) \
	R(binary_svmx_header_fence_word_elsewhere, "clCreateProgramWithBinary",             \
	  "svmx's header, no relocations, fence word at 0x1000", CL_INVALID_BINARY, "svmx", \
	  wrapped_binary(f, 2, 0, 0x1000, 0))                                                \
	R(binary_svmx_header_unknown_version, "clCreateProgramWithBinary",                  \
	  "svmx's header of version 1", CL_INVALID_BINARY, "svmx",                           \
	  wrapped_binary(f, 1, 1, 0, 0))                                                     \
	R(binary_svmx_relocation_past_the_end, "clCreateProgramWithBinary",                 \
	  "svmx's header, a relocation at byte 4096 of 36", CL_INVALID_BINARY, "svmx",       \
	  wrapped_binary(f, 2, 1, 0, 4096))                                                  \
	R(binary_svmx_relocations_more_than_fit, "clCreateProgramWithBinary",               \
	  "svmx's header, 2^32-1 relocations in 64 bytes", CL_INVALID_BINARY, "svmx",       \
	  wrapped_binary(f, 2, 0xffffffffu, 0, 0))                                           \
	R(binary_svmx_relocation_over_data, "clCreateProgramWithBinary",                    \
	  "svmx's header, a relocation over bytes that are not 0", CL_INVALID_BINARY, "svmx", \
	  wrapped_binary(f, 2, 1, 0, 0))                                                     \
	R(release_program_null, "clReleaseProgram", "program is NULL", CL_INVALID_PROGRAM,    \
	  "clReleaseProgram", clReleaseProgram(NULL))                                      \
	R(release_program_is_buffer, "clReleaseProgram", "program is a buffer object",       \
	  CL_INVALID_PROGRAM, "clReleaseProgram", clReleaseProgram((cl_program)f->buf))     \
	R(create_kernel_null_program, "clCreateKernel", "program is NULL", CL_INVALID_PROGRAM, \
	  "clCreateKernel",                                                                \
	  OBJ_ERR(clCreateKernel(NULL, "k", &e_)))     \
	R(create_kernel_bad_name, "clCreateKernel", "kernel_name not in program",             \
	  CL_INVALID_KERNEL_NAME, "clCreateKernel",                                        \
	  OBJ_ERR(clCreateKernel(f->prog, "nope", &e_))) \
	R(create_kernel_null_name, "clCreateKernel", "kernel_name is NULL", CL_INVALID_VALUE,  \
	  "clCreateKernel",                                                                \
	  OBJ_ERR(clCreateKernel(f->prog, NULL, &e_)))  \
	R(kernels_too_few, "clCreateKernelsInProgram", "num_kernels 0 with kernels not NULL", \
	  CL_INVALID_VALUE, "clCreateKernelsInProgram",                                    \
	  clCreateKernelsInProgram(f->prog, 0, f->kernels, NULL))                          \
	R(kernels_null_program, "clCreateKernelsInProgram", "program is NULL",                \
	  CL_INVALID_PROGRAM, "clCreateKernelsInProgram",                                  \
	  clCreateKernelsInProgram(NULL, 1, f->kernels, NULL))                             \
	R(clone_null, "clCloneKernel", "source_kernel is NULL", CL_INVALID_KERNEL,            \
	  "clCloneKernel",                                                                 \
	  OBJ_ERR(clCloneKernel(NULL, &e_)))           \
	R(retain_kernel_null, "clRetainKernel", "kernel is NULL", CL_INVALID_KERNEL,          \
	  "clRetainKernel", clRetainKernel(NULL))                                          \
	R(retain_kernel_buffer, "clRetainKernel", "kernel is a buffer object", CL_INVALID_KERNEL, \
	  "clRetainKernel", clRetainKernel((cl_kernel)f->buf))                             \
	R(release_kernel_null, "clReleaseKernel", "kernel is NULL", CL_INVALID_KERNEL,        \
	  "clReleaseKernel", clReleaseKernel(NULL))                                        \
	R(release_kernel_buffer, "clReleaseKernel", "kernel is a buffer object", CL_INVALID_KERNEL, \
	  "clReleaseKernel", clReleaseKernel((cl_kernel)f->buf))                           \
	R(arg_index_out_of_range, "clSetKernelArg", "arg_index >= number of arguments",       \
	  CL_INVALID_ARG_INDEX, "clSetKernelArg", clSetKernelArg(f->k, 2, sizeof(int), &f->ul)) \
	R(arg_bad_size, "clSetKernelArg", "arg_size 1 for an int", CL_INVALID_ARG_SIZE,       \
	  "clSetKernelArg", clSetKernelArg(f->k, 1, 1, &f->ul))                            \
	R(arg_bad_mem, "clSetKernelArg", "a pointer argument given a user event",             \
	  CL_INVALID_MEM_OBJECT, "clSetKernelArg",                                         \
	  clSetKernelArg(f->k, 0, sizeof(cl_event), &f->done))                             \
	R(arg_null_kernel, "clSetKernelArg", "kernel is NULL", CL_INVALID_KERNEL,             \
	  "clSetKernelArg", clSetKernelArg(NULL, 1, sizeof(int), &f->ul))                  \
	/* Events */                                                                       \
	R(evinfo_null, "clGetEventInfo", "event is NULL", CL_INVALID_EVENT, "clGetEventInfo", \
	  clGetEventInfo(NULL, CL_EVENT_COMMAND_TYPE, sizeof(f->ul), &f->ul, NULL))         \
	R(evinfo_bad_name, "clGetEventInfo", "param_name unknown", CL_INVALID_VALUE,          \
	  "clGetEventInfo", clGetEventInfo(f->done, 0x7fff, sizeof(f->ul), &f->ul, NULL))   \
	R(evinfo_small, "clGetEventInfo", "COMMAND_TYPE, size 1", CL_INVALID_VALUE,           \
	  "clGetEventInfo", clGetEventInfo(f->done, CL_EVENT_COMMAND_TYPE, 1, &f->ul, NULL)) \
	R(prof_null, "clGetEventProfilingInfo", "event is NULL", CL_INVALID_EVENT,            \
	  "clGetEventProfilingInfo",                                                       \
	  clGetEventProfilingInfo(NULL, CL_PROFILING_COMMAND_END, sizeof(f->ul), &f->ul, NULL)) \
	R(prof_user_event, "clGetEventProfilingInfo", "event is a user event",                \
	  CL_PROFILING_INFO_NOT_AVAILABLE, "clGetEventProfilingInfo",                      \
	  clGetEventProfilingInfo(f->done, CL_PROFILING_COMMAND_END, sizeof(f->ul), &f->ul, NULL)) \
	R(prof_svm_no_profiling, "clGetEventProfilingInfo",                                \
	  "SVM command event, queue without profiling", CL_PROFILING_INFO_NOT_AVAILABLE,   \
	  "clGetEventProfilingInfo", svm_event_profiling(f, CL_PROFILING_COMMAND_END, sizeof(f->ul))) \
	R(prof_svm_bad_name, "clGetEventProfilingInfo", "SVM command event, param_name unknown", \
	  CL_INVALID_VALUE, "clGetEventProfilingInfo", svm_event_profiling(f, 0x7fff, sizeof(f->ul))) \
	R(prof_svm_small, "clGetEventProfilingInfo", "SVM command event, size 4",             \
	  CL_INVALID_VALUE, "clGetEventProfilingInfo", svm_event_profiling(f, CL_PROFILING_COMMAND_END, 4)) \
	R(retain_event_null, "clRetainEvent", "event is NULL", CL_INVALID_EVENT, "clRetainEvent", \
	  clRetainEvent(NULL))                                                             \
	R(retain_event_buffer, "clRetainEvent", "event is a buffer object", CL_INVALID_EVENT, \
	  "clRetainEvent", clRetainEvent((cl_event)f->buf))                                \
	R(release_event_null, "clReleaseEvent", "event is NULL", CL_INVALID_EVENT,            \
	  "clReleaseEvent", clReleaseEvent(NULL))                                          \
	R(release_event_buffer, "clReleaseEvent", "event is a buffer object", CL_INVALID_EVENT, \
	  "clReleaseEvent", clReleaseEvent((cl_event)f->buf))                              \
	/* Buffers */                                                                      \
	R(buffer_past_allocation, "clCreateBuffer", "USE_HOST_PTR on SVM, size past the allocation", \
	  CL_INVALID_BUFFER_SIZE, "clCreateBuffer",                                        \
	  OBJ_ERR(clCreateBuffer(f->ctx, CL_MEM_USE_HOST_PTR, 4096, f->p + 1, &e_))) \
	R(buffer_size_0, "clCreateBuffer", "size 0", CL_INVALID_BUFFER_SIZE, "clCreateBuffer", \
	  OBJ_ERR(clCreateBuffer(f->ctx, CL_MEM_USE_HOST_PTR, 0, f->p, &e_))) \
	R(buffer_use_null_ptr, "clCreateBuffer", "USE_HOST_PTR with host_ptr NULL",           \
	  CL_INVALID_HOST_PTR, "clCreateBuffer",                                           \
	  OBJ_ERR(clCreateBuffer(f->ctx, CL_MEM_USE_HOST_PTR, 64, NULL, &e_))) \
	R(buffer_null_context, "clCreateBuffer", "context is NULL", CL_INVALID_CONTEXT,       \
	  "clCreateBuffer",                                                                \
	  OBJ_ERR(clCreateBuffer(NULL, CL_MEM_USE_HOST_PTR, 64, f->p, &e_))) \
	R(bufprops_past_allocation, "clCreateBufferWithProperties",                        \
	  "USE_HOST_PTR on SVM, size past the allocation", CL_INVALID_BUFFER_SIZE,         \
	  "clCreateBufferWithProperties",                                                  \
	  OBJ_ERR(clCreateBufferWithProperties(f->ctx, NULL, CL_MEM_USE_HOST_PTR, 4097, f->p, &e_))) \
	R(meminfo_null, "clGetMemObjectInfo", "memobj is NULL", CL_INVALID_MEM_OBJECT,        \
	  "clGetMemObjectInfo",                                                            \
	  clGetMemObjectInfo(NULL, CL_MEM_USES_SVM_POINTER, sizeof(cl_bool), &f->yes, NULL)) \
	R(meminfo_small, "clGetMemObjectInfo", "USES_SVM_POINTER, size 1", CL_INVALID_VALUE,  \
	  "clGetMemObjectInfo", clGetMemObjectInfo(f->buf, CL_MEM_USES_SVM_POINTER, 1, f->host, NULL)) \
	/* The SVM enqueue commands: queue and wait list */                                \
	QUEUE_ROWS(R, clEnqueueSVMMemcpy, MEMCPY_Q)                                        \
	QUEUE_ROWS(R, clEnqueueSVMMemFill, FILL_Q)                                         \
	QUEUE_ROWS(R, clEnqueueSVMMap, MAP_Q)                                              \
	QUEUE_ROWS(R, clEnqueueSVMUnmap, UNMAP_Q)                                          \
	QUEUE_ROWS(R, clEnqueueSVMMigrateMem, MIGRATE_Q)                                   \
	QUEUE_ROWS(R, clEnqueueSVMFree, FREE_Q)                                            \
	/* clEnqueueSVMMemcpy */                                                           \
	R(memcpy_null_dst, "clEnqueueSVMMemcpy", "dst_ptr NULL", CL_INVALID_VALUE,            \
	  "clEnqueueSVMMemcpy", clEnqueueSVMMemcpy(f->q, CL_TRUE, NULL, f->p, 64, 0, NULL, NULL)) \
	R(memcpy_null_src, "clEnqueueSVMMemcpy", "src_ptr NULL", CL_INVALID_VALUE,            \
	  "clEnqueueSVMMemcpy", clEnqueueSVMMemcpy(f->q, CL_TRUE, f->p, NULL, 64, 0, NULL, NULL)) \
	R(memcpy_overlap, "clEnqueueSVMMemcpy", "overlapping ranges", CL_MEM_COPY_OVERLAP,    \
	  "clEnqueueSVMMemcpy", clEnqueueSVMMemcpy(f->q, CL_TRUE, f->p + 1, f->p, 8, 0, NULL, NULL)) \
	R(memcpy_past_dst_allocation, "clEnqueueSVMMemcpy", "dst range runs past its allocation", \
	  CL_INVALID_VALUE, "svmx",                                                        \
	  clEnqueueSVMMemcpy(f->q, CL_TRUE, f->p + 1020, f->host, 64, 0, NULL, NULL))       \
	R(memcpy_past_src_allocation, "clEnqueueSVMMemcpy", "src range runs past its allocation", \
	  CL_INVALID_VALUE, "svmx",                                                        \
	  clEnqueueSVMMemcpy(f->q, CL_TRUE, f->host, f->fine + 1020, 64, 0, NULL, NULL))    \
	R(memcpy_dst_at_end, "clEnqueueSVMMemcpy", "dst one past the end of an allocation, size 64", \
	  CL_INVALID_VALUE, "svmx",                                                        \
	  clEnqueueSVMMemcpy(f->q, CL_TRUE, (char *)f->p + 4096, f->host, 64, 0, NULL, NULL)) \
	R(memcpy_size_huge, "clEnqueueSVMMemcpy", "size 2^40 from an SVM pointer", CL_INVALID_VALUE, \
	  "svmx", clEnqueueSVMMemcpy(f->q, CL_TRUE, far_host, f->p, (size_t)1 << 40, 0, NULL, NULL)) \
	R(memcpy_blocking_failed_wait, "clEnqueueSVMMemcpy", "blocking, wait list event failed", \
	  CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST, "clEnqueueSVMMemcpy",              \
	  clEnqueueSVMMemcpy(f->q, CL_TRUE, f->p, f->fine, 64, 1, f->wl_failed, NULL))      \
	/* clEnqueueSVMMemFill */                                                          \
	R(fill_null_ptr, "clEnqueueSVMMemFill", "svm_ptr NULL", CL_INVALID_VALUE,             \
	  "clEnqueueSVMMemFill", clEnqueueSVMMemFill(f->q, NULL, f->pattern, 4, 64, 0, NULL, NULL)) \
	R(fill_null_pattern, "clEnqueueSVMMemFill", "pattern NULL", CL_INVALID_VALUE,         \
	  "clEnqueueSVMMemFill", clEnqueueSVMMemFill(f->q, f->p, NULL, 4, 64, 0, NULL, NULL)) \
	R(fill_pattern_size_0, "clEnqueueSVMMemFill", "pattern_size 0", CL_INVALID_VALUE,     \
	  "clEnqueueSVMMemFill", clEnqueueSVMMemFill(f->q, f->p, f->pattern, 0, 64, 0, NULL, NULL)) \
	R(fill_pattern_size_3, "clEnqueueSVMMemFill", "pattern_size 3", CL_INVALID_VALUE,     \
	  "clEnqueueSVMMemFill", clEnqueueSVMMemFill(f->q, f->p, f->pattern, 3, 60, 0, NULL, NULL)) \
	R(fill_pattern_size_256, "clEnqueueSVMMemFill", "pattern_size 256", CL_INVALID_VALUE, \
	  "clEnqueueSVMMemFill", clEnqueueSVMMemFill(f->q, f->p, f->pattern, 256, 256, 0, NULL, NULL)) \
	R(fill_misaligned, "clEnqueueSVMMemFill", "svm_ptr not aligned to pattern_size",      \
	  CL_INVALID_VALUE, "clEnqueueSVMMemFill",                                         \
	  clEnqueueSVMMemFill(f->q, (char *)f->p + 2, f->pattern, 4, 64, 0, NULL, NULL))    \
	R(fill_size_not_multiple, "clEnqueueSVMMemFill", "size not a multiple of pattern_size", \
	  CL_INVALID_VALUE, "clEnqueueSVMMemFill",                                         \
	  clEnqueueSVMMemFill(f->q, f->p, f->pattern, 8, 12, 0, NULL, NULL))                 \
	R(fill_host_pointer, "clEnqueueSVMMemFill", "svm_ptr outside any allocation",         \
	  CL_INVALID_VALUE, "svmx",                                                        \
	  clEnqueueSVMMemFill(f->clean, f->host, f->pattern, 4, 64, 0, NULL, NULL))             \
	R(fill_freed_pointer, "clEnqueueSVMMemFill", "svm_ptr freed already", CL_INVALID_VALUE, \
	  "svmx", clEnqueueSVMMemFill(f->q, f->freed, f->pattern, 4, 64, 0, NULL, NULL))    \
	R(fill_other_context, "clEnqueueSVMMemFill", "svm_ptr of another context", CL_INVALID_VALUE, \
	  "svmx", clEnqueueSVMMemFill(f->clean, f->other, f->pattern, 4, 64, 0, NULL, NULL))    \
	R(fill_past_allocation, "clEnqueueSVMMemFill", "range runs past the allocation",      \
	  CL_INVALID_VALUE, "svmx",                                                        \
	  clEnqueueSVMMemFill(f->q, f->p + 1020, f->pattern, 4, 64, 0, NULL, NULL))         \
	R(fill_size_huge, "clEnqueueSVMMemFill", "size 2^62", CL_INVALID_VALUE, "svmx",       \
	  clEnqueueSVMMemFill(f->q, f->p, f->pattern, 4, (size_t)1 << 62, 0, NULL, NULL))   \
	/* clEnqueueSVMMap / Unmap */                                                      \
	R(map_null_ptr, "clEnqueueSVMMap", "svm_ptr NULL", CL_INVALID_VALUE, "clEnqueueSVMMap", \
	  clEnqueueSVMMap(f->q, CL_TRUE, CL_MAP_READ, NULL, 64, 0, NULL, NULL))              \
	R(map_size_0, "clEnqueueSVMMap", "size 0", CL_INVALID_VALUE, "clEnqueueSVMMap",       \
	  clEnqueueSVMMap(f->q, CL_TRUE, CL_MAP_READ, f->p, 0, 0, NULL, NULL))               \
	R(map_invalidate_and_read, "clEnqueueSVMMap", "map_flags WRITE_INVALIDATE_REGION | READ", \
	  CL_INVALID_VALUE, "clEnqueueSVMMap",                                             \
	  clEnqueueSVMMap(f->q, CL_TRUE, CL_MAP_WRITE_INVALIDATE_REGION | CL_MAP_READ, f->p, 64, 0, NULL, NULL)) \
	R(map_unknown_flag, "clEnqueueSVMMap", "map_flags with an unknown bit", CL_INVALID_VALUE, \
	  "clEnqueueSVMMap", clEnqueueSVMMap(f->q, CL_TRUE, 1 << 10, f->p, 64, 0, NULL, NULL)) \
	R(map_host_pointer, "clEnqueueSVMMap", "svm_ptr outside any allocation", CL_INVALID_VALUE, \
	  "svmx", clEnqueueSVMMap(f->clean, CL_TRUE, CL_MAP_READ, f->host, 64, 0, NULL, NULL))   \
	R(map_freed_pointer, "clEnqueueSVMMap", "svm_ptr freed already", CL_INVALID_VALUE,    \
	  "svmx", clEnqueueSVMMap(f->q, CL_TRUE, CL_MAP_READ, f->freed, 64, 0, NULL, NULL))  \
	R(map_past_allocation, "clEnqueueSVMMap", "range runs past the allocation", CL_INVALID_VALUE, \
	  "svmx", clEnqueueSVMMap(f->q, CL_TRUE, CL_MAP_READ, f->p, 4097, 0, NULL, NULL))    \
	R(map_blocking_failed_wait, "clEnqueueSVMMap", "blocking, wait list event failed",    \
	  CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST, "clEnqueueSVMMap",                 \
	  clEnqueueSVMMap(f->q, CL_TRUE, CL_MAP_READ, f->p, 64, 1, f->wl_failed, NULL))      \
	R(unmap_null_ptr, "clEnqueueSVMUnmap", "svm_ptr NULL", CL_INVALID_VALUE, "clEnqueueSVMUnmap", \
	  clEnqueueSVMUnmap(f->q, NULL, 0, NULL, NULL))                                    \
	R(unmap_host_pointer, "clEnqueueSVMUnmap", "svm_ptr outside any allocation",          \
	  CL_INVALID_VALUE, "svmx", clEnqueueSVMUnmap(f->clean, f->host, 0, NULL, NULL))        \
	R(unmap_freed_pointer, "clEnqueueSVMUnmap", "svm_ptr freed already", CL_INVALID_VALUE, \
	  "svmx", clEnqueueSVMUnmap(f->q, f->freed, 0, NULL, NULL))                         \
	/* clEnqueueSVMMigrateMem */                                                       \
	R(migrate_zero_pointers, "clEnqueueSVMMigrateMem", "num_svm_pointers 0", CL_INVALID_VALUE, \
	  "clEnqueueSVMMigrateMem",                                                        \
	  clEnqueueSVMMigrateMem(f->q, 0, (const void **)f->ptrs_p, NULL, 0, 0, NULL, NULL)) \
	R(migrate_null_pointers, "clEnqueueSVMMigrateMem", "svm_pointers NULL", CL_INVALID_VALUE, \
	  "clEnqueueSVMMigrateMem", clEnqueueSVMMigrateMem(f->q, 1, NULL, NULL, 0, 0, NULL, NULL)) \
	R(migrate_bad_flags, "clEnqueueSVMMigrateMem", "flags with an unknown bit", CL_INVALID_VALUE, \
	  "clEnqueueSVMMigrateMem",                                                        \
	  clEnqueueSVMMigrateMem(f->q, 1, (const void **)f->ptrs_p, NULL, 1 << 5, 0, NULL, NULL)) \
	R(migrate_host_pointer, "clEnqueueSVMMigrateMem", "pointer outside any allocation",   \
	  CL_INVALID_VALUE, "clEnqueueSVMMigrateMem",                                      \
	  clEnqueueSVMMigrateMem(f->clean, 1, (const void **)f->ptrs_host, NULL, 0, 0, NULL, NULL)) \
	R(migrate_null_entry, "clEnqueueSVMMigrateMem", "svm_pointers holds NULL", CL_INVALID_VALUE, \
	  "clEnqueueSVMMigrateMem",                                                        \
	  clEnqueueSVMMigrateMem(f->q, 1, (const void **)f->ptrs_null, NULL, 0, 0, NULL, NULL)) \
	R(migrate_freed_pointer, "clEnqueueSVMMigrateMem", "pointer freed already", CL_INVALID_VALUE, \
	  "clEnqueueSVMMigrateMem",                                                        \
	  clEnqueueSVMMigrateMem(f->q, 1, (const void **)f->ptrs_freed, NULL, 0, 0, NULL, NULL)) \
	R(migrate_past_allocation, "clEnqueueSVMMigrateMem", "sizes[i] runs past the allocation", \
	  CL_INVALID_VALUE, "clEnqueueSVMMigrateMem",                                      \
	  clEnqueueSVMMigrateMem(f->q, 1, (const void **)f->ptrs_p, f->size_past, 0, 0, NULL, NULL)) \
	/* clEnqueueSVMFree */                                                             \
	R(free_count_without_list, "clEnqueueSVMFree", "num_svm_pointers 1, svm_pointers NULL", \
	  CL_INVALID_VALUE, "clEnqueueSVMFree",                                            \
	  clEnqueueSVMFree(f->q, 1, NULL, NULL, NULL, 0, NULL, NULL))                       \
	R(free_list_without_count, "clEnqueueSVMFree", "num_svm_pointers 0, svm_pointers not NULL", \
	  CL_INVALID_VALUE, "clEnqueueSVMFree",                                            \
	  clEnqueueSVMFree(f->q, 0, f->ptrs_p, NULL, NULL, 0, NULL, NULL))                  \
	R(enqfree_host_pointer, "clEnqueueSVMFree", "no pfn_free_func, pointer not from clSVMAlloc", \
	  CL_INVALID_VALUE, "svmx", clEnqueueSVMFree(f->q, 1, f->ptrs_host, NULL, NULL, 0, NULL, NULL)) \
	R(enqfree_interior_pointer, "clEnqueueSVMFree", "no pfn_free_func, interior pointer", \
	  CL_INVALID_VALUE, "svmx",                                                        \
	  clEnqueueSVMFree(f->q, 1, f->ptrs_interior, NULL, NULL, 0, NULL, NULL))           \
	R(enqfree_freed_pointer, "clEnqueueSVMFree", "no pfn_free_func, pointer freed already", \
	  CL_INVALID_VALUE, "svmx", clEnqueueSVMFree(f->q, 1, f->ptrs_freed, NULL, NULL, 0, NULL, NULL)) \
	/* Kernel launches: svmx arms before them where a provider is active. */         \
	R(ndrange_null_queue, "clEnqueueNDRangeKernel", "command_queue is NULL",             \
	  CL_INVALID_COMMAND_QUEUE, "clEnqueueNDRangeKernel",                              \
	  clEnqueueNDRangeKernel(NULL, f->k, 1, NULL, (size_t[]){ 1 }, NULL, 0, NULL, NULL)) \
	R(ndrange_null_kernel, "clEnqueueNDRangeKernel", "kernel is NULL", CL_INVALID_KERNEL, \
	  "clEnqueueNDRangeKernel",                                                        \
	  clEnqueueNDRangeKernel(f->q, NULL, 1, NULL, (size_t[]){ 1 }, NULL, 0, NULL, NULL)) \
	R(task_null_kernel, "clEnqueueTask", "kernel is NULL", CL_INVALID_KERNEL,             \
	  "clEnqueueTask", clEnqueueTask(f->q, NULL, 0, NULL, NULL))                       \
	/* Extension function addresses, and svmx's one function. */                       \
	R(extaddr_null_name, "clGetExtensionFunctionAddressForPlatform", "func_name is NULL", \
	  RETURNS_NULL, "clGetExtensionFunctionAddressForPlatform",                        \
	  fn_result(clGetExtensionFunctionAddressForPlatform(f->platform, NULL)))          \
	R(extaddr_unknown, "clGetExtensionFunctionAddressForPlatform",                      \
	  "func_name names no function", RETURNS_NULL,                                     \
	  "clGetExtensionFunctionAddressForPlatform",                                      \
	  fn_result(clGetExtensionFunctionAddressForPlatform(f->platform, "clNoSuchSVMX"))) \
	R(extaddr_old_unknown, "clGetExtensionFunctionAddress", "func_name names no function", \
	  RETURNS_NULL, "clGetExtensionFunctionAddress",                                   \
	  fn_result(clGetExtensionFunctionAddress("clNoSuchSVMX")))                        \
	R(armstats_null_context, "clGetSVMArmStatsSVMX", "context is NULL", CL_INVALID_CONTEXT, \
	  "svmx_ext.h", arm_stats(f, NULL, f->atomic, &f->stats))                                \
	R(armstats_context_is_queue, "clGetSVMArmStatsSVMX", "context is a command-queue",   \
	  CL_INVALID_CONTEXT, "svmx_ext.h", arm_stats(f, (cl_context)f->q, f->atomic, &f->stats)) \
	R(armstats_null_stats, "clGetSVMArmStatsSVMX", "stats is NULL", CL_INVALID_VALUE,    \
	  "svmx_ext.h", arm_stats(f, f->ctx, f->atomic, NULL))                                   \
	R(armstats_null_pointer, "clGetSVMArmStatsSVMX", "svm_ptr is NULL", CL_INVALID_VALUE, \
	  "svmx_ext.h", arm_stats(f, f->ctx, NULL, &f->stats))                                   \
	R(armstats_host_pointer, "clGetSVMArmStatsSVMX", "svm_ptr in no svmx allocation",    \
	  CL_INVALID_VALUE, "svmx_ext.h", arm_stats(f, f->ctx, f->host, &f->stats))              \
	R(armstats_freed_pointer, "clGetSVMArmStatsSVMX", "svm_ptr freed already",           \
	  CL_INVALID_VALUE, "svmx_ext.h", arm_stats(f, f->ctx, f->freed, &f->stats))             \
	R(armstats_no_atomics, "clGetSVMArmStatsSVMX", "allocation without CL_MEM_SVM_ATOMICS", \
	  CL_INVALID_VALUE, "svmx_ext.h", arm_stats(f, f->ctx, f->fine, &f->stats))              \
	R(armstats_other_context, "clGetSVMArmStatsSVMX", "svm_ptr allocated in another context", \
	  CL_INVALID_VALUE, "svmx_ext.h", arm_stats(f, f->ctx2, f->atomic, &f->stats))              \
	R(finish_null_queue, "clFinish", "command_queue is NULL", CL_INVALID_COMMAND_QUEUE,    \
	  "clFinish", clFinish(NULL))                                                         \
	R(finish_queue_is_a_buffer, "clFinish", "command_queue is a buffer object",           \
	  CL_INVALID_COMMAND_QUEUE, "clFinish", clFinish((cl_command_queue)f->buf))            \
	R(finish_after_a_failed_command, "clFinish", "a command failed by its wait list",     \
	  CL_SUCCESS, "clFinish", finish_after_failed(f))                                     \
	R(flush_null_queue, "clFlush", "command_queue is NULL", CL_INVALID_COMMAND_QUEUE,      \
	  "clFlush", clFlush(NULL))                                                           \
	R(flush_queue_is_a_buffer, "clFlush", "command_queue is a buffer object",             \
	  CL_INVALID_COMMAND_QUEUE, "clFlush", clFlush((cl_command_queue)f->buf))              \
	R(wait_no_events, "clWaitForEvents", "num_events 0", CL_INVALID_VALUE,                \
	  "clWaitForEvents", clWaitForEvents(0, f->wl_done))                                  \
	R(wait_null_list, "clWaitForEvents", "event_list NULL", CL_INVALID_VALUE,             \
	  "clWaitForEvents", clWaitForEvents(1, NULL))                                        \
	R(wait_list_holds_null, "clWaitForEvents", "event_list holds NULL", CL_INVALID_EVENT, \
	  "clWaitForEvents", clWaitForEvents(1, f->wl_null))                                  \
	R(wait_list_holds_buffer, "clWaitForEvents", "event_list holds a buffer object",      \
	  CL_INVALID_EVENT, "clWaitForEvents", clWaitForEvents(1, f->wl_mem))                 \
	R(wait_two_contexts, "clWaitForEvents", "events of two contexts", CL_INVALID_CONTEXT, \
	  "clWaitForEvents", wait_two_contexts(f))                                            \
	R(wait_failed_event, "clWaitForEvents", "an event with a negative status",            \
	  CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST, "clWaitForEvents",                    \
	  clWaitForEvents(1, f->wl_failed))

static cl_int wait_two_contexts(struct fx *f)
{
	cl_event two[2] = { f->done, f->foreign };

	return clWaitForEvents(2, two);
}

/* A failed command is reported by its event; clFinish still succeeds. */
static cl_int finish_after_failed(struct fx *f)
{
	cl_int err = clEnqueueSVMMemcpy(f->q, CL_FALSE, f->p, f->fine, 64, 1, f->wl_failed, NULL);

	return err == CL_SUCCESS ? clFinish(f->q) : err;
}

static cl_int svm_event_profiling(struct fx *f, cl_profiling_info name, size_t size)
{
	cl_event ev;
	cl_int err = clEnqueueSVMMemcpy(f->q, CL_TRUE, f->p, f->fine, 64, 0, NULL, &ev);

	if (err != CL_SUCCESS)
		return err;
	err = clGetEventProfilingInfo(ev, name, size, &f->ul, NULL);
	clReleaseEvent(ev);
	return err;
}

#define AS_FUNCTION(id, entry, bad, want, ref, expr) \
	static cl_int row_##id(struct fx *f) { (void)f; return (expr); }
ROWS(AS_FUNCTION)

struct row {
	const char *id, *entry, *bad;
	cl_int want;
	const char *ref;
	cl_int (*run)(struct fx *f);
};

#define AS_ROW(id, entry, bad, want, ref, expr) { #id, entry, bad, want, ref, row_##id },

/*
 * Pointers that are bad only as SVM-allocation pointers: on a device with
 * fine-grain system SVM (rusticl 25 and later) every host pointer is a valid
 * SVM pointer, and these calls succeed.
 */
static const char *const valid_with_system_svm[] = {
	"argsvm_host_pointer", "argsvm_freed_pointer", "argsvm_other_context",
	"argsvm_two_past_end", "exec_ptrs_host_pointer", "exec_ptrs_freed_pointer",
	"exec_ptrs_two_past_end", "exec_system_true", "fill_host_pointer", "fill_other_context",
	"map_host_pointer", "unmap_host_pointer", "migrate_host_pointer",
};

/*
 * A freed allocation's address under fine-grain system SVM: host memory the
 * application no longer has, which anything may map again (the driver's JIT
 * code, say).  svmx refuses it while it is unmapped, but what a command on
 * it does is not defined: these rows do not run there.
 */
static const char *const undefined_with_system_svm[] = {
	"fill_freed_pointer", "map_freed_pointer", "unmap_freed_pointer", "migrate_freed_pointer",
};

static bool system_svm_makes_undefined(const char *id)
{
	for (size_t i = 0; i < sizeof(undefined_with_system_svm) / sizeof(*undefined_with_system_svm);
	     i++)
		if (strcmp(id, undefined_with_system_svm[i]) == 0)
			return true;
	return false;
}

static bool system_svm_makes_valid(const char *id)
{
	for (size_t i = 0; i < sizeof(valid_with_system_svm) / sizeof(*valid_with_system_svm); i++)
		if (strcmp(id, valid_with_system_svm[i]) == 0)
			return true;
	return false;
}
static const struct row rows[] = { ROWS(AS_ROW) };
#define NROWS (sizeof(rows) / sizeof(rows[0]))

static const char *result_name(cl_int r)
{
	static char unnamed[32];

	if (r == RETURNS_NULL)
		return "returns NULL";
	if (r == NO_EFFECT)
		return "ignored, allocation unaffected";
	if (r == CL_INVALID_DEVICE_TYPE)
		return "CL_INVALID_DEVICE_TYPE";
	if (r == CL_PROFILING_INFO_NOT_AVAILABLE)
		return "CL_PROFILING_INFO_NOT_AVAILABLE";
	if (r == CL_INVALID_KERNEL_NAME)
		return "CL_INVALID_KERNEL_NAME";
	if (strcmp(cltest_err_name(r), "an unnamed status") == 0) {
		snprintf(unnamed, sizeof(unnamed), "status %d", r);
		return unnamed;
	}
	return cltest_err_name(r);
}

static bool setup(struct cltest_env *env, struct fx *f)
{
	static const char *src = "kernel void k(global int *p, int x) { p[0] = x; }\n";
	cl_int err;

	memset(f, 0, sizeof(*f));
	f->ctx = env->context;
	f->platform = env->platform;
	f->on_platform[0] = CL_CONTEXT_PLATFORM;
	f->on_platform[1] = (cl_context_properties)env->platform;
	f->on_platform[2] = 0;
	f->dev = env->device;
	f->q = env->queue;
	f->clean = cltest_keep(clCreateCommandQueueWithProperties(env->context, env->device, NULL,
								  &err));
	f->ctx2 = cltest_keep(clCreateContext(NULL, 1, &env->device, NULL, NULL, &err));
	f->prog = cltest_build(env, src, "-cl-std=CL2.0");
	f->k = f->prog ? cltest_keep(clCreateKernel(f->prog, "k", &err)) : NULL;
	f->p = cltest_svm_alloc(env, CL_MEM_READ_WRITE, 4096, 0);
	f->fine = cltest_svm_alloc(env, CL_MEM_SVM_FINE_GRAIN_BUFFER, 4096, 0);
	f->atomic = cltest_svm_alloc(env, CL_MEM_SVM_FINE_GRAIN_BUFFER | CL_MEM_SVM_ATOMICS, 4096,
				     0);
	f->other = f->ctx2 ? cltest_keep_svm(f->ctx2,
					     clSVMAlloc(f->ctx2, CL_MEM_READ_WRITE, 4096, 0))
			   : NULL;
	f->freed = clSVMAlloc(f->ctx, CL_MEM_READ_WRITE, 4096, 0);
	clSVMFree(f->ctx, f->freed);
	f->buf = cltest_keep(clCreateBuffer(f->ctx, CL_MEM_READ_WRITE, 4096, NULL, &err));
	f->done = cltest_keep(clCreateUserEvent(f->ctx, &err));
	f->failed = cltest_keep(clCreateUserEvent(f->ctx, &err));
	f->foreign = f->ctx2 ? cltest_keep(clCreateUserEvent(f->ctx2, &err)) : NULL;
	if (!f->ctx2 || !f->k || !f->p || !f->fine || !f->atomic || !f->other || !f->freed || !f->buf ||
	    !f->done || !f->failed || !f->foreign)
		return false;
	clSetUserEventStatus(f->done, CL_COMPLETE);
	clSetUserEventStatus(f->failed, -1);
	clSetUserEventStatus(f->foreign, CL_COMPLETE);
	f->wl_done[0] = f->done;
	f->wl_null[0] = NULL;
	f->wl_mem[0] = (cl_event)f->buf;
	f->wl_foreign[0] = f->foreign;
	f->wl_failed[0] = f->failed;
	f->ptrs_host[0] = f->host;
	f->ptrs_interior[0] = f->p + 1;
	f->ptrs_freed[0] = f->freed;
	f->ptrs_null[0] = NULL;
	f->ptrs_p[0] = f->p;
	f->ptrs_two_past[0] = (char *)f->p + 4097;
	f->size_past[0] = 4097;
	f->yes = CL_TRUE;
	f->no = CL_FALSE;
	f->null_device[0] = NULL;
	return true;
}

CLTEST(every_bad_input_gets_its_exact_result)
{
	struct fx f;
	int wrong = 0;

	CHECK(setup(env, &f));
	bool system = cltest_system_svm(env);

	for (size_t i = 0; i < NROWS; i++) {
		if (system && system_svm_makes_undefined(rows[i].id))
			continue;
		cl_int got = rows[i].run(&f);
		cl_int want = system && system_svm_makes_valid(rows[i].id) ? CL_SUCCESS : rows[i].want;

		if (got != want) {
			fprintf(stderr, "%s (%s: %s): got %s, want %s\n", rows[i].id, rows[i].entry,
				rows[i].bad, result_name(got), result_name(want));
			wrong++;
		}
	}
	/* Nothing above may have hurt the valid objects. */
	cl_int still = p_still_usable(&f);

	printf("%zu rows, %d wrong\n", NROWS, wrong);
	CHECK(wrong == 0);
	CHECK(still == NO_EFFECT);
}

static bool in_table(const char *entry)
{
	for (size_t i = 0; i < NROWS; i++)
		if (strcmp(rows[i].entry, entry) == 0)
			return true;
	return false;
}

/* Every entry point an icd/ file installs ("d->clXxx = ...") has rows. */
CLTEST(every_intercepted_entry_point_has_rows)
{
	DIR *dir = opendir(SVMX_ICD_DIR);
	struct dirent *de;
	int found = 0, missing = 0;

	(void)env;
	CHECK(dir);
	while ((de = readdir(dir)) != NULL) {
		size_t len = strlen(de->d_name);
		char path[512], line[512];
		FILE *f;

		if (len < 3 || strcmp(de->d_name + len - 2, ".c") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", SVMX_ICD_DIR, de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			char *at = strstr(line, "d->cl"), name[128];

			if (!at || sscanf(at + 3, "%127[A-Za-z0-9_] =", name) != 1 ||
			    !strstr(at, " = "))
				continue;
			found++;
			if (!in_table(name)) {
				fprintf(stderr, "%s installs %s, which has no row\n", de->d_name, name);
				missing++;
			}
		}
		fclose(f);
	}
	closedir(dir);
	printf("%d intercepted entry points checked\n", found);
	CHECK(found >= 30);
	CHECK(missing == 0);
}

static void print_markdown(void)
{
	const char *last = "";

	printf("| Entry point | Bad argument | Expected result | Specified by |\n");
	printf("|---|---|---|---|\n");
	for (size_t i = 0; i < NROWS; i++) {
		const struct row *r = &rows[i];

		printf("| %s | %s | %s%s | %s |\n", strcmp(r->entry, last) ? r->entry : "", r->bad,
		       result_name(r->want),
		       system_svm_makes_valid(r->id) ?
		       " (CL_SUCCESS on a device with fine-grain system SVM)" :
		       system_svm_makes_undefined(r->id) ?
		       " (not run on a device with fine-grain system SVM: the address may be mapped again)" :
		       "",
		       strcmp(r->ref, "svmx") ? r->ref : "svmx (undefined in the specification)");
		last = r->entry;
	}
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--markdown") == 0) {
		print_markdown();
		return 0;
	}
	return cltest_run(argc, argv, "rusticl");
}
