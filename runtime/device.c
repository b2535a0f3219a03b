#include "device.h"

#include "dispatch.h"
#include "handle_map.h"
#include "log.h"
#include "settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct svmx_handle_map devices = SVMX_HANDLE_MAP_INIT;

/*
 * What svmx delivers on a host-coherent device: the kernel runs on host CPUs
 * over the same cache-coherent memory as the application's threads, so every
 * order and scope up to all-devices is the hardware's own.
 */
#define SVMX_EMULATED_ATOMICS \
	(CL_DEVICE_ATOMIC_ORDER_RELAXED | CL_DEVICE_ATOMIC_ORDER_ACQ_REL | \
	 CL_DEVICE_ATOMIC_ORDER_SEQ_CST | CL_DEVICE_ATOMIC_SCOPE_WORK_GROUP | \
	 CL_DEVICE_ATOMIC_SCOPE_DEVICE | CL_DEVICE_ATOMIC_SCOPE_ALL_DEVICES)

struct added_feature {
	const char *name;
	cl_device_atomic_capabilities needs;	/* memory capability behind it */
};

static const struct added_feature atomic_features[SVMX_MAX_ADDED_FEATURES] = {
	{ "__opencl_c_atomic_order_acq_rel", CL_DEVICE_ATOMIC_ORDER_ACQ_REL },
	{ "__opencl_c_atomic_order_seq_cst", CL_DEVICE_ATOMIC_ORDER_SEQ_CST },
	{ "__opencl_c_atomic_scope_device", CL_DEVICE_ATOMIC_SCOPE_DEVICE },
	{ "__opencl_c_atomic_scope_all_devices", CL_DEVICE_ATOMIC_SCOPE_ALL_DEVICES },
};

static bool query(cl_device_id id, cl_device_info what, size_t size, void *value)
{
	return svmx_next.clGetDeviceInfo(id, what, size, value, NULL) == CL_SUCCESS;
}

bool svmx_device_has_feature(const struct svmx_device *dev, const char *name)
{
	for (size_t i = 0; i < dev->nfeatures; i++)
		if (strcmp(dev->features[i].name, name) == 0)
			return true;
	return false;
}

bool svmx_device_has_extension(const struct svmx_device *dev, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = dev->extensions; (p = strstr(p, name)) != NULL; p += n)
		if ((p == dev->extensions || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

/* The extensions svmx adds where it delivers them, in the order it adds them. */
static const char *const int64_extensions[] = {
	"cl_khr_int64_base_atomics", "cl_khr_int64_extended_atomics",
};
#define NADDED_EXTENSIONS (sizeof(int64_extensions) / sizeof(*int64_extensions))

/* The driver's extension string and list, with room for what svmx adds. */
static bool read_extensions(struct svmx_device *dev)
{
	size_t size = 0, n;

	if (svmx_next.clGetDeviceInfo(dev->id, CL_DEVICE_EXTENSIONS, 0, NULL, &size) != CL_SUCCESS)
		size = 0;
	dev->extensions = calloc(1, size + 1);
	if (!dev->extensions || (size && !query(dev->id, CL_DEVICE_EXTENSIONS, size,
						  dev->extensions)))
		return false;
	/* Before OpenCL 3.0 there is no versioned list: it stays empty. */
	if (svmx_next.clGetDeviceInfo(dev->id, CL_DEVICE_EXTENSIONS_WITH_VERSION, 0, NULL,
				      &size) != CL_SUCCESS)
		size = 0;
	n = size / sizeof(cl_name_version);
	dev->extensions_versioned = calloc(n + NADDED_EXTENSIONS, sizeof(cl_name_version));
	dev->nextensions = n;
	return dev->extensions_versioned &&
	       (!size || query(dev->id, CL_DEVICE_EXTENSIONS_WITH_VERSION, size,
			       dev->extensions_versioned));
}

/* Report the extensions svmx delivers (SVMX_WA_INT64_ATOMICS). */
static void add_extensions(struct svmx_device *dev)
{
	size_t len = strlen(dev->extensions), more = 0;
	char *s;

	for (size_t i = 0; i < NADDED_EXTENSIONS; i++)
		more += strlen(int64_extensions[i]) + 1;
	s = realloc(dev->extensions, len + more + 1);
	if (!s)
		return;
	dev->extensions = s;
	/* Drivers end the string with a space or not: keep one between names. */
	while (len && s[len - 1] == ' ')
		s[--len] = '\0';
	for (size_t i = 0; i < NADDED_EXTENSIONS; i++) {
		cl_name_version *nv = &dev->extensions_versioned[dev->nextensions++];

		len += (size_t)sprintf(s + len, "%s%s", len ? " " : "", int64_extensions[i]);
		nv->version = CL_MAKE_VERSION(1, 0, 0);
		snprintf(nv->name, sizeof(nv->name), "%s", int64_extensions[i]);
	}
	dev->added_extensions = true;
}

static bool read_features(struct svmx_device *dev)
{
	size_t size = 0;

	/* Devices before OpenCL 3.0 have no feature list: start empty. */
	if (svmx_next.clGetDeviceInfo(dev->id, CL_DEVICE_OPENCL_C_FEATURES, 0,
				      NULL, &size) != CL_SUCCESS)
		size = 0;
	dev->nfeatures = size / sizeof(cl_name_version);
	dev->features = calloc(dev->nfeatures + SVMX_MAX_ADDED_FEATURES,
			       sizeof(cl_name_version));
	if (!dev->features)
		return false;
	return !size || query(dev->id, CL_DEVICE_OPENCL_C_FEATURES, size, dev->features);
}

/* Add each atomic feature whose capability svmx reports but the list lacks. */
static void add_features(struct svmx_device *dev)
{
	size_t used = 0;

	for (size_t i = 0; i < SVMX_MAX_ADDED_FEATURES; i++) {
		const struct added_feature *f = &atomic_features[i];
		cl_name_version *nv;

		if (!(dev->atomic_memory & f->needs) || svmx_device_has_feature(dev, f->name))
			continue;
		nv = &dev->features[dev->nfeatures++];
		nv->version = CL_MAKE_VERSION(3, 0, 0);
		snprintf(nv->name, sizeof(nv->name), "%s", f->name);
		used += (size_t)snprintf(dev->defines + used, sizeof(dev->defines) - used,
					 " -D%s=1", f->name);
		dev->nadded++;
	}
}

static bool host_coherent(cl_device_id id)
{
	cl_device_type type = 0;
	cl_bool unified = CL_FALSE;

	/* A CPU device sharing the host's memory runs kernels on host pages. */
	return query(id, CL_DEVICE_TYPE, sizeof(type), &type) &&
	       query(id, CL_DEVICE_HOST_UNIFIED_MEMORY, sizeof(unified), &unified) &&
	       (type & CL_DEVICE_TYPE_CPU) && unified;
}

/* rusticl's driver version is Mesa's: "25.0.7" is 2500. */
static unsigned mesa_version(cl_device_id id)
{
	char platform_name[64] = "", version[64] = "";
	cl_platform_id platform;
	unsigned major, minor;

	if (!query(id, CL_DEVICE_PLATFORM, sizeof(platform), &platform) ||
	    svmx_next.clGetPlatformInfo(platform, CL_PLATFORM_NAME, sizeof(platform_name) - 1,
					platform_name, NULL) != CL_SUCCESS ||
	    strcmp(platform_name, "rusticl") != 0 ||
	    !query(id, CL_DRIVER_VERSION, sizeof(version) - 1, version) ||
	    sscanf(version, "%u.%u", &major, &minor) != 2)
		return 0;
	return major * 100 + minor;
}

static void classify(struct svmx_device *dev)
{
	unsigned w = svmx_settings()->disable ? 0 : svmx_workarounds_for(dev);

	dev->workarounds = w;
	dev->role = SVMX_ROLE_PASS;
	if (svmx_wa(w, SVMX_WA_PROVIDE_SVM)) {
		dev->role = SVMX_ROLE_EMULATE;
		/* Fine-grain system SVM, where the driver has it, stays the driver's. */
		dev->svm = CL_DEVICE_SVM_COARSE_GRAIN_BUFFER | CL_DEVICE_SVM_FINE_GRAIN_BUFFER |
			   (dev->native_svm & CL_DEVICE_SVM_FINE_GRAIN_SYSTEM);
	}
	if (svmx_wa(w, SVMX_WA_SYSTEM_SVM))
		dev->svm |= CL_DEVICE_SVM_FINE_GRAIN_SYSTEM;
	if (svmx_wa(w, SVMX_WA_SVM_ATOMICS)) {
		if (dev->role == SVMX_ROLE_PASS)
			dev->role = SVMX_ROLE_ATOMICS;
		dev->svm |= CL_DEVICE_SVM_ATOMICS;
		dev->atomic_memory |= SVMX_EMULATED_ATOMICS;
		/* Native fences, or locked RMWs where they are no-ops (SVMX_WA_FENCE). */
		dev->atomic_fence |= SVMX_EMULATED_ATOMICS;
	}
	if (svmx_wa(w, SVMX_WA_SCOPE_FEATURE))
		dev->role = SVMX_ROLE_SCOPE_FIX;
	if (dev->role != SVMX_ROLE_PASS)
		add_features(dev);
	if (svmx_wa(w, SVMX_WA_INT64_ATOMICS))
		add_extensions(dev);
}

static void log_device(const struct svmx_device *dev)
{
	char names[256] = "";
	size_t used = 0;

	for (int w = 0; w < SVMX_WA_COUNT; w++)
		if (svmx_wa(dev->workarounds, w) && used < sizeof(names))
			used += (size_t)snprintf(names + used, sizeof(names) - used, " %s",
						 svmx_workaround_name(w));
	svmx_info("device %p: %s; workarounds:%s", (void *)dev->id,
		  dev->role == SVMX_ROLE_EMULATE ? "svmx provides SVM and atomics" :
		  dev->role == SVMX_ROLE_ATOMICS ? "native SVM, svmx adds atomics" :
		  dev->role == SVMX_ROLE_SCOPE_FIX ? "native SVM, svmx adds the all-devices scope feature" :
		  "untouched", used ? names : " none");
}

static struct svmx_device *probe_device(cl_device_id id)
{
	struct svmx_device *dev = calloc(1, sizeof(*dev));

	if (!dev)
		return NULL;
	dev->id = id;
	/* Older drivers reject the 2.0/3.0 queries: treat that as "none". */
	if (!query(id, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof(dev->max_alloc), &dev->max_alloc))
		goto bad;
	if (!query(id, CL_DEVICE_SVM_CAPABILITIES, sizeof(dev->svm), &dev->svm))
		dev->svm = 0;
	if (!query(id, CL_DEVICE_ATOMIC_MEMORY_CAPABILITIES, sizeof(dev->atomic_memory),
		   &dev->atomic_memory))
		dev->atomic_memory = CL_DEVICE_ATOMIC_ORDER_RELAXED | CL_DEVICE_ATOMIC_SCOPE_WORK_GROUP;
	if (!query(id, CL_DEVICE_ATOMIC_FENCE_CAPABILITIES, sizeof(dev->atomic_fence),
		   &dev->atomic_fence))
		dev->atomic_fence = CL_DEVICE_ATOMIC_ORDER_RELAXED | CL_DEVICE_ATOMIC_ORDER_ACQ_REL |
				    CL_DEVICE_ATOMIC_SCOPE_WORK_GROUP;
	if (!read_features(dev) || !read_extensions(dev))
		goto bad;
	dev->host_coherent = host_coherent(id);
	dev->native_svm = dev->svm;
	dev->native_atomic_memory = dev->atomic_memory;
	dev->mesa_version = mesa_version(id);
	classify(dev);
	log_device(dev);
	return dev;
bad:
	free(dev->extensions);
	free(dev->extensions_versioned);
	free(dev->features);
	free(dev);
	return NULL;
}

const struct svmx_device *svmx_device_lookup(cl_device_id id)
{
	struct svmx_device *dev = svmx_handle_map_find(&devices, id, NULL);

	if (dev || !id)
		return dev;
	dev = probe_device(id);
	if (dev && !svmx_handle_map_insert(&devices, id, dev)) {
		/* Another thread classified it first. */
		free(dev->extensions);
		free(dev->extensions_versioned);
		free(dev->features);
		free(dev);
		dev = svmx_handle_map_find(&devices, id, NULL);
	}
	return dev;
}

/* Every device of context passes test (with arg); false if it has none. */
static bool all_devices(cl_context context, bool (*test)(const struct svmx_device *, int),
			int arg)
{
	cl_device_id devices[16];
	size_t size = 0;

	if (svmx_next.clGetContextInfo(context, CL_CONTEXT_DEVICES, sizeof(devices), devices,
				       &size) != CL_SUCCESS || !size)
		return false;
	for (size_t i = 0; i < size / sizeof(devices[0]); i++) {
		const struct svmx_device *dev = svmx_device_lookup(devices[i]);

		if (!dev || !test(dev, arg))
			return false;
	}
	return true;
}

static bool has_workaround(const struct svmx_device *dev, int w)
{
	return svmx_wa(dev->workarounds, w);
}

static bool has_system_svm(const struct svmx_device *dev, int unused)
{
	(void)unused;
	return dev->native_svm & CL_DEVICE_SVM_FINE_GRAIN_SYSTEM;
}

bool svmx_context_system_svm(cl_context context)
{
	return all_devices(context, has_system_svm, 0);
}

bool svmx_context_devices_have(cl_context context, enum svmx_workaround w)
{
	return all_devices(context, has_workaround, w);
}

bool svmx_kernel_devices_have(cl_kernel kernel, enum svmx_workaround w)
{
	cl_context context;

	return svmx_next.clGetKernelInfo(kernel, CL_KERNEL_CONTEXT, sizeof(context), &context,
					 NULL) == CL_SUCCESS &&
	       all_devices(context, has_workaround, w);
}
