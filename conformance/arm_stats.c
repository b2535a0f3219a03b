/*
 * The arming statistics extension (include/svmx/svmx_ext.h) on rusticl's
 * llvmpipe device: found through the loader, exact about the allocation,
 * and showing no arming, because a device coherent with the host needs none.
 */
#define CL_USE_DEPRECATED_OPENCL_1_1_APIS
#include "cltest.h"

#include <malloc.h>
#include <string.h>
#include <svmx/svmx_ext.h>

/* Bytes the heap holds now: ASan's count under ASan, else glibc's. */
size_t __sanitizer_get_current_allocated_bytes(void) __attribute__((weak));

static size_t heap_in_use(void)
{
	if (__sanitizer_get_current_allocated_bytes)
		return __sanitizer_get_current_allocated_bytes();
	return mallinfo2().uordblks;
}

#define FINE_ATOMIC (CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER | CL_MEM_SVM_ATOMICS)

static clGetSVMArmStatsSVMX_fn get_stats(struct cltest_env *env)
{
	return (clGetSVMArmStatsSVMX_fn)clGetExtensionFunctionAddressForPlatform(
		env->platform, CL_SVMX_ARM_STATS_FUNCTION_NAME);
}

CLTEST(function_is_found_through_the_loader)
{
	void *by_platform = (void *)get_stats(env);

	CHECK(by_platform != NULL);
	CHECK(clGetExtensionFunctionAddress(CL_SVMX_ARM_STATS_FUNCTION_NAME) == by_platform);
	/*
	 * The driver's own extension functions still come through (rusticl's
	 * cl_khr_il_program on every version; the Khronos loader of 2026 hides
	 * clIcd* names from the application itself).
	 */
	CHECK(clGetExtensionFunctionAddressForPlatform(env->platform, "clCreateProgramWithILKHR") !=
	      NULL);
}

static const char *source =
	"kernel void count(global atomic_int *c)\n"
	"{\n"
	"	atomic_fetch_add_explicit(c + get_global_id(0) % 1024, 1, memory_order_relaxed,\n"
	"				  memory_scope_all_svm_devices);\n"
	"}\n";

CLTEST(coherent_device_gets_no_arming_and_exact_counts)
{
	clGetSVMArmStatsSVMX_fn get = get_stats(env);
	cl_kernel k = cltest_kernel(env, source, "count", "-cl-std=CL2.0");
	size_t bytes = 3 * 4096 + 100, n = 4096;
	int *mem = cltest_svm_alloc(env, FINE_ATOMIC, bytes, 0);
	cl_svm_arm_stats_svmx st;

	CHECK(get && k && mem);
	if (!get || !k || !mem)
		return;
	memset(mem, 0, bytes);
	CHECK_OK(clSetKernelArgSVMPointer(k, 0, mem + 1024));
	CHECK_OK(clEnqueueNDRangeKernel(env->queue, k, 1, NULL, &n, NULL, 0, NULL, NULL));
	CHECK_OK(clEnqueueSVMMigrateMem(env->queue, 1, (const void **)&mem, NULL, 0, 0, NULL,
					NULL));
	CHECK_OK(clFinish(env->queue));
	CHECK(mem[1024] == 4 && mem[2047] == 4);
	/* Any interior pointer names the allocation. */
	CHECK_OK(get(env->context, (char *)mem + bytes - 1, &st));
	CHECK(st.bytes == bytes);
	CHECK(st.arms == 0 && st.armed == 0 && st.rearms == 0);
	for (int r = 0; r < SVMX_STATS_REASONS; r++)
		CHECK(st.revoked[r] == 0);
	CHECK_ERR(get(env->context, (char *)mem + bytes + 4096, &st), CL_INVALID_VALUE);
	cltest_release(mem);
	CHECK_ERR(get(env->context, mem, &st), CL_INVALID_VALUE);
}

/*
 * What svmx keeps of an SVM_ATOMICS allocation goes with it: many allocated
 * and freed leave the heap as it was (SVMX_STATS keeps bounded totals; the
 * memory this saves is measured by svmx_bench rss).
 */
CLTEST(records_of_freed_allocations_are_freed)
{
	enum { CYCLES = 20000 };
	size_t before, after;

	/* Warm up whatever the first allocations grow once. */
	for (int i = 0; i < 100; i++)
		clSVMFree(env->context, clSVMAlloc(env->context, FINE_ATOMIC, 64, 0));
	before = heap_in_use();
	for (int i = 0; i < CYCLES; i++) {
		void *p = clSVMAlloc(env->context, FINE_ATOMIC, 64, 0);

		CHECK(p);
		clSVMFree(env->context, p);
	}
	after = heap_in_use();
	printf("heap in use after %d atomic alloc/free cycles: %zu bytes before, %zu after\n",
	       CYCLES, before, after);
	/* A record kept per allocation would be over 100 bytes each. */
	CHECK(after < before + CYCLES * 8);
}

int main(int argc, char **argv)
{
	return cltest_run(argc, argv, "rusticl");
}
