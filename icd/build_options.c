/*
 * clBuildProgram, clCompileProgram: the options a build needs on the device
 * (build_options.c); clGetProgramBuildInfo answers CL_PROGRAM_BUILD_OPTIONS
 * with the application's own, and clReleaseProgram forgets them.
 */
#include "build_options.h"
#include "layer.h"

#include <stdlib.h>

static cl_int CL_API_CALL build_program(cl_program program, cl_uint ndevices,
					const cl_device_id *devices, const char *options,
					void(CL_CALLBACK *notify)(cl_program, void *),
					void *user_data)
{
	char *ours = program ? svmx_build_options_for_program(options, program, ndevices,
							      devices) : NULL;
	cl_int err = svmx_next.clBuildProgram(program, ndevices, devices,
					      ours ? ours : options, notify, user_data);

	if (program && err != CL_INVALID_PROGRAM)
		svmx_build_options_remember(program, options, ours != NULL);
	free(ours);
	return err;
}

static cl_int CL_API_CALL compile_program(cl_program program, cl_uint ndevices,
					  const cl_device_id *devices, const char *options,
					  cl_uint nheaders, const cl_program *headers,
					  const char **header_names,
					  void(CL_CALLBACK *notify)(cl_program, void *),
					  void *user_data)
{
	char *ours = program ? svmx_build_options_for_program(options, program, ndevices,
							      devices) : NULL;
	cl_int err = svmx_next.clCompileProgram(program, ndevices, devices,
						ours ? ours : options, nheaders, headers,
						header_names, notify, user_data);

	if (program && err != CL_INVALID_PROGRAM)
		svmx_build_options_remember(program, options, ours != NULL);
	free(ours);
	return err;
}

static cl_int CL_API_CALL get_program_build_info(cl_program program, cl_device_id device,
						 cl_program_build_info name, size_t size,
						 void *value, size_t *size_ret)
{
	cl_build_status status = CL_BUILD_NONE;
	cl_int err;

	/* The driver checks the handles and says whether that device was built. */
	if (name == CL_PROGRAM_BUILD_OPTIONS &&
	    svmx_next.clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_STATUS,
					    sizeof(status), &status, NULL) == CL_SUCCESS &&
	    status != CL_BUILD_NONE &&
	    svmx_build_options_answer(program, size, value, size_ret, &err))
		return err;
	return svmx_next.clGetProgramBuildInfo(program, device, name, size, value, size_ret);
}

static cl_int CL_API_CALL release_program(cl_program program)
{
	cl_uint refs = 0;
	cl_int err;

	if (!svmx_build_options_any())
		return svmx_next.clReleaseProgram(program);
	if (svmx_next.clGetProgramInfo(program, CL_PROGRAM_REFERENCE_COUNT, sizeof(refs), &refs,
				       NULL) != CL_SUCCESS)
		refs = 0;
	err = svmx_next.clReleaseProgram(program);
	if (err == CL_SUCCESS && refs == 1)
		svmx_build_options_forget(program);
	return err;
}

void svmx_install_build_options(struct _cl_icd_dispatch *d)
{
	d->clGetProgramBuildInfo = get_program_build_info;
	d->clReleaseProgram = release_program;
	d->clBuildProgram = build_program;
	d->clCompileProgram = compile_program;
}
