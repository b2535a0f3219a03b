/*
 * A context lives until its last reference goes (OpenCL 3.0, clReleaseContext):
 * after the application releases its own handle, the queues, kernels and
 * buffers it still holds keep the context, and with it SVM.  PoCL behaves
 * so.  svmx keeps serving such a context and frees its allocations when the
 * driver destroys it.
 */
#include "cltest.h"

#include <string.h>

static const char *source =
	"kernel void add(global int *p, int v) { p[get_global_id(0)] += v; }\n";

struct released {
	cl_context c;
	cl_command_queue q;
	cl_program program;
	cl_kernel add;
};

static bool open_and_release(struct cltest_env *env, struct released *r)
{
	cl_int err;
	struct cltest_env e2;

	memset(r, 0, sizeof(*r));
	r->c = cltest_keep(clCreateContext(NULL, 1, &env->device, NULL, NULL, &err));
	r->q = r->c ? cltest_keep(clCreateCommandQueueWithProperties(r->c, env->device, NULL,
								     &err)) : NULL;
	e2 = (struct cltest_env){ env->platform, env->device, r->c, r->q };
	r->program = r->q ? cltest_build(&e2, source, "-cl-std=CL2.0") : NULL;
	r->add = r->program ? cltest_keep(clCreateKernel(r->program, "add", &err)) : NULL;
	return r->add != NULL;
}

static cl_int run_add(struct released *r, int *p, int v, size_t n)
{
	cl_int err = clSetKernelArgSVMPointer(r->add, 0, p);

	if (err == CL_SUCCESS)
		err = clSetKernelArg(r->add, 1, sizeof(v), &v);
	if (err == CL_SUCCESS)
		err = clEnqueueNDRangeKernel(r->q, r->add, 1, NULL, &n, NULL, 0, NULL, NULL);
	return err == CL_SUCCESS ? clFinish(r->q) : err;
}

CLTEST(svm_keeps_working_after_the_application_releases_its_context)
{
	struct released r;
	static int host[256];
	struct cltest_mark ma, mb;
	int *a, *b, *late;
	cl_event ev;
	int seven = 7;
	/* With fine-grain system SVM a freed pointer is still a valid SVM pointer. */
	cl_int freed_arg = cltest_system_svm(env) ? CL_SUCCESS : CL_INVALID_ARG_VALUE;

	CHECK(open_and_release(env, &r));
	a = clSVMAlloc(r.c, CL_MEM_SVM_FINE_GRAIN_BUFFER, 4096, 0);
	b = clSVMAlloc(r.c, CL_MEM_READ_WRITE, 4096, 0);
	CHECK(a && b);
	memset(a, 0, 4096);
	cltest_mark(&ma, (char *)a + 4096 - 16);
	cltest_mark(&mb, (char *)b + 4096 - 16);
	CHECK_OK(run_add(&r, a, 1, 256));
	/* The application's only handle goes; its queue and kernel hold the context. */
	CHECK_OK(cltest_release(r.c));

	CHECK_OK(run_add(&r, a, 2, 256));
	CHECK(a[0] == 3 && a[255] == 3);
	for (int i = 0; i < 256; i++)
		host[i] = i;
	CHECK_OK(clEnqueueSVMMemcpy(r.q, CL_TRUE, b, host, sizeof(host), 0, NULL, NULL));
	CHECK(b[255] == 255);
	CHECK_OK(clEnqueueSVMMemFill(r.q, b, &seven, sizeof(seven), 64, 0, NULL, NULL));
	CHECK_OK(clEnqueueSVMMap(r.q, CL_TRUE, CL_MAP_READ, b, 64, 0, NULL, NULL));
	CHECK(b[0] == 7 && b[15] == 7 && b[16] == 16);
	CHECK_OK(clEnqueueSVMUnmap(r.q, b, 0, NULL, NULL));
	CHECK_OK(clEnqueueSVMMigrateMem(r.q, 1, (const void **)&a, NULL, 0, 0, NULL, NULL));
	void *both[2] = { a, b };

	CHECK_OK(clSetKernelExecInfo(r.add, CL_KERNEL_EXEC_INFO_SVM_PTRS, sizeof(both), both));
	/* New allocations, used and freed. */
	late = clSVMAlloc(r.c, CL_MEM_SVM_FINE_GRAIN_BUFFER, 1024, 0);
	CHECK(late != NULL);
	memset(late, 0, 1024);
	CHECK_OK(run_add(&r, late, 5, 256));
	CHECK(late[255] == 5);
	clSVMFree(r.c, late);
	CHECK_ERR(clSetKernelArgSVMPointer(r.add, 0, late), freed_arg);
	CHECK_OK(clEnqueueSVMFree(r.q, 1, (void **)&b, NULL, NULL, 0, NULL, &ev));
	CHECK_OK(clWaitForEvents(1, &ev));
	clReleaseEvent(ev);
	CHECK_ERR(clSetKernelArgSVMPointer(r.add, 0, b), freed_arg);
	CHECK(cltest_gone_within(&mb, 5));
	CHECK_OK(clFinish(r.q));

	/* The memory stays while the context does... */
	CHECK(!cltest_unmarked(&ma));
	cltest_release(r.add);
	cltest_release(r.program);
	CHECK(!cltest_unmarked(&ma));
	/* ...and goes with it. */
	CHECK_OK(cltest_release(r.q));
	CHECK(cltest_gone_within(&ma, 5));
}

/* The application may take the context back from an object that holds it. */
CLTEST(context_retained_again_through_its_queue)
{
	struct released r;
	struct cltest_mark m;
	cl_context again = NULL;
	int *a;

	CHECK(open_and_release(env, &r));
	a = clSVMAlloc(r.c, CL_MEM_SVM_FINE_GRAIN_BUFFER, 4096, 0);
	CHECK(a);
	memset(a, 0, 4096);
	cltest_mark(&m, (char *)a + 4096 - 16);
	CHECK_OK(cltest_release(r.c));
	CHECK_OK(clGetCommandQueueInfo(r.q, CL_QUEUE_CONTEXT, sizeof(again), &again, NULL));
	CHECK(again == r.c);
	CHECK_OK(clRetainContext(again));
	CHECK_OK(run_add(&r, a, 1, 256));
	CHECK_OK(clReleaseContext(again));
	CHECK_OK(run_add(&r, a, 1, 256));
	CHECK(a[0] == 2 && a[255] == 2);
	cltest_release(r.add);
	cltest_release(r.program);
	CHECK(!cltest_unmarked(&m));
	CHECK_OK(cltest_release(r.q));
	CHECK(cltest_gone_within(&m, 5));
}

int main(int argc, char **argv)
{
	return cltest_run(argc, argv, "rusticl");
}
