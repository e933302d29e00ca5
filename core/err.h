/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/err.h: error codes and the error record every layer fills in.
 * Functions return 0 or a negative SL_E* code; when the caller passes a
 * struct sl_err, the failing function also writes a one-line message.
 * Layers add what they know (file, byte offset, table) with sl_err_ctx,
 * so the final line reads "FILE: at offset N: what went wrong: details".
 * The message never holds a password: callers format only object names.
 */
#ifndef SL_CORE_ERR_H
#define SL_CORE_ERR_H

#include <stddef.h>
#include <stdint.h>

enum {
	SL_OK = 0,
	SL_ENOMEM = -1,       /* allocation failed */
	SL_EINVAL = -2,       /* bad argument or configuration */
	SL_EPROTO = -3,       /* malformed bytes (event, packet) */
	SL_ETRUNC = -4,       /* input ends inside an object */
	SL_ECHECKSUM = -5,    /* CRC32 mismatch */
	SL_EUNSUPPORTED = -6, /* valid but not handled (e.g. encryption) */
	SL_EIO = -7,          /* system call failed; see sys_errno */
	SL_ENOTFOUND = -8,    /* a referenced object is missing */
	SL_EAGAIN = -9,       /* try again later (a full queue) */
};

#define SL_ERR_MSG_CAP 512

struct sl_err {
	int code;      /* SL_E* or 0 */
	int sys_errno; /* errno of the failing call, or 0 */
	int has_pos;   /* pos is meaningful */
	uint64_t pos;  /* byte offset of the failing object */
	char msg[SL_ERR_MSG_CAP];
};

/* Records code and a printf-style message; returns code.  err may be NULL. */
int sl_err_set(struct sl_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Same, with the byte offset of the object that failed. */
int sl_err_at(struct sl_err *err, int code, uint64_t pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Records a failed system call: message plus strerror(sys_errno). */
int sl_err_sys(struct sl_err *err, int sys_errno, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the existing message with "prefix: " (context from an outer
 * layer, e.g. the file name).  Keeps code and pos. */
void sl_err_ctx(struct sl_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Short name of an SL_E* code ("checksum", "truncated", ...). */
const char *sl_err_name(int code);

void sl_err_clear(struct sl_err *err);

#endif
