/*
 * Program binaries built through svmx, loaded in a fresh process: with the
 * layer they run; without it they run or fail with an OpenCL error, never
 * with a fault.  The kernel has a seq_cst fence, which svmx compiles to an
 * atomic on its fence word where the driver drops fences (rusticl 22.3 to
 * 24): the binary handed out must not hold that word's address, which
 * another process may have elsewhere.
 *
 * The fresh process is this program again (--load FILE), exec'd with or
 * without OPENCL_LAYERS; --load-elsewhere FILE first takes the address
 * where svmx puts its fence word (PROT_NONE, so a kernel that still used it
 * would fault).  It exits 0 when the kernel ran and gave the right result,
 * 1 on an OpenCL error, 3 on a wrong result.
 */
#include "cltest.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *source =
	"kernel void k(global int *p)\n"
	"{\n"
	"	atomic_fetch_add_explicit((global atomic_int *)p, 1, memory_order_relaxed,\n"
	"				  memory_scope_device);\n"
	"	atomic_work_item_fence(CLK_GLOBAL_MEM_FENCE, memory_order_seq_cst,\n"
	"			       memory_scope_device);\n"
	"	p[1] = 42;\n"
	"}\n";

enum { RAN = 0, OPENCL_ERROR = 1, WRONG_RESULT = 3 };

/* Where svmx maps its fence word when it can (runtime/fence_word.c). */
#define FENCE_WORD_ADDRESS 0x5f5f00000000UL

/* The child: load FILE as the binary of the first rusticl device, run it. */
static int load_and_run(const char *file)
{
	struct cltest_env env;
	unsigned char *bin = NULL;
	size_t len = 0;
	cl_program program = NULL;
	cl_kernel kernel = NULL;
	cl_mem mem = NULL;
	cl_int err = CL_SUCCESS, status = CL_SUCCESS;
	int out[2] = { 0, 0 }, ret = OPENCL_ERROR;
	size_t one = 1;
	FILE *f = fopen(file, "rb");

	if (!f || fseek(f, 0, SEEK_END) || (len = (size_t)ftell(f)) == 0 ||
	    fseek(f, 0, SEEK_SET) || !(bin = malloc(len)) || fread(bin, 1, len, f) != len) {
		fprintf(stderr, "cannot read %s\n", file);
		exit(2);
	}
	fclose(f);
	if (!cltest_open(&env, "rusticl", 0))
		exit(2);
	program = clCreateProgramWithBinary(env.context, 1, &env.device, &len,
					    (const unsigned char **)&bin, &status, &err);
	if (err == CL_SUCCESS)
		err = clBuildProgram(program, 1, &env.device, "", NULL, NULL);
	if (err == CL_SUCCESS)
		kernel = clCreateKernel(program, "k", &err);
	if (err == CL_SUCCESS)
		mem = clCreateBuffer(env.context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR,
				     sizeof(out), out, &err);
	if (err == CL_SUCCESS)
		err = clSetKernelArg(kernel, 0, sizeof(mem), &mem);
	if (err == CL_SUCCESS)
		err = clEnqueueNDRangeKernel(env.queue, kernel, 1, NULL, &one, NULL, 0, NULL,
					     NULL);
	if (err == CL_SUCCESS)
		err = clEnqueueReadBuffer(env.queue, mem, CL_TRUE, 0, sizeof(out), out, 0, NULL,
					  NULL);
	if (err == CL_SUCCESS)
		ret = out[0] == 1 && out[1] == 42 ? RAN : WRONG_RESULT;
	else
		printf("  fresh process: OpenCL error %s (binary status %s)\n",
		       cltest_err_name(err), cltest_err_name(status));
	if (mem)
		clReleaseMemObject(mem);
	if (kernel)
		clReleaseKernel(kernel);
	if (program)
		clReleaseProgram(program);
	cltest_close(&env);
	free(bin);
	return ret;
}

/*
 * Build the kernel here and save the device's binary to a new file; with
 * copy, also hand the binary back (*copy, *copy_len; the caller frees).
 */
static bool save_binary_copy(struct cltest_env *env, char *file, unsigned char **copy,
			     size_t *copy_len)
{
	cl_program program = cltest_build(env, source, "-cl-std=CL2.0");
	unsigned char *bin = NULL;
	size_t len = 0;
	bool saved = false;
	int fd = mkstemp(file);
	FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;

	if (program &&
	    clGetProgramInfo(program, CL_PROGRAM_BINARY_SIZES, sizeof(len), &len, NULL) ==
		    CL_SUCCESS &&
	    len && (bin = malloc(len)) &&
	    clGetProgramInfo(program, CL_PROGRAM_BINARIES, sizeof(bin), &bin, NULL) ==
		    CL_SUCCESS)
		saved = f && fwrite(bin, 1, len, f) == len;
	if (f)
		saved = fclose(f) == 0 && saved;
	else if (fd >= 0)
		close(fd);
	if (copy && saved) {
		*copy = bin;
		*copy_len = len;
	} else {
		free(bin);
	}
	if (program)
		cltest_release(program);
	return saved;
}

static bool save_binary(struct cltest_env *env, char *file)
{
	return save_binary_copy(env, file, NULL, NULL);
}

/* Run mode (--load or --load-elsewhere) file in a new process, with or without the layer. */
static int fresh_process_as(const char *mode, const char *file, bool with_layer)
{
	int status = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (!with_layer)
			unsetenv("OPENCL_LAYERS");
		execl("/proc/self/exe", "program_binary", mode, file, (char *)NULL);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status))
		printf("  fresh process %s the layer: killed by signal %d\n",
		       with_layer ? "with" : "without", WTERMSIG(status));
	return status;
}

static int fresh_process(const char *file, bool with_layer)
{
	return fresh_process_as("--load", file, with_layer);
}

/* Whether this process has a mapping that holds addr (/proc/self/maps). */
static bool mapped(uintptr_t addr)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	unsigned long lo, hi;
	bool found = false;
	char line[512];

	while (maps && !found && fgets(line, sizeof(line), maps))
		found = sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo <= addr && addr < hi;
	if (maps)
		fclose(maps);
	return found;
}

CLTEST(binaries_built_through_svmx_hold_no_fence_word_address)
{
	char file[] = "/tmp/svmx-binary-XXXXXX";
	unsigned char *bin = NULL;
	size_t len = 0, held = 0;
	uint64_t word = FENCE_WORD_ADDRESS;

	CHECK(save_binary_copy(env, file, &bin, &len));
	unlink(file);
	/* Where svmx compiles fences to its word, the build mapped it here. */
	if (mapped(FENCE_WORD_ADDRESS))
		for (size_t i = 0; i + sizeof(word) <= len; i++)
			held += memcmp(bin + i, &word, sizeof(word)) == 0;
	printf("  fence word %s at %#lx; the %zu-byte binary holds that address %zu times\n",
	       mapped(FENCE_WORD_ADDRESS) ? "mapped" : "not mapped (no fence workaround)",
	       FENCE_WORD_ADDRESS, len, held);
	free(bin);
	CHECK(held == 0);
}

CLTEST(binaries_run_in_a_fresh_process_whose_fence_word_is_elsewhere)
{
	char file[] = "/tmp/svmx-binary-XXXXXX";
	int status;

	CHECK(save_binary(env, file));
	status = fresh_process_as("--load-elsewhere", file, true);
	unlink(file);

	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == RAN);
}

CLTEST(binaries_built_through_svmx_run_in_a_fresh_process_with_it)
{
	char file[] = "/tmp/svmx-binary-XXXXXX";
	int status;

	CHECK(save_binary(env, file));
	status = fresh_process(file, true);
	unlink(file);

	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == RAN);
}

CLTEST(binaries_built_through_svmx_run_or_fail_cleanly_in_a_fresh_process_without_it)
{
	char file[] = "/tmp/svmx-binary-XXXXXX";
	int status;

	CHECK(save_binary(env, file));
	status = fresh_process(file, false);
	unlink(file);

	CHECK(WIFEXITED(status));
	CHECK(WEXITSTATUS(status) == RAN || WEXITSTATUS(status) == OPENCL_ERROR);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--load") == 0)
		return load_and_run(argv[2]);
	if (argc == 3 && strcmp(argv[1], "--load-elsewhere") == 0) {
		/* Before any OpenCL call: svmx maps its word when first needed. */
		if (mmap((void *)FENCE_WORD_ADDRESS, 4096, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) !=
		    (void *)FENCE_WORD_ADDRESS) {
			fprintf(stderr, "cannot map %#lx\n", FENCE_WORD_ADDRESS);
			return 2;
		}
		return load_and_run(argv[2]);
	}
	return cltest_run(argc, argv, "rusticl");
}
