/* os.syscall: a loop of cheap system calls: getppid, and eight bytes written
 * into a pipe and read back. Mostly the cost of entering and leaving the
 * kernel (traps, privilege changes, the kernel's entry code). */
#include <sys/syscall.h>
#include <unistd.h>

#include "suite.h"

#define ROUNDS 15000

static uint64_t run(void)
{
	int fds[2];
	uint64_t sum = 0;

	if (pipe(fds) != 0)
		die("pipe");
	for (uint64_t round = 0; round < ROUNDS; round++) {
		uint64_t out = round * 0x9E3779B97F4A7C15ULL, in = 0;

		/* Through syscall(): the C library may cache getppid's answer. The
		 * parent's pid differs between machines, so only success counts. */
		if (syscall(SYS_getppid) <= 0)
			die("getppid");
		if (write(fds[1], &out, sizeof(out)) != (ssize_t)sizeof(out))
			die("write");
		if (read(fds[0], &in, sizeof(in)) != (ssize_t)sizeof(in))
			die("read");
		sum = mix(sum, in);
	}
	close(fds[0]);
	close(fds[1]);
	return sum;
}

const struct kernel kernel_os_syscall = { "os.syscall", run };
