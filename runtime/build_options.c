#include "build_options.h"

#include "device.h"
#include "dispatch.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Whether options ask for OpenCL C 3.0 (the last -cl-std wins, as in clang). */
static bool wants_c3(const char *options)
{
	const char *p = options, *last = NULL;

	while (options && (p = strstr(p, "-cl-std=")) != NULL) {
		if (p == options || p[-1] == ' ' || p[-1] == '\t')
			last = p;
		p += 8;
	}
	return last && strncmp(last + 8, "CL3.0", 5) == 0;
}

char *svmx_build_options(const char *options, cl_uint ndevices,
			 const cl_device_id *devices)
{
	const char *defines = NULL;
	char *out;

	if (!wants_c3(options))
		return NULL;
	for (cl_uint i = 0; i < ndevices; i++) {
		const struct svmx_device *dev = svmx_device_lookup(devices[i]);

		/* Devices of one program come from one driver: the first says it. */
		if (svmx_device_touched(dev) && dev->defines[0]) {
			defines = dev->defines;
			break;
		}
	}
	if (!defines)
		return NULL;
	out = malloc(strlen(options) + strlen(defines) + 1);
	if (out) {
		strcpy(out, options);
		strcat(out, defines);
	}
	return out;
}

char *svmx_build_options_for_program(const char *options, cl_program program,
				     cl_uint ndevices, const cl_device_id *devices)
{
	cl_device_id *all = NULL;
	cl_uint n = 0;
	char *out;

	if (!wants_c3(options))
		return NULL;
	if (ndevices && devices)
		return svmx_build_options(options, ndevices, devices);
	if (svmx_next.clGetProgramInfo(program, CL_PROGRAM_NUM_DEVICES, sizeof(n), &n,
				       NULL) != CL_SUCCESS || !n)
		return NULL;
	all = calloc(n, sizeof(*all));
	if (!all || svmx_next.clGetProgramInfo(program, CL_PROGRAM_DEVICES, n * sizeof(*all),
					       all, NULL) != CL_SUCCESS) {
		free(all);
		return NULL;
	}
	out = svmx_build_options(options, n, all);
	free(all);
	return out;
}
