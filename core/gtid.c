/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/gtid.c: GTID sets for MySQL and MariaDB; semantics in gtid.h.
 * MySQL sets keep an array of tsids (UUID + tag) sorted by UUID bytes,
 * then tag ("" first), each with a growable array of closed intervals.
 * Invariants: no tsid is empty; within a tsid the intervals are sorted,
 * disjoint and separated by at least one missing gno, so equal sets have
 * equal arrays.  A hint remembers the tsid last written to, which makes
 * streaming adds (same tsid, next gno) O(1).  MariaDB sets keep an array
 * of domains sorted by domain_id.  Parsers and decoders fill a scratch
 * set first, so a failed call leaves the caller's set untouched.
 */
#include "gtid.h"

#include "bytes.h"
#include "err.h"
#include "mem.h"
#include "sbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct ival {
	uint64_t first;
	uint64_t last; /* inclusive */
};

struct tsid {
	uint8_t uuid[GTID_UUID_LEN];
	char tag[GTID_TAG_MAX + 1];
	struct ival *iv;
	size_t n_iv;
	size_t cap_iv;
};

struct domain {
	uint32_t domain_id;
	uint32_t server_id;
	uint64_t seq_no;
};

struct gtid_set {
	enum gtid_flavour flavour;
	struct tsid *ts; /* MySQL */
	size_t n_ts;
	size_t cap_ts;
	size_t hint;        /* index into ts last written; may be stale */
	struct domain *dom; /* MariaDB */
	size_t n_dom;
	size_t cap_dom;
};

static const char *const flavour_names[] = {"unknown", "MySQL", "MariaDB"};

/*
 * Memory helpers
 */

/* Returns arr grown to hold at least `need` elements of `elem` bytes, or
 * NULL on OOM (arr untouched).  Grows geometrically. */
static void *reserve(void *arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *np;

	if (need <= *cap && arr != NULL)
		return arr;
	ncap = *cap ? *cap : 4;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / elem)
			return NULL;
		ncap *= 2;
	}
	np = sl_realloc(arr, ncap * elem);
	if (np == NULL)
		return NULL;
	*cap = ncap;
	return np;
}

static void set_init(struct gtid_set *s, enum gtid_flavour flavour)
{
	memset(s, 0, sizeof(*s));
	s->flavour = flavour;
}

static void set_deinit(struct gtid_set *s)
{
	for (size_t i = 0; i < s->n_ts; i++)
		sl_free(s->ts[i].iv);
	sl_free(s->ts);
	sl_free(s->dom);
	set_init(s, s->flavour);
}

static void set_swap(struct gtid_set *a, struct gtid_set *b)
{
	struct gtid_set t = *a;

	*a = *b;
	*b = t;
}

static int oom(struct sl_err *err)
{
	return sl_err_set(err, SL_ENOMEM, "gtid set: out of memory");
}

/* Checks that b's flavour may go into a; adopts it when a has none. */
static int adopt_flavour(struct gtid_set *a, enum gtid_flavour f,
                         struct sl_err *err)
{
	if (f == GTID_ANY || a->flavour == f)
		return 0;
	if (a->flavour == GTID_ANY) {
		a->flavour = f;
		return 0;
	}
	return sl_err_set(err, SL_EINVAL,
	                  "gtid set: cannot combine a %s set with a %s set",
	                  flavour_names[a->flavour], flavour_names[f]);
}

/*
 * Characters, tags, UUIDs
 */

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int hex_val(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool is_tag_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_tag_char(int c)
{
	return is_tag_start(c) || is_digit(c);
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Copies tag[0..len) lowercased into out (NUL-terminated).  False if it
 * is not a valid tag; the empty tag is valid (untagged). */
static bool norm_tag(const char *tag, size_t len, char *out)
{
	if (len > GTID_TAG_MAX || (len > 0 && !is_tag_start(tag[0])))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!is_tag_char(tag[i]))
			return false;
		out[i] = lower(tag[i]);
	}
	out[len] = '\0';
	return true;
}

static void put_uuid(struct sbuf *out, const uint8_t *u)
{
	sbuf_hex(out, u, 4);
	sbuf_putc(out, '-');
	sbuf_hex(out, u + 4, 2);
	sbuf_putc(out, '-');
	sbuf_hex(out, u + 6, 2);
	sbuf_putc(out, '-');
	sbuf_hex(out, u + 8, 2);
	sbuf_putc(out, '-');
	sbuf_hex(out, u + 10, 6);
}

static void put_u64le(struct sbuf *out, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	sbuf_put(out, b, 8);
}

/*
 * Interval arrays (one tsid)
 */

/* First index whose interval ends at or after g, or n. */
static size_t first_ending_from(const struct ival *iv, size_t n, uint64_t g)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (iv[mid].last < g)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* First index whose interval starts after g, or n. */
static size_t first_starting_after(const struct ival *iv, size_t n, uint64_t g)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (iv[mid].first <= g)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool ivals_contain(const struct tsid *t, uint64_t gno)
{
	size_t i = first_ending_from(t->iv, t->n_iv, gno);

	return i < t->n_iv && t->iv[i].first <= gno;
}

/* Inserts [first, last] (1 <= first <= last <= GTID_MAX_GNO), merging
 * with every interval it overlaps or touches. */
static int add_range(struct tsid *t, uint64_t first, uint64_t last)
{
	struct ival *iv = t->iv;
	size_t n = t->n_iv, i, j;

	/* Streaming: past the end, or overlapping only the last interval. */
	if (n > 0 && first >= iv[n - 1].first && first <= iv[n - 1].last + 1) {
		if (last > iv[n - 1].last)
			iv[n - 1].last = last;
		return 0;
	}
	if (n == 0 || first > iv[n - 1].last + 1) {
		i = n;
		j = n;
	} else {
		/* [i, j) are the intervals that overlap or touch the range. */
		i = first_ending_from(iv, n, first - 1);
		j = first_starting_after(iv, n, last + 1);
	}
	if (i < j) {
		if (iv[i].first < first)
			first = iv[i].first;
		if (iv[j - 1].last > last)
			last = iv[j - 1].last;
		iv[i].first = first;
		iv[i].last = last;
		memmove(iv + i + 1, iv + j, (n - j) * sizeof(*iv));
		t->n_iv = n - (j - i - 1);
		return 0;
	}
	iv = reserve(iv, &t->cap_iv, n + 1, sizeof(*iv));
	if (iv == NULL)
		return SL_ENOMEM;
	t->iv = iv;
	memmove(iv + i + 1, iv + i, (n - i) * sizeof(*iv));
	iv[i].first = first;
	iv[i].last = last;
	t->n_iv = n + 1;
	return 0;
}

/* Appends [first, last] to out[0..*n), merging with the last interval;
 * ranges arrive sorted by first. */
static void push_merged(struct ival *out, size_t *n, uint64_t first,
                        uint64_t last)
{
	if (*n > 0 && first <= out[*n - 1].last + 1) {
		if (last > out[*n - 1].last)
			out[*n - 1].last = last;
		return;
	}
	out[*n].first = first;
	out[*n].last = last;
	(*n)++;
}

/* t |= b[0..nb), a linear merge. */
static int ivals_union(struct tsid *t, const struct ival *b, size_t nb)
{
	const struct ival *a = t->iv;
	size_t na = t->n_iv, i = 0, j = 0, n = 0;
	struct ival *out;

	if (nb == 1)
		return add_range(t, b[0].first, b[0].last);
	if (nb == 0)
		return 0;
	out = sl_malloc((na + nb) * sizeof(*out));
	if (out == NULL)
		return SL_ENOMEM;
	while (i < na || j < nb) {
		const struct ival *x;

		if (j == nb || (i < na && a[i].first <= b[j].first))
			x = &a[i++];
		else
			x = &b[j++];
		push_merged(out, &n, x->first, x->last);
	}
	sl_free(t->iv);
	t->iv = out;
	t->n_iv = n;
	t->cap_iv = na + nb;
	return 0;
}

/* t -= b[0..nb), a linear sweep.  Every interval of b splits at most one
 * interval of t in two, so the result has at most na + nb intervals. */
static int ivals_subtract(struct tsid *t, const struct ival *b, size_t nb)
{
	const struct ival *a = t->iv;
	size_t na = t->n_iv, j = 0, n = 0;
	struct ival *out;

	if (nb == 0 || na == 0)
		return 0;
	out = sl_malloc((na + nb) * sizeof(*out));
	if (out == NULL)
		return SL_ENOMEM;
	for (size_t i = 0; i < na; i++) {
		uint64_t cur = a[i].first, end = a[i].last;
		bool covered = false;

		while (j < nb && b[j].last < cur)
			j++;
		/* b[j] may reach into the next interval of a: keep j on it. */
		for (; j < nb && b[j].first <= end; j++) {
			if (b[j].first > cur) {
				out[n].first = cur;
				out[n++].last = b[j].first - 1;
			}
			if (b[j].last >= end) {
				covered = true;
				break;
			}
			cur = b[j].last + 1;
		}
		if (!covered) {
			out[n].first = cur;
			out[n++].last = end;
		}
	}
	sl_free(t->iv);
	t->iv = out;
	t->n_iv = n;
	t->cap_iv = na + nb;
	return 0;
}

/* Every interval of a lies inside one interval of b. */
static bool ivals_subset(const struct tsid *a, const struct tsid *b)
{
	size_t j = 0;

	for (size_t i = 0; i < a->n_iv; i++) {
		while (j < b->n_iv && b->iv[j].last < a->iv[i].first)
			j++;
		if (j == b->n_iv || b->iv[j].first > a->iv[i].first ||
		    b->iv[j].last < a->iv[i].last)
			return false;
	}
	return true;
}

/*
 * MySQL: tsid lookup
 */

static int tsid_cmp(const struct tsid *t, const uint8_t *uuid, const char *tag)
{
	int c = memcmp(t->uuid, uuid, GTID_UUID_LEN);

	if (c != 0)
		return c;
	/* Untagged is the common case; spare it a strcmp call. */
	if (t->tag[0] == '\0' || tag[0] == '\0')
		return (unsigned char)t->tag[0] - (unsigned char)tag[0];
	return strcmp(t->tag, tag);
}

/* Index of (uuid, tag) in s->ts, or where it would be inserted; *found
 * tells which.  tag must be normalised. */
static size_t find_tsid(const struct gtid_set *s, const uint8_t *uuid,
                        const char *tag, bool *found)
{
	size_t lo = 0, hi = s->n_ts;

	if (s->hint < s->n_ts && tsid_cmp(&s->ts[s->hint], uuid, tag) == 0) {
		*found = true;
		return s->hint;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = tsid_cmp(&s->ts[mid], uuid, tag);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

/* The tsid for (uuid, tag), created empty if missing; NULL on OOM.  A
 * caller that leaves a new tsid empty must drop it (drop_if_empty). */
static struct tsid *get_tsid(struct gtid_set *s, const uint8_t *uuid,
                             const char *tag)
{
	bool found;
	size_t i = find_tsid(s, uuid, tag, &found);
	struct tsid *ts;

	if (!found) {
		ts = reserve(s->ts, &s->cap_ts, s->n_ts + 1, sizeof(*ts));
		if (ts == NULL)
			return NULL;
		s->ts = ts;
		memmove(ts + i + 1, ts + i, (s->n_ts - i) * sizeof(*ts));
		memset(&ts[i], 0, sizeof(ts[i]));
		memcpy(ts[i].uuid, uuid, GTID_UUID_LEN);
		/* tag is normalised (at most GTID_TAG_MAX characters); the
		 * memset above leaves ts[i].tag NUL-terminated. */
		memcpy(ts[i].tag, tag, strnlen(tag, GTID_TAG_MAX));
		s->n_ts++;
	}
	s->hint = i;
	return &s->ts[i];
}

static void drop_if_empty(struct gtid_set *s, struct tsid *t)
{
	size_t i = (size_t)(t - s->ts);

	if (t->n_iv > 0)
		return;
	sl_free(t->iv);
	memmove(s->ts + i, s->ts + i + 1, (s->n_ts - i - 1) * sizeof(*t));
	s->n_ts--;
	s->hint = 0;
}

static int mysql_add_range(struct gtid_set *s, const uint8_t *uuid,
                           const char *tag, uint64_t first, uint64_t last)
{
	struct tsid *t = get_tsid(s, uuid, tag);

	if (t == NULL)
		return SL_ENOMEM;
	if (add_range(t, first, last) != 0) {
		drop_if_empty(s, t);
		return SL_ENOMEM;
	}
	return 0;
}

/*
 * MariaDB: domains
 */

/* Index of the first domain whose id is >= domain_id (n_dom if none). */
static size_t domain_lower_bound(const struct gtid_set *s, uint32_t domain_id)
{
	size_t lo = 0, hi = s->n_dom;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->dom[mid].domain_id < domain_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Index of domain_id in s->dom, or where it would be inserted; *found
 * tells which.  *found implies index < n_dom, hence s->dom != NULL. */
static size_t find_domain(const struct gtid_set *s, uint32_t domain_id,
                          bool *found)
{
	size_t lo = domain_lower_bound(s, domain_id);

	*found = lo < s->n_dom && s->dom[lo].domain_id == domain_id;
	return lo;
}

/* Sets the domain's entry to (server_id, seq_no) if it is new or seq_no
 * is higher than the one held. */
static int domain_put(struct gtid_set *s, uint32_t domain_id,
                      uint32_t server_id, uint64_t seq_no)
{
	bool found;
	size_t i = find_domain(s, domain_id, &found);
	struct domain *d;

	if (found) {
		if (seq_no > s->dom[i].seq_no) {
			s->dom[i].server_id = server_id;
			s->dom[i].seq_no = seq_no;
		}
		return 0;
	}
	d = reserve(s->dom, &s->cap_dom, s->n_dom + 1, sizeof(*d));
	if (d == NULL)
		return SL_ENOMEM;
	s->dom = d;
	memmove(d + i + 1, d + i, (s->n_dom - i) * sizeof(*d));
	d[i].domain_id = domain_id;
	d[i].server_id = server_id;
	d[i].seq_no = seq_no;
	s->n_dom++;
	return 0;
}

/*
 * Text parsing
 */

struct parser {
	const char *s;
	size_t len;
	size_t pos;
	const char *what; /* "gtid set" or "gtid" */
	struct sl_err *err;
};

#define EXCERPT_MAX 64

/* Records `what "TEXT": at character N: why` and returns SL_EINVAL.  Long
 * texts are cut to a window around N; control characters (the newlines
 * of @@gtid_executed) print as spaces to keep the message on one line. */
__attribute__((format(printf, 3, 4))) static int
fail_at(struct parser *ps, size_t pos, const char *fmt, ...)
{
	char why[200], text[EXCERPT_MAX + 8];
	size_t from = 0, to = ps->len, n = 0;
	va_list ap;

	if (ps->err == NULL)
		return SL_EINVAL;
	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap); /* cut to fit */
	va_end(ap);
	if (ps->len > EXCERPT_MAX) {
		from = pos > EXCERPT_MAX / 2 ? pos - EXCERPT_MAX / 2 : 0;
		to =
		    from + EXCERPT_MAX < ps->len ? from + EXCERPT_MAX : ps->len;
	}
	if (from > 0) {
		memcpy(text, "...", 3);
		n = 3;
	}
	for (size_t i = from; i < to; i++) {
		unsigned char c = (unsigned char)ps->s[i];

		text[n++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
	}
	if (to < ps->len) {
		memcpy(text + n, "...", 3);
		n += 3;
	}
	text[n] = '\0';
	return sl_err_set(ps->err, SL_EINVAL, "%s \"%s\": at character %zu: %s",
	                  ps->what, text, pos, why);
}

static int peek(const struct parser *ps)
{
	return ps->pos < ps->len ? (unsigned char)ps->s[ps->pos] : -1;
}

static void skip_ws(struct parser *ps)
{
	while (ps->pos < ps->len) {
		char c = ps->s[ps->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		ps->pos++;
	}
}

static int expect(struct parser *ps, char c, const char *why)
{
	if (peek(ps) != c)
		return fail_at(ps, ps->pos, "%s", why);
	ps->pos++;
	return 0;
}

/* Decimal number in [0, max]. */
static int parse_num(struct parser *ps, uint64_t max, uint64_t *out)
{
	size_t start = ps->pos;
	uint64_t v = 0;

	if (!is_digit(peek(ps)))
		return fail_at(ps, start, "expected a number");
	while (is_digit(peek(ps))) {
		unsigned d = (unsigned)(peek(ps) - '0');

		if (v > (max - d) / 10)
			return fail_at(ps, start, "number above %llu",
			               (unsigned long long)max);
		v = v * 10 + d;
		ps->pos++;
	}
	*out = v;
	return 0;
}

/* 36-character dashed UUID (8-4-4-4-12) or 32 hex digits, any case. */
static int parse_uuid(struct parser *ps, uint8_t *uuid)
{
	static const size_t dashes[] = {8, 13, 18, 23};
	const char *q = ps->s + ps->pos;
	size_t avail = ps->len - ps->pos, run = 0, width, k = 0;

	while (run < avail && run < 32 && hex_val(q[run]) >= 0)
		run++;
	if (run == 32) {
		width = 32;
	} else if (run == 8 && avail > 8 && q[8] == '-') {
		width = 36;
	} else {
		return fail_at(ps, ps->pos + run, "%s",
		               run == 0 ? "expected a UUID" : "malformed UUID");
	}
	for (size_t i = 0, d = 0; i < width; i++) {
		int h;

		if (width == 36 && d < 4 && i == dashes[d]) {
			if (i >= avail || q[i] != '-')
				return fail_at(ps, ps->pos + i,
				               "malformed UUID: expected '-'");
			d++;
			continue;
		}
		h = i < avail ? hex_val(q[i]) : -1;
		if (h < 0)
			return fail_at(ps, ps->pos + i,
			               "malformed UUID: expected a hex digit");
		if (k % 2 == 0)
			uuid[k / 2] = (uint8_t)(h << 4);
		else
			uuid[k / 2] |= (uint8_t)h;
		k++;
	}
	ps->pos += width;
	return 0;
}

static int parse_tag(struct parser *ps, char *tag)
{
	size_t start = ps->pos, n = 0;

	while (is_tag_char(peek(ps))) {
		if (n == GTID_TAG_MAX)
			return fail_at(ps, start,
			               "tag longer than %d characters",
			               GTID_TAG_MAX);
		tag[n++] = lower(ps->s[ps->pos++]);
	}
	tag[n] = '\0';
	return 0;
}

/* gno in 1..GTID_MAX_GNO. */
static int parse_gno(struct parser *ps, uint64_t *out)
{
	size_t start = ps->pos;
	int rc = parse_num(ps, GTID_MAX_GNO, out);

	if (rc == 0 && *out == 0)
		return fail_at(ps, start, "GTID numbers start at 1");
	return rc;
}

/* uuid:part[:part]... where part is an interval or a tag. */
static int parse_mysql_elem(struct parser *ps, struct gtid_set *s)
{
	uint8_t uuid[GTID_UUID_LEN];
	char tag[GTID_TAG_MAX + 1] = "";
	int rc;

	if ((rc = parse_uuid(ps, uuid)) != 0 ||
	    (rc = expect(ps, ':', "expected ':' after the UUID")) != 0)
		return rc;
	for (;;) {
		uint64_t first = 0, last = 0;
		size_t at;

		if (is_tag_start(peek(ps))) {
			if ((rc = parse_tag(ps, tag)) != 0 ||
			    (rc = expect(ps, ':',
			                 "expected ':' after the tag")) != 0)
				return rc;
		} else if (!is_digit(peek(ps))) {
			return fail_at(ps, ps->pos,
			               "expected a GTID number or a tag");
		}
		if ((rc = parse_gno(ps, &first)) != 0)
			return rc;
		last = first;
		if (peek(ps) == '-') {
			ps->pos++;
			at = ps->pos;
			if ((rc = parse_gno(ps, &last)) != 0)
				return rc;
			if (last < first)
				return fail_at(ps, at,
				               "interval end %llu is below its "
				               "start %llu",
				               (unsigned long long)last,
				               (unsigned long long)first);
		}
		if (mysql_add_range(s, uuid, tag, first, last) != 0)
			return oom(ps->err);
		if (peek(ps) != ':')
			return 0;
		ps->pos++;
	}
}

static int parse_mariadb_triple(struct parser *ps, struct gtid *g)
{
	uint64_t d = 0, srv = 0, seq = 0;
	int rc;

	if ((rc = parse_num(ps, UINT32_MAX, &d)) != 0 ||
	    (rc = expect(ps, '-', "expected '-' after the domain id")) != 0 ||
	    (rc = parse_num(ps, UINT32_MAX, &srv)) != 0 ||
	    (rc = expect(ps, '-', "expected '-' after the server id")) != 0 ||
	    (rc = parse_num(ps, UINT64_MAX, &seq)) != 0)
		return rc;
	g->flavour = GTID_MARIADB;
	g->mariadb.domain_id = (uint32_t)d;
	g->mariadb.server_id = (uint32_t)srv;
	g->mariadb.seq_no = seq;
	return 0;
}

/* MySQL if the text has a ':' or starts with a UUID; else MariaDB. */
static enum gtid_flavour detect_flavour(const struct parser *ps)
{
	struct parser probe = *ps;
	uint8_t uuid[GTID_UUID_LEN];

	if (memchr(ps->s + ps->pos, ':', ps->len - ps->pos) != NULL)
		return GTID_MYSQL;
	probe.err = NULL;
	return parse_uuid(&probe, uuid) == 0 ? GTID_MYSQL : GTID_MARIADB;
}

int gtid_parse(struct gtid *out, const char *text, size_t len,
               struct sl_err *err)
{
	struct parser ps = {text, len, 0, "gtid", err};
	struct gtid g;
	int rc;

	memset(&g, 0, sizeof(g));
	skip_ws(&ps);
	if (peek(&ps) < 0)
		return fail_at(&ps, ps.pos, "expected a GTID");
	if (detect_flavour(&ps) == GTID_MYSQL) {
		g.flavour = GTID_MYSQL;
		if ((rc = parse_uuid(&ps, g.mysql.uuid)) != 0 ||
		    (rc = expect(&ps, ':', "expected ':' after the UUID")) != 0)
			return rc;
		if (is_tag_start(peek(&ps)) &&
		    ((rc = parse_tag(&ps, g.mysql.tag)) != 0 ||
		     (rc = expect(&ps, ':', "expected ':' after the tag")) !=
		         0))
			return rc;
		if ((rc = parse_gno(&ps, &g.mysql.gno)) != 0)
			return rc;
	} else if ((rc = parse_mariadb_triple(&ps, &g)) != 0) {
		return rc;
	}
	skip_ws(&ps);
	if (peek(&ps) >= 0)
		return fail_at(&ps, ps.pos, "unexpected text after the GTID");
	*out = g;
	return 0;
}

static int parse_elems(struct parser *ps, struct gtid_set *s)
{
	int rc;

	for (;;) {
		if (s->flavour == GTID_MYSQL) {
			rc = parse_mysql_elem(ps, s);
		} else {
			struct gtid g;

			rc = parse_mariadb_triple(ps, &g);
			if (rc == 0 && domain_put(s, g.mariadb.domain_id,
			                          g.mariadb.server_id,
			                          g.mariadb.seq_no) != 0)
				rc = oom(ps->err);
		}
		if (rc != 0)
			return rc;
		skip_ws(ps);
		if (peek(ps) < 0)
			return 0;
		if ((rc = expect(ps, ',', "expected ',' or the end")) != 0)
			return rc;
		skip_ws(ps);
	}
}

int gtid_set_parse(struct gtid_set *s, const char *text, size_t len,
                   struct sl_err *err)
{
	struct parser ps = {text, len, 0, "gtid set", err};
	struct gtid_set tmp;
	enum gtid_flavour f;
	int rc;

	skip_ws(&ps);
	if (peek(&ps) < 0)
		return 0;
	f = detect_flavour(&ps);
	if (s->flavour != GTID_ANY && s->flavour != f)
		return fail_at(&ps, ps.pos,
		               "a %s GTID set where a %s one is "
		               "expected",
		               flavour_names[f], flavour_names[s->flavour]);
	set_init(&tmp, f);
	rc = parse_elems(&ps, &tmp);
	if (rc == 0) {
		if (gtid_set_is_empty(s)) {
			set_swap(s, &tmp);
		} else {
			rc = gtid_set_union(s, &tmp, err);
		}
	}
	set_deinit(&tmp);
	return rc;
}

/*
 * Text output
 */

void gtid_format(const struct gtid *g, struct sbuf *out)
{
	if (g->flavour == GTID_MARIADB) {
		sbuf_u64(out, g->mariadb.domain_id);
		sbuf_putc(out, '-');
		sbuf_u64(out, g->mariadb.server_id);
		sbuf_putc(out, '-');
		sbuf_u64(out, g->mariadb.seq_no);
		return;
	}
	put_uuid(out, g->mysql.uuid);
	sbuf_putc(out, ':');
	for (size_t i = 0; i < GTID_TAG_MAX && g->mysql.tag[i]; i++)
		sbuf_putc(out, lower(g->mysql.tag[i]));
	if (g->mysql.tag[0] != '\0')
		sbuf_putc(out, ':');
	sbuf_u64(out, g->mysql.gno);
}

void gtid_set_format(const struct gtid_set *s, struct sbuf *out)
{
	for (size_t i = 0; i < s->n_dom; i++) {
		if (i > 0)
			sbuf_putc(out, ',');
		sbuf_u64(out, s->dom[i].domain_id);
		sbuf_putc(out, '-');
		sbuf_u64(out, s->dom[i].server_id);
		sbuf_putc(out, '-');
		sbuf_u64(out, s->dom[i].seq_no);
	}
	for (size_t i = 0; i < s->n_ts; i++) {
		const struct tsid *t = &s->ts[i];

		/* Tsids of one UUID are adjacent, untagged first. */
		if (i == 0 || memcmp(t->uuid, t[-1].uuid, GTID_UUID_LEN) != 0) {
			if (i > 0)
				sbuf_putc(out, ',');
			put_uuid(out, t->uuid);
		}
		if (t->tag[0] != '\0') {
			sbuf_putc(out, ':');
			sbuf_puts(out, t->tag);
		}
		for (size_t j = 0; j < t->n_iv; j++) {
			sbuf_putc(out, ':');
			sbuf_u64(out, t->iv[j].first);
			if (t->iv[j].last != t->iv[j].first) {
				sbuf_putc(out, '-');
				sbuf_u64(out, t->iv[j].last);
			}
		}
	}
}

/*
 * Binary forms
 */

struct reader {
	const uint8_t *p;
	size_t len;
	size_t off;
	const char *what;
	struct sl_err *err;
};

__attribute__((format(printf, 3, 4))) static int
bad_bytes(struct reader *r, size_t off, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap); /* cut to fit */
	va_end(ap);
	return sl_err_set(r->err, SL_EPROTO, "%s: at byte %zu of %zu: %s",
	                  r->what, off, r->len, why);
}

static size_t left(const struct reader *r)
{
	return r->len - r->off;
}

static int read_u64(struct reader *r, const char *name, uint64_t *v)
{
	if (left(r) < 8)
		return bad_bytes(r, r->off, "%s cut short", name);
	*v = get_u64le(r->p + r->off);
	r->off += 8;
	return 0;
}

/* Unsigned integer in mysql::serialization's variable-length form: the
 * count of low 1-bits in the first byte is the number of extra bytes;
 * the value sits above those marker bits (9 bytes: the last 8 bytes). */
static int read_varlen(struct reader *r, const char *name, uint64_t *v)
{
	unsigned extra = 0;
	uint8_t b0;

	if (left(r) < 1)
		return bad_bytes(r, r->off, "%s cut short", name);
	b0 = r->p[r->off];
	while (extra < 8 && (b0 >> extra) & 1)
		extra++;
	if (left(r) < 1 + (size_t)extra)
		return bad_bytes(r, r->off, "%s cut short", name);
	if (extra == 8)
		*v = get_u64le(r->p + r->off + 1);
	else
		*v = get_uintle(r->p + r->off, extra + 1) >> (extra + 1);
	r->off += 1 + extra;
	return 0;
}

static int decode_mysql_body(struct reader *r, struct gtid_set *s)
{
	uint64_t n_sids;
	bool tagged;
	size_t min_sid;
	int rc;

	if (left(r) < 8)
		return bad_bytes(r, 0, "SID count cut short");
	if (r->p[7] == 0) {
		tagged = false;
		n_sids = get_u64le(r->p);
	} else if (r->p[7] == 1 && r->p[0] == 1) {
		tagged = true;
		n_sids = get_u48le(r->p + 1);
	} else {
		return bad_bytes(r, 0, "unknown GTID set format %u", r->p[0]);
	}
	r->off = 8;
	min_sid = GTID_UUID_LEN + 8 + (tagged ? 1 : 0);
	if (n_sids > left(r) / min_sid)
		return bad_bytes(r, 0, "%llu SIDs cannot fit",
		                 (unsigned long long)n_sids);
	for (uint64_t k = 0; k < n_sids; k++) {
		uint8_t uuid[GTID_UUID_LEN];
		char tag[GTID_TAG_MAX + 1] = "";
		uint64_t n_iv = 0, tag_len = 0;
		size_t at;

		if (left(r) < GTID_UUID_LEN)
			return bad_bytes(r, r->off, "UUID cut short");
		memcpy(uuid, r->p + r->off, GTID_UUID_LEN);
		r->off += GTID_UUID_LEN;
		if (tagged) {
			at = r->off;
			if ((rc = read_varlen(r, "tag length", &tag_len)) != 0)
				return rc;
			if (tag_len > left(r))
				return bad_bytes(r, at, "tag cut short");
			if (!norm_tag((const char *)r->p + r->off,
			              (size_t)tag_len, tag))
				return bad_bytes(r, at, "invalid tag");
			r->off += (size_t)tag_len;
		}
		at = r->off;
		if ((rc = read_u64(r, "interval count", &n_iv)) != 0)
			return rc;
		if (n_iv > left(r) / 16)
			return bad_bytes(r, at, "%llu intervals cannot fit",
			                 (unsigned long long)n_iv);
		for (uint64_t i = 0; i < n_iv; i++) {
			uint64_t start = get_u64le(r->p + r->off);
			uint64_t end = get_u64le(r->p + r->off + 8);

			if (start < 1 || end <= start || end > GTID_MAX_GNO + 1)
				return bad_bytes(r, r->off,
				                 "bad interval [%llu, %llu)",
				                 (unsigned long long)start,
				                 (unsigned long long)end);
			if (mysql_add_range(s, uuid, tag, start, end - 1) != 0)
				return oom(r->err);
			r->off += 16;
		}
	}
	if (left(r) != 0)
		return bad_bytes(r, r->off, "%zu bytes after the set", left(r));
	return 0;
}

/* Decodes into a scratch set, then merges into s: s is untouched on
 * error. */
static int decode_into(struct gtid_set *s, enum gtid_flavour f,
                       struct reader *r,
                       int (*body)(struct reader *, struct gtid_set *))
{
	struct gtid_set tmp;
	int rc;

	if (s->flavour != GTID_ANY && s->flavour != f)
		return sl_err_set(r->err, SL_EINVAL,
		                  "%s: cannot decode into a %s set", r->what,
		                  flavour_names[s->flavour]);
	set_init(&tmp, f);
	rc = body(r, &tmp);
	if (rc == 0) {
		if (gtid_set_is_empty(s)) {
			set_swap(s, &tmp);
		} else {
			rc = gtid_set_union(s, &tmp, r->err);
		}
	}
	set_deinit(&tmp);
	return rc;
}

int gtid_set_decode_mysql(struct gtid_set *s, const uint8_t *p, size_t len,
                          struct sl_err *err)
{
	struct reader r = {p, len, 0, "binary GTID set", err};

	return decode_into(s, GTID_MYSQL, &r, decode_mysql_body);
}

static int decode_mariadb_body(struct reader *r, struct gtid_set *s)
{
	uint32_t count;

	if (left(r) < 4)
		return bad_bytes(r, 0, "GTID count cut short");
	count = get_u32le(r->p) & 0x0fffffffu;
	r->off = 4;
	if (left(r) / 16 < count)
		return bad_bytes(r, 0, "%u GTIDs cannot fit", count);
	for (uint32_t i = 0; i < count; i++, r->off += 16) {
		const uint8_t *q = r->p + r->off;

		if (domain_put(s, get_u32le(q), get_u32le(q + 4),
		               get_u64le(q + 8)) != 0)
			return oom(r->err);
	}
	/* Bytes after the list are ignored, as the server does (10.5 wrote
	 * two after an empty list). */
	return 0;
}

int gtid_set_decode_mariadb(struct gtid_set *s, const uint8_t *p, size_t len,
                            struct sl_err *err)
{
	struct reader r = {p, len, 0, "GTID_LIST", err};

	return decode_into(s, GTID_MARIADB, &r, decode_mariadb_body);
}

int gtid_set_encode_mysql(const struct gtid_set *s, struct sbuf *out,
                          struct sl_err *err)
{
	bool tagged = false;

	if (s->flavour == GTID_MARIADB)
		return sl_err_set(err, SL_EINVAL,
		                  "gtid set: a MariaDB set has no MySQL "
		                  "binary form");
	for (size_t i = 0; i < s->n_ts; i++)
		tagged |= s->ts[i].tag[0] != '\0';
	if (tagged) {
		/* Format byte 1 at both ends, the count in between. */
		put_u64le(out, 1 | ((uint64_t)s->n_ts << 8) | (1ull << 56));
	} else {
		put_u64le(out, s->n_ts);
	}
	for (size_t i = 0; i < s->n_ts; i++) {
		const struct tsid *t = &s->ts[i];

		sbuf_put(out, t->uuid, GTID_UUID_LEN);
		if (tagged) {
			size_t n = strlen(t->tag);

			/* One-byte varlen: n <= 32 fits in 7 bits. */
			sbuf_putc(out, (char)(n << 1));
			sbuf_put(out, t->tag, n);
		}
		put_u64le(out, t->n_iv);
		for (size_t j = 0; j < t->n_iv; j++) {
			put_u64le(out, t->iv[j].first);
			put_u64le(out, t->iv[j].last + 1);
		}
	}
	if (!sbuf_ok(out))
		return oom(err);
	return 0;
}

/*
 * Lifecycle
 */

struct gtid_set *gtid_set_new(enum gtid_flavour flavour)
{
	struct gtid_set *s = sl_malloc(sizeof(*s));

	if (s != NULL)
		set_init(s, flavour);
	return s;
}

void gtid_set_free(struct gtid_set *s)
{
	if (s == NULL)
		return;
	set_deinit(s);
	sl_free(s);
}

struct gtid_set *gtid_set_dup(const struct gtid_set *s)
{
	struct gtid_set *d = gtid_set_new(s->flavour);

	if (d != NULL && gtid_set_union(d, s, NULL) != 0) {
		gtid_set_free(d);
		return NULL;
	}
	return d;
}

void gtid_set_clear(struct gtid_set *s)
{
	for (size_t i = 0; i < s->n_ts; i++)
		sl_free(s->ts[i].iv);
	s->n_ts = 0;
	s->n_dom = 0;
	s->hint = 0;
}

enum gtid_flavour gtid_set_flavour(const struct gtid_set *s)
{
	return s->flavour;
}

bool gtid_set_is_empty(const struct gtid_set *s)
{
	return s->n_ts == 0 && s->n_dom == 0;
}

/*
 * Set algebra
 */

int gtid_set_add(struct gtid_set *s, const struct gtid *g, struct sl_err *err)
{
	char tag[GTID_TAG_MAX + 1];
	struct tsid *t;
	int rc;

	if (g->flavour != GTID_MYSQL && g->flavour != GTID_MARIADB)
		return sl_err_set(err, SL_EINVAL, "gtid: bad flavour %d",
		                  (int)g->flavour);
	if ((rc = adopt_flavour(s, g->flavour, err)) != 0)
		return rc;
	if (g->flavour == GTID_MARIADB) {
		if (domain_put(s, g->mariadb.domain_id, g->mariadb.server_id,
		               g->mariadb.seq_no) != 0)
			return oom(err);
		return 0;
	}
	if (g->mysql.gno < 1 || g->mysql.gno > GTID_MAX_GNO)
		return sl_err_set(err, SL_EINVAL, "gtid: gno %llu out of range",
		                  (unsigned long long)g->mysql.gno);
	if (!norm_tag(g->mysql.tag, strnlen(g->mysql.tag, GTID_TAG_MAX + 1),
	              tag))
		return sl_err_set(err, SL_EINVAL, "gtid: invalid tag \"%.*s\"",
		                  GTID_TAG_MAX, g->mysql.tag);
	/* Hot path: the hinted tsid, next gno. */
	if (s->hint < s->n_ts) {
		t = &s->ts[s->hint];
		if (t->iv[t->n_iv - 1].last + 1 == g->mysql.gno &&
		    tsid_cmp(t, g->mysql.uuid, tag) == 0) {
			t->iv[t->n_iv - 1].last = g->mysql.gno;
			return 0;
		}
	}
	if (mysql_add_range(s, g->mysql.uuid, tag, g->mysql.gno,
	                    g->mysql.gno) != 0)
		return oom(err);
	return 0;
}

bool gtid_set_contains(const struct gtid_set *s, const struct gtid *g)
{
	char tag[GTID_TAG_MAX + 1];
	bool found;
	size_t i;

	if (g->flavour != s->flavour)
		return false;
	if (g->flavour == GTID_MARIADB) {
		i = find_domain(s, g->mariadb.domain_id, &found);
		return found && g->mariadb.seq_no <= s->dom[i].seq_no;
	}
	if (!norm_tag(g->mysql.tag, strnlen(g->mysql.tag, GTID_TAG_MAX + 1),
	              tag))
		return false;
	i = find_tsid(s, g->mysql.uuid, tag, &found);
	return found && ivals_contain(&s->ts[i], g->mysql.gno);
}

int gtid_set_union(struct gtid_set *a, const struct gtid_set *b,
                   struct sl_err *err)
{
	int rc;

	if ((rc = adopt_flavour(a, b->flavour, err)) != 0)
		return rc;
	if (a == b)
		return 0;
	for (size_t i = 0; i < b->n_dom; i++) {
		const struct domain *d = &b->dom[i];

		if (domain_put(a, d->domain_id, d->server_id, d->seq_no) != 0)
			return oom(err);
	}
	for (size_t i = 0; i < b->n_ts; i++) {
		const struct tsid *tb = &b->ts[i];
		struct tsid *ta;

		if (tb->n_iv == 0)
			continue;
		ta = get_tsid(a, tb->uuid, tb->tag);
		if (ta == NULL)
			return oom(err);
		if (ivals_union(ta, tb->iv, tb->n_iv) != 0) {
			drop_if_empty(a, ta);
			return oom(err);
		}
	}
	return 0;
}

int gtid_set_subtract(struct gtid_set *a, const struct gtid_set *b,
                      struct sl_err *err)
{
	if (a->flavour != b->flavour && a->flavour != GTID_ANY &&
	    b->flavour != GTID_ANY)
		return sl_err_set(err, SL_EINVAL,
		                  "gtid set: cannot subtract a %s set from a "
		                  "%s set",
		                  flavour_names[b->flavour],
		                  flavour_names[a->flavour]);
	if (a == b) {
		gtid_set_clear(a);
		return 0;
	}
	/* Walk backwards so removals do not shift what is left to visit. */
	for (size_t i = a->n_dom; i-- > 0;) {
		bool found;
		size_t j = find_domain(b, a->dom[i].domain_id, &found);

		if (found && b->dom[j].seq_no >= a->dom[i].seq_no) {
			memmove(a->dom + i, a->dom + i + 1,
			        (a->n_dom - i - 1) * sizeof(*a->dom));
			a->n_dom--;
		}
	}
	for (size_t i = a->n_ts; i-- > 0;) {
		struct tsid *ta = &a->ts[i];
		bool found;
		size_t j = find_tsid(b, ta->uuid, ta->tag, &found);

		if (!found)
			continue;
		if (ivals_subtract(ta, b->ts[j].iv, b->ts[j].n_iv) != 0)
			return oom(err);
		drop_if_empty(a, ta);
	}
	return 0;
}

bool gtid_set_equal(const struct gtid_set *a, const struct gtid_set *b)
{
	if (a->n_dom != b->n_dom || a->n_ts != b->n_ts)
		return false;
	if (gtid_set_is_empty(a))
		return true;
	if (a->flavour != b->flavour)
		return false;
	if (a->n_dom > 0 &&
	    memcmp(a->dom, b->dom, a->n_dom * sizeof(*a->dom)) != 0)
		return false;
	for (size_t i = 0; i < a->n_ts; i++) {
		const struct tsid *x = &a->ts[i], *y = &b->ts[i];

		if (tsid_cmp(x, y->uuid, y->tag) != 0 || x->n_iv != y->n_iv ||
		    memcmp(x->iv, y->iv, x->n_iv * sizeof(*x->iv)) != 0)
			return false;
	}
	return true;
}

bool gtid_set_is_subset(const struct gtid_set *a, const struct gtid_set *b)
{
	if (gtid_set_is_empty(a))
		return true;
	if (a->flavour != b->flavour)
		return false;
	for (size_t i = 0; i < a->n_dom; i++) {
		bool found;
		size_t j = find_domain(b, a->dom[i].domain_id, &found);

		if (!found || b->dom[j].seq_no < a->dom[i].seq_no)
			return false;
	}
	for (size_t i = 0; i < a->n_ts; i++) {
		const struct tsid *ta = &a->ts[i];
		bool found;
		size_t j = find_tsid(b, ta->uuid, ta->tag, &found);

		if (!found || !ivals_subset(ta, &b->ts[j]))
			return false;
	}
	return true;
}
