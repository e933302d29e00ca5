/* SPDX-License-Identifier: Apache-2.0 */
/*
 * io/ring.c: io_uring socket operations (see ring.h).
 * Every op is an SQE linked (IOSQE_IO_LINK) to an IORING_OP_LINK_TIMEOUT;
 * user_data = (seq << 8) | op, where op is RING_OP_* and seq counts
 * submissions, so a late completion of an earlier op is recognised and
 * dropped.  Completions are waited for with io_uring_wait_cqe: the reader
 * thread has nothing else to do while the socket is idle.
 */
#include "ring.h"

#include "core/mem.h"

#include <errno.h>
#include <liburing.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum {
	RING_OP_CONNECT = 1,
	RING_OP_SEND = 2,
	RING_OP_RECV = 3,
	RING_OP_TIMEOUT = 4,
};

struct ring {
	struct io_uring uring;
	uint64_t seq;
};

struct ring *ring_new(unsigned entries, struct sl_err *err)
{
	struct ring *r = sl_calloc(1, sizeof(*r));
	int rc;

	if (r == NULL) {
		sl_err_set(err, SL_ENOMEM, "io_uring: out of memory");
		return NULL;
	}
	rc = io_uring_queue_init(entries, &r->uring, 0);
	if (rc < 0) {
		sl_err_sys(err, -rc, "io_uring_queue_init");
		sl_free(r);
		return NULL;
	}
	return r;
}

void ring_free(struct ring *r)
{
	if (r == NULL)
		return;
	io_uring_queue_exit(&r->uring);
	sl_free(r);
}

/* Submits sqe (already prepared) linked to a timeout and waits for its
 * completion.  Returns cqe->res of the op: >= 0, or -errno (-ECANCELED
 * when the timeout fired first, reported as -ETIME). */
static int run_op(struct ring *r, struct io_uring_sqe *sqe, unsigned op,
                  int timeout_ms)
{
	struct __kernel_timespec ts = {
	    .tv_sec = timeout_ms / 1000,
	    .tv_nsec = (long long)(timeout_ms % 1000) * 1000000,
	};
	uint64_t id = ++r->seq;
	struct io_uring_sqe *t;
	int res = -EIO, got_op = 0, got_timeout = 0, rc;

	io_uring_sqe_set_data64(sqe, (id << 8) | op);
	sqe->flags |= IOSQE_IO_LINK;
	t = io_uring_get_sqe(&r->uring);
	if (t == NULL)
		return -EBUSY;
	io_uring_prep_link_timeout(t, &ts, 0);
	io_uring_sqe_set_data64(t, (id << 8) | RING_OP_TIMEOUT);
	rc = io_uring_submit(&r->uring);
	if (rc < 0)
		return rc;
	while (!got_op || !got_timeout) {
		struct io_uring_cqe *cqe;
		uint64_t ud;

		rc = io_uring_wait_cqe(&r->uring, &cqe);
		if (rc == -EINTR)
			continue;
		if (rc < 0)
			return rc;
		ud = io_uring_cqe_get_data64(cqe);
		if ((ud >> 8) == id) {
			if ((ud & 0xff) == RING_OP_TIMEOUT) {
				got_timeout = 1;
			} else {
				got_op = 1;
				res = cqe->res;
			}
		}
		/* Completions of older ids are leftovers: dropped. */
		io_uring_cqe_seen(&r->uring, cqe);
	}
	return res == -ECANCELED ? -ETIME : res;
}

int ring_connect(struct ring *r, const char *host, unsigned port,
                 int timeout_ms, struct sl_err *err)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
	                         .ai_family = AF_UNSPEC};
	struct addrinfo *res = NULL, *ai;
	char portstr[16];
	int rc, fd = -1, last = 0;

	snprintf(portstr, sizeof(portstr), "%u", port);
	rc = getaddrinfo(host, portstr, &hints, &res);
	if (rc != 0)
		return sl_err_set(err, SL_ENOTFOUND,
		                  "cannot resolve host %s: %s", host,
		                  gai_strerror(rc));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		struct io_uring_sqe *sqe;
		int one = 1;

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		            ai->ai_protocol);
		if (fd < 0) {
			last = errno;
			continue;
		}
		sqe = io_uring_get_sqe(&r->uring);
		if (sqe == NULL) {
			close(fd);
			fd = -1;
			last = EBUSY;
			break;
		}
		io_uring_prep_connect(sqe, fd, ai->ai_addr, ai->ai_addrlen);
		rc = run_op(r, sqe, RING_OP_CONNECT, timeout_ms);
		if (rc == 0) {
			(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
			                 sizeof(one));
			(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one,
			                 sizeof(one));
			break;
		}
		last = -rc;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		if (last == ETIME)
			return sl_err_set(err, SL_EIO,
			                  "cannot connect to %s:%u: no answer "
			                  "within %d ms",
			                  host, port, timeout_ms);
		return sl_err_sys(err, last, "cannot connect to %s:%u", host,
		                  port);
	}
	return fd;
}

int ring_send_all(struct ring *r, int fd, const void *p, size_t n,
                  int timeout_ms, struct sl_err *err)
{
	const uint8_t *b = p;

	while (n > 0) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&r->uring);
		int rc;

		if (sqe == NULL)
			return sl_err_set(err, SL_EIO, "io_uring: queue full");
		io_uring_prep_send(sqe, fd, b, n, MSG_NOSIGNAL);
		rc = run_op(r, sqe, RING_OP_SEND, timeout_ms);
		if (rc == -ETIME)
			return sl_err_set(err, SL_ETRUNC,
			                  "send: peer took no data for %d ms",
			                  timeout_ms);
		if (rc < 0)
			return sl_err_sys(err, -rc, "send");
		b += rc;
		n -= (size_t)rc;
	}
	return 0;
}

ssize_t ring_recv(struct ring *r, int fd, void *p, size_t cap, int timeout_ms,
                  struct sl_err *err)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&r->uring);
	int rc;

	if (sqe == NULL)
		return sl_err_set(err, SL_EIO, "io_uring: queue full");
	io_uring_prep_recv(sqe, fd, p, cap, 0);
	rc = run_op(r, sqe, RING_OP_RECV, timeout_ms);
	if (rc == -ETIME)
		return sl_err_set(err, SL_ETRUNC, "no data for %d ms",
		                  timeout_ms);
	if (rc < 0)
		return sl_err_sys(err, -rc, "recv");
	return rc;
}
