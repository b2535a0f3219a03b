#include "device_info.h"

#include <string.h>

static cl_int answer(const void *data, size_t len, size_t size, void *value,
		     size_t *size_ret)
{
	if (value) {
		if (size < len)
			return CL_INVALID_VALUE;
		memcpy(value, data, len);
	}
	if (size_ret)
		*size_ret = len;
	return CL_SUCCESS;
}

bool svmx_device_info(const struct svmx_device *dev, cl_device_info name,
		      size_t size, void *value, size_t *size_ret, cl_int *err)
{
	if (!svmx_device_touched(dev))
		return false;
	switch (name) {
	case CL_DEVICE_SVM_CAPABILITIES:
		*err = answer(&dev->svm, sizeof(dev->svm), size, value, size_ret);
		return true;
	case CL_DEVICE_ATOMIC_MEMORY_CAPABILITIES:
		*err = answer(&dev->atomic_memory, sizeof(dev->atomic_memory), size, value,
			      size_ret);
		return true;
	case CL_DEVICE_ATOMIC_FENCE_CAPABILITIES:
		*err = answer(&dev->atomic_fence, sizeof(dev->atomic_fence), size, value,
			      size_ret);
		return true;
	case CL_DEVICE_OPENCL_C_FEATURES:
		if (!dev->nadded)
			return false;
		*err = answer(dev->features, dev->nfeatures * sizeof(*dev->features), size,
			      value, size_ret);
		return true;
	case CL_DEVICE_EXTENSIONS:
		if (!dev->added_extensions)
			return false;
		*err = answer(dev->extensions, strlen(dev->extensions) + 1, size, value, size_ret);
		return true;
	case CL_DEVICE_EXTENSIONS_WITH_VERSION:
		if (!dev->added_extensions)
			return false;
		*err = answer(dev->extensions_versioned,
			      dev->nextensions * sizeof(*dev->extensions_versioned), size, value,
			      size_ret);
		return true;
	default:
		return false;
	}
}
