/* clCreateBuffer over SVM memory and CL_MEM_USES_SVM_POINTER. */
#include "layer.h"
#include "svm_buffers.h"

static cl_mem refuse(cl_int err, cl_int *errcode_ret)
{
	if (errcode_ret)
		*errcode_ret = err;
	return NULL;
}

static cl_mem CL_API_CALL create_buffer(cl_context context, cl_mem_flags flags, size_t size,
					void *host_ptr, cl_int *errcode_ret)
{
	cl_int err = svmx_svm_buffer_check(context, flags, size, host_ptr);

	if (err != CL_SUCCESS)
		return refuse(err, errcode_ret);
	return svmx_next.clCreateBuffer(context, flags, size, host_ptr, errcode_ret);
}

static cl_mem CL_API_CALL create_buffer_with_properties(cl_context context,
							const cl_mem_properties *properties,
							cl_mem_flags flags, size_t size,
							void *host_ptr, cl_int *errcode_ret)
{
	cl_int err = svmx_svm_buffer_check(context, flags, size, host_ptr);

	if (err != CL_SUCCESS)
		return refuse(err, errcode_ret);
	return svmx_next.clCreateBufferWithProperties(context, properties, flags, size, host_ptr,
						      errcode_ret);
}

static cl_int CL_API_CALL get_mem_object_info(cl_mem mem, cl_mem_info name, size_t size,
					      void *value, size_t *size_ret)
{
	cl_int err = svmx_next.clGetMemObjectInfo(mem, name, size, value, size_ret);
	cl_bool uses;

	/* The driver has checked the arguments; svmx corrects the answer. */
	if (err == CL_SUCCESS && name == CL_MEM_USES_SVM_POINTER && value &&
	    svmx_svm_buffer_uses_svm(mem, &uses))
		*(cl_bool *)value = uses;
	return err;
}

void svmx_install_svm_buffers(struct _cl_icd_dispatch *d)
{
	d->clCreateBuffer = create_buffer;
	if (d->clCreateBufferWithProperties)
		d->clCreateBufferWithProperties = create_buffer_with_properties;
	d->clGetMemObjectInfo = get_mem_object_info;
}
