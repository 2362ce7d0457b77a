/* healthtap top: a small JSON reader for --hosts (the answers of
 * healthtap serve's /api/v1/snapshot). Parses a whole document into a tree;
 * numbers are doubles, strings are NUL-terminated UTF-8 (\u escapes
 * decoded; a NUL escape ends the string). */
#ifndef TOP_JSON_H
#define TOP_JSON_H

#include <stddef.h>

enum top_json_type { TOP_JSON_NULL, TOP_JSON_BOOL, TOP_JSON_NUM, TOP_JSON_STR,
		     TOP_JSON_ARR, TOP_JSON_OBJ };

struct top_json {
	enum top_json_type type;
	double num;			/* NUM; BOOL: 0 or 1 */
	char *str;			/* STR */
	size_t n;			/* ARR, OBJ: items */
	struct top_json *items;
	char **keys;			/* OBJ: n keys */
};

/* Parses text (len bytes) into a new tree; the caller frees it with
 * top_json_free(). Returns NULL on a syntax error (at most 64 levels deep)
 * or ENOMEM, with errno EINVAL or ENOMEM. */
struct top_json *top_json_parse(const char *text, size_t len);
void top_json_free(struct top_json *j);

/* The member called key of an object, or NULL (also when j is NULL or
 * not an object). */
const struct top_json *top_json_get(const struct top_json *j, const char *key);
/* A member's number, or NAN when absent, null or not a number. */
double top_json_num(const struct top_json *j, const char *key);
/* A member's string, or def. */
const char *top_json_str(const struct top_json *j, const char *key, const char *def);

#endif
