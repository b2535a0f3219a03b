#include "queue_finish.h"

#include "dispatch.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdint.h>

static atomic_uint_fast64_t flushes_started;
static atomic_uint_fast64_t flushes_running;

/*
 * Per queue (direct-mapped by handle, so a few slots suffice): flushes
 * that had started when a finish last waited for everything.  Losing a
 * slot, or a stale one for a reused handle, only costs the slow path: a
 * queue made after that finish can only have been flushed by a later
 * flush, which moves flushes_started on.
 */
#define SLOTS 64
#define NONE UINT64_MAX
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	cl_command_queue queue;
	uint64_t covered;
} slots[SLOTS];

void svmx_flush_begin(void)
{
	atomic_fetch_add(&flushes_running, 1);
	atomic_fetch_add(&flushes_started, 1);
}

void svmx_flush_end(void)
{
	atomic_fetch_sub(&flushes_running, 1);
}

static unsigned slot_of(cl_command_queue queue)
{
	uintptr_t h = (uintptr_t)queue;

	return (unsigned)((h >> 4) ^ (h >> 12)) % SLOTS;
}

static uint64_t covered(cl_command_queue queue)
{
	unsigned s = slot_of(queue);
	uint64_t c;

	pthread_mutex_lock(&slots_lock);
	c = slots[s].queue == queue ? slots[s].covered : NONE;
	pthread_mutex_unlock(&slots_lock);
	return c;
}

static void set_covered(cl_command_queue queue, uint64_t c)
{
	unsigned s = slot_of(queue);

	pthread_mutex_lock(&slots_lock);
	slots[s].queue = queue;
	slots[s].covered = c;
	pthread_mutex_unlock(&slots_lock);
}

/* No flush running now, and none started since `since`. */
static bool quiet_since(uint64_t since)
{
	return atomic_load(&flushes_running) == 0 && atomic_load(&flushes_started) == since;
}

cl_int svmx_queue_finish(cl_command_queue queue)
{
	uint64_t start = atomic_load(&flushes_started);
	bool quiet = atomic_load(&flushes_running) == 0;
	cl_event marker = NULL;
	cl_int err;

	/*
	 * Fast: every command flushed before start was complete when this
	 * queue last finished, and nothing flushed since, so all that is not
	 * complete is unflushed, and the driver's clFinish waits for it.
	 */
	if (quiet && covered(queue) == start) {
		err = svmx_next.clFinish(queue);
		if (quiet_since(start))
			return err;
	}
	/*
	 * A marker behind every earlier command; the driver's clFinish flushes
	 * it and waits for the last command flushed, which is it or later.
	 * Unless a flush took the marker first: then wait for it by its event.
	 */
	start = atomic_load(&flushes_started);
	quiet = atomic_load(&flushes_running) == 0;
	if (svmx_next.clEnqueueMarkerWithWaitList(queue, 0, NULL, &marker) != CL_SUCCESS)
		return svmx_next.clFinish(queue);
	err = svmx_next.clFinish(queue);
	if (quiet && quiet_since(start)) {
		set_covered(queue, start);
	} else {
		svmx_flush_begin();
		svmx_next.clWaitForEvents(1, &marker);
		svmx_flush_end();
	}
	svmx_next.clReleaseEvent(marker);
	return err;
}
