/*
 * clFinish that also waits for commands already flushed.
 *
 * rusticl 22.3's clFinish waits only for the commands enqueued since the
 * last flush: after clFlush, or clWaitForEvents on one event of a queue, it
 * returns at once while flushed kernels still run or still wait for a user
 * event, and fine-grain SVM results have no blocking read to catch that.
 * (Later Mesa keeps the last flushed event for exactly this.)
 *
 * Every flush that can leave flushed commands unwaited goes through
 * svmx_flush_begin/end.  A queue that has seen no such flush since its
 * last full finish gets the driver's clFinish alone; otherwise a marker
 * behind every earlier command is waited for first.
 */
#ifndef SVMX_QUEUE_FINISH_H
#define SVMX_QUEUE_FINISH_H

#include "cl.h"

/* Around clFlush, clWaitForEvents and svmx's own flushing calls. */
void svmx_flush_begin(void);
void svmx_flush_end(void);

/* clFinish(queue) for a queue of a context svmx serves. */
cl_int svmx_queue_finish(cl_command_queue queue);

#endif
