/*
 * svmx as an OpenCL loader layer (cl_loader_layers): the loader hands svmx
 * the table it would call, svmx returns its own, which is that table with
 * the SVM API, device queries and the calls they depend on replaced.
 */
#include "arming.h"
#include "info.h"
#include "log.h"
#include "layer.h"
#include "settings.h"
#include "workarounds.h"

#define SVMX_LAYER_NAME "svmx: fine-grained SVM with atomics"
#define EXPORT __attribute__((visibility("default")))

static struct _cl_icd_dispatch layer_dispatch;

EXPORT cl_int CL_API_CALL clGetLayerInfo(cl_layer_info param_name, size_t param_value_size,
					 void *param_value, size_t *param_value_size_ret)
{
	static const cl_layer_api_version version = CL_LAYER_API_VERSION_100;
	const void *data;
	size_t len;

	switch (param_name) {
	case CL_LAYER_API_VERSION:
		data = &version;
		len = sizeof(version);
		break;
	case CL_LAYER_NAME:
		data = SVMX_LAYER_NAME;
		len = sizeof(SVMX_LAYER_NAME);
		break;
	default:
		return CL_INVALID_VALUE;
	}
	return svmx_info_answer(data, len, param_value_size, param_value, param_value_size_ret);
}

static cl_int init_layer(cl_uint num_entries, const struct _cl_icd_dispatch *target,
			 cl_uint *num_entries_ret, const struct _cl_icd_dispatch **layer_ret)
{
	const char *missing;

	if (!target || !num_entries_ret || !layer_ret)
		return CL_INVALID_VALUE;
	/* A smaller (older) table is fine: missing entries stay NULL. */
	svmx_dispatch_set_next(num_entries, target);
	layer_dispatch = svmx_next;
	/* Checked once here, so entry points call the OpenCL 1.x entries unchecked. */
	missing = svmx_dispatch_missing();
	if (missing && !svmx_settings()->disable)
		svmx_warn("the loader's dispatch table has no %s: svmx forwards every call",
			  missing);
	if (!missing && !svmx_settings()->disable) {
		svmx_workarounds_check_names();
		svmx_install_device_info(&layer_dispatch);
		svmx_install_build_options(&layer_dispatch);
		svmx_install_program_binary(&layer_dispatch);
		svmx_install_context(&layer_dispatch);
		svmx_install_svm_alloc(&layer_dispatch);
		svmx_install_kernel(&layer_dispatch);
		svmx_install_events(&layer_dispatch);
		svmx_install_svm_buffers(&layer_dispatch);
		svmx_install_svm_commands(&layer_dispatch);
		svmx_install_queue_finish(&layer_dispatch);
		svmx_arming_init();
		svmx_install_kernel_launch(&layer_dispatch);
		svmx_install_arming(&layer_dispatch);
	}
	*num_entries_ret = SVMX_DISPATCH_ENTRIES;
	*layer_ret = &layer_dispatch;
	return CL_SUCCESS;
}

EXPORT cl_int CL_API_CALL clInitLayer(cl_uint num_entries, const struct _cl_icd_dispatch *target,
				      cl_uint *num_entries_ret,
				      const struct _cl_icd_dispatch **layer_ret)
{
	svmx_debug("loaded through clInitLayer, %u dispatch entries", num_entries);
	return init_layer(num_entries, target, num_entries_ret, layer_ret);
}

EXPORT cl_int CL_API_CALL clInitLayerWithProperties(cl_uint num_entries,
						    const struct _cl_icd_dispatch *target,
						    cl_uint *num_entries_ret,
						    const struct _cl_icd_dispatch **layer_ret,
						    const cl_layer_properties *properties)
{
	/* svmx defines no layer properties: only the empty list is valid. */
	if (properties && properties[0] != CL_LAYER_PROPERTIES_LIST_END)
		return CL_INVALID_PROPERTY;
	svmx_debug("loaded through clInitLayerWithProperties, %u dispatch entries", num_entries);
	return init_layer(num_entries, target, num_entries_ret, layer_ret);
}

EXPORT cl_int CL_API_CALL clDeinitLayer(void)
{
	svmx_debug("clDeinitLayer");
	return CL_SUCCESS;
}
