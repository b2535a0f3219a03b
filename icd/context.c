/* Contexts: svmx follows the application's references to know when it is done. */
#include "context.h"
#include "layer.h"

static cl_context CL_API_CALL create_context(const cl_context_properties *properties,
					     cl_uint ndevices, const cl_device_id *devices,
					     void(CL_CALLBACK *notify)(const char *, const void *,
								       size_t, void *),
					     void *user_data, cl_int *errcode_ret)
{
	cl_context context = svmx_next.clCreateContext(properties, ndevices, devices, notify,
						       user_data, errcode_ret);

	if (context)
		svmx_context_created(context);
	return context;
}

static cl_context CL_API_CALL create_context_from_type(const cl_context_properties *properties,
						       cl_device_type type,
						       void(CL_CALLBACK *notify)(const char *,
										 const void *,
										 size_t, void *),
						       void *user_data, cl_int *errcode_ret)
{
	cl_context context = svmx_next.clCreateContextFromType(properties, type, notify,
							       user_data, errcode_ret);

	if (context)
		svmx_context_created(context);
	return context;
}

static cl_int CL_API_CALL retain_context(cl_context context)
{
	cl_int err = svmx_next.clRetainContext(context);

	if (err == CL_SUCCESS)
		svmx_context_retained(context);
	return err;
}

static cl_int CL_API_CALL release_context(cl_context context)
{
	if (!context)
		return CL_INVALID_CONTEXT;
	svmx_context_releasing(context);
	return svmx_next.clReleaseContext(context);
}

void svmx_install_context(struct _cl_icd_dispatch *d)
{
	d->clCreateContext = create_context;
	d->clCreateContextFromType = create_context_from_type;
	d->clRetainContext = retain_context;
	d->clReleaseContext = release_context;
}
