/*
 * The loader interface of libsvmx.so, called the way a loader calls it:
 * clGetLayerInfo answers, clInitLayerWithProperties rejects properties it
 * does not know, and a target table smaller than svmx's is accepted and
 * never read past its end (it ends right before a guard page here).
 */
#define CL_TARGET_OPENCL_VERSION 300
#include <CL/cl.h>
#include <CL/cl_icd.h>
#include <CL/cl_layer.h>

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef cl_int (*init_with_props_fn)(cl_uint, const struct _cl_icd_dispatch *, cl_uint *,
				     const struct _cl_icd_dispatch **, const cl_properties *);

static int failures;
#define EXPECT(cond) do { if (!(cond)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

static cl_int CL_API_CALL fake_get_platform_ids(cl_uint n, cl_platform_id *p, cl_uint *ret)
{
	(void)n;
	(void)p;
	if (ret)
		*ret = 7;
	return CL_SUCCESS;
}

int main(int argc, char **argv)
{
	void *lib = dlopen(argc > 1 ? argv[1] : "libsvmx.so", RTLD_NOW | RTLD_LOCAL);

	if (!lib) {
		printf("FAIL: dlopen: %s\n", dlerror());
		return 1;
	}
	pfn_clGetLayerInfo info = (pfn_clGetLayerInfo)dlsym(lib, "clGetLayerInfo");
	pfn_clInitLayer init = (pfn_clInitLayer)dlsym(lib, "clInitLayer");
	init_with_props_fn init_props = (init_with_props_fn)dlsym(lib, "clInitLayerWithProperties");
	cl_int (*deinit)(void) = (cl_int (*)(void))dlsym(lib, "clDeinitLayer");
	cl_layer_api_version version = 0;
	char name[128];
	size_t size = 0;

	EXPECT(info && init && init_props && deinit);
	if (failures)
		return 1;
	EXPECT(info(CL_LAYER_API_VERSION, sizeof(version), &version, &size) == CL_SUCCESS);
	EXPECT(version == CL_LAYER_API_VERSION_100 && size == sizeof(version));
	EXPECT(info(CL_LAYER_NAME, sizeof(name), name, &size) == CL_SUCCESS && strstr(name, "svmx"));
	EXPECT(info(CL_LAYER_NAME, 2, name, NULL) == CL_INVALID_VALUE);
	EXPECT(info(0x1234, sizeof(name), name, NULL) == CL_INVALID_VALUE);

	/* A 20-entry table that ends exactly at a PROT_NONE page. */
	long page = sysconf(_SC_PAGESIZE);
	const cl_uint small = 20;
	char *pages = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	EXPECT(pages != MAP_FAILED && mprotect(pages + page, (size_t)page, PROT_NONE) == 0);
	struct _cl_icd_dispatch *target =
		(struct _cl_icd_dispatch *)(pages + page - small * sizeof(void *));

	memset(target, 0, small * sizeof(void *));
	target->clGetPlatformIDs = fake_get_platform_ids;
	const struct _cl_icd_dispatch *layer = NULL;
	cl_uint entries = 0;
	cl_properties bad_props[] = { 0x4242, 1, 0 };
	cl_properties no_props[] = { 0 };

	EXPECT(init_props(small, target, &entries, &layer, bad_props) == CL_INVALID_PROPERTY);
	EXPECT(init_props(small, target, NULL, &layer, no_props) == CL_INVALID_VALUE);
	EXPECT(init_props(small, NULL, &entries, &layer, no_props) == CL_INVALID_VALUE);
	EXPECT(init_props(small, target, &entries, &layer, no_props) == CL_SUCCESS);
	EXPECT(entries == sizeof(struct _cl_icd_dispatch) / sizeof(void *) && layer);
	if (layer) {
		cl_uint n = 0;

		/* Calls forward to the target... */
		EXPECT(layer->clGetPlatformIDs(0, NULL, &n) == CL_SUCCESS && n == 7);
		/* ...and entries the target did not have are absent, not garbage. */
		EXPECT(layer->clEnqueueReadBuffer == NULL && layer->clFinish == NULL);
	}
	EXPECT(init(small, target, &entries, &layer) == CL_SUCCESS);
	EXPECT(deinit() == CL_SUCCESS);
	printf("%s layer_init\n", failures ? "FAIL" : "PASS");
	return failures != 0;
}
