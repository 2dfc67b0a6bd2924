/*
 * model.h - what the checks share about one file, computed in one walk.
 *
 * The walk (walk.c) builds the model while it dispatches node hooks:
 * functions and classes with their spans, calls with callee names and how
 * their result is used, try/except/else/finally regions with the calls they
 * cover, with-items (lock regions and context managers), imports and
 * comments.  Names are resolved through the file's imports once the walk is
 * done (model_finish), so `th.Lock()` after `import threading as th` has the
 * qualified name "threading.Lock".
 *
 * Everything lives in the file's arena and dies with it.  Indices (int) are
 * used instead of pointers so vectors can grow; -1 means "none".
 */
#ifndef FL_MODEL_H
#define FL_MODEL_H

#include "util.h"
#include <tree_sitter/api.h>

struct fl_func {
	const char *name;      /* short name ("send"), "<lambda>" */
	const char *qualname;  /* "Client.send", "main.<locals>.worker" */
	TSNode node;
	uint32_t start, end;   /* byte span */
	int parent;            /* enclosing function, -1 at module level */
	int cls;               /* class whose body defines it, or -1 */
	bool is_async, is_lambda;
	uint32_t call_begin, call_end; /* calls in its span (incl. nested) */
};

struct fl_class {
	const char *name;
	TSNode node;
	int parent_func;
};

/* How a call's result is used. */
enum fl_use {
	USE_OTHER = 0,
	USE_DISCARD,      /* statement of its own: result dropped */
	USE_VOID_CAST,    /* C: (void)f() */
	USE_ASSIGN,       /* stored in a plain local name (assigned) */
	USE_ASSIGN_ATTR,  /* stored in an attribute / field / subscript */
	USE_COND,         /* tested: if/while condition, comparison, ! */
	USE_ARG,          /* passed to another call */
	USE_RETURN,       /* returned */
	USE_WITH,         /* Python: a with-item's context manager */
	USE_DECL,         /* C: initialiser of a declared variable */
};

enum fl_call_flags {
	CALL_AWAITED = 1 << 0,     /* Python: `await f()` */
	CALL_IN_HANDLER = 1 << 1,  /* inside an except clause */
	CALL_IN_FINALLY = 1 << 2,  /* inside a finally clause */
	CALL_IN_LOOP = 1 << 3,     /* inside a for/while body */
	CALL_AT_MODULE = 1 << 4,   /* not inside any function */
	CALL_IN_CLASS_BODY = 1 << 5,
};

struct fl_call {
	TSNode node;
	int func;             /* enclosing function, -1 at module level */
	int try_idx;          /* innermost enclosing try region, -1 */
	const char *callee;   /* dotted text "self.sock.sendall" or NULL */
	const char *qname;    /* callee resolved through imports */
	const char *method;   /* last name component ("sendall"), or NULL */
	const char *assigned; /* USE_ASSIGN/USE_DECL: the name it is stored in */
	uint8_t use;          /* enum fl_use */
	uint16_t flags;       /* enum fl_call_flags */
};

/* Parts of a try statement. */
enum fl_try_part { PART_NONE = 0, PART_BODY, PART_HANDLER, PART_ELSE, PART_FINALLY };

struct fl_handler {
	TSNode node;          /* except_clause */
	TSNode type;          /* the exception expression, null for bare except */
	TSNode body;          /* its block */
	const char *alias;    /* `as e` name or NULL */
	int try_idx;
	int next;             /* next handler of the same try, -1 */
	uint32_t call_begin, call_end;
};

struct fl_try {
	TSNode node;
	TSNode body;
	int func;
	int parent;           /* enclosing try, -1 */
	uint8_t parent_part;  /* which part of the parent encloses it */
	bool in_handler;      /* inside some except clause of its function */
	bool in_finally;      /* inside some finally clause of its function */
	bool in_loop;         /* a loop encloses it in its function */
	bool has_finally, has_else;
	uint32_t body_call_begin, body_call_end;
	int first_handler;    /* list through fl_handler.next, -1 */
};

struct fl_with {
	TSNode item;          /* with_item */
	TSNode value;         /* the context manager expression */
	const char *alias;    /* `as name`, or NULL */
	int func;
	int parent;           /* first item of the enclosing with statement
			       * in the same function, -1 */
	int first;            /* first item of its own with statement */
	bool is_async;
	uint32_t body_call_begin, body_call_end;
};

/* How code touches an attribute of self/cls (Python). */
enum fl_access_kind {
	ACC_LOAD = 1,     /* self.x */
	ACC_STORE,        /* self.x = ... */
	ACC_RMW,          /* self.x += ... */
	ACC_DEL,          /* del self.x */
	ACC_CALL,         /* self.x.method(...) */
	ACC_ITEM_LOAD,    /* self.x[k] */
	ACC_ITEM_STORE,   /* self.x[k] = ... */
	ACC_ITEM_RMW,     /* self.x[k] += ... */
	ACC_ITEM_DEL,     /* del self.x[k] */
	ACC_METHOD,       /* self.x.method, not called (a callback) */
	ACC_GLOBAL,       /* global x (gaccesses only) */
};

struct fl_access {
	TSNode node;          /* the attribute node (self.x) */
	const char *name;     /* "x" */
	const char *method;   /* ACC_CALL, ACC_METHOD: the method's name */
	int func;
	int with;             /* first item of the innermost enclosing with
			       * statement in the function, -1 */
	uint8_t kind;         /* enum fl_access_kind */
};

struct fl_import {
	const char *alias;    /* name bound in this file ("th", "Lock") */
	const char *qname;    /* what it names ("threading", "threading.Lock") */
};

struct fl_comment {
	uint32_t line;        /* 1-based */
	uint32_t start, end;  /* bytes */
	bool standalone;      /* nothing but whitespace before it on its line */
};

struct fl_model {
	VEC(struct fl_func) funcs;
	VEC(struct fl_class) classes;
	VEC(struct fl_call) calls;
	VEC(struct fl_try) tries;
	VEC(struct fl_handler) handlers;
	VEC(struct fl_with) withs;
	VEC(struct fl_access) accesses;
	/* The same for bare names inside functions (x[k] = v, x.append(),
	 * x += 1, for k in x, global x...): each may be a module global or
	 * a local; the checks that use them sort that out.  Not recorded:
	 * callees, attribute names, parameters, definitions, imports. */
	VEC(struct fl_access) gaccesses;
	VEC(struct fl_import) imports;
	VEC(struct fl_comment) comments;
	uint32_t error_nodes, error_bytes, max_depth, nodes;
	struct cfg **cfgs;   /* per function, built on demand (cfg.h) */
	uint8_t *does_io;    /* per function, computed on demand: 0 unknown,
			      * 1 being computed, 2 no, 3 yes */
	uint8_t *ctx;        /* per function: enum py_ctx bits, on demand */
	int *ctx_start;      /* per function: the call starting its thread */
};

struct fl_file;

/* Release the model's vectors (strings live in the file arena). */
void model_release(struct fl_model *m);
/* Resolve call names through imports; called once the walk is done. */
void model_finish(struct fl_file *f);

/* Innermost function containing byte offset, or -1. */
int model_func_at(const struct fl_model *m, uint32_t byte);
/* Qualified name of the innermost function containing byte, or "". */
const char *model_func_name_at(const struct fl_model *m, uint32_t byte);
/* The import-resolved form of a dotted name (arena string, or `name`). */
const char *model_resolve(struct fl_file *f, const char *dotted);

#endif
