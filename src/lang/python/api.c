#include "api.h"
#include "../../core/config.h"

#include <pthread.h>
#include <string.h>

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

#define IN(s, list) in_list((s), (list), ARRAY_SIZE(list))

static const char *const lock_ctors[] = {
	"threading.Lock",
	"threading.RLock",
	"threading.Semaphore",
	"threading.BoundedSemaphore",
	"threading.Condition",
	"asyncio.Lock",
	"asyncio.Semaphore",
	"asyncio.BoundedSemaphore",
	"asyncio.Condition",
	"asyncio.locks.Lock",
	"asyncio.locks.Semaphore",
	"multiprocessing.Lock",
	"multiprocessing.RLock",
	"multiprocessing.Semaphore",
	"multiprocessing.BoundedSemaphore",
	"multiprocessing.Condition",
	"_thread.allocate_lock",
	"_thread.RLock",
	"thread.allocate_lock",
	"trio.Lock",
	"anyio.Lock",
	"gevent.lock.Semaphore",
	"gevent.lock.RLock",
};

/* In a list of strings from the configuration? */
static bool in_ext(const char *s, const struct strlist *l)
{
	for (size_t i = 0; s && i < l->n; i++)
		if (!strcmp(s, l->v[i]))
			return true;
	return false;
}

bool py_is_lock_ctor(const char *qname)
{
	return qname && (IN(qname, lock_ctors) ||
			 in_ext(qname, &fl_api_ext.lock_types));
}

/*
 * Effects are *actions*: calls whose failure leaves the world different
 * from what the code goes on to assume (a message not sent, a file not
 * written, a transaction not committed, a callback not run).  Reads and
 * probes (recv, check_output, open for reading) are not actions: when they
 * fail the code usually falls back to a default, which is a choice.
 */

/* Method names that are actions whatever the receiver. */
static const char *const action_methods[] = {
	"sendall",	"sendto",	 "sendmsg",	  "sendfile",
	"send_message", "sendmail",	 "send_json",	  "send_bytes",
	"send_multipart", "send_string", "publish",	  "upload",
	"upload_file",	"upload_fileobj", "download_file", "put_object",
	"delete_object", "executemany",	 "executescript", "commit",
	"writelines",	"write_text",	 "write_bytes",	  "writerow",
	"writerows",	"fsync",	 "savefig",	  "to_csv",
	"to_parquet",	"insert_one",	 "insert_many",	  "update_one",
	"update_many",	"delete_one",	 "delete_many",	  "bulk_write",
	"makedirs",	"rmtree",	 "copyfile",	  "copytree",
	"symlink_to",	"set_result",	 "set_exception", "call_soon_threadsafe",
};

/* Method names that are actions only on a receiver that looks like a
 * channel, file, connection or process: `sock.send`, `self._fh.write`,
 * but not `gen.send` or `text.replace`. */
static const char *const io_methods[] = {
	"send",	 "write", "execute", "put",    "emit",	  "notify",
	"request", "post", "connect", "dump",  "save",	  "rename",
	"mkdir", "touch", "chmod",   "invoke", "broadcast", "put_nowait",
	"submit", "rollback",
};

/* Receiver name parts that mean "something outside the process". */
static const char *const io_words[] = {
	"f",	   "fp",       "fh",	   "fd",       "fo",	   "out",
	"outf",	   "fout",     "outfile",  "sock",     "socket",   "conn",
	"connection", "con",   "db",	   "cur",      "cursor",   "ws",
	"websocket", "tx",     "wfile",	   "stdout",   "stderr",   "writer",
	"stream",  "client",   "session",  "transport", "channel", "chan",
	"pipe",	   "proc",     "process",  "server",   "peer",	   "redis",
	"producer", "publisher", "bus",	   "queue",    "smtp",	   "ftp",
	"http",	   "api",      "remote",   "upstream", "agent",	   "port",
	"serial",  "device",   "link",	   "sink",     "output",   "file",
	"logfile", "executor", "pool",	   "loop",     "broker",   "mqtt",
	"amqp",	   "kafka",    "s3",	   "bucket",   "store",	   "storage",
};

static const char *const io_suffixes[] = {
	"_sock", "_socket", "_conn", "_connection", "_client", "_session",
	"_file", "_fh",	    "_fp",   "_stream",	    "_writer", "_pipe",
	"_cursor", "_db",   "_queue", "_channel",   "_transport", "_server",
	"_peer", "_ws",	    "_proc", "_executor",   "_pool",   "_producer",
	"_out",	 "_output", "_store",
};

static bool ends_with(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && !memcmp(s + n - k, suf, k);
}

/* Does one component of the receiver look like I/O? */
static bool io_component(const char *s, size_t n)
{
	while (n && *s == '_')
		s++, n--;
	char low[64];
	if (!n || n >= sizeof(low))
		return false;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	low[n] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(io_words); i++)
		if (!strcmp(low, io_words[i]))
			return true;
	for (size_t i = 0; i < ARRAY_SIZE(io_suffixes); i++)
		if (ends_with(low, n, io_suffixes[i]))
			return true;
	return false;
}

/* "self._sock.send" -> looks at "self", "_sock" (not the method). */
static bool receiver_looks_io(const char *callee)
{
	const char *last = strrchr(callee, '.');
	if (!last)
		return false;
	const char *p = callee;
	while (p < last) {
		const char *dot = memchr(p, '.', (size_t)(last - p));
		const char *end = dot ? dot : last;
		if (io_component(p, (size_t)(end - p)))
			return true;
		p = end + 1;
	}
	return false;
}

static const char *const proc_actions[] = {
	"subprocess.run", "subprocess.call", "subprocess.check_call",
	"os.system",	  "os.kill",	     "os.killpg",
	"os.execv",	  "os.execvp",	     "os.execve",
	"os.spawnv",	  "os.spawnvp",	     "os.startfile",
};

static const char *const file_actions[] = {
	"os.write",	"os.rename",	"os.replace",	"os.remove",
	"os.unlink",	"os.mkdir",	"os.makedirs",	"os.rmdir",
	"os.removedirs", "os.chmod",	"os.chown",	"os.symlink",
	"os.link",	"os.fsync",	"os.truncate",	"os.ftruncate",
	"shutil.copy",	"shutil.copy2", "shutil.copyfile", "shutil.copytree",
	"shutil.move",	"shutil.rmtree", "json.dump",	"pickle.dump",
	"marshal.dump", "os.utime",
};

/* open(path, "w") / open(path, mode="a"): writing, not probing. */
static bool open_for_writing(const struct fl_file *f, const struct fl_call *c)
{
	TSNode args = fl_child(f, c->node, F_arguments);
	if (ts_node_is_null(args))
		return false;
	uint32_t n = ts_node_named_child_count(args), pos = 0;
	for (uint32_t i = 0; i < n; i++) {
		TSNode a = ts_node_named_child(args, i);
		TSNode mode = {{0}, NULL, NULL};
		if (fl_kind(f, a) == PK_keyword_argument) {
			if (fl_text_eq(f, fl_child(f, a, F_name), "mode"))
				mode = fl_child(f, a, F_value);
		} else if (fl_kind(f, a) != PK_comment && pos++ == 1) {
			mode = a;
		}
		if (ts_node_is_null(mode) || fl_kind(f, mode) != PK_string)
			continue;
		uint32_t s = ts_node_start_byte(mode), e = ts_node_end_byte(mode);
		for (uint32_t k = s; k < e; k++)
			if (strchr("wax+", f->src[k]))
				return true;
	}
	return false;
}

static bool is_callback_name(const char *m)
{
	return !strncmp(m, "on_", 3) || !strncmp(m, "_on_", 4) ||
	       strstr(m, "callback") || !strcmp(m, "handler") ||
	       !strcmp(m, "_handler") || !strcmp(m, "hook") ||
	       !strcmp(m, "listener") || !strcmp(m, "_callback");
}

enum py_effect py_call_effect(const struct fl_file *f, const struct fl_call *c)
{
	const char *q = c->qname;
	const char *m = c->method;
	if (q && IN(q, proc_actions))
		return EFF_PROC;
	if (q && IN(q, file_actions))
		return EFF_FILE;
	if (q && (!strcmp(q, "open") || !strcmp(q, "io.open") ||
		  !strcmp(q, "codecs.open")))
		return open_for_writing(f, c) ? EFF_FILE : EFF_NONE;
	if (q && (!strncmp(q, "requests.post", 13) ||
		  !strncmp(q, "requests.put", 12) ||
		  !strncmp(q, "requests.delete", 15) ||
		  !strncmp(q, "requests.patch", 14) ||
		  !strncmp(q, "httpx.post", 10) || !strncmp(q, "httpx.put", 9)))
		return EFF_NET;
	if (!m)
		return EFF_NONE;
	bool is_method = c->callee && strchr(c->callee, '.');
	if (!c->callee || is_method) {
		if (IN(m, action_methods)) {
			if (!strcmp(m, "commit") || !strncmp(m, "execute", 7) ||
			    strstr(m, "insert") || strstr(m, "update_") ||
			    strstr(m, "delete_") || !strcmp(m, "bulk_write"))
				return EFF_DB;
			if (!strncmp(m, "send", 4) || !strcmp(m, "publish") ||
			    strstr(m, "load") || strstr(m, "object"))
				return EFF_NET;
			if (!strcmp(m, "set_result") ||
			    !strcmp(m, "set_exception") ||
			    !strcmp(m, "call_soon_threadsafe"))
				return EFF_CALLBACK;
			return EFF_FILE;
		}
		if (IN(m, io_methods) && c->callee &&
		    receiver_looks_io(c->callee)) {
			if (!strcmp(m, "execute") || !strcmp(m, "rollback"))
				return EFF_DB;
			if (!strcmp(m, "write") || !strcmp(m, "dump") ||
			    !strcmp(m, "save") || !strcmp(m, "rename") ||
			    !strcmp(m, "mkdir") || !strcmp(m, "touch") ||
			    !strcmp(m, "chmod"))
				return EFF_FILE;
			return EFF_NET;
		}
	}
	/* self._on_message(...), self.callback(...), handler(...) */
	if (is_callback_name(m))
		return EFF_CALLBACK;
	/* self.items.append(...): weaker, reported at low confidence */
	static const char *const state_methods[] = {
		"append", "extend", "insert", "update", "add", "setdefault",
		"appendleft", "extendleft",
	};
	if (is_method && IN(m, state_methods) &&
	    (!strncmp(c->callee, "self.", 5) || !strncmp(c->callee, "cls.", 4)))
		return EFF_STATE;
	return EFF_NONE;
}

const char *py_effect_name(enum py_effect e)
{
	switch (e) {
	case EFF_NET:
		return "network I/O";
	case EFF_FILE:
		return "file I/O";
	case EFF_DB:
		return "a database call";
	case EFF_PROC:
		return "a process operation";
	case EFF_STATE:
		return "a change to shared state";
	case EFF_CALLBACK:
		return "a callback";
	default:
		return "a call";
	}
}

static const char *const cleanup_methods[] = {
	"close",    "aclose",	"shutdown", "disconnect", "stop",
	"terminate", "kill",	"cancel",   "release",	  "unlink",
	"remove",   "rmtree",	"join",	    "wait",	  "quit",
	"destroy",  "dispose",	"cleanup",  "unregister", "detach",
	"flush",    "__exit__", "__aexit__", "wait_closed", "rmdir",
	"removedirs", "killpg", "send_signal", "unsubscribe", "abort",
	"clear",    "reset",	"release_conn", "close_all", "closeall",
};

bool py_is_cleanup_call(const struct fl_call *c)
{
	return c->method && IN(c->method, cleanup_methods);
}

static const char *const cleanup_funcs[] = {
	"__del__",   "__exit__", "__aexit__", "close",	  "aclose",
	"shutdown",  "cleanup",	 "_cleanup",  "stop",	  "terminate",
	"dispose",   "teardown", "tearDown",  "tearDownClass", "__repr__",
	"__str__",   "__format__", "_close",  "_shutdown", "_stop",
	"finalize",  "_finalize", "kill",     "cancel",	  "disconnect",
	"_disconnect", "__dealloc__", "release", "_release", "abort",
	"_abort",    "__getattr__", "__dir__",
};

bool py_is_cleanup_func(const char *name)
{
	return name && IN(name, cleanup_funcs);
}

bool py_is_logging_call(struct fl_file *f, TSNode call)
{
	static const char *const methods[] = {
		"debug", "info", "warning", "warn", "error", "exception",
		"critical", "log",
	};
	TSNode fn = fl_child(f, call, F_function);
	if (fl_kind(f, fn) != PK_attribute)
		return false;
	TSNode m = fl_child(f, fn, F_attribute);
	bool is_log = false;
	for (size_t i = 0; i < ARRAY_SIZE(methods) && !is_log; i++)
		is_log = fl_text_eq(f, m, methods[i]);
	if (!is_log)
		return false;
	/* the receiver's last name mentions log: logger, _log, LOG, logging;
	 * or is named a logger in the configuration */
	TSNode obj = fl_child(f, fn, F_object);
	if (fl_kind(f, obj) == PK_attribute)
		obj = fl_child(f, obj, F_attribute);
	if (fl_kind(f, obj) != PK_identifier)
		return false;
	if (fl_api_ext.loggers.n && in_ext(fl_text(f, obj), &fl_api_ext.loggers))
		return true;
	uint32_t s = ts_node_start_byte(obj), e = ts_node_end_byte(obj);
	for (uint32_t i = s; i + 3 <= e; i++)
		if ((f->src[i] == 'l' || f->src[i] == 'L') &&
		    (f->src[i + 1] == 'o' || f->src[i + 1] == 'O') &&
		    (f->src[i + 2] == 'g' || f->src[i + 2] == 'G'))
			return true;
	return false;
}

bool py_is_broad_exception(const char *name)
{
	return !strcmp(name, "Exception") || !strcmp(name, "BaseException") ||
	       !strcmp(name, "builtins.Exception") ||
	       !strcmp(name, "builtins.BaseException");
}

const char *py_string_value(struct fl_file *f, TSNode n)
{
	if (ts_node_is_null(n) || fl_kind(f, n) != PK_string)
		return NULL;
	uint32_t nc = ts_node_named_child_count(n);
	TSNode content = {{0}, NULL, NULL};
	for (uint32_t i = 0; i < nc; i++) {
		TSNode ch = ts_node_named_child(n, i);
		unsigned k = fl_kind(f, ch);
		if (k == PK_interpolation)
			return NULL;
		if (k == PK_string_content) {
			if (!ts_node_is_null(content))
				return NULL;
			content = ch;
		} else if (ts_node_named_child_count(ch) > 0) {
			return NULL;
		}
	}
	/* prefixes: f-strings were caught above; b'' keys differ from '' */
	if (f->src[ts_node_start_byte(n)] == 'b' ||
	    f->src[ts_node_start_byte(n)] == 'B')
		return NULL;
	if (ts_node_is_null(content))
		return "";
	const char *t = fl_text(f, content);
	if (strchr(t, '\\'))
		return NULL;
	return t;
}

static const struct py_opener openers[] = {
	{"open", "file", "close", NULL, false},
	{"io.open", "file", "close", NULL, false},
	{"codecs.open", "file", "close", NULL, false},
	{"gzip.open", "file", "close", NULL, false},
	{"bz2.open", "file", "close", NULL, false},
	{"lzma.open", "file", "close", NULL, false},
	{"os.open", "file descriptor", "", "os.close", false},
	{"os.fdopen", "file", "close", NULL, false},
	{"socket.socket", "socket", "close detach", NULL, true},
	{"socket.create_connection", "socket", "close detach", NULL, true},
	{"socket.create_server", "socket", "close detach", NULL, true},
	{"socket.fromfd", "socket", "close detach", NULL, true},
	{"ssl.wrap_socket", "socket", "close unwrap", NULL, true},
	{"sqlite3.connect", "connection", "close", NULL, true},
	{"psycopg2.connect", "connection", "close", NULL, true},
	{"psycopg.connect", "connection", "close", NULL, true},
	{"pymysql.connect", "connection", "close", NULL, true},
	{"MySQLdb.connect", "connection", "close", NULL, true},
	{"mysql.connector.connect", "connection", "close", NULL, true},
	{"requests.Session", "session", "close", NULL, true},
	{"requests.session", "session", "close", NULL, true},
	{"aiohttp.ClientSession", "session", "close", NULL, true},
	{"httpx.Client", "client", "close", NULL, true},
	{"httpx.AsyncClient", "client", "aclose", NULL, true},
	{"http.client.HTTPConnection", "connection", "close", NULL, true},
	{"http.client.HTTPSConnection", "connection", "close", NULL, true},
	{"urllib.request.urlopen", "response", "close", NULL, true},
	{"ftplib.FTP", "connection", "close quit", NULL, true},
	{"smtplib.SMTP", "connection", "close quit", NULL, true},
	{"smtplib.SMTP_SSL", "connection", "close quit", NULL, true},
	{"imaplib.IMAP4", "connection", "logout shutdown", NULL, true},
	{"poplib.POP3", "connection", "quit close", NULL, true},
	{"subprocess.Popen", "process", "wait communicate kill terminate", NULL, false},
	{"tempfile.NamedTemporaryFile", "temporary file", "close", NULL, false},
	{"tempfile.TemporaryFile", "temporary file", "close", NULL, false},
	{"tempfile.SpooledTemporaryFile", "temporary file", "close", NULL, false},
	{"tempfile.TemporaryDirectory", "temporary directory", "cleanup", NULL, false},
	{"zipfile.ZipFile", "archive", "close", NULL, false},
	{"tarfile.open", "archive", "close", NULL, false},
	{"tarfile.TarFile", "archive", "close", NULL, false},
	{"concurrent.futures.ThreadPoolExecutor", "executor", "shutdown", NULL, true},
	{"concurrent.futures.ProcessPoolExecutor", "executor", "shutdown", NULL, true},
	{"multiprocessing.Pool", "process pool", "close terminate", NULL, true},
	{"multiprocessing.pool.ThreadPool", "thread pool", "close terminate", NULL, true},
	{"selectors.DefaultSelector", "selector", "close", NULL, true},
	{"mmap.mmap", "memory map", "close", NULL, false},
};

/* Openers from the configuration, in the table's shape (built once, on
 * first use: the configuration is read before any thread starts). */
static struct py_opener *ext_openers;
static pthread_once_t ext_once = PTHREAD_ONCE_INIT;

static void build_ext_openers(void)
{
	size_t n = fl_api_ext.openers.n;
	ext_openers = xcalloc(n + 1, sizeof(*ext_openers));
	for (size_t i = 0; i < n; i++) {
		const struct fl_api_opener *o = &fl_api_ext.openers.v[i];
		ext_openers[i] = (struct py_opener){o->qname, o->what,
						   o->closers, NULL, o->external};
	}
}

const struct py_opener *py_opener(const char *qname)
{
	if (!qname)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(openers); i++)
		if (!strcmp(openers[i].qname, qname))
			return &openers[i];
	if (!fl_api_ext.openers.n)
		return NULL;
	pthread_once(&ext_once, build_ext_openers);
	for (size_t i = 0; i < fl_api_ext.openers.n; i++)
		if (!strcmp(ext_openers[i].qname, qname))
			return &ext_openers[i];
	return NULL;
}

bool py_opener_closes(const struct py_opener *op, const char *method)
{
	const char *list = op ? op->closers : "close";
	size_t n = strlen(method);
	if (!n)
		return false;
	/* release methods of every kind also close: __exit__ */
	if (!strcmp(method, "__exit__") || !strcmp(method, "__aexit__"))
		return true;
	for (const char *p = list; *p;) {
		size_t k = strcspn(p, " ");
		if (k == n && !memcmp(p, method, n))
			return true;
		p += k;
		while (*p == ' ')
			p++;
	}
	return false;
}

static const struct {
	const char *qname;
	const char *why;
	const char *fix;
} blocking[] = {
	{"time.sleep", "it sleeps the whole loop", "use 'await asyncio.sleep(...)'"},
	{"requests.get", "it waits for an HTTP response", "use an async client (aiohttp, httpx.AsyncClient) or asyncio.to_thread"},
	{"requests.post", "it waits for an HTTP response", "use an async client (aiohttp, httpx.AsyncClient) or asyncio.to_thread"},
	{"requests.put", "it waits for an HTTP response", "use an async client (aiohttp, httpx.AsyncClient) or asyncio.to_thread"},
	{"requests.delete", "it waits for an HTTP response", "use an async client (aiohttp, httpx.AsyncClient) or asyncio.to_thread"},
	{"requests.patch", "it waits for an HTTP response", "use an async client (aiohttp, httpx.AsyncClient) or asyncio.to_thread"},
	{"requests.head", "it waits for an HTTP response", "use an async client (aiohttp, httpx.AsyncClient) or asyncio.to_thread"},
	{"requests.request", "it waits for an HTTP response", "use an async client (aiohttp, httpx.AsyncClient) or asyncio.to_thread"},
	{"httpx.get", "it waits for an HTTP response", "use httpx.AsyncClient"},
	{"httpx.post", "it waits for an HTTP response", "use httpx.AsyncClient"},
	{"urllib.request.urlopen", "it waits for an HTTP response", "use an async HTTP client or asyncio.to_thread"},
	{"socket.create_connection", "it connects synchronously", "use 'await asyncio.open_connection(...)'"},
	{"socket.getaddrinfo", "it resolves names synchronously", "use 'await loop.getaddrinfo(...)'"},
	{"socket.gethostbyname", "it resolves names synchronously", "use 'await loop.getaddrinfo(...)'"},
	{"subprocess.run", "it waits for a child process", "use 'await asyncio.create_subprocess_exec(...)'"},
	{"subprocess.call", "it waits for a child process", "use 'await asyncio.create_subprocess_exec(...)'"},
	{"subprocess.check_call", "it waits for a child process", "use 'await asyncio.create_subprocess_exec(...)'"},
	{"subprocess.check_output", "it waits for a child process", "use 'await asyncio.create_subprocess_exec(...)'"},
	{"subprocess.getoutput", "it waits for a child process", "use 'await asyncio.create_subprocess_shell(...)'"},
	{"os.system", "it waits for a shell command", "use 'await asyncio.create_subprocess_shell(...)'"},
	{"os.waitpid", "it waits for a child process", "use asyncio subprocess objects"},
	{"sqlite3.connect", "it opens a database synchronously", "use aiosqlite, or asyncio.to_thread"},
	{"psycopg2.connect", "it connects to PostgreSQL synchronously", "use asyncpg or psycopg's async connection"},
	{"pymysql.connect", "it connects to MySQL synchronously", "use aiomysql, or asyncio.to_thread"},
	{"smtplib.SMTP", "it connects to a mail server synchronously", "use aiosmtplib, or asyncio.to_thread"},
	{"input", "it waits for a line on standard input", "read stdin through a StreamReader, or asyncio.to_thread"},
};

const char *py_blocking_call(const char *qname)
{
	for (size_t i = 0; qname && i < ARRAY_SIZE(blocking); i++)
		if (!strcmp(blocking[i].qname, qname))
			return blocking[i].why;
	if (in_ext(qname, &fl_api_ext.blocking))
		return "it is declared blocking in the configuration";
	return NULL;
}

const char *py_blocking_fix(const char *qname)
{
	for (size_t i = 0; qname && i < ARRAY_SIZE(blocking); i++)
		if (!strcmp(blocking[i].qname, qname))
			return blocking[i].fix;
	return "run it with asyncio.to_thread or run_in_executor";
}
