/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz/fuzz_decode.c: libFuzzer target for the binlog decoder.  The input
 * is a binlog file image (magic optional); events are framed by their
 * length field as io/binlog_file.c does, fed to the decoder with and
 * without checksum checks, and every row's cells are rendered as SQL and
 * JSON so the value and JSON-binary formatters see the bytes too.  The
 * corpus starts from the real fixture binlogs (tools/test.sh copies them).
 */
#include "core/bytes.h"
#include "core/decode.h"
#include "core/json_bin.h"
#include "core/sbuf.h"
#include "core/value.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void render(const struct row_change *r, const struct cell *cells,
                   struct sbuf *o)
{
	struct sl_err err;

	if (cells == NULL)
		return;
	for (uint32_t i = 0; i < r->tm->n_cols; i++) {
		const struct cell *c = &cells[i];

		if (c->state == CELL_VALUE) {
			value_format(&r->tm->cols[i], c->p, c->len, VALUE_SQL,
			             o, &err);
			value_format(&r->tm->cols[i], c->p, c->len, VALUE_JSON,
			             o, &err);
		} else if (c->state == CELL_JSON_DIFF && c->len >= 4) {
			json_diff_to_text(c->p + 4, c->len - 4, "@1", o, &err);
		}
	}
}

static void run(const uint8_t *data, size_t size, bool verify)
{
	struct decoder *dc = decoder_new();
	struct sbuf o;
	struct sl_err err;
	size_t off = 0;

	if (dc == NULL)
		return;
	decoder_set_verify_checksums(dc, verify);
	sbuf_init(&o);
	if (size >= 4 && memcmp(data,
	                        "\xfe"
	                        "bin",
	                        4) == 0)
		off = 4;
	while (size - off >= 19) {
		uint32_t len = get_u32le(data + off + 9);
		const struct event *ev;
		struct row_change row;
		int rc;

		if (len < 19 || len > size - off)
			break;
		if (decoder_feed(dc, data + off, len, off, &err) != 0)
			break;
		off += len;
		while ((rc = decoder_next(dc, &ev, &err)) > 0) {
			if (ev->kind != DEC_ROWS)
				continue;
			while (decoder_row(dc, &row, &err) > 0) {
				render(&row, row.before, &o);
				render(&row, row.after, &o);
				sbuf_reset(&o);
			}
		}
		if (rc < 0)
			break;
	}
	sbuf_deinit(&o);
	decoder_free(dc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	run(data, size, false);
	run(data, size, true);
	return 0;
}
