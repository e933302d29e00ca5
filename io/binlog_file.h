/* SPDX-License-Identifier: Apache-2.0 */
/*
 * io/binlog_file.h: reads a local binlog or relay-log file and hands out
 * whole events as slices of one reused read buffer, with their byte
 * offsets: the same shape the replication stream will deliver, so both
 * feed the decoder through one path.  gzip-wrapped files are read through
 * zlib.  Memory stays bounded by the largest event, whatever the file size.
 * One thread per reader.
 */
#ifndef SL_IO_BINLOG_FILE_H
#define SL_IO_BINLOG_FILE_H

#include "core/err.h"

#include <stddef.h>
#include <stdint.h>

struct binlog_file;

/* Opens path and checks the 4-byte magic.  Errors name the file. */
int binlog_file_open(const char *path, struct binlog_file **out,
                     struct sl_err *err);
void binlog_file_close(struct binlog_file *f);

/* Next whole event: 1 with *ev (valid until the next call), *len and *pos
 * (offset of the event's first byte); 0 at a clean end of file; negative
 * SL_E* with err set ("at offset N: …") on a truncated or overrunning
 * event or a read error. */
int binlog_file_next(struct binlog_file *f, const uint8_t **ev, size_t *len,
                     uint64_t *pos, struct sl_err *err);

/* Continues reading at offset pos (an event boundary), for
 * --start-position.  Plain files only. */
int binlog_file_seek(struct binlog_file *f, uint64_t pos, struct sl_err *err);

#endif
