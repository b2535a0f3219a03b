/*
 * Buffer objects over SVM memory through svmx on rusticl: a
 * CL_MEM_USE_HOST_PTR buffer on an SVM pointer shares the memory, reports
 * CL_MEM_USES_SVM_POINTER, may not run past the allocation, maps to the SVM
 * address, and works (with its sub-buffers) as a kernel argument, also for
 * arguments marked nosvm.
 */
#include "cltest.h"

#include <string.h>

static const char *source =
	"kernel void set(global int *p, int v) { p[get_global_id(0)] = v + get_global_id(0); }\n"
	"kernel void set_nosvm(global int *__attribute__((nosvm)) p, int v)\n"
	"{ p[get_global_id(0)] = v; }\n";

static cl_bool uses_svm(cl_mem mem)
{
	cl_bool b = 42;

	if (clGetMemObjectInfo(mem, CL_MEM_USES_SVM_POINTER, sizeof(b), &b, NULL) != CL_SUCCESS)
		return 43;
	return b;
}

static cl_int run_set(struct cltest_env *env, cl_kernel k, cl_mem mem, int v, size_t n)
{
	cl_int err = clSetKernelArg(k, 0, sizeof(mem), &mem);

	if (err == CL_SUCCESS)
		err = clSetKernelArg(k, 1, sizeof(v), &v);
	if (err == CL_SUCCESS)
		err = clEnqueueNDRangeKernel(env->queue, k, 1, NULL, &n, NULL, 0, NULL, NULL);
	return err == CL_SUCCESS ? clFinish(env->queue) : err;
}

CLTEST(buffer_on_svm_pointer_shares_the_memory)
{
	cl_kernel set = cltest_kernel(env, source, "set", "-cl-std=CL2.0");
	cl_svm_mem_flags kinds[2] = { CL_MEM_READ_WRITE, CL_MEM_SVM_FINE_GRAIN_BUFFER };

	CHECK(set);
	for (int kind = 0; kind < 2; kind++) {
		int *a = cltest_svm_alloc(env, kinds[kind], 1024 * sizeof(int), 0);
		cl_int err;

		CHECK(a);
		CHECK_OK(clEnqueueSVMMap(env->queue, CL_TRUE, CL_MAP_WRITE, a, 1024 * sizeof(int), 0,
					 NULL, NULL));
		for (int i = 0; i < 1024; i++)
			a[i] = -1;
		CHECK_OK(clEnqueueSVMUnmap(env->queue, a, 0, NULL, NULL));
		/* The whole allocation, and an interior range of it. */
		cl_mem whole = cltest_keep(clCreateBuffer(env->context,
							  CL_MEM_USE_HOST_PTR | CL_MEM_READ_WRITE,
							  1024 * sizeof(int), a, &err));
		CHECK_OK(err);
		cl_mem part = cltest_keep(clCreateBuffer(env->context, CL_MEM_USE_HOST_PTR,
							 100 * sizeof(int), a + 500, &err));
		CHECK_OK(err);
		CHECK_OK(run_set(env, set, whole, 1000, 10));
		CHECK_OK(run_set(env, set, part, 2000, 100));
		CHECK_OK(clEnqueueSVMMap(env->queue, CL_TRUE, CL_MAP_READ, a, 1024 * sizeof(int), 0,
					 NULL, NULL));
		for (int i = 0; i < 1024; i++) {
			int want = i < 10 ? 1000 + i : i >= 500 && i < 600 ? 2000 + i - 500 : -1;

			if (a[i] != want)
				fprintf(stderr, "kind %d: a[%d] = %d, want %d\n", kind, i, a[i], want);
			CHECK(a[i] == want);
		}
		/* And the other way: what the host writes, the buffer reads. */
		a[550] = 12345;
		CHECK_OK(clEnqueueSVMUnmap(env->queue, a, 0, NULL, NULL));
		int got = 0;

		CHECK_OK(clEnqueueReadBuffer(env->queue, part, CL_TRUE, 50 * sizeof(int), sizeof(got),
					     &got, 0, NULL, NULL));
		CHECK(got == 12345);
		cltest_release(part);
		cltest_release(whole);
		cltest_release(a);
	}
}

CLTEST(uses_svm_pointer_is_true_only_for_svm_memory)
{
	char *a = cltest_svm_alloc(env, CL_MEM_READ_WRITE, 8192, 0);
	static char host[8192];
	cl_buffer_region region = { 4096, 1024 };
	cl_int err;

	CHECK(a);
	cl_mem svm = cltest_keep(clCreateBuffer(env->context, CL_MEM_USE_HOST_PTR, 8192, a,
						&err));
	CHECK_OK(err);
	cl_mem interior = cltest_keep(clCreateBuffer(env->context, CL_MEM_USE_HOST_PTR, 100, a + 7,
						     &err));
	CHECK_OK(err);
	cl_mem sub = cltest_keep(clCreateSubBuffer(svm, 0, CL_BUFFER_CREATE_TYPE_REGION, &region,
						   &err));
	CHECK_OK(err);
	cl_mem plain_host = cltest_keep(clCreateBuffer(env->context, CL_MEM_USE_HOST_PTR, 8192,
						       host, &err));
	CHECK_OK(err);
	cl_mem plain_sub = cltest_keep(clCreateSubBuffer(plain_host, 0, CL_BUFFER_CREATE_TYPE_REGION,
							 &region, &err));
	CHECK_OK(err);
	cl_mem plain = cltest_keep(clCreateBuffer(env->context, CL_MEM_READ_WRITE, 8192, NULL,
						  &err));
	CHECK_OK(err);
	cl_mem copied = cltest_keep(clCreateBuffer(env->context, CL_MEM_COPY_HOST_PTR, 8192, a,
						   &err));
	CHECK_OK(err);

	CHECK(uses_svm(svm) == CL_TRUE);
	CHECK(uses_svm(interior) == CL_TRUE);
	CHECK(uses_svm(sub) == CL_TRUE);
	CHECK(uses_svm(plain_host) == CL_FALSE);
	CHECK(uses_svm(plain_sub) == CL_FALSE);
	CHECK(uses_svm(plain) == CL_FALSE);
	CHECK(uses_svm(copied) == CL_FALSE);
	/* The driver still checks the query's arguments. */
	cl_bool b;
	size_t size = 0;

	CHECK_ERR(clGetMemObjectInfo(svm, CL_MEM_USES_SVM_POINTER, 1, &b, NULL), CL_INVALID_VALUE);
	CHECK_OK(clGetMemObjectInfo(svm, CL_MEM_USES_SVM_POINTER, 0, NULL, &size));
	CHECK(size == sizeof(cl_bool));
}

CLTEST(buffer_running_past_the_allocation_is_refused)
{
	char *a = cltest_svm_alloc(env, CL_MEM_READ_WRITE, 5000, 0);
	cl_int err = CL_SUCCESS;

	CHECK(a);
	CHECK(!cltest_keep(clCreateBuffer(env->context, CL_MEM_USE_HOST_PTR, 5001, a, &err)));
	CHECK_ERR(err, CL_INVALID_BUFFER_SIZE);
	CHECK(!cltest_keep(clCreateBuffer(env->context, CL_MEM_USE_HOST_PTR, 4901, a + 100,
					  &err)));
	CHECK_ERR(err, CL_INVALID_BUFFER_SIZE);
	CHECK(!cltest_keep(clCreateBuffer(env->context, CL_MEM_USE_HOST_PTR, 2, a + 4999, NULL)));
	cl_mem_properties none[] = { 0 };

	CHECK(!cltest_keep(clCreateBufferWithProperties(env->context, none, CL_MEM_USE_HOST_PTR,
							5001, a, &err)));
	CHECK_ERR(err, CL_INVALID_BUFFER_SIZE);
	/* Exactly up to the end is fine. */
	cl_mem ok = cltest_keep(clCreateBuffer(env->context, CL_MEM_USE_HOST_PTR, 4900, a + 100,
					       &err));

	CHECK_OK(err);
	cltest_release(ok);
	ok = cltest_keep(clCreateBufferWithProperties(env->context, none, CL_MEM_USE_HOST_PTR, 5000,
						      a, &err));
	CHECK_OK(err);
	CHECK(uses_svm(ok) == CL_TRUE);
	cltest_release(ok);
	/* A pointer svmx does not know is the driver's business. */
	static char host[64];

	ok = cltest_keep(clCreateBuffer(env->context, CL_MEM_USE_HOST_PTR, 64, host, &err));
	CHECK_OK(err);
	cltest_release(ok);
}

CLTEST(sub_buffers_of_svm_buffers_work_in_kernels)
{
	cl_kernel set = cltest_kernel(env, source, "set", "-cl-std=CL2.0");
	int *a = cltest_svm_alloc(env, CL_MEM_SVM_FINE_GRAIN_BUFFER, 4096 * sizeof(int), 0);
	size_t origins[] = { 0, 12, 4096, 3 * 4096 };
	cl_uint align_bits = 0;
	size_t align;
	cl_int err;

	CHECK(set && a);
	CHECK_OK(clGetDeviceInfo(env->device, CL_DEVICE_MEM_BASE_ADDR_ALIGN, sizeof(align_bits),
				 &align_bits, NULL));
	align = align_bits / 8 ? align_bits / 8 : 1;
	memset(a, 0, 4096 * sizeof(int));
	cl_mem buf = cltest_keep(clCreateBuffer(env->context, CL_MEM_USE_HOST_PTR,
						4096 * sizeof(int), a, &err));
	CHECK_OK(err);
	for (size_t i = 0; i < sizeof(origins) / sizeof(origins[0]); i++) {
		cl_buffer_region region = { origins[i], 64 };
		cl_mem sub = cltest_keep(clCreateSubBuffer(buf, 0, CL_BUFFER_CREATE_TYPE_REGION,
							   &region, &err));

		/* Below the device's base address alignment the driver may refuse. */
		if (err == CL_MISALIGNED_SUB_BUFFER_OFFSET && origins[i] % align)
			continue;
		CHECK_OK(err);
		CHECK_OK(run_set(env, set, sub, 100 * (int)(i + 1), 16));
		cltest_release(sub);
		for (int j = 0; j < 16; j++)
			CHECK(*(int *)((char *)a + origins[i] + j * sizeof(int)) ==
			      100 * (int)(i + 1) + j);
	}
	cltest_release(buf);
}

CLTEST(map_buffer_returns_the_svm_address)
{
	char *a = cltest_svm_alloc(env, CL_MEM_READ_WRITE, 8192, 0);
	cl_int err;

	CHECK(a);
	cl_mem buf = cltest_keep(clCreateBuffer(env->context, CL_MEM_USE_HOST_PTR, 8000, a + 64,
						&err));
	CHECK_OK(err);
	void *p = clEnqueueMapBuffer(env->queue, buf, CL_TRUE, CL_MAP_READ | CL_MAP_WRITE, 100, 200,
				     0, NULL, NULL, &err);
	CHECK_OK(err);
	CHECK(p == a + 164);
	CHECK_OK(clEnqueueUnmapMemObject(env->queue, buf, p, 0, NULL, NULL));
	CHECK_OK(clFinish(env->queue));
	cltest_release(buf);
}

CLTEST(nosvm_argument_takes_a_buffer)
{
	cl_kernel k = cltest_kernel(env, source, "set_nosvm", "-cl-std=CL2.0");
	int *a = cltest_svm_alloc(env, CL_MEM_READ_WRITE, 64 * sizeof(int), 0);
	cl_int err;
	int host[64] = { 0 }, v = 9;
	size_t n = 64;

	CHECK(k && a);
	/* An ordinary buffer. */
	cl_mem buf = cltest_keep(clCreateBuffer(env->context, CL_MEM_READ_WRITE, sizeof(host), NULL,
						&err));
	CHECK_OK(err);
	CHECK_OK(clSetKernelArg(k, 0, sizeof(buf), &buf));
	CHECK_OK(clSetKernelArg(k, 1, sizeof(v), &v));
	CHECK_OK(clEnqueueNDRangeKernel(env->queue, k, 1, NULL, &n, NULL, 0, NULL, NULL));
	CHECK_OK(clEnqueueReadBuffer(env->queue, buf, CL_TRUE, 0, sizeof(host), host, 0, NULL,
				     NULL));
	CHECK(host[0] == 9 && host[63] == 9);
	cltest_release(buf);
	/* A buffer over SVM memory. */
	buf = cltest_keep(clCreateBuffer(env->context, CL_MEM_USE_HOST_PTR, 64 * sizeof(int), a,
					 &err));
	CHECK_OK(err);
	v = 10;
	CHECK_OK(clSetKernelArg(k, 0, sizeof(buf), &buf));
	CHECK_OK(clSetKernelArg(k, 1, sizeof(v), &v));
	CHECK_OK(clEnqueueNDRangeKernel(env->queue, k, 1, NULL, &n, NULL, 0, NULL, NULL));
	CHECK_OK(clEnqueueSVMMap(env->queue, CL_TRUE, CL_MAP_READ, a, 64 * sizeof(int), 0, NULL,
				 NULL));
	CHECK(a[0] == 10 && a[63] == 10);
	CHECK_OK(clEnqueueSVMUnmap(env->queue, a, 0, NULL, NULL));
	CHECK_OK(clFinish(env->queue));
	cltest_release(buf);
}

int main(int argc, char **argv)
{
	return cltest_run(argc, argv, "rusticl");
}
