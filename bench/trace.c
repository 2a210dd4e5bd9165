/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Strict parser of the text trace format (docs/trace-format.md):
 *
 *   map,<id>,<gpa hex>,<size>
 *   unmap,<id>
 *
 * '#' starts a comment, blank lines are allowed, spaces and tabs around
 * fields are ignored, and a CR before the LF is tolerated.  Everything else
 * is an error with the line number: the replay refuses a trace rather than
 * guess what it meant.
 */
#include "trace.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* ---- id -> slot hash (open addressing, linear probing) -------------- */

#define EMPTY_SLOT UINT32_MAX

struct id_entry {
	uint64_t id;
	uint32_t slot;  /* EMPTY_SLOT: bucket unused */
	uint32_t line;  /* where it was mapped (saturated), for messages */
};

struct trace_parser {
	struct trace *t;
	struct id_entry *tab;
	size_t mask;        /* capacity - 1, capacity a power of two */
	size_t used;
	uint32_t *free_slots; /* stack of slots released by unmaps */
	size_t nfree, free_cap;
	uint32_t *slot_size;  /* size of the request in each slot */
	size_t size_cap;
};

static uint64_t hash_id(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

static int tab_init(struct trace_parser *p, size_t cap)
{
	p->tab = malloc(cap * sizeof(*p->tab));
	if (!p->tab)
		return -1;
	for (size_t i = 0; i < cap; i++)
		p->tab[i].slot = EMPTY_SLOT;
	p->mask = cap - 1;
	p->used = 0;
	return 0;
}

static struct id_entry *tab_find(const struct trace_parser *p, uint64_t id)
{
	size_t i = hash_id(id) & p->mask;

	for (;;) {
		struct id_entry *e = &p->tab[i];

		if (e->slot == EMPTY_SLOT)
			return NULL;
		if (e->id == id)
			return e;
		i = (i + 1) & p->mask;
	}
}

static void tab_put_nogrow(struct trace_parser *p, uint64_t id, uint32_t slot,
			   uint32_t line)
{
	size_t i = hash_id(id) & p->mask;

	while (p->tab[i].slot != EMPTY_SLOT)
		i = (i + 1) & p->mask;
	p->tab[i].id = id;
	p->tab[i].slot = slot;
	p->tab[i].line = line;
	p->used++;
}

static int tab_grow(struct trace_parser *p)
{
	struct id_entry *old = p->tab;
	size_t oldcap = p->mask + 1;

	if (tab_init(p, oldcap * 2)) {
		p->tab = old;
		p->mask = oldcap - 1;
		return -1;
	}
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].slot != EMPTY_SLOT)
			tab_put_nogrow(p, old[i].id, old[i].slot, old[i].line);
	free(old);
	return 0;
}

/* Backward-shift deletion keeps probe chains intact without tombstones. */
static void tab_del(struct trace_parser *p, struct id_entry *e)
{
	size_t i = (size_t)(e - p->tab);
	size_t j = i;

	for (;;) {
		j = (j + 1) & p->mask;
		if (p->tab[j].slot == EMPTY_SLOT)
			break;
		size_t home = hash_id(p->tab[j].id) & p->mask;
		/* Move j into the hole at i unless its home lies in (i, j]. */
		bool stay = (i <= j) ? (home > i && home <= j)
				     : (home > i || home <= j);
		if (!stay) {
			p->tab[i] = p->tab[j];
			i = j;
		}
	}
	p->tab[i].slot = EMPTY_SLOT;
	p->used--;
}

struct trace_parser *trace_parser_new(struct trace *t)
{
	struct trace_parser *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->t = t;
	if (tab_init(p, 1024)) {
		free(p);
		return NULL;
	}
	return p;
}

void trace_parser_free(struct trace_parser *p)
{
	if (!p)
		return;
	free(p->tab);
	free(p->free_slots);
	free(p->slot_size);
	free(p);
}

/* ---- fields ---------------------------------------------------------- */

struct field {
	const char *s;
	size_t len;
};

static int fail(struct trace_error *err, unsigned long lineno,
		const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct trace_error *err, unsigned long lineno,
		const char *fmt, ...)
{
	va_list ap;

	if (err) {
		err->line = lineno;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -1;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static struct field trim(const char *s, size_t len)
{
	struct field f;

	while (len && is_blank(*s)) {
		s++;
		len--;
	}
	while (len && is_blank(s[len - 1]))
		len--;
	f.s = s;
	f.len = len;
	return f;
}

static bool field_is(struct field f, const char *word)
{
	return f.len == strlen(word) && memcmp(f.s, word, f.len) == 0;
}

/* Quoted for messages: at most 40 bytes, non-printables as '?'. */
static const char *show(struct field f, char *buf, size_t bufsz)
{
	size_t n = f.len < bufsz - 4 ? f.len : bufsz - 4;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)f.s[i];
		buf[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (n < f.len) {
		buf[i++] = '.';
		buf[i++] = '.';
		buf[i++] = '.';
	}
	buf[i] = '\0';
	return buf;
}

static int parse_dec(struct field f, uint64_t *out)
{
	uint64_t v = 0;

	if (f.len == 0)
		return -1;
	for (size_t i = 0; i < f.len; i++) {
		char c = f.s[i];
		if (c < '0' || c > '9')
			return -1;
		unsigned d = (unsigned)(c - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int parse_hex(struct field f, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (f.len >= 2 && f.s[0] == '0' && (f.s[1] == 'x' || f.s[1] == 'X'))
		i = 2;
	if (i == f.len)
		return -1;
	for (; i < f.len; i++) {
		char c = f.s[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return -1;
		if (v >> 60)
			return -1; /* more than 64 bits */
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

static int push_op(struct trace *t, uint64_t gpa, uint32_t size, uint32_t slot)
{
	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 4096;
		struct trace_op *n = realloc(t->ops, ncap * sizeof(*n));
		if (!n)
			return -1;
		t->ops = n;
		t->cap = ncap;
	}
	t->ops[t->n].gpa = gpa;
	t->ops[t->n].size = size;
	t->ops[t->n].slot = slot;
	t->n++;
	return 0;
}

#define MAX_FIELDS 5

int trace_parser_line(struct trace_parser *p, const char *line, size_t len,
		      unsigned long lineno, struct trace_error *err)
{
	struct trace *t = p->t;
	struct field fl[MAX_FIELDS];
	unsigned nf = 0;
	char b1[48], b2[48];
	const char *hash;

	if (len && line[len - 1] == '\n')
		len--;
	if (memchr(line, '\0', len))
		return fail(err, lineno, "NUL byte in line");
	hash = memchr(line, '#', len);
	if (hash)
		len = (size_t)(hash - line);

	struct field whole = trim(line, len);
	if (whole.len == 0)
		return 0;

	/* Split on commas; more than MAX_FIELDS is an error anyway. */
	const char *s = whole.s, *end = whole.s + whole.len;
	for (;;) {
		const char *c = memchr(s, ',', (size_t)(end - s));
		const char *fe = c ? c : end;
		if (nf == MAX_FIELDS)
			return fail(err, lineno, "too many fields");
		fl[nf++] = trim(s, (size_t)(fe - s));
		if (!c)
			break;
		s = c + 1;
	}

	bool is_map = field_is(fl[0], "map");
	if (!is_map && !field_is(fl[0], "unmap"))
		return fail(err, lineno,
			    "unknown operation '%s' (expected map or unmap)",
			    show(fl[0], b1, sizeof(b1)));
	if (is_map && nf != 4)
		return fail(err, lineno,
			    "map takes 3 fields (map,<id>,<gpa hex>,<size>), got %u",
			    nf - 1);
	if (!is_map && nf != 2)
		return fail(err, lineno,
			    "unmap takes 1 field (unmap,<id>), got %u", nf - 1);

	uint64_t id;
	if (parse_dec(fl[1], &id))
		return fail(err, lineno,
			    "bad id '%s' (decimal, 0..18446744073709551615)",
			    show(fl[1], b1, sizeof(b1)));

	struct id_entry *e = tab_find(p, id);
	uint32_t line32 = lineno > UINT32_MAX ? UINT32_MAX : (uint32_t)lineno;

	if (!is_map) {
		if (!e)
			return fail(err, lineno,
				    "unmap of unknown id %llu (not mapped, or already unmapped)",
				    (unsigned long long)id);
		uint32_t slot = e->slot;
		/* Free-slot stack has room: it never holds more than nslots. */
		if (p->nfree == p->free_cap) {
			size_t ncap = p->free_cap ? p->free_cap * 2 : 1024;
			uint32_t *n = realloc(p->free_slots, ncap * sizeof(*n));
			if (!n)
				return fail(err, 0, "out of memory");
			p->free_slots = n;
			p->free_cap = ncap;
		}
		if (push_op(t, 0, p->slot_size[slot], slot | TRACE_UNMAP))
			return fail(err, 0, "out of memory");
		p->free_slots[p->nfree++] = slot;
		tab_del(p, e);
		t->unmaps++;
		t->live_requests--;
		t->live_bytes -= p->slot_size[slot];
		return 0;
	}

	uint64_t gpa, size;
	if (parse_hex(fl[2], &gpa))
		return fail(err, lineno,
			    "bad gpa '%s' (hex, optional 0x, at most 64 bits)",
			    show(fl[2], b1, sizeof(b1)));
	if (parse_dec(fl[3], &size) || size == 0 || size > TRACE_MAX_SIZE)
		return fail(err, lineno,
			    "bad size '%s' (decimal bytes, 1..%llu)",
			    show(fl[3], b2, sizeof(b2)), TRACE_MAX_SIZE);
	if (gpa > UINT64_MAX - size)
		return fail(err, lineno,
			    "gpa 0x%llx + size %llu runs past the 64-bit space",
			    (unsigned long long)gpa, (unsigned long long)size);
	if (e)
		return fail(err, lineno,
			    "duplicate live id %llu (mapped at line %lu, not unmapped)",
			    (unsigned long long)id, (unsigned long)e->line);

	if (p->used * 2 >= p->mask + 1 && tab_grow(p))
		return fail(err, 0, "out of memory");

	uint32_t slot;
	if (p->nfree) {
		slot = p->free_slots[p->nfree - 1];
	} else {
		if (t->nslots >= TRACE_MAX_SLOTS)
			return fail(err, lineno, "too many live requests");
		slot = t->nslots;
		if (slot >= p->size_cap) {
			size_t ncap = p->size_cap ? p->size_cap * 2 : 1024;
			uint32_t *n = realloc(p->slot_size, ncap * sizeof(*n));
			if (!n)
				return fail(err, 0, "out of memory");
			p->slot_size = n;
			p->size_cap = ncap;
		}
	}
	if (push_op(t, gpa, (uint32_t)size, slot))
		return fail(err, 0, "out of memory");
	if (p->nfree)
		p->nfree--;
	else
		t->nslots++;
	tab_put_nogrow(p, id, slot, line32);
	p->slot_size[slot] = (uint32_t)size;
	t->maps++;
	t->live_requests++;
	t->live_bytes += size;
	if (t->live_bytes > t->peak_live_bytes)
		t->peak_live_bytes = t->live_bytes;
	return 0;
}

int trace_load(FILE *f, struct trace *t, struct trace_error *err)
{
	struct trace_parser *p = trace_parser_new(t);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long lineno = 0;
	int rc = 0;

	if (!p)
		return fail(err, 0, "out of memory");
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (trace_parser_line(p, line, (size_t)n, lineno, err)) {
			rc = -1;
			break;
		}
	}
	if (!rc && ferror(f))
		rc = fail(err, 0, "read error");
	free(line);
	trace_parser_free(p);
	return rc;
}

void trace_free(struct trace *t)
{
	free(t->ops);
	memset(t, 0, sizeof(*t));
}

static int parse_num(const char *s, uint64_t *out, bool suffixes)
{
	char *end;
	unsigned long long v;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	if (suffixes && *end) {
		unsigned shift;
		switch (*end) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		default: return -1;
		}
		end++;
		if (end[0] == 'i' && end[1] == 'B')
			end += 2;
		else if (end[0] == 'B')
			end++;
		if (v > (UINT64_MAX >> shift))
			return -1;
		v <<= shift;
	}
	if (*end)
		return -1;
	*out = v;
	return 0;
}

int bench_parse_u64(const char *s, uint64_t *out)
{
	return parse_num(s, out, false);
}

int bench_parse_size(const char *s, uint64_t *out)
{
	return parse_num(s, out, true);
}
