/*
 * api.c - tables of C library behaviour shared by the C checks.
 *
 * Fallible functions: only functions whose discarded result is a defect
 * in practically every use.  printf-family, close(), unlink() of temporary
 * files, pthread_mutex_init() and pthread_mutex_lock() are left out on purpose: their results
 * are routinely ignored by correct code (the statistical rule, which
 * learns what the code base itself checks, covers those).
 */
#include "api.h"
#include "../../core/config.h"

#include <stdbool.h>
#include <string.h>

#define ALLOC "returns NULL", "the NULL pointer is lost, and with it the memory or the error"
#define HANDLE(x) "returns " x, "the new handle is dropped: it leaks, and a failure goes unnoticed"

static const struct c_fallible table[] = {
	/* memory */
	{"malloc", ALLOC, SEV_MEDIUM, "CWE-401"},
	{"calloc", ALLOC, SEV_MEDIUM, "CWE-401"},
	{"realloc", "returns NULL and keeps the old block",
	 "the block may have moved: the old pointer is now dangling and the new one is lost",
	 SEV_HIGH, "CWE-416"},
	{"reallocarray", "returns NULL and keeps the old block",
	 "the block may have moved: the old pointer is now dangling and the new one is lost",
	 SEV_HIGH, "CWE-416"},
	{"strdup", ALLOC, SEV_MEDIUM, "CWE-401"},
	{"strndup", ALLOC, SEV_MEDIUM, "CWE-401"},
	{"aligned_alloc", ALLOC, SEV_MEDIUM, "CWE-401"},
	{"posix_memalign", "returns an error number",
	 "the output pointer is left unset when it fails", SEV_MEDIUM, "CWE-457"},
	{"asprintf", "returns -1",
	 "the output pointer is undefined when it fails", SEV_MEDIUM, "CWE-457"},
	{"vasprintf", "returns -1",
	 "the output pointer is undefined when it fails", SEV_MEDIUM, "CWE-457"},
	{"g_try_malloc", ALLOC, SEV_MEDIUM, "CWE-401"},
	{"g_try_malloc0", ALLOC, SEV_MEDIUM, "CWE-401"},
	{"g_try_realloc", "returns NULL and keeps the old block",
	 "the block may have moved: the old pointer is now dangling",
	 SEV_HIGH, "CWE-416"},
	/* privileges */
	{"setuid", "returns -1", "the process keeps its privileges and carries on",
	 SEV_HIGH, "CWE-273"},
	{"setgid", "returns -1", "the process keeps its group privileges and carries on",
	 SEV_HIGH, "CWE-273"},
	{"seteuid", "returns -1", "the process keeps its privileges and carries on",
	 SEV_HIGH, "CWE-273"},
	{"setegid", "returns -1", "the process keeps its group privileges and carries on",
	 SEV_HIGH, "CWE-273"},
	{"setreuid", "returns -1", "the process keeps its privileges and carries on",
	 SEV_HIGH, "CWE-273"},
	{"setregid", "returns -1", "the process keeps its group privileges and carries on",
	 SEV_HIGH, "CWE-273"},
	{"setresuid", "returns -1", "the process keeps its privileges and carries on",
	 SEV_HIGH, "CWE-273"},
	{"setresgid", "returns -1", "the process keeps its group privileges and carries on",
	 SEV_HIGH, "CWE-273"},
	{"setgroups", "returns -1", "the supplementary groups are not dropped",
	 SEV_HIGH, "CWE-273"},
	{"initgroups", "returns -1", "the supplementary groups are not set",
	 SEV_HIGH, "CWE-273"},
	{"chroot", "returns -1", "the process is not confined and carries on",
	 SEV_HIGH, "CWE-243"},
	/* I/O whose count matters */
	{"read", "returns -1, or a count short of what was asked",
	 "the buffer may hold fewer bytes than the code assumes, or garbage",
	 SEV_MEDIUM, NULL},
	{"pread", "returns -1, or a count short of what was asked",
	 "the buffer may hold fewer bytes than the code assumes, or garbage",
	 SEV_MEDIUM, NULL},
	{"recv", "returns -1, or a count short of what was asked",
	 "the buffer may hold fewer bytes than the code assumes, or garbage",
	 SEV_MEDIUM, NULL},
	{"recvfrom", "returns -1, or a count short of what was asked",
	 "the buffer may hold fewer bytes than the code assumes, or garbage",
	 SEV_MEDIUM, NULL},
	{"recvmsg", "returns -1", "the message buffer may be unset", SEV_MEDIUM, NULL},
	{"write", "returns -1, or a count short of what was asked",
	 "data is lost silently on a short write or an error", SEV_MEDIUM, NULL},
	{"pwrite", "returns -1, or a count short of what was asked",
	 "data is lost silently on a short write or an error", SEV_MEDIUM, NULL},
	{"writev", "returns -1, or a count short of what was asked",
	 "data is lost silently on a short write or an error", SEV_MEDIUM, NULL},
	{"send", "returns -1, or a count short of what was asked",
	 "data is lost silently on a short send or an error", SEV_MEDIUM, NULL},
	{"sendto", "returns -1", "the datagram may not have been sent", SEV_MEDIUM, NULL},
	{"sendmsg", "returns -1", "the message may not have been sent", SEV_MEDIUM, NULL},
	{"fread", "returns a count short of what was asked",
	 "the buffer may hold fewer items than the code assumes", SEV_MEDIUM, NULL},
	{"fgets", "returns NULL at end of file or on error",
	 "the buffer keeps its old contents, which are then used as new input",
	 SEV_MEDIUM, NULL},
	{"scanf", "returns the number of fields converted",
	 "unconverted outputs stay uninitialised", SEV_MEDIUM, "CWE-457"},
	{"fscanf", "returns the number of fields converted",
	 "unconverted outputs stay uninitialised", SEV_MEDIUM, "CWE-457"},
	{"sscanf", "returns the number of fields converted",
	 "unconverted outputs stay uninitialised", SEV_MEDIUM, "CWE-457"},
	{"fsync", "returns -1", "data the code believes durable may be lost", SEV_MEDIUM, NULL},
	{"fdatasync", "returns -1", "data the code believes durable may be lost", SEV_MEDIUM, NULL},
	{"ftruncate", "returns -1", "the file keeps its old size", SEV_LOW, NULL},
	{"rename", "returns -1", "the file is not where the code thinks it is", SEV_LOW, NULL},
	{"dup2", "returns -1", "the descriptor is not redirected", SEV_MEDIUM, NULL},
	{"pipe", "returns -1", "the descriptor array is left unset", SEV_MEDIUM, "CWE-457"},
	{"pipe2", "returns -1", "the descriptor array is left unset", SEV_MEDIUM, "CWE-457"},
	{"socketpair", "returns -1", "the descriptor array is left unset", SEV_MEDIUM, "CWE-457"},
	{"fork", "returns -1 (and 0 in the child)",
	 "parent and child run the same code path, or no child exists", SEV_HIGH, NULL},
	{"bind", "returns -1", "the socket is not bound to the address the code assumes", SEV_MEDIUM, NULL},
	{"listen", "returns -1", "the socket does not accept connections", SEV_MEDIUM, NULL},
	{"connect", "returns -1", "the socket is not connected", SEV_MEDIUM, NULL},
	{"getaddrinfo", "returns an error code", "the result list is left unset", SEV_MEDIUM, "CWE-457"},
	{"inet_pton", "returns 0 or -1", "the address stays unset when the text is invalid", SEV_MEDIUM, "CWE-457"},
	{"mmap", "returns MAP_FAILED", "the mapping is lost or failed unnoticed", SEV_MEDIUM, NULL},
	{"mprotect", "returns -1", "the memory keeps its old protection", SEV_MEDIUM, NULL},
	{"mlock", "returns -1", "the memory may be swapped out (secrets on disk)", SEV_MEDIUM, NULL},
	{"sigaction", "returns -1", "the signal handler is not installed", SEV_MEDIUM, NULL},
	/* handles dropped on the floor */
	{"open", HANDLE("-1"), SEV_MEDIUM, "CWE-775"},
	{"openat", HANDLE("-1"), SEV_MEDIUM, "CWE-775"},
	{"creat", HANDLE("-1"), SEV_MEDIUM, "CWE-775"},
	{"socket", HANDLE("-1"), SEV_MEDIUM, "CWE-775"},
	{"accept", HANDLE("-1"), SEV_MEDIUM, "CWE-775"},
	{"accept4", HANDLE("-1"), SEV_MEDIUM, "CWE-775"},
	{"dup", HANDLE("-1"), SEV_MEDIUM, "CWE-775"},
	{"fopen", HANDLE("NULL"), SEV_MEDIUM, "CWE-775"},
	{"fdopen", HANDLE("NULL"), SEV_MEDIUM, "CWE-775"},
	{"tmpfile", HANDLE("NULL"), SEV_MEDIUM, "CWE-775"},
	{"opendir", HANDLE("NULL"), SEV_MEDIUM, "CWE-775"},
	{"popen", HANDLE("NULL"), SEV_MEDIUM, "CWE-775"},
	/* threads */
	{"pthread_create", "returns an error number",
	 "no thread runs, and the thread id is unset", SEV_MEDIUM, "CWE-457"},
	{"pthread_key_create", "returns an error number",
	 "the key is unset", SEV_MEDIUM, "CWE-457"},
	{"sem_init", "returns -1", "the semaphore is unusable", SEV_MEDIUM, NULL},
	{"timer_create", "returns -1", "the timer id is unset", SEV_MEDIUM, "CWE-457"},
	/* GLib / libnice registrations */
	{"g_thread_try_new", "returns NULL and sets the GError",
	 "no thread runs, and the error is lost", SEV_MEDIUM, NULL},
	{"nice_agent_attach_recv", "returns FALSE",
	 "the receive callback is not installed: incoming data is never seen",
	 SEV_MEDIUM, NULL},
	{"g_file_set_contents", "returns FALSE and sets the GError",
	 "the file is not written", SEV_MEDIUM, NULL},
};

/* Functions the configuration names fallible ([api] fallible). */
static const struct c_fallible configured = {
	"", "returns a failure the caller must test",
	"the failure goes unnoticed (this function is declared fallible in "
	"the configuration)",
	SEV_MEDIUM, NULL,
};

const struct c_fallible *c_fallible_lookup(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
		if (!strcmp(table[i].name, name))
			return &table[i];
	for (size_t i = 0; i < fl_api_ext.fallible.n; i++)
		if (!strcmp(fl_api_ext.fallible.v[i], name))
			return &configured;
	return NULL;
}

/*
 * Functions whose result correct code conventionally ignores: what they
 * return is a convenience (the destination, a count of bytes printed) or a
 * failure nobody can act on.  ERR002 does not learn a belief for them even
 * where a code base happens to use the result at most call sites.
 */
static const char *const result_ignorable[] = {
	/* printf family: the count of bytes printed */
	"printf", "fprintf", "sprintf", "snprintf", "dprintf", "vprintf",
	"vfprintf", "vsprintf", "vsnprintf", "vdprintf", "wprintf",
	"fwprintf", "swprintf", "puts", "fputs", "putc", "fputc", "putchar",
	"putwc", "fputwc", "fputws", "putchar_unlocked", "putc_unlocked",
	"fputc_unlocked", "fputs_unlocked", "fflush", "fflush_unlocked",
	"perror", "syslog", "vsyslog",
	/* string and memory copies: the destination, or where it ends */
	"memcpy", "mempcpy", "memmove", "memset", "memccpy", "bzero",
	"explicit_bzero", "strcpy", "stpcpy", "strncpy", "stpncpy", "strcat",
	"strncat", "strlcpy", "strlcat", "wcscpy", "wcpcpy", "wcsncpy",
	"wcscat", "wcsncat", "wmemcpy", "wmempcpy", "wmemmove", "wmemset",
	"__builtin_memcpy", "__builtin_memset", "__builtin_memmove",
	/* release and cleanup: nothing to do when they fail */
	"close", "fclose", "closedir", "free", "munmap", "unlink", "remove",
	"shutdown", "pthread_mutex_unlock", "pthread_mutex_lock",
	"pthread_cond_signal", "pthread_cond_broadcast", "sigprocmask",
	"pthread_sigmask", "signal", "umask", "alarm", "setlocale",
	/* set-up and tear-down that cannot fail with default attributes */
	"pthread_mutex_init", "pthread_mutex_destroy", "pthread_cond_init",
	"pthread_cond_destroy", "pthread_rwlock_init", "pthread_rwlock_destroy",
	"pthread_rwlock_unlock", "pthread_attr_init", "pthread_attr_destroy",
	"pthread_mutexattr_init", "pthread_mutexattr_destroy",
	"pthread_condattr_init", "pthread_condattr_destroy",
	"pthread_barrier_destroy", "pthread_setcancelstate",
	"pthread_setcanceltype", "sem_destroy", "sem_post",
	/* value wrappers and hints that pass their argument through */
	"TEMP_FAILURE_RETRY", "__builtin_expect", "likely", "unlikely",
	/* va_arg(ap, int); skips an argument */
	"va_arg",
};

/* Atomic read-modify-write operations return the old value, which a
 * caller that only wants the update ignores. */
static const char *const result_ignorable_prefix[] = {
	"atomic_", "catomic_", "__atomic_", "__sync_", "__c11_atomic_",
};

bool c_result_ignorable(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(result_ignorable_prefix); i++)
		if (!strncmp(name, result_ignorable_prefix[i],
			     strlen(result_ignorable_prefix[i])))
			return true;
	/* __mempcpy, __stpcpy, fputs_unlocked, __write_nocancel: the
	 * internal spellings of the same functions */
	while (*name == '_')
		name++;
	size_t n = strlen(name);
	static const char *const suffixes[] = {"_unlocked", "_nocancel"};
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		size_t k = strlen(suffixes[i]);
		if (n > k && !strcmp(name + n - k, suffixes[i]))
			n -= k;
	}
	for (size_t i = 0; i < ARRAY_SIZE(result_ignorable); i++) {
		const char *r = result_ignorable[i];
		while (*r == '_')
			r++;
		if (strlen(r) == n && !strncmp(r, name, n))
			return true;
	}
	return false;
}

/* Lock functions: name and what they do to their first argument. */
static const struct {
	const char *name;
	enum c_lock_op op;
} lock_funcs[] = {
	{"pthread_mutex_lock", LOCK_ACQUIRE},
	{"pthread_mutex_trylock", LOCK_ACQUIRE},
	{"pthread_mutex_timedlock", LOCK_ACQUIRE},
	{"pthread_mutex_unlock", LOCK_RELEASE},
	{"pthread_mutex_init", LOCK_INIT},
	{"pthread_mutex_destroy", LOCK_DESTROY},
	{"pthread_spin_lock", LOCK_ACQUIRE},
	{"pthread_spin_trylock", LOCK_ACQUIRE},
	{"pthread_spin_unlock", LOCK_RELEASE},
	{"pthread_spin_init", LOCK_INIT},
	{"pthread_spin_destroy", LOCK_DESTROY},
	{"pthread_rwlock_rdlock", LOCK_ACQUIRE},
	{"pthread_rwlock_wrlock", LOCK_ACQUIRE},
	{"pthread_rwlock_tryrdlock", LOCK_ACQUIRE},
	{"pthread_rwlock_trywrlock", LOCK_ACQUIRE},
	{"pthread_rwlock_unlock", LOCK_RELEASE},
	{"pthread_rwlock_init", LOCK_INIT},
	{"pthread_rwlock_destroy", LOCK_DESTROY},
	{"g_mutex_lock", LOCK_ACQUIRE},
	{"g_mutex_trylock", LOCK_ACQUIRE},
	{"g_mutex_unlock", LOCK_RELEASE},
	{"g_mutex_init", LOCK_INIT},
	{"g_mutex_clear", LOCK_DESTROY},
	{"g_rec_mutex_lock", LOCK_ACQUIRE},
	{"g_rec_mutex_trylock", LOCK_ACQUIRE},
	{"g_rec_mutex_unlock", LOCK_RELEASE},
	{"g_rec_mutex_init", LOCK_INIT},
	{"g_rec_mutex_clear", LOCK_DESTROY},
	{"g_rw_lock_writer_lock", LOCK_ACQUIRE},
	{"g_rw_lock_reader_lock", LOCK_ACQUIRE},
	{"g_rw_lock_writer_unlock", LOCK_RELEASE},
	{"g_rw_lock_reader_unlock", LOCK_RELEASE},
	{"g_rw_lock_init", LOCK_INIT},
	{"g_rw_lock_clear", LOCK_DESTROY},
	{"mtx_lock", LOCK_ACQUIRE},
	{"mtx_trylock", LOCK_ACQUIRE},
	{"mtx_timedlock", LOCK_ACQUIRE},
	{"mtx_unlock", LOCK_RELEASE},
	{"mtx_init", LOCK_INIT},
	{"mtx_destroy", LOCK_DESTROY},
};

enum c_lock_op c_lock_op(const char *name)
{
	if (!name)
		return LOCK_NONE;
	for (size_t i = 0; i < ARRAY_SIZE(lock_funcs); i++)
		if (!strcmp(lock_funcs[i].name, name))
			return lock_funcs[i].op;
	return LOCK_NONE;
}

bool c_is_lock_type(const char *type)
{
	static const char *const types[] = {
		"pthread_mutex_t", "pthread_spinlock_t", "pthread_rwlock_t",
		"GMutex", "GRecMutex", "GRWLock", "mtx_t",
	};
	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		if (!strcmp(types[i], type))
			return true;
	return false;
}

/* Condition-variable waits: they return on a signal, a timeout or
 * spuriously, so the caller re-checks its predicate. */
bool c_is_cond_wait(const char *name)
{
	static const char *const names[] = {
		"pthread_cond_wait", "pthread_cond_timedwait",
		"pthread_cond_clockwait", "cnd_wait", "cnd_timedwait",
		"g_cond_wait", "g_cond_wait_until", "g_cond_timed_wait",
	};
	for (size_t i = 0; name && i < ARRAY_SIZE(names); i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

static bool in_list(const char *name, const char *const *v, size_t n)
{
	for (size_t i = 0; name && i < n; i++)
		if (!strcmp(v[i], name))
			return true;
	return false;
}

bool c_is_sleep(const char *name)
{
	static const char *const names[] = {
		"sleep",     "usleep",	    "nanosleep", "clock_nanosleep",
		"g_usleep",  "Sleep",	    "SleepEx",	 "thrd_sleep",
	};
	return in_list(name, names, ARRAY_SIZE(names));
}

bool c_is_clock(const char *name)
{
	static const char *const names[] = {
		"time",		      "clock_gettime",	  "gettimeofday",
		"clock",	      "g_get_monotonic_time", "g_get_real_time",
		"GetTickCount",	      "GetTickCount64",	  "timespec_get",
		"difftime",
	};
	return in_list(name, names, ARRAY_SIZE(names));
}

bool c_is_atomic_load(const char *name)
{
	static const char *const names[] = {
		"atomic_load",	      "atomic_load_explicit", "__atomic_load_n",
		"__atomic_load",      "g_atomic_int_get",     "g_atomic_pointer_get",
		"__sync_fetch_and_add", "__sync_add_and_fetch", "READ_ONCE",
		"atomic_flag_test",
	};
	return in_list(name, names, ARRAY_SIZE(names));
}

bool c_is_yield_or_log(const char *name)
{
	static const char *const names[] = {
		"sched_yield", "pthread_yield", "thrd_yield", "g_thread_yield",
		"printf",      "fprintf",	"puts",	      "fputs",
		"syslog",      "g_debug",	"g_message",  "g_info",
		"g_warning",   "g_log",		"g_print",    "g_printerr",
		"fflush",
	};
	return in_list(name, names, ARRAY_SIZE(names));
}

bool c_is_event_wait(const char *name)
{
	static const char *const names[] = {
		"poll",	      "ppoll",	      "select",	       "pselect",
		"epoll_wait", "epoll_pwait",  "kevent",	       "read",
		"recv",	      "recvfrom",     "recvmsg",       "accept",
		"waitpid",    "wait",	      "wait4",	       "sigwait",
		"sigtimedwait", "sigsuspend", "pause",	       "WaitForSingleObject",
		"WaitForMultipleObjects", "g_main_context_iteration",
	};
	return in_list(name, names, ARRAY_SIZE(names)) ||
	       c_is_cond_wait(name);
}
