/* The subcommands of the doppel command line, one file each. */
#ifndef DOPPEL_CLI_COMMANDS_H
#define DOPPEL_CLI_COMMANDS_H

#define DOPPEL_VERSION "0.1.0"

int cmd_run(int argc, char **argv);
int cmd_img(int argc, char **argv);
int cmd_switch(int argc, char **argv);
int cmd_control(int argc, char **argv);

#endif
