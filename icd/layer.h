/*
 * The layer's entry points, one file per feature.  Each install function
 * puts that feature's entry points into the table the loader calls.
 */
#ifndef SVMX_LAYER_H
#define SVMX_LAYER_H

#include "dispatch.h"

void svmx_install_device_info(struct _cl_icd_dispatch *d);
void svmx_install_build_options(struct _cl_icd_dispatch *d);
void svmx_install_program_binary(struct _cl_icd_dispatch *d);
void svmx_install_context(struct _cl_icd_dispatch *d);
void svmx_install_svm_alloc(struct _cl_icd_dispatch *d);
void svmx_install_kernel(struct _cl_icd_dispatch *d);
void svmx_install_events(struct _cl_icd_dispatch *d);
void svmx_install_svm_buffers(struct _cl_icd_dispatch *d);
void svmx_install_svm_commands(struct _cl_icd_dispatch *d);
void svmx_install_queue_finish(struct _cl_icd_dispatch *d);
void svmx_install_kernel_launch(struct _cl_icd_dispatch *d);
void svmx_install_arming(struct _cl_icd_dispatch *d);

#endif
