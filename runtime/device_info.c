#include "device_info.h"

#include "info.h"

#include <string.h>

bool svmx_device_info(const struct svmx_device *dev, cl_device_info name,
		      size_t size, void *value, size_t *size_ret, cl_int *err)
{
	if (!svmx_device_touched(dev))
		return false;
	switch (name) {
	case CL_DEVICE_SVM_CAPABILITIES:
		*err = svmx_info_answer(&dev->svm, sizeof(dev->svm), size, value, size_ret);
		return true;
	case CL_DEVICE_ATOMIC_MEMORY_CAPABILITIES:
		*err = svmx_info_answer(&dev->atomic_memory, sizeof(dev->atomic_memory), size, value,
			      size_ret);
		return true;
	case CL_DEVICE_ATOMIC_FENCE_CAPABILITIES:
		*err = svmx_info_answer(&dev->atomic_fence, sizeof(dev->atomic_fence), size, value,
			      size_ret);
		return true;
	case CL_DEVICE_OPENCL_C_FEATURES:
		if (!dev->nadded)
			return false;
		*err = svmx_info_answer(dev->features, dev->nfeatures * sizeof(*dev->features), size,
			      value, size_ret);
		return true;
	case CL_DEVICE_EXTENSIONS:
		if (!dev->added_extensions)
			return false;
		*err = svmx_info_answer(dev->extensions, strlen(dev->extensions) + 1, size, value, size_ret);
		return true;
	case CL_DEVICE_EXTENSIONS_WITH_VERSION:
		if (!dev->added_extensions)
			return false;
		*err = svmx_info_answer(dev->extensions_versioned,
			      dev->nextensions * sizeof(*dev->extensions_versioned), size, value,
			      size_ret);
		return true;
	default:
		return false;
	}
}
