/*
 * The ingest loop: an acceptor thread, one reader thread per agent
 * connection, and a spooler thread that appends queued frames to the spool.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "relayd.h"

int queue_init(struct frame_queue *q, size_t cap)
{
	q->items = calloc(cap, sizeof *q->items);
	if (!q->items)
		return -1;
	q->cap = cap;
	q->head = q->len = 0;
	q->closed = 0;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->nonempty, NULL);
	return 0;
}

int queue_push(struct frame_queue *q, struct frame f)
{
	pthread_mutex_lock(&q->mu);
	if (q->closed || q->len == q->cap)
		return -1; /* caller drops the frame and counts it */
	q->items[(q->head + q->len) % q->cap] = f;
	q->len++;
	pthread_cond_signal(&q->nonempty);
	pthread_mutex_unlock(&q->mu);
	return 0;
}

int queue_pop(struct frame_queue *q, struct frame *out)
{
	pthread_mutex_lock(&q->mu);
	if (q->len == 0 && !q->closed)
		pthread_cond_wait(&q->nonempty, &q->mu);
	if (q->len == 0) {
		/* closed and drained */
		pthread_mutex_unlock(&q->mu);
		return -1;
	}
	*out = q->items[q->head];
	q->head = (q->head + 1) % q->cap;
	q->len--;
	pthread_mutex_unlock(&q->mu);
	return 0;
}

void queue_close(struct frame_queue *q)
{
	pthread_mutex_lock(&q->mu);
	q->closed = 1;
	pthread_cond_broadcast(&q->nonempty);
	pthread_mutex_unlock(&q->mu);
}

/* 1: got len bytes, 0: peer closed, -1: error */
static int read_full(int fd, void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 1;
}

static int write_full(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_frame(int fd, struct frame *out)
{
	uint32_t netlen;
	int rc = read_full(fd, &netlen, sizeof netlen);
	if (rc <= 0)
		return rc;

	size_t len = ntohl(netlen);
	unsigned char *buf = malloc(len);
	if (!buf)
		return -1;
	if (len == 0 || len > RELAYD_MAX_FRAME) {
		syslog(LOG_WARNING, "rejecting frame of %zu bytes", len);
		return -1;
	}
	rc = read_full(fd, buf, len);
	if (rc <= 0) {
		free(buf);
		return rc < 0 ? -1 : 0;
	}
	out->data = buf;
	out->len = len;
	return 1;
}

struct conn_arg {
	struct relayd_ctx *ctx;
	int fd;
};

static void *conn_main(void *arg)
{
	struct conn_arg *ca = arg;
	struct relayd_ctx *ctx = ca->ctx;
	int fd = ca->fd;
	struct frame f;

	free(ca);
	while (read_frame(fd, &f) > 0) {
		__atomic_add_fetch(&ctx->frames_in, 1, __ATOMIC_RELAXED);
		if (queue_push(&ctx->queue, f) < 0) {
			__atomic_add_fetch(&ctx->frames_dropped, 1, __ATOMIC_RELAXED);
			free(f.data);
		}
	}
	close(fd);
	return NULL;
}

static void *accept_main(void *arg)
{
	struct relayd_ctx *ctx = arg;

	while (!ctx->stopping) {
		int fd = accept(ctx->listen_fd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (!ctx->stopping)
				syslog(LOG_ERR, "accept: %m");
			break;
		}
		struct conn_arg *ca = malloc(sizeof *ca);
		if (!ca) {
			close(fd);
			continue;
		}
		ca->ctx = ctx;
		ca->fd = fd;

		pthread_t t;
		int err = pthread_create(&t, NULL, conn_main, ca);
		if (err) {
			syslog(LOG_ERR, "cannot start reader thread: %s", strerror(err));
			close(fd);
			free(ca);
			continue;
		}
		pthread_detach(t);
	}
	return NULL;
}

static void *spool_main(void *arg)
{
	struct relayd_ctx *ctx = arg;
	struct frame f;

	while (queue_pop(&ctx->queue, &f) == 0) {
		uint32_t netlen = htonl((uint32_t)f.len);
		if (write_full(ctx->spool_fd, &netlen, sizeof netlen) < 0 ||
		    write_full(ctx->spool_fd, f.data, f.len) < 0)
			syslog(LOG_ERR, "spool write failed, frame lost: %m");
		free(f.data);
	}
	if (fsync(ctx->spool_fd) < 0)
		syslog(LOG_ERR, "fsync spool: %m");
	return NULL;
}

/* Async-signal-safe: called from the SIGTERM handler. */
void relayd_request_stop(struct relayd_ctx *ctx)
{
	ctx->stopping = 1;
	/* a full pipe already holds a pending wake-up, so a short write is fine */
	(void)write(ctx->wake_pipe[1], "x", 1);
}

int relayd_run(struct relayd_ctx *ctx)
{
	pthread_t acceptor, spooler;
	char c;
	int err;

	if (queue_init(&ctx->queue, RELAYD_QUEUE_CAP) < 0)
		return -1;
	err = pthread_create(&acceptor, NULL, accept_main, ctx);
	if (err) {
		syslog(LOG_ERR, "cannot start acceptor: %s", strerror(err));
		return -1;
	}
	pthread_create(&spooler, NULL, spool_main, ctx);
	syslog(LOG_INFO, "ingest running");

	while (read(ctx->wake_pipe[0], &c, 1) < 0 && errno == EINTR)
		continue;

	shutdown(ctx->listen_fd, SHUT_RDWR);
	pthread_join(acceptor, NULL);
	queue_close(&ctx->queue);
	pthread_join(spooler, NULL);
	syslog(LOG_INFO, "ingest stopped: %lu frames in, %lu dropped",
	       ctx->frames_in, ctx->frames_dropped);
	return 0;
}
