/*
 * SVM kernel arguments through svmx on rusticl: interior pointers arrive
 * exactly, pointers stored in SVM memory can be followed, exec info and
 * clones behave as the specification says.
 */
#include "cltest.h"

#include <stdint.h>
#include <string.h>

static const char *source =
	"kernel void where(global char *p, global ulong *out)\n"
	"{\n"
	"	out[0] = (ulong)p;\n"
	"	if (p)\n"
	"		p[0] = (char)(out[1] & 0x7f);\n"
	"}\n"
	"kernel void takes_int(int x, global int *out) { out[0] = x; }\n"
	"kernel void before_end(global char *end, global ulong *out)\n"
	"{\n"
	"	out[0] = (ulong)end;\n"
	"	end[-1] = (char)(out[1] & 0x7f);\n"
	"}\n"
	"typedef struct node { global struct node *next; int value; int pad; } node;\n"
	"typedef struct control { global node *spare_a; global node *spare_b; } control;\n"
	/* head lives in allocation A; the spare nodes are reached only through
	 * pointers stored in A (control), some of them pointing into B. */
	"kernel void walk_and_extend(global node *head, global control *ctl, int extra,\n"
	"			     global long *sum)\n"
	"{\n"
	"	global node *n = head, *last = head;\n"
	"	long s = 0;\n"
	"	while (n) {\n"
	"		s += n->value;\n"
	"		last = n;\n"
	"		n = n->next;\n"
	"	}\n"
	"	for (int i = 0; i < extra; i++) {\n"
	"		global node *x = (i % 2) ? &ctl->spare_a[i / 2] : &ctl->spare_b[i / 2];\n"
	"		x->value = 1000 + i;\n"
	"		x->next = 0;\n"
	"		last->next = x;\n"
	"		last = x;\n"
	"	}\n"
	"	sum[0] = s;\n"
	"}\n";

struct fixture {
	cl_program program;
	cl_kernel where;
	cl_ulong *out;
};

static bool setup(struct cltest_env *env, struct fixture *f)
{
	cl_int err;

	f->program = cltest_build(env, source, "-cl-std=CL2.0");
	if (!f->program)
		return false;
	f->where = cltest_keep(clCreateKernel(f->program, "where", &err));
	f->out = cltest_svm_alloc(env, CL_MEM_SVM_FINE_GRAIN_BUFFER, 2 * sizeof(cl_ulong), 0);
	return f->where && f->out &&
	       clSetKernelArgSVMPointer(f->where, 1, f->out) == CL_SUCCESS;
}

static cl_int run1(struct cltest_env *env, cl_kernel k)
{
	size_t one = 1;
	cl_int err = clEnqueueNDRangeKernel(env->queue, k, 1, NULL, &one, NULL, 0, NULL, NULL);

	return err != CL_SUCCESS ? err : clFinish(env->queue);
}

CLTEST(interior_pointer_at_every_byte_offset_reaches_the_kernel_exactly)
{
	struct fixture f = { 0 };
	const size_t size = 1024;
	char *buf = cltest_svm_alloc(env, CL_MEM_SVM_FINE_GRAIN_BUFFER, size, 0);
	bool ok = setup(env, &f) && buf;

	for (size_t off = 0; ok && off < size; off++) {
		f.out[0] = 0;
		f.out[1] = off;
		ok = clSetKernelArgSVMPointer(f.where, 0, buf + off) == CL_SUCCESS &&
		     run1(env, f.where) == CL_SUCCESS &&
		     f.out[0] == (cl_ulong)(uintptr_t)(buf + off) &&
		     buf[off] == (char)(off & 0x7f);
		if (!ok)
			fprintf(stderr, "offset %zu: kernel saw %#llx, want %p\n", off,
				(unsigned long long)f.out[0], (void *)(buf + off));
	}
	CHECK(ok);
}

CLTEST(pointer_outside_every_allocation_is_invalid_without_system_svm)
{
	struct fixture f = { 0 };
	char *buf = cltest_svm_alloc(env, CL_MEM_READ_WRITE, 64, 0);
	char *gone = clSVMAlloc(env->context, CL_MEM_READ_WRITE, 64, 0);
	char *heap = malloc(64);
	char stack[8];
	cl_int e_heap, e_stack, e_end, e_gone;

	CHECK(setup(env, &f) && buf && gone && heap);
	clSVMFree(env->context, gone);
	e_heap = clSetKernelArgSVMPointer(f.where, 0, heap);
	e_stack = clSetKernelArgSVMPointer(f.where, 0, stack);
	/* buf + 64 is one past the end, which is valid; buf + 65 is not. */
	e_end = clSetKernelArgSVMPointer(f.where, 0, buf + 65);
	e_gone = clSetKernelArgSVMPointer(f.where, 0, gone);
	free(heap);
	cl_int want = cltest_system_svm(env) ? CL_SUCCESS : CL_INVALID_ARG_VALUE;

	CHECK_ERR(e_heap, want);
	CHECK_ERR(e_stack, want);
	CHECK_ERR(e_end, want);
	CHECK_ERR(e_gone, want);
}

CLTEST(pointer_from_another_context_is_invalid_without_system_svm)
{
	struct fixture f = { 0 };
	cl_int err;
	cl_context other = cltest_keep(clCreateContext(NULL, 1, &env->device, NULL, NULL, &err));
	char *theirs = other ? cltest_keep_svm(other, clSVMAlloc(other, CL_MEM_READ_WRITE, 64, 0))
			     : NULL;

	CHECK(setup(env, &f) && theirs);
	err = clSetKernelArgSVMPointer(f.where, 0, theirs);
	CHECK_ERR(err, cltest_system_svm(env) ? CL_SUCCESS : CL_INVALID_ARG_VALUE);
}

CLTEST(bad_kernel_index_or_argument_kind_is_rejected)
{
	struct fixture f = { 0 };
	cl_int err;
	char *buf = cltest_svm_alloc(env, CL_MEM_READ_WRITE, 64, 0);
	cl_kernel takes_int;

	CHECK(setup(env, &f) && buf);
	takes_int = cltest_keep(clCreateKernel(f.program, "takes_int", &err));
	CHECK(takes_int != NULL);
	CHECK_ERR(clSetKernelArgSVMPointer(NULL, 0, buf), CL_INVALID_KERNEL);
	CHECK_ERR(clSetKernelArgSVMPointer(f.where, 2, buf), CL_INVALID_ARG_INDEX);
	CHECK_ERR(clSetKernelArgSVMPointer(f.where, 0xffffffffu, buf), CL_INVALID_ARG_INDEX);
	CHECK_ERR(clSetKernelArgSVMPointer(takes_int, 0, buf), CL_INVALID_ARG_VALUE);
	CHECK_OK(clSetKernelArgSVMPointer(takes_int, 1, buf));
}

CLTEST(null_svm_pointer_reaches_the_kernel_as_null)
{
	struct fixture f = { 0 };

	CHECK(setup(env, &f));
	f.out[0] = 1;
	CHECK_OK(clSetKernelArgSVMPointer(f.where, 0, NULL));
	CHECK_OK(run1(env, f.where));
	CHECK(f.out[0] == 0);
}

CLTEST(plain_buffer_argument_replaces_an_svm_pointer)
{
	struct fixture f = { 0 };
	char *svm = cltest_svm_alloc(env, CL_MEM_SVM_FINE_GRAIN_BUFFER, 64, 0);
	char host[64] = { 0 };
	cl_int err;
	cl_mem mem;

	CHECK(setup(env, &f) && svm);
	mem = cltest_keep(clCreateBuffer(env->context, CL_MEM_USE_HOST_PTR, sizeof(host), host,
					 &err));
	CHECK(mem != NULL);
	CHECK_OK(clSetKernelArgSVMPointer(f.where, 0, svm));
	CHECK_OK(clSetKernelArg(f.where, 0, sizeof(mem), &mem));
	f.out[1] = 42;
	svm[0] = 0;
	CHECK_OK(run1(env, f.where));
	CHECK(svm[0] == 0);
	CHECK_OK(clEnqueueReadBuffer(env->queue, mem, CL_TRUE, 0, 1, host, 0, NULL, NULL));
	CHECK(host[0] == 42);
	cltest_release(mem);	/* before host goes */
}

CLTEST(exec_info_svm_ptrs_set_reset_and_reject)
{
	struct fixture f = { 0 };
	char *a = cltest_svm_alloc(env, CL_MEM_SVM_FINE_GRAIN_BUFFER, 64, 0);
	char *b = cltest_svm_alloc(env, CL_MEM_SVM_FINE_GRAIN_BUFFER, 64, 0);
	char stack[4];
	cl_bool yes = CL_TRUE, no = CL_FALSE;

	CHECK(setup(env, &f) && a && b);
	void *ptrs[] = { a, b + 63 };
	void *outside[] = { a, stack };

	CHECK_OK(clSetKernelExecInfo(f.where, CL_KERNEL_EXEC_INFO_SVM_PTRS, sizeof(ptrs), ptrs));
	CHECK_OK(clSetKernelExecInfo(f.where, CL_KERNEL_EXEC_INFO_SVM_PTRS, 0, NULL));
	CHECK_ERR(clSetKernelExecInfo(f.where, CL_KERNEL_EXEC_INFO_SVM_PTRS, sizeof(ptrs) - 1,
				      ptrs), CL_INVALID_VALUE);
	CHECK_ERR(clSetKernelExecInfo(f.where, CL_KERNEL_EXEC_INFO_SVM_PTRS, sizeof(ptrs), NULL),
		  CL_INVALID_VALUE);
	CHECK_ERR(clSetKernelExecInfo(f.where, CL_KERNEL_EXEC_INFO_SVM_PTRS, sizeof(outside),
				      outside), cltest_system_svm(env) ? CL_SUCCESS : CL_INVALID_VALUE);
	CHECK_ERR(clSetKernelExecInfo(f.where, CL_KERNEL_EXEC_INFO_SVM_FINE_GRAIN_SYSTEM,
				      sizeof(yes), &yes),
		  cltest_system_svm(env) ? CL_SUCCESS : CL_INVALID_OPERATION);
	CHECK_OK(clSetKernelExecInfo(f.where, CL_KERNEL_EXEC_INFO_SVM_FINE_GRAIN_SYSTEM,
				     sizeof(no), &no));
	CHECK_ERR(clSetKernelExecInfo(f.where, CL_KERNEL_EXEC_INFO_SVM_FINE_GRAIN_SYSTEM, 1, &no),
		  CL_INVALID_VALUE);
	CHECK_ERR(clSetKernelExecInfo(f.where, 0x12345, sizeof(ptrs), ptrs), CL_INVALID_VALUE);
	CHECK_ERR(clSetKernelExecInfo(NULL, CL_KERNEL_EXEC_INFO_SVM_PTRS, sizeof(ptrs), ptrs),
		  CL_INVALID_KERNEL);
	/* Freeing an allocation the exec info names leaves the kernel usable. */
	CHECK_OK(clSetKernelExecInfo(f.where, CL_KERNEL_EXEC_INFO_SVM_PTRS, sizeof(ptrs), ptrs));
	cltest_release(b);
	CHECK_OK(clSetKernelArgSVMPointer(f.where, 0, a));
	CHECK_OK(run1(env, f.where));
}

/*
 * [begin, end) pairs are common: base + size of an allocation is a pointer
 * into it (C's one past the end), for clSetKernelArgSVMPointer and exec info.
 */
CLTEST(one_past_the_end_pointer_is_accepted)
{
	struct fixture f = { 0 };
	const size_t sizes[] = { 100, 4096, 3 * 4096 };
	cl_kernel k = NULL;

	CHECK(setup(env, &f));
	k = cltest_keep(clCreateKernel(f.program, "before_end", NULL));
	CHECK(k && clSetKernelArgSVMPointer(k, 1, f.out) == CL_SUCCESS);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t size = sizes[i];
		char *a = clSVMAlloc(env->context, CL_MEM_SVM_FINE_GRAIN_BUFFER, size, 0);
		void *pair[2] = { a, a + size };

		CHECK(a);
		memset(a, 0, size);
		CHECK_OK(clSetKernelArgSVMPointer(k, 0, a + size));
		f.out[1] = 40 + i;
		CHECK_OK(run1(env, k));
		CHECK(f.out[0] == (cl_ulong)(uintptr_t)(a + size));
		CHECK(a[size - 1] == (char)(40 + i) && a[size - 2] == 0);
		CHECK_OK(clSetKernelExecInfo(k, CL_KERNEL_EXEC_INFO_SVM_PTRS, sizeof(pair), pair));
		/* Two past the end is outside every allocation. */
		pair[1] = a + size + 1;
		CHECK_ERR(clSetKernelArgSVMPointer(k, 0, a + size + 1),
			  cltest_system_svm(env) ? CL_SUCCESS : CL_INVALID_ARG_VALUE);
		CHECK_ERR(clSetKernelExecInfo(k, CL_KERNEL_EXEC_INFO_SVM_PTRS, sizeof(pair), pair),
			  cltest_system_svm(env) ? CL_SUCCESS : CL_INVALID_VALUE);
		CHECK_OK(clSetKernelExecInfo(k, CL_KERNEL_EXEC_INFO_SVM_PTRS, 0, NULL));
		clSVMFree(env->context, a);
		/* Freed: the end pointer goes with the allocation. */
		CHECK_ERR(clSetKernelArgSVMPointer(k, 0, a + size),
			  cltest_system_svm(env) ? CL_SUCCESS : CL_INVALID_ARG_VALUE);
	}
}

struct node {
	struct node *next;
	int value;
	int pad;
};

struct control {
	struct node *spare_a;
	struct node *spare_b;
};

#define LIST_NODES 1000
#define EXTRA_NODES 100

CLTEST(kernel_walks_and_extends_a_list_alternating_between_two_allocations)
{
	const cl_svm_mem_flags fine = CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER;
	size_t half = LIST_NODES / 2 + EXTRA_NODES / 2;
	struct node *a = cltest_svm_alloc(env, fine, half * sizeof(struct node) + 4096, 0);
	struct node *b = cltest_svm_alloc(env, fine, half * sizeof(struct node), 0);
	cl_long *sum = cltest_svm_alloc(env, fine, sizeof(*sum), 0);
	struct control *ctl = (struct control *)&a[half];	/* lives inside A */
	cl_program program = cltest_build(env, source, "-cl-std=CL2.0");
	int extra = EXTRA_NODES;
	size_t one = 1;
	cl_kernel k;
	cl_int err;
	long want = 0;

	CHECK(a && b && sum && program);
	/*
	 * rusticl 26.2's llvmpipe segfaults in this kernel's generated code,
	 * with or without svmx (22.3.6 and 25.0.7 run it): not run there.
	 */
	char driver[64] = "";

	clGetDeviceInfo(env->device, CL_DRIVER_VERSION, sizeof(driver) - 1, driver, NULL);
	if (strncmp(driver, "26.2.", 5) == 0) {
		printf("not run on rusticl %s: the driver crashes in this kernel\n", driver);
		return;
	}
	k = cltest_keep(clCreateKernel(program, "walk_and_extend", &err));
	CHECK(k != NULL);
	/* Host builds the list: node i lives in A when i is even, in B when odd. */
	struct node *prev = NULL;

	for (int i = 0; i < LIST_NODES; i++) {
		struct node *n = (i % 2) ? &b[i / 2] : &a[i / 2];

		n->value = i;
		n->next = NULL;
		want += i;
		if (prev)
			prev->next = n;
		prev = n;
	}
	ctl->spare_a = &a[LIST_NODES / 2];
	ctl->spare_b = &b[LIST_NODES / 2];
	void *reach[] = { b };

	CHECK_OK(clSetKernelArgSVMPointer(k, 0, &a[0]));
	CHECK_OK(clSetKernelArgSVMPointer(k, 1, ctl));
	CHECK_OK(clSetKernelArg(k, 2, sizeof(extra), &extra));
	CHECK_OK(clSetKernelArgSVMPointer(k, 3, sum));
	CHECK_OK(clSetKernelExecInfo(k, CL_KERNEL_EXEC_INFO_SVM_PTRS, sizeof(reach), reach));
	CHECK_OK(clEnqueueNDRangeKernel(env->queue, k, 1, NULL, &one, NULL, 0, NULL, NULL));
	CHECK_OK(clFinish(env->queue));
	CHECK(*sum == want);
	/* The host walks what the device appended: alternating B, A, B, ... */
	struct node *n = &a[0];
	int count = 0;

	while (n && count < LIST_NODES) {
		n = n->next;
		count++;
	}
	for (int i = 0; i < EXTRA_NODES; i++) {
		CHECK(n != NULL);
		CHECK(n == ((i % 2) ? &a[LIST_NODES / 2 + i / 2] : &b[LIST_NODES / 2 + i / 2]));
		CHECK(n->value == 1000 + i);
		n = n->next;
	}
	CHECK(n == NULL);
}

CLTEST(clone_keeps_svm_arguments_and_exec_info)
{
	struct fixture f = { 0 };
	char *buf = cltest_svm_alloc(env, CL_MEM_SVM_FINE_GRAIN_BUFFER, 256, 0);
	cl_kernel clone;
	cl_int err;

	CHECK(setup(env, &f) && buf);
	void *reach[] = { buf };

	CHECK_OK(clSetKernelArgSVMPointer(f.where, 0, buf + 17));
	CHECK_OK(clSetKernelExecInfo(f.where, CL_KERNEL_EXEC_INFO_SVM_PTRS, sizeof(reach), reach));
	clone = cltest_keep(clCloneKernel(f.where, &err));
	CHECK(clone != NULL);
	/* The original goes away; the clone still carries both SVM pointers. */
	cltest_release(f.where);
	f.where = NULL;
	f.out[1] = 99;
	CHECK_OK(run1(env, clone));
	CHECK(f.out[0] == (cl_ulong)(uintptr_t)(buf + 17) && buf[17] == 99);
	/* And svmx still knows them: a plain arg replaces, a bad index fails. */
	CHECK_ERR(clSetKernelArgSVMPointer(clone, 5, buf), CL_INVALID_ARG_INDEX);
	CHECK_OK(clSetKernelExecInfo(clone, CL_KERNEL_EXEC_INFO_SVM_PTRS, 0, NULL));
}

int main(int argc, char **argv)
{
	return cltest_run(argc, argv, "rusticl");
}
