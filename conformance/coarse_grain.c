/*
 * Coarse- and fine-grain SVM semantics through svmx on rusticl.  Coarse
 * grain: the host maps before it touches the memory and unmaps before the
 * device uses it, and each side then sees the other's writes.  Fine grain:
 * no map at all; the host sees the device's writes once the command is
 * complete, and the device sees the host's writes made before the enqueue.
 */
#include "cltest.h"

#include <string.h>

static const char *source =
	"kernel void scale(global int *p, int mul, int add)\n"
	"{ size_t i = get_global_id(0); p[i] = p[i] * mul + add; }\n"
	"kernel void sum_into(global const int *src, global int *dst, int n)\n"
	"{ int s = 0; for (int i = 0; i < n; i++) s += src[i]; dst[get_global_id(0)] = s; }\n";

struct fixture {
	cl_program program;
	cl_kernel scale, sum_into;
};

static bool setup(struct cltest_env *env, struct fixture *f)
{
	f->program = cltest_build(env, source, "-cl-std=CL2.0");
	f->scale = f->program ? cltest_keep(clCreateKernel(f->program, "scale", NULL)) : NULL;
	f->sum_into = f->program ? cltest_keep(clCreateKernel(f->program, "sum_into", NULL)) : NULL;
	return f->scale && f->sum_into;
}

static cl_int scale(struct cltest_env *env, struct fixture *f, int *p, size_t n, int mul,
		    int add, cl_uint nwait, const cl_event *wait, cl_event *ev)
{
	cl_int err = clSetKernelArgSVMPointer(f->scale, 0, p);

	if (err == CL_SUCCESS)
		err = clSetKernelArg(f->scale, 1, sizeof(mul), &mul);
	if (err == CL_SUCCESS)
		err = clSetKernelArg(f->scale, 2, sizeof(add), &add);
	if (err == CL_SUCCESS)
		err = clEnqueueNDRangeKernel(env->queue, f->scale, 1, NULL, &n, NULL, nwait, wait,
					     ev);
	return err;
}

CLTEST(coarse_grain_map_write_unmap_kernel_map_read)
{
	enum { N = 4096 };
	struct fixture f = { 0 };
	int *a = cltest_svm_alloc(env, CL_MEM_READ_WRITE, N * sizeof(int), 0);
	cl_event mapped, unmapped, ran, read_map;

	CHECK(setup(env, &f) && a);
	/* Non-blocking map, waited through its event. */
	CHECK_OK(clEnqueueSVMMap(env->queue, CL_FALSE, CL_MAP_WRITE, a, N * sizeof(int), 0, NULL,
				 &mapped));
	CHECK_OK(clWaitForEvents(1, &mapped));
	for (int i = 0; i < N; i++)
		a[i] = i;
	CHECK_OK(clEnqueueSVMUnmap(env->queue, a, 1, &mapped, &unmapped));
	CHECK_OK(scale(env, &f, a, N, 3, 1, 1, &unmapped, &ran));
	CHECK_OK(clEnqueueSVMMap(env->queue, CL_FALSE, CL_MAP_READ, a, N * sizeof(int), 1, &ran,
				 &read_map));
	CHECK_OK(clWaitForEvents(1, &read_map));
	for (int i = 0; i < N; i++)
		CHECK(a[i] == 3 * i + 1);
	CHECK_OK(clEnqueueSVMUnmap(env->queue, a, 0, NULL, NULL));
	CHECK_OK(clFinish(env->queue));
	cl_event evs[] = { mapped, unmapped, ran, read_map };

	for (int i = 0; i < 4; i++)
		clReleaseEvent(evs[i]);
}

CLTEST(coarse_grain_regions_map_independently)
{
	enum { N = 2048 };
	struct fixture f = { 0 };
	int *a = cltest_svm_alloc(env, CL_MEM_READ_WRITE, N * sizeof(int), 0);

	CHECK(setup(env, &f) && a);
	/* Two halves mapped and written separately, invalidating old contents. */
	for (int half = 0; half < 2; half++) {
		int *p = a + half * (N / 2);

		CHECK_OK(clEnqueueSVMMap(env->queue, CL_TRUE, CL_MAP_WRITE_INVALIDATE_REGION, p,
					 N / 2 * sizeof(int), 0, NULL, NULL));
		for (int i = 0; i < N / 2; i++)
			p[i] = half ? -i : i;
		CHECK_OK(clEnqueueSVMUnmap(env->queue, p, 0, NULL, NULL));
	}
	/* The kernel works on the second half only (an interior pointer). */
	CHECK_OK(scale(env, &f, a + N / 2, N / 2, 2, 0, 0, NULL, NULL));
	CHECK_OK(clEnqueueSVMMap(env->queue, CL_TRUE, CL_MAP_READ, a, N * sizeof(int), 0, NULL,
				 NULL));
	for (int i = 0; i < N / 2; i++)
		CHECK(a[i] == i && a[N / 2 + i] == -2 * i);
	CHECK_OK(clEnqueueSVMUnmap(env->queue, a, 0, NULL, NULL));
	CHECK_OK(clFinish(env->queue));
}

CLTEST(coarse_grain_filled_and_copied_by_commands)
{
	enum { N = 1024 };
	struct fixture f = { 0 };
	int *a = cltest_svm_alloc(env, CL_MEM_READ_WRITE, N * sizeof(int), 0);
	int *b = cltest_svm_alloc(env, CL_MEM_READ_ONLY, N * sizeof(int), 0);
	int *sum = cltest_svm_alloc(env, CL_MEM_WRITE_ONLY, 4 * sizeof(int), 0);
	int seven = 7, n = N;
	size_t four = 4;

	CHECK(setup(env, &f) && a && b && sum);
	/* No host access at all: commands only, so no map is needed. */
	CHECK_OK(clEnqueueSVMMemFill(env->queue, a, &seven, sizeof(seven), N * sizeof(int), 0,
				     NULL, NULL));
	CHECK_OK(scale(env, &f, a, N, 1, 1, 0, NULL, NULL));
	CHECK_OK(clEnqueueSVMMemcpy(env->queue, CL_FALSE, b, a, N * sizeof(int), 0, NULL, NULL));
	CHECK_OK(clSetKernelArgSVMPointer(f.sum_into, 0, b));
	CHECK_OK(clSetKernelArgSVMPointer(f.sum_into, 1, sum));
	CHECK_OK(clSetKernelArg(f.sum_into, 2, sizeof(n), &n));
	CHECK_OK(clEnqueueNDRangeKernel(env->queue, f.sum_into, 1, NULL, &four, NULL, 0, NULL,
					NULL));
	CHECK_OK(clEnqueueSVMMap(env->queue, CL_TRUE, CL_MAP_READ, sum, 4 * sizeof(int), 0, NULL,
				 NULL));
	for (int i = 0; i < 4; i++)
		CHECK(sum[i] == 8 * N);
	CHECK_OK(clEnqueueSVMUnmap(env->queue, sum, 0, NULL, NULL));
	CHECK_OK(clFinish(env->queue));
}

CLTEST(fine_grain_needs_no_map)
{
	enum { N = 4096 };
	struct fixture f = { 0 };
	cl_svm_mem_flags kinds[2] = { CL_MEM_SVM_FINE_GRAIN_BUFFER,
				      CL_MEM_SVM_FINE_GRAIN_BUFFER | CL_MEM_SVM_ATOMICS };

	CHECK(setup(env, &f));
	for (int kind = 0; kind < 2; kind++) {
		int *a = cltest_svm_alloc(env, kinds[kind], N * sizeof(int), 0);
		cl_event ran;

		CHECK(a);
		for (int i = 0; i < N; i++)
			a[i] = i;
		CHECK_OK(scale(env, &f, a, N, 5, kind, 0, NULL, &ran));
		CHECK_OK(clWaitForEvents(1, &ran));
		clReleaseEvent(ran);
		for (int i = 0; i < N; i++)
			CHECK(a[i] == 5 * i + kind);
		/* Host writes between kernels, still without map. */
		a[17] = 1000;
		CHECK_OK(scale(env, &f, a + 16, 2, 1, 1, 0, NULL, NULL));
		CHECK_OK(clFinish(env->queue));
		CHECK(a[16] == 5 * 16 + kind + 1 && a[17] == 1001 && a[18] == 5 * 18 + kind);
		cltest_release(a);
	}
}

int main(int argc, char **argv)
{
	return cltest_run(argc, argv, "rusticl");
}
