/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/err.c: filling struct sl_err.  See err.h for the message shape.
 * Any thread; the record belongs to the caller.
 */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int vset(struct sl_err *err, int code, const char *fmt, va_list ap)
{
	if (err == NULL)
		return code;
	err->code = code;
	err->sys_errno = 0;
	err->has_pos = 0;
	err->pos = 0;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return code;
}

int sl_err_set(struct sl_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

int sl_err_at(struct sl_err *err, int code, uint64_t pos, const char *fmt, ...)
{
	va_list ap;
	char tmp[SL_ERR_MSG_CAP];

	if (err == NULL)
		return code;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	sl_err_set(err, code, "at offset %llu: %s", (unsigned long long)pos,
	           tmp);
	err->has_pos = 1;
	err->pos = pos;
	return code;
}

int sl_err_sys(struct sl_err *err, int sys_errno, const char *fmt, ...)
{
	va_list ap;
	char tmp[SL_ERR_MSG_CAP];

	if (err == NULL)
		return SL_EIO;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	sl_err_set(err, SL_EIO, "%s: %s", tmp, strerror(sys_errno));
	err->sys_errno = sys_errno;
	return SL_EIO;
}

void sl_err_ctx(struct sl_err *err, const char *fmt, ...)
{
	va_list ap;
	char pre[SL_ERR_MSG_CAP];
	char old[SL_ERR_MSG_CAP];

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	snprintf(err->msg, sizeof(err->msg), "%s: %s", pre, old);
}

const char *sl_err_name(int code)
{
	switch (code) {
	case SL_OK: return "ok";
	case SL_ENOMEM: return "out of memory";
	case SL_EINVAL: return "invalid";
	case SL_EPROTO: return "malformed";
	case SL_ETRUNC: return "truncated";
	case SL_ECHECKSUM: return "checksum mismatch";
	case SL_EUNSUPPORTED: return "unsupported";
	case SL_EIO: return "i/o error";
	case SL_ENOTFOUND: return "not found";
	case SL_EAGAIN: return "try again";
	default: return "error";
	}
}

void sl_err_clear(struct sl_err *err)
{
	if (err == NULL)
		return;
	err->code = 0;
	err->sys_errno = 0;
	err->has_pos = 0;
	err->pos = 0;
	err->msg[0] = '\0';
}
