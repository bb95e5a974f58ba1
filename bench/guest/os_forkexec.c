/* os.forkexec: fork, exec this same program (which exits at once) and wait,
 * over and over: process creation, address-space setup and teardown, the
 * page faults of a starting program. */
#include <sys/wait.h>
#include <unistd.h>

#include "suite.h"

#define PROCESSES 150

static uint64_t run(void)
{
	uint64_t sum = 0;

	for (int i = 0; i < PROCESSES; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			char *const argv[] = { "bench-suite", CHILD_ARG, NULL };

			execv("/proc/self/exe", argv);
			_exit(127);
		}
		int status;
		if (waitpid(pid, &status, 0) != pid)
			die("waitpid");
		sum = mix(sum, WIFEXITED(status) ? (uint64_t)WEXITSTATUS(status) : 0xDEAD);
	}
	return sum;
}

const struct kernel kernel_os_forkexec = { "os.forkexec", run };
