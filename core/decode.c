/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/decode.c: the binlog decoder (see decode.h for the contract).
 * One switch dispatches each event type to one handler.  Handlers read
 * the body in place; the only copies are the inflate buffers for zstd
 * payloads and MariaDB zlib-compressed events, both reused across events.
 * Row images are walked lazily by decoder_row so a consumer that stops
 * early pays nothing for the rest.  Decoder thread only.
 */
#include "decode.h"

#include "bytes.h"
#include "crc32.h"
#include "gtid.h"
#include "mem.h"
#include "sbuf.h"
#include "value.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#define PAYLOAD_MAX ((uint64_t)1 << 32) /* MySQL caps a payload at 4 GiB */

struct rows_state {
	const struct table_map *tm;
	const uint8_t *p, *end;
	const uint8_t *present[2]; /* column bitmaps: before, after image */
	uint32_t n_present[2];
	uint32_t ncols;
	int op;
	bool partial;
	bool active;
};

struct decoder {
	bool have_fde;
	bool verify;
	bool mariadb;
	uint8_t checksum_alg;
	uint8_t ph_len[256]; /* post-header length per type */
	char server_version[51];
	struct tablemap_cache *tables;

	/* the current feed */
	const uint8_t *buf;
	size_t len;
	uint64_t pos;
	bool pending; /* outer event not yet returned */

	/* TRANSACTION_PAYLOAD inner events */
	uint8_t *payload;
	size_t payload_cap, payload_len, payload_off;
	unsigned inner_index;
	ZSTD_DCtx *zstd;

	/* MariaDB compressed events */
	uint8_t *inflate;
	size_t inflate_cap;

	struct rows_state rows;
	struct cell *cells; /* 2 * cells_cap */
	size_t cells_cap;

	struct event ev;
	char gtid_text[160];
	struct sbuf scratch; /* GTID set text */
	struct gtid_set *prev_gtids;
	struct decoder_stats stats;
};

struct decoder *decoder_new(void)
{
	struct decoder *dc = sl_calloc(1, sizeof(*dc));

	if (dc == NULL)
		return NULL;
	dc->verify = true;
	dc->tables = tablemap_cache_new();
	dc->zstd = ZSTD_createDCtx();
	dc->prev_gtids = gtid_set_new(GTID_MYSQL);
	sbuf_init(&dc->scratch);
	if (dc->tables == NULL || dc->zstd == NULL || dc->prev_gtids == NULL) {
		decoder_free(dc);
		return NULL;
	}
	return dc;
}

void decoder_free(struct decoder *dc)
{
	if (dc == NULL)
		return;
	tablemap_cache_free(dc->tables);
	ZSTD_freeDCtx(dc->zstd);
	gtid_set_free(dc->prev_gtids);
	sl_free(dc->payload);
	sl_free(dc->inflate);
	sl_free(dc->cells);
	sbuf_deinit(&dc->scratch);
	sl_free(dc);
}

void decoder_set_verify_checksums(struct decoder *dc, bool on)
{
	dc->verify = on;
}

void decoder_set_stream_checksum(struct decoder *dc, bool crc32)
{
	if (!dc->have_fde)
		dc->checksum_alg = crc32 ? 1 : 0;
}

const char *decoder_gtid(const struct decoder *dc)
{
	return dc->gtid_text;
}

const char *decoder_server_version(const struct decoder *dc)
{
	return dc->server_version;
}

const struct decoder_stats *decoder_stats(const struct decoder *dc)
{
	return &dc->stats;
}

static void read_header(const uint8_t *p, struct event_header *h)
{
	h->timestamp = get_u32le(p);
	h->type = p[4];
	h->server_id = get_u32le(p + 5);
	h->size = get_u32le(p + 9);
	h->log_pos = get_u32le(p + 13);
	h->flags = get_u16le(p + 17);
}

/* Error at the current event: "at offset N: TYPE event: …". */
static int dc_err(struct decoder *dc, struct sl_err *err, int code,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int dc_err(struct decoder *dc, struct sl_err *err, int code,
                  const char *fmt, ...)
{
	char msg[SL_ERR_MSG_CAP / 2];
	char name_buf[16];
	const char *name = event_type_name(dc->ev.h.type);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (name == NULL) {
		snprintf(name_buf, sizeof(name_buf), "type %u", dc->ev.h.type);
		name = name_buf;
	}
	if (dc->ev.inner)
		return sl_err_at(err, code, dc->ev.pos,
		                 "%s event (inner event %u of a "
		                 "TRANSACTION_PAYLOAD): %s",
		                 name, dc->inner_index, msg);
	return sl_err_at(err, code, dc->ev.pos, "%s event: %s", name, msg);
}

/* Version "a.b.c…" as a*10000+b*100+c. */
static unsigned version_number(const char *v)
{
	unsigned part[3] = {0, 0, 0};
	int i = 0;

	for (; *v && i < 3; v++) {
		if (*v >= '0' && *v <= '9')
			part[i] = part[i] * 10 + (unsigned)(*v - '0');
		else if (*v == '.')
			i++;
		else
			break;
	}
	return part[0] * 10000 + part[1] * 100 + part[2];
}

static bool fde_has_checksum_alg(const char *version)
{
	unsigned v = version_number(version);

	if (strstr(version, "MariaDB") || strstr(version, "mariadb"))
		return v >= 50300;
	return v >= 50601;
}

static int check_crc(struct decoder *dc, const uint8_t *buf, size_t len,
                     struct sl_err *err)
{
	uint32_t stored, calc;

	if (len < EVENT_HEADER_LEN + EVENT_CRC_LEN)
		return dc_err(dc, err, SL_EPROTO, "too short for a checksum");
	stored = get_u32le(buf + len - EVENT_CRC_LEN);
	calc = crc32_update(0, buf, len - EVENT_CRC_LEN);
	if (calc == stored)
		return 0;
	if (buf[4] == EVENT_FORMAT_DESCRIPTION &&
	    (get_u16le(buf + 17) & EVENT_F_BINLOG_IN_USE)) {
		/* The server checksums the FDE before it sets "in use". */
		uint8_t flags[2] = {(uint8_t)(buf[17] & ~EVENT_F_BINLOG_IN_USE),
		                    buf[18]};

		calc = crc32_update(0, buf, 17);
		calc = crc32_update(calc, flags, 2);
		calc = crc32_update(calc, buf + 19, len - 19 - EVENT_CRC_LEN);
		if (calc == stored)
			return 0;
	}
	return dc_err(dc, err, SL_ECHECKSUM,
	              "checksum mismatch: stored CRC32 0x%08x, computed "
	              "0x%08x (corrupt or altered bytes)",
	              stored, calc);
}

int decoder_feed(struct decoder *dc, const uint8_t *buf, size_t len,
                 uint64_t pos, struct sl_err *err)
{
	memset(&dc->ev, 0, sizeof(dc->ev));
	dc->ev.pos = pos;
	dc->rows.active = false;
	dc->payload_len = dc->payload_off = 0;
	dc->pending = false;
	if (len < EVENT_HEADER_LEN)
		return sl_err_at(err, SL_ETRUNC, pos,
		                 "event header: %zu bytes, need 19", len);
	read_header(buf, &dc->ev.h);
	if (dc->ev.h.size != len)
		return dc_err(dc, err, SL_EPROTO,
		              "length field says %u bytes, event has %zu",
		              dc->ev.h.size, len);
	dc->buf = buf;
	dc->len = len;
	dc->pos = pos;
	dc->pending = true;
	dc->stats.events++;
	dc->stats.bytes += len;
	return 0;
}

/* ---- per-type handlers ------------------------------------------------ */

static int on_fde(struct decoder *dc, struct sl_err *err)
{
	struct event *ev = &dc->ev;
	const uint8_t *b = ev->body;
	size_t n = ev->body_len, nph;
	bool has_alg;

	if (n < 2 + 50 + 4 + 1)
		return dc_err(dc, err, SL_EPROTO,
		              "body of %zu bytes is too "
		              "short",
		              n);
	ev->kind = DEC_FDE;
	ev->u.fde.binlog_version = get_u16le(b);
	memcpy(ev->u.fde.server_version, b + 2, 50);
	ev->u.fde.server_version[50] = '\0';
	if (ev->u.fde.binlog_version != 4)
		return dc_err(dc, err, SL_EUNSUPPORTED,
		              "binlog version %u (only v4 is supported: "
		              "MySQL >= 5.0)",
		              ev->u.fde.binlog_version);
	if (b[56] != EVENT_HEADER_LEN)
		return dc_err(dc, err, SL_EUNSUPPORTED,
		              "common header length %u (expected 19)", b[56]);
	has_alg = fde_has_checksum_alg(ev->u.fde.server_version);
	/* The body here still holds alg + CRC when present: the caller
	 * trimmed nothing for the FDE. */
	nph = n - 57;
	ev->u.fde.checksum_alg = 0;
	if (has_alg) {
		if (nph < 5)
			return dc_err(dc, err, SL_EPROTO,
			              "no room for the checksum field");
		nph -= 5;
		ev->u.fde.checksum_alg = b[57 + nph];
		if (ev->u.fde.checksum_alg > 1 && ev->u.fde.checksum_alg != 255)
			return dc_err(dc, err, SL_EUNSUPPORTED,
			              "checksum algorithm %u",
			              ev->u.fde.checksum_alg);
		if (ev->u.fde.checksum_alg == 255)
			ev->u.fde.checksum_alg = 0;
	}
	memset(dc->ph_len, 0, sizeof(dc->ph_len));
	if (nph > 255)
		nph = 255;
	memcpy(dc->ph_len + 1, b + 57, nph);
	if (nph >= EVENT_XID && dc->ph_len[EVENT_XID] != 0)
		return dc_err(dc, err, SL_EUNSUPPORTED,
		              "server %s numbers its events unlike any "
		              "released MySQL or MariaDB (XID post-header "
		              "length %u, expected 0): a pre-release build "
		              "whose files cannot be decoded",
		              ev->u.fde.server_version, dc->ph_len[EVENT_XID]);
	memcpy(dc->server_version, ev->u.fde.server_version, 51);
	dc->mariadb = strstr(dc->server_version, "MariaDB") != NULL;
	dc->checksum_alg = ev->u.fde.checksum_alg;
	if (has_alg)
		ev->body_len = n - 5;
	if (dc->have_fde)
		tablemap_cache_clear(dc->tables);
	dc->have_fde = true;
	return 1;
}

/* Inflates a MariaDB-compressed block (0x80|lenlen, BE length, zlib) into
 * dc->inflate. */
static int maria_inflate(struct decoder *dc, const uint8_t *p, size_t n,
                         size_t *out_len, struct sl_err *err)
{
	unsigned lenlen;
	uint64_t orig;
	uLongf dlen;
	int zrc;

	if (n < 1 || !(p[0] & 0x80))
		return dc_err(dc, err, SL_EPROTO,
		              "compressed data lacks its header byte");
	lenlen = p[0] & 7;
	if (((p[0] >> 4) & 7) != 0)
		return dc_err(dc, err, SL_EUNSUPPORTED,
		              "compression algorithm %u", (p[0] >> 4) & 7);
	if (lenlen < 1 || lenlen > 4 || n < 1 + lenlen)
		return dc_err(dc, err, SL_EPROTO,
		              "bad compressed length field");
	orig = get_uintbe(p + 1, lenlen);
	if (orig > dc->inflate_cap) {
		uint8_t *q = sl_realloc(dc->inflate, orig ? orig : 1);

		if (q == NULL)
			return dc_err(dc, err, SL_ENOMEM,
			              "cannot inflate %llu bytes",
			              (unsigned long long)orig);
		dc->inflate = q;
		dc->inflate_cap = orig;
	}
	dlen = (uLongf)orig;
	zrc = uncompress(dc->inflate, &dlen, p + 1 + lenlen,
	                 (uLong)(n - 1 - lenlen));
	if (zrc != Z_OK || dlen != orig)
		return dc_err(dc, err, SL_EPROTO,
		              "zlib inflate failed (%d) or size %lu != %llu",
		              zrc, (unsigned long)dlen,
		              (unsigned long long)orig);
	*out_len = (size_t)orig;
	return 0;
}

/* QUERY status variables: only the ones we report; stop at an unknown
 * code (its size is unknown, and db/query are found by length anyway). */
static void query_status_vars(struct event *ev, const uint8_t *p,
                              const uint8_t *end)
{
	while (p < end) {
		uint8_t code = *p++;
		size_t need;

		switch (code) {
		case 0: need = 4; break; /* flags2 */
		case 1:                  /* sql_mode */
			if (end - p < 8)
				return;
			ev->u.query.sql_mode = get_u64le(p);
			ev->u.query.has_sql_mode = true;
			need = 8;
			break;
		case 2: /* catalog */
			if (p >= end)
				return;
			need = (size_t)*p + 2;
			break;
		case 3: need = 4; break; /* auto_increment */
		case 4:                  /* charset */
			if (end - p < 6)
				return;
			ev->u.query.charset_client = get_u16le(p);
			ev->u.query.collation_conn = get_u16le(p + 2);
			ev->u.query.collation_server = get_u16le(p + 4);
			ev->u.query.has_charset = true;
			need = 6;
			break;
		case 5: /* time_zone */
			if (p >= end || (size_t)(end - p) < 1u + *p)
				return;
			ev->u.query.time_zone.p = (const char *)p + 1;
			ev->u.query.time_zone.len = *p;
			need = (size_t)*p + 1;
			break;
		case 6: /* catalog, no NUL */
			if (p >= end)
				return;
			need = (size_t)*p + 1;
			break;
		case 7: need = 2; break;  /* lc_time_names */
		case 8: need = 2; break;  /* charset_database */
		case 9: need = 8; break;  /* table_map_for_update */
		case 10: need = 4; break; /* master_data_written */
		case 11: {                /* invoker */
			size_t u, h;

			if (p >= end)
				return;
			u = *p;
			if ((size_t)(end - p) < u + 2)
				return;
			h = p[u + 1];
			need = u + h + 2;
			break;
		}
		case 12: { /* updated db names */
			unsigned cnt;
			const uint8_t *q;

			if (p >= end)
				return;
			cnt = *p;
			q = p + 1;
			if (cnt != 254)
				for (unsigned i = 0; i < cnt && q < end; i++) {
					const uint8_t *z =
					    memchr(q, 0, (size_t)(end - q));
					if (z == NULL)
						return;
					q = z + 1;
				}
			need = (size_t)(q - p);
			break;
		}
		case 13: need = 3; break;  /* microseconds */
		case 14: need = 8; break;  /* commit_ts (old) */
		case 15: need = 8; break;  /* commit_ts2 */
		case 16: need = 1; break;  /* explicit_defaults */
		case 17: need = 8; break;  /* ddl_logged_with_xid */
		case 18: need = 2; break;  /* default_collation */
		case 19: need = 1; break;  /* require_pk */
		case 20: need = 1; break;  /* table_encryption */
		case 128: need = 3; break; /* MariaDB hrnow */
		case 129: need = 8; break; /* MariaDB xid */
		default: return;
		}
		if ((size_t)(end - p) < need)
			return;
		p += need;
	}
}

static int on_query(struct decoder *dc, bool compressed, struct sl_err *err)
{
	struct event *ev = &dc->ev;
	const uint8_t *b = ev->body, *end = b + ev->body_len, *p;
	unsigned ph = dc->ph_len[EVENT_QUERY] ? dc->ph_len[EVENT_QUERY] : 13;
	size_t db_len, sv_len = 0;

	if (ev->body_len < ph || ph < 11)
		return dc_err(dc, err, SL_EPROTO, "body too short");
	ev->kind = DEC_QUERY;
	ev->u.query.thread_id = get_u32le(b);
	ev->u.query.exec_time = get_u32le(b + 4);
	db_len = b[8];
	ev->u.query.error_code = get_u16le(b + 9);
	if (ph >= 13)
		sv_len = get_u16le(b + 11);
	p = b + ph;
	if ((size_t)(end - p) < sv_len + db_len + 1)
		return dc_err(dc, err, SL_EPROTO,
		              "status variables (%zu bytes) and database "
		              "name (%zu) overrun the event",
		              sv_len, db_len);
	query_status_vars(ev, p, p + sv_len);
	p += sv_len;
	ev->u.query.db.p = (const char *)p;
	ev->u.query.db.len = db_len;
	p += db_len + 1;
	ev->u.query.query.p = (const char *)p;
	ev->u.query.query.len = (size_t)(end - p);
	if (compressed) {
		size_t n = 0;
		int rc = maria_inflate(dc, p, (size_t)(end - p), &n, err);

		if (rc)
			return rc;
		ev->u.query.query.p = (const char *)dc->inflate;
		ev->u.query.query.len = n;
		ev->u.query.compressed = true;
	}
	return 1;
}

static int on_rotate(struct decoder *dc, struct sl_err *err)
{
	struct event *ev = &dc->ev;

	if (ev->body_len < 8)
		return dc_err(dc, err, SL_EPROTO, "body too short");
	ev->kind = DEC_ROTATE;
	ev->u.rotate.position = get_u64le(ev->body);
	ev->u.rotate.file.p = (const char *)ev->body + 8;
	ev->u.rotate.file.len = ev->body_len - 8;
	return 1;
}

static unsigned table_id_len(struct decoder *dc, uint8_t type)
{
	return dc->ph_len[type] == 6 ? 4 : 6;
}

static int on_table_map(struct decoder *dc, struct sl_err *err)
{
	struct event *ev = &dc->ev;
	unsigned ph =
	    dc->ph_len[EVENT_TABLE_MAP] ? dc->ph_len[EVENT_TABLE_MAP] : 8;
	const struct table_map *tm;
	int rc;

	(void)ph;
	rc = tablemap_cache_put(dc->tables, ev->body, ev->body_len,
	                        table_id_len(dc, EVENT_TABLE_MAP), &tm, err);
	if (rc)
		return dc_err(dc, err, rc, "%s", err ? err->msg : "malformed");
	ev->kind = DEC_TABLE_MAP;
	ev->u.table_map.tm = tm;
	return 1;
}

static int rows_op(uint8_t type, bool *v2, bool *compressed, bool *partial)
{
	*v2 = *compressed = *partial = false;
	switch (type) {
	case EVENT_PRE_GA_WRITE_ROWS:
	case EVENT_WRITE_ROWS_V1: return ROW_INSERT;
	case EVENT_PRE_GA_UPDATE_ROWS:
	case EVENT_UPDATE_ROWS_V1: return ROW_UPDATE;
	case EVENT_PRE_GA_DELETE_ROWS:
	case EVENT_DELETE_ROWS_V1: return ROW_DELETE;
	case EVENT_WRITE_ROWS_V2: *v2 = true; return ROW_INSERT;
	case EVENT_UPDATE_ROWS_V2: *v2 = true; return ROW_UPDATE;
	case EVENT_PARTIAL_UPDATE_ROWS:
		*v2 = *partial = true;
		return ROW_UPDATE;
	case EVENT_DELETE_ROWS_V2: *v2 = true; return ROW_DELETE;
	case EVENT_MARIA_WRITE_ROWS_COMPRESSED_V1:
	case EVENT_MARIA_WRITE_ROWS_COMPRESSED:
		*compressed = true;
		*v2 = type == EVENT_MARIA_WRITE_ROWS_COMPRESSED;
		return ROW_INSERT;
	case EVENT_MARIA_UPDATE_ROWS_COMPRESSED_V1:
	case EVENT_MARIA_UPDATE_ROWS_COMPRESSED:
		*compressed = true;
		*v2 = type == EVENT_MARIA_UPDATE_ROWS_COMPRESSED;
		return ROW_UPDATE;
	case EVENT_MARIA_DELETE_ROWS_COMPRESSED_V1:
	case EVENT_MARIA_DELETE_ROWS_COMPRESSED:
		*compressed = true;
		*v2 = type == EVENT_MARIA_DELETE_ROWS_COMPRESSED;
		return ROW_DELETE;
	default: return 0;
	}
}

static uint32_t popcount_bits(const uint8_t *bm, uint32_t nbits)
{
	uint32_t n = 0, i;

	for (i = 0; i + 8 <= nbits; i += 8)
		n += (uint32_t)__builtin_popcount(bm[i / 8]);
	if (i < nbits)
		n += (uint32_t)__builtin_popcount(bm[i / 8] &
		                                  ((1u << (nbits - i)) - 1));
	return n;
}

static int on_rows(struct decoder *dc, struct sl_err *err)
{
	struct event *ev = &dc->ev;
	struct rows_state *rs = &dc->rows;
	const uint8_t *b = ev->body, *end = b + ev->body_len, *p;
	bool v2, compressed, partial;
	int op = rows_op(ev->h.type, &v2, &compressed, &partial);
	unsigned id_len = table_id_len(dc, ev->h.type);
	unsigned ph = dc->ph_len[ev->h.type];
	uint64_t table_id, ncols;
	size_t bm_len;

	if (ph == 0 || ph > 64)
		ph = v2 ? 10 : 8;
	if (ev->body_len < ph)
		return dc_err(dc, err, SL_EPROTO, "body too short");
	table_id = id_len == 6 ? get_u48le(b) : get_u32le(b);
	ev->kind = DEC_ROWS;
	ev->u.rows.op = op;
	ev->u.rows.flags = get_u16le(b + id_len);
	ev->u.rows.compressed = compressed;
	ev->u.rows.partial = partial;
	p = b + ph;
	if (v2 && ph >= id_len + 4) {
		uint16_t extra = get_u16le(b + id_len + 2);

		if (extra < 2 || (size_t)(end - p) < (size_t)extra - 2)
			return dc_err(dc, err, SL_EPROTO,
			              "extra data length %u overruns the event",
			              extra);
		p += extra - 2;
	}
	if (lenenc_get(&p, end, &ncols) != 0 || ncols == 0 || ncols > 65536)
		return dc_err(dc, err, SL_EPROTO, "bad column count");
	rs->tm = tablemap_cache_get(dc->tables, table_id);
	if (rs->tm == NULL) {
		if (p + 2 * ((ncols + 7) / 8) >= end) {
			/* Dummy event (e.g. table_id ~0, STMT_END): no rows. */
			ev->kind = DEC_OTHER;
			return 1;
		}
		return dc_err(dc, err, SL_EPROTO,
		              "rows for table_id %llu, which no TABLE_MAP "
		              "has described",
		              (unsigned long long)table_id);
	}
	if (ncols > rs->tm->n_cols)
		return dc_err(dc, err, SL_EPROTO,
		              "%llu columns, but TABLE_MAP of `%.*s`.`%.*s` "
		              "has %u",
		              (unsigned long long)ncols, (int)rs->tm->db.len,
		              rs->tm->db.p, (int)rs->tm->table.len,
		              rs->tm->table.p, rs->tm->n_cols);
	ev->u.rows.tm = rs->tm;
	bm_len = (size_t)(ncols + 7) / 8;
	if ((size_t)(end - p) < bm_len * (op == ROW_UPDATE ? 2 : 1))
		return dc_err(dc, err, SL_EPROTO, "column bitmaps overrun");
	rs->ncols = (uint32_t)ncols;
	rs->present[0] = rs->present[1] = p;
	p += bm_len;
	if (op == ROW_UPDATE) {
		rs->present[1] = p;
		p += bm_len;
	}
	rs->n_present[0] = popcount_bits(rs->present[0], rs->ncols);
	rs->n_present[1] = popcount_bits(rs->present[1], rs->ncols);
	if (compressed) {
		size_t n = 0;
		int rc = maria_inflate(dc, p, (size_t)(end - p), &n, err);

		if (rc)
			return rc;
		p = dc->inflate;
		end = dc->inflate + n;
	}
	rs->p = p;
	rs->end = end;
	rs->op = op;
	rs->partial = partial;
	rs->active = true;
	if (dc->cells_cap < rs->tm->n_cols) {
		struct cell *c =
		    sl_realloc(dc->cells, 2 * rs->tm->n_cols * sizeof(*c));

		if (c == NULL)
			return dc_err(dc, err, SL_ENOMEM, "out of memory");
		dc->cells = c;
		dc->cells_cap = rs->tm->n_cols;
	}
	return 1;
}

static void format_uuid(char *out, const uint8_t *u)
{
	static const char hex[] = "0123456789abcdef";
	int o = 0;

	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[u[i] >> 4];
		out[o++] = hex[u[i] & 15];
	}
	out[o] = '\0';
}

/* Writes v in decimal at o; returns the end.  (snprintf per transaction
 * was a measurable share of decoding.) */
static char *put_u64(char *o, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		*o++ = tmp[--n];
	return o;
}

/* "domain-server-seq" into out (at least 64 bytes). */
static void format_maria_gtid(char *out, uint32_t domain, uint32_t server,
                              uint64_t seq)
{
	char *o = put_u64(out, domain);

	*o++ = '-';
	o = put_u64(o, server);
	*o++ = '-';
	o = put_u64(o, seq);
	*o = '\0';
}

static int on_mysql_gtid(struct decoder *dc, struct sl_err *err)
{
	struct event *ev = &dc->ev;
	const uint8_t *b = ev->body;

	if (ev->body_len < 25)
		return dc_err(dc, err, SL_EPROTO, "body too short");
	ev->kind = DEC_GTID;
	ev->u.gtid.flags = b[0];
	ev->u.gtid.anonymous = ev->h.type == EVENT_ANONYMOUS_GTID;
	if (ev->u.gtid.anonymous) {
		dc->gtid_text[0] = '\0';
	} else {
		int64_t gno = (int64_t)get_u64le(b + 17);
		char *o;

		format_uuid(dc->gtid_text, b + 1);
		o = dc->gtid_text + 36;
		*o++ = ':';
		if (gno < 0) {
			*o++ = '-';
			gno = -gno;
		}
		o = put_u64(o, (uint64_t)gno);
		*o = '\0';
	}
	if (ev->body_len >= 42 && b[25] == 2) {
		ev->u.gtid.last_committed = get_u64le(b + 26);
		ev->u.gtid.sequence_number = get_u64le(b + 34);
	}
	return 1;
}

/* MySQL 8.3+ serialization varint: the count of trailing one bits of the
 * first byte says how many more bytes follow. */
static int ser_uint(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
	const uint8_t *p = *pp;
	unsigned extra;

	if (p >= end)
		return -1;
	extra = (unsigned)__builtin_ctz((unsigned)(~p[0]) | 0x100u);
	if ((size_t)(end - p) < extra + 1u)
		return -1;
	if (extra == 8)
		*v = get_u64le(p + 1);
	else
		*v = get_uintle(p, extra + 1) >> (extra + 1);
	*pp = p + extra + 1;
	return 0;
}

/* Signed serialization integers keep the sign in the lowest bit. */
static int64_t ser_signed(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* GTID_TAGGED (MySQL 8.3+): a serialized message, (version, size,
 * last non-ignorable field) then (field id, value) pairs; the uuid is 16
 * varints, the tag a length-prefixed string. */
static int on_gtid_tagged(struct decoder *dc, struct sl_err *err)
{
	struct event *ev = &dc->ev;
	const uint8_t *p = ev->body, *end = p + ev->body_len;
	uint64_t version, msg_len, last_field, id, v;
	int64_t gno = 0;
	uint8_t uuid[16];
	bool have_uuid = false;
	const uint8_t *tag = NULL;
	size_t tag_len = 0;
	char u[40];

	ev->kind = DEC_GTID;
	dc->gtid_text[0] = '\0';
	if (ser_uint(&p, end, &version) || ser_uint(&p, end, &msg_len) ||
	    ser_uint(&p, end, &last_field))
		return dc_err(dc, err, SL_EPROTO, "bad message header");
	if (msg_len <= ev->body_len)
		end = ev->body + msg_len;
	while (p < end) {
		if (ser_uint(&p, end, &id))
			return dc_err(dc, err, SL_EPROTO, "bad field id");
		if (id == 1) {
			for (int i = 0; i < 16; i++) {
				if (ser_uint(&p, end, &v) || v > 255)
					return dc_err(dc, err, SL_EPROTO,
					              "bad uuid");
				uuid[i] = (uint8_t)v;
			}
			have_uuid = true;
			continue;
		}
		if (id == 3) {
			if (ser_uint(&p, end, &v) || (uint64_t)(end - p) < v)
				return dc_err(dc, err, SL_EPROTO, "bad tag");
			tag = p;
			tag_len = (size_t)v;
			p += v;
			continue;
		}
		if (id > 11)
			break; /* a newer field: nothing we report follows */
		if (ser_uint(&p, end, &v))
			return dc_err(dc, err, SL_EPROTO, "bad field %llu",
			              (unsigned long long)id);
		if (id == 0)
			ev->u.gtid.flags = (uint8_t)v;
		else if (id == 2)
			gno = ser_signed(v);
		else if (id == 4)
			ev->u.gtid.last_committed = (uint64_t)ser_signed(v);
		else if (id == 5)
			ev->u.gtid.sequence_number = (uint64_t)ser_signed(v);
	}
	if (!have_uuid)
		return dc_err(dc, err, SL_EPROTO, "no uuid field");
	format_uuid(u, uuid);
	snprintf(dc->gtid_text, sizeof(dc->gtid_text), "%s:%.*s%s%lld", u,
	         (int)tag_len, tag ? (const char *)tag : "", tag_len ? ":" : "",
	         (long long)gno);
	return 1;
}

static int on_previous_gtids(struct decoder *dc, struct sl_err *err)
{
	struct event *ev = &dc->ev;
	int rc;

	ev->kind = DEC_GTID_SET;
	gtid_set_clear(dc->prev_gtids);
	rc = gtid_set_decode_mysql(dc->prev_gtids, ev->body, ev->body_len, err);
	if (rc)
		return dc_err(dc, err, rc, "%s", err ? err->msg : "malformed");
	sbuf_reset(&dc->scratch);
	gtid_set_format(dc->prev_gtids, &dc->scratch);
	ev->u.gtid_set.text.p = sbuf_cstr(&dc->scratch);
	ev->u.gtid_set.text.len = dc->scratch.len;
	return 1;
}

static int on_maria_gtid(struct decoder *dc, struct sl_err *err)
{
	struct event *ev = &dc->ev;
	const uint8_t *b = ev->body;
	uint64_t seq;
	uint32_t domain;

	if (ev->body_len < 13)
		return dc_err(dc, err, SL_EPROTO, "body too short");
	ev->kind = DEC_GTID;
	seq = get_u64le(b);
	domain = get_u32le(b + 8);
	ev->u.gtid.flags = b[12];
	if ((b[12] & 0x02) && ev->body_len >= 21)
		ev->u.gtid.commit_id = get_u64le(b + 13);
	format_maria_gtid(dc->gtid_text, domain, ev->h.server_id, seq);
	return 1;
}

static int on_maria_gtid_list(struct decoder *dc, struct sl_err *err)
{
	struct event *ev = &dc->ev;
	const uint8_t *p = ev->body;
	uint32_t n;

	if (ev->body_len < 4)
		return dc_err(dc, err, SL_EPROTO, "body too short");
	n = get_u32le(p) & 0x0fffffff;
	if ((ev->body_len - 4) / 16 < n)
		return dc_err(dc, err, SL_EPROTO,
		              "%u entries overrun the event", n);
	ev->kind = DEC_GTID_SET;
	sbuf_reset(&dc->scratch);
	p += 4;
	for (uint32_t i = 0; i < n; i++, p += 16)
		sbuf_printf(&dc->scratch, "%s%u-%u-%llu", i ? "," : "",
		            get_u32le(p), get_u32le(p + 4),
		            (unsigned long long)get_u64le(p + 8));
	ev->u.gtid_set.text.p = sbuf_cstr(&dc->scratch);
	ev->u.gtid_set.text.len = dc->scratch.len;
	return 1;
}

static int on_payload(struct decoder *dc, struct sl_err *err)
{
	struct event *ev = &dc->ev;
	const uint8_t *p = ev->body, *end = p + ev->body_len;
	uint64_t clen = 0, ulen = 0, ctype = 0;
	size_t got;

	ev->kind = DEC_PAYLOAD;
	ev->u.payload.header = p;
	for (;;) {
		uint64_t type, len, v;
		const uint8_t *q;

		if (lenenc_get(&p, end, &type))
			return dc_err(dc, err, SL_EPROTO, "bad header field");
		if (type == 0)
			break;
		if (lenenc_get(&p, end, &len) || len > (uint64_t)(end - p))
			return dc_err(dc, err, SL_EPROTO,
			              "header field %llu overruns the event",
			              (unsigned long long)type);
		q = p;
		if (lenenc_get(&q, p + len, &v))
			return dc_err(dc, err, SL_EPROTO,
			              "bad value of header field %llu",
			              (unsigned long long)type);
		if (type == 1)
			clen = v;
		else if (type == 2)
			ctype = v;
		else if (type == 3)
			ulen = v;
		p += len;
	}
	ev->u.payload.compressed_len = clen;
	ev->u.payload.uncompressed_len = ulen;
	ev->u.payload.compression = (unsigned)ctype;
	if (clen != (uint64_t)(end - p))
		return dc_err(dc, err, SL_EPROTO,
		              "payload size field %llu, but %zu bytes follow",
		              (unsigned long long)clen, (size_t)(end - p));
	if (ctype == 255) {
		/* Uncompressed: inner events are read in place. */
		dc->payload_len = (size_t)(end - p);
		dc->payload_off = 0;
		ev->u.payload.header = p; /* start of inner events */
		if (dc->payload_cap < dc->payload_len) {
			uint8_t *q = sl_realloc(dc->payload, dc->payload_len);

			if (q == NULL)
				return dc_err(dc, err, SL_ENOMEM,
				              "out of memory");
			dc->payload = q;
			dc->payload_cap = dc->payload_len;
		}
		memcpy(dc->payload, p, dc->payload_len);
		dc->inner_index = 0;
		return 1;
	}
	if (ctype != 0)
		return dc_err(dc, err, SL_EUNSUPPORTED,
		              "compression type %llu (only zstd and none)",
		              (unsigned long long)ctype);
	if (ulen == 0 || ulen > PAYLOAD_MAX) {
		unsigned long long fs =
		    ZSTD_getFrameContentSize(p, (size_t)(end - p));

		if (fs == ZSTD_CONTENTSIZE_UNKNOWN ||
		    fs == ZSTD_CONTENTSIZE_ERROR || fs > PAYLOAD_MAX)
			return dc_err(dc, err, SL_EPROTO,
			              "uncompressed size unknown");
		ulen = fs;
	}
	if (dc->payload_cap < ulen) {
		uint8_t *q = sl_realloc(dc->payload, (size_t)ulen);

		if (q == NULL)
			return dc_err(dc, err, SL_ENOMEM,
			              "cannot inflate %llu bytes",
			              (unsigned long long)ulen);
		dc->payload = q;
		dc->payload_cap = (size_t)ulen;
	}
	got = ZSTD_decompressDCtx(dc->zstd, dc->payload, (size_t)ulen, p,
	                          (size_t)(end - p));
	if (ZSTD_isError(got))
		return dc_err(dc, err, SL_EPROTO, "zstd: %s",
		              ZSTD_getErrorName(got));
	if (got != ulen)
		return dc_err(dc, err, SL_EPROTO,
		              "zstd gave %zu bytes, header said %llu", got,
		              (unsigned long long)ulen);
	dc->payload_len = got;
	dc->payload_off = 0;
	dc->inner_index = 0;
	return 1;
}

static int on_text(struct decoder *dc, size_t skip)
{
	struct event *ev = &dc->ev;

	ev->kind = DEC_TEXT;
	if (skip > ev->body_len)
		skip = ev->body_len;
	ev->u.text.p = (const char *)ev->body + skip;
	ev->u.text.len = ev->body_len - skip;
	return 1;
}

static int on_misc(struct decoder *dc, struct sl_err *err)
{
	struct event *ev = &dc->ev;
	const uint8_t *b = ev->body;
	size_t n = ev->body_len;

	switch (ev->h.type) {
	case EVENT_XID:
		if (n < 8)
			return dc_err(dc, err, SL_EPROTO, "body too short");
		ev->kind = DEC_XID;
		ev->u.xid.xid = get_u64le(b);
		return 1;
	case EVENT_INTVAR:
		if (n < 9)
			return dc_err(dc, err, SL_EPROTO, "body too short");
		ev->kind = DEC_INTVAR;
		ev->u.intvar.type = b[0];
		ev->u.intvar.value = get_u64le(b + 1);
		return 1;
	case EVENT_RAND:
		if (n < 16)
			return dc_err(dc, err, SL_EPROTO, "body too short");
		ev->kind = DEC_RAND;
		ev->u.rand.seed1 = get_u64le(b);
		ev->u.rand.seed2 = get_u64le(b + 8);
		return 1;
	case EVENT_USER_VAR: {
		uint32_t nl;

		if (n < 5 || (nl = get_u32le(b)) > n - 5)
			return dc_err(dc, err, SL_EPROTO, "bad variable name");
		ev->kind = DEC_USER_VAR;
		ev->u.user_var.name.p = (const char *)b + 4;
		ev->u.user_var.name.len = nl;
		ev->u.user_var.is_null = b[4 + nl] != 0;
		return 1;
	}
	case EVENT_XA_PREPARE:
		if (n < 13)
			return dc_err(dc, err, SL_EPROTO, "body too short");
		ev->kind = DEC_XA_PREPARE;
		ev->u.xa.one_phase = b[0] != 0;
		return 1;
	case EVENT_INCIDENT:
		if (n < 3 || b[2] > n - 3)
			return dc_err(dc, err, SL_EPROTO, "bad message");
		ev->kind = DEC_INCIDENT;
		ev->u.incident.type = get_u16le(b);
		ev->u.incident.message.p = (const char *)b + 3;
		ev->u.incident.message.len = b[2];
		return 1;
	case EVENT_HEARTBEAT_V2: {
		/* Serialized (8.0.28+): field 0 the file name, field 1 the
		 * 64-bit position. */
		const uint8_t *p = b, *end = b + n;
		uint64_t version, size, last, id, v;

		ev->kind = DEC_HEARTBEAT;
		if (ser_uint(&p, end, &version) || ser_uint(&p, end, &size) ||
		    ser_uint(&p, end, &last))
			return dc_err(dc, err, SL_EPROTO, "bad message header");
		while (p < end) {
			if (ser_uint(&p, end, &id) || ser_uint(&p, end, &v))
				return dc_err(dc, err, SL_EPROTO, "bad field");
			if (id == 0) {
				if ((uint64_t)(end - p) < v)
					return dc_err(dc, err, SL_EPROTO,
					              "file name overruns the "
					              "event");
				ev->u.heartbeat.file.p = (const char *)p;
				ev->u.heartbeat.file.len = (size_t)v;
				p += v;
			} else if (id == 1) {
				ev->u.heartbeat.position = v;
			} else {
				break; /* a newer field */
			}
		}
		return 1;
	}
	case EVENT_HEARTBEAT:
		ev->kind = DEC_HEARTBEAT;
		ev->u.heartbeat.file.p = (const char *)b;
		ev->u.heartbeat.file.len = n;
		ev->u.heartbeat.position = ev->h.log_pos;
		return 1;
	case EVENT_MARIA_BINLOG_CHECKPOINT:
		if (n < 4 || get_u32le(b) > n - 4)
			return dc_err(dc, err, SL_EPROTO, "bad file name");
		ev->kind = DEC_TEXT;
		ev->u.text.p = (const char *)b + 4;
		ev->u.text.len = get_u32le(b);
		return 1;
	default: ev->kind = DEC_OTHER; return 1;
	}
}

/* Decodes dc->ev (header and body set).  Returns 1 or a negative code. */
static int dispatch(struct decoder *dc, struct sl_err *err)
{
	struct event *ev = &dc->ev;

	switch (ev->h.type) {
	case EVENT_FORMAT_DESCRIPTION: return on_fde(dc, err);
	case EVENT_QUERY: return on_query(dc, false, err);
	case EVENT_MARIA_QUERY_COMPRESSED: return on_query(dc, true, err);
	case EVENT_ROTATE: return on_rotate(dc, err);
	case EVENT_TABLE_MAP: return on_table_map(dc, err);
	case EVENT_PRE_GA_WRITE_ROWS:
	case EVENT_PRE_GA_UPDATE_ROWS:
	case EVENT_PRE_GA_DELETE_ROWS:
	case EVENT_WRITE_ROWS_V1:
	case EVENT_UPDATE_ROWS_V1:
	case EVENT_DELETE_ROWS_V1:
	case EVENT_WRITE_ROWS_V2:
	case EVENT_UPDATE_ROWS_V2:
	case EVENT_DELETE_ROWS_V2:
	case EVENT_PARTIAL_UPDATE_ROWS:
	case EVENT_MARIA_WRITE_ROWS_COMPRESSED_V1:
	case EVENT_MARIA_UPDATE_ROWS_COMPRESSED_V1:
	case EVENT_MARIA_DELETE_ROWS_COMPRESSED_V1:
	case EVENT_MARIA_WRITE_ROWS_COMPRESSED:
	case EVENT_MARIA_UPDATE_ROWS_COMPRESSED:
	case EVENT_MARIA_DELETE_ROWS_COMPRESSED: return on_rows(dc, err);
	case EVENT_GTID:
	case EVENT_ANONYMOUS_GTID: return on_mysql_gtid(dc, err);
	case EVENT_GTID_TAGGED: return on_gtid_tagged(dc, err);
	case EVENT_PREVIOUS_GTIDS: return on_previous_gtids(dc, err);
	case EVENT_MARIA_GTID: return on_maria_gtid(dc, err);
	case EVENT_MARIA_GTID_LIST: return on_maria_gtid_list(dc, err);
	case EVENT_TRANSACTION_PAYLOAD:
		if (ev->inner)
			return dc_err(dc, err, SL_EPROTO,
			              "nested TRANSACTION_PAYLOAD");
		return on_payload(dc, err);
	case EVENT_ROWS_QUERY: return on_text(dc, 1);
	case EVENT_MARIA_ANNOTATE_ROWS: return on_text(dc, 0);
	case EVENT_MARIA_START_ENCRYPTION:
		return dc_err(dc, err, SL_EUNSUPPORTED,
		              "the binlog is encrypted from here on "
		              "(MariaDB encrypt_binlog); sluice cannot read "
		              "encrypted files: read them through the "
		              "server's replication stream instead");
	default:
		if (event_type_name(ev->h.type) != NULL)
			return on_misc(dc, err);
		if (ev->h.flags & EVENT_F_IGNORABLE) {
			ev->kind = DEC_SKIPPED;
			dc->stats.skipped_unknown++;
			return 1;
		}
		return dc_err(dc, err, SL_EUNSUPPORTED,
		              "unknown event type %u, not flagged ignorable "
		              "(server_id %u, %u bytes)",
		              ev->h.type, ev->h.server_id, ev->h.size);
	}
}

static int next_outer(struct decoder *dc, struct sl_err *err)
{
	struct event *ev = &dc->ev;
	bool is_fde = ev->h.type == EVENT_FORMAT_DESCRIPTION;
	size_t trim = 0;
	int rc;

	dc->pending = false;
	if (!dc->have_fde && !is_fde && ev->h.type != EVENT_ROTATE &&
	    ev->h.type != EVENT_START_V3)
		return dc_err(dc, err, SL_EPROTO,
		              "comes before any FORMAT_DESCRIPTION event");
	if (is_fde) {
		/* Checksum alg is in the FDE itself: decode first. */
		ev->body = dc->buf + EVENT_HEADER_LEN;
		ev->body_len = dc->len - EVENT_HEADER_LEN;
		rc = dispatch(dc, err);
		if (rc < 0)
			return rc;
		if (dc->verify && dc->checksum_alg == 1) {
			rc = check_crc(dc, dc->buf, dc->len, err);
			if (rc)
				return rc;
		}
		return 1;
	}
	if (dc->checksum_alg == 1) {
		trim = EVENT_CRC_LEN;
		if (dc->verify) {
			rc = check_crc(dc, dc->buf, dc->len, err);
			if (rc)
				return rc;
		}
	}
	if (dc->len < EVENT_HEADER_LEN + trim)
		return dc_err(dc, err, SL_EPROTO, "shorter than its checksum");
	ev->body = dc->buf + EVENT_HEADER_LEN;
	ev->body_len = dc->len - EVENT_HEADER_LEN - trim;
	return dispatch(dc, err);
}

static int next_inner(struct decoder *dc, struct sl_err *err)
{
	struct event *ev = &dc->ev;
	const uint8_t *p = dc->payload + dc->payload_off;
	size_t left = dc->payload_len - dc->payload_off;

	dc->rows.active = false;
	dc->inner_index++;
	ev->inner = true;
	if (left < EVENT_HEADER_LEN)
		return dc_err(dc, err, SL_ETRUNC,
		              "%zu stray bytes at the end of the payload",
		              left);
	read_header(p, &ev->h);
	if (ev->h.size < EVENT_HEADER_LEN || ev->h.size > left)
		return dc_err(dc, err, SL_EPROTO,
		              "inner event length %u overruns the payload "
		              "(%zu bytes left)",
		              ev->h.size, left);
	dc->payload_off += ev->h.size;
	ev->body = p + EVENT_HEADER_LEN;
	ev->body_len = ev->h.size - EVENT_HEADER_LEN;
	memset(&ev->u, 0, sizeof(ev->u));
	return dispatch(dc, err);
}

int decoder_next(struct decoder *dc, const struct event **out,
                 struct sl_err *err)
{
	int rc;

	if (dc->pending)
		rc = next_outer(dc, err);
	else if (dc->payload_off < dc->payload_len)
		rc = next_inner(dc, err);
	else
		return 0;
	if (rc < 0) {
		dc->payload_len = dc->payload_off = 0;
		return rc;
	}
	*out = &dc->ev;
	return 1;
}

/* Reads one row image into cells.  which: 0 before, 1 after. */
static int read_image(struct decoder *dc, int which, struct cell *cells,
                      const uint8_t *partial_bits, struct sl_err *err)
{
	struct rows_state *rs = &dc->rows;
	const struct table_map *tm = rs->tm;
	const uint8_t *present = rs->present[which];
	const uint8_t *nulls = rs->p;
	const uint8_t *p;
	uint32_t nbytes = (rs->n_present[which] + 7) / 8;
	uint32_t k = 0, json_k = 0;

	if ((size_t)(rs->end - rs->p) < nbytes)
		return dc_err(dc, err, SL_ETRUNC,
		              "row image ends inside its NULL bitmap");
	p = rs->p + nbytes;
	for (uint32_t i = 0; i < tm->n_cols; i++) {
		const struct column *c = &tm->cols[i];
		uint32_t len;
		int rc;

		if (i >= rs->ncols || !((present[i / 8] >> (i % 8)) & 1)) {
			cells[i].state = CELL_ABSENT;
			cells[i].p = NULL;
			cells[i].len = 0;
			continue;
		}
		if ((nulls[k / 8] >> (k % 8)) & 1) {
			k++;
			cells[i].state = CELL_NULL;
			cells[i].p = NULL;
			cells[i].len = 0;
			if (c->type == COL_JSON)
				json_k++;
			continue;
		}
		k++;
		rc = value_cell_len(c, p, (size_t)(rs->end - p), &len);
		if (__builtin_expect(rc != 0, 0))
			return dc_err(
			    dc, err, rc, "column %u (%s) of `%.*s`.`%.*s`: %s",
			    i + 1, coltype_name(c->type), (int)tm->db.len,
			    tm->db.p, (int)tm->table.len, tm->table.p,
			    rc == SL_ETRUNC ? "value runs past the event"
			                    : "cannot size this value");
		cells[i].p = p;
		cells[i].len = len;
		cells[i].state = CELL_VALUE;
		if (c->type == COL_JSON) {
			if (partial_bits &&
			    ((partial_bits[json_k / 8] >> (json_k % 8)) & 1))
				cells[i].state = CELL_JSON_DIFF;
			json_k++;
		}
		p += len;
	}
	rs->p = p;
	return 0;
}

int decoder_row(struct decoder *dc, struct row_change *row, struct sl_err *err)
{
	struct rows_state *rs = &dc->rows;
	struct cell *before = dc->cells, *after = dc->cells + dc->cells_cap;
	const uint8_t *partial_bits = NULL;
	int rc;

	const uint8_t *start = rs->p;

	if (!rs->active || rs->p >= rs->end)
		return 0;
	row->op = rs->op;
	row->tm = rs->tm;
	row->before = row->after = NULL;
	switch (rs->op) {
	case ROW_INSERT:
		rc = read_image(dc, 0, after, NULL, err);
		row->after = after;
		break;
	case ROW_DELETE:
		rc = read_image(dc, 0, before, NULL, err);
		row->before = before;
		break;
	default:
		rc = read_image(dc, 0, before, NULL, err);
		if (rc)
			break;
		if (rs->partial) {
			uint64_t opts;

			if (lenenc_get(&rs->p, rs->end, &opts))
				return dc_err(dc, err, SL_ETRUNC,
				              "row ends before its value "
				              "options");
			if (opts & 1) {
				uint32_t n_json = 0;

				for (uint32_t i = 0; i < rs->tm->n_cols; i++)
					if (rs->tm->cols[i].type == COL_JSON &&
					    i < rs->ncols &&
					    ((rs->present[1][i / 8] >>
					      (i % 8)) &
					     1))
						n_json++;
				if ((size_t)(rs->end - rs->p) <
				    (n_json + 7) / 8)
					return dc_err(dc, err, SL_ETRUNC,
					              "row ends inside its "
					              "partial-JSON bitmap");
				partial_bits = rs->p;
				rs->p += (n_json + 7) / 8;
			}
		}
		rc = read_image(dc, 1, after, partial_bits, err);
		row->before = before;
		row->after = after;
		break;
	}
	if (rc == 0 && rs->p == start)
		rc = dc_err(dc, err, SL_EPROTO,
		            "a row image of no bytes (no column present)");
	if (rc) {
		rs->active = false;
		return rc;
	}
	dc->stats.rows++;
	return 1;
}
