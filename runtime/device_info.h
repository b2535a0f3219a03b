/* Device queries as svmx reports them for the devices it serves. */
#ifndef SVMX_DEVICE_INFO_H
#define SVMX_DEVICE_INFO_H

#include "device.h"

#include <stdbool.h>

/*
 * Answer query name for dev if svmx changes that answer; false if the
 * driver's own answer stands (then *err is untouched).
 */
bool svmx_device_info(const struct svmx_device *dev, cl_device_info name,
		      size_t size, void *value, size_t *size_ret, cl_int *err);

#endif
