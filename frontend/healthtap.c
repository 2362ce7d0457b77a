/* healthtap: host health and leak prediction from /proc and SystemTap. */
#include <stdio.h>
#include <string.h>
#include "config.h"
#include "cli.h"

static const struct ht_command commands[] = {
	{ "top", cmd_top, "live view of the host (the default)" },
	{ "stream", cmd_stream, "read a health tapset stream, joined with /proc" },
	{ NULL, NULL, NULL }
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: healthtap [--version] [--help] <command> [<args>]\n"
		"\n"
		"Watches a Linux host's health from /proc, and from the SystemTap\n"
		"health tapset when stap runs here.\n"
		"\n"
		"Commands:\n");
	for (const struct ht_command *c = commands; c->name; c++)
		fprintf(out, "  %-8s %s\n", c->name, c->summary);
	fprintf(out,
		"\n"
		"Examples:\n"
		"  healthtap top                 live view, refreshed every 2 s\n"
		"  healthtap top -b -n 3         three plain-text frames\n"
		"  stap -e 'probe health.sched {}' | healthtap stream\n"
		"\n"
		"'healthtap <command> --help' describes a command; see healthtap(1).\n");
}

static const struct ht_command *find_command(const char *name)
{
	for (const struct ht_command *c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

int main(int argc, char **argv)
{
	const struct ht_command *cmd;

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
	cmd = find_command(argv[1]);
	if (!cmd) {
		fprintf(stderr, "healthtap: unknown command '%s'\n\n", argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	return cmd->run(argc - 1, argv + 1);
}
