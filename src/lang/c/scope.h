/*
 * scope.h - which names a C function owns, and which expressions read
 * state another thread can change.  Shared by the concurrency checks that
 * ask "does this test look at something only this call can see?"
 */
#ifndef FL_C_SCOPE_H
#define FL_C_SCOPE_H

#include "../../core/file.h"

/* Is `name` a parameter or a local variable of function `fn`?  *addr_taken
 * (may be NULL) is set when `&name` occurs in the function: the variable's
 * address escapes, so another thread may write it. */
bool c_is_local(struct fl_file *f, TSNode fn, const char *name,
		bool *addr_taken);

/* Is `name` a parameter of function `fn`? */
bool c_is_param(struct fl_file *f, TSNode fn, const char *name);

/* The type text of the file-scope declaration of `name`, or NULL. */
const char *c_global_type(struct fl_file *f, const char *name);

/*
 * The first subexpression of `e` that reads state other threads can see:
 * a field through a pointer (`ctx->ready`), a dereference (`*done`), a
 * global (`g_quit`), a local whose address escapes, or the argument of an
 * atomic load.  Clocks, constants (ALL_CAPS), plain locals and parameters
 * are not state.  Returns a null node when there is none; then *opaque
 * (may be NULL) tells whether `e` calls a function of unknown meaning
 * (`is_ready(ctx)`), which might read shared state, or the OS's; it is
 * also set when the state found is an argument of such a call
 * (`g_queue_is_empty(q->items)`, `access(pidfile, R_OK)`).
 */
TSNode c_shared_state(struct fl_file *f, TSNode fn, TSNode e, bool *opaque);

/* The variable an lvalue is rooted at: `c` in `&c->cond`, `(*q).items[i]`;
 * a null node when it is something else (a call, a literal). */
TSNode c_base_var(struct fl_file *f, TSNode e);

/* Does statement `st` jump away: a return or goto in it, or (with
 * `loops`) a break? */
bool c_jumps(struct fl_file *f, TSNode st, bool loops);

/* The called function's name of a call_expression, or NULL. */
const char *c_callee(struct fl_file *f, TSNode call);

/* `unlikely(x)`, `G_LIKELY(x)`, `__builtin_expect(x, 0)`, `(T *)x`,
 * `(x)`: the expression itself. */
TSNode c_plain(struct fl_file *f, TSNode e);

/* Is `fn` a release by a project's own name: xfree(p), buf_free(p),
 * conn_unref(c), ctx_destroy(c), pool_release(p)? */
bool c_frees_by_name(const char *fn);

/* A test without likely()/casts/parentheses and its leading `!`s; *neg
 * tells whether an odd number of them was taken off. */
TSNode c_test_core(struct fl_file *f, TSNode cond, int *neg);

/* Where the result of `call` is stored (over casts and parentheses): the
 * left side of `x = call(...)`, `self->th = call(...)`, or the declared
 * identifier of `T *x = call(...)`; a null node when it is not stored.
 * *cast (may be NULL) tells whether a cast was crossed. */
TSNode c_stored_in(struct fl_file *f, TSNode call, bool *cast);

#endif
