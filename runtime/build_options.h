/*
 * Build options for devices whose compiler needs svmx's OpenCL C feature
 * macros: the features svmx reports must also be defined when a program is
 * compiled for OpenCL C 3.0, where the atomic scopes and orders hang on them.
 */
#ifndef SVMX_BUILD_OPTIONS_H
#define SVMX_BUILD_OPTIONS_H

#include "cl.h"

#include <stdbool.h>

/*
 * The options to hand the driver instead of options for a build on these
 * devices (malloc'd), or NULL when options stand as they are.
 */
char *svmx_build_options(const char *options, cl_uint ndevices,
			 const cl_device_id *devices);

/* Same, for a program whose devices are those it was created for. */
char *svmx_build_options_for_program(const char *options, cl_program program,
				     cl_uint ndevices, const cl_device_id *devices);

/*
 * CL_PROGRAM_BUILD_OPTIONS must read what the application passed, not what
 * svmx handed the driver: the application's options are kept per program
 * while a build of it ran with svmx's.
 */
void svmx_build_options_remember(cl_program program, const char *app_options, bool changed);

/* The query answered from the record (true), or false when there is none. */
bool svmx_build_options_answer(cl_program program, size_t size, void *value,
			       size_t *size_ret, cl_int *err);

/* The program is gone. */
void svmx_build_options_forget(cl_program program);

/* Whether any program has a record (the release path then looks). */
bool svmx_build_options_any(void);

#endif
