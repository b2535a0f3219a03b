/*
 * Kernels: SVM pointer arguments, exec info, and the lifetime calls svmx
 * needs to keep its record of each kernel right (create, clone, release).
 */
#include "device.h"
#include "kernel.h"
#include "layer.h"

#include <stdbool.h>
#include <stdlib.h>

static cl_kernel CL_API_CALL create_kernel(cl_program program, const char *name,
					   cl_int *errcode_ret)
{
	cl_kernel kernel = svmx_next.clCreateKernel(program, name, errcode_ret);

	if (kernel)
		svmx_kernel_created(kernel);
	return kernel;
}

static cl_int CL_API_CALL create_kernels_in_program(cl_program program, cl_uint nkernels,
						    cl_kernel *kernels, cl_uint *nkernels_ret)
{
	cl_int err = svmx_next.clCreateKernelsInProgram(program, nkernels, kernels,
							nkernels_ret);

	for (cl_uint i = 0; err == CL_SUCCESS && kernels && i < nkernels; i++)
		if (kernels[i])
			svmx_kernel_created(kernels[i]);
	return err;
}

static cl_kernel CL_API_CALL clone_kernel(cl_kernel source, cl_int *errcode_ret)
{
	cl_kernel clone = svmx_next.clCloneKernel(source, errcode_ret);

	if (clone)
		svmx_kernel_cloned(source, clone);
	return clone;
}

static cl_int CL_API_CALL retain_kernel(cl_kernel kernel)
{
	cl_int err = svmx_next.clRetainKernel(kernel);

	if (err == CL_SUCCESS)
		svmx_kernel_retained(kernel);
	return err;
}

static cl_int CL_API_CALL release_kernel(cl_kernel kernel)
{
	if (!kernel)
		return CL_INVALID_KERNEL;
	svmx_kernel_releasing(kernel);
	return svmx_next.clReleaseKernel(kernel);
}

static cl_int CL_API_CALL set_kernel_arg(cl_kernel kernel, cl_uint index, size_t size,
					 const void *value)
{
	cl_int err = svmx_next.clSetKernelArg(kernel, index, size, value);
	struct svmx_kernel *k;

	if (err == CL_SUCCESS && (k = svmx_kernel_find(kernel)) != NULL) {
		svmx_kernel_forget_arg(k, index);
		svmx_kernel_put(k);
	}
	return err;
}

/*
 * A kernel svmx does not track is forwarded, but a driver without SVM (the
 * reason for svmx) answers CL_INVALID_OPERATION before it looks at the
 * kernel: an invalid handle must get CL_INVALID_KERNEL.
 */
static bool valid_kernel(cl_kernel kernel)
{
	cl_uint n;

	return kernel && svmx_next.clGetKernelInfo(kernel, CL_KERNEL_NUM_ARGS, sizeof(n), &n,
						   NULL) == CL_SUCCESS;
}

static cl_int CL_API_CALL set_kernel_arg_svm_pointer(cl_kernel kernel, cl_uint index,
						     const void *value)
{
	struct svmx_kernel *k = svmx_kernel_find(kernel);
	cl_int err;

	if (!k) {
		if (!valid_kernel(kernel))
			return CL_INVALID_KERNEL;
		return SVMX_FORWARD(clSetKernelArgSVMPointer, CL_INVALID_OPERATION, kernel,
				    index, value);
	}
	err = svmx_kernel_set_svm_arg(k, index, value);
	svmx_kernel_put(k);
	return err;
}

static cl_int CL_API_CALL set_kernel_exec_info(cl_kernel kernel, cl_kernel_exec_info name,
					       size_t size, const void *value)
{
	struct svmx_kernel *k = svmx_kernel_find(kernel);
	cl_int err;

	if (!k) {
		if (!valid_kernel(kernel))
			return CL_INVALID_KERNEL;
		err = SVMX_FORWARD(clSetKernelExecInfo, CL_INVALID_OPERATION, kernel, name,
				   size, value);
		/* The reset the specification allows, refused (SVMX_WA_EXEC_INFO_RESET). */
		if (err == CL_INVALID_VALUE && name == CL_KERNEL_EXEC_INFO_SVM_PTRS && !size &&
		    !value && svmx_kernel_devices_have(kernel, SVMX_WA_EXEC_INFO_RESET))
			err = CL_SUCCESS;
		return err;
	}
	err = svmx_kernel_set_exec_info(k, name, size, value);
	svmx_kernel_put(k);
	return err;
}

void svmx_install_kernel(struct _cl_icd_dispatch *d)
{
	d->clCreateKernel = create_kernel;
	d->clCreateKernelsInProgram = create_kernels_in_program;
	if (d->clCloneKernel)
		d->clCloneKernel = clone_kernel;
	d->clRetainKernel = retain_kernel;
	d->clReleaseKernel = release_kernel;
	d->clSetKernelArg = set_kernel_arg;
	d->clSetKernelArgSVMPointer = set_kernel_arg_svm_pointer;
	d->clSetKernelExecInfo = set_kernel_exec_info;
}
