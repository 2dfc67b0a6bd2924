/*
 * relayd: the native ingest front-end of the telemetry relay.
 *
 * Agents on constrained hosts stream length-prefixed frames to relayd over
 * TCP (or over ICE when they sit behind NAT); relayd queues them and appends
 * them to a spool file that the Python relay drains.
 */
#ifndef RELAYD_H
#define RELAYD_H

#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define RELAYD_MAX_FRAME (64 * 1024)
#define RELAYD_QUEUE_CAP 4096

struct relayd_config {
	char listen_addr[64];
	uint16_t listen_port;
	char spool_path[256];
	char pid_file[256];
	uid_t uid;
	gid_t gid;
	int enable_ice;
};

struct frame {
	size_t len;
	unsigned char *data;
};

struct frame_queue {
	pthread_mutex_t mu;
	pthread_cond_t nonempty;
	struct frame *items;
	size_t head, len, cap;
	int closed;
};

struct relayd_ctx {
	const struct relayd_config *cfg;
	struct frame_queue queue;
	int listen_fd;
	int spool_fd;
	int wake_pipe[2];
	volatile sig_atomic_t stopping;
	unsigned long frames_in;
	unsigned long frames_dropped;
};

/* main.c */
int relayd_load_config(const char *path, struct relayd_config *cfg);
int relayd_drop_privileges(const struct relayd_config *cfg);
int relayd_write_pidfile(const struct relayd_config *cfg);

/* ingest.c */
int queue_init(struct frame_queue *q, size_t cap);
int queue_push(struct frame_queue *q, struct frame f);
int queue_pop(struct frame_queue *q, struct frame *out);
void queue_close(struct frame_queue *q);
int relayd_run(struct relayd_ctx *ctx);
void relayd_request_stop(struct relayd_ctx *ctx);

/* ice.c */
struct relayd_ice;
struct relayd_ice *relayd_ice_start(struct relayd_ctx *ctx);
void relayd_ice_stop(struct relayd_ice *ice);

#endif /* RELAYD_H */
