/*
 * svmx_bench: what svmx costs, side by side in one run.
 *
 *  launch: the median of >= 10000 launches (set 4 pointer arguments, enqueue,
 *  wait) of one small kernel, four ways, in alternating blocks of 100 (the
 *  order rotates per block) so drift hits all alike:
 *    svmx      SVM pointers through the loader and svmx;
 *    direct    plain cl_mem arguments through the vendor's own dispatch
 *              table (no loader, no layer): what an application has
 *              without svmx;
 *    driver    what svmx hands the driver, through the vendor's table:
 *              the same kind of pointers to the driver's own SVM where it
 *              has fine-grain system SVM (rusticl 25 and later), else
 *              zero-copy CL_MEM_USE_HOST_PTR buffers over mmap'd pages;
 *              svmx minus this is svmx's own code;
 *    flushed   svmx with clFlush before the wait: svmx's clFinish then
 *              also waits for what the flush took (rusticl 22.3's does
 *              not), measured against the svmx launch without it.
 *  Each launch is timed in three phases (set the arguments, enqueue, wait).
 *  "added_us" is the median svmx launch minus the median baseline launch,
 *  with the quartiles of the same difference taken per block.  Last,
 *  clFinish of an empty queue through svmx and through the vendor: what
 *  svmx's clFinish adds without a kernel to wait for.
 *
 *  atomic: the atomic counter (samples/atomic_counter.c) as fixed work:
 *  host threads each do a fixed number of C11 atomic_fetch_add while a
 *  kernel of 256 work-items does a fixed number of atomic adds, timed from
 *  the start of both to the end of the later, in ops/s.  Side by side:
 *    svmx      host threads and kernel on one counter in a
 *              CL_MEM_SVM_FINE_GRAIN_BUFFER | CL_MEM_SVM_ATOMICS allocation
 *              (the kernel as the sample writes it: seq_cst,
 *              memory_scope_all_svm_devices, OpenCL C 2.0);
 *    apart     the same host threads on an ordinary malloc'd int, the same
 *              kernel loop on an ordinary cl_mem through the vendor's table
 *              (seq_cst at device scope, what svmx makes of the sample's
 *              atomic, in a form the driver alone compiles), both at once:
 *              what an application does without svmx (count apart, add
 *              after);
 *    shared    the same, but the kernel's cl_mem is CL_MEM_USE_HOST_PTR over
 *              the host threads' malloc'd int: one counter, no layer, relying
 *              on llvmpipe being zero-copy (which svmx does for you);
 *    host-only the host threads alone, on the svmx allocation and on a
 *              malloc'd int;
 *    kernel-only the kernel alone, through svmx and through the vendor.
 *  Rounds rotate the order; ops/s are medians over rounds, and each ratio
 *  is the median over rounds of the ratio within a round.
 *
 *  alloc: clSVMAlloc + clSVMFree through svmx versus mmap + munmap of the
 *  same size, 4 KiB to 64 MiB.
 *
 *  rss: how much the resident set grows over 200,000 clSVMAlloc +
 *  clSVMFree cycles of 64 bytes, with CL_MEM_SVM_ATOMICS (which svmx counts
 *  arming for) and without.
 *
 * Run it with the layer:
 *   svmx-run svmx_bench [launches]          everything
 *   svmx-run svmx_bench launch [launches]   the launch part alone
 *   svmx-run svmx_bench atomic [rounds [host_threads]]
 *   svmx-run svmx_bench alloc | rss
 *   svmx-run svmx_bench smoke               a few of each, quickly (ctest)
 * Prints "ratio <name> <value>" lines (svmx / baseline, in time: above 1
 * means svmx is slower) and "added_us <name> <median> <p25> <p75>".
 */
#define CL_TARGET_OPENCL_VERSION 300
#include <CL/cl.h>
#include <CL/cl_icd.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static const char *source =
	"kernel void touch(global int *a, global int *b, global int *c, global int *d)\n"
	"{\n"
	"	a[0] += b[0] + c[0] + d[0];\n"
	"}\n";

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sorts v. */
static double quantile(double *v, size_t n, double q)
{
	double pos = q * (double)(n - 1);
	size_t i = (size_t)pos;

	qsort(v, n, sizeof(*v), cmp_double);
	return i + 1 < n ? v[i] + (pos - (double)i) * (v[i + 1] - v[i]) : v[i];
}

static double median(double *v, size_t n)
{
	return quantile(v, n, 0.5);
}

static int die(const char *what, cl_int err)
{
	fprintf(stderr, "svmx_bench: %s failed (%d)\n", what, err);
	exit(1);
}

static void *map_page(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap", CL_OUT_OF_HOST_MEMORY);
	memset(p, 0, 4096);
	return p;
}

/* The vendor's own entry points: what an application gets without svmx. */
static const struct _cl_icd_dispatch *vendor_of(const void *handle)
{
	return *(const struct _cl_icd_dispatch *const *)handle;
}

/* ------------------------------------------------------------------ launch */

#define BLOCK 100

enum { P_SVMX, P_DIRECT, P_DRIVER, P_FLUSHED, NPATHS };

static const char *const path_names[NPATHS] = {
	"svmx, SVM pointers",
	"direct, cl_mem (vendor)",
	"driver, what svmx passes it",
	"svmx, clFlush then clFinish",
};

struct launch_setup {
	cl_command_queue q;
	const struct _cl_icd_dispatch *vendor;
	cl_kernel k[NPATHS];
	int *svm[4];		/* svmx's SVM allocations */
	cl_mem mem[4];		/* driver-allocated buffers */
	void *pages[4];		/* mmap'd pages, as svmx maps them */
	cl_mem page_mem[4];	/* USE_HOST_PTR over pages, where the driver has no SVM */
	bool system_svm;	/* the driver itself takes any host pointer */
};

struct phases {
	double *total, *args, *enqueue, *finish;
};

static void launch_once(struct launch_setup *s, int path, struct phases *out, size_t i)
{
	const struct _cl_icd_dispatch *v = s->vendor;
	cl_kernel k = s->k[path];
	size_t one = 1;
	cl_int err = CL_SUCCESS, e2;
	double t0 = now_ns(), t1, t2, t3;

	switch (path) {
	case P_SVMX:
	case P_FLUSHED:
		for (cl_uint a = 0; a < 4; a++)
			err |= clSetKernelArgSVMPointer(k, a, s->svm[a]);
		t1 = now_ns();
		err |= clEnqueueNDRangeKernel(s->q, k, 1, NULL, &one, NULL, 0, NULL, NULL);
		if (path == P_FLUSHED)
			err |= clFlush(s->q);
		t2 = now_ns();
		e2 = clFinish(s->q);
		break;
	case P_DIRECT:
		for (cl_uint a = 0; a < 4; a++)
			err |= v->clSetKernelArg(k, a, sizeof(cl_mem), &s->mem[a]);
		t1 = now_ns();
		err |= v->clEnqueueNDRangeKernel(s->q, k, 1, NULL, &one, NULL, 0, NULL, NULL);
		t2 = now_ns();
		e2 = v->clFinish(s->q);
		break;
	default:
		for (cl_uint a = 0; a < 4; a++)
			err |= s->system_svm ?
				       v->clSetKernelArgSVMPointer(k, a, s->pages[a]) :
				       v->clSetKernelArg(k, a, sizeof(cl_mem), &s->page_mem[a]);
		t1 = now_ns();
		err |= v->clEnqueueNDRangeKernel(s->q, k, 1, NULL, &one, NULL, 0, NULL, NULL);
		t2 = now_ns();
		e2 = v->clFinish(s->q);
		break;
	}
	t3 = now_ns();
	if (err != CL_SUCCESS || e2 != CL_SUCCESS)
		die(path_names[path], err ? err : e2);
	out->total[i] = t3 - t0;
	out->args[i] = t1 - t0;
	out->enqueue[i] = t2 - t1;
	out->finish[i] = t3 - t2;
}

/* Median of a minus median of b, and the quartiles of that difference per block. */
static void added(const char *name, const double *a, const double *b, size_t n)
{
	size_t nblocks = (n + BLOCK - 1) / BLOCK;
	double *ca = malloc(n * sizeof(double)), *cb = malloc(n * sizeof(double));
	double *diff = malloc(nblocks * sizeof(double));

	if (!ca || !cb || !diff)
		die("malloc", CL_OUT_OF_HOST_MEMORY);
	for (size_t blk = 0; blk < nblocks; blk++) {
		size_t from = blk * BLOCK, len = n - from < BLOCK ? n - from : BLOCK;

		memcpy(ca, a + from, len * sizeof(double));
		memcpy(cb, b + from, len * sizeof(double));
		diff[blk] = median(ca, len) - median(cb, len);
	}
	memcpy(ca, a, n * sizeof(double));
	memcpy(cb, b, n * sizeof(double));
	double m = median(ca, n) - median(cb, n);
	double p25 = quantile(diff, nblocks, 0.25), p75 = quantile(diff, nblocks, 0.75);

	printf("  %-34s %+7.2f us per launch (per block of %d: quartiles %+.2f .. %+.2f)\n",
	       name, m / 1e3, BLOCK, p25 / 1e3, p75 / 1e3);
	printf("added_us %s %.3f %.3f %.3f\n", name, m / 1e3, p25 / 1e3, p75 / 1e3);
	free(ca);
	free(cb);
	free(diff);
}

static double median_copy(const double *v, size_t n)
{
	double *c = malloc(n * sizeof(double));

	if (!c)
		die("malloc", CL_OUT_OF_HOST_MEMORY);
	memcpy(c, v, n * sizeof(double));
	double m = median(c, n);

	free(c);
	return m;
}

static void bench_launch(cl_context ctx, cl_device_id dev, cl_command_queue q, size_t launches)
{
	cl_program prog = clCreateProgramWithSource(ctx, 1, &source, NULL, NULL);
	cl_int err = clBuildProgram(prog, 1, &dev, NULL, NULL, NULL);
	cl_device_svm_capabilities native = 0;
	struct launch_setup s = { .q = q };
	struct phases ph[NPATHS];

	if (err)
		die("clBuildProgram", err);
	for (int p = 0; p < NPATHS; p++) {
		s.k[p] = clCreateKernel(prog, "touch", &err);
		if (!s.k[p])
			die("clCreateKernel", err);
	}
	s.vendor = vendor_of(s.k[P_DIRECT]);
	/* The driver's own SVM, not what svmx reports. */
	if (s.vendor->clGetDeviceInfo(dev, CL_DEVICE_SVM_CAPABILITIES, sizeof(native), &native,
				      NULL) != CL_SUCCESS)
		native = 0;
	s.system_svm = native & CL_DEVICE_SVM_FINE_GRAIN_SYSTEM;
	for (int i = 0; i < 4; i++) {
		s.svm[i] = clSVMAlloc(ctx, CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER, 4096, 0);
		s.mem[i] = clCreateBuffer(ctx, CL_MEM_READ_WRITE, 4096, NULL, &err);
		if (!s.svm[i] || !s.mem[i])
			die("allocating the arguments", err);
		memset(s.svm[i], 0, 4096);
		s.pages[i] = map_page();
		if (!s.system_svm) {
			s.page_mem[i] = s.vendor->clCreateBuffer(ctx,
								 CL_MEM_READ_WRITE | CL_MEM_USE_HOST_PTR,
								 4096, s.pages[i], &err);
			if (!s.page_mem[i])
				die("clCreateBuffer(USE_HOST_PTR) through the vendor", err);
		}
	}
	for (int p = 0; p < NPATHS; p++) {
		double **f[] = { &ph[p].total, &ph[p].args, &ph[p].enqueue, &ph[p].finish };

		for (size_t j = 0; j < 4; j++)
			if (!(*f[j] = malloc(launches * sizeof(double))))
				die("malloc", CL_OUT_OF_HOST_MEMORY);
	}
	for (size_t done = 0, blk = 0; done < launches; done += BLOCK, blk++)
		for (int j = 0; j < NPATHS; j++) {
			int p = (int)((j + blk) % NPATHS);

			for (size_t i = done; i < done + BLOCK && i < launches; i++)
				launch_once(&s, p, &ph[p], i);
		}
	/* clFinish with nothing to wait for: what svmx's clFinish adds by itself. */
	enum { EMPTY = 10000 };
	double *t_fin = malloc(EMPTY * sizeof(double)), *t_vfin = malloc(EMPTY * sizeof(double));

	if (!t_fin || !t_vfin)
		die("malloc", CL_OUT_OF_HOST_MEMORY);
	for (size_t i = 0; i < EMPTY; i++) {
		double t0 = now_ns();

		err = clFinish(q);
		t_fin[i] = now_ns() - t0;
		t0 = now_ns();
		err |= s.vendor->clFinish(q);
		t_vfin[i] = now_ns() - t0;
		if (err != CL_SUCCESS)
			die("clFinish", err);
	}
	for (int i = 0; i < 4; i++)
		if (s.svm[i][0] != 0 || ((int *)s.pages[i])[0] != 0)
			die("a kernel changed memory it should not have", CL_INVALID_VALUE);

	printf("launch, 4 pointer args, median of %zu each (driver path: %s):\n", launches,
	       s.system_svm ? "the driver's own fine-grain system SVM pointers" :
			      "USE_HOST_PTR cl_mem over mmap'd pages");
	printf("  %-34s %9s = %7s + %7s + %7s  (medians, us)\n", "", "launch", "args",
	       "enqueue", "finish");
	for (int p = 0; p < NPATHS; p++)
		printf("  %-34s %9.2f = %7.2f + %7.2f + %7.2f\n", path_names[p],
		       median_copy(ph[p].total, launches) / 1e3,
		       median_copy(ph[p].args, launches) / 1e3,
		       median_copy(ph[p].enqueue, launches) / 1e3,
		       median_copy(ph[p].finish, launches) / 1e3);
	double m_svm = median_copy(ph[P_SVMX].total, launches);

	printf("ratio launch_svm_vs_direct %.3f\n", m_svm / median_copy(ph[P_DIRECT].total, launches));
	printf("ratio launch_svm_vs_driver %.3f\n", m_svm / median_copy(ph[P_DRIVER].total, launches));
	printf("ratio finish_after_flush_vs_plain %.3f\n",
	       median_copy(ph[P_FLUSHED].total, launches) / m_svm);
	printf("svmx launch minus baseline:\n");
	added("launch_svm_vs_direct", ph[P_SVMX].total, ph[P_DIRECT].total, launches);
	added("launch_svm_vs_driver", ph[P_SVMX].total, ph[P_DRIVER].total, launches);
	added("args_svm_vs_direct", ph[P_SVMX].args, ph[P_DIRECT].args, launches);
	added("args_svm_vs_driver", ph[P_SVMX].args, ph[P_DRIVER].args, launches);
	added("enqueue_svm_vs_direct", ph[P_SVMX].enqueue, ph[P_DIRECT].enqueue, launches);
	added("finish_svm_vs_direct", ph[P_SVMX].finish, ph[P_DIRECT].finish, launches);
	added("finish_svm_vs_driver", ph[P_SVMX].finish, ph[P_DRIVER].finish, launches);
	printf("clFinish of an empty queue, median of %d: svmx %.2f us, vendor %.2f us\n", EMPTY,
	       median_copy(t_fin, EMPTY) / 1e3, median_copy(t_vfin, EMPTY) / 1e3);
	added("empty_finish_svm_vs_vendor", t_fin, t_vfin, EMPTY);
	free(t_fin);
	free(t_vfin);
	for (int p = 0; p < NPATHS; p++) {
		free(ph[p].total);
		free(ph[p].args);
		free(ph[p].enqueue);
		free(ph[p].finish);
	}
	for (int i = 0; i < 4; i++) {
		clSVMFree(ctx, s.svm[i]);
		clReleaseMemObject(s.mem[i]);
		if (s.page_mem[i])
			s.vendor->clReleaseMemObject(s.page_mem[i]);
		munmap(s.pages[i], 4096);
	}
	for (int p = 0; p < NPATHS; p++)
		clReleaseKernel(s.k[p]);
	clReleaseProgram(prog);
}

/* ------------------------------------------------------------------ atomic */

#define ATOMIC_ITEMS 256

/* The sample's kernel, as an application writes it for SVM atomics. */
static const char *count_svm_source =
	"kernel void count(global atomic_int *counter, int n)\n"
	"{\n"
	"	for (int i = 0; i < n; i++)\n"
	"		atomic_fetch_add_explicit(counter, 1, memory_order_seq_cst,\n"
	"					  memory_scope_all_svm_devices);\n"
	"}\n";

/*
 * The same loop for the driver alone, with what svmx makes of it (seq_cst,
 * device scope: on a device on the host's cores the same instruction), in
 * the first form the driver compiles: rusticl 26 declares no
 * memory_order_seq_cst, 22.3 does not link clang's builtin.  The OpenCL 1.x
 * add (relaxed) is the last resort.
 */
static const char *count_plain_sources[] = {
	"kernel void count(global atomic_int *counter, int n)\n"
	"{\n"
	"	for (int i = 0; i < n; i++)\n"
	"		atomic_fetch_add_explicit(counter, 1, memory_order_seq_cst, memory_scope_device);\n"
	"}\n",
	"kernel void count(global atomic_int *counter, int n)\n"
	"{\n"
	"	for (int i = 0; i < n; i++)\n"
	"		__opencl_atomic_fetch_add(counter, 1, __ATOMIC_SEQ_CST,\n"
	"					  __OPENCL_MEMORY_SCOPE_DEVICE);\n"
	"}\n",
	"kernel void count(volatile global int *counter, int n)\n"
	"{\n"
	"	for (int i = 0; i < n; i++)\n"
	"		atomic_add(counter, 1);\n"
	"}\n",
};
static const char *const count_plain_names[] = {
	"atomic_fetch_add_explicit, seq_cst, device scope",
	"__opencl_atomic_fetch_add, seq_cst, device scope",
	"atomic_add (OpenCL 1.x, relaxed)",
};

enum { A_SVMX, A_APART, A_SHARED, A_HOST_SVMX, A_HOST_MALLOC, A_KERNEL_SVMX, A_KERNEL_DIRECT,
       NMODES };

static const char *const mode_names[NMODES] = {
	"svmx: one SVM counter",
	"apart: malloc'd int + cl_mem",
	"shared: USE_HOST_PTR, no layer",
	"host threads alone, SVM alloc",
	"host threads alone, malloc'd",
	"kernel alone, svmx",
	"kernel alone, vendor cl_mem",
};

struct atomic_setup {
	cl_context ctx;
	cl_command_queue q;
	const struct _cl_icd_dispatch *vendor;
	cl_kernel k_svm, k_plain;
	atomic_int *svm;	/* CL_MEM_SVM_FINE_GRAIN_BUFFER | CL_MEM_SVM_ATOMICS */
	atomic_int *host;	/* an ordinary malloc'd int (aligned_alloc: a page of its own) */
	cl_mem device_mem;	/* an ordinary driver-allocated cl_mem */
	cl_mem host_mem;	/* USE_HOST_PTR over host */
	int nthreads;
	long host_adds;		/* per thread */
	int per_item;
};

struct adder {
	pthread_t thread;
	atomic_int *counter;
	long adds;
	pthread_barrier_t *start;
};

static void *host_adds(void *arg)
{
	struct adder *a = arg;

	pthread_barrier_wait(a->start);
	for (long i = 0; i < a->adds; i++)
		atomic_fetch_add(a->counter, 1);
	return NULL;
}

struct atomic_result {
	double secs;
	long adds;
	bool exact;
};

static struct atomic_result run_counter(struct atomic_setup *s, int mode)
{
	const struct _cl_icd_dispatch *v = s->vendor;
	bool threads = mode <= A_HOST_MALLOC, kernel = mode <= A_SHARED || mode >= A_KERNEL_SVMX;
	bool svmx = mode == A_SVMX || mode == A_HOST_SVMX || mode == A_KERNEL_SVMX;
	atomic_int *host_counter = svmx ? s->svm : s->host;
	size_t items = ATOMIC_ITEMS;
	int zero = 0, dev_count = -1;
	struct adder adders[64];
	pthread_barrier_t start;
	cl_int err = CL_SUCCESS;

	atomic_store(s->svm, 0);
	atomic_store(s->host, 0);
	err |= v->clEnqueueWriteBuffer(s->q, s->device_mem, CL_TRUE, 0, sizeof(int), &zero, 0,
				       NULL, NULL);
	if (svmx && kernel)
		err |= clSetKernelArgSVMPointer(s->k_svm, 0, s->svm);
	else if (kernel)
		err |= v->clSetKernelArg(s->k_plain, 0, sizeof(cl_mem),
					 mode == A_SHARED ? &s->host_mem : &s->device_mem);
	if (err != CL_SUCCESS)
		die("setting up the counter", err);
	pthread_barrier_init(&start, NULL, threads ? (unsigned)s->nthreads + 1 : 1);
	for (int i = 0; threads && i < s->nthreads; i++) {
		adders[i] = (struct adder){ .counter = host_counter, .adds = s->host_adds,
					    .start = &start };
		if (pthread_create(&adders[i].thread, NULL, host_adds, &adders[i]))
			die("pthread_create", CL_OUT_OF_HOST_MEMORY);
	}
	/* Before the barrier: on 2 cores the adders may finish before main runs again. */
	double t0 = now_ns();

	pthread_barrier_wait(&start);
	if (svmx && kernel) {
		err = clEnqueueNDRangeKernel(s->q, s->k_svm, 1, NULL, &items, NULL, 0, NULL, NULL);
		if (err == CL_SUCCESS)
			err = clFinish(s->q);
	} else if (kernel) {
		err = v->clEnqueueNDRangeKernel(s->q, s->k_plain, 1, NULL, &items, NULL, 0, NULL,
						NULL);
		if (err == CL_SUCCESS)
			err = v->clFinish(s->q);
	}
	if (err != CL_SUCCESS)
		die(mode_names[mode], err);
	for (int i = 0; threads && i < s->nthreads; i++)
		pthread_join(adders[i].thread, NULL);
	double secs = (now_ns() - t0) / 1e9;

	pthread_barrier_destroy(&start);
	long host_expected = threads ? s->nthreads * s->host_adds : 0;
	long dev_expected = kernel ? (long)ATOMIC_ITEMS * s->per_item : 0;
	bool exact;

	if (mode == A_APART || mode == A_KERNEL_DIRECT) {
		if (v->clEnqueueReadBuffer(s->q, s->device_mem, CL_TRUE, 0, sizeof(int), &dev_count,
					   0, NULL, NULL) != CL_SUCCESS)
			die("reading the device counter", CL_INVALID_VALUE);
		exact = dev_count == dev_expected && atomic_load(s->host) == host_expected;
	} else {
		exact = atomic_load(host_counter) == host_expected + dev_expected;
	}
	return (struct atomic_result){ secs, host_expected + dev_expected, exact };
}

static cl_kernel count_kernel(cl_context ctx, cl_device_id dev, bool svm, const char **form)
{
	const struct _cl_icd_dispatch *v = vendor_of(ctx);
	cl_program prog = NULL;
	cl_kernel k;
	cl_int err = CL_SUCCESS;

	if (svm) {
		prog = clCreateProgramWithSource(ctx, 1, &count_svm_source, NULL, &err);
		if (prog)
			err = clBuildProgram(prog, 1, &dev, "-cl-std=CL2.0", NULL, NULL);
		if (err != CL_SUCCESS)
			die("building the SVM counter kernel", err);
		k = clCreateKernel(prog, "count", &err);
		clReleaseProgram(prog);
	} else {
		size_t n = sizeof(count_plain_sources) / sizeof(count_plain_sources[0]);

		for (size_t i = 0; i < n; i++) {
			prog = v->clCreateProgramWithSource(ctx, 1, &count_plain_sources[i], NULL,
							    &err);
			if (prog)
				err = v->clBuildProgram(prog, 1, &dev,
							i + 1 < n ? "-cl-std=CL2.0" : NULL, NULL,
							NULL);
			if (err == CL_SUCCESS) {
				*form = count_plain_names[i];
				break;
			}
			if (prog)
				v->clReleaseProgram(prog);
			prog = NULL;
		}
		if (!prog)
			die("building the plain counter kernel", err);
		k = v->clCreateKernel(prog, "count", &err);
		v->clReleaseProgram(prog);
	}
	if (!k)
		die("clCreateKernel(count)", err);
	return k;
}

static int bench_atomic(cl_context ctx, cl_device_id dev, cl_command_queue q, int rounds,
			int nthreads, int per_item, long host_adds)
{
	struct atomic_setup s = {
		.ctx = ctx, .q = q, .vendor = vendor_of(ctx), .nthreads = nthreads,
		.host_adds = host_adds, .per_item = per_item,
	};
	double *rate[NMODES], *round_rate[NMODES];
	bool exact[NMODES];
	cl_int err;
	int lost = 0;

	const char *form = NULL;

	s.k_svm = count_kernel(ctx, dev, true, NULL);
	s.k_plain = count_kernel(ctx, dev, false, &form);
	s.svm = clSVMAlloc(ctx, CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER |
				CL_MEM_SVM_ATOMICS, sizeof(atomic_int), 0);
	s.host = aligned_alloc(4096, 4096);
	if (!s.svm || !s.host)
		die("allocating the counters", CL_OUT_OF_HOST_MEMORY);
	s.device_mem = s.vendor->clCreateBuffer(ctx, CL_MEM_READ_WRITE, sizeof(int), NULL, &err);
	if (!s.device_mem)
		die("clCreateBuffer through the vendor", err);
	s.host_mem = s.vendor->clCreateBuffer(ctx, CL_MEM_READ_WRITE | CL_MEM_USE_HOST_PTR,
					      4096, s.host, &err);
	if (!s.host_mem)
		die("clCreateBuffer(USE_HOST_PTR) through the vendor", err);
	if (s.vendor->clSetKernelArg(s.k_plain, 1, sizeof(int), &per_item) != CL_SUCCESS ||
	    clSetKernelArg(s.k_svm, 1, sizeof(int), &per_item) != CL_SUCCESS)
		die("setting the loop count", CL_INVALID_VALUE);
	for (int m = 0; m < NMODES; m++) {
		rate[m] = malloc((size_t)rounds * sizeof(double));
		round_rate[m] = malloc((size_t)rounds * sizeof(double));
		if (!rate[m] || !round_rate[m])
			die("malloc", CL_OUT_OF_HOST_MEMORY);
		exact[m] = true;
	}
	/* One untimed round of each: first-launch costs (JIT, lazy buffers) go here. */
	for (int m = 0; m < NMODES; m++)
		run_counter(&s, m);
	for (int r = 0; r < rounds; r++)
		for (int j = 0; j < NMODES; j++) {
			int m = (j + r) % NMODES;
			struct atomic_result res = run_counter(&s, m);

			rate[m][r] = round_rate[m][r] = (double)res.adds / res.secs;
			exact[m] = exact[m] && res.exact;
		}

	printf("atomic counter: %d host threads x %ld C11 adds, kernel %d work-items x %d adds, "
	       "%d rounds (M adds/s, median [min..max]):\n",
	       nthreads, host_adds, ATOMIC_ITEMS, per_item, rounds);
	printf("  (the kernel without svmx adds with %s)\n", form);
	double med[NMODES];

	for (int m = 0; m < NMODES; m++) {
		med[m] = median(rate[m], (size_t)rounds);	/* sorts */
		printf("  %-32s %8.1f [%.1f..%.1f]%s\n", mode_names[m], med[m] / 1e6,
		       rate[m][0] / 1e6, rate[m][rounds - 1] / 1e6,
		       exact[m] ? "" : "  LOST UPDATES");
		printf("ops_per_s %s %.0f\n", mode_names[m], med[m]);
		/* svmx must be exact; "shared" without svmx only if the driver is zero-copy. */
		if (!exact[m] && (m == A_SVMX || m == A_HOST_SVMX || m == A_KERNEL_SVMX))
			lost = 1;
	}
	/*
	 * Time ratios (the same work each side: baseline ops/s over svmx ops/s),
	 * each taken within one round, then the median over rounds: load that
	 * changes slower than a round cancels.
	 */
	static const struct {
		const char *name;
		int svmx, base;
	} pairs[] = {
		{ "atomic_svmx_vs_apart", A_SVMX, A_APART },
		{ "atomic_svmx_vs_shared_no_layer", A_SVMX, A_SHARED },
		{ "atomic_host_svm_vs_malloc", A_HOST_SVMX, A_HOST_MALLOC },
		{ "atomic_kernel_svmx_vs_vendor", A_KERNEL_SVMX, A_KERNEL_DIRECT },
	};
	double *ratios = malloc((size_t)rounds * sizeof(double));

	if (!ratios)
		die("malloc", CL_OUT_OF_HOST_MEMORY);
	printf("svmx time / baseline time for the same work, per round (median [min..max]):\n");
	for (size_t p = 0; p < sizeof(pairs) / sizeof(pairs[0]); p++) {
		for (int r = 0; r < rounds; r++)
			ratios[r] = round_rate[pairs[p].base][r] / round_rate[pairs[p].svmx][r];
		double m = median(ratios, (size_t)rounds);

		printf("  %-32s %.3f [%.3f..%.3f]\n", pairs[p].name, m, ratios[0],
		       ratios[rounds - 1]);
		printf("ratio %s %.3f\n", pairs[p].name, m);
	}
	free(ratios);
	for (int m = 0; m < NMODES; m++) {
		free(rate[m]);
		free(round_rate[m]);
	}
	clSVMFree(ctx, s.svm);
	s.vendor->clReleaseMemObject(s.device_mem);
	s.vendor->clReleaseMemObject(s.host_mem);
	free(s.host);
	clReleaseKernel(s.k_svm);
	s.vendor->clReleaseKernel(s.k_plain);
	return lost;
}

/* -------------------------------------------------------------- alloc, rss */

/* Resident set in KiB. */
static long rss_kib(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f || fscanf(f, "%ld %ld", &pages, &resident) != 2)
		die("reading /proc/self/statm", CL_OUT_OF_RESOURCES);
	fclose(f);
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void bench_rss(cl_context ctx)
{
	static const struct {
		const char *name;
		cl_svm_mem_flags flags;
	} kinds[] = {
		{ "plain", CL_MEM_READ_WRITE },
		{ "atomics", CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER | CL_MEM_SVM_ATOMICS },
	};
	enum { CYCLES = 200000 };

	printf("resident set growth over %d alloc + free cycles of 64 bytes:\n", CYCLES);
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		/* Warm up: the first allocations grow svmx's tables once. */
		for (int i = 0; i < 1000; i++)
			clSVMFree(ctx, clSVMAlloc(ctx, kinds[k].flags, 64, 0));
		long before = rss_kib();

		for (int i = 0; i < CYCLES; i++) {
			void *p = clSVMAlloc(ctx, kinds[k].flags, 64, 0);

			if (!p)
				die("clSVMAlloc", CL_OUT_OF_RESOURCES);
			clSVMFree(ctx, p);
		}
		long growth = rss_kib() - before;

		printf("  %-8s %6ld KiB\n", kinds[k].name, growth);
		printf("rss_growth_kib %s %ld\n", kinds[k].name, growth);
	}
}

static void bench_alloc(cl_context ctx)
{
	const size_t sizes[] = { 4096, 65536, 1 << 20, 16 << 20, 64 << 20 };
	enum { N = 2001 };
	static double t_svm[N], t_mmap[N];

	printf("alloc + free, median of %d each:\n", N);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t size = sizes[s];

		for (int i = 0; i < N; i++) {
			double t0 = now_ns();
			void *p = clSVMAlloc(ctx, CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER,
					     size, 0);

			clSVMFree(ctx, p);
			t_svm[i] = now_ns() - t0;
			if (!p)
				die("clSVMAlloc", CL_OUT_OF_RESOURCES);
			t0 = now_ns();
			p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			munmap(p, size);
			t_mmap[i] = now_ns() - t0;
		}
		double a = median(t_svm, N), b = median(t_mmap, N);

		printf("  %6zu KiB: svmx %7.2f us, mmap+munmap %7.2f us\n", size >> 10, a / 1e3,
		       b / 1e3);
		printf("ratio alloc_%zuKiB %.3f\n", size >> 10, a / b);
	}
}

/* ------------------------------------------------------------------- main */

enum { DO_LAUNCH = 1, DO_ALLOC = 2, DO_RSS = 4, DO_ATOMIC = 8 };

static void usage(void)
{
	fprintf(stderr, "usage: svmx_bench [launches] | launch [launches] | atomic [rounds "
			"[host_threads]] | alloc | rss | smoke   (run it under svmx-run)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned parts = DO_LAUNCH | DO_ALLOC | DO_RSS | DO_ATOMIC;
	size_t launches = 10000;
	int rounds = 9, nthreads = 2, per_item = 40000;
	long host_adds = 5120000;
	const char *num = argc > 1 ? argv[1] : NULL;
	cl_platform_id platforms[16], platform = NULL;
	cl_device_svm_capabilities svm = 0;
	cl_device_id dev;
	cl_uint n = 0;
	cl_int err;

	if (argc > 1 && strcmp(argv[1], "launch") == 0) {
		parts = DO_LAUNCH;
		num = argc > 2 ? argv[2] : NULL;
	} else if (argc > 1 && strcmp(argv[1], "atomic") == 0) {
		parts = DO_ATOMIC;
		num = NULL;
		rounds = argc > 2 ? atoi(argv[2]) : rounds;
		nthreads = argc > 3 ? atoi(argv[3]) : nthreads;
	} else if (argc > 1 && strcmp(argv[1], "alloc") == 0) {
		parts = DO_ALLOC;
		num = NULL;
	} else if (argc > 1 && strcmp(argv[1], "rss") == 0) {
		parts = DO_RSS;
		num = NULL;
	} else if (argc > 1 && strcmp(argv[1], "smoke") == 0) {
		parts = DO_LAUNCH | DO_ATOMIC;
		num = NULL;
		launches = 2 * BLOCK;
		rounds = 1;
		per_item = 500;
		host_adds = 64000;
	} else if (argc > 1 && (argv[1][0] < '0' || argv[1][0] > '9')) {
		usage();
	}
	if (num)
		launches = strtoul(num, NULL, 10);
	if (launches < BLOCK)
		launches = BLOCK;
	if (rounds < 1 || nthreads < 0 || nthreads > 64)
		usage();

	clGetPlatformIDs(16, platforms, &n);
	for (cl_uint i = 0; i < n && i < 16 && !platform; i++) {
		char name[128] = "";

		clGetPlatformInfo(platforms[i], CL_PLATFORM_NAME, sizeof(name), name, NULL);
		if (strstr(name, "rusticl") &&
		    clGetDeviceIDs(platforms[i], CL_DEVICE_TYPE_ALL, 1, &dev, NULL) == CL_SUCCESS)
			platform = platforms[i];
	}
	if (!platform)
		die("finding rusticl's llvmpipe (RUSTICL_ENABLE=llvmpipe)", CL_DEVICE_NOT_FOUND);
	clGetDeviceInfo(dev, CL_DEVICE_SVM_CAPABILITIES, sizeof(svm), &svm, NULL);
	if (!(svm & CL_DEVICE_SVM_FINE_GRAIN_BUFFER) || !(svm & CL_DEVICE_SVM_ATOMICS))
		die("finding SVM with atomics: run under svmx-run", CL_INVALID_OPERATION);
	cl_context ctx = clCreateContext(NULL, 1, &dev, NULL, NULL, &err);
	cl_command_queue q = clCreateCommandQueueWithProperties(ctx, dev, NULL, &err);
	int status = 0;

	if (!q)
		die("creating the queue", err);
	if (parts & DO_LAUNCH)
		bench_launch(ctx, dev, q, launches);
	if (parts & DO_ATOMIC)
		status = bench_atomic(ctx, dev, q, rounds, nthreads, per_item, host_adds);
	if (parts & DO_ALLOC)
		bench_alloc(ctx);
	if (parts & DO_RSS)
		bench_rss(ctx);
	clReleaseCommandQueue(q);
	clReleaseContext(ctx);
	return status;
}
