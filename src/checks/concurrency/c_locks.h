/*
 * c_locks.h - the C lock APIs and lock-expression helpers shared by
 * CON002 lock-not-released and CON012 double-lock
 * (src/checks/concurrency/lock_not_released.c).
 */
#ifndef FL_C_LOCKS_H
#define FL_C_LOCKS_H

#include "../../core/file.h"

struct c_lock_api {
	const char *lock, *unlock;
};

/* pthread, GLib, C11, libuv, SQLite and Windows lock/unlock pairs. */
extern const struct c_lock_api c_lock_apis[];
extern const size_t c_lock_napis;

/* The lock a call names: its first argument without `&`, casts and
 * parentheses ("ctx->mu" for pthread_mutex_lock(&ctx->mu)). */
TSNode c_lock_arg(struct fl_file *f, TSNode call);

/* The last component of a lock expression: "mu" for ctx->mu. */
const char *c_lock_field(const char *lock);

/* Is call u, in function func, the unlock of `lock` (the text of a
 * lock expression) by api? */
bool c_unlocks(struct fl_file *f, const struct fl_call *u, int func,
	       const struct c_lock_api *api, const char *lock);

#endif
