/* check_state: see check_state.h. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check_state.h"
#include "cli.h"
#include "ht_store.h"

int check_state_path(const char *key, char *buf, size_t size, char *why, size_t whylen)
{
	const char *base = getenv("MP_STATE_PATH");
	char dir[4096], db[4096], *slash;
	int err;

	if (!base || !*base)
		base = getenv("NAGIOS_PLUGIN_STATE_DIRECTORY");
	if ((!base || !*base) && ht_default_db_path(db, sizeof(db)) == 0 &&
	    (slash = strrchr(db, '/'))) {
		*slash = '\0';
		base = db;
	}
	if (!base || !*base) {
		snprintf(why, whylen, "no state directory: set MP_STATE_PATH");
		return -ENOENT;
	}
	err = snprintf(dir, sizeof(dir), "%s/%lu/check_leak", base, (unsigned long)geteuid());
	if (err < 0 || (size_t)err >= sizeof(dir)) {
		snprintf(why, whylen, "state directory path too long");
		return -ENAMETOOLONG;
	}
	if ((err = ht_mkdir_p(dir, 0700))) {
		snprintf(why, whylen, "cannot create %s: %s", dir, strerror(-err));
		return err;
	}
	if ((size_t)snprintf(buf, size, "%s/%s.db", dir, key) >= size) {
		snprintf(why, whylen, "state path too long");
		return -ENAMETOOLONG;
	}
	return 0;
}

/* /proc/locks names the inode of each held lock: "1: FLOCK ADVISORY WRITE
 * PID MAJ:MIN:INODE START END". Reading it takes no lock, so a recorder
 * starting now is never refused because of the check. */
int check_recorder_writing(const char *db)
{
	char lock[4200], line[256], want[64];
	struct stat sb;
	FILE *f;
	int held = 0;

	snprintf(lock, sizeof(lock), "%s.lock", db);
	if (stat(lock, &sb) || !(f = fopen("/proc/locks", "r")))
		return 0;
	snprintf(want, sizeof(want), ":%" PRIuMAX " ", (uintmax_t)sb.st_ino);
	while (!held && fgets(line, sizeof(line), f))
		held = strstr(line, " FLOCK ") && strstr(line, " WRITE ") && strstr(line, want);
	fclose(f);
	return held;
}

/* A state file this build cannot read (not a healthtap DB, a newer
 * schema) is no state: removed with its WAL, so the record starts anew. */
static void drop_unreadable(const char *path)
{
	struct ht_store_opts o;
	struct ht_store *st;
	char side[4200];

	if (access(path, F_OK))
		return;
	ht_store_opts_default(&o);
	o.path = path;
	o.flags = HT_STORE_READONLY;
	if (ht_store_open(&o, &st, NULL, 0) != -EPROTO) {
		ht_store_close(st);
		return;
	}
	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

int check_state_record(const char *path, int64_t interval_ms, int64_t window_ms,
		       int64_t keep_ms, const char *root, char *why, size_t whylen)
{
	const struct ht_command *rec = ht_command_find("record");
	char i[32], f[32], k[32], db[4096], r[4096];
	char *argv[] = { "record", "-d", db, "-i", i, "--for", f, "--retention", k,
			 "--stap", "off", "-q", root && *root ? "--root" : NULL, r, NULL };
	int argc = root && *root ? 14 : 12;

	if (!rec) {
		snprintf(why, whylen, "no record command");
		return -1;
	}
	drop_unreadable(path);
	snprintf(db, sizeof(db), "%s", path);
	snprintf(i, sizeof(i), "%" PRId64 "ms", interval_ms);
	snprintf(f, sizeof(f), "%" PRId64 "ms", window_ms);
	snprintf(k, sizeof(k), "%" PRId64 "ms", keep_ms);
	snprintf(r, sizeof(r), "%s", root ? root : "");
	optind = 0;			/* getopt anew for record's own options */
	if (rec->run(argc, argv)) {
		snprintf(why, whylen, "cannot record into %s (see standard error)", path);
		return -1;
	}
	return 0;
}
