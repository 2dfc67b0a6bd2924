/*
 * api.h - what faultline knows about Python APIs, as data.
 *
 * Checks ask these tables instead of carrying their own lists, so a name
 * added here (or, later, by configuration) reaches every check that needs
 * it.  Names are import-resolved qualified names ("threading.Lock") or
 * method names ("sendall"), as documented per table.
 */
#ifndef FL_PY_API_H
#define FL_PY_API_H

#include <stdbool.h>
#include "../../core/file.h"

/* Qualified constructors of locks, semaphores and conditions. */
bool py_is_lock_ctor(const char *qname);
/* A constructor of an object safe to share between threads without a
 * lock: a lock, an event, a queue, a thread-local, an executor... */
bool py_thread_safe_ctor(const char *qname);

enum py_effect {
	EFF_NONE = 0,
	EFF_NET,      /* sockets, HTTP, RPC */
	EFF_FILE,     /* files and the file system */
	EFF_DB,       /* database calls */
	EFF_PROC,     /* processes, signals */
	EFF_STATE,    /* mutation of a shared container / object */
	EFF_CALLBACK, /* a callback / handler supplied by someone else */
};

/*
 * What a call does to the world outside the function, judged from its
 * resolved name and method name; EFF_NONE for pure or unknown calls.
 */
enum py_effect py_call_effect(const struct fl_file *f, const struct fl_call *c);
const char *py_effect_name(enum py_effect e);

/* Methods and functions whose failure during cleanup is routinely
 * ignored (close, shutdown, kill, unlink...). */
bool py_is_cleanup_call(const struct fl_call *c);

/* Function names whose body is best-effort cleanup, formatting or a
 * finaliser: a swallowed error there is a choice, not an accident. */
bool py_is_cleanup_func(const char *name);

/* `log.error(...)`, `logger.debug(...)`, `logging.info(...)`: calls whose
 * raising is not worth modelling (logging reports its own errors). */
bool py_is_logging_call(struct fl_file *f, TSNode call);

/* Exception classes that catch (nearly) everything. */
bool py_is_broad_exception(const char *name);

/* A constructor of something that must be released. */
struct py_opener {
	const char *qname;    /* "socket.create_connection" */
	const char *what;     /* "socket", "file", "connection" ... */
	const char *closers;  /* methods that release it, space-separated */
	const char *close_fn; /* a function releasing its first argument
			       * ("os.close"), or NULL */
	bool external;        /* holds something outside the process (a
			       * socket, a server-side connection or session)
			       * rather than a local file the runtime closes
			       * when the object dies */
};

/* The opener for a resolved call name, or NULL. */
const struct py_opener *py_opener(const char *qname);
/* Is `method` one of the opener's release methods? */
bool py_opener_closes(const struct py_opener *op, const char *method);

/* What a statement does to a tracked local name (events.c). */
enum py_event {
	EV_NONE = 0,
	EV_USE,       /* read or method call: no change */
	EV_CLOSE,     /* released: x.close(), os.close(x), del x */
	EV_MANAGED,   /* handed to a with statement: released on every path */
	EV_ESCAPE,    /* stored, returned, passed on, captured: not ours */
	EV_REBIND,    /* the name is assigned again */
};

/*
 * The strongest event statement (or header expression) n causes for local
 * name `name` (ESCAPE/CLOSE/MANAGED/REBIND > USE > NONE).  op gives the
 * release methods and function; NULL means "close" only.
 */
enum py_event py_name_event(struct fl_file *f, TSNode n, const char *name,
			    const struct py_opener *op);

/* What a statement does to a lock, semaphore or counter spelled
 * `target` ("self._lock", "self.in_flight", "stats['active']"). */
enum py_op {
	OP_NONE = 0,
	OP_USE,
	OP_ACQUIRE,   /* target.acquire() */
	OP_RELEASE,   /* target.release() */
	OP_INC,       /* target += n */
	OP_DEC,       /* target -= n */
	OP_RESET,     /* target = ... */
	OP_ESCAPE,    /* passed on, captured: not followed further */
};
enum py_op py_target_op(struct fl_file *f, TSNode n, const char *target);

/* Does the call perform an action (py_call_effect, or an await), directly
 * or through functions of this file it calls (`self._send(...)` whose
 * body sends on a socket)? */
bool py_call_does_io(struct fl_file *f, const struct fl_call *c);
bool py_func_does_io(struct fl_file *f, int func, int depth);

/* Does CFG node n of function g raise for a reason that happens in
 * practice: an action (py_call_effect: network, files, database,
 * processes, callbacks), an await, or an explicit raise? */
struct cfg;
bool py_node_likely_raises(struct fl_file *f, const struct cfg *g, int n);

/* How to name what CFG node n does, for a message: its first call with a
 * plain callee ("self.tx.sendto"), else its first line, cut at 60
 * characters (arena string). */
const char *py_node_name(struct fl_file *f, const struct cfg *g, int n);
/* A node's first line, cut at 60 characters (arena string). */
const char *py_one_line(struct fl_file *f, TSNode n);

/* Blocking functions a coroutine must not call directly: why it blocks,
 * or NULL; and the asyncio way to do it instead. */
const char *py_blocking_call(const char *qname);
const char *py_blocking_fix(const char *qname);

/* The function of this file a name reaches from function `from`:
 * "self.m" / "cls.m" -> method m of the enclosing class, "helper" -> a
 * module function or one nested in `from`; -1 when unknown. */
int py_local_func(struct fl_file *f, int from, const char *dotted);

/* Execution contexts (threads.c): which functions of the file run on
 * threads the file starts.  Per function, computed once. */
enum py_ctx {
	PYCTX_THREAD = 1 << 0,   /* runs on a thread started here */
	PYCTX_MANY = 1 << 1,     /* ... on several at once (a pool, a loop
				  * of threads) */
	PYCTX_ENTRY = 1 << 2,    /* is the target itself */
	PYCTX_OWN_SELF = 1 << 3, /* ... with an object of its own: a request
				  * handler instance made per request */
};
uint8_t py_func_ctx(struct fl_file *f, int func);
/* The call that starts the thread function func runs on (first found),
 * or -1. */
int py_ctx_start(struct fl_file *f, int func);
/* Record FACT_THREAD_TARGET "module.function" for each thread this file
 * starts on a function imported from another module. */
void py_record_thread_facts(struct fl_file *f);
/* The FACT_THREAD_TARGET key of module-level function func. */
const char *py_module_key(struct fl_file *f, int func);
/* Mark func as a thread entry (known from another module) and spread. */
void py_ctx_add_entry(struct fl_file *f, int func);

/* A name that says it is a lock: lock, mutex, rlock, cond, cv... */
bool py_lock_name(const char *name);
/* Does self.<name> of class ci hold a thread-safe object (a lock, an
 * event, a queue, a thread, an executor...) or is it named as a lock? */
bool py_thread_safe_attr(struct fl_file *f, int ci, const char *name);
/* The lock a with-item value (or acquire receiver) names, as the
 * attribute ("_lock" for self._lock) or global name; NULL when it is no
 * thread lock (asyncio locks are not). */
const char *py_with_lock(struct fl_file *f, int ci, TSNode value);

/* Containers kept on objects (containers.c). */
/* The kind of container a value creates ("dict", "list", "deque"...), or
 * NULL: not a container, or a bounded one (deque(maxlen=...)). */
const char *py_container_kind(struct fl_file *f, TSNode value);
/* The assignment an ACC_STORE access is the target of (null if none). */
TSNode py_access_assignment(struct fl_file *f, const struct fl_access *a);
/* Does the access add to the container (x[k] = v, .append, .add...)? */
bool py_grows(const struct fl_access *a);
/* Does it remove from it (del x[k], .pop, .clear, .discard...)? */
bool py_shrinks(const struct fl_access *a);
/* Is it the name of a method that removes entries (pop, clear...)? */
bool py_shrink_method(const char *method);
/* Does function func have a parameter of this name? */
bool py_is_parameter(struct fl_file *f, int func, const char *name);
/* The accesses inside class ci's body: indices [*lo, *hi). */
void py_class_accesses(const struct fl_file *f, int ci, size_t *lo,
		       size_t *hi);
/* Is function an initialiser (__init__, __post_init__, reset...), or the
 * module level (-1)? */
bool py_is_init_func(struct fl_file *f, int func);
/* Lower-case words of a snake_case or camelCase name. */
size_t py_name_words(const char *name, char words[][24], size_t max);

/* Module globals (globals.c): names bound once at module level. */
struct py_global {
	const char *name;
	TSNode stmt, value;    /* the binding statement, its value */
	const char *container; /* py_container_kind of the value, or NULL */
};
struct py_fbind;
struct py_globals {
	struct py_global *v;   /* sorted by name */
	size_t n;
	struct py_fbind *fb;   /* names functions bind themselves */
	size_t nfb;
};
/* Collect them (arena memory; needs the walk's gaccesses). */
void py_globals_build(struct fl_file *f, struct py_globals *g);
const struct py_global *py_global_find(const struct py_globals *g,
				       const char *name);
/* The module global a bare-name access refers to, or NULL: a container,
 * or any value the function declares `global`; never a name the
 * function or one around it binds itself. */
const struct py_global *py_global_of(struct fl_file *f,
				     const struct py_globals *g,
				     const struct fl_access *a);
/* Does function func, or one around it, declare `global name`? */
bool py_global_declared(struct fl_file *f, const struct py_globals *g,
			int func, const char *name);

/* Is self.<name> a container (py_container_kind) that class ci creates
 * in an initialiser? */
bool py_owned_container(struct fl_file *f, int ci, const char *name);
/* A call getattr(self, <computed name>) in a method of class ci -- the
 * class reads its attributes or calls its methods by names made at run
 * time (pycodestyle's Checker hands attributes to plug-ins by parameter
 * name) -- or NULL. */
const struct fl_call *py_class_getattr_self(struct fl_file *f, int ci);
/* Is one of the name's words (py_name_words) in the list? */
bool py_name_has_word(const char *name, const char *const *words, size_t n);
/* Copy the text of node n into buf (NUL-terminated) if it fits in size
 * bytes: a name tested without an arena copy. */
bool py_copy_name(const struct fl_file *f, TSNode n, char *buf, size_t size);
/* Does the name, after leading underscores, start with one of pre? */
bool py_name_starts(const char *name, const char *const *pre, size_t n);
/* A class whose name says it lives as long as the process: its last word
 * is a role such as server, registry, tracker, pool, monitor, cache
 * ("Outer.Inner": the last component counts). */
bool py_long_lived_class(const char *name);
/* The word that makes a name a bound (max_entries -> "max", rate_limit ->
 * "limit", capacity, maxsize, threshold, budget, quota...), or NULL. */
const char *py_limit_word(const char *name);
/*
 * The names a string literal spells: its text (each literal fragment of an
 * f-string) when that is a name or a dotted or colon path ("prune",
 * "app.tasks.prune", "jobs:reap"), one call per component.  prefix: the
 * component ends with '_' ("cleanup_" + kind, "clean_%s" % field,
 * f"_expire_{kind}"): a name built from it.  In other text (prose, a
 * template) only names spelled as attributes count ("{{ pool.max_size
 * }}", "{0.limit}", "call self.prune()"); "prune stale entries" names
 * nothing.
 */
void py_string_names(struct fl_file *f, TSNode str,
		     void (*cb)(void *ud, const char *name, bool prefix),
		     void *ud);
/* Is the function or class definition node decorated? */
bool py_is_decorated(struct fl_file *f, TSNode def);

/* Where a class's bases come from, worst first last. */
enum py_bases {
	BASES_NONE = 0,     /* none, or only neutral ones (object, ABC,
			     * Generic, Protocol, built-in exceptions and
			     * containers, Thread, Process) */
	BASES_PROGRAM,      /* classes of the scanned program without bases
			     * of their own */
	BASES_PROGRAM_DEEP, /* program classes that have bases themselves */
	BASES_EXTERNAL,     /* a class the program does not define (a
			     * framework's), which may call or read anything */
};
/* Record the facts py_class_bases needs (every class's name, and which
 * have non-neutral bases); per-file phase. */
void py_record_class_facts(struct fl_file *f);
/* Global phase (a revisit): where class ci's bases come from; *first is
 * the base that decided it (NULL for BASES_NONE). */
enum py_bases py_class_bases(struct fl_file *f, int ci, const char **first);

/* The literal text of a simple string node ("lock" for 'lock'), or NULL
 * for f-strings, concatenations and strings with escapes. */
const char *py_string_value(struct fl_file *f, TSNode n);

#endif
