/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/gtid.h: single GTIDs and GTID sets for both server flavours.
 *
 * MySQL: a set maps each (source UUID, tag) to sorted, disjoint, non-adjacent
 * closed intervals of transaction numbers (gno), so "uuid:1-3:4-6" is
 * stored and printed as "uuid:1-6".  Tags (8.3+) are lowercased; in text
 * they follow the UUID and apply to the intervals after them:
 * "uuid:1-5:tag:1-3" (untagged intervals first, then tags sorted).
 *
 * MariaDB: a set is a replication position, one GTID per domain holding
 * the highest seq_no seen there: "0-1-100,1-2-5".  It contains d-s-n when
 * n <= the seq_no kept for domain d; server_id is carried along but never
 * compared.  This assumes seq_no only grows within a domain (what
 * gtid_strict_mode enforces).  A binlog state with several server_ids in
 * one domain ("0-1-7,0-2-9", GTID_LIST events) collapses to the entry with
 * the highest seq_no ("0-2-9").
 *
 * A set starts with a flavour, or GTID_ANY and takes the flavour of the
 * first GTID, text or set put into it; mixing flavours is SL_EINVAL.
 * Printing is canonical: equal sets print equal text.
 * Users: the decoder (each transaction's GTID, PREVIOUS_GTIDS, GTID_LIST),
 * the replication client (start position, skipping applied transactions)
 * and checkpoints.  A set has a single owner and no lock.
 */
#ifndef SL_CORE_GTID_H
#define SL_CORE_GTID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sbuf;
struct sl_err;

enum gtid_flavour {
	GTID_ANY = 0, /* set only: flavour not known yet */
	GTID_MYSQL = 1,
	GTID_MARIADB = 2,
};

#define GTID_UUID_LEN 16
#define GTID_TAG_MAX  32 /* characters in a MySQL tag */
/* Highest MySQL gno: the binary form stores intervals as [start, end)
 * with end <= INT64_MAX. */
#define GTID_MAX_GNO ((uint64_t)INT64_MAX - 1)

/* One transaction's GTID.  Embedded by callers; plain data. */
struct gtid {
	enum gtid_flavour flavour; /* GTID_MYSQL or GTID_MARIADB */
	union {
		struct {
			uint8_t uuid[GTID_UUID_LEN];
			char tag[GTID_TAG_MAX + 1]; /* "" if untagged */
			uint64_t gno;               /* 1..GTID_MAX_GNO */
		} mysql;
		struct {
			uint32_t domain_id;
			uint32_t server_id;
			uint64_t seq_no;
		} mariadb;
	};
};

struct gtid_set;

/* Single GTIDs */

/* Parses "uuid:gno", "uuid:tag:gno" (MySQL; UUID with or without dashes,
 * any case) or "domain-server-seq" (MariaDB) from text[0..len); the
 * flavour follows from the text.  Surrounding whitespace is skipped.
 * SL_EINVAL with a message naming the text and the character offset
 * (counted from 0) on malformed text. */
int gtid_parse(struct gtid *out, const char *text, size_t len,
               struct sl_err *err);
/* Appends "uuid:gno", "uuid:tag:gno" (lowercase) or "d-s-n". */
void gtid_format(const struct gtid *g, struct sbuf *out);

/* Lifecycle */

/* Empty set of the given flavour (GTID_ANY: decided later).  NULL on OOM. */
struct gtid_set *gtid_set_new(enum gtid_flavour flavour);
/* Frees s and everything it holds; NULL is fine. */
void gtid_set_free(struct gtid_set *s);
/* Deep copy; NULL on OOM. */
struct gtid_set *gtid_set_dup(const struct gtid_set *s);
/* Empties s, keeping its flavour and some memory for reuse. */
void gtid_set_clear(struct gtid_set *s);
enum gtid_flavour gtid_set_flavour(const struct gtid_set *s);
bool gtid_set_is_empty(const struct gtid_set *s);

/* Text */

/* Adds the GTIDs written in text[0..len) to s.  Text is a comma-separated
 * list, blank for the empty set; whitespace (newlines included) may
 * surround the commas, as in MySQL's "uuid:1-5,\nuuid2:1-3".  MySQL
 * elements are "uuid:interval[:interval]..." where an interval is "n" or
 * "n-m" and "tag:" may precede intervals; MariaDB elements are "d-s-n".
 * The text is MySQL if it has a ':' (or starts with a UUID), else MariaDB;
 * it must match s's flavour unless that is GTID_ANY.
 * Returns 0, SL_EINVAL (message: `gtid set "TEXT": at character N: why`,
 * N counted from 0; s unchanged) or SL_ENOMEM (s still valid, holding its
 * old GTIDs and maybe some of the text's). */
int gtid_set_parse(struct gtid_set *s, const char *text, size_t len,
                   struct sl_err *err);
/* Appends the canonical text: lowercase, sorted, intervals merged,
 * elements joined by "," (no spaces).  The empty set prints nothing.
 * Check sbuf_ok(out) for OOM. */
void gtid_set_format(const struct gtid_set *s, struct sbuf *out);

/* Binary forms */

/* Adds the MySQL binary GTID set in p[0..len) to s (a MySQL or GTID_ANY
 * set): the body of PREVIOUS_GTIDS or the data of COM_BINLOG_DUMP_GTID.
 * Untagged form: u64 n_sids, then per sid a 16-byte UUID, u64 n_intervals
 * and [start, end) u64 pairs (end exclusive).  The 8.3+ tagged form marks
 * byte 0 and byte 7 of the count with 1 (count in bytes 1-6) and puts a
 * length-prefixed tag after each UUID.  len must cover the set exactly
 * (strip the event checksum first).  Returns 0, SL_EPROTO on malformed
 * bytes (message names the byte offset) or SL_EINVAL on a flavour clash,
 * both leaving s unchanged, or SL_ENOMEM (as for gtid_set_parse). */
int gtid_set_decode_mysql(struct gtid_set *s, const uint8_t *p, size_t len,
                          struct sl_err *err);
/* Adds the body of a MariaDB GTID_LIST event to s (a MariaDB or GTID_ANY
 * set): u32 whose low 28 bits count the entries (the top 4 are flags,
 * ignored), then (domain u32, server_id u32, seq_no u64) per entry.  Bytes
 * after the entries are ignored, as the server does (MariaDB 10.5 wrote
 * two after an empty list).  Errors as for gtid_set_decode_mysql. */
int gtid_set_decode_mariadb(struct gtid_set *s, const uint8_t *p, size_t len,
                            struct sl_err *err);
/* Appends s in MySQL's binary form (COM_BINLOG_DUMP_GTID), the untagged
 * form unless s holds tagged GTIDs.  SL_EINVAL for a MariaDB set,
 * SL_ENOMEM if out ran out of memory. */
int gtid_set_encode_mysql(const struct gtid_set *s, struct sbuf *out,
                          struct sl_err *err);

/* Set algebra */

/* Adds one GTID.  MySQL: inserts g's gno; adding the gno right after the
 * last one of that UUID and tag (the streaming case) is O(1) amortized.
 * MariaDB: the domain's entry becomes g if g's seq_no is higher (or the
 * domain is new).  SL_EINVAL on a flavour clash, gno 0 or above
 * GTID_MAX_GNO, or a bad tag; SL_ENOMEM (s unchanged). */
int gtid_set_add(struct gtid_set *s, const struct gtid *g, struct sl_err *err);
/* True if s holds g (MariaDB: domain present with seq_no >= g's).
 * A GTID of the other flavour is never contained.  O(log n). */
bool gtid_set_contains(const struct gtid_set *s, const struct gtid *g);
/* a |= b.  MariaDB: per-domain maximum of seq_no.  SL_EINVAL on a flavour
 * clash (a unchanged), SL_ENOMEM (a is still valid, holding all of its
 * old GTIDs and possibly some of b's). */
int gtid_set_union(struct gtid_set *a, const struct gtid_set *b,
                   struct sl_err *err);
/* a -= b.  MySQL: exact set difference.  MariaDB: a position cannot hold a
 * range, so a domain is removed from a when b's seq_no for it is >= a's,
 * and kept whole otherwise (a is ahead there).  Errors as for union (on
 * SL_ENOMEM, a has possibly lost some of b's GTIDs). */
int gtid_set_subtract(struct gtid_set *a, const struct gtid_set *b,
                      struct sl_err *err);
/* Same GTIDs (MariaDB: same domains, server_ids and seq_nos).  Empty sets
 * are equal whatever their flavours. */
bool gtid_set_equal(const struct gtid_set *a, const struct gtid_set *b);
/* True if every GTID of a is in b (MariaDB: each domain of a is in b with
 * a seq_no >= a's).  The empty set is a subset of any set; a non-empty set
 * is never a subset of a set of the other flavour. */
bool gtid_set_is_subset(const struct gtid_set *a, const struct gtid_set *b);

#endif
