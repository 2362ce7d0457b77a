/* check_state: the history healthtap check keeps between runs, as
 * check_leak kept its data file, so that a check run every few minutes
 * judges hours of samples, not its own few seconds.
 *
 * With no -d the check reads the recorder's default DB when a recorder is
 * writing it; else each run records its window into a state DB of its own
 * (the store healthtap record writes, with a retention), and judges all of
 * it. The state DB lives where the monitoring-plugins put state:
 *   $MP_STATE_PATH (or $NAGIOS_PLUGIN_STATE_DIRECTORY, else healthtap's
 *   state dir)/EUID/check_leak/KEY.db
 * KEY a hash of the options that choose what is sampled and judged, so
 * each service keeps its own history and two users never share one. An
 * SQLite transaction per sample: a run killed mid-write leaves the last
 * committed history; a file that is not a healthtap DB of a schema this
 * build reads (an old format) is no state, and is replaced. */
#ifndef CHECK_STATE_H
#define CHECK_STATE_H

#include <stddef.h>
#include <stdint.h>

/* The state DB's path for key (alphanumerics), its directories made
 * (0700). 0, or -errno with why. */
int check_state_path(const char *key, char *buf, size_t size, char *why, size_t whylen);

/* 1 when a recorder holds db's lock (it is writing db now), else 0. */
int check_recorder_writing(const char *db);

/* Records window_ms of samples every interval_ms into the state DB at
 * path (root: a /proc root for tests, "" this host), deleting what is older
 * than keep_ms. A file that is not a healthtap DB this build reads is
 * replaced first. 0, or -1 with why. */
int check_state_record(const char *path, int64_t interval_ms, int64_t window_ms,
		       int64_t keep_ms, const char *root, char *why, size_t whylen);

#endif
