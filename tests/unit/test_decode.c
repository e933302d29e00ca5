/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/test_decode.c: the decoder and file reader on the real
 * fixture binlogs (read in place from $SL_FIXTURES) and on damaged copies
 * of them: every intact file decodes, damaged ones fail with the offset of
 * the damaged event, and row cells are slices of the input (no copies).
 */
#include "core/decode.h"
#include "core/value.h"
#include "io/binlog_file.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

static const char *fixtures(void)
{
	const char *d = getenv("SL_FIXTURES");

	return d ? d : "../shared/fixtures/binlog";
}

static char *fixture_path(const char *rel)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/%s", fixtures(), rel);
	return buf;
}

struct result {
	int rc;
	uint64_t events, rows, cells;
	struct sl_err err;
};

/* Decodes a whole file, sizing and formatting every cell. */
static void decode_path(const char *path, struct result *r)
{
	struct binlog_file *f = NULL;
	struct decoder *dc = decoder_new();
	struct sbuf o;
	const uint8_t *buf;
	size_t len;
	uint64_t pos;
	int rc;

	memset(r, 0, sizeof(*r));
	sbuf_init(&o);
	assert_non_null(dc);
	rc = binlog_file_open(path, &f, &r->err);
	while (rc == 0 &&
	       (rc = binlog_file_next(f, &buf, &len, &pos, &r->err)) > 0) {
		const struct event *ev;
		struct row_change row;

		rc = decoder_feed(dc, buf, len, pos, &r->err);
		if (rc)
			break;
		r->events++;
		while ((rc = decoder_next(dc, &ev, &r->err)) > 0) {
			if (ev->kind != DEC_ROWS)
				continue;
			while ((rc = decoder_row(dc, &row, &r->err)) > 0) {
				const struct cell *img[2] = {row.before,
				                             row.after};

				r->rows++;
				for (int k = 0; k < 2; k++)
					for (uint32_t i = 0;
					     img[k] && i < row.tm->n_cols;
					     i++) {
						if (img[k][i].state !=
						    CELL_VALUE)
							continue;
						r->cells++;
						sbuf_reset(&o);
						assert_int_equal(
						    value_format(
						        &row.tm->cols[i],
						        img[k][i].p,
						        img[k][i].len,
						        VALUE_JSON, &o,
						        &r->err),
						    0);
					}
			}
			if (rc < 0)
				break;
		}
		if (rc < 0)
			break;
		rc = 0;
	}
	r->rc = rc < 0 ? rc : 0;
	binlog_file_close(f);
	decoder_free(dc);
	sbuf_deinit(&o);
}

/* Files that must fail, and the offset their error names. */
static const struct {
	const char *rel;
	uint64_t pos;
} expected_failures[] = {
    {"mariadb-10.11-generated/encrypted/mariadb-bin.000001", 256},
    {"rust_mysql_common/binlog_truncated_event.000001", 4},
    {"rust_mysql_common/binlog_truncated_prev_gtid_event.000001", 120},
    {"rust_mysql_common/corrupt-relay-bin.000624", 91204},
    {"rust_mysql_common/ver_5_1-wl2325_r.001", 4},
    {"rust_mysql_common/ver_5_1-wl2325_s.001", 4},
};

static int expected_failure(const char *rel, uint64_t *pos)
{
	for (size_t i = 0;
	     i < sizeof(expected_failures) / sizeof(expected_failures[0]); i++)
		if (strcmp(rel, expected_failures[i].rel) == 0) {
			*pos = expected_failures[i].pos;
			return 1;
		}
	return 0;
}

static int is_binlog_name(const char *name)
{
	const char *dot = strrchr(name, '.');
	static const char *const skip[] = {".md",  ".sql", ".txt",
	                                   ".csv", ".cnf", ".json"};

	if (strncmp(name, "keys", 4) == 0 || strcmp(name, "README") == 0)
		return 0;
	for (size_t i = 0; dot && i < sizeof(skip) / sizeof(skip[0]); i++)
		if (strcmp(dot, skip[i]) == 0)
			return 0;
	return 1;
}

/* Every fixture decodes, or fails at the documented offset. */
static void test_every_fixture(void **state)
{
	char cmd[4200], line[4096];
	FILE *p;
	int n_files = 0, n_fail = 0;
	uint64_t rows = 0;

	(void)state;
	snprintf(cmd, sizeof(cmd), "cd '%s' && find . -type f | sort",
	         fixtures());
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		char *rel = line + 2, *base;
		struct result r;
		uint64_t want_pos;

		line[strcspn(line, "\n")] = '\0';
		base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
		if (!is_binlog_name(base))
			continue;
		n_files++;
		decode_path(fixture_path(rel), &r);
		if (expected_failure(rel, &want_pos)) {
			n_fail++;
			if (r.rc == 0 || !r.err.has_pos ||
			    r.err.pos != want_pos)
				fail_msg(
				    "%s: expected an error at offset %llu, "
				    "got rc %d: %s",
				    rel, (unsigned long long)want_pos, r.rc,
				    r.err.msg);
			assert_non_null(strstr(r.err.msg, "at offset"));
			continue;
		}
		if (r.rc != 0)
			fail_msg("%s: %s", rel, r.err.msg);
		rows += r.rows;
	}
	pclose(p);
	print_message("%d fixture files, %d failing on purpose, %llu rows\n",
	              n_files, n_fail, (unsigned long long)rows);
	assert_true(n_files >= 100);
	assert_true(rows > 1000);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *b;

	assert_non_null(f);
	assert_int_equal(fstat(fileno(f), &st), 0);
	b = malloc((size_t)st.st_size);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)st.st_size, f), st.st_size);
	fclose(f);
	*len = (size_t)st.st_size;
	return b;
}

static void spit(const char *path, const uint8_t *b, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, len, f), len);
	fclose(f);
}

/* Offsets of the events of a file image. */
static size_t event_offsets(const uint8_t *b, size_t len, uint64_t *out,
                            size_t cap)
{
	size_t n = 0, off = 4;

	while (off + 19 <= len && n < cap) {
		uint32_t sz =
		    (uint32_t)b[off + 9] | (uint32_t)b[off + 10] << 8 |
		    (uint32_t)b[off + 11] << 16 | (uint32_t)b[off + 12] << 24;

		out[n++] = off;
		off += sz;
	}
	return n;
}

#define FULL "mariadb-10.11-generated/row-full-crc32/mariadb-bin.000001"

/* A file cut anywhere fails cleanly, naming the offset of the cut event;
 * a cut exactly between events is a clean (shorter) file. */
static void test_truncated(void **state)
{
	size_t len, n;
	uint8_t *b = slurp(fixture_path(FULL), &len);
	uint64_t offs[1024];
	char tmp[] = "/tmp/sluice-trunc-XXXXXX";
	int fd = mkstemp(tmp);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	n = event_offsets(b, len, offs, 1024);
	assert_true(n > 300);
	for (size_t cut = 5; cut < len; cut += 97) {
		struct result r;
		size_t k = 0;

		while (k + 1 < n && offs[k + 1] <= cut)
			k++;
		spit(tmp, b, cut);
		decode_path(tmp, &r);
		if (offs[k] == cut)
			continue; /* the cut fell on a boundary */
		if (r.rc != SL_ETRUNC || r.err.pos != offs[k])
			fail_msg("cut at %zu: want truncation at %llu, got rc "
			         "%d: %s",
			         cut, (unsigned long long)offs[k], r.rc,
			         r.err.msg);
	}
	unlink(tmp);
	free(b);
}

/* One flipped byte inside any event is a checksum mismatch at that
 * event's offset. */
static void test_flipped_byte(void **state)
{
	size_t len, n;
	uint8_t *b = slurp(fixture_path(FULL), &len);
	uint64_t offs[1024];
	char tmp[] = "/tmp/sluice-flip-XXXXXX";
	int fd = mkstemp(tmp);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	n = event_offsets(b, len, offs, 1024);
	for (size_t k = 0; k + 1 < n; k += 7) {
		/* Flip a body byte (the length field would reframe). */
		size_t at = offs[k] + 19 + (offs[k + 1] - offs[k] - 19) / 2;
		struct result r;

		b[at] ^= 0x5a;
		spit(tmp, b, len);
		decode_path(tmp, &r);
		b[at] ^= 0x5a;
		if (r.rc != SL_ECHECKSUM || r.err.pos != offs[k])
			fail_msg("flip at %zu: want checksum error at %llu, "
			         "got rc %d: %s",
			         at, (unsigned long long)offs[k], r.rc,
			         r.err.msg);
		assert_non_null(strstr(r.err.msg, "checksum"));
	}
	unlink(tmp);
	free(b);
}

/* A length field that runs past the end of the file is named with its
 * offset; one smaller than a header too. */
static void test_overrun_length(void **state)
{
	size_t len, n;
	uint8_t *b = slurp(fixture_path(FULL), &len);
	uint64_t offs[1024];
	char tmp[] = "/tmp/sluice-len-XXXXXX";
	int fd = mkstemp(tmp);
	struct result r;
	size_t k;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	n = event_offsets(b, len, offs, 1024);
	k = n / 2;
	b[offs[k] + 9] = 0xff;
	b[offs[k] + 10] = 0xff;
	b[offs[k] + 11] = 0xff;
	b[offs[k] + 12] = 0x0f;
	spit(tmp, b, len);
	decode_path(tmp, &r);
	assert_int_not_equal(r.rc, 0);
	assert_true(r.err.has_pos);
	assert_int_equal(r.err.pos, offs[k]);
	assert_non_null(strstr(r.err.msg, "at offset"));

	b[offs[k] + 9] = 7; /* smaller than the header */
	b[offs[k] + 10] = b[offs[k] + 11] = b[offs[k] + 12] = 0;
	spit(tmp, b, len);
	decode_path(tmp, &r);
	assert_int_equal(r.rc, SL_EPROTO);
	assert_int_equal(r.err.pos, offs[k]);
	unlink(tmp);
	free(b);
}

/* Cells are slices of the bytes handed to decoder_feed: no row copies
 * for uncompressed events. */
static void test_cells_point_into_input(void **state)
{
	size_t len;
	uint8_t *b = slurp(fixture_path(FULL), &len);
	struct decoder *dc = decoder_new();
	struct sl_err err;
	size_t off = 4;
	uint64_t checked = 0;

	(void)state;
	while (off + 19 <= len) {
		uint32_t sz = (uint32_t)b[off + 9] |
		              (uint32_t)b[off + 10] << 8 |
		              (uint32_t)b[off + 11] << 16;
		const struct event *ev;
		struct row_change row;

		assert_int_equal(decoder_feed(dc, b + off, sz, off, &err), 0);
		while (decoder_next(dc, &ev, &err) > 0) {
			if (ev->kind != DEC_ROWS)
				continue;
			while (decoder_row(dc, &row, &err) > 0) {
				const struct cell *c =
				    row.after ? row.after : row.before;

				for (uint32_t i = 0; i < row.tm->n_cols; i++) {
					if (c[i].state != CELL_VALUE)
						continue;
					assert_true(c[i].p >= b + off);
					assert_true(c[i].p + c[i].len <=
					            b + off + sz);
					checked++;
				}
			}
		}
		off += sz;
	}
	assert_true(checked > 1000);
	decoder_free(dc);
	free(b);
}

/* Events before the FORMAT_DESCRIPTION are refused with the offset. */
static void test_needs_fde_first(void **state)
{
	size_t len;
	uint8_t *b = slurp(fixture_path(FULL), &len);
	struct decoder *dc = decoder_new();
	struct sl_err err;
	const struct event *ev;
	uint32_t fde_len = b[4 + 9] | (uint32_t)b[4 + 10] << 8;
	size_t second = 4 + fde_len;
	uint32_t sz = b[second + 9] | (uint32_t)b[second + 10] << 8;

	(void)state;
	assert_int_equal(decoder_feed(dc, b + second, sz, second, &err), 0);
	assert_int_equal(decoder_next(dc, &ev, &err), SL_EPROTO);
	assert_true(err.has_pos);
	assert_int_equal(err.pos, second);
	decoder_free(dc);
	free(b);
}

/* Builds one event after the FDE of the FULL fixture (CRC32 on) and
 * decodes it; returns decoder_next's result, *ev set on success. */
static uint8_t evbuf[4096];

static size_t make_event(uint8_t type, uint16_t flags, uint32_t log_pos,
                         const uint8_t *body, size_t n)
{
	size_t len = 19 + n + 4;
	uint32_t crc;

	memset(evbuf, 0, 19);
	evbuf[4] = type;
	evbuf[5] = 1;
	evbuf[9] = (uint8_t)len;
	evbuf[10] = (uint8_t)(len >> 8);
	memcpy(evbuf + 13, &log_pos, 4);
	evbuf[17] = (uint8_t)flags;
	evbuf[18] = (uint8_t)(flags >> 8);
	memcpy(evbuf + 19, body, n);
	crc = (uint32_t)crc32(0, evbuf, (unsigned)(19 + n));
	memcpy(evbuf + 19 + n, &crc, 4);
	return len;
}

static struct decoder *decoder_after_fde(void)
{
	size_t len;
	uint8_t *b = slurp(fixture_path(FULL), &len);
	struct decoder *dc = decoder_new();
	uint32_t fde_len = b[4 + 9] | (uint32_t)b[4 + 10] << 8;
	const struct event *ev;
	struct sl_err err;

	assert_int_equal(decoder_feed(dc, b + 4, fde_len, 4, &err), 0);
	assert_int_equal(decoder_next(dc, &ev, &err), 1);
	assert_int_equal(ev->kind, DEC_FDE);
	assert_int_equal(decoder_next(dc, &ev, &err), 0);
	free(b);
	return dc;
}

/* An unknown type is skipped and counted when flagged ignorable, and a
 * clear error naming the offset otherwise. */
static void test_unknown_event_types(void **state)
{
	struct decoder *dc = decoder_after_fde();
	const uint8_t body[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	const struct event *ev;
	struct sl_err err;
	size_t n;

	(void)state;
	n = make_event(99, 0x80, 1000, body, sizeof(body));
	assert_int_equal(decoder_feed(dc, evbuf, n, 900, &err), 0);
	assert_int_equal(decoder_next(dc, &ev, &err), 1);
	assert_int_equal(ev->kind, DEC_SKIPPED);
	assert_int_equal(decoder_stats(dc)->skipped_unknown, 1);

	n = make_event(99, 0, 1000, body, sizeof(body));
	assert_int_equal(decoder_feed(dc, evbuf, n, 950, &err), 0);
	assert_int_equal(decoder_next(dc, &ev, &err), SL_EUNSUPPORTED);
	assert_int_equal(err.pos, 950);
	assert_non_null(strstr(err.msg, "unknown event type 99"));
	decoder_free(dc);
}

/* Heartbeats (stream only, never in files): v1 names the file, the
 * header carries the position; v2 is a serialized message. */
static void test_heartbeats(void **state)
{
	struct decoder *dc = decoder_after_fde();
	const struct event *ev;
	struct sl_err err;
	uint8_t v2[64];
	size_t n, k = 0;

	(void)state;
	n = make_event(EVENT_HEARTBEAT, 0, 1234,
	               (const uint8_t *)"binlog.000007", 13);
	assert_int_equal(decoder_feed(dc, evbuf, n, 0, &err), 0);
	assert_int_equal(decoder_next(dc, &ev, &err), 1);
	assert_int_equal(ev->kind, DEC_HEARTBEAT);
	assert_int_equal(ev->u.heartbeat.position, 1234);
	assert_int_equal(ev->u.heartbeat.file.len, 13);
	assert_memory_equal(ev->u.heartbeat.file.p, "binlog.000007", 13);

	/* version 1, size, last field 1; field 0: "binlog.000008";
	 * field 1: 5000000000 (a position past 4 GiB: why v2 exists) */
	v2[k++] = 0x02;
	v2[k++] = 0; /* size, patched below */
	v2[k++] = 0x02;
	v2[k++] = 0x00;
	v2[k++] = 13 << 1;
	memcpy(v2 + k, "binlog.000008", 13);
	k += 13;
	v2[k++] = 0x02;
	{
		/* 5000000000 needs 5 bytes: 4 trailing one bits, value << 5 */
		uint64_t enc = (5000000000ULL << 5) | 0x0f;

		for (int i = 0; i < 5; i++)
			v2[k++] = (uint8_t)(enc >> (8 * i));
	}
	v2[1] = (uint8_t)(k << 1);
	n = make_event(EVENT_HEARTBEAT_V2, 0, 0, v2, k);
	assert_int_equal(decoder_feed(dc, evbuf, n, 0, &err), 0);
	assert_int_equal(decoder_next(dc, &ev, &err), 1);
	assert_int_equal(ev->kind, DEC_HEARTBEAT);
	assert_int_equal(ev->u.heartbeat.position, 5000000000ULL);
	assert_memory_equal(ev->u.heartbeat.file.p, "binlog.000008", 13);
	decoder_free(dc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_fixture),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_flipped_byte),
	    cmocka_unit_test(test_overrun_length),
	    cmocka_unit_test(test_cells_point_into_input),
	    cmocka_unit_test(test_needs_fde_first),
	    cmocka_unit_test(test_unknown_event_types),
	    cmocka_unit_test(test_heartbeats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
