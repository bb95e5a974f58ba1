/* doppel run: assembles a machine from the options and runs it. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "vm/machine.h"
#include "vm/migrate.h"
#include "vm/snapshot.h"

/* Exit status when --timeout ends the run (as timeout(1) does). */
#define EXIT_STATUS_TIMEOUT 124

static void run_usage(FILE *out)
{
	fprintf(out,
		"usage: doppel run [OPTIONS]\n\n"
		"Starts a RISC-V 64-bit machine and runs it until it powers off.\n\n"
		"  --kernel FILE     kernel to boot: a Linux Image (Debian's vmlinux), an ELF\n"
		"                    executable, or a flat binary\n"
		"  --initrd FILE     initial ramdisk, placed high in RAM\n"
		"  --append ARGS     kernel command line\n"
		"  --bios FILE       M-mode firmware to run first, such as OpenSBI's\n"
		"                    fw_dynamic.bin or fw_jump.bin (the kernel then loads at\n"
		"                    0x80200000); without --bios the built-in SBI serves\n"
		"                    the kernel, which starts in S-mode\n"
		"  --bios none       no firmware: run the kernel in M-mode at its entry, with\n"
		"                    a0 = hart id and a1 = device tree address\n"
		"  --mem SIZE        RAM size, e.g. 512M or 2G (no suffix: MiB; default 512M)\n"
		"  --cpus N          number of harts, 1 to %d (default 1)\n"
		"  --disk PATH[,format=raw|qcow2][,readonly=on]\n"
		"                    a virtio-blk disk (repeat for more: vda, vdb, ...);\n"
		"                    the format is probed when not given\n"
		"  --net user[,mac=52:54:00:XX:XX:XX][,hostfwd=tcp:[HOSTADDR]:HOSTPORT-:GUESTPORT]...\n"
		"           [,host-loopback=on]\n"
		"                    a virtio-net card on user-mode NAT (libslirp): DHCP gives\n"
		"                    the guest 10.0.2.15, the host is 10.0.2.2, DNS 10.0.2.3;\n"
		"                    hostfwd (tcp or udp, repeatable) forwards a host port to\n"
		"                    the guest; repeat --net for more cards (eth0, eth1, ...).\n"
		"                    The guest cannot reach the host's 127.0.0.1 (services\n"
		"                    meant for this host only) unless host-loopback=on:\n"
		"                    then 10.0.2.2 reaches them\n"
		"  --net switch:PATH[,mac=52:54:00:XX:XX:XX]\n"
		"                    a virtio-net card on the virtual switch listening at\n"
		"                    PATH ('doppel switch PATH'), a LAN shared with other VMs\n"
		"  --rng             a virtio-rng entropy device fed by the host's getrandom\n"
		"  --dump-dtb FILE   write the machine's device tree to FILE\n"
		"  --restore FILE    resume the machine saved in the snapshot FILE where it\n"
		"                    stopped; the machine comes from the snapshot, so only the\n"
		"                    options below may go with it. Each writable disk goes on\n"
		"                    on a new overlay over the snapshot's frozen image\n"
		"                    (IMAGE.SNAPSHOT-N.qcow2 beside it)\n"
		"  --incoming tcp:HOST:PORT,key-file=KEY | unix:PATH[,key-file=KEY]\n"
		"                    wait for a live migration on HOST:PORT (port 0: any\n"
		"                    free port, named on stderr) or on a socket at PATH\n"
		"                    (mode 0600), and run the machine it brings. Only a\n"
		"                    source holding the secret in KEY (a file of 16 bytes\n"
		"                    or more that only its owner can read, the same for\n"
		"                    'migrate') is accepted; TCP needs one. The stream must\n"
		"                    name exactly the --disk options given here (the paths\n"
		"                    the source used, in order, readonly alike), and the\n"
		"                    --kernel, --initrd, --bios given here, if any; only\n"
		"                    those and the options below may go with it\n"
		"  --control unix:PATH\n"
		"                    a control socket at PATH (mode 0600): JSON requests\n"
		"                    such as status, pause, resume, query-stats and quit, one\n"
		"                    per line ('doppel control', docs/control.md)\n"
		"  --timeout SECS    stop after SECS seconds (above 0, at most 1e9), exit\n"
		"                    status %d\n"
		"  --trace           print every executed instruction and trap on stderr\n"
		"                    (runs everything in the interpreter)\n"
		"  --no-jit          run everything in the interpreter, the reference engine,\n"
		"                    instead of translating hot code to host code\n"
		"  --jit-threshold N translate a block of code on its Nth run (default 4;\n"
		"                    1 translates everything, as the tests do)\n"
		"  -h, --help        show this help\n\n"
		"The console is the virt board's UART on this terminal: Ctrl-A x quits.\n\n"
		"A program that defines a 'tohost' symbol talks to the host through it\n"
		"(the riscv-tests convention): writing (status << 1) | 1 ends the run with\n"
		"that exit status (a non-zero status whose low 8 bits are 0 exits 1).\n",
		MACHINE_MAX_HARTS, EXIT_STATUS_TIMEOUT);
}

/* Parses a size such as 512M, 2G, 65536K or 256 (MiB). */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		return -EINVAL;
	unsigned shift = 20;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case '\0': break;
	default: return -EINVAL;
	}
	if (*end == 'i' || *end == 'B')
		end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
	if (*end || v > (~0ull >> shift))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_uint(const char *s, unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > 1024)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

/* Parses PATH[,format=raw|qcow2][,readonly=on|off] in place (the commas
 * become NULs). Returns 0, or -EINVAL with the reason in err. */
static int parse_disk(char *arg, struct disk_config *d, struct error *err)
{
	char *opt = strchr(arg, ',');

	*d = (struct disk_config){ .path = arg, .format = BLOCK_FMT_AUTO };
	if (opt)
		*opt++ = '\0';
	if (!*arg)
		return error_set(err, EINVAL, "--disk: no file name");
	while (opt) {
		char *next = strchr(opt, ',');
		if (next)
			*next++ = '\0';
		if (strncmp(opt, "format=", 7) == 0) {
			int fmt = block_format_parse(opt + 7);
			if (fmt < 0)
				return error_set(err, EINVAL, "--disk: unknown format '%s' (raw or qcow2)", opt + 7);
			d->format = (enum block_format)fmt;
		} else if (strcmp(opt, "readonly=on") == 0) {
			d->readonly = true;
		} else if (strcmp(opt, "readonly=off") == 0) {
			d->readonly = false;
		} else {
			return error_set(err, EINVAL, "--disk: unknown option '%s' (format=, readonly=on|off)", opt);
		}
		opt = next;
	}
	return 0;
}

/* How long the last replies and the SHUTDOWN event may take to reach a
 * control client that reads slowly. */
#define CONTROL_FLUSH_MS 1000

/* --control unix:PATH: only Unix sockets for now. */
static int parse_control(const char *arg, const char **path, struct error *err)
{
	if (strncmp(arg, "unix:", 5) != 0 || !arg[5])
		return error_set(err, EINVAL, "--control: '%s' is not unix:PATH", arg);
	*path = arg + 5;
	return 0;
}

/* A guest status becomes a process exit status that is never 0 by accident. */
static int exit_status(uint64_t code)
{
	if (code == 0)
		return 0;
	return (code & 0xff) ? (int)(code & 0xff) : 1;
}

static const char *option_name(const struct option *opts, int val)
{
	for (; opts->name; opts++)
		if (opts->val == val)
			return opts->name;
	return "?";
}

/* Builds m from the snapshot at path, with host's host-side settings. */
static int restore_machine(struct machine *m, const char *path, const struct machine_config *host,
			   struct error *err)
{
	struct state_reader r;
	struct load_opts o = { .host = host, .map_ram = true, .disk_overlays = true,
			       .snapshot_path = path };
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error_set(err, errno, "%s: %s", path, strerror(errno));
	int ret = state_reader_init(&r, fd, path, err);
	if (ret == 0)
		ret = machine_load(m, &r, &o, err);
	/* Mapped RAM keeps the file open for itself. */
	close(fd);
	for (unsigned i = 0; ret == 0 && i < m->ndisks_open; i++)
		if (m->disk_paths[i])
			fprintf(stderr, "doppel run: disk %u goes on on %s\n", i, m->disk_paths[i]);
	return ret;
}

/* The machine went to a migration's target: one line of figures. */
static void report_migration(const struct migration *mg)
{
	const struct migrate_stats *s = &mg->stats;
	fprintf(stderr, "doppel run: migrated to %s in %.3f s: downtime %.1f ms, %llu passes, "
		"%llu pages, %.1f MiB\n", mg->uri, (double)s->total_ns / 1e9,
		(double)s->downtime_ns / 1e6, (unsigned long long)s->passes,
		(unsigned long long)s->pages, (double)s->bytes / (1 << 20));
}

int cmd_run(int argc, char **argv)
{
	enum { OPT_KERNEL = 256, OPT_INITRD, OPT_APPEND, OPT_BIOS, OPT_MEM, OPT_CPUS, OPT_DUMP_DTB, OPT_TIMEOUT, OPT_TRACE,
	       OPT_NO_JIT, OPT_JIT_THRESHOLD, OPT_DISK, OPT_NET, OPT_RNG, OPT_RESTORE,
	       OPT_INCOMING, OPT_CONTROL };
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, OPT_KERNEL },
		{ "initrd", required_argument, NULL, OPT_INITRD },
		{ "append", required_argument, NULL, OPT_APPEND },
		{ "bios", required_argument, NULL, OPT_BIOS },
		{ "mem", required_argument, NULL, OPT_MEM },
		{ "cpus", required_argument, NULL, OPT_CPUS },
		{ "dump-dtb", required_argument, NULL, OPT_DUMP_DTB },
		{ "disk", required_argument, NULL, OPT_DISK },
		{ "net", required_argument, NULL, OPT_NET },
		{ "rng", no_argument, NULL, OPT_RNG },
		{ "control", required_argument, NULL, OPT_CONTROL },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "trace", no_argument, NULL, OPT_TRACE },
		{ "no-jit", no_argument, NULL, OPT_NO_JIT },
		{ "jit-threshold", required_argument, NULL, OPT_JIT_THRESHOLD },
		{ "restore", required_argument, NULL, OPT_RESTORE },
		{ "incoming", required_argument, NULL, OPT_INCOMING },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	/* The options that describe the machine, which a snapshot brings. */
	static const int machine_opts[] = { OPT_KERNEL, OPT_INITRD, OPT_APPEND, OPT_BIOS, OPT_MEM,
					    OPT_CPUS, OPT_DUMP_DTB, OPT_DISK, OPT_NET, OPT_RNG };
	/* Beside --incoming these name the files the stream must name. */
	static const int expected_opts[] = { OPT_KERNEL, OPT_INITRD, OPT_BIOS, OPT_DISK };
	const char *machine_opt = NULL, *restore = NULL, *incoming = NULL;
	const char *unexpected_opt = NULL;
	struct machine_config cfg = {
		.ram_size = 512ull << 20,
		.ncpus = 1,
		.console_in = 0,
		.console_out = 1,
		.jit_threshold = 4,
	};
	struct machine *m = NULL;
	struct control *control = NULL;
	const char *control_path = NULL;
	struct error err = { 0 };
	int c, status = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		bool machine = false, expected = false;
		for (size_t i = 0; i < sizeof(machine_opts) / sizeof(machine_opts[0]); i++)
			machine |= c == machine_opts[i];
		for (size_t i = 0; i < sizeof(expected_opts) / sizeof(expected_opts[0]); i++)
			expected |= c == expected_opts[i];
		if (machine && !machine_opt)
			machine_opt = option_name(opts, c);
		if (machine && !expected && !unexpected_opt)
			unexpected_opt = option_name(opts, c);
		switch (c) {
		case OPT_RESTORE: restore = optarg; break;
		case OPT_INCOMING: incoming = optarg; break;
		case OPT_KERNEL: cfg.kernel = optarg; break;
		case OPT_INITRD: cfg.initrd = optarg; break;
		case OPT_APPEND: cfg.append = optarg; break;
		case OPT_BIOS: cfg.bios = optarg; break;
		case OPT_DUMP_DTB: cfg.dump_dtb = optarg; break;
		case OPT_TRACE: cfg.trace = true; break;
		case OPT_NO_JIT: cfg.jit_threshold = 0; break;
		case OPT_JIT_THRESHOLD:
			if (parse_uint(optarg, &cfg.jit_threshold) < 0 || cfg.jit_threshold == 0) {
				fprintf(stderr, "doppel run: --jit-threshold: '%s' is not a number from 1 to 1024\n", optarg);
				return 2;
			}
			break;
		case OPT_RNG: cfg.rng = true; break;
		case OPT_CONTROL:
			if (parse_control(optarg, &control_path, &err) < 0) {
				fprintf(stderr, "doppel run: %s\n", err.msg);
				return 2;
			}
			break;
		case OPT_DISK:
			if (cfg.ndisks == VIRTIO_SLOTS) {
				fprintf(stderr, "doppel run: --disk: at most %d disks\n", VIRTIO_SLOTS);
				return 2;
			}
			if (parse_disk(optarg, &cfg.disks[cfg.ndisks++], &err) < 0) {
				fprintf(stderr, "doppel run: %s\n", err.msg);
				return 2;
			}
			break;
		case OPT_NET:
			if (cfg.nnets == VIRTIO_SLOTS) {
				fprintf(stderr, "doppel run: --net: at most %d network cards\n", VIRTIO_SLOTS);
				return 2;
			}
			if (net_config_parse(optarg, &cfg.nets[cfg.nnets++], &err) < 0) {
				fprintf(stderr, "doppel run: %s\n", err.msg);
				return 2;
			}
			break;
		case OPT_MEM:
			if (parse_size(optarg, &cfg.ram_size) < 0) {
				fprintf(stderr, "doppel run: --mem: '%s' is not a size (e.g. 512M, 2G)\n", optarg);
				return 2;
			}
			break;
		case OPT_CPUS:
			if (parse_uint(optarg, &cfg.ncpus) < 0 || cfg.ncpus < 1 ||
			    cfg.ncpus > MACHINE_MAX_HARTS) {
				fprintf(stderr, "doppel run: --cpus: '%s' is not a number from 1 to %d\n",
					optarg, MACHINE_MAX_HARTS);
				return 2;
			}
			break;
		case OPT_TIMEOUT: {
			char *end;
			cfg.timeout = strtod(optarg, &end);
			/* NaN fails both comparisons: refused with inf and 0. */
			if (end == optarg || *end || !(cfg.timeout > 0 && cfg.timeout <= MACHINE_MAX_TIMEOUT_S)) {
				fprintf(stderr, "doppel run: --timeout: '%s' is not a number of seconds above 0, "
					"at most %.0f\n", optarg, MACHINE_MAX_TIMEOUT_S);
				return 2;
			}
			break;
		}
		case 'h':
			run_usage(stdout);
			return 0;
		default:
			fprintf(stderr, "doppel run: try 'doppel run --help'\n");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "doppel run: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}

	if (restore && machine_opt) {
		fprintf(stderr, "doppel run: --%s cannot go with --restore: the machine comes from the "
			"snapshot\n", machine_opt);
		return 2;
	}
	if (incoming && (unexpected_opt || restore)) {
		fprintf(stderr, "doppel run: --%s cannot go with --incoming: the machine comes from the "
			"migration\n", restore ? "restore" : unexpected_opt);
		return 2;
	}

	m = calloc(1, sizeof(*m));
	if (control_path)
		control = calloc(1, sizeof(*control));
	if (!m || (control_path && !control)) {
		fprintf(stderr, "doppel run: out of memory\n");
		goto out;
	}
	if (control) {
		if (control_open(control, control_path, DOPPEL_VERSION, &err) < 0) {
			fprintf(stderr, "doppel run: --control: %s\n", err.msg);
			free(control);
			control = NULL;
			goto out;
		}
		cfg.control = control;
	}
	int ret = restore ? restore_machine(m, restore, &cfg, &err)
		  : incoming ? migrate_incoming(m, incoming, &cfg, &err)
		  : machine_create(m, &cfg, &err);
	/* A guest reset rebuilds the machine from the same configuration. */
	while (ret == 0) {
		machine_run(m);
		if (m->exit.kind != EXIT_RESET)
			break;
		ret = machine_reboot(m, &err);
	}
	if (ret < 0) {
		fprintf(stderr, "doppel run: %s\n", err.msg);
		goto out;
	}
	switch (m->exit.kind) {
	case EXIT_TIMEOUT:
		fprintf(stderr, "doppel run: timed out after %g s\n", cfg.timeout);
		status = EXIT_STATUS_TIMEOUT;
		break;
	case EXIT_QUIT:
		status = 0;
		break;
	case EXIT_MIGRATED:
		report_migration(m->migration);
		status = 0;
		break;
	default:
		status = exit_status(m->exit.code);
		break;
	}
out:
	if (m)
		machine_destroy(m);
	free(m);
	if (control) {
		control_close(control, CONTROL_FLUSH_MS);
		free(control);
	}
	return status;
}
