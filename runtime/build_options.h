/*
 * Build options for devices whose compiler needs svmx's OpenCL C feature
 * macros: the features svmx reports must also be defined when a program is
 * compiled for OpenCL C 3.0, where the atomic scopes and orders hang on them.
 */
#ifndef SVMX_BUILD_OPTIONS_H
#define SVMX_BUILD_OPTIONS_H

#include "cl.h"

/*
 * The options to hand the driver instead of options for a build on these
 * devices (malloc'd), or NULL when options stand as they are.
 */
char *svmx_build_options(const char *options, cl_uint ndevices,
			 const cl_device_id *devices);

/* Same, for a program whose devices are those it was created for. */
char *svmx_build_options_for_program(const char *options, cl_program program,
				     cl_uint ndevices, const cl_device_id *devices);

#endif
