/*
 * Host threads and a running kernel on the same fine-grain SVM memory lose
 * nothing: atomic counters end exact, neighbouring bytes written by each
 * side survive, and release/acquire hand-offs work in both directions while
 * the kernel is still running (release_acquire_handoff.c).
 */
#include "cltest.h"

#include <stdatomic.h>
#include <string.h>

#define FINE_ATOMIC (CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER | CL_MEM_SVM_ATOMICS)

/*
 * Atomic objects are passed as int pointers and cast inside: rusticl 22.3's
 * clCreateKernel panics on an atomic_int parameter of an OpenCL C 3.0 build.
 * llvmpipe stops a work-item's loops after about 65535 iterations in all
 * (nested loops count together), so each work-item's loops stay short.
 */
static const char *source =
	"#define ATOMIC(p) ((global atomic_int *)(p))\n"
	"kernel void count(global int *counter, global int *progress, int n)\n"
	"{\n"
	"	for (int i = 0; i < n; i++) {\n"
	"		atomic_fetch_add_explicit(ATOMIC(counter), 1, memory_order_seq_cst,\n"
	"					  memory_scope_all_svm_devices);\n"
	"		atomic_fetch_add_explicit(ATOMIC(progress), 1, memory_order_relaxed,\n"
	"					  memory_scope_all_svm_devices);\n"
	"	}\n"
	"}\n"
	"kernel void even_bytes(global uchar *buf, int chunk, int rounds, global int *progress)\n"
	"{\n"
	"	int first = get_global_id(0) * chunk;\n"
	"	for (int r = 0; r < rounds; r++) {\n"
	"		for (int j = first; j < first + chunk; j++)\n"
	"			buf[2 * j] = (uchar)(r + j);\n"
	"		atomic_fetch_add_explicit(ATOMIC(progress), 1, memory_order_release,\n"
	"					  memory_scope_all_svm_devices);\n"
	"	}\n"
	"}\n";

/* --- counter ------------------------------------------------------------ */

#define HOST_THREADS 2
#define DEVICE_ITEMS 256
#define DEVICE_ADDS_PER_ITEM 40000	/* 10.24 M device adds */

struct adder {
	atomic_int *counter;
	atomic_int *progress;
	long ops;
	bool saw_device_midway;
};

/* One round of a host thread beside the kernel (cltest_run_beside_host). */
static void host_adds(void *arg)
{
	struct adder *a = arg;
	const int device_total = DEVICE_ITEMS * DEVICE_ADDS_PER_ITEM;

	for (int i = 0; i < 1024; i++)
		atomic_fetch_add(a->counter, 1);
	a->ops += 1024;
	int p = atomic_load_explicit(a->progress, memory_order_relaxed);

	if (p > 0 && p < device_total)
		a->saw_device_midway = true;
}

static void counter(struct cltest_env *env, const char *std)
{
	cl_kernel k = cltest_kernel(env, source, "count", std);
	atomic_int *counter = cltest_svm_alloc(env, FINE_ATOMIC, 2 * sizeof(atomic_int), 0);
	atomic_int *progress = counter + 1;
	struct adder adders[HOST_THREADS];
	int n = DEVICE_ADDS_PER_ITEM;
	long host_ops = 0;
	bool overlapped = false;
	cl_int err;

	CHECK(k && counter);
	atomic_store(counter, 0);
	atomic_store(progress, 0);
	CHECK_OK(clSetKernelArgSVMPointer(k, 0, counter));
	CHECK_OK(clSetKernelArgSVMPointer(k, 1, progress));
	CHECK_OK(clSetKernelArg(k, 2, sizeof(n), &n));
	for (int i = 0; i < HOST_THREADS; i++)
		adders[i] = (struct adder){ .counter = counter, .progress = progress };
	double t0 = cltest_now();

	err = cltest_run_beside_host(env, k, DEVICE_ITEMS, NULL, HOST_THREADS, host_adds, adders,
				     sizeof(adders[0]));
	for (int i = 0; i < HOST_THREADS; i++) {
		host_ops += adders[i].ops;
		overlapped |= adders[i].saw_device_midway;
	}
	double secs = cltest_now() - t0;
	long device_ops = (long)DEVICE_ITEMS * DEVICE_ADDS_PER_ITEM;
	long total = atomic_load(counter);

	printf("  %s: host %ld + device %ld = %ld, counter %ld, %.1f M ops/s\n", std, host_ops,
	       device_ops, host_ops + device_ops, total, (host_ops + device_ops) / secs / 1e6);
	CHECK_OK(err);
	CHECK(host_ops + device_ops >= 10000000);
	CHECK(total == host_ops + device_ops);
	/* The host saw the kernel's progress mid-run: both sides really ran at once. */
	CHECK(overlapped);
}

CLTEST(counter_of_host_threads_and_kernel_is_exact_opencl_c_2_0)
{
	counter(env, "-cl-std=CL2.0");
}

CLTEST(counter_of_host_threads_and_kernel_is_exact_opencl_c_3_0)
{
	counter(env, "-cl-std=CL3.0");
}

/* --- byte granularity ----------------------------------------------------- */

#define PAIRS (64 * 1024)
#define BYTE_ITEMS 1024		/* 64 even bytes each */
#define ROUNDS 400		/* 400 * 64 stores: under llvmpipe's loop cap */

CLTEST(host_odd_and_kernel_even_bytes_are_both_kept)
{
	cl_kernel k = cltest_kernel(env, source, "even_bytes", "-cl-std=CL2.0");
	unsigned char *buf = cltest_svm_alloc(env, FINE_ATOMIC, 2 * PAIRS, 0);
	atomic_int *progress = cltest_svm_alloc(env, FINE_ATOMIC, sizeof(atomic_int), 0);
	int chunk = PAIRS / BYTE_ITEMS, rounds = ROUNDS;
	size_t global = BYTE_ITEMS;
	int host_rounds = 0;
	cl_event done;

	CHECK(k && buf && progress);
	memset(buf, 0, 2 * PAIRS);
	atomic_store(progress, 0);
	CHECK_OK(clSetKernelArgSVMPointer(k, 0, buf));
	CHECK_OK(clSetKernelArg(k, 1, sizeof(chunk), &chunk));
	CHECK_OK(clSetKernelArg(k, 2, sizeof(rounds), &rounds));
	CHECK_OK(clSetKernelArgSVMPointer(k, 3, progress));
	CHECK_OK(clEnqueueNDRangeKernel(env->queue, k, 1, NULL, &global, NULL, 0, NULL, &done));
	cltest_keep(done);
	clFlush(env->queue);
	/* Rewrite every odd byte until the kernel is half way; it goes on after. */
	while (atomic_load(progress) < BYTE_ITEMS * ROUNDS / 2) {
		for (int j = 0; j < PAIRS; j++)
			((volatile unsigned char *)buf)[2 * j + 1] = (unsigned char)(host_rounds * 7 + j);
		host_rounds++;
	}
	int progress_when_host_stopped = atomic_load(progress);

	CHECK_OK(clWaitForEvents(1, &done));
	cltest_release(done);
	int bad_even = 0, bad_odd = 0;

	for (int j = 0; j < PAIRS; j++) {
		bad_even += buf[2 * j] != (unsigned char)(ROUNDS - 1 + j);
		bad_odd += host_rounds && buf[2 * j + 1] != (unsigned char)((host_rounds - 1) * 7 + j);
	}
	printf("  host rewrote odd bytes %d times; kernel at %d of %d rounds when host stopped\n",
	       host_rounds, progress_when_host_stopped, BYTE_ITEMS * ROUNDS);
	CHECK(host_rounds > 0);
	CHECK(progress_when_host_stopped < BYTE_ITEMS * ROUNDS);
	CHECK(bad_even == 0 && bad_odd == 0);
}

int main(int argc, char **argv)
{
	return cltest_run(argc, argv, "rusticl");
}
