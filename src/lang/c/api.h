/*
 * api.h - what faultline knows about C library APIs, as data.
 */
#ifndef FL_C_API_H
#define FL_C_API_H

#include <stdbool.h>
#include "../../core/diag.h"

/* A function whose result says whether it worked. */
struct c_fallible {
	const char *name;
	const char *fails;       /* how failure shows, completing "it ...":
				  * "returns NULL" */
	const char *consequence; /* what ignoring it does */
	enum fl_severity severity;
	const char *cwe;         /* extra CWE beyond CWE-252, or NULL */
};

/* The entry for a function name, or NULL. */
const struct c_fallible *c_fallible_lookup(const char *name);

/* Is the result of this function conventionally ignored (printf,
 * memcpy, close...)?  No belief is learnt for it. */
bool c_result_ignorable(const char *name);

/* What a locking function does to the lock passed as its first argument. */
enum c_lock_op { LOCK_NONE = 0, LOCK_ACQUIRE, LOCK_RELEASE, LOCK_INIT, LOCK_DESTROY };
enum c_lock_op c_lock_op(const char *name);
/* pthread_mutex_t, GMutex, mtx_t, ... */
bool c_is_lock_type(const char *type);

/* pthread_cond_wait, g_cond_wait_until, cnd_timedwait... */
bool c_is_cond_wait(const char *name);
/* sleep, usleep, nanosleep, g_usleep, Sleep, thrd_sleep... */
bool c_is_sleep(const char *name);
/* time, clock_gettime, g_get_monotonic_time...: reading a clock */
bool c_is_clock(const char *name);
/* atomic_load, __atomic_load_n, g_atomic_int_get...: reading shared state */
bool c_is_atomic_load(const char *name);
/* sched_yield, printf, syslog, g_debug...: calls that do no work a loop
 * waits for */
bool c_is_yield_or_log(const char *name);
/* poll, select, epoll_wait, read, waitpid, a condition wait...: calls
 * that block until something happens (a loop calling one is not polling) */
bool c_is_event_wait(const char *name);

#endif
