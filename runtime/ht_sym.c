/* Symbolization with libdwfl (ht_sym.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <elfutils/libdwfl.h>
#include "ht_path.h"
#include "ht_sym.h"

struct ht_sym {
	Dwfl *dwfl;
	int nmod;
};

static char *debuginfo_path;

static const Dwfl_Callbacks callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.debuginfo_path = &debuginfo_path,
};

/* Opens a module's ELF file now, while the process still maps it. */
static int open_module(Dwfl_Module *mod, void **userdata, const char *name,
		       Dwarf_Addr start, void *arg)
{
	struct ht_sym *s = arg;
	Dwarf_Addr bias;

	(void)userdata, (void)name, (void)start;
	if (dwfl_module_getelf(mod, &bias))
		s->nmod++;
	return DWARF_CB_OK;
}

int ht_sym_open(const char *root, int pid, struct ht_sym **out)
{
	char rel[64], path[4096];
	struct ht_sym *s = NULL;
	FILE *f = NULL;
	int err = 0;

	*out = NULL;
	if (pid <= 0)
		return -EINVAL;
	snprintf(rel, sizeof(rel), "/proc/%d/maps", pid);
	if ((err = ht_path(path, sizeof(path), root, rel)))
		return err;
	if (!(f = fopen(path, "r")))
		return errno == ENOENT ? -ESRCH : -errno;
	if (!(s = calloc(1, sizeof(*s)))) {
		err = -ENOMEM;
		goto cleanup;
	}
	if (!(s->dwfl = dwfl_begin(&callbacks))) {
		err = -ENOMEM;
		goto cleanup;
	}
	dwfl_report_begin(s->dwfl);
	if (dwfl_linux_proc_maps_report(s->dwfl, f) != 0) {
		err = -EINVAL;
		goto cleanup;
	}
	if (dwfl_report_end(s->dwfl, NULL, NULL) != 0) {
		err = -EINVAL;
		goto cleanup;
	}
	dwfl_getmodules(s->dwfl, open_module, s, 0);
	*out = s;
	s = NULL;
cleanup:
	if (f)
		fclose(f);
	ht_sym_free(s);
	return err;
}

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

int ht_sym_lookup(struct ht_sym *s, uint64_t addr, int ret_addr, struct ht_sym_site *site)
{
	Dwarf_Addr a = ret_addr && addr > 0 ? addr - 1 : addr;
	const char *mname, *mainfile = NULL, *name;
	const unsigned char *bits;
	Dwfl_Module *mod;
	Dwarf_Addr bias = 0;
	GElf_Addr vaddr;
	GElf_Off off;
	GElf_Sym sym;
	Dwfl_Line *line;
	int n;

	memset(site, 0, sizeof(*site));
	site->addr = addr;
	if (!s || !(mod = dwfl_addrmodule(s->dwfl, a)))
		return -ENOENT;
	mname = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, &mainfile, NULL);
	copy(site->module, sizeof(site->module), mainfile ? mainfile : mname);
	if (dwfl_module_getelf(mod, &bias))
		site->module_off = addr - bias;
	name = dwfl_module_addrinfo(mod, a, &off, &sym, NULL, NULL, NULL);
	if (name) {
		copy(site->func, sizeof(site->func), name);
		site->func_off = off + (addr - a);
	}
	n = dwfl_module_build_id(mod, &bits, &vaddr);
	for (int i = 0; i < n && i < 20; i++)
		snprintf(site->build_id + 2 * i, 3, "%02x", bits[i]);
	if ((line = dwfl_module_getsrc(mod, a))) {
		int lineno = 0;
		const char *src = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);

		if (src && lineno > 0) {
			copy(site->file, sizeof(site->file), src);
			site->line = lineno;
		}
	}
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int ht_sym_format(const struct ht_sym_site *site, char *buf, size_t size)
{
	if (!site->module[0])
		return snprintf(buf, size, "[unknown] 0x%llx", (unsigned long long)site->addr);
	if (!site->func[0])
		return snprintf(buf, size, "[unknown] %s+0x%llx", base_name(site->module),
				(unsigned long long)site->module_off);
	if (site->file[0])
		return snprintf(buf, size, "%s+0x%llx (%s:%d)", site->func,
				(unsigned long long)site->func_off, base_name(site->file), site->line);
	return snprintf(buf, size, "%s+0x%llx in %s", site->func,
			(unsigned long long)site->func_off, base_name(site->module));
}

int ht_sym_modules(const struct ht_sym *s)
{
	return s ? s->nmod : 0;
}

void ht_sym_free(struct ht_sym *s)
{
	if (!s)
		return;
	if (s->dwfl)
		dwfl_end(s->dwfl);
	free(s);
}
