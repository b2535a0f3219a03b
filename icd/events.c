/*
 * Events: the SVM command type and svmx's timestamps for the events of SVM
 * commands svmx implements, and the application's references to them.
 * Every other event goes straight to the next layer.
 */
#include "events.h"
#include "layer.h"

#include <string.h>

static cl_int CL_API_CALL get_event_info(cl_event event, cl_event_info name, size_t size,
					 void *value, size_t *size_ret)
{
	cl_int err = svmx_next.clGetEventInfo(event, name, size, value, size_ret);
	cl_command_type type;

	/* The driver has checked the arguments; svmx corrects the answer. */
	if (err == CL_SUCCESS && name == CL_EVENT_COMMAND_TYPE && value &&
	    svmx_event_command_type(event, &type))
		memcpy(value, &type, sizeof(type));
	else if (err == CL_SUCCESS && name == CL_EVENT_COMMAND_EXECUTION_STATUS && value)
		svmx_event_correct_status(event, value);
	return err;
}

static cl_int CL_API_CALL get_event_profiling_info(cl_event event, cl_profiling_info name,
						   size_t size, void *value, size_t *size_ret)
{
	cl_int err;

	if (svmx_event_profiling_info(event, name, size, value, size_ret, &err))
		return err;
	return svmx_next.clGetEventProfilingInfo(event, name, size, value, size_ret);
}

static cl_int CL_API_CALL retain_event(cl_event event)
{
	cl_int err = svmx_next.clRetainEvent(event);

	if (err == CL_SUCCESS)
		svmx_event_retained(event);
	return err;
}

static cl_int CL_API_CALL release_event(cl_event event)
{
	if (!event)
		return CL_INVALID_EVENT;
	svmx_event_releasing(event);
	return svmx_next.clReleaseEvent(event);
}

void svmx_install_events(struct _cl_icd_dispatch *d)
{
	d->clGetEventInfo = get_event_info;
	d->clGetEventProfilingInfo = get_event_profiling_info;
	d->clRetainEvent = retain_event;
	d->clReleaseEvent = release_event;
}
