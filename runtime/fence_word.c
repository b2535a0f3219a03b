#include "fence_word.h"

#include "log.h"

#include <pthread.h>
#include <sys/mman.h>

/*
 * The address is compiled into kernels, so it should not change from one
 * process to the next: a fixed spot far from where Linux puts the heap,
 * stacks and libraries.
 */
#define PREFERRED_ADDRESS 0x5f5f00000000UL
#define PAGE 4096

static pthread_once_t once = PTHREAD_ONCE_INIT;
static uintptr_t word;

static void map_word(void)
{
	/*
	 * A hint, not MAP_FIXED_NOREPLACE: Linux takes it when the range is
	 * free, and sanitizers whose shadow lies there may drop it.
	 */
	void *p = mmap((void *)PREFERRED_ADDRESS, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p != MAP_FAILED && p != (void *)PREFERRED_ADDRESS)
		svmx_info("fence word not at %#lx but at %p: program binaries built now "
			  "are valid in this process only", PREFERRED_ADDRESS, p);
	word = p == MAP_FAILED ? 0 : (uintptr_t)p;
}

uintptr_t svmx_fence_word(void)
{
	pthread_once(&once, map_word);
	return word;
}
