/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/config.c: job file parsing and validation (see config.h).
 * libyaml's document API builds the node tree (an alias shares its node,
 * so nothing is expanded twice).  One function per section walks its
 * mapping against a table of known keys, reads each value with ${VAR}
 * expansion and checks it, recording every mistake with the place of the
 * node at fault instead of stopping at the first; rules that join several
 * keys (tls pairs, start mode) run once their section is read.  The list
 * is sorted by place at the end, so it reads in file order.
 * Secrets: the secret keys are read by get_str alone, whose messages name
 * the key and never the text; values are quoted in messages only by the
 * checks of non-secret keys.  Scalars are wiped before libyaml frees them.
 */
#include "config.h"

#include "err.h"
#include "gtid.h"
#include "mem.h"
#include "sbuf.h"

#include <yaml.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_KEYS  16 /* known keys of one mapping */
#define PATH_CAP  96 /* "target.hosts[12]" */
#define QUOTE_CAP 80
#define VAR_MAX   127 /* characters of a variable name */

struct pos {
	unsigned line; /* from 1; 0: no place */
	unsigned col;
};

struct ctx {
	const char *file;
	yaml_document_t *doc;
	struct job_config_errors *errs;
	bool oom;
};

/* The known keys of one mapping that the file gives. */
struct seen {
	const yaml_node_t *key[MAX_KEYS]; /* NULL: not given */
	const yaml_node_t *val[MAX_KEYS]; /* NULL: not given, or null */
};

struct tier {
	const char *name;
	unsigned workers;
	unsigned batch;
	unsigned ring; /* items per worker ring */
};

/* TiDB Cloud publishes 10k, 20k, 40k and 80k rows/s of incremental
 * rate for these; docs/BENCHMARKS.md has what each sustains here. */
static const struct tier tiers[] = {
    {"2rcu", 4, 256, 4096},
    {"4rcu", 8, 256, 8192},
    {"8rcu", 16, 512, 8192},
    {"16rcu", 32, 512, 8192},
};

static const char *const tls_modes[] = {
    [CONFIG_TLS_DISABLED] = "disabled",
    [CONFIG_TLS_PREFERRED] = "preferred",
    [CONFIG_TLS_REQUIRED] = "required",
    [CONFIG_TLS_VERIFY_CA] = "verify-ca",
    [CONFIG_TLS_VERIFY_IDENTITY] = "verify-identity",
};
static const char *const start_modes[] = {
    [CONFIG_START_NOW] = "now",
    [CONFIG_START_GTID] = "gtid",
    [CONFIG_START_POSITION] = "position",
};
static const char *const conflict_names[] = {
    [CONFIG_CONFLICT_FAIL] = "fail",
    [CONFIG_CONFLICT_REPLACE] = "replace",
};
static const char *const missing_names[] = {
    [CONFIG_MISSING_FAIL] = "fail",
    [CONFIG_MISSING_WARN] = "warn",
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The mistake list
 */

void job_config_errors_init(struct job_config_errors *e)
{
	e->n = 0;
	e->v = NULL;
	e->cap = 0;
}

void job_config_errors_deinit(struct job_config_errors *e)
{
	for (size_t i = 0; i < e->n; i++)
		sl_free(e->v[i].msg);
	sl_free(e->v);
	job_config_errors_init(e);
}

static int errors_add(struct job_config_errors *e, struct pos p,
                      const char *msg)
{
	char *m;

	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 8;
		struct job_config_error *v = sl_realloc(e->v, cap * sizeof(*v));

		if (v == NULL)
			return SL_ENOMEM;
		e->v = v;
		e->cap = cap;
	}
	m = sl_strndup(msg, strlen(msg));
	if (m == NULL)
		return SL_ENOMEM;
	e->v[e->n].line = p.line;
	e->v[e->n].column = p.col;
	e->v[e->n].msg = m;
	e->v[e->n].seq = e->n;
	e->n++;
	return 0;
}

/* Drops the messages from index n0 on (after an allocation failure). */
static void errors_truncate(struct job_config_errors *e, size_t n0)
{
	while (e->n > n0)
		sl_free(e->v[--e->n].msg);
}

static int error_cmp(const void *pa, const void *pb)
{
	const struct job_config_error *a = pa, *b = pb;

	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->column != b->column)
		return a->column < b->column ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

__attribute__((format(printf, 3, 4))) static void
report(struct ctx *x, struct pos p, const char *fmt, ...)
{
	char body[768];
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	if (p.line > 0)
		snprintf(line, sizeof(line), "%s:%u:%u: %s", x->file, p.line,
		         p.col, body);
	else
		snprintf(line, sizeof(line), "%s: %s", x->file, body);
	if (errors_add(x->errs, p, line) != 0)
		x->oom = true;
}

/*
 * Small helpers
 */

/* Copies s[0..len) into buf[QUOTE_CAP] as a double-quoted, one-line and
 * maybe shortened string for a message.  Never called on a secret. */
static const char *quote(char *buf, const char *s, size_t len)
{
	size_t o = 0;

	buf[o++] = '"';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		/* Cut before a character, not inside one (UTF-8). */
		if ((o + 10 > QUOTE_CAP && (c & 0xc0) != 0x80) ||
		    o + 6 > QUOTE_CAP) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(buf + o, QUOTE_CAP - o, "\\x%02x",
			                      c);
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

static const char *quote_str(char *buf, const char *s)
{
	return quote(buf, s, strlen(s));
}

static struct pos node_pos(const yaml_node_t *n)
{
	struct pos p = {(unsigned)n->start_mark.line + 1,
	                (unsigned)n->start_mark.column + 1};

	return p;
}

/* The place of byte `off` of scalar n's value.  Exact when the value is
 * written as is on one line (plain, or quoted without escapes) and is
 * ASCII; otherwise the place of the scalar. */
static struct pos scalar_pos(const yaml_node_t *n, size_t off)
{
	struct pos p = node_pos(n);
	const unsigned char *v = n->data.scalar.value;
	size_t len = n->data.scalar.length;
	size_t q;

	switch (n->data.scalar.style) {
	case YAML_PLAIN_SCALAR_STYLE: q = 0; break;
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE: q = 1; break;
	default: return p;
	}
	if (n->start_mark.line != n->end_mark.line ||
	    n->end_mark.index - n->start_mark.index != len + 2 * q)
		return p;
	for (size_t i = 0; i < len; i++)
		if (v[i] >= 0x80)
			return p;
	p.col += (unsigned)(q + off);
	return p;
}

static const yaml_node_t *node_get(struct ctx *x, int i)
{
	return yaml_document_get_node(x->doc, i);
}

static const char *kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	default: return "a single value";
	}
}

/* A plain empty, "~" or "null" value: YAML's null, taken as "not given". */
static bool is_null(const yaml_node_t *n)
{
	const char *v = (const char *)n->data.scalar.value;
	size_t len;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	len = n->data.scalar.length;
	return len == 0 || (len == 1 && v[0] == '~') ||
	       (len == 4 &&
	        (memcmp(v, "null", 4) == 0 || memcmp(v, "Null", 4) == 0 ||
	         memcmp(v, "NULL", 4) == 0));
}

static void join(char *out, const char *path, const char *key)
{
	if (path[0] != '\0')
		snprintf(out, PATH_CAP, "%s.%s", path, key);
	else
		snprintf(out, PATH_CAP, "%s", key);
}

/* "a, b, c" into out[cap]. */
static const char *list_names(char *out, size_t cap, const char *const *v,
                              size_t n)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && o < cap; i++)
		o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? ", " : "",
		                      v[i]);
	return out;
}

static char fold(char c)
{
	if (c >= 'A' && c <= 'Z')
		return (char)(c - 'A' + 'a');
	return c == '_' ? '-' : c;
}

/* Edit distance with transpositions (optimal string alignment) between
 * a and b, letters folded to lowercase and '_' to '-'. */
static size_t distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t d[33][33];

	if (la > 32 || lb > 32)
		return SIZE_MAX;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = fold(a[i - 1]) != fold(b[j - 1]);
			size_t v = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 &&
			    fold(a[i - 1]) == fold(b[j - 2]) &&
			    fold(a[i - 2]) == fold(b[j - 1]) &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

/* The known name closest to s[0..len), if close enough to be a typo. */
static const char *closest(const char *s, size_t len, const char *const *v,
                           size_t n)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX;

	for (size_t i = 0; i < n; i++) {
		size_t kl = strlen(v[i]);
		size_t d = distance(s, len, v[i], kl);
		size_t limit = kl <= 4 ? 1 : kl <= 8 ? 2 : 3;

		if (d <= limit && d < best_d) {
			best = v[i];
			best_d = d;
		}
	}
	return best;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

static bool has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static char *dup_str(struct ctx *x, const char *s)
{
	char *d = sl_strndup(s, strlen(s));

	if (d == NULL)
		x->oom = true;
	return d;
}

/* Frees s after overwriting it, for secrets. */
static void wipe_free(char *s)
{
	if (s != NULL)
		explicit_bzero(s, strlen(s));
	sl_free(s);
}

/*
 * Reading values
 */

static bool var_name_ok(const char *s, size_t len)
{
	if (len == 0 || len > VAR_MAX || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

/* One pass of expand: writes at most cap bytes to o (NULL: count only)
 * and returns the expanded length, or SIZE_MAX after reporting a mistake
 * (reports only when `check`; a variable unset by then reads as ""). */
static size_t expand_pass(struct ctx *x, const yaml_node_t *n, const char *path,
                          char *o, size_t cap, bool check)
{
	const char *s = (const char *)n->data.scalar.value;
	size_t len = n->data.scalar.length;
	size_t w = 0;

	for (size_t i = 0; i < len;) {
		const char *piece = s + i;
		size_t plen = 1;

		if (s[i] == '$' && i + 2 < len && s[i + 1] == '$' &&
		    s[i + 2] == '{') {
			piece = "${";
			plen = 2;
			i += 3;
		} else if (s[i] == '$' && i + 1 < len && s[i + 1] == '{') {
			const char *name = s + i + 2;
			const char *end = memchr(name, '}', len - i - 2);
			char var[VAR_MAX + 1];
			size_t nl;

			if (end == NULL) {
				if (check)
					report(
					    x, scalar_pos(n, i),
					    "%s: \"${\" has no closing \"}\" "
					    "(write $${ for a literal ${)",
					    path);
				return SIZE_MAX;
			}
			nl = (size_t)(end - name);
			/* The text between the braces is not quoted: it
			 * may be part of a secret. */
			if (!var_name_ok(name, nl)) {
				if (check)
					report(x, scalar_pos(n, i),
					       "%s: \"${...}\" must hold an "
					       "environment variable name "
					       "(letters, digits and '_', not "
					       "starting with a digit; $${ is "
					       "a literal ${)",
					       path);
				return SIZE_MAX;
			}
			memcpy(var, name, nl);
			var[nl] = '\0';
			piece = getenv(var);
			if (piece == NULL) {
				if (check) {
					report(x, scalar_pos(n, i),
					       "%s: environment variable %s is "
					       "not set",
					       path, var);
					return SIZE_MAX;
				}
				piece = "";
			}
			plen = strlen(piece);
			i = (size_t)(end - s) + 1;
		} else {
			i++;
		}
		if (o != NULL) {
			if (plen > cap - w)
				plen = cap - w;
			memcpy(o + w, piece, plen);
		}
		w += plen;
	}
	return w;
}

/* The value of scalar n with each ${NAME} replaced by the environment's
 * NAME, in *out (sl_malloc; the caller frees).  0, or -1 after reporting
 * (or with x->oom set). */
static int expand(struct ctx *x, const yaml_node_t *n, const char *path,
                  char **out)
{
	size_t need, w;
	char *o;

	*out = NULL;
	if (memchr(n->data.scalar.value, '\0', n->data.scalar.length) != NULL) {
		report(x, node_pos(n), "%s contains a NUL character", path);
		return -1;
	}
	/* Sized first, so that a secret is never left behind by a realloc. */
	need = expand_pass(x, n, path, NULL, 0, true);
	if (need == SIZE_MAX)
		return -1;
	o = sl_malloc(need + 1);
	if (o == NULL) {
		x->oom = true;
		return -1;
	}
	w = expand_pass(x, n, path, o, need, false);
	o[w < need ? w : need] = '\0';
	*out = o;
	return 0;
}

/* A single value as text (what: "text", "a host name", ...). */
static int get_str(struct ctx *x, const yaml_node_t *n, const char *path,
                   const char *what, char **out)
{
	if (n->type != YAML_SCALAR_NODE) {
		report(x, node_pos(n), "%s must be %s, not %s", path, what,
		       kind(n));
		*out = NULL;
		return -1;
	}
	return expand(x, n, path, out);
}

/* Text that must not be empty nor hold control characters; replaces
 * *dst.  Not for secrets (the value is quoted). */
static int get_name(struct ctx *x, const yaml_node_t *n, const char *path,
                    const char *what, char **dst)
{
	char q[QUOTE_CAP];
	char *s;

	if (get_str(x, n, path, what, &s) != 0)
		return -1;
	if (s[0] == '\0') {
		report(x, node_pos(n), "%s is empty", path);
	} else if (has_control(s)) {
		report(x, node_pos(n), "%s %s contains a control character",
		       path, quote_str(q, s));
	} else {
		sl_free(*dst);
		*dst = s;
		return 0;
	}
	sl_free(s);
	return -1;
}

static int get_uint(struct ctx *x, const yaml_node_t *n, const char *path,
                    uint64_t min, uint64_t max, uint64_t *out)
{
	char q[QUOTE_CAP];
	uint64_t v = 0;
	char *s;
	bool ok;

	if (n->type != YAML_SCALAR_NODE) {
		report(x, node_pos(n), "%s must be a number, not %s", path,
		       kind(n));
		return -1;
	}
	if (expand(x, n, path, &s) != 0)
		return -1;
	ok = parse_u64(s, &v) && v >= min && v <= max;
	if (!ok && max == UINT64_MAX)
		report(x, node_pos(n),
		       "%s %s must be a whole number of at least %llu", path,
		       quote_str(q, s), (unsigned long long)min);
	else if (!ok)
		report(x, node_pos(n),
		       "%s %s must be a whole number from %llu to %llu", path,
		       quote_str(q, s), (unsigned long long)min,
		       (unsigned long long)max);
	sl_free(s);
	if (!ok)
		return -1;
	*out = v;
	return 0;
}

/* One of names[] (case and '_' / '-' do not matter); its index in *out. */
static int get_enum(struct ctx *x, const yaml_node_t *n, const char *path,
                    const char *const *names, size_t n_names, int *out)
{
	char q[QUOTE_CAP];
	char all[256];
	char *s;

	if (n->type != YAML_SCALAR_NODE) {
		report(x, node_pos(n), "%s must be one of %s, not %s", path,
		       list_names(all, sizeof(all), names, n_names), kind(n));
		return -1;
	}
	if (expand(x, n, path, &s) != 0)
		return -1;
	for (size_t i = 0; i < n_names; i++) {
		size_t len = strlen(names[i]);

		if (strlen(s) == len && distance(s, len, names[i], len) == 0) {
			*out = (int)i;
			sl_free(s);
			return 0;
		}
	}
	report(x, node_pos(n), "%s %s is not one of: %s", path, quote_str(q, s),
	       list_names(all, sizeof(all), names, n_names));
	sl_free(s);
	return -1;
}

/*
 * Mappings
 */

/* Records the known keys of map in *sn; reports unknown, duplicate and
 * non-text keys.  path is "" at the top. */
static void walk_map(struct ctx *x, const yaml_node_t *map, const char *path,
                     const char *const *keys, size_t n_keys, struct seen *sn)
{
	memset(sn, 0, sizeof(*sn));
	for (const yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = node_get(x, p->key);
		const yaml_node_t *v = node_get(x, p->value);
		const char *ks;
		size_t kl, i;
		char q[QUOTE_CAP];
		char full[PATH_CAP];

		if (k == NULL || v == NULL)
			continue;
		if (k->type != YAML_SCALAR_NODE) {
			report(x, node_pos(k), "%s%skeys must be names, not %s",
			       path, path[0] ? ": " : "", kind(k));
			continue;
		}
		ks = (const char *)k->data.scalar.value;
		kl = k->data.scalar.length;
		for (i = 0; i < n_keys; i++)
			if (strlen(keys[i]) == kl &&
			    memcmp(keys[i], ks, kl) == 0)
				break;
		if (i == n_keys) {
			const char *hint = closest(ks, kl, keys, n_keys);
			char all[256];

			quote(q, ks, kl);
			if (hint != NULL)
				report(x, node_pos(k),
				       "unknown key %s%s%s; did you mean "
				       "\"%s\"?",
				       q, path[0] ? " in " : "", path, hint);
			else
				report(
				    x, node_pos(k),
				    "unknown key %s%s%s (known keys: %s)", q,
				    path[0] ? " in " : "", path,
				    list_names(all, sizeof(all), keys, n_keys));
			continue;
		}
		join(full, path, keys[i]);
		if (sn->key[i] != NULL) {
			struct pos first = node_pos(sn->key[i]);

			report(x, node_pos(k),
			       "%s is given twice (first at %u:%u)", full,
			       first.line, first.col);
			continue;
		}
		sn->key[i] = k;
		sn->val[i] = is_null(v) ? NULL : v;
	}
}

/* Reports a required key that has no value: missing from the mapping at
 * `where`, or given empty. */
static void missing(struct ctx *x, const struct seen *sn, int i,
                    struct pos where, const char *path)
{
	if (sn->key[i] != NULL)
		report(x, node_pos(sn->key[i]), "%s has no value", path);
	else
		report(x, where, "%s is missing", path);
}

static bool want_map(struct ctx *x, const yaml_node_t *n, const char *path,
                     const char *const *keys, size_t n_keys)
{
	char all[256];

	if (n->type == YAML_MAPPING_NODE)
		return true;
	report(x, node_pos(n), "%s must be a mapping (keys %s), not %s", path,
	       list_names(all, sizeof(all), keys, n_keys), kind(n));
	return false;
}

/*
 * Checks of single values: NULL when fine, else why not
 */

static const char *name_problem(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > CONFIG_NAME_MAX ||
	    !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return "bad";
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return "bad";
	}
	return NULL;
}

static const char *host_problem(const char *h, size_t len)
{
	if (len == 0)
		return "has an empty host";
	if (len > 255)
		return "has a host longer than 255 characters";
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)h[i];

		if (c <= ' ' || c == 0x7f)
			return "has a space or control character";
		if (c == '/' || c == '[' || c == ']' || c == ',')
			return "has a character that no host name or address "
			       "holds";
	}
	return NULL;
}

/* Splits "host", "host:port", "[v6]", "[v6]:port" or a bare IPv6 address
 * (two or more ':', no port).  NULL and *host (sl_malloc) and *port set,
 * or why not (*host NULL; also on OOM, with x->oom set). */
static const char *split_endpoint(struct ctx *x, const char *s, bool need_port,
                                  uint16_t def_port, char **host,
                                  uint16_t *port)
{
	const char *h = s, *ps = NULL, *why;
	size_t hl;
	uint64_t v;

	*host = NULL;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL)
			return "has '[' without ']'";
		h = s + 1;
		hl = (size_t)(close - h);
		if (close[1] == ':')
			ps = close + 2;
		else if (close[1] != '\0')
			return "has text after ']' (write [ADDRESS]:PORT)";
	} else {
		const char *colon = strchr(s, ':');

		hl = strlen(s);
		if (colon != NULL && strchr(colon + 1, ':') == NULL) {
			hl = (size_t)(colon - s);
			ps = colon + 1;
		}
	}
	if ((why = host_problem(h, hl)) != NULL)
		return why;
	if (ps != NULL) {
		if (!parse_u64(ps, &v) || v < 1 || v > 65535)
			return "has a port that is not a number from 1 to "
			       "65535";
		*port = (uint16_t)v;
	} else if (need_port) {
		return "has no port (write HOST:PORT)";
	} else {
		*port = def_port;
	}
	*host = sl_strndup(h, hl);
	if (*host == NULL)
		x->oom = true;
	return NULL;
}

static const char *pattern_problem(const char *p)
{
	const char *dot = strchr(p, '.');

	if (has_control(p))
		return "contains a control character";
	if (dot == NULL)
		return "must be \"database.table\" (\"db.*\" takes every "
		       "table of db)";
	if (strchr(dot + 1, '.') != NULL)
		return "has more than one '.' (write \"database.table\")";
	if (dot == p)
		return "has no database part before '.'";
	if (dot[1] == '\0')
		return "has no table part after '.'";
	if (dot - p > 64 || strlen(dot + 1) > 64)
		return "has a part longer than 64 characters";
	return NULL;
}

static const char *binlog_file_problem(const char *f)
{
	size_t len = strlen(f), d = len;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)f[i];

		if (c <= ' ' || c == 0x7f)
			return "has a space or control character";
		if (c == '/')
			return "must be a binlog file name without a folder";
	}
	while (d > 0 && f[d - 1] >= '0' && f[d - 1] <= '9')
		d--;
	if (d == len || d < 2 || f[d - 1] != '.')
		return "is not a binlog file name (BASENAME.NNNNNN, like "
		       "binlog.000001)";
	return NULL;
}

static bool identifier_ok(const char *s)
{
	size_t len = strlen(s);
	bool digits = true;

	if (len == 0 || len > 64)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '$'))
			return false;
		if (c < '0' || c > '9')
			digits = false;
	}
	return !digits;
}

/*
 * Sections
 */

enum { TLS_MODE, TLS_CA, TLS_CERT, TLS_KEY, TLS_N };
static const char *const tls_keys[] = {"mode", "ca", "cert", "key"};

static void parse_tls(struct ctx *x, struct config_tls *t, const yaml_node_t *n,
                      const char *path)
{
	static const char *const what[] = {NULL, "the CA certificate file",
	                                   "the client certificate file",
	                                   "the client key file"};
	char **field[] = {NULL, &t->ca, &t->cert, &t->key};
	char kp[TLS_N][PATH_CAP];
	struct seen sn;
	int mode = -1;

	if (!want_map(x, n, path, tls_keys, TLS_N))
		return;
	walk_map(x, n, path, tls_keys, TLS_N, &sn);
	for (int i = 0; i < TLS_N; i++)
		join(kp[i], path, tls_keys[i]);
	if (sn.val[TLS_MODE] != NULL &&
	    get_enum(x, sn.val[TLS_MODE], kp[TLS_MODE], tls_modes,
	             N_OF(tls_modes), &mode) == 0)
		t->mode = (enum config_tls_mode)mode;
	for (int i = TLS_CA; i < TLS_N; i++) {
		if (sn.val[i] != NULL)
			get_name(x, sn.val[i], kp[i], what[i], field[i]);
		else if (sn.key[i] != NULL)
			missing(x, &sn, i, node_pos(n), kp[i]);
	}
	if (sn.key[TLS_MODE] != NULL && sn.val[TLS_MODE] == NULL)
		missing(x, &sn, TLS_MODE, node_pos(n), kp[TLS_MODE]);

	if (sn.val[TLS_CERT] != NULL && sn.val[TLS_KEY] == NULL)
		report(x, node_pos(sn.key[TLS_CERT]),
		       "%s is given without %s (a client certificate needs "
		       "its key)",
		       kp[TLS_CERT], kp[TLS_KEY]);
	if (sn.val[TLS_KEY] != NULL && sn.val[TLS_CERT] == NULL)
		report(x, node_pos(sn.key[TLS_KEY]),
		       "%s is given without %s (a client key needs its "
		       "certificate)",
		       kp[TLS_KEY], kp[TLS_CERT]);
	if (mode < 0) {
		/* A CA given is a CA meant to be checked. */
		if (sn.val[TLS_MODE] == NULL && sn.val[TLS_CA] != NULL)
			t->mode = CONFIG_TLS_VERIFY_CA;
		return;
	}
	if ((mode == CONFIG_TLS_VERIFY_CA ||
	     mode == CONFIG_TLS_VERIFY_IDENTITY) &&
	    sn.val[TLS_CA] == NULL)
		report(x, node_pos(sn.val[TLS_MODE]),
		       "%s %s needs %s (the CA certificate that signed the "
		       "server's certificate)",
		       kp[TLS_MODE], tls_modes[mode], kp[TLS_CA]);
	if (mode == CONFIG_TLS_DISABLED) {
		for (int i = TLS_CA; i < TLS_N; i++) {
			if (sn.val[i] == NULL)
				continue;
			report(x, node_pos(sn.key[i]),
			       "%s is given, but %s is disabled (no TLS)",
			       kp[i], kp[TLS_MODE]);
		}
	}
}

enum {
	SRC_HOST,
	SRC_PORT,
	SRC_USER,
	SRC_PASSWORD,
	SRC_SERVER_ID,
	SRC_TLS,
	SRC_N
};
static const char *const source_keys[] = {"host",     "port",      "user",
                                          "password", "server-id", "tls"};

static void parse_source(struct ctx *x, struct config_source *s,
                         const yaml_node_t *n)
{
	struct seen sn;
	char q[QUOTE_CAP];
	uint64_t v;
	char *h;

	if (!want_map(x, n, "source", source_keys, SRC_N))
		return;
	walk_map(x, n, "source", source_keys, SRC_N, &sn);

	if (sn.val[SRC_HOST] == NULL) {
		missing(x, &sn, SRC_HOST, node_pos(n), "source.host");
	} else if (get_str(x, sn.val[SRC_HOST], "source.host", "a host name",
	                   &h) == 0) {
		size_t len = strlen(h);
		const char *colon = strchr(h, ':');
		const char *why;

		/* "[::1]" is fine: the brackets go. */
		if (len >= 2 && h[0] == '[' && h[len - 1] == ']') {
			memmove(h, h + 1, len - 2);
			h[len - 2] = '\0';
			len -= 2;
		} else if (colon != NULL && strchr(colon + 1, ':') == NULL) {
			report(x, node_pos(sn.val[SRC_HOST]),
			       "source.host %s must not hold the port (put it "
			       "in source.port)",
			       quote_str(q, h));
			sl_free(h);
			h = NULL;
		}
		if (h != NULL && (why = host_problem(h, len)) != NULL) {
			report(x, node_pos(sn.val[SRC_HOST]),
			       "source.host %s %s", quote_str(q, h), why);
			sl_free(h);
			h = NULL;
		}
		if (h != NULL) {
			sl_free(s->host);
			s->host = h;
		}
	}
	if (sn.val[SRC_PORT] != NULL &&
	    get_uint(x, sn.val[SRC_PORT], "source.port", 1, 65535, &v) == 0)
		s->port = (uint16_t)v;
	if (sn.val[SRC_USER] == NULL)
		missing(x, &sn, SRC_USER, node_pos(n), "source.user");
	else
		get_name(x, sn.val[SRC_USER], "source.user", "a user name",
		         &s->user);
	if (sn.val[SRC_PASSWORD] != NULL)
		get_str(x, sn.val[SRC_PASSWORD], "source.password", "text",
		        &s->password);
	if (sn.val[SRC_SERVER_ID] != NULL &&
	    get_uint(x, sn.val[SRC_SERVER_ID], "source.server-id", 0,
	             UINT32_MAX, &v) == 0)
		s->server_id = (uint32_t)v;
	if (sn.val[SRC_TLS] != NULL)
		parse_tls(x, &s->tls, sn.val[SRC_TLS], "source.tls");
}

enum { TGT_HOSTS, TGT_USER, TGT_PASSWORD, TGT_TLS, TGT_N };
static const char *const target_keys[] = {"hosts", "user", "password", "tls"};

static void parse_hosts(struct ctx *x, struct config_target *t,
                        const yaml_node_t *n)
{
	const yaml_node_item_t *it;
	size_t cnt;

	if (n->type != YAML_SEQUENCE_NODE) {
		report(x, node_pos(n),
		       "target.hosts must be a list of \"host:port\" "
		       "addresses, not %s",
		       kind(n));
		return;
	}
	it = n->data.sequence.items.start;
	cnt = (size_t)(n->data.sequence.items.top - it);
	if (cnt == 0) {
		report(x, node_pos(n), "target.hosts is an empty list");
		return;
	}
	t->hosts = sl_calloc(cnt, sizeof(*t->hosts));
	if (t->hosts == NULL) {
		x->oom = true;
		return;
	}
	for (size_t i = 0; i < cnt; i++) {
		const yaml_node_t *e = node_get(x, it[i]);
		struct config_endpoint ep;
		char path[PATH_CAP];
		char q[QUOTE_CAP];
		const char *why;
		char *s;
		bool dup = false;

		snprintf(path, sizeof(path), "target.hosts[%zu]", i);
		if (e == NULL)
			continue;
		if (is_null(e)) {
			report(x, node_pos(e), "%s is empty", path);
			continue;
		}
		if (get_str(x, e, path, "a \"host:port\" address", &s) != 0)
			continue;
		why = split_endpoint(x, s, false, CONFIG_TARGET_PORT, &ep.host,
		                     &ep.port);
		if (why != NULL)
			report(x, node_pos(e), "%s %s %s", path,
			       quote_str(q, s), why);
		sl_free(s);
		if (ep.host == NULL)
			continue;
		for (size_t j = 0; j < t->n_hosts && !dup; j++)
			dup = t->hosts[j].port == ep.port &&
			      strcmp(t->hosts[j].host, ep.host) == 0;
		if (dup) {
			report(x, node_pos(e), "%s \"%s:%u\" is listed twice",
			       path, ep.host, ep.port);
			sl_free(ep.host);
			continue;
		}
		t->hosts[t->n_hosts++] = ep;
	}
}

static void parse_target(struct ctx *x, struct config_target *t,
                         const yaml_node_t *n)
{
	struct seen sn;

	if (!want_map(x, n, "target", target_keys, TGT_N))
		return;
	walk_map(x, n, "target", target_keys, TGT_N, &sn);
	if (sn.val[TGT_HOSTS] == NULL)
		missing(x, &sn, TGT_HOSTS, node_pos(n), "target.hosts");
	else
		parse_hosts(x, t, sn.val[TGT_HOSTS]);
	if (sn.val[TGT_USER] == NULL)
		missing(x, &sn, TGT_USER, node_pos(n), "target.user");
	else
		get_name(x, sn.val[TGT_USER], "target.user", "a user name",
		         &t->user);
	if (sn.val[TGT_PASSWORD] != NULL)
		get_str(x, sn.val[TGT_PASSWORD], "target.password", "text",
		        &t->password);
	if (sn.val[TGT_TLS] != NULL)
		parse_tls(x, &t->tls, sn.val[TGT_TLS], "target.tls");
}

enum { ST_MODE, ST_GTID, ST_FILE, ST_POSITION, ST_N };
static const char *const start_keys[] = {"mode", "gtid", "file", "position"};

static void parse_gtid(struct ctx *x, struct config_start *st,
                       const yaml_node_t *n)
{
	struct sl_err err;
	size_t len;
	char *s;
	int rc;

	if (get_str(x, n, "start.gtid", "a GTID set", &s) != 0)
		return;
	len = strlen(s);
	if (strspn(s, " \t\r\n") == len) {
		report(x, node_pos(n),
		       "start.gtid is empty (give the GTID set already applied "
		       "to the target)");
		sl_free(s);
		return;
	}
	st->gtid_set = gtid_set_new(GTID_ANY);
	if (st->gtid_set == NULL) {
		x->oom = true;
		sl_free(s);
		return;
	}
	sl_err_clear(&err);
	rc = gtid_set_parse(st->gtid_set, s, len, &err);
	if (rc == SL_ENOMEM) {
		x->oom = true;
	} else if (rc != 0) {
		report(x, node_pos(n), "start.gtid: %s", err.msg);
	} else {
		st->gtid = s;
		return;
	}
	gtid_set_free(st->gtid_set);
	st->gtid_set = NULL;
	sl_free(s);
}

static void parse_start(struct ctx *x, struct config_start *st,
                        const yaml_node_t *n)
{
	/* The mode that reads each key (ST_MODE: unused). */
	static const int reader[ST_N] = {
	    0, CONFIG_START_GTID, CONFIG_START_POSITION, CONFIG_START_POSITION};
	struct seen sn;
	struct pos at;
	uint64_t v;
	int mode = -1;
	bool has[ST_N];

	if (!want_map(x, n, "start", start_keys, ST_N))
		return;
	walk_map(x, n, "start", start_keys, ST_N, &sn);
	for (int i = 0; i < ST_N; i++)
		has[i] = sn.val[i] != NULL;
	at = node_pos(n);
	if (has[ST_MODE]) {
		if (get_enum(x, sn.val[ST_MODE], "start.mode", start_modes,
		             N_OF(start_modes), &mode) != 0)
			return;
		at = node_pos(sn.val[ST_MODE]);
	} else if (sn.key[ST_MODE] != NULL) {
		missing(x, &sn, ST_MODE, at, "start.mode");
		return;
	} else {
		/* No mode: the keys given say which one (an empty key
		 * counts, so that it is reported as missing below). */
		bool g = sn.key[ST_GTID] != NULL;
		bool fp =
		    sn.key[ST_FILE] != NULL || sn.key[ST_POSITION] != NULL;

		if (g && fp) {
			report(x, node_pos(sn.key[ST_GTID]),
			       "start.gtid and start.%s are both given; set "
			       "start.mode to gtid or position",
			       sn.key[ST_FILE] ? "file" : "position");
			return;
		}
		mode = g    ? CONFIG_START_GTID
		       : fp ? CONFIG_START_POSITION
		            : CONFIG_START_NOW;
	}
	st->mode = (enum config_start_mode)mode;

	for (int i = ST_GTID; i < ST_N; i++) {
		if (sn.key[i] != NULL && reader[i] != mode)
			report(x, node_pos(sn.key[i]),
			       "start.%s is only read when start.mode is %s "
			       "(it is %s)",
			       start_keys[i], start_modes[reader[i]],
			       start_modes[mode]);
	}
	if (mode == CONFIG_START_GTID) {
		if (has[ST_GTID])
			parse_gtid(x, st, sn.val[ST_GTID]);
		else
			report(x,
			       sn.key[ST_GTID] ? node_pos(sn.key[ST_GTID]) : at,
			       "start.mode gtid needs start.gtid (the GTID set "
			       "already applied to the target)");
	}
	if (mode != CONFIG_START_POSITION)
		return;
	if (!has[ST_FILE] || !has[ST_POSITION])
		report(x, at,
		       "start.mode position needs start.file and "
		       "start.position (%s missing)",
		       has[ST_FILE]       ? "start.position is"
		       : has[ST_POSITION] ? "start.file is"
		                          : "both are");
	if (has[ST_FILE]) {
		char q[QUOTE_CAP];
		const char *why;
		char *f;

		if (get_str(x, sn.val[ST_FILE], "start.file",
		            "a binlog file name", &f) == 0) {
			if ((why = binlog_file_problem(f)) != NULL) {
				report(x, node_pos(sn.val[ST_FILE]),
				       "start.file %s %s", quote_str(q, f),
				       why);
				sl_free(f);
			} else {
				st->file = f;
			}
		}
	}
	if (has[ST_POSITION] &&
	    get_uint(x, sn.val[ST_POSITION], "start.position", 4, UINT64_MAX,
	             &v) == 0)
		st->position = v;
}

enum { OBJ_INCLUDE, OBJ_EXCLUDE, OBJ_N };
static const char *const objects_keys[] = {"include", "exclude"};

static void parse_patterns(struct ctx *x, const yaml_node_t *n,
                           const char *path, bool nonempty, size_t *n_out,
                           char ***out)
{
	const yaml_node_item_t *it;
	size_t cnt;
	char **v;

	if (n->type != YAML_SEQUENCE_NODE) {
		report(x, node_pos(n),
		       "%s must be a list of \"database.table\" patterns, not "
		       "%s",
		       path, kind(n));
		return;
	}
	it = n->data.sequence.items.start;
	cnt = (size_t)(n->data.sequence.items.top - it);
	if (cnt == 0) {
		if (nonempty)
			report(x, node_pos(n),
			       "%s is an empty list, which takes nothing "
			       "(leave it out to take every user database)",
			       path);
		return;
	}
	v = sl_calloc(cnt, sizeof(*v));
	if (v == NULL) {
		x->oom = true;
		return;
	}
	*out = v;
	for (size_t i = 0; i < cnt; i++) {
		const yaml_node_t *e = node_get(x, it[i]);
		char ip[PATH_CAP];
		char q[QUOTE_CAP];
		const char *why;
		char *s;

		snprintf(ip, sizeof(ip), "%s[%zu]", path, i);
		if (e == NULL)
			continue;
		if (is_null(e)) {
			report(x, node_pos(e), "%s is empty", ip);
			continue;
		}
		if (get_str(x, e, ip, "a \"database.table\" pattern", &s) != 0)
			continue;
		if ((why = pattern_problem(s)) != NULL) {
			report(x, node_pos(e), "%s %s %s", ip, quote_str(q, s),
			       why);
			sl_free(s);
			continue;
		}
		v[(*n_out)++] = s;
	}
}

static void parse_objects(struct ctx *x, struct config_objects *o,
                          const yaml_node_t *n)
{
	struct seen sn;

	if (!want_map(x, n, "objects", objects_keys, OBJ_N))
		return;
	walk_map(x, n, "objects", objects_keys, OBJ_N, &sn);
	if (sn.val[OBJ_INCLUDE] != NULL)
		parse_patterns(x, sn.val[OBJ_INCLUDE], "objects.include", true,
		               &o->n_include, &o->include);
	if (sn.val[OBJ_EXCLUDE] != NULL)
		parse_patterns(x, sn.val[OBJ_EXCLUDE], "objects.exclude", false,
		               &o->n_exclude, &o->exclude);
}

/* workers and batch may also stand at the top level (SPEC_TOP) */
enum { SPEC_WORKERS, SPEC_BATCH, SPEC_TOP, SPEC_LINGER = SPEC_TOP, SPEC_N };
static const char *const spec_keys[] = {"workers", "batch", "linger-ms"};

unsigned config_default_linger(unsigned workers)
{
	unsigned ms = workers * 5 / 2;

	return ms < 5 ? 5 : ms > 50 ? 50 : ms;
}

static const struct tier *tier_find(const char *s)
{
	for (size_t i = 0; i < N_OF(tiers); i++)
		if (strcasecmp(s, tiers[i].name) == 0)
			return &tiers[i];
	return NULL;
}

static void tier_names(char *out, size_t cap)
{
	const char *names[N_OF(tiers)];

	for (size_t i = 0; i < N_OF(tiers); i++)
		names[i] = tiers[i].name;
	list_names(out, cap, names, N_OF(tiers));
}

/* spec (tier name or mapping), then the top-level workers and batch. */
static void parse_spec(struct ctx *x, struct config_spec *sp,
                       const yaml_node_t *n, const yaml_node_t *top_key[],
                       const yaml_node_t *top_val[])
{
	static const unsigned min[SPEC_N] = {1, 1, 0};
	static const unsigned max[SPEC_N] = {
	    CONFIG_WORKERS_MAX, CONFIG_BATCH_MAX, CONFIG_LINGER_MAX_MS};
	unsigned *field[SPEC_N] = {&sp->workers, &sp->batch, &sp->linger_ms};
	struct seen sn;
	char all[128];
	char q[QUOTE_CAP];
	uint64_t v;

	memset(&sn, 0, sizeof(sn));
	tier_names(all, sizeof(all));
	if (n != NULL && n->type == YAML_SCALAR_NODE) {
		const struct tier *t;
		char *s;

		if (expand(x, n, "spec", &s) == 0) {
			t = tier_find(s);
			if (t == NULL) {
				report(x, node_pos(n),
				       "spec %s is not a tier (%s); or give "
				       "spec: {workers: N, batch: M}",
				       quote_str(q, s), all);
			} else {
				sp->tier = t->name;
				sp->workers = t->workers;
				sp->batch = t->batch;
				sp->ring = t->ring;
			}
			sl_free(s);
		}
	} else if (n != NULL && n->type == YAML_MAPPING_NODE) {
		walk_map(x, n, "spec", spec_keys, SPEC_N, &sn);
		sp->tier = NULL;
		if (sn.val[SPEC_WORKERS] == NULL &&
		    sn.val[SPEC_BATCH] == NULL && sn.val[SPEC_LINGER] == NULL)
			report(x, node_pos(n),
			       "spec gives none of workers, batch, linger-ms");
		for (int i = 0; i < SPEC_N; i++) {
			char path[PATH_CAP];

			join(path, "spec", spec_keys[i]);
			if (sn.val[i] != NULL &&
			    get_uint(x, sn.val[i], path, min[i], max[i], &v) ==
			        0)
				*field[i] = (unsigned)v;
		}
	} else if (n != NULL) {
		report(x, node_pos(n),
		       "spec must be a tier (%s) or a mapping {workers: N, "
		       "batch: M}, not %s",
		       all, kind(n));
	}
	for (int i = 0; i < SPEC_TOP; i++) {
		if (top_val[i] == NULL)
			continue;
		if (sn.key[i] != NULL) {
			struct pos first = node_pos(sn.key[i]);

			report(x, node_pos(top_key[i]),
			       "%s is given both here and in spec (at %u:%u); "
			       "keep one",
			       spec_keys[i], first.line, first.col);
			continue;
		}
		if (get_uint(x, top_val[i], spec_keys[i], 1, max[i], &v) == 0)
			*field[i] = (unsigned)v;
	}
	if (sn.val[SPEC_LINGER] == NULL)
		sp->linger_ms = config_default_linger(sp->workers);
}

enum { HTTP_ADDR, HTTP_TOKEN, HTTP_N };
static const char *const http_keys[] = {"addr", "token"};

static void parse_http(struct ctx *x, struct config_http *h,
                       const yaml_node_t *n)
{
	struct seen sn;
	char q[QUOTE_CAP];
	char *s;

	if (!want_map(x, n, "http", http_keys, HTTP_N))
		return;
	walk_map(x, n, "http", http_keys, HTTP_N, &sn);
	if (sn.val[HTTP_ADDR] != NULL &&
	    get_str(x, sn.val[HTTP_ADDR], "http.addr",
	            "a \"host:port\" address", &s) == 0) {
		struct config_endpoint ep;
		const char *why =
		    split_endpoint(x, s, true, 0, &ep.host, &ep.port);

		if (why != NULL)
			report(x, node_pos(sn.val[HTTP_ADDR]),
			       "http.addr %s %s", quote_str(q, s), why);
		if (ep.host != NULL) {
			sl_free(h->addr.host);
			h->addr = ep;
		}
		sl_free(s);
	}
	if (sn.val[HTTP_TOKEN] != NULL &&
	    get_str(x, sn.val[HTTP_TOKEN], "http.token", "text", &h->token) ==
	        0 &&
	    h->token[0] == '\0') {
		report(x, node_pos(sn.val[HTTP_TOKEN]),
		       "http.token is empty (leave it out to require no "
		       "token)");
	}
}

enum {
	K_NAME,
	K_SOURCE,
	K_TARGET,
	K_START,
	K_OBJECTS,
	K_SPEC,
	K_WORKERS,
	K_BATCH,
	K_ON_CONFLICT,
	K_ON_MISSING_ROW,
	K_META_DATABASE,
	K_HTTP,
	K_N
};
static const char *const root_keys[] = {
    [K_NAME] = "name",
    [K_SOURCE] = "source",
    [K_TARGET] = "target",
    [K_START] = "start",
    [K_OBJECTS] = "objects",
    [K_SPEC] = "spec",
    [K_WORKERS] = "workers",
    [K_BATCH] = "batch",
    [K_ON_CONFLICT] = "on-conflict",
    [K_ON_MISSING_ROW] = "on-missing-row",
    [K_META_DATABASE] = "meta-database",
    [K_HTTP] = "http",
};

static void parse_root(struct ctx *x, struct job_config *c,
                       const yaml_node_t *root)
{
	struct pos top = node_pos(root);
	struct seen sn;
	char q[QUOTE_CAP];
	char *s;
	int v;

	if (root->type != YAML_MAPPING_NODE) {
		report(x, top,
		       "the job file must be a mapping of keys (name, source, "
		       "target, ...), not %s",
		       kind(root));
		return;
	}
	walk_map(x, root, "", root_keys, K_N, &sn);

	if (sn.val[K_NAME] == NULL) {
		missing(x, &sn, K_NAME, top, "name");
	} else if (get_str(x, sn.val[K_NAME], "name", "a name", &s) == 0) {
		if (name_problem(s) != NULL) {
			report(x, node_pos(sn.val[K_NAME]),
			       "name %s must start with a letter, be under 60 "
			       "characters and use only letters, digits, '_' "
			       "and '-'",
			       quote_str(q, s));
			sl_free(s);
		} else {
			c->name = s;
		}
	}
	if (sn.val[K_SOURCE] == NULL)
		missing(x, &sn, K_SOURCE, top, "source");
	else
		parse_source(x, &c->source, sn.val[K_SOURCE]);
	if (sn.val[K_TARGET] == NULL)
		missing(x, &sn, K_TARGET, top, "target");
	else
		parse_target(x, &c->target, sn.val[K_TARGET]);
	if (sn.val[K_START] != NULL)
		parse_start(x, &c->start, sn.val[K_START]);
	if (sn.val[K_OBJECTS] != NULL)
		parse_objects(x, &c->objects, sn.val[K_OBJECTS]);
	parse_spec(x, &c->spec, sn.val[K_SPEC], &sn.key[K_WORKERS],
	           &sn.val[K_WORKERS]);
	if (sn.val[K_ON_CONFLICT] != NULL &&
	    get_enum(x, sn.val[K_ON_CONFLICT], "on-conflict", conflict_names,
	             N_OF(conflict_names), &v) == 0)
		c->on_conflict = (enum config_on_conflict)v;
	if (sn.val[K_ON_MISSING_ROW] != NULL &&
	    get_enum(x, sn.val[K_ON_MISSING_ROW], "on-missing-row",
	             missing_names, N_OF(missing_names), &v) == 0)
		c->on_missing_row = (enum config_on_missing_row)v;
	if (sn.val[K_META_DATABASE] != NULL &&
	    get_str(x, sn.val[K_META_DATABASE], "meta-database",
	            "a database name", &s) == 0) {
		if (!identifier_ok(s)) {
			report(x, node_pos(sn.val[K_META_DATABASE]),
			       "meta-database %s must be 1 to 64 letters, "
			       "digits, '_' or '$' (not digits alone)",
			       quote_str(q, s));
			sl_free(s);
		} else {
			sl_free(c->meta_database);
			c->meta_database = s;
		}
	}
	if (sn.val[K_HTTP] != NULL)
		parse_http(x, &c->http, sn.val[K_HTTP]);
}

/*
 * Entry points
 */

static struct job_config *config_new(struct ctx *x, const char *file)
{
	struct job_config *c = sl_calloc(1, sizeof(*c));
	const struct tier *t = tier_find(CONFIG_DEFAULT_SPEC);

	if (t == NULL)
		t = &tiers[0];
	if (c == NULL) {
		x->oom = true;
		return NULL;
	}
	c->file = dup_str(x, file);
	c->source.port = CONFIG_SOURCE_PORT;
	c->source.tls.mode = CONFIG_TLS_PREFERRED;
	c->target.tls.mode = CONFIG_TLS_PREFERRED;
	c->start.mode = CONFIG_START_NOW;
	c->spec.tier = t->name;
	c->spec.workers = t->workers;
	c->spec.batch = t->batch;
	c->spec.ring = t->ring;
	c->spec.linger_ms = config_default_linger(t->workers);
	c->on_conflict = CONFIG_CONFLICT_FAIL;
	c->on_missing_row = CONFIG_MISSING_FAIL;
	c->meta_database = dup_str(x, CONFIG_META_DATABASE);
	c->http.addr.host = dup_str(x, "127.0.0.1");
	c->http.addr.port = 8250;
	return c;
}

static void tls_free(struct config_tls *t)
{
	sl_free(t->ca);
	sl_free(t->cert);
	sl_free(t->key);
}

void job_config_free(struct job_config *c)
{
	if (c == NULL)
		return;
	sl_free(c->file);
	sl_free(c->name);
	sl_free(c->source.host);
	sl_free(c->source.user);
	wipe_free(c->source.password);
	tls_free(&c->source.tls);
	for (size_t i = 0; i < c->target.n_hosts; i++)
		sl_free(c->target.hosts[i].host);
	sl_free(c->target.hosts);
	sl_free(c->target.user);
	wipe_free(c->target.password);
	tls_free(&c->target.tls);
	sl_free(c->start.gtid);
	gtid_set_free(c->start.gtid_set);
	sl_free(c->start.file);
	for (size_t i = 0; i < c->objects.n_include; i++)
		sl_free(c->objects.include[i]);
	sl_free(c->objects.include);
	for (size_t i = 0; i < c->objects.n_exclude; i++)
		sl_free(c->objects.exclude[i]);
	sl_free(c->objects.exclude);
	sl_free(c->meta_database);
	sl_free(c->http.addr.host);
	wipe_free(c->http.token);
	sl_free(c);
}

/* Place of byte off of text: lines and UTF-8 characters counted from 1. */
static struct pos text_pos(const char *text, size_t len, size_t off)
{
	struct pos p = {1, 1};

	for (size_t i = 0; i < off && i < len; i++) {
		if (text[i] == '\n') {
			p.line++;
			p.col = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			p.col++;
		}
	}
	return p;
}

static void syntax_error(struct ctx *x, const yaml_parser_t *p,
                         const char *text, size_t len)
{
	const char *problem = p->problem ? p->problem : "malformed YAML";
	struct pos at = {(unsigned)p->problem_mark.line + 1,
	                 (unsigned)p->problem_mark.column + 1};

	switch (p->error) {
	case YAML_MEMORY_ERROR: x->oom = true; return;
	case YAML_READER_ERROR:
		/* problem_value (the bad byte) is left out: it may belong
		 * to a secret. */
		report(x, text_pos(text, len, p->problem_offset),
		       "the text is not valid UTF-8: %s", problem);
		return;
	default: break;
	}
	if (p->context != NULL)
		report(x, at, "YAML syntax error: %s (%s at %u:%u)", problem,
		       p->context, (unsigned)p->context_mark.line + 1,
		       (unsigned)p->context_mark.column + 1);
	else
		report(x, at, "YAML syntax error: %s", problem);
}

/* libyaml frees without wiping: the values may be secrets. */
static void wipe_doc(yaml_document_t *d)
{
	for (yaml_node_t *n = d->nodes.start; n != NULL && n < d->nodes.top;
	     n++)
		if (n->type == YAML_SCALAR_NODE && n->data.scalar.value)
			explicit_bzero(n->data.scalar.value,
			               n->data.scalar.length);
}

static void wipe_parser(yaml_parser_t *p)
{
	/* Tokens scanned ahead and never used (after a syntax error). */
	for (yaml_token_t *t = p->tokens.head; t != NULL && t < p->tokens.tail;
	     t++)
		if (t->type == YAML_SCALAR_TOKEN && t->data.scalar.value)
			explicit_bzero(t->data.scalar.value,
			               t->data.scalar.length);
	if (p->buffer.start != NULL)
		explicit_bzero(p->buffer.start,
		               (size_t)(p->buffer.end - p->buffer.start));
	if (p->raw_buffer.start != NULL)
		explicit_bzero(
		    p->raw_buffer.start,
		    (size_t)(p->raw_buffer.end - p->raw_buffer.start));
}

static void load_doc(struct ctx *x, struct job_config *c, yaml_parser_t *p,
                     const char *text, size_t len)
{
	yaml_document_t doc, more;
	yaml_node_t *root;

	if (!yaml_parser_load(p, &doc)) {
		syntax_error(x, p, text, len);
		return;
	}
	x->doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (root == NULL || is_null(root)) {
		report(x, (struct pos){1, 1}, "the job file is empty");
	} else {
		parse_root(x, c, root);
		if (!yaml_parser_load(p, &more)) {
			syntax_error(x, p, text, len);
		} else {
			if (yaml_document_get_root_node(&more) != NULL)
				report(
				    x,
				    (struct pos){
				        (unsigned)more.start_mark.line + 1,
				        (unsigned)more.start_mark.column + 1},
				    "a job file holds one YAML document; a "
				    "second one starts here");
			wipe_doc(&more);
			yaml_document_delete(&more);
		}
	}
	wipe_doc(&doc);
	yaml_document_delete(&doc);
	x->doc = NULL;
}

int job_config_parse(const char *file, const char *text, size_t len,
                     struct job_config **out, struct job_config_errors *errs)
{
	struct ctx x = {file, NULL, errs, false};
	size_t n0 = errs->n;
	struct job_config *c;
	yaml_parser_t p;

	*out = NULL;
	c = config_new(&x, file);
	if (c == NULL || x.oom || !yaml_parser_initialize(&p)) {
		job_config_free(c);
		return SL_ENOMEM;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	load_doc(&x, c, &p, text, len);
	wipe_parser(&p);
	yaml_parser_delete(&p);
	if (x.oom) {
		errors_truncate(errs, n0);
		job_config_free(c);
		return SL_ENOMEM;
	}
	if (errs->n > n0) {
		qsort(errs->v + n0, errs->n - n0, sizeof(*errs->v), error_cmp);
		job_config_free(c);
		return errs->n - n0 > INT_MAX ? INT_MAX : (int)(errs->n - n0);
	}
	*out = c;
	return 0;
}

/* Makes a relative path p relative to the folder of file instead. */
static int rebase(char **p, const char *file)
{
	const char *slash = strrchr(file, '/');
	size_t dl, pl;
	char *n;

	if (*p == NULL || (*p)[0] == '/' || slash == NULL)
		return 0;
	dl = (size_t)(slash - file) + 1;
	pl = strlen(*p);
	n = sl_malloc(dl + pl + 1);
	if (n == NULL)
		return SL_ENOMEM;
	memcpy(n, file, dl);
	memcpy(n + dl, *p, pl + 1);
	sl_free(*p);
	*p = n;
	return 0;
}

static int rebase_tls(struct config_tls *t, const char *file)
{
	if (rebase(&t->ca, file) != 0 || rebase(&t->cert, file) != 0 ||
	    rebase(&t->key, file) != 0)
		return SL_ENOMEM;
	return 0;
}

static int load_failed(struct job_config_errors *errs, const char *path,
                       const char *why)
{
	struct ctx x = {path, NULL, errs, false};

	report(&x, (struct pos){0, 0}, "cannot read the job file: %s", why);
	return x.oom ? SL_ENOMEM : SL_EIO;
}

int job_config_load(const char *path, struct job_config **out,
                    struct job_config_errors *errs)
{
	size_t cap = (size_t)CONFIG_FILE_MAX + 1, len = 0;
	struct stat st;
	bool regular;
	char *buf;
	int fd, rc;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return load_failed(errs, path, strerror(errno));
	/* A pipe (<(...), /dev/stdin) has no folder to take tls paths
	 * from. */
	regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	buf = sl_malloc(cap);
	if (buf == NULL) {
		close(fd);
		return SL_ENOMEM;
	}
	/* read(), not a size from fstat: pipes (<(...)) work too. */
	while (len < cap) {
		ssize_t r = read(fd, buf + len, cap - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = load_failed(errs, path, strerror(errno));
			goto done;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len == cap) {
		rc = load_failed(errs, path, "larger than 1 MiB");
		goto done;
	}
	rc = job_config_parse(path, buf, len, out, errs);
	if (rc == 0 && regular &&
	    (rebase_tls(&(*out)->source.tls, path) != 0 ||
	     rebase_tls(&(*out)->target.tls, path) != 0)) {
		job_config_free(*out);
		*out = NULL;
		rc = SL_ENOMEM;
	}
done:
	explicit_bzero(buf, len);
	sl_free(buf);
	close(fd);
	return rc;
}

/*
 * Output
 */

const char *config_tls_mode_name(enum config_tls_mode m)
{
	return (unsigned)m < N_OF(tls_modes) ? tls_modes[m] : "?";
}

const char *config_start_mode_name(enum config_start_mode m)
{
	return (unsigned)m < N_OF(start_modes) ? start_modes[m] : "?";
}

const char *config_on_conflict_name(enum config_on_conflict v)
{
	return (unsigned)v < N_OF(conflict_names) ? conflict_names[v] : "?";
}

const char *config_on_missing_row_name(enum config_on_missing_row v)
{
	return (unsigned)v < N_OF(missing_names) ? missing_names[v] : "?";
}

/* True if s can be written without quotes and reads back as the same
 * text (in this parser and in YAML 1.1/1.2 readers alike). */
static bool plain_ok(const char *s)
{
	static const char *const words[] = {
	    "null", "true", "false", "yes", "no", "on", "off", "y", "n",
	};

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
	      (s[0] >= '0' && s[0] <= '9') || s[0] == '_' || s[0] == '/'))
		return false;
	for (const char *p = s; *p != '\0'; p++) {
		char c = *p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      c == '.' || c == '/' || c == ':' || c == '@' || c == '+'))
			return false;
	}
	for (size_t i = 0; i < N_OF(words); i++)
		if (strcasecmp(s, words[i]) == 0)
			return false;
	return true;
}

/* Double-quoted YAML; "${" is written "$${" so no variable is read. */
static void put_quoted(struct sbuf *b, const char *s)
{
	sbuf_putc(b, '"');
	for (const char *p = s; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '"' || c == '\\') {
			sbuf_putc(b, '\\');
			sbuf_putc(b, (char)c);
		} else if (c < 0x20 || c == 0x7f) {
			sbuf_printf(b, "\\x%02x", c);
		} else if (c == '$' && p[1] == '{') {
			sbuf_puts(b, "$$");
		} else {
			sbuf_putc(b, (char)c);
		}
	}
	sbuf_putc(b, '"');
}

static void put_str(struct sbuf *b, const char *s)
{
	if (plain_ok(s))
		sbuf_puts(b, s);
	else
		put_quoted(b, s);
}

/* "host:port", "[v6]:port"; quoted in flow lists (other YAML readers
 * take a ':' there as a mapping). */
static void put_endpoint(struct sbuf *b, const struct config_endpoint *e,
                         bool quoted)
{
	struct sbuf t;

	sbuf_init(&t);
	sbuf_printf(&t, strchr(e->host, ':') ? "[%s]:%u" : "%s:%u", e->host,
	            e->port);
	if (quoted)
		put_quoted(b, sbuf_cstr(&t));
	else
		put_str(b, sbuf_cstr(&t));
	b->oom |= t.oom;
	sbuf_deinit(&t);
}

static void put_tls(struct sbuf *b, const struct config_tls *t)
{
	sbuf_printf(b, "  tls:\n    mode: %s\n", tls_modes[t->mode]);
	if (t->ca != NULL) {
		sbuf_puts(b, "    ca: ");
		put_str(b, t->ca);
		sbuf_putc(b, '\n');
	}
	if (t->cert != NULL) {
		sbuf_puts(b, "    cert: ");
		put_str(b, t->cert);
		sbuf_putc(b, '\n');
	}
	if (t->key != NULL) {
		sbuf_puts(b, "    key: ");
		put_str(b, t->key);
		sbuf_putc(b, '\n');
	}
}

static void put_list(struct sbuf *b, const char *key, char *const *v, size_t n)
{
	sbuf_printf(b, "  %s: [", key);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			sbuf_puts(b, ", ");
		put_quoted(b, v[i]);
	}
	sbuf_puts(b, "]\n");
}

void job_config_format(const struct job_config *c, struct sbuf *b)
{
	const struct config_spec *sp = &c->spec;
	const struct tier *t = sp->tier ? tier_find(sp->tier) : NULL;

	sbuf_puts(b, "name: ");
	put_str(b, c->name);
	sbuf_puts(b, "\nsource:\n  host: ");
	put_str(b, c->source.host);
	sbuf_printf(b, "\n  port: %u\n  user: ", c->source.port);
	put_str(b, c->source.user);
	sbuf_putc(b, '\n');
	if (c->source.password != NULL)
		sbuf_puts(b, "  password: \"***\"\n");
	if (c->source.server_id != 0)
		sbuf_printf(b, "  server-id: %u\n", c->source.server_id);
	else
		sbuf_puts(b, "  # server-id: chosen when the job starts\n");
	put_tls(b, &c->source.tls);

	sbuf_puts(b, "target:\n  hosts: [");
	for (size_t i = 0; i < c->target.n_hosts; i++) {
		if (i > 0)
			sbuf_puts(b, ", ");
		put_endpoint(b, &c->target.hosts[i], true);
	}
	sbuf_puts(b, "]\n  user: ");
	put_str(b, c->target.user);
	sbuf_putc(b, '\n');
	if (c->target.password != NULL)
		sbuf_puts(b, "  password: \"***\"\n");
	put_tls(b, &c->target.tls);

	sbuf_printf(b, "start:\n  mode: %s\n", start_modes[c->start.mode]);
	if (c->start.gtid_set != NULL) {
		struct sbuf g;

		/* Canonical text: what the job will actually skip. */
		sbuf_init(&g);
		gtid_set_format(c->start.gtid_set, &g);
		sbuf_puts(b, "  gtid: ");
		put_quoted(b, sbuf_cstr(&g));
		sbuf_putc(b, '\n');
		b->oom |= g.oom;
		sbuf_deinit(&g);
	}
	if (c->start.file != NULL) {
		sbuf_puts(b, "  file: ");
		put_str(b, c->start.file);
		sbuf_printf(b, "\n  position: %llu\n",
		            (unsigned long long)c->start.position);
	}

	if (c->objects.n_include + c->objects.n_exclude == 0) {
		sbuf_puts(b, "# objects: every user database\n");
	} else {
		sbuf_puts(b, "objects:\n");
		if (c->objects.n_include > 0)
			put_list(b, "include", c->objects.include,
			         c->objects.n_include);
		if (c->objects.n_exclude > 0)
			put_list(b, "exclude", c->objects.exclude,
			         c->objects.n_exclude);
	}

	if (t != NULL) {
		sbuf_printf(b, "spec: %s # workers %u, batch %u\n", t->name,
		            t->workers, t->batch);
		if (sp->workers != t->workers)
			sbuf_printf(b, "workers: %u\n", sp->workers);
		if (sp->batch != t->batch)
			sbuf_printf(b, "batch: %u\n", sp->batch);
	} else {
		sbuf_printf(b, "spec:\n  workers: %u\n  batch: %u\n",
		            sp->workers, sp->batch);
	}
	sbuf_printf(b, "on-conflict: %s\non-missing-row: %s\nmeta-database: ",
	            conflict_names[c->on_conflict],
	            missing_names[c->on_missing_row]);
	put_str(b, c->meta_database);
	sbuf_puts(b, "\nhttp:\n  addr: ");
	put_endpoint(b, &c->http.addr, false);
	sbuf_putc(b, '\n');
	if (c->http.token != NULL)
		sbuf_puts(b, "  token: \"***\"\n");
}
