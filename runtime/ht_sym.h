/* Addresses of one process turned into functions, files and lines, with
 * elfutils' libdwfl: the process's maps (its executable, PIE or not, and
 * its shared libraries), their build-ids, symbol tables and DWARF where
 * present (separate debuginfo and debuginfod as libdwfl's standard search
 * finds them: debuginfod only where DEBUGINFOD_URLS is set).
 *
 * ht_sym_open() reads the maps and opens every mapped ELF file at once, so
 * that lookups keep working after the process exits (or its files are
 * replaced): a target that dies before symbolization loses nothing that
 * was mapped when it was opened.
 */
#ifndef HT_SYM_H
#define HT_SYM_H
#include <stddef.h>
#include <stdint.h>

struct ht_sym;

struct ht_sym_site {
	uint64_t addr;
	char func[128];		/* the covering symbol, "" if none (stripped) */
	uint64_t func_off;	/* addr - the symbol's start */
	char module[256];	/* the mapped file's path, "" if no module */
	uint64_t module_off;	/* addr as a file address (minus the load bias) */
	char file[256];		/* source file, "" without line info */
	int line;		/* its line, 0 without line info */
	char build_id[41];	/* hex, "" if the file has none */
};

/* Reads root/proc/PID/maps and opens the mapped files. root "" or NULL is
 * "/". Returns 0 and *out (freed with ht_sym_free), or -errno (-ESRCH: no
 * such process, -EACCES, -ENOMEM, -EINVAL: libdwfl refused the maps);
 * *out is NULL on error. */
int ht_sym_open(const char *root, int pid, struct ht_sym **out);

/* Looks addr up. A call site given as a return address (the tapset's
 * site=) belongs to the call just before it: ret_addr 1 looks up addr - 1
 * for the function and line, while func_off stays addr's offset. Returns
 * 0 with *site filled (func or file may be empty), -ENOENT when no mapped
 * file covers addr (site->module is then ""). */
int ht_sym_lookup(struct ht_sym *s, uint64_t addr, int ret_addr, struct ht_sym_site *site);

/* Writes "func+0xOFF (file.c:12)", "func+0xOFF in libx.so.1" or, without
 * a symbol, "[unknown] libx.so.1+0xOFF" (the file's basename and the file
 * address), or "[unknown] 0xADDR" without a module. Returns the length
 * snprintf would write. */
int ht_sym_format(const struct ht_sym_site *site, char *buf, size_t size);

/* The number of modules (mapped ELF files) found at open. */
int ht_sym_modules(const struct ht_sym *s);

void ht_sym_free(struct ht_sym *s);

#endif
