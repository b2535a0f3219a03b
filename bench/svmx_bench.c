/*
 * svmx_bench: what svmx costs, side by side in one run.
 *
 *  launch: the median of >= 10000 launches (set 4 pointer arguments, enqueue,
 *  wait) of one small kernel, taking SVM pointers through svmx versus plain
 *  cl_mem arguments through the vendor's own dispatch table (no loader, no
 *  layer).  Blocks of the two alternate so drift hits both alike.  A third
 *  block adds clFlush before the wait: svmx's clFinish then also waits for
 *  what the flush took (rusticl 22.3's does not), measured against the
 *  svmx launch without it.
 *
 *  alloc: clSVMAlloc + clSVMFree through svmx versus mmap + munmap of the
 *  same size, 4 KiB to 64 MiB.
 *
 *  rss: how much the resident set grows over 200,000 clSVMAlloc +
 *  clSVMFree cycles of 64 bytes, with CL_MEM_SVM_ATOMICS (which svmx counts
 *  arming for) and without.
 *
 * Run it with the layer: svmx-run svmx_bench [launches], or svmx_bench rss
 * for the last part alone.
 * Prints "ratio <name> <value>" lines (svmx / baseline).
 */
#define CL_TARGET_OPENCL_VERSION 300
#include <CL/cl.h>
#include <CL/cl_icd.h>

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

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int die(const char *what, cl_int err)
{
	fprintf(stderr, "svmx_bench: %s failed (%d)\n", what, err);
	exit(1);
}

#define BLOCK 100

static void bench_launch(cl_context ctx, cl_device_id dev, cl_command_queue q, size_t launches)
{
	cl_program prog = clCreateProgramWithSource(ctx, 1, &source, NULL, NULL);
	cl_int err = clBuildProgram(prog, 1, &dev, NULL, NULL, NULL);
	size_t one = 1;

	if (err)
		die("clBuildProgram", err);
	cl_kernel k_svm = clCreateKernel(prog, "touch", &err);
	cl_kernel k_mem = clCreateKernel(prog, "touch", &err);
	int *svm[4];
	cl_mem mem[4];

	for (int i = 0; i < 4; i++) {
		svm[i] = clSVMAlloc(ctx, CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER, 4096, 0);
		mem[i] = clCreateBuffer(ctx, CL_MEM_READ_WRITE, 4096, NULL, &err);
		if (!svm[i] || !mem[i])
			die("allocating the arguments", err);
		memset(svm[i], 0, 4096);
	}
	/* The vendor's own entry points: what an application gets without svmx. */
	const struct _cl_icd_dispatch *vendor = *(struct _cl_icd_dispatch *const *)k_mem;
	double *t_svm = malloc(launches * sizeof(double));
	double *t_mem = malloc(launches * sizeof(double));
	double *t_flushed = malloc(launches * sizeof(double));

	for (size_t done = 0; done < launches; done += BLOCK) {
		for (size_t i = done; i < done + BLOCK && i < launches; i++) {
			double t0 = now_ns();

			for (cl_uint a = 0; a < 4; a++)
				clSetKernelArgSVMPointer(k_svm, a, svm[a]);
			clEnqueueNDRangeKernel(q, k_svm, 1, NULL, &one, NULL, 0, NULL, NULL);
			clFinish(q);
			t_svm[i] = now_ns() - t0;
		}
		for (size_t i = done; i < done + BLOCK && i < launches; i++) {
			double t0 = now_ns();

			for (cl_uint a = 0; a < 4; a++)
				vendor->clSetKernelArg(k_mem, a, sizeof(cl_mem), &mem[a]);
			vendor->clEnqueueNDRangeKernel(q, k_mem, 1, NULL, &one, NULL, 0, NULL, NULL);
			vendor->clFinish(q);
			t_mem[i] = now_ns() - t0;
		}
		for (size_t i = done; i < done + BLOCK && i < launches; i++) {
			double t0 = now_ns();

			for (cl_uint a = 0; a < 4; a++)
				clSetKernelArgSVMPointer(k_svm, a, svm[a]);
			clEnqueueNDRangeKernel(q, k_svm, 1, NULL, &one, NULL, 0, NULL, NULL);
			clFlush(q);
			clFinish(q);
			t_flushed[i] = now_ns() - t0;
		}
	}
	if (svm[0][0] != 0)
		die("the SVM kernel changed memory it should not have", CL_INVALID_VALUE);
	double m_svm = median(t_svm, launches), m_mem = median(t_mem, launches);
	double m_flushed = median(t_flushed, launches);

	printf("launch, 4 pointer args, median of %zu each:\n", launches);
	printf("  svmx, SVM pointers:       %8.2f us\n", m_svm / 1e3);
	printf("  direct, cl_mem (vendor):  %8.2f us\n", m_mem / 1e3);
	printf("ratio launch_svm_vs_direct %.3f\n", m_svm / m_mem);
	printf("  svmx, clFlush then clFinish: %8.2f us\n", m_flushed / 1e3);
	printf("ratio finish_after_flush_vs_plain %.3f\n", m_flushed / m_svm);
	free(t_svm);
	free(t_mem);
	free(t_flushed);
	for (int i = 0; i < 4; i++) {
		clSVMFree(ctx, svm[i]);
		clReleaseMemObject(mem[i]);
	}
	clReleaseKernel(k_svm);
	clReleaseKernel(k_mem);
	clReleaseProgram(prog);
}

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

int main(int argc, char **argv)
{
	bool rss_only = argc > 1 && strcmp(argv[1], "rss") == 0;
	size_t launches = argc > 1 && !rss_only ? strtoul(argv[1], NULL, 10) : 10000;
	cl_platform_id platforms[16], platform = NULL;
	cl_device_svm_capabilities svm = 0;
	cl_device_id dev;
	cl_uint n = 0;
	cl_int err;

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
	if (!(svm & CL_DEVICE_SVM_FINE_GRAIN_BUFFER))
		die("finding SVM: run under svmx-run", CL_INVALID_OPERATION);
	cl_context ctx = clCreateContext(NULL, 1, &dev, NULL, NULL, &err);
	cl_command_queue q = clCreateCommandQueueWithProperties(ctx, dev, NULL, &err);

	if (!rss_only) {
		bench_launch(ctx, dev, q, launches < BLOCK ? BLOCK : launches);
		bench_alloc(ctx);
	}
	bench_rss(ctx);
	clReleaseCommandQueue(q);
	clReleaseContext(ctx);
	return 0;
}
