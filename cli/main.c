/* doppel: the command line. The first argument names a subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "run", cmd_run, "start a virtual machine" },
	{ "img", cmd_img, "create, inspect, check and convert disk images" },
	{ "switch", cmd_switch, "run a virtual Ethernet switch joining VMs" },
	{ "control", cmd_control, "send a command to a running VM's control socket" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: doppel COMMAND [OPTIONS]\n\n"
		     "doppel runs RISC-V 64-bit virtual machines.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'doppel COMMAND --help' describes a command's options.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("doppel %s\n", DOPPEL_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "doppel: unknown command '%s' (try 'doppel --help')\n", argv[1]);
	return 2;
}
