/*
 * clGetProgramInfo (CL_PROGRAM_BINARY_SIZES, CL_PROGRAM_BINARIES) and
 * clCreateProgramWithBinary: binaries for devices whose kernels use svmx's
 * fence word go out with svmx's header and without the word's address, and
 * come back without the header and with this process's address
 * (program_binary.c in the runtime says why).
 */
#include "layer.h"
#include "program_binary.h"

#include <stdlib.h>

/* The program's devices (malloc'd) and how many; NULL if the query failed. */
static cl_device_id *program_devices(cl_program program, cl_uint *n)
{
	cl_device_id *devices;

	if (svmx_next.clGetProgramInfo(program, CL_PROGRAM_NUM_DEVICES, sizeof(*n), n, NULL) !=
		    CL_SUCCESS || *n == 0)
		return NULL;
	devices = calloc(*n, sizeof(*devices));
	if (devices && svmx_next.clGetProgramInfo(program, CL_PROGRAM_DEVICES,
						  *n * sizeof(*devices), devices,
						  NULL) != CL_SUCCESS) {
		free(devices);
		devices = NULL;
	}
	return devices;
}

/* Which of the devices get wrapped binaries; false if none does. */
static bool any_wraps(const cl_device_id *devices, cl_uint n, bool *wraps)
{
	bool any = false;

	for (cl_uint i = 0; i < n; i++)
		any |= wraps[i] = svmx_program_binary_wraps(devices[i]);
	return any;
}

/*
 * CL_PROGRAM_BINARY_SIZES or CL_PROGRAM_BINARIES where some device wraps:
 * the driver writes the binaries of devices that wrap into svmx's buffers
 * (own[i]), the others straight into the application's.
 */
static cl_int wrapped_info(cl_program program, cl_uint n, const bool *wraps,
			   cl_program_info name, size_t size, void *value, size_t *size_ret)
{
	size_t entry = name == CL_PROGRAM_BINARY_SIZES ? sizeof(size_t) : sizeof(unsigned char *);
	size_t *sizes = calloc(n, sizeof(*sizes));
	unsigned char **own = calloc(n, sizeof(*own));
	unsigned char **bins = calloc(n, sizeof(*bins));
	unsigned char **out = value;
	cl_int err = sizes && own && bins ? CL_SUCCESS : CL_OUT_OF_HOST_MEMORY;

	if (err == CL_SUCCESS && value && size < n * entry)
		err = CL_INVALID_VALUE;
	if (err == CL_SUCCESS && value)
		err = svmx_next.clGetProgramInfo(program, CL_PROGRAM_BINARY_SIZES,
						 n * sizeof(*sizes), sizes, NULL);
	for (cl_uint i = 0; err == CL_SUCCESS && value && i < n; i++) {
		if (wraps[i] && sizes[i] && !(own[i] = malloc(sizes[i])))
			err = CL_OUT_OF_HOST_MEMORY;
		bins[i] = own[i] ? own[i] : name == CL_PROGRAM_BINARIES ? out[i] : NULL;
	}
	if (err == CL_SUCCESS && value)
		err = svmx_next.clGetProgramInfo(program, CL_PROGRAM_BINARIES, n * sizeof(*bins),
						 bins, NULL);
	for (cl_uint i = 0; err == CL_SUCCESS && value && i < n; i++) {
		if (name == CL_PROGRAM_BINARY_SIZES)
			((size_t *)value)[i] = own[i] ?
				svmx_program_binary_wrapped_size(own[i], sizes[i]) : sizes[i];
		else if (own[i] && out[i])
			svmx_program_binary_wrap(own[i], sizes[i], out[i]);
	}
	if (err == CL_SUCCESS && size_ret)
		*size_ret = n * entry;
	for (cl_uint i = 0; own && i < n; i++)
		free(own[i]);
	free(own);
	free(bins);
	free(sizes);
	return err;
}

static cl_int CL_API_CALL get_program_info(cl_program program, cl_program_info name, size_t size,
					   void *value, size_t *size_ret)
{
	cl_device_id *devices = NULL;
	bool *wraps = NULL;
	cl_uint n = 0;
	cl_int err;

	if (name != CL_PROGRAM_BINARY_SIZES && name != CL_PROGRAM_BINARIES)
		return svmx_next.clGetProgramInfo(program, name, size, value, size_ret);
	devices = program_devices(program, &n);
	wraps = devices ? calloc(n, sizeof(*wraps)) : NULL;
	/*
	 * The size check is svmx's own as well: rusticl 25 and 26 skip it for
	 * CL_PROGRAM_BINARIES and read the pointer array past param_value_size.
	 */
	if (devices && value && size < n * sizeof(void *))
		err = CL_INVALID_VALUE;
	else if (wraps && any_wraps(devices, n, wraps))
		err = wrapped_info(program, n, wraps, name, size, value, size_ret);
	else
		err = svmx_next.clGetProgramInfo(program, name, size, value, size_ret);
	free(wraps);
	free(devices);
	return err;
}

/*
 * The binaries the driver gets: the given ones, and for those that carry
 * svmx's header a copy without it (own[i], relocated to this process's
 * fence word).  CL_INVALID_BINARY (and that binary's status) for one that
 * cannot be loaded here.
 */
static cl_int unwrap_all(cl_uint n, const size_t *lengths, const unsigned char **binaries,
			 size_t *driver_lengths, const unsigned char **driver,
			 unsigned char **own, cl_int *status)
{
	cl_int err = CL_SUCCESS;

	for (cl_uint i = 0; i < n; i++) {
		cl_int one = CL_SUCCESS;

		driver[i] = binaries[i];
		driver_lengths[i] = lengths[i];
		if (svmx_program_binary_is_wrapped(binaries[i], lengths[i])) {
			one = svmx_program_binary_unwrap(binaries[i], lengths[i], &own[i],
							 &driver_lengths[i]);
			driver[i] = own[i];
		}
		if (status)
			status[i] = one == CL_OUT_OF_HOST_MEMORY ? CL_SUCCESS : one;
		if (err == CL_SUCCESS)
			err = one;
	}
	return err;
}

static cl_program CL_API_CALL create_program_with_binary(cl_context context, cl_uint n,
							 const cl_device_id *devices,
							 const size_t *lengths,
							 const unsigned char **binaries,
							 cl_int *status, cl_int *errcode_ret)
{
	const unsigned char **driver = NULL;
	unsigned char **own = NULL;
	size_t *driver_lengths = NULL;
	bool any = false;
	cl_program program;
	cl_int err;

	/* Bad lists are the driver's to refuse. */
	for (cl_uint i = 0; devices && lengths && binaries && i < n; i++)
		any |= svmx_program_binary_is_wrapped(binaries[i], lengths[i]);
	if (!any)
		return svmx_next.clCreateProgramWithBinary(context, n, devices, lengths, binaries,
							   status, errcode_ret);
	driver = calloc(n, sizeof(*driver));
	own = calloc(n, sizeof(*own));
	driver_lengths = calloc(n, sizeof(*driver_lengths));
	err = driver && own && driver_lengths ?
		unwrap_all(n, lengths, binaries, driver_lengths, driver, own, status) :
		CL_OUT_OF_HOST_MEMORY;
	program = err == CL_SUCCESS ?
		svmx_next.clCreateProgramWithBinary(context, n, devices, driver_lengths, driver,
						    status, errcode_ret) : NULL;
	if (err != CL_SUCCESS && errcode_ret)
		*errcode_ret = err;
	for (cl_uint i = 0; own && i < n; i++)
		free(own[i]);
	free(own);
	free(driver);
	free(driver_lengths);
	return program;
}

void svmx_install_program_binary(struct _cl_icd_dispatch *d)
{
	d->clGetProgramInfo = get_program_info;
	d->clCreateProgramWithBinary = create_program_with_binary;
}
