/* healthtap top: JSON reader (see top_json.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "ht_buf.h"
#include "top_json.h"

struct parser {
	const char *p, *end;
	int depth;
};

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static int value(struct parser *ps, struct top_json *out);

static void put_utf8(char **o, unsigned cp)
{
	char *d = *o;
	if (cp < 0x80) {
		*d++ = (char)cp;
	} else if (cp < 0x800) {
		*d++ = (char)(0xC0 | cp >> 6);
		*d++ = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*d++ = (char)(0xE0 | cp >> 12);
		*d++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*d++ = (char)(0x80 | (cp & 0x3F));
	} else {
		*d++ = (char)(0xF0 | cp >> 18);
		*d++ = (char)(0x80 | ((cp >> 12) & 0x3F));
		*d++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*d++ = (char)(0x80 | (cp & 0x3F));
	}
	*o = d;
}

static int hex4(const char *p, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		*v <<= 4;
		if (c >= '0' && c <= '9') *v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f') *v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F') *v |= (unsigned)(c - 'A' + 10);
		else return -1;
	}
	return 0;
}

/* Parses a string at ps->p (the opening quote) into a new buffer. */
static char *string(struct parser *ps)
{
	const char *s = ps->p + 1;
	char *buf, *o;

	/* decoded text is never longer than the escaped text */
	const char *q = s;
	while (q < ps->end && *q != '"') {
		if (*q == '\\')
			q++;
		q++;
	}
	if (q >= ps->end)
		return NULL;
	buf = malloc((size_t)(q - s) + 1);
	if (!buf)
		return NULL;
	o = buf;
	while (s < q) {
		if (*s != '\\') {
			*o++ = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case '"': *o++ = '"'; s++; break;
		case '\\': *o++ = '\\'; s++; break;
		case '/': *o++ = '/'; s++; break;
		case 'b': *o++ = '\b'; s++; break;
		case 'f': *o++ = '\f'; s++; break;
		case 'n': *o++ = '\n'; s++; break;
		case 'r': *o++ = '\r'; s++; break;
		case 't': *o++ = '\t'; s++; break;
		case 'u': {
			unsigned cp, lo;
			if (q - s < 5 || hex4(s + 1, &cp)) {
				free(buf);
				return NULL;
			}
			s += 5;
			if (cp >= 0xD800 && cp < 0xDC00 && q - s >= 6 && s[0] == '\\' && s[1] == 'u' &&
			    !hex4(s + 2, &lo) && lo >= 0xDC00 && lo < 0xE000) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				s += 6;
			}
			if (cp == 0)
				cp = 0xFFFD;
			put_utf8(&o, cp);
			break;
		}
		default:
			free(buf);
			return NULL;
		}
	}
	*o = '\0';
	ps->p = q + 1;
	return buf;
}

static int container(struct parser *ps, struct top_json *out, int obj)
{
	size_t cap = 0, keys_cap = 0;
	char close = obj ? '}' : ']';

	if (++ps->depth > 64)
		return -1;
	out->type = obj ? TOP_JSON_OBJ : TOP_JSON_ARR;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		ps->depth--;
		return 0;
	}
	for (;;) {
		char *key = NULL;

		skip_ws(ps);
		if (obj) {
			if (ps->p >= ps->end || *ps->p != '"' || !(key = string(ps)))
				return -1;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				free(key);
				return -1;
			}
			ps->p++;
		}
		if (ht_grow(out->items, cap, out->n + 1) ||
		    (obj && ht_grow(out->keys, keys_cap, out->n + 1))) {
			free(key);
			return -1;
		}
		memset(&out->items[out->n], 0, sizeof(out->items[0]));
		if (obj)
			out->keys[out->n] = key;
		out->n++;
		if (value(ps, &out->items[out->n - 1]))
			return -1;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			ps->depth--;
			return 0;
		}
		return -1;
	}
}

static int value(struct parser *ps, struct top_json *out)
{
	skip_ws(ps);
	if (ps->p >= ps->end)
		return -1;
	switch (*ps->p) {
	case '{': return container(ps, out, 1);
	case '[': return container(ps, out, 0);
	case '"':
		out->type = TOP_JSON_STR;
		out->str = string(ps);
		return out->str ? 0 : -1;
	case 't':
		if (ps->end - ps->p >= 4 && !memcmp(ps->p, "true", 4)) {
			out->type = TOP_JSON_BOOL;
			out->num = 1;
			ps->p += 4;
			return 0;
		}
		return -1;
	case 'f':
		if (ps->end - ps->p >= 5 && !memcmp(ps->p, "false", 5)) {
			out->type = TOP_JSON_BOOL;
			ps->p += 5;
			return 0;
		}
		return -1;
	case 'n':
		if (ps->end - ps->p >= 4 && !memcmp(ps->p, "null", 4)) {
			out->type = TOP_JSON_NULL;
			ps->p += 4;
			return 0;
		}
		return -1;
	default: {
		char tmp[64], *e;
		size_t len = 0;
		while (ps->p + len < ps->end && len < sizeof(tmp) - 1 &&
		       strchr("+-0123456789.eE", ps->p[len]))
			len++;
		if (!len)
			return -1;
		memcpy(tmp, ps->p, len);
		tmp[len] = '\0';
		out->type = TOP_JSON_NUM;
		out->num = strtod(tmp, &e);
		if (e != tmp + len)
			return -1;
		ps->p += len;
		return 0;
	}
	}
}

void top_json_free(struct top_json *j);

static void free_inner(struct top_json *j)
{
	for (size_t i = 0; i < j->n; i++) {
		free_inner(&j->items[i]);
		if (j->keys)
			free(j->keys[i]);
	}
	free(j->items);
	free(j->keys);
	free(j->str);
}

void top_json_free(struct top_json *j)
{
	if (!j)
		return;
	free_inner(j);
	free(j);
}

struct top_json *top_json_parse(const char *text, size_t len)
{
	struct parser ps = { text, text + len, 0 };
	struct top_json *j = calloc(1, sizeof(*j));

	if (!j) {
		errno = ENOMEM;
		return NULL;
	}
	if (value(&ps, j) || (skip_ws(&ps), ps.p != ps.end)) {
		top_json_free(j);
		errno = EINVAL;
		return NULL;
	}
	return j;
}

const struct top_json *top_json_get(const struct top_json *j, const char *key)
{
	if (!j || j->type != TOP_JSON_OBJ)
		return NULL;
	for (size_t i = 0; i < j->n; i++)
		if (!strcmp(j->keys[i], key))
			return &j->items[i];
	return NULL;
}

double top_json_num(const struct top_json *j, const char *key)
{
	const struct top_json *v = top_json_get(j, key);
	return v && v->type == TOP_JSON_NUM ? v->num : NAN;
}

const char *top_json_str(const struct top_json *j, const char *key, const char *def)
{
	const struct top_json *v = top_json_get(j, key);
	return v && v->type == TOP_JSON_STR ? v->str : def;
}
