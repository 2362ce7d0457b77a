/* healthtap: host health and leak prediction from /proc and SystemTap. */
#include <stdio.h>
#include <string.h>
#include "config.h"
#include "cli.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: healthtap [--version] [--help] <command> [<args>]\n"
		"\n"
		"Watches a Linux host's health from /proc, and from the SystemTap\n"
		"health tapset when stap runs here.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; ht_command_at(i); i++)
		fprintf(out, "  %-8s %s\n", ht_command_at(i)->name,
			ht_command_at(i)->summary);
	fprintf(out,
		"\n"
		"Examples:\n"
		"  healthtap top                 live view, refreshed every 2 s\n"
		"  healthtap top -b -n 3         three plain-text frames\n"
		"  stap -e 'probe health.sched {}' | healthtap stream\n"
		"\n"
		"'healthtap <command> --help' describes a command; see healthtap(1).\n");
}

int main(int argc, char **argv)
{
	const struct ht_command *cmd;
	const char *base = strrchr(argv[0], '/');

	/* Installed as check_leak too: then it speaks check_leak's options. */
	base = base ? base + 1 : argv[0];
	if (strcmp(base, "check_leak") == 0)
		return cmd_check_leak_main(argc, argv);
	if (argc < 2)
		return cmd_top(1, (char *[]){ "top", NULL });
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("healthtap %s\n", PACKAGE_VERSION);
		return 0;
	}
	cmd = ht_command_find(argv[1]);
	if (!cmd) {
		ht_err("unknown command '%s'", argv[1]);
		fputc('\n', stderr);
		usage(stderr);
		return EXIT_USAGE;
	}
	return cmd->run(argc - 1, argv + 1);
}
