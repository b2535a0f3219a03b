/* clGetDeviceInfo: SVM and atomic capabilities, C features and extensions as svmx delivers them. */
#include "device_info.h"
#include "layer.h"

static cl_int CL_API_CALL get_device_info(cl_device_id device, cl_device_info name,
					  size_t size, void *value, size_t *size_ret)
{
	cl_int err;

	switch (name) {
	case CL_DEVICE_SVM_CAPABILITIES:
	case CL_DEVICE_ATOMIC_MEMORY_CAPABILITIES:
	case CL_DEVICE_ATOMIC_FENCE_CAPABILITIES:
	case CL_DEVICE_OPENCL_C_FEATURES:
	case CL_DEVICE_EXTENSIONS:
	case CL_DEVICE_EXTENSIONS_WITH_VERSION:
		if (svmx_device_info(svmx_device_lookup(device), name, size, value, size_ret,
				     &err))
			return err;
		break;
	default:
		break;
	}
	return svmx_next.clGetDeviceInfo(device, name, size, value, size_ret);
}

void svmx_install_device_info(struct _cl_icd_dispatch *d)
{
	d->clGetDeviceInfo = get_device_info;
}
