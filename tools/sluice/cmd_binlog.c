/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/sluice/cmd_binlog.c: `sluice binlog [--json] [--start-position N]
 * [--stop-position N] [--stats] FILE...`: decodes local binlog files.
 * Text mode prints one line per event ("# at OFFSET TYPE …") and one per
 * row change ("db.table INSERT (…)"); --json prints one JSON object per
 * row change; --stats decodes every row and cell but prints only totals
 * (the decode-only benchmark).  Output goes through one reused buffer
 * flushed in large writes.
 */
#include "cmd.h"

#include "core/bytes.h"
#include "core/decode.h"
#include "core/sbuf.h"
#include "core/value.h"
#include "core/json_bin.h"
#include "io/binlog_file.h"
#include "io/binlog_stream.h"
#include "job.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum out_mode { OUT_TEXT, OUT_JSON, OUT_STATS };

struct opts {
	enum out_mode mode;
	uint64_t start, stop;
	bool verify;
	const char *remote;    /* job file: read its source's stream */
	bool to_end;           /* remote: stop at the end of the binlog */
	uint32_t server_id;    /* remote: our replica id */
	unsigned heartbeat_ms; /* remote */
	uint64_t max_events;   /* remote: stop after about this many bytes */
};

struct totals {
	uint64_t events, rows, bytes, skipped;
};

static int flush_out(struct sbuf *o)
{
	size_t off = 0;

	while (off < o->len) {
		ssize_t n = write(STDOUT_FILENO, o->p + off, o->len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)n;
	}
	sbuf_reset(o);
	return 0;
}

/* Text with control characters shown as escapes, in double quotes. */
static void put_quoted(struct sbuf *o, const char *s, size_t n)
{
	size_t i = 0;

	sbuf_putc(o, '"');
	while (i < n) {
		size_t run = i;
		unsigned char c;

		/* Copy runs of plain bytes at once: most text needs no
		 * escape.  The SIMD scan stops at ' and non-ASCII too; the
		 * byte loop takes those (they print as they are). */
		for (;;) {
			run +=
			    value_plain_run((const uint8_t *)s + run, n - run);
			if (run < n &&
			    (s[run] == '\'' || (unsigned char)s[run] >= 0x80))
				run++;
			else
				break;
		}
		while (run < n && (unsigned char)s[run] >= 0x20 &&
		       s[run] != '"' && s[run] != '\\' && s[run] != 0x7f)
			run++;
		sbuf_put(o, s + i, run - i);
		if (run == n)
			break;
		c = (unsigned char)s[run];
		if (c == '\n')
			sbuf_put(o, "\\n", 2);
		else if (c == '\r')
			sbuf_put(o, "\\r", 2);
		else if (c == '\t')
			sbuf_put(o, "\\t", 2);
		else if (c == '"' || c == '\\') {
			sbuf_putc(o, '\\');
			sbuf_putc(o, (char)c);
		} else {
			static const char hex[] = "0123456789abcdef";
			char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};

			sbuf_put(o, e, 4);
		}
		i = run + 1;
	}
	sbuf_putc(o, '"');
}

/* " key=value" without printf: these run once per event. */
static void put_kv(struct sbuf *o, const char *key, uint64_t v)
{
	sbuf_puts(o, key);
	sbuf_u64(o, v);
}

/* " key=0x" and v in lowercase hex, without leading zeros. */
static void put_hex(struct sbuf *o, const char *key, uint64_t v)
{
	static const char hex[] = "0123456789abcdef";
	char t[16];
	int n = 0;

	sbuf_puts(o, key);
	do {
		t[n++] = hex[v & 15];
		v >>= 4;
	} while (v != 0);
	while (n > 0)
		sbuf_putc(o, t[--n]);
}

static void put_table(struct sbuf *o, const struct table_map *tm)
{
	sbuf_put(o, tm->db.p, tm->db.len);
	sbuf_putc(o, '.');
	sbuf_put(o, tm->table.p, tm->table.len);
}

static void put_event_line(struct sbuf *o, const struct decoder *dc,
                           const struct event *ev)
{
	const char *name = event_type_name(ev->h.type);

	put_kv(o, "# at ", ev->pos);
	sbuf_putc(o, ' ');
	if (name)
		sbuf_puts(o, name);
	else
		put_kv(o, "UNKNOWN_", ev->h.type);
	put_kv(o, " end=", ev->h.log_pos);
	put_kv(o, " size=", ev->h.size);
	put_kv(o, " server=", ev->h.server_id);
	put_kv(o, " ts=", ev->h.timestamp);
	if (ev->inner)
		sbuf_puts(o, " inner");
	switch (ev->kind) {
	case DEC_FDE:
		sbuf_printf(o, " version=%s binlog=%u checksum=%s",
		            ev->u.fde.server_version, ev->u.fde.binlog_version,
		            ev->u.fde.checksum_alg == 1 ? "CRC32" : "NONE");
		break;
	case DEC_QUERY:
		put_kv(o, " thread=", ev->u.query.thread_id);
		put_kv(o, " exec=", ev->u.query.exec_time);
		put_kv(o, " err=", ev->u.query.error_code);
		sbuf_puts(o, " db=");
		put_quoted(o, ev->u.query.db.p, ev->u.query.db.len);
		if (ev->u.query.has_sql_mode)
			put_hex(o, " sql_mode=0x", ev->u.query.sql_mode);
		if (ev->u.query.has_charset) {
			put_kv(o, " charset=", ev->u.query.charset_client);
			put_kv(o, ",", ev->u.query.collation_conn);
			put_kv(o, ",", ev->u.query.collation_server);
		}
		if (ev->u.query.time_zone.len) {
			sbuf_puts(o, " time_zone=");
			put_quoted(o, ev->u.query.time_zone.p,
			           ev->u.query.time_zone.len);
		}
		if (ev->u.query.compressed)
			sbuf_puts(o, " compressed");
		sbuf_puts(o, " query=");
		put_quoted(o, ev->u.query.query.p, ev->u.query.query.len);
		break;
	case DEC_ROTATE:
		sbuf_puts(o, " file=");
		put_quoted(o, ev->u.rotate.file.p, ev->u.rotate.file.len);
		sbuf_printf(o, " pos=%" PRIu64, ev->u.rotate.position);
		break;
	case DEC_XID: put_kv(o, " xid=", ev->u.xid.xid); break;
	case DEC_TABLE_MAP: {
		const struct table_map *tm = ev->u.table_map.tm;

		put_kv(o, " table_id=", tm->table_id);
		sbuf_putc(o, ' ');
		put_table(o, tm);
		put_kv(o, " cols=", tm->n_cols);
		sbuf_puts(o, " (");
		for (uint32_t i = 0; i < tm->n_cols; i++) {
			const struct column *c = &tm->cols[i];

			if (i)
				sbuf_puts(o, ", ");
			if (c->name.len) {
				sbuf_put(o, c->name.p, c->name.len);
				sbuf_putc(o, ' ');
			}
			sbuf_puts(o, coltype_name(c->type));
			if (c->is_unsigned)
				sbuf_puts(o, " UNSIGNED");
			if (c->flags & COLF_PRIMARY_KEY)
				sbuf_puts(o, " PK");
		}
		sbuf_putc(o, ')');
		break;
	}
	case DEC_ROWS: {
		const struct table_map *tm = ev->u.rows.tm;

		put_kv(o, " table_id=", tm->table_id);
		sbuf_putc(o, ' ');
		put_table(o, tm);
		put_hex(o, " flags=0x", ev->u.rows.flags);
		if (ev->u.rows.compressed)
			sbuf_puts(o, " compressed");
		break;
	}
	case DEC_GTID:
		sbuf_puts(o, " gtid=");
		sbuf_puts(o,
		          decoder_gtid(dc)[0] ? decoder_gtid(dc) : "ANONYMOUS");
		if (ev->u.gtid.last_committed || ev->u.gtid.sequence_number)
			sbuf_printf(o,
			            " last_committed=%" PRIu64
			            " sequence_number=%" PRIu64,
			            ev->u.gtid.last_committed,
			            ev->u.gtid.sequence_number);
		if (ev->u.gtid.commit_id)
			sbuf_printf(o, " cid=%" PRIu64, ev->u.gtid.commit_id);
		if (ev->h.type == EVENT_MARIA_GTID)
			put_hex(o, " flags=0x", ev->u.gtid.flags);
		break;
	case DEC_GTID_SET:
		sbuf_printf(o, " set=%.*s", (int)ev->u.gtid_set.text.len,
		            ev->u.gtid_set.text.p);
		break;
	case DEC_PAYLOAD:
		sbuf_printf(
		    o, " compression=%s size=%" PRIu64 " uncompressed=%" PRIu64,
		    ev->u.payload.compression == 0 ? "zstd" : "none",
		    ev->u.payload.compressed_len,
		    ev->u.payload.uncompressed_len);
		break;
	case DEC_TEXT:
		sbuf_putc(o, ' ');
		put_quoted(o, ev->u.text.p, ev->u.text.len);
		break;
	case DEC_INTVAR:
		sbuf_printf(o, " type=%u value=%" PRIu64, ev->u.intvar.type,
		            ev->u.intvar.value);
		break;
	case DEC_RAND:
		sbuf_printf(o, " seed1=%" PRIu64 " seed2=%" PRIu64,
		            ev->u.rand.seed1, ev->u.rand.seed2);
		break;
	case DEC_USER_VAR:
		sbuf_printf(o, " name=@%.*s%s", (int)ev->u.user_var.name.len,
		            ev->u.user_var.name.p,
		            ev->u.user_var.is_null ? " NULL" : "");
		break;
	case DEC_XA_PREPARE:
		sbuf_printf(o, " one_phase=%d", ev->u.xa.one_phase);
		break;
	case DEC_INCIDENT:
		sbuf_printf(o, " incident=%u ", ev->u.incident.type);
		put_quoted(o, ev->u.incident.message.p,
		           ev->u.incident.message.len);
		break;
	case DEC_HEARTBEAT:
		sbuf_puts(o, " file=");
		put_quoted(o, ev->u.heartbeat.file.p, ev->u.heartbeat.file.len);
		put_kv(o, " pos=", ev->u.heartbeat.position);
		break;
	case DEC_SKIPPED:
		sbuf_puts(o, " skipped (unknown type, flagged ignorable)");
		break;
	default: break;
	}
	sbuf_putc(o, '\n');
}

static int put_cells(struct sbuf *o, const struct table_map *tm,
                     const struct cell *cells, enum value_fmt fmt,
                     struct sl_err *err)
{
	for (uint32_t i = 0; i < tm->n_cols; i++) {
		const struct cell *c = &cells[i];
		int rc;

		if (i)
			sbuf_puts(o, fmt == VALUE_JSON ? "," : ", ");
		switch (c->state) {
		case CELL_NULL:
			sbuf_puts(o, fmt == VALUE_JSON ? "null" : "NULL");
			break;
		case CELL_ABSENT:
			sbuf_puts(o, fmt == VALUE_JSON ? "{\"absent\":true}"
			                               : "~");
			break;
		case CELL_JSON_DIFF: {
			char expr[16];
			struct sbuf t;

			snprintf(expr, sizeof(expr), "@%u", i + 1);
			sbuf_init(&t);
			/* The cell holds a 4-byte length, then the diffs. */
			rc = c->len < 4
			         ? SL_EPROTO
			         : json_diff_to_text(c->p + 4, c->len - 4, expr,
			                             &t, err);
			if (rc == 0) {
				if (fmt == VALUE_JSON) {
					sbuf_puts(o, "{\"json_diff\":");
					value_json_string(o, t.p, t.len);
					sbuf_putc(o, '}');
				} else {
					sbuf_put(o, t.p, t.len);
				}
			}
			sbuf_deinit(&t);
			if (rc)
				return rc;
			break;
		}
		default:
			rc = value_format(&tm->cols[i], c->p, c->len, fmt, o,
			                  err);
			if (rc)
				return rc;
			break;
		}
	}
	return 0;
}

static void put_name(struct sbuf *o, const struct col_str *s)
{
	if (value_utf8_valid((const uint8_t *)s->p, s->len))
		value_json_string(o, s->p, s->len);
	else
		value_json_string(o, "?", 1);
}

static int put_row(struct sbuf *o, enum out_mode mode, const struct decoder *dc,
                   const struct event *ev, const struct row_change *r,
                   struct sl_err *err)
{
	const struct table_map *tm = r->tm;
	int rc = 0;

	if (mode == OUT_TEXT) {
		put_table(o, tm);
		sbuf_putc(o, ' ');
		sbuf_puts(o, row_op_name(r->op));
		sbuf_puts(o, " (");
		rc = put_cells(o, tm, r->before ? r->before : r->after,
		               VALUE_SQL, err);
		if (rc == 0 && r->before && r->after) {
			sbuf_puts(o, ") -> (");
			rc = put_cells(o, tm, r->after, VALUE_SQL, err);
		}
		sbuf_puts(o, ")\n");
		return rc;
	}
	put_kv(o, "{\"pos\":", ev->pos);
	put_kv(o, ",\"ts\":", ev->h.timestamp);
	sbuf_puts(o, ",\"gtid\":");
	if (decoder_gtid(dc)[0])
		value_json_string(o, decoder_gtid(dc),
		                  strlen(decoder_gtid(dc)));
	else
		sbuf_puts(o, "null");
	sbuf_puts(o, ",\"db\":");
	put_name(o, &tm->db);
	sbuf_puts(o, ",\"table\":");
	put_name(o, &tm->table);
	sbuf_puts(o, ",\"op\":\"");
	sbuf_puts(o, row_op_name(r->op));
	sbuf_putc(o, '"');
	if (tm->has_names) {
		sbuf_puts(o, ",\"cols\":[");
		for (uint32_t i = 0; i < tm->n_cols; i++) {
			if (i)
				sbuf_putc(o, ',');
			put_name(o, &tm->cols[i].name);
		}
		sbuf_putc(o, ']');
	}
	if (r->before) {
		sbuf_puts(o, ",\"before\":[");
		rc = put_cells(o, tm, r->before, VALUE_JSON, err);
		sbuf_putc(o, ']');
	}
	if (rc == 0 && r->after) {
		sbuf_puts(o, ",\"after\":[");
		rc = put_cells(o, tm, r->after, VALUE_JSON, err);
		sbuf_putc(o, ']');
	}
	sbuf_puts(o, "}\n");
	return rc;
}

/* Walks every cell of a row, as the pipeline would, without text. */
static uint64_t touch_row(const struct row_change *r)
{
	uint64_t acc = 0;

	for (uint32_t i = 0; i < r->tm->n_cols; i++) {
		if (r->before)
			acc += r->before[i].len;
		if (r->after)
			acc += r->after[i].len;
	}
	return acc;
}

/* Decodes one event (and any inner events) into o.  show: print it. */
static int emit_event(struct decoder *dc, const uint8_t *buf, size_t len,
                      uint64_t pos, bool show, const struct opts *op,
                      struct sbuf *o, uint64_t *sink, struct sl_err *err)
{
	const struct event *ev;
	int rc = decoder_feed(dc, buf, len, pos, err);

	if (rc)
		return rc;
	while ((rc = decoder_next(dc, &ev, err)) > 0) {
		struct row_change row;

		if (show && op->mode == OUT_TEXT)
			put_event_line(o, dc, ev);
		if (ev->kind != DEC_ROWS || !show)
			continue;
		while ((rc = decoder_row(dc, &row, err)) > 0) {
			if (op->mode == OUT_STATS)
				*sink += touch_row(&row);
			else if ((rc = put_row(o, op->mode, dc, ev, &row,
			                       err)) != 0)
				break;
		}
		if (rc < 0) {
			if (!err->has_pos)
				sl_err_ctx(err,
				           "at offset %" PRIu64 ": %s rows "
				           "event",
				           ev->pos,
				           event_type_name(ev->h.type));
			return rc;
		}
	}
	return rc;
}

static void add_totals(struct totals *t, const struct decoder *dc)
{
	t->events += decoder_stats(dc)->events;
	t->rows += decoder_stats(dc)->rows;
	t->bytes += decoder_stats(dc)->bytes;
	t->skipped += decoder_stats(dc)->skipped_unknown;
}

static int decode_file(const char *path, const struct opts *op, struct sbuf *o,
                       struct totals *t, uint64_t *sink)
{
	struct sl_err err;
	struct binlog_file *f = NULL;
	struct decoder *dc = decoder_new();
	const uint8_t *buf;
	size_t len;
	uint64_t pos;
	int rc;
	bool seeked = op->start <= 4;

	sl_err_clear(&err);
	if (dc == NULL) {
		fprintf(stderr, "sluice binlog: %s: out of memory\n", path);
		return 1;
	}
	decoder_set_verify_checksums(dc, op->verify);
	rc = binlog_file_open(path, &f, &err);
	while (rc == 0 &&
	       (rc = binlog_file_next(f, &buf, &len, &pos, &err)) > 0) {
		if (op->stop && pos >= op->stop)
			break;
		rc = emit_event(dc, buf, len, pos, pos >= op->start, op, o,
		                sink, &err);
		if (rc < 0)
			break;
		rc = 0;
		if (o->len >= (1u << 20) && flush_out(o) != 0) {
			rc = sl_err_sys(&err, errno, "write to stdout");
			break;
		}
		if (!seeked) {
			/* The FDE is read; now jump to the start offset. */
			seeked = true;
			rc = binlog_file_seek(f, op->start, &err);
			if (rc)
				break;
		}
	}
	add_totals(t, dc);
	binlog_file_close(f);
	decoder_free(dc);
	if (flush_out(o) != 0 && rc >= 0)
		rc = sl_err_sys(&err, errno, "write to stdout");
	if (rc < 0) {
		fprintf(stderr, "sluice binlog: %s: %s\n", path, err.msg);
		return 1;
	}
	return 0;
}

/* --remote JOB.yaml: the job's source over the replication stream, from
 * the job's start position.  Output of a transaction cut by a lost
 * connection is dropped (the stream resends it whole); it is flushed at
 * transaction ends only. */
static int decode_remote(const char *job, const struct opts *op, struct sbuf *o,
                         struct totals *t, uint64_t *sink)
{
	struct job_config *cfg = job_load("binlog", job);
	struct stream_opts so;
	struct binlog_stream *s = NULL;
	struct decoder *dc = NULL;
	struct sl_err err;
	size_t mark = 0;
	uint64_t n = 0;
	int rc;

	if (cfg == NULL)
		return 2;
	job_stream_opts(cfg, &so);
	if (op->server_id)
		so.server_id = op->server_id;
	so.non_block = op->to_end;
	so.heartbeat_ms = op->heartbeat_ms;
	sl_err_clear(&err);
	dc = decoder_new();
	if (dc)
		decoder_set_verify_checksums(dc, op->verify);
	rc = dc ? stream_open(&so, &s, &err)
	        : sl_err_set(&err, SL_ENOMEM, "out of memory");
	while (rc == 0) {
		const uint8_t *ev;
		size_t len;

		rc = stream_next(s, &ev, &len, &err);
		if (rc == STREAM_END) {
			break;
		} else if (rc == STREAM_RECONNECTED) {
			o->len = mark; /* that transaction comes again */
			if (op->mode == OUT_TEXT)
				sbuf_printf(
				    o,
				    "# reconnected: resuming at %s:%" PRIu64
				    " gtid %s\n",
				    stream_file(s), stream_position(s),
				    stream_gtid(s));
		} else if (rc == STREAM_EVENT) {
			decoder_set_stream_checksum(dc, stream_has_crc(s));
			/* The offset in the source's file, from log_pos. */
			uint32_t end = get_u32le(ev + 13);
			uint64_t at = end >= len ? end - len : 0;

			rc = emit_event(dc, ev, len, at, true, op, o, sink,
			                &err);
			if (rc < 0)
				break;
			n += len;
		} else {
			break;
		}
		rc = 0;
		if (!stream_in_txn(s)) {
			if (flush_out(o) != 0) {
				rc = sl_err_sys(&err, errno, "write to stdout");
				break;
			}
			mark = 0;
			if (op->max_events && n >= op->max_events)
				break;
		}
	}
	if (dc)
		add_totals(t, dc);
	if (rc >= 0 && flush_out(o) != 0)
		rc = sl_err_sys(&err, errno, "write to stdout");
	if (rc < 0) {
		char where[300];
		size_t wl;

		/* The connection layer may already name host:port. */
		wl = (size_t)snprintf(where, sizeof(where),
		                      "%s:%u: ", cfg->source.host,
		                      cfg->source.port);
		fprintf(stderr, "sluice binlog: source %s:%u: %s\n",
		        cfg->source.host, cfg->source.port,
		        strncmp(err.msg, where, wl) == 0 ? err.msg + wl
		                                         : err.msg);
	}
	stream_close(s);
	decoder_free(dc);
	job_config_free(cfg);
	return rc < 0 ? 1 : 0;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	return (errno || end == s || *end) ? -1 : 0;
}

static void binlog_usage(FILE *out)
{
	fprintf(out,
	        "usage: sluice binlog [--json | --stats] [--start-position N] "
	        "[--stop-position N] [--no-verify] FILE...\n"
	        "  --json              one JSON object per row change\n"
	        "  --stats             decode everything, print only totals\n"
	        "  --start-position N  first event offset to show\n"
	        "  --stop-position N   stop before the event at offset >= N\n"
	        "  --no-verify         skip CRC32 checks\n");
}

static void print_stats(const struct totals *t, int nfiles,
                        const struct timespec *t0, const struct timespec *t1,
                        uint64_t sink)
{
	double s = (double)(t1->tv_sec - t0->tv_sec) +
	           (double)(t1->tv_nsec - t0->tv_nsec) / 1e9;

	printf("files %d events %" PRIu64 " rows %" PRIu64 " bytes %" PRIu64
	       " skipped %" PRIu64 " seconds %.3f MB/s %.1f rows/s %.0f "
	       "(cells %" PRIu64 ")\n",
	       nfiles, t->events, t->rows, t->bytes, t->skipped, s,
	       s > 0 ? (double)t->bytes / 1e6 / s : 0.0,
	       s > 0 ? (double)t->rows / s : 0.0, sink);
}

int cmd_binlog(int argc, char **argv)
{
	struct opts op = {.mode = OUT_TEXT, .verify = true};
	struct totals t = {0};
	struct sbuf o;
	struct timespec t0, t1;
	uint64_t sink = 0;
	int i, status = 0, nfiles = 0;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--json"))
			op.mode = OUT_JSON;
		else if (!strcmp(a, "--stats"))
			op.mode = OUT_STATS;
		else if (!strcmp(a, "--no-verify"))
			op.verify = false;
		else if (!strcmp(a, "--to-end"))
			op.to_end = true;
		else if (!strcmp(a, "--remote") && i + 1 < argc)
			op.remote = argv[++i];
		else if ((!strcmp(a, "--server-id") ||
		          !strcmp(a, "--heartbeat-ms") ||
		          !strcmp(a, "--max-bytes")) &&
		         i + 1 < argc) {
			uint64_t v;

			if (parse_u64(argv[++i], &v) || v > UINT32_MAX) {
				fprintf(stderr,
				        "sluice binlog: %s wants a number, got "
				        "'%s'\n",
				        a, argv[i]);
				return 2;
			}
			if (a[2] == 's')
				op.server_id = (uint32_t)v;
			else if (a[2] == 'h')
				op.heartbeat_ms = (unsigned)v;
			else
				op.max_events = v;
		} else if ((!strcmp(a, "--start-position") ||
		            !strcmp(a, "--stop-position")) &&
		           i + 1 < argc) {
			uint64_t *dst =
			    a[2] == 's' && a[4] == 'a' ? &op.start : &op.stop;

			if (parse_u64(argv[++i], dst)) {
				fprintf(stderr,
				        "sluice binlog: %s wants a "
				        "byte offset, got '%s'\n",
				        a, argv[i]);
				return 2;
			}
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			binlog_usage(stdout);
			return 0;
		} else if (!strcmp(a, "--")) {
			i++;
			break;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "sluice binlog: unknown option '%s'\n",
			        a);
			binlog_usage(stderr);
			return 2;
		} else {
			break;
		}
	}
	if (op.remote != NULL) {
		int rc;

		if (i < argc) {
			fprintf(stderr,
			        "sluice binlog: --remote reads no FILE\n");
			return 2;
		}
		sbuf_init(&o);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		rc = decode_remote(op.remote, &op, &o, &t, &sink);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (op.mode == OUT_STATS)
			print_stats(&t, 1, &t0, &t1, sink);
		sbuf_deinit(&o);
		return rc;
	}
	if (i >= argc) {
		fprintf(stderr, "sluice binlog: no FILE given\n");
		binlog_usage(stderr);
		return 2;
	}
	sbuf_init(&o);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (; i < argc; i++, nfiles++)
		if (decode_file(argv[i], &op, &o, &t, &sink) != 0) {
			status = 1;
			break;
		}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (op.mode == OUT_STATS)
		print_stats(&t, nfiles, &t0, &t1, sink);
	sbuf_deinit(&o);
	return status;
}
