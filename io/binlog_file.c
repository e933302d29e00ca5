/* SPDX-License-Identifier: Apache-2.0 */
/*
 * io/binlog_file.c: event framing over a file (see the header).
 * Regular files are mapped read-only and events are handed out in place:
 * no copy from the page cache (copying was half the decode time).  Pages
 * behind the reader are dropped from the mapping every RELEASE_STEP bytes
 * (MADV_DONTNEED on a file mapping only unmaps; the page cache keeps
 * them), so the resident set stays bounded whatever the file size.
 * gzip-wrapped files and anything mmap refuses are read into a buffer
 * that is refilled by moving the unread tail to its start and grows only
 * when one event is larger than it.
 */
#include "binlog_file.h"

#include "core/bytes.h"
#include "core/event.h"
#include "core/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <zlib.h>

#define BUF_INIT     ((size_t)1 << 20)
#define EVENT_MAX    ((size_t)1 << 30) /* MySQL's max_allowed_packet cap */
#define RELEASE_STEP ((size_t)4 << 20)

struct binlog_file {
	int fd;
	const uint8_t *map; /* whole file when mapped, else NULL */
	size_t map_len;
	size_t released; /* map bytes before this were dropped */
	gzFile gz;       /* non-NULL for gzip-wrapped files */
	uint8_t *buf;
	size_t cap;
	size_t head, tail; /* unread bytes are buf[head, tail) */
	uint64_t off;      /* file offset of buf[head] */
	int eof;
};

static ssize_t raw_read(struct binlog_file *f, void *p, size_t n)
{
	if (f->gz != NULL)
		return gzread(f->gz, p,
		              (unsigned)(n > (1u << 30) ? 1u << 30 : n));
	return read(f->fd, p, n);
}

/* Ensures at least want unread bytes, or as many as the file has left. */
static int fill(struct binlog_file *f, size_t want, struct sl_err *err)
{
	while (f->tail - f->head < want && !f->eof) {
		ssize_t n;

		if (f->cap - f->head < want) {
			if (f->head > 0) {
				memmove(f->buf, f->buf + f->head,
				        f->tail - f->head);
				f->tail -= f->head;
				f->head = 0;
			}
			if (f->cap < want) {
				size_t ncap = f->cap;
				uint8_t *nb;

				while (ncap < want)
					ncap *= 2;
				nb = sl_realloc(f->buf, ncap);
				if (nb == NULL)
					return sl_err_set(err, SL_ENOMEM,
					                  "no memory for a "
					                  "%zu-byte event",
					                  want);
				f->buf = nb;
				f->cap = ncap;
			}
		}
		n = raw_read(f, f->buf + f->tail, f->cap - f->tail);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return sl_err_sys(err, errno, "read");
		}
		if (n == 0)
			f->eof = 1;
		f->tail += (size_t)n;
	}
	return 0;
}

int binlog_file_open(const char *path, struct binlog_file **out,
                     struct sl_err *err)
{
	struct binlog_file *f;
	uint8_t peek[2];
	ssize_t n;
	int rc;

	f = sl_calloc(1, sizeof(*f));
	if (f == NULL)
		return sl_err_set(err, SL_ENOMEM, "out of memory");
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0) {
		rc = sl_err_sys(err, errno, "cannot open");
		sl_free(f);
		return rc;
	}
	n = pread(f->fd, peek, 2, 0);
	if (n == 2 && peek[0] == 0x1f && peek[1] == 0x8b) {
		int fd2 = dup(f->fd);

		f->gz = fd2 >= 0 ? gzdopen(fd2, "rb") : NULL;
		if (f->gz == NULL) {
			rc = sl_err_set(err, SL_EIO, "cannot open gzip stream");
			goto fail;
		}
		gzbuffer(f->gz, 1 << 20);
	} else {
		struct stat st;

		(void)posix_fadvise(f->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
		if (fstat(f->fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_size >= BINLOG_MAGIC_LEN) {
			void *m = mmap(NULL, (size_t)st.st_size, PROT_READ,
			               MAP_PRIVATE, f->fd, 0);

			if (m != MAP_FAILED) {
				(void)madvise(m, (size_t)st.st_size,
				              MADV_SEQUENTIAL);
				f->map = m;
				f->map_len = (size_t)st.st_size;
			}
		}
	}
	if (f->map != NULL) {
		f->buf = (uint8_t *)f->map; /* read-only: never written */
		f->tail = f->map_len;
		f->eof = 1;
		goto check_magic;
	}
	f->cap = BUF_INIT;
	f->buf = sl_malloc(f->cap);
	if (f->buf == NULL) {
		rc = sl_err_set(err, SL_ENOMEM, "out of memory");
		goto fail;
	}
	rc = fill(f, BINLOG_MAGIC_LEN, err);
	if (rc)
		goto fail;
check_magic:
	if (f->tail < BINLOG_MAGIC_LEN) {
		rc = sl_err_at(err, SL_ETRUNC, 0,
		               "file of %zu bytes is too short for the binlog "
		               "magic",
		               f->tail);
		goto fail;
	}
	if (memcmp(f->buf,
	           "\xfe"
	           "bin",
	           4) != 0) {
		if (memcmp(f->buf,
		           "\xfd"
		           "bin",
		           4) == 0)
			rc = sl_err_at(err, SL_EUNSUPPORTED, 0,
			               "MySQL encrypted binlog (magic fd 62 "
			               "69 6e): sluice cannot read encrypted "
			               "files; read them through the server's "
			               "replication stream instead");
		else
			rc = sl_err_at(
			    err, SL_EPROTO, 0,
			    "not a binlog file: starts with %02x %02x "
			    "%02x %02x, expected fe 62 69 6e",
			    f->buf[0], f->buf[1], f->buf[2], f->buf[3]);
		goto fail;
	}
	f->head = BINLOG_MAGIC_LEN;
	f->off = BINLOG_MAGIC_LEN;
	*out = f;
	return 0;
fail:
	binlog_file_close(f);
	return rc;
}

void binlog_file_close(struct binlog_file *f)
{
	if (f == NULL)
		return;
	if (f->gz != NULL)
		gzclose(f->gz);
	if (f->fd >= 0)
		close(f->fd);
	if (f->map != NULL)
		munmap((void *)f->map, f->map_len);
	else
		sl_free(f->buf);
	sl_free(f);
}

int binlog_file_seek(struct binlog_file *f, uint64_t pos, struct sl_err *err)
{
	if (f->gz != NULL)
		return sl_err_set(err, SL_EINVAL,
		                  "cannot seek in a gzip-wrapped file");
	if (f->map != NULL) {
		if (pos > f->map_len)
			return sl_err_set(err, SL_EINVAL,
			                  "start position %llu is past the end "
			                  "of the file (%zu bytes)",
			                  (unsigned long long)pos, f->map_len);
		f->head = (size_t)pos;
		f->off = pos;
		return 0;
	}
	if (pos >= f->off && pos <= f->off + (f->tail - f->head)) {
		f->head += (size_t)(pos - f->off);
		f->off = pos;
		return 0;
	}
	if (lseek(f->fd, (off_t)pos, SEEK_SET) < 0)
		return sl_err_sys(err, errno, "seek to %llu",
		                  (unsigned long long)pos);
	f->head = f->tail = 0;
	f->off = pos;
	f->eof = 0;
	return 0;
}

int binlog_file_next(struct binlog_file *f, const uint8_t **ev, size_t *len,
                     uint64_t *pos, struct sl_err *err)
{
	uint32_t size;
	int rc;

	rc = fill(f, EVENT_HEADER_LEN, err);
	if (rc)
		return rc;
	if (f->tail == f->head)
		return 0;
	if (f->tail - f->head < EVENT_HEADER_LEN)
		return sl_err_at(err, SL_ETRUNC, f->off,
		                 "truncated event header: the file ends %zu "
		                 "bytes into it (need 19)",
		                 f->tail - f->head);
	size = get_u32le(f->buf + f->head + 9);
	if (size < EVENT_HEADER_LEN)
		return sl_err_at(err, SL_EPROTO, f->off,
		                 "event length %u is smaller than the 19-byte "
		                 "header (corrupt length field)",
		                 size);
	if (size > EVENT_MAX)
		return sl_err_at(err, SL_EPROTO, f->off,
		                 "event length %u exceeds the 1 GiB maximum "
		                 "(corrupt length field)",
		                 size);
	rc = fill(f, size, err);
	if (rc)
		return rc;
	if (f->tail - f->head < size)
		return sl_err_at(
		    err, SL_ETRUNC, f->off,
		    "event of %u bytes (type %u) runs past the end "
		    "of the file: only %zu bytes left (truncated "
		    "file or corrupt length)",
		    size, f->buf[f->head + 4], f->tail - f->head);
	*ev = f->buf + f->head;
	*len = size;
	*pos = f->off;
	f->head += size;
	f->off += size;
	if (f->map != NULL && f->head - f->released >= 2 * RELEASE_STEP) {
		/* Drop what lies a full step behind the current event. */
		size_t upto = (f->head - RELEASE_STEP) & ~(size_t)4095;

		(void)madvise((void *)(f->map + f->released),
		              upto - f->released, MADV_DONTNEED);
		f->released = upto;
	}
	return 1;
}
