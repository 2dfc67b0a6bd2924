/*
 * RES001 resource-leaked-on-error-path (Python, C)
 *
 * C (check_c): a local that malloc/strdup/g_malloc/fopen/open/socket...
 * fills, and that the function frees, closes or hands on at its normal
 * end, left behind by an early return or a goto past the release.  The
 * search is hold_find_return_leak(); c_correlated() drops the paths that
 * agreeing tests rule out.
 *
 * Heuristic: a local name bound to a new resource from the opener table
 * (src/lang/python/api.c: files, sockets, database connections, HTTP
 * sessions, processes, archives, temporary files, executors...) that the
 * function releases itself (x.close(), os.close(fd), p.wait()...) -- but
 * only on the straight-line path: the control-flow graph has a path from
 * the acquisition through an exception edge to the function's exit on
 * which the resource is neither released, handed to a with statement,
 * stored, returned nor passed on.  The trace names the call that raises.
 *
 * Also reported, at low confidence: a resource that is never released,
 * stored, returned or passed on at all (CPython's reference counting
 * usually closes it when the function returns).
 *
 * Paths are pruned where the function tests the name for None (`if f:`
 * in a finally clause is true while f is open), and an except clause that
 * releases the resource is taken to cover the exceptions that occur.  A
 * path that needs a bare subscript to raise (no call) is medium
 * confidence.  Processes (subprocess.Popen) are not judged: waiting for
 * them is often left to a later owner on purpose.
 *
 * Not reported: `with open(...) as f`, release in a finally clause or in
 * every handler that re-raises, resources stored on self or in a
 * container, returned, passed to another call (ExitStack.enter_context,
 * closing(), a helper), captured by a nested function.
 *
 * False-positive policy: the finding needs a real path in the graph from
 * the acquisition to the exception exit without a release; calls are
 * assumed to raise only when they are calls, awaits or subscripts.
 */
#include "../../core/hold.h"
#include "../../lang/c/scope.h"
#include "../../lang/python/api.h"

#include <string.h>

struct res {
	struct fl_file *f;
	const struct cfg *g;
	const struct py_opener *op;
	const char *name;
};

static enum hold_ev event(void *ud, int n)
{
	struct res *r = ud;
	switch (py_name_event(r->f, cfg_node_code(r->g, n), r->name, r->op)) {
	case EV_CLOSE:
		return H_GIVE;
	case EV_MANAGED:
	case EV_ESCAPE:
	case EV_REBIND:
		return H_STOP;
	default:
		return H_NONE;
	}
}

/* try: sock.connect(addr)
 * except OSError: sock.close(); raise */
static bool handler_gives(void *ud, int dispatch)
{
	struct res *r = ud;
	const struct cfg_node *d = &r->g->nodes.v[dispatch];
	for (uint32_t i = 0; i < d->n; i++) {
		const struct cfg_node *h = &r->g->nodes.v[d->succ[i]];
		if (h->kind != N_HANDLER)
			continue;
		TSNode body = fl_child_of_kind(r->f, h->node, PK_block);
		if (py_name_event(r->f, body, r->name, r->op) == EV_CLOSE)
			return true;
	}
	return false;
}

/* `if f:` / `if f is not None:` -- while f is open it is not None. */
static int absent_branch(void *ud, int n)
{
	struct res *r = ud;
	return cfg_none_branch(r->f, r->g, n, r->name);
}

static bool likely_raise(void *ud, int n)
{
	struct res *r = ud;
	return py_node_likely_raises(r->f, r->g, n);
}

/* Is the name closed, managed or handed on anywhere in the function? */
static bool any_event(struct res *r, int start, enum hold_ev want)
{
	for (size_t i = 0; i < r->g->nodes.n; i++)
		if ((int)i != start && event(r, (int)i) == want)
			return true;
	return false;
}

static void report_never_closed(struct fl_file *f, const struct fl_call *c,
				struct res *r, int start)
{
	const struct fl_func *fn = &f->m.funcs.v[c->func];
	if (any_event(r, start, H_STOP))
		return; /* handed on somewhere: its owner's job */
	struct fl_finding *fd = fl_report(
		f, &check_resource_leaked_on_error_path, c->node, CONF_LOW,
		"%s '%s' opened by '%s' is never closed in '%s'", r->op->what,
		c->assigned, c->qname, fn->qualname);
	fl_trace(f, fd, c->node, "'%s' is opened here", c->assigned);
	fl_trace(f, fd, fn->node,
		 "no path through '%s' closes it, stores it or hands it on; "
		 "it stays open until the garbage collector finds it",
		 fn->qualname);
	fl_set_hint(fd, "use 'with %s(...) as %s:'", c->qname, c->assigned);
}

static void check_call(struct fl_file *f, const struct fl_call *c,
		       const struct py_opener *op)
{
	const struct cfg *g = cfg_of(f, c->func);
	if (!g)
		return;
	int start = cfg_node_at(g, ts_node_start_byte(c->node));
	if (start < 0 || g->nodes.v[start].kind != N_STMT)
		return;
	struct res r = {f, g, op, c->assigned};
	if (!any_event(&r, start, H_GIVE)) {
		report_never_closed(f, c, &r, start);
		return;
	}
	struct hold h = {g,	   start,	  -1, event, handler_gives,
			 absent_branch, &r, likely_raise};
	struct hold_found found;
	if (!hold_find_leak(&h, &found, f->a))
		return;
	const struct fl_func *fn = &f->m.funcs.v[c->func];
	TSNode rn = g->nodes.v[found.raiser].node;
	const char *stmt = py_one_line(f, rn);
	const char *callee = py_node_name(f, g, found.raiser);
	/* A call that raises makes the strongest finding; a subscript
	 * (`d[key]`, `path[0]`) raising is real but less likely.  A local
	 * file is closed by the runtime when its object dies, soon after the
	 * exception is handled: worth fixing, low confidence that it
	 * matters.  Sockets, connections and sessions hold something on the
	 * other side. */
	enum fl_confidence conf = found.by_call ? CONF_HIGH : CONF_MEDIUM;
	if (!op->external || f->is_test)
		conf = CONF_LOW;
	struct fl_finding *fd = fl_report(
		f, &check_resource_leaked_on_error_path, c->node, conf,
		"%s '%s' opened by '%s' is not closed when '%s' raises",
		op->what, c->assigned, c->qname, callee);
	if (!op->external)
		fd->severity = SEV_LOW;
	fl_trace(f, fd, c->node, "'%s' is opened here", c->assigned);
	fl_trace(f, fd, rn, "'%s' can raise while '%s' is open", stmt,
		 c->assigned);
	fl_trace(f, fd, g->nodes.v[found.give].node,
		 "'%s' is closed here only when nothing before it raised",
		 c->assigned);
	fl_trace(f, fd, fn->node,
		 found.to_raise
			 ? "the exception leaves '%s' with '%s' still open"
			 : "the exception is handled and '%s' returns with '%s' "
			   "still open",
		 fn->qualname, c->assigned);
	fl_set_hint(fd,
		    "use 'with %s(...) as %s:', or close '%s' in a finally "
		    "clause",
		    c->qname, c->assigned, c->assigned);
}

/* ------------------------------------------------------------------ */
/* C: allocations and descriptors left behind by an early return        */

struct c_alloc {
	const char *fn;
	const char *what;
	const char *release[3];
	bool fd;               /* an int descriptor: absent when < 0 */
};

static const struct c_alloc c_allocs[] = {
	{"malloc", "memory", {"free"}, false},
	{"calloc", "memory", {"free"}, false},
	{"strdup", "memory", {"free"}, false},
	{"strndup", "memory", {"free"}, false},
	{"g_malloc", "memory", {"g_free"}, false},
	{"g_malloc0", "memory", {"g_free"}, false},
	{"g_new", "memory", {"g_free"}, false},
	{"g_new0", "memory", {"g_free"}, false},
	{"g_strdup", "memory", {"g_free"}, false},
	{"g_strndup", "memory", {"g_free"}, false},
	{"g_strdup_printf", "memory", {"g_free"}, false},
	{"fopen", "file", {"fclose"}, false},
	{"fdopen", "file", {"fclose"}, false},
	{"tmpfile", "file", {"fclose"}, false},
	{"popen", "pipe", {"pclose"}, false},
	{"opendir", "directory", {"closedir"}, false},
	{"open", "file descriptor", {"close"}, true},
	{"openat", "file descriptor", {"close"}, true},
	{"creat", "file descriptor", {"close"}, true},
	{"socket", "socket", {"close"}, true},
	{"accept", "socket", {"close"}, true},
	{"accept4", "socket", {"close"}, true},
	{"dup", "file descriptor", {"close"}, true},
};

/* Calls that use a pointer or descriptor without keeping it. */
static bool c_borrows(const char *fn)
{
	static const char *const names[] = {
		"memcpy",   "memmove",	"memset",   "memcmp",	"memchr",
		"strcpy",   "strncpy",	"strcat",   "strncat",	"strlen",
		"strnlen",  "strcmp",	"strncmp",  "strcasecmp", "strchr",
		"strrchr",  "strstr",	"strspn",   "strcspn",	"strtol",
		"strtoul",  "strtoll",	"strtoull", "strtod",	"atoi",
		"sprintf",  "snprintf", "vsnprintf", "printf",	"fprintf",
		"dprintf",  "sscanf",	"fscanf",   "fputs",	"fputc",
		"fgets",    "fgetc",	"getc",	    "putc",	"fread",
		"fwrite",   "fseek",	"ftell",    "rewind",	"fflush",
		"feof",	    "ferror",	"fileno",   "read",	"write",
		"pread",    "pwrite",	"send",	    "recv",	"sendto",
		"recvfrom", "sendmsg",	"recvmsg",  "bind",	"connect",
		"listen",   "setsockopt", "getsockopt", "fstat", "fcntl",
		"ioctl",    "lseek",	"ftruncate", "fsync",	"readdir",
		"qsort",    "bsearch",	"g_strlcpy", "g_snprintf", "strlcpy",
		"strlcat",  "getline",	"getdelim", "fchmod",	"fchown",
		"shutdown", "getsockname", "getpeername", "poll", "select",
		"sizeof",   "assert",	"g_assert", "g_return_val_if_fail",
		"g_return_if_fail",
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(fn, names[i]))
			return true;
	return false;
}

struct c_res {
	struct fl_file *f;
	const struct cfg *g;
	const struct c_alloc *al;
	const char *name;
	TSNode take;           /* the allocating call */
};

struct c_scan {
	struct c_res *r;
	enum hold_ev ev;
};

static enum fl_visit c_scan_visit(void *ud, TSNode n)
{
	struct c_scan *sc = ud;
	struct c_res *r = sc->r;
	struct fl_file *f = r->f;
	unsigned k = fl_kind(f, n);
	if (ts_node_eq(n, r->take))
		return FL_SKIP;
	if (k != CK_identifier || !fl_text_eq(f, n, r->name))
		return FL_DESCEND;
	/* what the use of the name is: climb over casts, parentheses and
	 * an `&` handed to a call (i_close_fd(&fd), g_clear_pointer(&p,
	 * g_free)) */
	TSNode at = n, p = ts_node_parent(n);
	while (!ts_node_is_null(p) &&
	       (fl_kind(f, p) == CK_cast_expression ||
		fl_kind(f, p) == CK_parenthesized_expression ||
		(fl_kind(f, p) == CK_pointer_expression &&
		 f->src[ts_node_start_byte(p)] == '&' &&
		 fl_kind(f, ts_node_parent(p)) == CK_argument_list))) {
		at = p;
		p = ts_node_parent(p);
	}
	unsigned pk = fl_kind(f, p);
	enum hold_ev ev = H_NONE;
	/* fp = &new_f->file: a pointer into the block is kept */
	if (pk == CK_field_expression || pk == CK_subscript_expression) {
		TSNode q = p;
		while (!ts_node_is_null(ts_node_parent(q)) &&
		       (fl_kind(f, ts_node_parent(q)) == CK_field_expression ||
			fl_kind(f, ts_node_parent(q)) ==
				CK_subscript_expression))
			q = ts_node_parent(q);
		TSNode amp = ts_node_parent(q);
		if (fl_kind(f, amp) == CK_pointer_expression &&
		    f->src[ts_node_start_byte(amp)] == '&' &&
		    fl_kind(f, ts_node_parent(amp)) != CK_argument_list)
			sc->ev = H_STOP;
		return FL_DESCEND;
	}
	if (pk == CK_update_expression) {
		ev = H_STOP; /* p++: no longer the start of the block */
	} else if (pk == CK_argument_list) {
		TSNode call = ts_node_parent(p);
		TSNode fn = fl_child(f, call, F_function);
		const char *name = fl_kind(f, fn) == CK_identifier
					   ? fl_text(f, fn)
					   : NULL;
		bool rel = false;
		for (size_t i = 0; name && i < ARRAY_SIZE(r->al->release) &&
				   r->al->release[i];
		     i++)
			rel |= !strcmp(name, r->al->release[i]);
		if (name && (rel || !strcmp(name, "free") ||
			     !strcmp(name, "g_free") || c_frees_by_name(name)))
			ev = H_GIVE;
		else if (!name || !c_borrows(name))
			ev = H_STOP; /* handed on: the callee may keep it */
	} else if (pk == CK_return_statement) {
		ev = H_STOP;
	} else if (pk == CK_assignment_expression) {
		/* q = p stores or aliases it; p = ... rebinds the name */
		ev = H_STOP;
	} else if (pk == CK_init_declarator) {
		ev = H_STOP;
	} else if (pk == CK_pointer_expression &&
		   f->src[ts_node_start_byte(p)] == '&') {
		ev = H_STOP;
	} else if (pk == CK_initializer_list || pk == CK_comma_expression ||
		   pk == CK_conditional_expression) {
		ev = H_STOP; /* kept in a struct, or chosen as a value */
	}
	(void)at;
	if (ev == H_GIVE) {
		sc->ev = H_GIVE;
		return FL_STOP;
	}
	if (ev == H_STOP)
		sc->ev = H_STOP;
	return FL_DESCEND;
}

static enum hold_ev c_res_event(void *ud, int n)
{
	struct c_res *r = ud;
	TSNode code = cfg_node_code(r->g, n);
	if (ts_node_is_null(code))
		return H_NONE;
	struct c_scan sc = {r, H_NONE};
	fl_preorder(code, c_scan_visit, &sc);
	return sc.ev;
}

static int c_absent_test(struct c_res *r, TSNode cond);

/* `if (!p)`, `if (p == NULL)`, `if (fd < 0)`: the side of the test on
 * which the allocation failed (nothing to release), or -1. */
static int c_res_absent(void *ud, int n)
{
	struct c_res *r = ud;
	const struct cfg_node *nd = &r->g->nodes.v[n];
	if (nd->kind != N_COND || nd->n != 2)
		return -1;
	return c_absent_test(r, nd->node);
}

/* The branch of test `cond` (0: true, 1: false) on which the resource
 * is absent, or -1. */
static int c_absent_test(struct c_res *r, TSNode cond)
{
	struct fl_file *f = r->f;
	int neg;
	TSNode c = c_test_core(f, cond, &neg);
	if (fl_kind(f, c) == CK_binary_expression) {
		/* `fd == -1 && errno == EEXIST`: true only when absent */
		const char *op = fl_text(f, fl_child(f, c, F_operator));
		if (!strcmp(op, "&&") || !strcmp(op, "||")) {
			int l = c_absent_test(r, fl_child(f, c, F_left));
			bool and = op[0] == '&';
			if ((and && l == 0) || (!and && l == 1))
				return neg ? 1 - l : l;
			return -1;
		}
	}
	/* the allocation inside the test: (p = malloc(n)) == NULL */
	if (fl_kind(f, c) == CK_identifier && fl_text_eq(f, c, r->name))
		return neg ? 0 : 1;
	if (fl_kind(f, c) != CK_binary_expression)
		return -1;
	TSNode a = c_plain(f, fl_child(f, c, F_left));
	TSNode b = c_plain(f, fl_child(f, c, F_right));
	if (fl_kind(f, a) == CK_assignment_expression)
		a = fl_child(f, a, F_left);
	if (!fl_text_eq(f, a, r->name)) {
		TSNode t = a;
		a = b;
		b = t;
		if (fl_kind(f, a) == CK_assignment_expression)
			a = fl_child(f, a, F_left);
		if (!fl_text_eq(f, a, r->name))
			return -1;
	}
	const char *op = fl_text(f, fl_child(f, c, F_operator));
	bool zero = fl_text_eq(f, b, "NULL") || fl_text_eq(f, b, "0") ||
		    fl_kind(f, b) == CK_null;
	bool minus = fl_text_eq(f, b, "-1");
	int absent_true;
	if ((zero || minus) && !strcmp(op, "=="))
		absent_true = 1;
	else if ((zero || minus) && !strcmp(op, "!="))
		absent_true = 0;
	else if (r->al->fd && zero && !strcmp(op, "<"))
		absent_true = 1;
	else if (r->al->fd && zero && !strcmp(op, ">="))
		absent_true = 0;
	else
		return -1;
	return (absent_true ^ neg) ? 0 : 1;
}

/*
 * Paths the graph finds but the program cannot take, because tests
 * agree in ways the graph does not know.  No finding when:
 *   - the resource is handed on somewhere between the allocation and
 *     the return, in the text (`*propp = proposal` before `out:`; the
 *     code that leads there has set a status the cleanup tests);
 *   - the path skips a release that sits under a test of its own on
 *     the common way out (`if (fp != stdin) fclose(fp);`, `if (r != 0)
 *     free(p);` after `out:`) by taking that test the other way;
 *   - it is allocated in a loop and the return is after the loop (`if
 *     (!ai) return -1;` after a connect loop that breaks on success).
 */
static bool c_correlated(struct c_res *r, int start, TSNode ret,
			 const struct hold_found *found)
{
	struct fl_file *f = r->f;
	const struct cfg *g = r->g;
	uint32_t a0 = ts_node_start_byte(r->take), r0 = ts_node_start_byte(ret);
	TSNode loop = c_enclosing(f, r->take, true);
	if (!ts_node_is_null(loop) && !c_within(loop, ret))
		return true;
	for (size_t n = 0; n < g->nodes.n; n++) {
		if ((int)n == start)
			continue;
		enum hold_ev ev = c_res_event(r, (int)n);
		if (ev == H_NONE)
			continue;
		TSNode code = cfg_node_code(g, (int)n);
		uint32_t at = ts_node_start_byte(code);
		if (ev == H_STOP && at > a0 && at < r0)
			return true;
		if (ev != H_GIVE)
			continue;
		/* `if (fp != stdin) fclose(fp);` on the way out, its test
		 * taken the other way by the path: the test and the one
		 * that chose how fp was made agree */
		TSNode guard = c_enclosing(f, code, false);
		if (ts_node_is_null(guard) || c_within(guard, r->take) ||
		    c_jumps(f, fl_child(f, guard, F_consequence), false))
			continue;
		TSNode test = fl_child(f, guard, F_condition);
		for (size_t i = 0; i < found->len; i++)
			if (ts_node_eq(g->nodes.v[found->path[i].node].node, test))
				return true;
	}
	return false;
}

static void c_check_alloc(struct fl_file *f, const struct fl_call *c,
			  const struct c_alloc *al)
{
	const struct fl_func *fn = &f->m.funcs.v[c->func];
	if (!c_is_local(f, fn->node, c->assigned, NULL))
		return;
	const struct cfg *g = cfg_of(f, c->func);
	if (!g)
		return;
	int start = cfg_node_at(g, ts_node_start_byte(c->node));
	if (start < 0)
		return;
	struct c_res r = {f, g, al, c->assigned, c->node};
	int branch = -1;
	if (g->nodes.v[start].kind == N_COND) {
		/* if ((fp = fopen(path, "r")) == NULL) */
		int absent = c_res_absent(&r, start);
		if (absent < 0)
			return;
		branch = 1 - absent;
	} else if (g->nodes.v[start].kind != N_STMT) {
		return;
	}
	struct hold h = {.g = g, .start = start, .start_branch = branch,
			 .event = c_res_event, .absent_branch = c_res_absent,
			 .ud = &r};
	struct hold_found found;
	int leak;
	bool shared;
	TSNode last = c_last_statement(f, fn->node);
	if (!hold_find_return_leak(&h, last, &found, &leak, &shared))
		return;
	TSNode ret = g->nodes.v[leak].node;
	if (c_correlated(&r, start, ret, &found))
		return;
	bool memory = !strcmp(al->what, "memory");
	struct fl_finding *fd = fl_report(
		f, &check_resource_leaked_on_error_path, c->node,
		f->is_test ? CONF_LOW : shared ? CONF_HIGH : CONF_MEDIUM,
		"%s '%s' from '%s' is not %s when '%s' returns at line %u: "
		"%s",
		al->what, c->assigned, al->fn, memory ? "freed" : "closed",
		fn->name, fl_line_of(f, ts_node_start_byte(ret)),
		memory ? "every call that takes this path loses it"
		       : "it stays open, holding a descriptor, until the "
			 "process exits");
	fl_trace(f, fd, c->node, "'%s' gets its %s here", c->assigned,
		 al->what);
	c_trace_path(f, fd, g, found.path, found.len, "the release");
	fl_trace(f, fd, ret, "'%s' returns here with '%s' still %s%s",
		 fn->name, c->assigned, memory ? "allocated" : "open",
		 shared ? "; other paths reach this return after releasing it"
			: "");
	fl_set_hint(fd, "release '%s' before this return, or jump to the "
			"cleanup label that does",
		    c->assigned);
}

/* `p = (char *)malloc(n)`, `char *p = (char *)malloc(n)`: the local a
 * cast allocation is stored in (the model stops at the cast). */
static const char *c_cast_assigned(struct fl_file *f, TSNode call)
{
	bool cast;
	TSNode l = c_stored_in(f, call, &cast);
	if (!cast || ts_node_is_null(l) || fl_kind(f, l) != CK_identifier)
		return NULL;
	return fl_text(f, l);
}

static void check_c(struct fl_file *f)
{
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->func < 0 || !c->callee)
			continue;
		const struct c_alloc *al = NULL;
		for (size_t k = 0; k < ARRAY_SIZE(c_allocs) && !al; k++)
			if (!strcmp(c->callee, c_allocs[k].fn))
				al = &c_allocs[k];
		if (!al)
			continue;
		struct fl_call cc = *c;
		if (cc.use == USE_OTHER)
			cc.assigned = c_cast_assigned(f, c->node);
		else if (cc.use != USE_ASSIGN && cc.use != USE_DECL)
			continue;
		/* bptr = out = g_malloc(n): the block has two names */
		TSNode up = ts_node_parent(c->node);
		while (!ts_node_is_null(up) &&
		       (fl_kind(f, up) == CK_cast_expression ||
			fl_kind(f, up) == CK_parenthesized_expression))
			up = ts_node_parent(up);
		if (fl_kind(f, up) == CK_assignment_expression) {
			TSNode above = ts_node_parent(up);
			while (!ts_node_is_null(above) &&
			       fl_kind(f, above) == CK_parenthesized_expression)
				above = ts_node_parent(above);
			if (fl_kind(f, above) == CK_assignment_expression ||
			    fl_kind(f, above) == CK_init_declarator)
				continue;
		}
		/* the process ends with main: nothing outlives it */
		if (!strcmp(f->m.funcs.v[c->func].name, "main"))
			continue;
		if (cc.assigned)
			c_check_alloc(f, &cc, al);
	}
}

static void check(struct fl_file *f)
{
	if (f->lang == LANG_C) {
		check_c(f);
		return;
	}
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->use != USE_ASSIGN || c->func < 0 || !c->assigned ||
		    (c->flags & CALL_AWAITED))
			continue;
		const struct py_opener *op = py_opener(c->qname);
		/* A process is released by waiting for it, which code often
		 * leaves to a later owner on purpose: not judged here. */
		if (op && strcmp(op->what, "process"))
			check_call(f, c, op);
	}
}

const struct fl_check check_resource_leaked_on_error_path = {
	.code = "RES001",
	.name = "resource-leaked-on-error-path",
	.family = FAM_RES,
	.langs = LANG_BIT(LANG_PYTHON) | LANG_BIT(LANG_C),
	.severity = SEV_MEDIUM,
	.cwe = "CWE-404,CWE-772",
	.summary = "A file, socket, connection or memory block is released "
		   "only on the straight-line path, so an exception (Python) "
		   "or an early return (C) between taking and releasing it "
		   "leaks it.",
	.fix_hint = "use a with statement, or close it in a finally clause",
	.file_end = check,
};
