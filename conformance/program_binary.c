/*
 * Program binaries built through svmx, loaded in a fresh process: with the
 * layer they run; without it they run or fail with an OpenCL error, never
 * with a fault.  The kernel has a seq_cst fence, which svmx compiles to an
 * atomic on its fence word where the driver drops fences (rusticl 22.3 to
 * 24): the binary holds that word's address, valid only where svmx maps it.
 *
 * The fresh process is this program again (--load FILE), exec'd with or
 * without OPENCL_LAYERS.  It exits 0 when the kernel ran and gave the right
 * result, 1 on an OpenCL error, 3 on a wrong result.
 */
#include "cltest.h"

#include <errno.h>
#include <string.h>
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

/* Build the kernel here and save the device's binary to a new file. */
static bool save_binary(struct cltest_env *env, char *file)
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
	free(bin);
	if (program)
		cltest_release(program);
	return saved;
}

/* Run --load file in a new process, with or without the layer: its status. */
static int fresh_process(const char *file, bool with_layer)
{
	int status = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (!with_layer)
			unsetenv("OPENCL_LAYERS");
		execl("/proc/self/exe", "program_binary", "--load", file, (char *)NULL);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status))
		printf("  fresh process %s the layer: killed by signal %d\n",
		       with_layer ? "with" : "without", WTERMSIG(status));
	return status;
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
	return cltest_run(argc, argv, "rusticl");
}
