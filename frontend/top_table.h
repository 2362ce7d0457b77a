/* healthtap top: the process table's columns, sort orders, filter and tree
 * order, shared by the batch renderer and the screen.
 *
 * Each column is an entry in top_columns[]: its title, width, the key that
 * sorts by it, a compare function and a cell formatter. */
#ifndef TOP_TABLE_H
#define TOP_TABLE_H

#include <stddef.h>
#include "top_frame.h"

enum top_col {
	TOP_COL_PID,
	TOP_COL_USER,
	TOP_COL_RSS,
	TOP_COL_ANON,
	TOP_COL_GROWTH,
	TOP_COL_R2,
	TOP_COL_TTL,
	TOP_COL_SPARK,
	TOP_COL_CMD,
	TOP_COL_RISK,		/* a sort order only: not drawn */
	TOP_COL_N
};

struct top_column {
	const char *title;
	const char *name;	/* for --sort and the help screen */
	int width;		/* 0: not drawn; the command takes what is left */
	int left;		/* left-aligned */
	int key;		/* the key that sorts by it */
	int desc_first;		/* first press sorts descending */
	/* Ascending order; NULL: cannot sort by it. */
	int (*cmp)(const struct top_proc_row *a, const struct top_proc_row *b);
	void (*cell)(const struct top_proc_row *r, char *buf, size_t size, int utf8);
};

extern const struct top_column top_columns[TOP_COL_N];

/* Before the command of healthtap's own processes (struct top_proc_row.own). */
#define TOP_OWN_MARK "* "


/* The column called name ("rss", "risk"), or -1. */
int top_column_find(const char *name);

struct top_view_opts {
	int sort;		/* enum top_col */
	int desc;
	const char *filter;	/* case-insensitive substring of the command; NULL all */
	int tree;		/* order by parent, children indented */
	int show_kthreads;	/* kernel threads shown (default 0, as htop) */
};

/* Fills idx (the caller's array of f->nprocs entries) with the rows to show,
 * in order, and sets each shown row's depth (tree view). Returns the count. */
size_t top_view_build(struct top_frame *f, const struct top_view_opts *o, size_t *idx);

/* Formats the header line of the table into buf for a line of width chars
 * (0: no limit). sort marks the sorted column. */
void top_table_header(char *buf, size_t size, int width, int sort, int desc);

/* Formats one row into buf, the command cut to fit width (0: no limit).
 * healthtap's own processes get TOP_OWN_MARK before the command. */
void top_table_row(const struct top_proc_row *r, char *buf, size_t size, int width,
		   int utf8, int tree);

/* Does the row match the filter (case-insensitive, command or comm)? */
int top_row_matches(const struct top_proc_row *r, const char *filter);

#endif
