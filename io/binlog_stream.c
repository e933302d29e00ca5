/* SPDX-License-Identifier: Apache-2.0 */
/*
 * io/binlog_stream.c: the replication stream (see binlog_stream.h).
 * The stream reads only what it needs from each event header to keep its
 * resume point: ROTATE (file), MariaDB/MySQL GTID (the transaction's
 * GTID), XID, COMMIT/ROLLBACK or a statement outside BEGIN (the end of a
 * transaction: its log_pos becomes the resume position and its GTID joins
 * the resume set).  Decoding proper is core/decode.c's job.
 */
#include "binlog_stream.h"

#include "core/bytes.h"
#include "core/event.h"
#include "core/gtid.h"
#include "core/mem.h"
#include "core/sbuf.h"
#include "core/stmt.h"
#include "io/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct binlog_stream {
	struct stream_opts o;
	struct conn *c;
	bool mariadb;
	bool crc;      /* events end with a CRC32 */
	bool use_gtid; /* resume by GTID (set once GTIDs were seen/given) */
	bool in_txn;
	bool began; /* inside BEGIN … COMMIT */
	bool ended;
	char file[256]; /* resume point: after the last whole transaction */
	uint64_t pos;
	char cur_file[256];
	struct gtid_set *done; /* GTIDs of the transactions delivered whole */
	struct gtid pending;   /* GTID of the transaction being read */
	bool have_pending;
	struct sbuf text; /* GTID text scratch */
	unsigned reconnects;
	uint64_t heartbeats;
	unsigned quiet_ms; /* waited without a packet (idle_ms steps) */
};

const char *stream_file(const struct binlog_stream *s)
{
	return s->file;
}

uint64_t stream_position(const struct binlog_stream *s)
{
	return s->pos;
}

bool stream_has_crc(const struct binlog_stream *s)
{
	return s->crc;
}

bool stream_in_txn(const struct binlog_stream *s)
{
	return s->in_txn;
}

bool stream_is_mariadb(const struct binlog_stream *s)
{
	return s->mariadb;
}

unsigned stream_reconnects(const struct binlog_stream *s)
{
	return s->reconnects;
}

uint64_t stream_heartbeats(const struct binlog_stream *s)
{
	return s->heartbeats;
}

const char *stream_gtid(const struct binlog_stream *s)
{
	struct sbuf *t = (struct sbuf *)&s->text;

	sbuf_reset(t);
	gtid_set_format(s->done, t);
	return sbuf_cstr(t);
}

void stream_break(struct binlog_stream *s)
{
	if (s->c)
		conn_shutdown(s->c);
}

static unsigned heartbeat_ms(const struct binlog_stream *s)
{
	return s->o.heartbeat_ms ? s->o.heartbeat_ms : 1000;
}

static int exec(struct binlog_stream *s, const char *sql, struct sl_err *err)
{
	return conn_query(s->c, sql, NULL, err);
}

/* Prechecks that decide whether streaming can work at all. */
static int precheck(struct binlog_stream *s, struct sl_err *err)
{
	static const struct {
		const char *var, *want, *fix;
	} need[] = {
	    {"log_bin", "1", "start the server with log_bin (binary logging)"},
	    {"binlog_format", "ROW", "SET GLOBAL binlog_format=ROW"},
	    {"binlog_row_image", "FULL", "SET GLOBAL binlog_row_image=FULL"},
	};
	int rc = 0;

	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]) && rc == 0; i++) {
		char *v = NULL;

		rc = source_variable(s->c, need[i].var, &v, err);
		if (rc == 0 && v != NULL && strcasecmp(v, need[i].want) != 0 &&
		    !(i == 0 && strcasecmp(v, "ON") == 0))
			rc = sl_err_set(err, SL_EINVAL,
			                "source %s: %s is %s, sluice needs %s: "
			                "%s",
			                conn_server_version(s->c), need[i].var,
			                v, need[i].want, need[i].fix);
		sl_free(v);
	}
	if (rc == 0 && !s->mariadb && s->o.start == STREAM_START_GTID) {
		char *v = NULL;

		rc = source_variable(s->c, "gtid_mode", &v, err);
		if (rc == 0 && (v == NULL || strcasecmp(v, "ON") != 0))
			rc = sl_err_set(
			    err, SL_EINVAL,
			    "source %s: gtid_mode is %s, a GTID start "
			    "needs ON (see docs/user-guide.md, "
			    "enabling GTID)",
			    conn_server_version(s->c), v ? v : "unsupported");
		sl_free(v);
	}
	return rc;
}

/* Connects and starts the dump at the resume point. */
static int start(struct binlog_stream *s, bool first, struct sl_err *err)
{
	struct sbuf cmd;
	char sql[512];
	char *alg = NULL;
	uint16_t flags = s->o.non_block ? MYPROTO_DUMP_NON_BLOCK : 0;
	int rc;

	rc = conn_open(&s->o.conn, &s->c, err);
	if (rc)
		return rc;
	s->mariadb = conn_is_mariadb(s->c);
	if (first) {
		struct gtid_set *g =
		    gtid_set_new(s->mariadb ? GTID_MARIADB : GTID_MYSQL);

		if (g == NULL)
			return sl_err_set(err, SL_ENOMEM, "out of memory");
		gtid_set_free(s->done);
		s->done = g;
		rc = precheck(s, err);
		if (rc)
			return rc;
		if (s->o.start == STREAM_START_NOW) {
			struct source_pos p;

			rc = source_position(s->c, &p, err);
			if (rc)
				return rc;
			snprintf(s->file, sizeof(s->file), "%s", p.file);
			s->pos = p.position;
			if (p.gtid[0] && s->mariadb) {
				rc = gtid_set_parse(s->done, p.gtid,
				                    strlen(p.gtid), err);
				s->use_gtid = rc == 0;
			}
			source_pos_free(&p);
			if (rc)
				return rc;
		} else if (s->o.start == STREAM_START_POSITION) {
			snprintf(s->file, sizeof(s->file), "%s", s->o.file);
			s->pos = s->o.position;
		} else {
			rc = gtid_set_parse(s->done, s->o.gtid,
			                    strlen(s->o.gtid), err);
			if (rc)
				return rc;
			s->use_gtid = true;
		}
	}
	rc = source_variable(s->c, "global.binlog_checksum", &alg, err);
	if (rc)
		return rc;
	s->crc = alg != NULL && strcasecmp(alg, "CRC32") == 0;
	sl_free(alg);
	rc = exec(s,
	          "SET @master_binlog_checksum = @@global.binlog_checksum, "
	          "@source_binlog_checksum = @@global.binlog_checksum",
	          err);
	snprintf(sql, sizeof(sql), "SET @master_heartbeat_period = %llu",
	         (unsigned long long)heartbeat_ms(s) * 1000000ULL);
	if (rc == 0)
		rc = exec(s, sql, err);
	if (rc == 0 && s->mariadb)
		rc = exec(s, "SET @mariadb_slave_capability = 4", err);
	if (rc == 0 && s->mariadb && s->use_gtid) {
		snprintf(sql, sizeof(sql),
		         "SET @slave_connect_state = '%s', "
		         "@slave_gtid_strict_mode = 1, "
		         "@slave_gtid_ignore_duplicates = 0",
		         stream_gtid(s));
		rc = exec(s, sql, err);
	}
	if (rc)
		return rc;
	sbuf_init(&cmd);
	rc = myproto_build_register_slave(&cmd, s->o.server_id, "", "", "", 0,
	                                  0, 0, err);
	if (rc == 0)
		rc = conn_send_command(s->c, (const uint8_t *)cmd.p, cmd.len,
		                       err);
	if (rc == 0) {
		struct myproto_packet pkt;

		rc = conn_next_packet(s->c, 30000, &pkt, err);
		if (rc > 0 && pkt.len && pkt.p[0] == MYPROTO_ERR) {
			struct myproto_errpkt e;

			rc = myproto_parse_err(pkt.p, pkt.len, &e, err);
			if (rc == 0)
				rc = myproto_server_error(&e, err);
			sl_err_ctx(err,
			           "COM_REGISTER_SLAVE (server_id %u; "
			           "the user needs REPLICATION SLAVE)",
			           s->o.server_id);
		} else if (rc > 0) {
			rc = 0;
		}
	}
	sbuf_reset(&cmd);
	if (rc == 0) {
		if (s->use_gtid && !s->mariadb) {
			struct sbuf enc;

			sbuf_init(&enc);
			rc = gtid_set_encode_mysql(s->done, &enc, err);
			if (rc == 0)
				rc = myproto_build_binlog_dump_gtid(
				    &cmd, flags | MYPROTO_DUMP_THROUGH_GTID,
				    s->o.server_id, "", 4,
				    (const uint8_t *)enc.p, enc.len, err);
			sbuf_deinit(&enc);
		} else {
			rc = myproto_build_binlog_dump(
			    &cmd, s->use_gtid ? 4 : (uint32_t)s->pos, flags,
			    s->o.server_id, s->use_gtid ? "" : s->file, err);
		}
	}
	if (rc == 0)
		rc = conn_send_command(s->c, (const uint8_t *)cmd.p, cmd.len,
		                       err);
	sbuf_deinit(&cmd);
	s->in_txn = false;
	s->began = false;
	s->have_pending = false;
	return rc;
}

int stream_open(const struct stream_opts *o, struct binlog_stream **out,
                struct sl_err *err)
{
	struct binlog_stream *s = sl_calloc(1, sizeof(*s));
	int rc;

	if (s == NULL)
		return sl_err_set(err, SL_ENOMEM, "out of memory");
	s->o = *o;
	sbuf_init(&s->text);
	if (o->start == STREAM_START_POSITION &&
	    (o->file == NULL || o->file[0] == '\0')) {
		stream_close(s);
		return sl_err_set(err, SL_EINVAL,
		                  "start at a position needs a binlog file");
	}
	rc = start(s, true, err);
	if (rc) {
		stream_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

void stream_close(struct binlog_stream *s)
{
	if (s == NULL)
		return;
	conn_close(s->c);
	gtid_set_free(s->done);
	sbuf_deinit(&s->text);
	sl_free(s);
}

/* The statement text of a QUERY event, or false if malformed. */
static bool query_text(const struct binlog_stream *s, const uint8_t *ev,
                       size_t len, const char **q, size_t *qlen)
{
	const uint8_t *b = ev + EVENT_HEADER_LEN;
	size_t n, off;

	if (len < EVENT_HEADER_LEN + (s->crc ? 4u : 0u) + 13)
		return false;
	n = len - EVENT_HEADER_LEN - (s->crc ? 4 : 0);
	off = 13 + (size_t)get_u16le(b + 11) + b[8] + 1;
	if (off > n)
		return false;
	*q = (const char *)b + off;
	*qlen = n - off;
	return true;
}

static void end_of_txn(struct binlog_stream *s, uint32_t log_pos)
{
	if (log_pos != 0) {
		/* Per transaction: copy the name only when it changed. */
		if (strcmp(s->file, s->cur_file) != 0)
			memcpy(s->file, s->cur_file, sizeof(s->file));
		s->pos = log_pos;
	}
	if (s->have_pending)
		(void)gtid_set_add(s->done, &s->pending, NULL);
	s->have_pending = false;
	s->in_txn = false;
	s->began = false;
}

/* Updates the resume point from one event. */
static void track(struct binlog_stream *s, const uint8_t *ev, size_t len)
{
	uint8_t type = ev[4];
	uint32_t log_pos = get_u32le(ev + 13);
	size_t body = len - EVENT_HEADER_LEN - (s->crc ? 4 : 0);
	const uint8_t *b = ev + EVENT_HEADER_LEN;

	if (len < EVENT_HEADER_LEN + (s->crc ? 4 : 0))
		return;
	switch (type) {
	case EVENT_ROTATE:
		if (body >= 8) {
			snprintf(s->cur_file, sizeof(s->cur_file), "%.*s",
			         (int)(body - 8), (const char *)b + 8);
			if (!s->in_txn) {
				snprintf(s->file, sizeof(s->file), "%s",
				         s->cur_file);
				s->pos = get_u64le(b);
			}
		}
		break;
	case EVENT_MARIA_GTID:
		if (body >= 13) {
			s->pending.flavour = GTID_MARIADB;
			s->pending.mariadb.seq_no = get_u64le(b);
			s->pending.mariadb.domain_id = get_u32le(b + 8);
			s->pending.mariadb.server_id = get_u32le(ev + 5);
			s->have_pending = true;
			s->in_txn = true;
		}
		break;
	case EVENT_GTID:
		if (body >= 25) {
			s->pending.flavour = GTID_MYSQL;
			memcpy(s->pending.mysql.uuid, b + 1, 16);
			s->pending.mysql.tag[0] = '\0';
			s->pending.mysql.gno = get_u64le(b + 17);
			s->have_pending = true;
			s->in_txn = true;
		}
		break;
	case EVENT_XID: end_of_txn(s, log_pos); break;
	case EVENT_QUERY: {
		/* The same boundaries the pipeline uses: BEGIN and XA START
		 * open a transaction; SAVEPOINT, ROLLBACK TO and the XA
		 * statements are inside one; COMMIT or ROLLBACK close it;
		 * any other statement outside one (DDL) is one by itself.
		 * XA PREPARE is not an end: the rows wait for the next. */
		const char *q;
		size_t n;

		if (!query_text(s, ev, len, &q, &n))
			break;
		switch (stmt_classify(q, n)) {
		case STMT_BEGIN:
			s->began = true;
			s->in_txn = true;
			break;
		case STMT_INSIDE: s->in_txn = true; break;
		case STMT_END: end_of_txn(s, log_pos); break;
		default:
			if (!s->began)
				end_of_txn(s, log_pos);
			break;
		}
		break;
	}
	case EVENT_HEARTBEAT:
	case EVENT_HEARTBEAT_V2: s->heartbeats++; break;
	default:
		if (!s->in_txn && log_pos != 0 &&
		    type != EVENT_FORMAT_DESCRIPTION &&
		    !(get_u16le(ev + 17) & EVENT_F_ARTIFICIAL))
			s->pos = log_pos; /* between transactions */
		break;
	}
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Drops the connection and starts again at the resume point. */
static int reconnect(struct binlog_stream *s, struct sl_err *cause,
                     struct sl_err *err)
{
	unsigned tries = s->o.max_retries ? s->o.max_retries : 10;
	unsigned cap = s->o.backoff_max_ms ? s->o.backoff_max_ms : 5000;
	unsigned wait = 100;
	struct sl_err last = *cause;

	for (unsigned i = 0; i < tries; i++) {
		conn_close(s->c);
		s->c = NULL;
		sleep_ms(wait);
		if (start(s, false, &last) == 0) {
			s->reconnects++;
			return STREAM_RECONNECTED;
		}
		/* A purged position or bad credentials will not heal. */
		if (last.code == SL_ENOTFOUND)
			break;
		wait = wait * 2 > cap ? cap : wait * 2;
	}
	*err = last;
	sl_err_ctx(err, "replication stream lost (%s) and not resumed",
	           cause->msg);
	return err->code ? err->code : SL_EIO;
}

int stream_next(struct binlog_stream *s, const uint8_t **ev, size_t *len,
                struct sl_err *err)
{
	for (;;) {
		struct myproto_packet pkt;
		struct myproto_binlog_packet bp;
		struct sl_err e;
		unsigned wait, left;
		int rc;

		if (s->ended)
			return STREAM_END;
		sl_err_clear(&e);
		/* a dead source is one silent for three heartbeats, however
		 * the wait is cut into idle_ms steps */
		left = heartbeat_ms(s) * 3;
		left = left > s->quiet_ms ? left - s->quiet_ms : 1;
		wait = s->o.idle_ms > 0 && s->o.idle_ms < left ? s->o.idle_ms
		                                               : left;
		rc = conn_next_packet(s->c, (int)wait, &pkt, &e);
		if (rc == SL_ETRUNC && wait < left) {
			s->quiet_ms += wait;
			return STREAM_IDLE;
		}
		s->quiet_ms = 0;
		if (rc > 0) {
			rc = myproto_parse_binlog_packet(pkt.p, pkt.len, false,
			                                 &bp, &e);
			if (rc == MYPROTO_BINLOG_EVENT) {
				if (bp.len < EVENT_HEADER_LEN)
					return sl_err_set(
					    err, SL_EPROTO,
					    "stream: event of %zu "
					    "bytes",
					    bp.len);
				track(s, bp.ev, bp.len);
				*ev = bp.ev;
				*len = bp.len;
				return STREAM_EVENT;
			}
			if (rc == MYPROTO_BINLOG_EOF) {
				if (s->o.non_block) {
					s->ended = true;
					return STREAM_END;
				}
				/* A blocking dump ends only when the source
				 * goes away (shutdown): a lost connection. */
				sl_err_set(&e, SL_EIO,
				           "the source ended the dump (EOF: "
				           "shutting down?)");
			}
			if (rc == SL_ENOTFOUND) {
				*err = e;
				return rc; /* purged or unknown: final */
			}
		}
		if (rc == SL_ETRUNC)
			sl_err_set(&e, SL_EIO,
			           "no event and no heartbeat for %u ms",
			           heartbeat_ms(s) * 3);
		rc = reconnect(s, &e, err);
		if (rc == STREAM_RECONNECTED)
			return rc;
		return rc;
	}
}
