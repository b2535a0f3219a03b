/* clBuildProgram, clCompileProgram: define the OpenCL C features svmx reports. */
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

	free(ours);
	return err;
}

void svmx_install_program_build(struct _cl_icd_dispatch *d)
{
	if (d->clBuildProgram)
		d->clBuildProgram = build_program;
	if (d->clCompileProgram)
		d->clCompileProgram = compile_program;
}
