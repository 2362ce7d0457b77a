/* The record table, expanded from the contract in ht_protocol.h. */
#include <string.h>
#include "ht_protocol.h"

#define HT_KIND_ENTRY(sub, nm, knd, un, lab, hlp) \
	{ HT_SUBSYS_##sub, nm, knd, un, lab, hlp },

const struct ht_record_kind ht_record_kinds[] = {
	HT_RECORDS(HT_KIND_ENTRY)
	{ HT_SUBSYS_COUNT, NULL, HT_MARK, NULL, NULL, NULL }
};

static const char *const subsys_names[] = HT_SUBSYS_NAMES;

static int token_equals(const char *tok, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(tok, word, len) == 0;
}

int ht_subsys_lookup(const char *name, size_t len)
{
	for (int i = 0; i < HT_SUBSYS_COUNT; i++)
		if (token_equals(name, len, subsys_names[i]))
			return i;
	return -1;
}

const char *ht_subsys_name(enum ht_subsys subsys)
{
	if ((unsigned)subsys >= HT_SUBSYS_COUNT)
		return "?";
	return subsys_names[subsys];
}

const struct ht_record_kind *ht_record_kind_lookup(enum ht_subsys subsys,
						   const char *name, size_t len)
{
	for (const struct ht_record_kind *k = ht_record_kinds; k->name; k++)
		if (k->subsys == subsys && token_equals(name, len, k->name))
			return k;
	return NULL;
}
