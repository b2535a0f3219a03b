/*
 * clSVMAlloc and clSVMFree through svmx on rusticl (OpenCL 3.0, 5.6.1):
 * every flag combination, every invalid argument the specification names,
 * and frees that must not crash or corrupt.
 */
#include "cltest.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static size_t page(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* Whether p lies in a private anonymous mapping (no file, inode 0). */
static bool anonymous(const void *p)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	char line[512];
	bool anon = false;

	while (maps && fgets(line, sizeof(line), maps)) {
		unsigned long lo, hi, inode;
		char perms[8], path[256] = "";

		if (sscanf(line, "%lx-%lx %7s %*s %*s %lu %255s", &lo, &hi, perms, &inode, path) < 4)
			continue;
		if ((uintptr_t)p >= lo && (uintptr_t)p < hi) {
			anon = inode == 0 && path[0] == '\0' && perms[3] == 'p';
			break;
		}
	}
	if (maps)
		fclose(maps);
	return anon;
}

static bool mapped(const void *p)
{
	unsigned char vec;
	void *pg = (void *)((uintptr_t)p & ~(uintptr_t)(page() - 1));

	return mincore(pg, page(), &vec) == 0 || errno != ENOMEM;
}

CLTEST(every_valid_flag_combination_gives_page_aligned_anonymous_memory)
{
	const cl_svm_mem_flags access[] = { 0, CL_MEM_READ_WRITE, CL_MEM_WRITE_ONLY,
					    CL_MEM_READ_ONLY };
	const cl_svm_mem_flags grain[] = { 0, CL_MEM_SVM_FINE_GRAIN_BUFFER,
					   CL_MEM_SVM_FINE_GRAIN_BUFFER | CL_MEM_SVM_ATOMICS };

	for (size_t a = 0; a < 4; a++) {
		for (size_t g = 0; g < 3; g++) {
			size_t size = 3 * page() + 5;
			char *p = clSVMAlloc(env->context, access[a] | grain[g], size, 0);

			CHECK(p != NULL);
			CHECK((uintptr_t)p % page() == 0);
			CHECK(anonymous(p) && anonymous(p + size - 1));
			memset(p, 0x5a, size);
			CHECK(p[size - 1] == 0x5a);
			struct cltest_mark m;

			cltest_mark(&m, p);
			clSVMFree(env->context, p);
			CHECK(cltest_unmarked(&m));
		}
	}
}

CLTEST(invalid_flags_give_null)
{
	const cl_svm_mem_flags bad[] = {
		CL_MEM_READ_WRITE | CL_MEM_READ_ONLY,
		CL_MEM_WRITE_ONLY | CL_MEM_READ_ONLY,
		CL_MEM_USE_HOST_PTR,
		CL_MEM_ALLOC_HOST_PTR,
		CL_MEM_COPY_HOST_PTR,
		CL_MEM_HOST_READ_ONLY,
		CL_MEM_SVM_ATOMICS,			/* needs FINE_GRAIN_BUFFER */
		CL_MEM_READ_WRITE | CL_MEM_SVM_ATOMICS,
		(cl_svm_mem_flags)1 << 40,
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(clSVMAlloc(env->context, bad[i], 4096, 0) == NULL);
}

CLTEST(bad_sizes_give_null)
{
	cl_ulong max = 0;

	CHECK_OK(clGetDeviceInfo(env->device, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof(max), &max,
				 NULL));
	CHECK(clSVMAlloc(env->context, CL_MEM_READ_WRITE, 0, 0) == NULL);
	CHECK(clSVMAlloc(env->context, CL_MEM_READ_WRITE, (size_t)max + 1, 0) == NULL);
	CHECK(clSVMAlloc(env->context, CL_MEM_READ_WRITE, SIZE_MAX, 0) == NULL);
	/* The largest allowed size is allowed (address space only, nothing touched). */
	void *p = cltest_svm_alloc(env, CL_MEM_READ_WRITE, (size_t)max, 0);

	CHECK(p != NULL);
}

CLTEST(bad_alignments_give_null)
{
	const cl_uint bad[] = { 3, 6, 100, 4097, 0x80000001u, 4u << 20, 1u << 31 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(clSVMAlloc(env->context, CL_MEM_READ_WRITE, 64, bad[i]) == NULL);
}

CLTEST(every_power_of_two_alignment_is_honoured)
{
	for (cl_uint align = 1; align <= (2u << 20); align <<= 1) {
		char *p = clSVMAlloc(env->context, CL_MEM_READ_WRITE, 100, align);

		CHECK(p != NULL);
		CHECK((uintptr_t)p % align == 0 && (uintptr_t)p % page() == 0);
		p[99] = 1;
		clSVMFree(env->context, p);
	}
}

CLTEST(null_context_gives_null)
{
	(void)env;
	CHECK(clSVMAlloc(NULL, CL_MEM_READ_WRITE, 64, 0) == NULL);
}

CLTEST(freeing_null_does_nothing)
{
	char *p = cltest_svm_alloc(env, CL_MEM_READ_WRITE, 64, 0);

	CHECK(p != NULL);
	clSVMFree(env->context, NULL);
	p[0] = 1;
	CHECK(mapped(p));
}

CLTEST(freeing_foreign_interior_or_twice_never_corrupts)
{
	char *mine = clSVMAlloc(env->context, CL_MEM_SVM_FINE_GRAIN_BUFFER, 2 * page(), 0);
	char *heap = malloc(64);
	char stack[64];
	struct cltest_mark m;

	CHECK(mine && heap);
	cltest_mark(&m, mine);
	memset(heap, 7, 64);
	memset(stack, 9, sizeof(stack));
	clSVMFree(env->context, heap);		/* not svmx's: ignored */
	clSVMFree(env->context, stack);
	clSVMFree(env->context, mine + 1);	/* interior: ignored */
	clSVMFree(env->context, mine + page());
	mine[2 * page() - 1] = 3;
	CHECK(heap[63] == 7 && stack[63] == 9 && mapped(mine));
	free(heap);
	clSVMFree(env->context, mine);
	CHECK(cltest_unmarked(&m));
	clSVMFree(env->context, mine);		/* twice: ignored */
	char *again = cltest_svm_alloc(env, CL_MEM_READ_WRITE, 64, 0);

	CHECK(again != NULL);
	again[0] = 1;
}

CLTEST(freeing_in_another_context_is_ignored)
{
	cl_int err;
	cl_context other = clCreateContext(NULL, 1, &env->device, NULL, NULL, &err);
	char *p = clSVMAlloc(env->context, CL_MEM_READ_WRITE, 64, 0);

	CHECK(other && p);
	clSVMFree(other, p);
	p[0] = 1;
	CHECK(mapped(p));
	clSVMFree(env->context, p);
	clReleaseContext(other);
}

/*
 * svmx frees a context's allocations when the driver destroys the context,
 * which may be a little after the last clReleaseContext returns.  "Freed"
 * is checked as "no longer holds what the test wrote there": once unmapped,
 * the address may be mapped again at once by any thread (the allocator of a
 * sanitizer, the driver), and that is not svmx's allocation.
 */
CLTEST(releasing_the_context_frees_its_allocations)
{
	cl_int err;
	cl_context ctx = clCreateContext(NULL, 1, &env->device, NULL, NULL, &err);
	char *kept = cltest_svm_alloc(env, CL_MEM_READ_WRITE, 64, 0);
	struct cltest_mark mp, mk;
	char *p;

	CHECK(ctx && kept);
	p = clSVMAlloc(ctx, CL_MEM_READ_WRITE, 64, 0);
	CHECK(p != NULL);
	cltest_mark(&mp, p);
	cltest_mark(&mk, kept);
	/* A retain means the application still holds it after one release. */
	CHECK_OK(clRetainContext(ctx));
	CHECK_OK(clReleaseContext(ctx));
	CHECK(!cltest_unmarked(&mp));
	CHECK_OK(clReleaseContext(ctx));
	CHECK(cltest_gone_within(&mp, 5));
	CHECK(!cltest_unmarked(&mk));
}

int main(int argc, char **argv)
{
	return cltest_run(argc, argv, "rusticl");
}
