/*
 * secret.c - credential names and the values that carry them (see
 * secret.h).  Shared by SEC001 and SEC002.
 */
#include "secret.h"
#include "../../lang/python/api.h"

#include <string.h>

#define MAXW 8

static bool among(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

#define AMONG(s, list) among((s), (list), ARRAY_SIZE(list))

/* ------------------------------------------------------------------ */
/* Names                                                               */

/*
 * Split a name into lower-case words.  Besides snake_case and camelCase
 * (py_name_words), an acronym ends before a capitalised word
 * ("HTTPPassword" is http, password) and, for keys, '-' and '.' separate
 * words ("X-Api-Key", "db.password").  Returns 0 for text that is no
 * name at all (spaces, punctuation) when `key` is set.
 */
static size_t name_words(const char *name, bool key, char w[][24])
{
	char buf[96];
	size_t n = 0;
	for (const char *p = name; *p && n + 2 < sizeof(buf); p++) {
		char ch = *p;
		bool up = ch >= 'A' && ch <= 'Z', low = ch >= 'a' && ch <= 'z';
		bool digit = ch >= '0' && ch <= '9';
		if (!up && !low && !digit && ch != '_') {
			if (!key || (ch != '-' && ch != '.'))
				return 0;
			ch = '_';
		}
		/* HTTPPassword: break before the P that starts "Password" */
		if (up && p > name && p[-1] >= 'A' && p[-1] <= 'Z' &&
		    p[1] >= 'a' && p[1] <= 'z')
			buf[n++] = '_';
		buf[n++] = ch;
	}
	buf[n] = '\0';
	/* keep the last words: the head of the name is at its end
	 * (google.api_core.client_options.ClientOptions.credentials_file) */
	char all[24][24];
	size_t cnt = py_name_words(buf, all, 24);
	size_t from = cnt > MAXW ? cnt - MAXW : 0;
	for (size_t i = from; i < cnt; i++)
		memcpy(w[i - from], all[i], 24);
	return cnt - from;
}

/* Words that end a credential's name, by strength. */
struct head {
	const char *word;
	enum sec_strength strength;
	const char *noun;
};

static const struct head heads[] = {
	{"password", SEC_STRONG, "password"},
	{"passwords", SEC_STRONG, "password"},
	{"passwd", SEC_STRONG, "password"},
	{"passphrase", SEC_STRONG, "passphrase"},
	{"passcode", SEC_STRONG, "password"},
	{"secret", SEC_STRONG, "secret"},
	{"secrets", SEC_STRONG, "secret"},
	{"apikey", SEC_STRONG, "API key"},
	{"privkey", SEC_STRONG, "private key"},
	{"privatekey", SEC_STRONG, "private key"},
	{"secretkey", SEC_STRONG, "secret key"},
	{"accesstoken", SEC_STRONG, "token"},
	{"authtoken", SEC_STRONG, "token"},
	{"apitoken", SEC_STRONG, "token"},
	{"refreshtoken", SEC_STRONG, "token"},
	{"bearer", SEC_STRONG, "bearer token"},
	/* maybe: often an object whose repr shows no secret (botocore's,
	 * google.auth's, grpc's Credentials) */
	{"credential", SEC_MAYBE, "credentials"},
	{"credentials", SEC_MAYBE, "credentials"},
	{"creds", SEC_MAYBE, "credentials"},
	/* often something else (pwd the working directory, pass a
	 * compiler pass, auth a method name, pw a passwd entry) */
	{"pwd", SEC_WEAK, "password"},
	{"pw", SEC_WEAK, "password"},
	{"pass", SEC_WEAK, "password"},
	{"auth", SEC_WEAK, "credentials"},
	{"authorization", SEC_WEAK, "authorization header"},
	{"dsn", SEC_MAYBE, "connection string"},
	{"connstr", SEC_MAYBE, "connection string"},
};

/* Words before the head that make the name something other than the
 * secret: a predicate or flag (has_password, use_auth_token), a count or
 * bound (max_tokens), a masked form (hashed_password), an action
 * (get_token, as a value: a bound method), a placeholder. */
static const char *const negators[] = {
	"is", "has", "have", "had", "was", "were", "are", "be", "should",
	"must", "can", "could", "will", "would", "need", "needs", "needed",
	"require", "requires", "required", "use", "uses", "using", "used",
	"allow", "allows", "allowed", "enable", "enabled", "disable",
	"disabled", "no", "not", "without", "skip", "ignore", "ignored",
	"check", "checked", "validate", "validated", "verify", "verified",
	"valid", "invalid", "num", "n", "max", "min", "count", "total",
	"len", "length", "ask", "prompt", "show", "print", "display",
	"echo", "save", "store", "remember", "get", "set", "fetch", "load",
	"read", "write", "make", "create", "generate", "gen", "build",
	"parse", "hash", "hashed", "mask", "masked", "redact", "redacted",
	"encrypt", "encrypted", "obfuscated", "salted", "censored",
	"hidden", "hide", "fake", "dummy", "mock", "sample", "example",
	"placeholder", "update", "change", "rotate", "revoke", "on",
	"handle", "process", "with", "include", "send", "want", "supports",
	"support", "missing", "empty", "encoded", "expect", "expected",
	"default", "sanitized", "scrubbed", "format", "fmt",
};

/* Words after the head that still name its value (token_bytes). */
static const char *const value_suffixes[] = {
	"value", "values", "val", "str", "string", "bytes", "raw", "plain",
	"plaintext", "cleartext", "b64", "base64", "hex", "utf8", "text",
};

/* token: an authentication token only with one of these before it... */
static const char *const auth_token_qual[] = {
	"access", "auth", "refresh", "bearer", "api", "id", "session",
	"oauth", "oauth2", "jwt", "bot", "github", "gh", "gitlab", "slack",
	"discord", "secret", "security", "personal", "service", "app",
	"identity", "sas", "sts", "hf", "huggingface", "npm", "pypi",
	"private", "login", "admin", "master", "root", "deploy", "webhook",
	"signing", "reset", "invite", "invitation", "registration",
	"confirmation", "verification", "activation", "magic", "user",
	"request", "csrf", "xsrf", "password", "authentication",
	"authorization", "impersonation", "federation", "delegation", "iam",
	"aws", "gcp", "azure", "docker", "registry", "oidc", "sso",
	"telegram", "twitter", "notion", "cloud", "vault", "consul", "pat",
	"authn", "authz", "upload", "download", "share", "sharing",
};

/* ...and none of these: lexer, pagination, idempotency and model
 * vocabulary tokens are not secrets. */
static const char *const plain_token_qual[] = {
	"next", "prev", "previous", "cur", "curr", "current", "last",
	"first", "start", "end", "eof", "page", "paging", "pagination",
	"continuation", "sync", "resume", "cancel", "cancellation",
	"fence", "stop", "pad", "unk", "unknown", "bos", "eos", "sep", "cls",
	"special", "lookahead", "peek", "parent", "child", "word", "sub",
	"input", "output", "completion", "sentence", "char", "op",
	"operator", "name", "keyword", "number", "nl", "newline", "indent",
	"dedent", "comment", "line", "expr", "this", "that", "other",
	"prefix", "suffix", "open", "close", "closing", "opening", "begin",
	"left", "right", "bracket", "paren", "brace", "quote", "error",
	"bad", "unexpected", "literal", "ident", "identifier", "type",
	"sentinel", "split", "lex", "lexer", "bpe", "vocab", "subword",
	"added", "eod", "image", "audio", "video", "tool", "eot",
	"idempotency", "client", "change", "marker", "batch", "single",
	"multi", "string", "value",
	"mask", "prompt", "generated", "response", "reasoning", "cached",
	"tok", "text", "all", "sequence", "seq", "list", "stream",
};

/* key: a secret only as an API, secret, private, access... key. */
static const char *const secret_key_qual[] = {
	"api", "secret", "private", "access", "session", "signing",
	"encryption", "master", "auth", "app", "aws", "account", "shared",
	"hmac", "subscription", "storage", "webhook", "license", "jwt",
	"sign", "crypt", "cipher", "decryption",
};

/* secret: a credential's value after these. */
static const char *const secret_qual[] = {
	"client", "consumer", "shared", "webhook", "app", "application",
	"api", "jwt", "signing", "cookie", "session", "oauth", "oauth2",
	"hmac", "aws", "db", "database", "master", "root", "admin", "user",
	"bot", "token", "access", "private", "encryption", "otp", "totp",
	"mfa", "vault", "csrf", "auth", "authentication", "password",
	"service", "account", "secret", "github", "slack", "stripe",
	"twilio", "smtp", "ldap", "redis", "django", "flask", "jwt",
	"hook", "callback", "verification", "signature", "state",
};

/* url, uri, string: a connection string after these. */
static const char *const dsn_qual[] = {
	"database", "db", "sqlalchemy", "broker", "connection", "conn",
	"redis", "postgres", "postgresql", "pg", "mysql", "mongo",
	"mongodb", "amqp", "rabbitmq", "celery", "sql",
};

static struct sec_name classify_words(char w[][24], size_t n)
{
	struct sec_name none = {SEC_NONE, NULL};
	if (!n)
		return none;
	/* connection_string, DATABASE_URL, broker_uri */
	if (n >= 2 && AMONG(w[n - 2], dsn_qual) &&
	    (!strcmp(w[n - 1], "url") || !strcmp(w[n - 1], "uri") ||
	     !strcmp(w[n - 1], "string") || !strcmp(w[n - 1], "str") ||
	     !strcmp(w[n - 1], "dsn")))
		return (struct sec_name){SEC_MAYBE, "connection string"};
	while (n > 1 && AMONG(w[n - 1], value_suffixes))
		n--;
	const char *h = w[n - 1];
	const char *prev = n > 1 ? w[n - 2] : NULL;
	struct sec_name r = none;
	for (size_t i = 0; i < ARRAY_SIZE(heads) && !r.strength; i++)
		if (!strcmp(h, heads[i].word))
			r = (struct sec_name){heads[i].strength, heads[i].noun};
	if (!strcmp(h, "token") || !strcmp(h, "tokens")) {
		bool plain = false;
		for (size_t i = 0; i + 1 < n; i++)
			plain |= AMONG(w[i], plain_token_qual);
		if (plain)
			r = none;
		else if (!prev)
			r = (struct sec_name){SEC_WEAK, "token"};
		else if (AMONG(prev, auth_token_qual))
			r = (struct sec_name){SEC_STRONG, "token"};
		else
			r = (struct sec_name){SEC_WEAK, "token"};
	} else if ((!strcmp(h, "key") || !strcmp(h, "keys")) && prev &&
		   AMONG(prev, secret_key_qual)) {
		r = (struct sec_name){SEC_STRONG,
				      !strcmp(prev, "api")       ? "API key"
				      : !strcmp(prev, "private") ? "private key"
				      : !strcmp(prev, "access")  ? "access key"
								 : "secret key"};
	} else if (!strcmp(h, "header") && prev &&
		   (!strcmp(prev, "auth") || !strcmp(prev, "authorization"))) {
		r = (struct sec_name){SEC_WEAK, "authorization header"};
	}
	if (!r.strength)
		return none;
	/* a bare "secret" is as often a secret store's resource (a Secret
	 * Manager or Kubernetes secret name, a mapped_secret) as a value:
	 * strong only as a client, webhook, shared... secret */
	if ((!strcmp(h, "secret") || !strcmp(h, "secrets")) &&
	    (!prev || !AMONG(prev, secret_qual)))
		r.strength = SEC_WEAK;
	for (size_t i = 0; i + 1 < n; i++)
		if (AMONG(w[i], negators))
			return none;
	return r;
}

struct sec_name sec_classify(const char *name)
{
	char w[MAXW][24];
	return classify_words(w, name_words(name, false, w));
}

struct sec_name sec_classify_key(const char *key)
{
	char w[MAXW][24];
	return classify_words(w, name_words(key, true, w));
}

bool sec_masking_name(const char *name)
{
	static const char *const mask[] = {
		"mask", "masked", "masking", "redact", "redacted",
		"redaction", "sanitize", "sanitise", "sanitized", "sanitizer",
		"scrub", "scrubbed", "scrubber", "obfuscate", "obfuscated",
		"hide", "hidden", "censor", "censored", "hash", "hashed",
		"hashpw", "digest", "hexdigest", "fingerprint", "anonymize",
		"anonymise", "anonymized", "safe", "elide", "truncate",
		"truncated", "shorten", "encrypt", "encrypted", "obscure",
		"blur", "hmac", "bcrypt", "scrypt", "argon2", "pbkdf2",
		"redactor", "masker", "stars", "asterisks", "mangle",
	};
	/* strip_auth(url), remove_password(dsn): removal verbs only in a
	 * longer name (dsn.strip() keeps the value) */
	static const char *const removal[] = {
		"strip", "remove", "drop", "clean", "filter", "without",
		"sensitive", "private",
	};
	char w[MAXW][24];
	size_t n = name_words(name, false, w);
	for (size_t i = 0; i < n; i++)
		if (AMONG(w[i], mask) || (n > 1 && AMONG(w[i], removal)))
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* Scopes: the assignments of a function (or the module), in order     */

enum asg_kind { A_SET = 1, A_AUG, A_ITEM };

struct asg {
	const char *name;
	uint32_t start;          /* where the binding happens */
	uint32_t ex_s, ex_e;     /* positions inside do not see it */
	TSNode node;             /* the statement, for the trace */
	TSNode rhs;              /* the value, or the iterable (A_ITEM) */
	uint8_t kind;
};

struct scope {
	uint32_t s, e;           /* the scope node's span */
	struct asg *v;
	size_t n, cap;
};

struct auth_cache {
	uint32_t s, e;
	bool yes;
};

#define MAX_RESOLVE 4   /* names followed through assignments */
#define MAX_NEST 150    /* expression nesting looked into */

struct sec_ctx {
	struct fl_file *f;
	struct scope *scopes;
	size_t nscope, capscope;
	struct auth_cache *auth;
	size_t nauth, capauth;
	int resolve;             /* current resolution depth */
	int nest;
	bool lexer_file;         /* imports tokenize, shlex, a parser kit */
	bool use_facts;
	const char **cand;       /* attribute names that could match facts */
	size_t ncand, capcand;
};

/* Does `name` ("tokenize.generate_tokens", "logging") belong to one of
 * the top-level packages in mods? */
static bool in_packages(const char *name, const char *const *mods, size_t n)
{
	size_t head = strcspn(name, ".");
	for (size_t k = 0; k < n; k++)
		if (strlen(mods[k]) == head && !strncmp(name, mods[k], head))
			return true;
	return false;
}

static bool imports_in(struct fl_file *f, TSNode block,
		       const char *const *mods, size_t n, int depth)
{
	uint32_t cnt = sec_nchild(block);
	for (uint32_t i = 0; i < cnt; i++) {
		TSNode st = ts_node_named_child(block, i);
		switch (fl_kind(f, st)) {
		case PK_import_statement: {
			uint32_t m = sec_nchild(st);
			for (uint32_t j = 0; j < m; j++) {
				TSNode d = ts_node_named_child(st, j);
				if (fl_kind(f, d) == PK_aliased_import)
					d = fl_child(f, d, F_name);
				if (in_packages(sec_text(f, d), mods, n))
					return true;
			}
			break;
		}
		case PK_import_from_statement:
			if (in_packages(sec_text(f, fl_child(f, st, F_module_name)),
					mods, n))
				return true;
			break;
		case PK_try_statement:
		case PK_if_statement:
			/* try: import x / except ImportError; if TYPE_CHECKING */
			if (depth < 2 &&
			    imports_in(f, fl_child(f, st, fl_kind(f, st) ==
								  PK_if_statement
							  ? F_consequence
							  : F_body),
				       mods, n, depth + 1))
				return true;
			break;
		default:
			break;
		}
	}
	return false;
}

bool sec_file_imports(struct fl_file *f, const char *const *mods, size_t n)
{
	return imports_in(f, f->root, mods, n, 0);
}

struct sec_ctx *sec_ctx_new(struct fl_file *f)
{
	static const char *const lexers[] = {
		"tokenize", "token", "shlex", "lib2to3", "pygments", "parso",
		"jedi", "antlr4", "pycparser", "ply", "sqlparse", "docutils",
		"markdown", "pyparsing", "lark", "tokenizers", "transformers",
		"tiktoken", "sentencepiece", "nltk", "spacy", "libcst",
		"blib2to3", "pegen", "jinja2", "mako", "asttokens",
	};
	struct sec_ctx *c = ARENA_NEW(f->a, struct sec_ctx);
	c->f = f;
	c->lexer_file = sec_file_imports(f, lexers, ARRAY_SIZE(lexers));
	return c;
}

static void add_asg(struct sec_ctx *c, struct scope *sc, TSNode name,
		    TSNode node, TSNode rhs, uint8_t kind, TSNode excl)
{
	struct fl_file *f = c->f;
	if (fl_kind(f, name) != PK_identifier)
		return;
	sc->v = arena_grow(f->a, sc->v, &sc->cap, sc->n, sizeof(*sc->v));
	struct asg *a = &sc->v[sc->n++];
	a->name = fl_text(f, name);
	a->start = ts_node_start_byte(node);
	a->ex_s = ts_node_start_byte(excl);
	a->ex_e = ts_node_end_byte(excl);
	a->node = node;
	a->rhs = rhs;
	a->kind = kind;
}

/* Targets of `a, b = x, y` get their own values when the arities
 * match; otherwise each gets the whole value. */
static void add_targets(struct sec_ctx *c, struct scope *sc, TSNode left,
			TSNode node, TSNode rhs, uint8_t kind)
{
	struct fl_file *f = c->f;
	unsigned k = fl_kind(f, left);
	if (k == PK_identifier) {
		add_asg(c, sc, left, node, rhs, kind, node);
		return;
	}
	if (k != PK_pattern_list && k != PK_tuple_pattern &&
	    k != PK_list_pattern && k != PK_expression_list &&
	    k != PK_tuple && k != PK_list)
		return;
	uint32_t n = sec_nchild(left);
	unsigned rk = fl_kind(f, rhs);
	bool split = kind == A_SET &&
		     (rk == PK_expression_list || rk == PK_tuple ||
		      rk == PK_list) &&
		     sec_nchild(rhs) == n;
	/* `user, pw = creds`, `for name, secret in d.items()`: which part
	 * each target gets is unknown -- its own name decides */
	TSNode unknown = {{0}, NULL, NULL};
	for (uint32_t i = 0; i < n; i++)
		add_asg(c, sc, ts_node_named_child(left, i), node,
			split ? ts_node_named_child(rhs, i) : unknown, kind,
			kind == A_ITEM ? rhs : node);
}

static enum fl_visit collect(void *ud, TSNode n)
{
	struct sec_ctx *c = ((void **)ud)[0];
	struct scope *sc = ((void **)ud)[1];
	struct fl_file *f = c->f;
	switch (fl_kind(f, n)) {
	case PK_function_definition:
	case PK_class_definition:
	case PK_lambda:
	case PK_list_comprehension:
	case PK_set_comprehension:
	case PK_dictionary_comprehension:
	case PK_generator_expression:
		return FL_SKIP;
	case PK_assignment: {
		TSNode rhs = fl_child(f, n, F_right);
		while (fl_kind(f, rhs) == PK_assignment)
			rhs = fl_child(f, rhs, F_right);
		if (!ts_node_is_null(rhs))
			add_targets(c, sc, fl_child(f, n, F_left), n, rhs, A_SET);
		return FL_DESCEND;
	}
	case PK_augmented_assignment:
		add_targets(c, sc, fl_child(f, n, F_left), n,
			    fl_child(f, n, F_right), A_AUG);
		return FL_DESCEND;
	case PK_for_statement: {
		TSNode rhs = fl_child(f, n, F_right);
		if (!ts_node_is_null(rhs))
			add_targets(c, sc, fl_child(f, n, F_left), n, rhs,
				    A_ITEM);
		return FL_DESCEND;
	}
	case PK_named_expression:
		add_asg(c, sc, fl_child(f, n, F_name), n,
			fl_child(f, n, F_value), A_SET, n);
		return FL_DESCEND;
	default:
		return FL_DESCEND;
	}
}

/* The scope (function body or module) whose node is `owner`. */
static struct scope *scope_of(struct sec_ctx *c, TSNode owner)
{
	struct fl_file *f = c->f;
	uint32_t s = ts_node_start_byte(owner), e = ts_node_end_byte(owner);
	for (size_t i = 0; i < c->nscope; i++)
		if (c->scopes[i].s == s && c->scopes[i].e == e)
			return &c->scopes[i];
	c->scopes = arena_grow(f->a, c->scopes, &c->capscope, c->nscope,
			  sizeof(*c->scopes));
	struct scope *sc = &c->scopes[c->nscope++];
	memset(sc, 0, sizeof(*sc));
	sc->s = s;
	sc->e = e;
	TSNode body = fl_kind(f, owner) == PK_module ? owner
						     : fl_child(f, owner, F_body);
	if (!ts_node_is_null(body)) {
		void *ud[2] = {c, NULL};
		/* sc may move when c->scopes grows: only during another
		 * scope_of call, which collect never makes */
		ud[1] = sc;
		fl_preorder(body, collect, ud);
	}
	return sc;
}

/* The function (not a lambda) whose body holds byte `at`, or -1. */
static int func_at(struct fl_file *f, uint32_t at)
{
	int fi = model_func_at(&f->m, at);
	while (fi >= 0 && f->m.funcs.v[fi].is_lambda)
		fi = f->m.funcs.v[fi].parent;
	return fi;
}

/* Is binding node b in another branch of an if statement than byte
 * `at` (`if ok: creds = {...} else: log(creds)`)? */
static bool other_branch(struct fl_file *f, TSNode b, uint32_t at)
{
	TSNode child = b;
	for (TSNode p = ts_node_parent(b); !ts_node_is_null(p);
	     child = p, p = ts_node_parent(p)) {
		if (ts_node_start_byte(p) > at || at >= ts_node_end_byte(p))
			continue;
		if (fl_kind(f, p) != PK_if_statement)
			return false;
		uint32_t n = sec_nchild(p);
		for (uint32_t i = 1; i < n; i++) {
			TSNode ch = ts_node_named_child(p, i);
			if (ts_node_start_byte(ch) <= at &&
			    at < ts_node_end_byte(ch))
				return !ts_node_eq(ch, child) &&
				       !ts_node_eq(child,
						   fl_child(f, p, F_condition));
		}
		return false;
	}
	return false;
}

/* The latest binding of `name` before `at` in the scope of `fi` that can
 * reach it (not in another branch of an if). */
static const struct asg *latest(struct sec_ctx *c, int fi, const char *name,
				uint32_t at)
{
	struct fl_file *f = c->f;
	TSNode owner = fi >= 0 ? f->m.funcs.v[fi].node : f->root;
	struct scope *sc = scope_of(c, owner);
	size_t end = 0;
	while (end < sc->n && sc->v[end].start < at)
		end++;
	for (size_t i = end; i-- > 0;) {
		const struct asg *a = &sc->v[i];
		if ((at >= a->ex_s && at < a->ex_e) || strcmp(a->name, name))
			continue;
		if (at != UINT32_MAX && other_branch(f, a->node, at))
			continue;
		return a;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Values                                                              */

static bool carries(struct sec_ctx *c, TSNode e, struct sec_origin *o);
static int auth_context(struct sec_ctx *c, TSNode at);

/* A class name (CamelCase), not a value. */
static bool type_like(const char *s)
{
	if (!(*s >= 'A' && *s <= 'Z'))
		return false;
	for (const char *p = s; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			return true;
	return false;
}

static void step(struct sec_ctx *c, struct sec_origin *o, TSNode at,
		 const char *fmt, const char *a, const char *b)
{
	if (o->nstep >= SEC_MAX_STEPS)
		return;
	o->step[o->nstep].at = at;
	o->step[o->nstep].msg = arena_printf(c->f->a, fmt, a, b ? b : "");
	o->nstep++;
}

static const char *short_text(struct sec_ctx *c, TSNode n)
{
	return py_one_line(c->f, n);
}

static void origin(struct sec_ctx *c, struct sec_origin *o, TSNode n,
		   struct sec_name nm, const char *desc)
{
	o->node = n;
	o->text = short_text(c, n);
	o->noun = nm.noun;
	o->strength = nm.strength;
	o->desc = desc;
	o->nstep = 0;
	o->via_fact = false;
	o->fact_name = NULL;
}

/* Mark where the queried expression itself carries the credential. */
static void carrier(struct sec_ctx *c, struct sec_origin *o, TSNode n)
{
	if (c->resolve == 0 && ts_node_is_null(o->carrier)) {
		o->carrier = n;
		o->carrier_text = short_text(c, n);
	}
}

/* "a password", "an API key", "credentials" */
const char *sec_article(const char *noun)
{
	size_t n = strlen(noun);
	if (n && noun[n - 1] == 's')
		return "";
	return strchr("aeiouAEIU", noun[0]) ? "an " : "a ";
}

static const char *by_name(struct sec_ctx *c, struct sec_name nm)
{
	return arena_printf(c->f->a, "%s%s by its name", sec_article(nm.noun),
			    nm.noun);
}

static bool is_self(struct sec_ctx *c, TSNode n)
{
	return fl_kind(c->f, n) == PK_identifier &&
	       (fl_text_eq(c->f, n, "self") || fl_text_eq(c->f, n, "cls"));
}

static const char *class_name(struct sec_ctx *c, int fi)
{
	int ci = fi >= 0 ? c->f->m.funcs.v[fi].cls : -1;
	return ci >= 0 ? c->f->m.classes.v[ci].name : NULL;
}

/* Follow a binding of a name: its value carries a credential. */
static bool follow(struct sec_ctx *c, const struct asg *a,
		   struct sec_origin *o)
{
	if (!a || c->resolve >= MAX_RESOLVE)
		return false;
	c->resolve++;
	bool yes = carries(c, a->rhs, o);
	if (!yes && a->kind == A_AUG) {
		/* dsn += ...: the value before counts too */
		int fi = func_at(c->f, a->start);
		yes = follow(c, latest(c, fi, a->name, a->start), o);
		c->resolve--;
		return yes;
	}
	c->resolve--;
	if (!yes)
		return false;
	const char *how = a->kind == A_ITEM ? "'%s' takes each item of it here%s"
			  : a->kind == A_AUG ? "'%s' is extended with it here%s"
					     : "'%s' is built from it here%s";
	if (a->kind == A_SET && (fl_kind(c->f, a->rhs) == PK_identifier ||
				 fl_kind(c->f, a->rhs) == PK_attribute ||
				 ts_node_eq(a->rhs, o->node)))
		how = "'%s' is set from it here%s";
	step(c, o, a->node, how, a->name, NULL);
	return true;
}

static bool carries_identifier(struct sec_ctx *c, TSNode n,
			       struct sec_origin *o)
{
	struct fl_file *f = c->f;
	const char *name = fl_text(f, n);
	if (type_like(name) || !strcmp(name, "self") || !strcmp(name, "cls"))
		return false;
	uint32_t at = ts_node_start_byte(n);
	int fi = func_at(f, at);
	const struct asg *a = latest(c, fi, name, at);
	struct sec_name nm = sec_classify(name);
	if (nm.strength) {
		/* password = None / token_ok = ...: the latest value is no
		 * credential; API_KEY_HEADER = "X-Api-Key" at module level
		 * names one */
		const struct asg *g = a ? a : latest(c, -1, name, UINT32_MAX);
		if (g && g->kind == A_SET && sec_harmless(c, g->rhs))
			return false;
		/* dsn = f"...{password}@...", pw = getpass(): the value
		 * says more than a weak name */
		if (nm.strength < SEC_STRONG && a) {
			struct sec_origin tmp = *o;
			if (follow(c, a, &tmp) && tmp.strength > nm.strength) {
				*o = tmp;
				carrier(c, o, n);
				return true;
			}
		}
		const char *desc;
		if (!a && fi >= 0 && py_is_parameter(f, fi, name))
			desc = arena_printf(f->a, "the '%s' argument of '%s'",
					    name, f->m.funcs.v[fi].qualname);
		else
			desc = by_name(c, nm);
		origin(c, o, n, nm, desc);
		carrier(c, o, n);
		return true;
	}
	if (a) {
		if (follow(c, a, o)) {
			carrier(c, o, n);
			return true;
		}
		return false;
	}
	if (fi >= 0 && py_is_parameter(f, fi, name))
		return false;
	/* a closure's or a module global's value */
	for (int p = fi; p >= 0;) {
		p = f->m.funcs.v[p].parent;
		while (p >= 0 && f->m.funcs.v[p].is_lambda)
			p = f->m.funcs.v[p].parent;
		const struct asg *g = latest(c, p, name,
					     p >= 0 ? at : UINT32_MAX);
		if (g) {
			if (!follow(c, g, o))
				return false;
			carrier(c, o, n);
			return true;
		}
		if (p >= 0 && py_is_parameter(f, p, name))
			return false;
	}
	return false;
}

/* Which values methods of class ci store in self.name: *any when some
 * method stores one, *real when one is not harmless.  With `o`: does
 * one of them carry a credential? */
static bool class_attr(struct sec_ctx *c, int ci, const char *name,
		       struct sec_origin *o, bool *any, bool *real)
{
	struct fl_file *f = c->f;
	*any = *real = false;
	for (size_t i = 0; i < f->m.accesses.n; i++) {
		const struct fl_access *ac = &f->m.accesses.v[i];
		if (ac->kind != ACC_STORE || ac->func < 0 ||
		    f->m.funcs.v[ac->func].cls != ci || strcmp(ac->name, name))
			continue;
		TSNode asg = py_access_assignment(f, ac);
		if (ts_node_is_null(asg))
			continue;
		TSNode rhs = fl_child(f, asg, F_right);
		while (fl_kind(f, rhs) == PK_assignment)
			rhs = fl_child(f, rhs, F_right);
		if (ts_node_is_null(rhs))
			continue;
		*any = true;
		if (sec_harmless(c, rhs))
			continue;
		*real = true;
		if (!o)
			continue;
		if (c->resolve >= MAX_RESOLVE)
			return false;
		c->resolve++;
		bool yes = carries(c, rhs, o);
		c->resolve--;
		if (yes) {
			step(c, o, asg,
			     ts_node_eq(rhs, o->node) ||
				     fl_kind(f, rhs) == PK_identifier
				     ? "'self.%s' is set from it in '%s'"
				     : "'self.%s' is built from it in '%s'",
			     name, f->m.funcs.v[ac->func].name);
			return true;
		}
	}
	return false;
}

/* self.__dict__ / vars(self): every attribute, credentials included. */
static bool carries_instance_dict(struct sec_ctx *c, TSNode n,
				  struct sec_origin *o)
{
	struct fl_file *f = c->f;
	int fi = func_at(f, ts_node_start_byte(n));
	int ci = fi >= 0 ? f->m.funcs.v[fi].cls : -1;
	if (ci < 0)
		return false;
	const char *seen[8];
	size_t nseen = 0;
	for (size_t i = 0; i < f->m.accesses.n; i++) {
		const struct fl_access *ac = &f->m.accesses.v[i];
		if (ac->kind != ACC_STORE || ac->func < 0 ||
		    f->m.funcs.v[ac->func].cls != ci)
			continue;
		struct sec_name nm = sec_classify(ac->name);
		bool any, real, dup = false;
		if (nm.strength != SEC_STRONG)
			continue;
		/* each name once: class_attr reads every access */
		for (size_t k = 0; k < nseen; k++)
			dup |= !strcmp(seen[k], ac->name);
		if (dup || nseen == ARRAY_SIZE(seen))
			continue;
		seen[nseen++] = ac->name;
		class_attr(c, ci, ac->name, NULL, &any, &real);
		if (!real)
			continue;
		origin(c, o, ac->node, nm,
		       arena_printf(f->a, "%s%s kept on '%s'",
				    sec_article(nm.noun), nm.noun,
				    f->m.classes.v[ci].name));
		step(c, o, n, "'%s' holds every attribute, '%s' among them",
		     short_text(c, n), fl_text(f, ac->node));
		carrier(c, o, n);
		return true;
	}
	return false;
}

/* PREFERRED_AUTH_KEY = "preferredAuthentication" in the class body,
 * and no method stores another value: a constant naming a field, not a
 * credential.  An annotated `password: str = ""` is a dataclass field's
 * default, not a constant. */
static bool class_constant(struct sec_ctx *c, int ci, const char *name)
{
	struct fl_file *f = c->f;
	TSNode body = fl_child(f, f->m.classes.v[ci].node, F_body);
	uint32_t n = sec_nchild(body);
	for (uint32_t i = 0; i < n; i++) {
		TSNode st = ts_node_named_child(body, i);
		if (fl_kind(f, st) != PK_expression_statement)
			continue;
		TSNode asg = ts_node_named_child(st, 0);
		if (fl_kind(f, asg) != PK_assignment ||
		    !fl_text_eq(f, fl_child(f, asg, F_left), name) ||
		    ts_node_is_null(fl_child(f, asg, F_right)))
			continue;
		if (!ts_node_is_null(fl_child(f, asg, F_type)) ||
		    !sec_harmless(c, fl_child(f, asg, F_right)))
			return false;
		bool any, real;
		class_attr(c, ci, name, NULL, &any, &real);
		return !real;
	}
	return false;
}

bool sec_fact_name(const char *name)
{
	static const char *const words[] = {
		"url", "uri", "dsn", "connstr", "conn", "connection", "header",
		"headers", "auth", "creds", "string",
	};
	/* one word (token, url, auth) names too many things to match by */
	char w[MAXW][24];
	size_t n = name_words(name, false, w);
	if (n == 1)
		return !strcmp(w[0], "dsn") || !strcmp(w[0], "connstr");
	struct sec_name nm = sec_classify(name);
	if (nm.strength == SEC_MAYBE || nm.strength == SEC_WEAK)
		return true;
	if (nm.strength)
		return false;
	for (size_t i = 0; i < n; i++)
		if (AMONG(w[i], words))
			return true;
	return false;
}

void sec_use_facts(struct sec_ctx *c, bool on)
{
	c->use_facts = on;
}

size_t sec_candidates(struct sec_ctx *c, const char ***names)
{
	*names = c->cand;
	return c->ncand;
}

/* settings.archive_dsn: another file's property built from a password.
 * Noted as a candidate on the first pass, followed on the revisit. */
static bool carries_fact(struct sec_ctx *c, TSNode n, const char *name,
			 struct sec_origin *o)
{
	struct fl_file *f = c->f;
	if (!sec_fact_name(name))
		return false;
	if (!c->use_facts) {
		for (size_t i = 0; i < c->ncand; i++)
			if (!strcmp(c->cand[i], name))
				return false;
		c->cand = arena_grow(f->a, c->cand, &c->capcand, c->ncand,
				sizeof(*c->cand));
		c->cand[c->ncand++] = name;
		return false;
	}
	if (!fl_has_fact(f, FACT_SECRET_ATTR, name))
		return false;
	origin(c, o, n, (struct sec_name){SEC_STRONG, "credential"},
	       arena_printf(f->a,
			    "a value that a property or attribute named "
			    "'%s' builds from a credential, elsewhere in the "
			    "program",
			    name));
	o->via_fact = true;
	carrier(c, o, n);
	return true;
}

static bool carries_attribute(struct sec_ctx *c, TSNode n,
			      struct sec_origin *o)
{
	struct fl_file *f = c->f;
	TSNode obj = fl_child(f, n, F_object);
	TSNode attr = fl_child(f, n, F_attribute);
	if (ts_node_is_null(attr))
		return false;
	const char *name = fl_text(f, attr);
	if (!strcmp(name, "__dict__") && is_self(c, obj))
		return carries_instance_dict(c, n, o);
	if (type_like(name))
		return false;
	int fi = func_at(f, ts_node_start_byte(n));
	int ci = fi >= 0 ? f->m.funcs.v[fi].cls : -1;
	struct sec_name nm = sec_classify(name);
	if (nm.strength) {
		if (is_self(c, obj) && ci >= 0 && class_constant(c, ci, name))
			return false;
		if (is_self(c, obj) && ci >= 0) {
			/* self.password = None everywhere: nothing kept */
			bool any, real;
			class_attr(c, ci, name, NULL, &any, &real);
			if (any && !real)
				return false;
			struct sec_origin tmp = *o;
			if (nm.strength < SEC_STRONG &&
			    class_attr(c, ci, name, &tmp, &any, &real) &&
			    tmp.strength > nm.strength) {
				*o = tmp;
				carrier(c, o, n);
				return true;
			}
			origin(c, o, n, nm,
			       arena_printf(f->a, "%s%s kept on '%s'",
					    sec_article(nm.noun), nm.noun,
					    class_name(c, fi)));
		} else {
			struct sec_origin tmp = *o;
			if (nm.strength < SEC_STRONG &&
			    carries_fact(c, n, name, &tmp)) {
				*o = tmp;
				return true;
			}
			origin(c, o, n, nm, by_name(c, nm));
			if (nm.strength < SEC_STRONG && sec_fact_name(name))
				o->fact_name = name;
		}
		carrier(c, o, n);
		return true;
	}
	if (is_self(c, obj) && ci >= 0) {
		bool any, real;
		if (class_attr(c, ci, name, o, &any, &real)) {
			carrier(c, o, n);
			return true;
		}
	}
	return carries_fact(c, n, name, o);
}

/* os.environ / environ */
static bool is_environ(struct sec_ctx *c, TSNode n)
{
	const char *q = model_resolve(c->f, fl_text(c->f, n));
	return q && (!strcmp(q, "os.environ") || !strcmp(q, "environ"));
}

/* A value looked up by a literal key: config["db_password"]. */
static bool keyed(struct sec_ctx *c, TSNode whole, TSNode key, bool env,
		  struct sec_origin *o)
{
	const char *k = py_string_value(c->f, key);
	if (!k)
		return false;
	struct sec_name nm = sec_classify_key(k);
	if (!nm.strength)
		return false;
	origin(c, o, whole, nm,
	       env ? arena_printf(c->f->a,
				  "%s%s read from the environment "
				  "variable '%s'",
				  sec_article(nm.noun), nm.noun, k)
		   : arena_printf(c->f->a, "the value under key '%s'", k));
	carrier(c, o, whole);
	return true;
}

/* self.access_tokens[access_token]: a mapping keyed by credentials
 * holds what belongs to them (a user, an expiry), not credentials. */
static bool index_is_credential(struct sec_ctx *c, TSNode k)
{
	struct sec_origin tmp;
	memset(&tmp, 0, sizeof(tmp));
	int resolve = c->resolve;
	c->resolve = MAX_RESOLVE; /* its name is enough */
	bool yes = carries(c, k, &tmp);
	c->resolve = resolve;
	return yes;
}

static bool carries_subscript(struct sec_ctx *c, TSNode n,
			      struct sec_origin *o)
{
	struct fl_file *f = c->f;
	TSNode v = fl_child(f, n, F_value);
	TSNode k = fl_child(f, n, F_subscript);
	unsigned kk = fl_kind(f, k);
	if (kk == PK_string)
		return keyed(c, n, k, is_environ(c, v), o);
	/* token[:8]: a prefix shown instead of the value; creds[3]: one
	 * part of a record, which may be anything (an expiry time) */
	if (!ts_node_is_null(k) && (!strcmp(ts_node_type(k), "slice") ||
				    kk == PK_integer || kk == PK_unary_operator))
		return false;
	if (index_is_credential(c, k))
		return false;
	if (carries(c, v, o)) {
		carrier(c, o, n);
		return true;
	}
	return false;
}

static TSNode arg_at(struct fl_file *f, TSNode args, uint32_t pos)
{
	uint32_t n = sec_nchild(args), k = 0;
	for (uint32_t i = 0; i < n; i++) {
		TSNode a = ts_node_named_child(args, i);
		unsigned ak = fl_kind(f, a);
		if (ak == PK_keyword_argument || ak == PK_comment ||
		    ak == PK_list_splat || ak == PK_dictionary_splat)
			continue;
		if (k++ == pos)
			return a;
	}
	TSNode none = {{0}, NULL, NULL};
	return none;
}

static TSNode kwarg(struct fl_file *f, TSNode args, const char *name)
{
	uint32_t n = sec_nchild(args);
	for (uint32_t i = 0; i < n; i++) {
		TSNode a = ts_node_named_child(args, i);
		if (fl_kind(f, a) == PK_keyword_argument &&
		    fl_text_eq(f, fl_child(f, a, F_name), name))
			return fl_child(f, a, F_value);
	}
	TSNode none = {{0}, NULL, NULL};
	return none;
}

/* A value stored under a credential's key or keyword: {"password": pw},
 * dict(token=t), log.info("login", password=pw). */
/* A value whose own name says what it is, and that is no secret:
 * secret_ref.Name(), self.secret_id, key_path. */
static bool plain_value(struct sec_ctx *c, TSNode v)
{
	static const char *const plain_heads[] = {
		"name", "names", "id", "ids", "arn", "path", "paths", "file",
		"filename", "dir", "url", "uri", "type", "kind", "ref",
		"reference", "version", "region", "project", "location",
		"label", "count", "size", "length", "len", "key",
	};
	struct fl_file *f = c->f;
	v = fl_unparen(f, v);
	if (fl_kind(f, v) == PK_call)
		v = fl_child(f, v, F_function);
	if (fl_kind(f, v) == PK_attribute)
		v = fl_child(f, v, F_attribute);
	if (fl_kind(f, v) != PK_identifier)
		return false;
	char w[MAXW][24];
	size_t n = name_words(sec_text(f, v), false, w);
	return n && AMONG(w[n - 1], plain_heads) &&
	       !classify_words(w, n).strength;
}

static bool keyed_value(struct sec_ctx *c, const char *key, TSNode value,
			struct sec_origin *o)
{
	struct sec_name nm = sec_classify_key(key);
	/* .format(secret=secret_ref.Name()): the value's own name wins */
	if (!nm.strength || sec_harmless(c, value) || plain_value(c, value))
		return false;
	if (carries(c, value, o))
		return true;
	origin(c, o, value, nm,
	       arena_printf(c->f->a, "the value given as '%s'", key));
	carrier(c, o, value);
	return true;
}

static bool carries_args(struct sec_ctx *c, TSNode args, bool kw,
			 struct sec_origin *o)
{
	struct fl_file *f = c->f;
	uint32_t n = sec_nchild(args);
	for (uint32_t i = 0; i < n; i++) {
		TSNode a = ts_node_named_child(args, i);
		unsigned k = fl_kind(f, a);
		if (k == PK_keyword_argument) {
			if (!kw)
				continue;
			TSNode v = fl_child(f, a, F_value);
			if (keyed_value(c, sec_text(f, fl_child(f, a, F_name)), v,
					o) ||
			    carries(c, v, o))
				return true;
		} else if (k != PK_comment && carries(c, a, o)) {
			return true;
		}
	}
	return false;
}

/* Functions and methods that hand their argument (or receiver) on. */
static const char *const pass_funcs[] = {
	"str", "repr", "format", "bytes", "bytearray", "ascii", "dict",
	"list", "tuple", "set", "frozenset", "sorted", "reversed", "dumps",
	"pformat", "quote", "quote_plus", "unquote", "unquote_plus",
	"urlencode", "urlunparse", "urlunsplit", "urljoin", "b64encode",
	"b64decode", "urlsafe_b64encode", "standard_b64encode",
	"encodebytes", "hexlify", "copy", "deepcopy", "fspath", "dedent",
	"indent", "escape",
};
static const char *const pass_methods[] = {
	"encode", "decode", "strip", "lstrip", "rstrip", "lower", "upper",
	"title", "casefold", "capitalize", "items", "values", "copy",
	"geturl", "get_secret_value", "unwrap", "hex", "to_string",
	"render_as_string", "expandtabs", "ljust", "rjust", "center",
	"zfill", "removeprefix", "removesuffix",
};
/* Calls whose result says nothing of the value. */
static const char *const harmless_funcs[] = {
	"len", "bool", "int", "float", "isinstance", "issubclass", "type",
	"id", "hash", "callable", "hasattr", "any", "all", "sum", "abs",
	"round", "ord", "getcwd", "exists", "isfile", "isdir", "count",
	"startswith", "endswith", "isdigit", "isalnum", "isalpha",
	"islower", "isupper", "isspace", "compare_digest", "index", "find",
	"keys",
};
/* Verbs of functions that return what their name says. */
static const char *const getters[] = {
	"get", "fetch", "load", "read", "retrieve", "obtain", "acquire",
	"refresh", "generate", "create", "new", "make", "request", "issue",
	"decrypt", "lookup", "resolve", "current", "find", "gen", "mint",
};

static bool carries_call(struct sec_ctx *c, TSNode n, struct sec_origin *o)
{
	struct fl_file *f = c->f;
	TSNode fn = fl_child(f, n, F_function);
	TSNode args = fl_child(f, n, F_arguments);
	unsigned fk = fl_kind(f, fn);
	TSNode recv = {{0}, NULL, NULL};
	const char *last;
	if (fk == PK_identifier) {
		last = fl_text(f, fn);
	} else if (fk == PK_attribute) {
		recv = fl_child(f, fn, F_object);
		last = sec_text(f, fl_child(f, fn, F_attribute));
	} else {
		return false;
	}
	const char *q = model_resolve(f, fl_text(f, fn));
	if (sec_masking_name(last) || (q && (!strncmp(q, "hashlib.", 8) ||
					     !strncmp(q, "hmac.", 5))))
		return false;
	if (AMONG(last, harmless_funcs) || type_like(last))
		return false;
	if (q && (!strcmp(q, "getpass.getpass") || !strcmp(q, "getpass"))) {
		origin(c, o, n, (struct sec_name){SEC_STRONG, "password"},
		       "a password typed by the user");
		carrier(c, o, n);
		return true;
	}
	/* os.getenv("DB_PASSWORD"), os.environ.get(...), cfg.get("token"),
	 * getattr(settings, "SECRET_KEY") */
	if (q && (!strcmp(q, "os.getenv") || !strcmp(q, "os.environ.get") ||
		  !strcmp(q, "getenv")))
		return keyed(c, n, arg_at(f, args, 0), true, o);
	if (!strcmp(last, "getattr"))
		return keyed(c, n, arg_at(f, args, 1), false, o);
	if (!ts_node_is_null(recv) &&
	    (!strcmp(last, "get") || !strcmp(last, "pop") ||
	     !strcmp(last, "setdefault"))) {
		TSNode k = arg_at(f, args, 0);
		TSNode k2 = arg_at(f, args, 1);
		bool env = is_environ(c, recv);
		if (fl_kind(f, k) == PK_string && fl_kind(f, k2) == PK_string &&
		    !env) {
			/* config.get("database", "password") (configparser:
			 * section, option) or cfg.get("password", "") (dict:
			 * key, default): the option decides; a key with a
			 * default that could be an option is left alone */
			const char *opt = py_string_value(f, k2);
			char w[MAXW][24];
			if (opt && sec_classify_key(opt).strength)
				return keyed(c, n, k2, false, o);
			if (opt && *opt && name_words(opt, true, w))
				return false;
			return keyed(c, n, k, false, o);
		}
		if (fl_kind(f, k) == PK_string)
			return keyed(c, n, k, env, o);
		if (index_is_credential(c, k))
			return false;
		if (carries(c, recv, o)) {
			carrier(c, o, n);
			return true;
		}
		return false;
	}
	/* url.render_as_string(hide_password=True) */
	TSNode hide = kwarg(f, args, "hide_password");
	if (!ts_node_is_null(hide) && fl_kind(f, hide) != PK_false)
		return false;
	/* get_password(), self._fetch_token(), keyring.get_password() */
	char w[MAXW][24];
	size_t nw = name_words(last, false, w);
	size_t from = nw > 1 && AMONG(w[0], getters) ? 1 : 0;
	struct sec_name nm = classify_words(w + from, nw - from);
	if (q && !strncmp(q, "secrets.token_", 14))
		nm = (struct sec_name){SEC_STRONG, "token"};
	if (nm.strength && (from || nw == 1 || nm.strength == SEC_STRONG)) {
		origin(c, o, n, nm,
		       arena_printf(f->a, "%s%s returned by '%s'",
				    sec_article(nm.noun), nm.noun,
				    fl_text(f, fn)));
		carrier(c, o, n);
		return true;
	}
	bool yes = false;
	if (fk == PK_identifier) {
		if (AMONG(last, pass_funcs))
			yes = carries_args(c, args, !strcmp(last, "dict"), o);
	} else if (!strcmp(last, "replace")) {
		/* dsn.replace(password, "***") hides it */
		struct sec_origin tmp = *o;
		if (carries_args(c, args, false, &tmp))
			return false;
		yes = carries(c, recv, o);
	} else if (!strcmp(last, "join") || !strcmp(last, "format") ||
		   !strcmp(last, "format_map")) {
		yes = carries(c, recv, o) || carries_args(c, args, true, o);
	} else if (AMONG(last, pass_methods)) {
		yes = carries(c, recv, o);
	} else if (AMONG(last, pass_funcs) && !is_self(c, recv)) {
		/* json.dumps(cfg), urllib.parse.quote(pw) */
		yes = carries_args(c, args, false, o);
	}
	if (yes)
		carrier(c, o, n);
	return yes;
}

static bool carries_dict(struct sec_ctx *c, TSNode n, struct sec_origin *o)
{
	struct fl_file *f = c->f;
	uint32_t cnt = sec_nchild(n);
	for (uint32_t i = 0; i < cnt; i++) {
		TSNode p = ts_node_named_child(n, i);
		unsigned k = fl_kind(f, p);
		if (k == PK_dictionary_splat) {
			if (carries(c, ts_node_named_child(p, 0), o))
				return true;
			continue;
		}
		if (k != PK_pair)
			continue;
		TSNode key = fl_child(f, p, F_key), v = fl_child(f, p, F_value);
		const char *ks = py_string_value(f, key);
		if ((ks && keyed_value(c, ks, v, o)) || carries(c, v, o))
			return true;
	}
	return false;
}

/* [f(t) for t in tokens]: carries when the items do and the body keeps
 * them (not [mask(t) ...] or [len(t) ...]). */
static bool carries_comprehension(struct sec_ctx *c, TSNode n,
				  struct sec_origin *o)
{
	struct fl_file *f = c->f;
	TSNode body = ts_node_named_child(n, 0);
	if (fl_kind(f, body) == PK_pair)
		body = fl_child(f, body, F_value);
	if (sec_harmless(c, body))
		return false;
	uint32_t cnt = sec_nchild(n);
	for (uint32_t i = 1; i < cnt; i++) {
		TSNode cl = ts_node_named_child(n, i);
		if (strcmp(ts_node_type(cl), "for_in_clause"))
			continue;
		if (carries(c, fl_child(f, cl, F_right), o))
			return true;
	}
	return false;
}

static bool carries_string(struct sec_ctx *c, TSNode n, struct sec_origin *o)
{
	struct fl_file *f = c->f;
	uint32_t cnt = sec_nchild(n);
	for (uint32_t i = 0; i < cnt; i++) {
		TSNode ch = ts_node_named_child(n, i);
		unsigned k = fl_kind(f, ch);
		if (k == PK_interpolation) {
			if (carries(c, ts_node_named_child(ch, 0), o))
				return true;
		} else if (k == PK_string && carries_string(c, ch, o)) {
			return true;
		}
	}
	return false;
}

static bool carries_inner(struct sec_ctx *c, TSNode e, struct sec_origin *o)
{
	struct fl_file *f = c->f;
	switch (fl_kind(f, e)) {
	case PK_identifier:
		return carries_identifier(c, e, o);
	case PK_attribute:
		return carries_attribute(c, e, o);
	case PK_subscript:
		return carries_subscript(c, e, o);
	case PK_call: {
		/* vars(self) */
		TSNode fn = fl_child(f, e, F_function);
		if (fl_text_eq(f, fn, "vars") &&
		    is_self(c, arg_at(f, fl_child(f, e, F_arguments), 0)))
			return carries_instance_dict(c, e, o);
		return carries_call(c, e, o);
	}
	case PK_string:
	case PK_concatenated_string:
		return carries_string(c, e, o);
	case PK_binary_operator: {
		TSNode op = fl_child(f, e, F_operator);
		if (!fl_text_eq(f, op, "%") && !fl_text_eq(f, op, "+"))
			return false;
		return carries(c, fl_child(f, e, F_left), o) ||
		       carries(c, fl_child(f, e, F_right), o);
	}
	case PK_tuple:
	case PK_list:
	case PK_set:
	case PK_expression_list:
	case PK_parenthesized_expression:
	case PK_list_splat:
	case PK_dictionary_splat:
	case PK_await: {
		uint32_t cnt = sec_nchild(e);
		for (uint32_t i = 0; i < cnt; i++)
			if (carries(c, ts_node_named_child(e, i), o))
				return true;
		return false;
	}
	case PK_dictionary:
		return carries_dict(c, e, o);
	case PK_conditional_expression:
		/* a if cond else b: the condition is not shown */
		return carries(c, ts_node_named_child(e, 0), o) ||
		       carries(c, ts_node_named_child(e, 2), o);
	case PK_boolean_operator:
		return carries(c, fl_child(f, e, F_left), o) ||
		       carries(c, fl_child(f, e, F_right), o);
	case PK_named_expression:
		return carries(c, fl_child(f, e, F_value), o);
	case PK_list_comprehension:
	case PK_set_comprehension:
	case PK_generator_expression:
	case PK_dictionary_comprehension:
		return carries_comprehension(c, e, o);
	default:
		return false;
	}
}

static bool carries(struct sec_ctx *c, TSNode e, struct sec_origin *o)
{
	if (ts_node_is_null(e) || c->nest >= MAX_NEST)
		return false;
	c->nest++;
	bool yes = carries_inner(c, e, o);
	c->nest--;
	return yes;
}

static bool found(struct sec_ctx *c, TSNode e, struct sec_origin *o)
{
	if (ts_node_is_null(o->carrier)) {
		o->carrier = e;
		o->carrier_text = short_text(c, e);
	}
	if (o->strength == SEC_WEAK) {
		/* a lexer's token is no credential */
		int ctx = auth_context(c, o->node);
		if (ctx < 0)
			return false;
		o->auth_context = ctx > 0;
	}
	return true;
}

bool sec_carries(struct sec_ctx *c, TSNode e, struct sec_origin *o)
{
	memset(o, 0, sizeof(*o));
	c->resolve = 0;
	c->nest = 0;
	return carries(c, e, o) && found(c, e, o);
}

bool sec_carries_keyword(struct sec_ctx *c, const char *key, TSNode value,
			 struct sec_origin *o)
{
	memset(o, 0, sizeof(*o));
	c->resolve = 0;
	c->nest = 0;
	return (keyed_value(c, key, value, o) || carries(c, value, o)) &&
	       found(c, value, o);
}

bool sec_harmless(struct sec_ctx *c, TSNode e)
{
	struct fl_file *f = c->f;
	e = fl_unparen(f, e);
	switch (fl_kind(f, e)) {
	case PK_string:
	case PK_concatenated_string: {
		/* "***", "<redacted>": a literal; an f-string may carry */
		uint32_t cnt = sec_nchild(e);
		for (uint32_t i = 0; i < cnt; i++) {
			TSNode ch = ts_node_named_child(e, i);
			if (fl_kind(f, ch) == PK_interpolation ||
			    (fl_kind(f, ch) == PK_string && !sec_harmless(c, ch)))
				return false;
		}
		return true;
	}
	case PK_integer:
	case PK_float:
	case PK_true:
	case PK_false:
	case PK_none:
	case PK_comparison_operator:
	case PK_not_operator:
	case PK_unary_operator:
	case PK_ellipsis:
		return true;
	case PK_conditional_expression:
		return sec_harmless(c, ts_node_named_child(e, 0)) &&
		       sec_harmless(c, ts_node_named_child(e, 2));
	case PK_binary_operator:
		/* "*" * len(password) */
		return fl_text_eq(f, fl_child(f, e, F_operator), "*") ||
		       (sec_harmless(c, fl_child(f, e, F_left)) &&
			sec_harmless(c, fl_child(f, e, F_right)));
	case PK_call: {
		TSNode fn = fl_child(f, e, F_function);
		if (fl_kind(f, fn) == PK_attribute)
			fn = fl_child(f, fn, F_attribute);
		if (fl_kind(f, fn) != PK_identifier)
			return false;
		const char *name = fl_text(f, fn);
		if (AMONG(name, harmless_funcs) || sec_masking_name(name))
			return true;
		/* is_valid_token(t), has_password() */
		char w[MAXW][24];
		size_t n = name_words(name, false, w);
		return n > 1 && (!strcmp(w[0], "is") || !strcmp(w[0], "has") ||
				 !strcmp(w[0], "check") ||
				 !strcmp(w[0], "verify") ||
				 !strcmp(w[0], "validate"));
	}
	default:
		return false;
	}
}

/* ------------------------------------------------------------------ */
/* Authentication context, for weak names                              */

struct auth_walk {
	struct sec_ctx *c;
	bool yes;
};

static bool auth_words(char w[][24], size_t n)
{
	static const char *const words[] = {
		"oauth", "oauth2", "jwt", "bearer", "authorization",
		"authenticate", "authenticated", "authentication", "login",
		"signin", "sso", "oidc", "apikey", "password", "passwd",
	};
	for (size_t i = 0; i < n; i++)
		if (AMONG(w[i], words))
			return true;
	return false;
}

static enum fl_visit auth_visit(void *ud, TSNode n)
{
	struct auth_walk *aw = ud;
	struct fl_file *f = aw->c->f;
	char w[MAXW][24];
	size_t nw;
	switch (fl_kind(f, n)) {
	case PK_identifier: {
		const char *t = fl_text(f, n);
		nw = name_words(t, false, w);
		if (auth_words(w, nw) ||
		    classify_words(w, nw).strength == SEC_STRONG)
			aw->yes = true;
		break;
	}
	case PK_string: {
		/* "Authorization", "Bearer %s", "access_token" */
		const char *v = py_string_value(f, n);
		if (!v)
			break;
		char buf[64];
		size_t len = strcspn(v, " %:{");
		if (len >= sizeof(buf) || !len)
			break;
		memcpy(buf, v, len);
		buf[len] = '\0';
		nw = name_words(buf, true, w);
		if (auth_words(w, nw) ||
		    classify_words(w, nw).strength == SEC_STRONG)
			aw->yes = true;
		return FL_SKIP;
	}
	default:
		break;
	}
	return aw->yes ? FL_STOP : FL_DESCEND;
}

/* A lexer, parser or tokenizer by its name. */
static bool lexer_name(const char *name)
{
	static const char *const words[] = {
		"lexer", "lex", "tokenizer", "tokenize", "tokenise", "parser",
		"parse", "scanner", "scan", "grammar", "highlighter",
		"compiler", "interpreter", "tokens", "syntax", "formatter",
		"shlex", "reader", "splitter", "pretty", "printer",
	};
	char w[MAXW][24];
	size_t n = name_words(name, false, w);
	for (size_t i = 0; i < n; i++)
		if (AMONG(w[i], words))
			return true;
	return false;
}

/* The module's own name, from its path ("_header_value_parser"). */
static bool lexer_module(struct fl_file *f)
{
	const char *base = strrchr(f->path, '/');
	base = base ? base + 1 : f->path;
	char buf[64];
	size_t len = strcspn(base, ".");
	if (len >= sizeof(buf))
		return false;
	memcpy(buf, base, len);
	buf[len] = '\0';
	return lexer_name(buf);
}

/*
 * Where does a weak name sit?  -1: in a lexer, parser or tokenizer (the
 * module imports tokenize, shlex, pyparsing...; or the module, class or
 * a function around it is named so): its tokens are syntax.  1: in a
 * class (else function, else module) that shows authentication -- a
 * strong credential name, oauth, bearer, login, an "Authorization"
 * literal.  0: neither.
 */
static int auth_context(struct sec_ctx *c, TSNode at)
{
	struct fl_file *f = c->f;
	if (c->lexer_file || lexer_module(f))
		return -1;
	int fi = func_at(f, ts_node_start_byte(at));
	TSNode scope = f->root;
	if (fi >= 0) {
		int ci = f->m.funcs.v[fi].cls;
		scope = ci >= 0 ? f->m.classes.v[ci].node : f->m.funcs.v[fi].node;
		for (int g = fi; g >= 0; g = f->m.funcs.v[g].parent)
			if (lexer_name(f->m.funcs.v[g].name))
				return -1;
		if (ci >= 0 && lexer_name(f->m.classes.v[ci].name))
			return -1;
	}
	uint32_t s = ts_node_start_byte(scope), e = ts_node_end_byte(scope);
	for (size_t i = 0; i < c->nauth; i++)
		if (c->auth[i].s == s && c->auth[i].e == e)
			return c->auth[i].yes;
	struct auth_walk aw = {c, false};
	fl_preorder(scope, auth_visit, &aw);
	c->auth = arena_grow(f->a, c->auth, &c->capauth, c->nauth, sizeof(*c->auth));
	c->auth[c->nauth++] = (struct auth_cache){s, e, aw.yes};
	return aw.yes;
}

/* ------------------------------------------------------------------ */
/* Opt-in: the operator asked to see credentials                        */

/*
 * `if (set->debug_passwords)`, `if settings.LOG_SECRETS:`,
 * `show_tokens ? token : "***"`: a condition that tests a flag named as
 * showing credentials.  Dovecot logs the password of a failed login only
 * when `auth_debug_passwords` is set; that is the operator's choice, not
 * a leak.
 */
static bool optin_flag(const char *name)
{
	static const char *const verbs[] = {
		"debug", "log", "show", "print", "dump", "verbose", "trace",
		"reveal", "expose", "display", "unmask", "plaintext",
	};
	char w[MAXW][24];
	size_t n = name_words(name, false, w);
	if (n < 2 || classify_words(&w[n - 1], 1).strength < SEC_WEAK)
		return false;
	for (size_t i = 0; i + 1 < n; i++)
		if (AMONG(w[i], verbs))
			return true;
	return false;
}

static enum fl_visit optin_ident(void *ud, TSNode n)
{
	struct fl_file *f = ((void **)ud)[0];
	bool *yes = ((void **)ud)[1];
	unsigned k = fl_kind(f, n);
	bool ident = f->lang == LANG_C
			     ? k == CK_identifier || k == CK_field_identifier
			     : k == PK_identifier;
	if (ident && optin_flag(fl_text(f, n))) {
		*yes = true;
		return FL_STOP;
	}
	return FL_DESCEND;
}

static enum fl_visit optin_visit(void *ud, TSNode n)
{
	struct fl_file *f = ((void **)ud)[0];
	unsigned k = fl_kind(f, n);
	bool cond = f->lang == LANG_C ? k == CK_if_statement ||
						k == CK_conditional_expression
				      : k == PK_if_statement ||
						k == PK_elif_clause ||
						k == PK_conditional_expression;
	if (!cond)
		return FL_DESCEND;
	TSNode c = fl_child(f, n, F_condition);
	/* Python's `a if cond else b` names no condition field */
	if (ts_node_is_null(c) && k == PK_conditional_expression)
		c = ts_node_named_child(n, 1);
	if (!ts_node_is_null(c))
		fl_preorder(c, optin_ident, ud);
	return *(bool *)((void **)ud)[1] ? FL_STOP : FL_DESCEND;
}

bool sec_optin_gated(struct fl_file *f, TSNode at)
{
	unsigned fk = f->lang == LANG_C ? CK_function_definition
					: PK_function_definition;
	TSNode fn = at;
	for (int i = 0; i < 512 && !ts_node_is_null(fn) &&
			fl_kind(f, fn) != fk;
	     i++)
		fn = ts_node_parent(fn);
	if (ts_node_is_null(fn) || fl_kind(f, fn) != fk)
		return false;
	bool yes = false;
	void *ud[2] = {f, &yes};
	fl_preorder(fn, optin_visit, ud);
	return yes;
}

/* ------------------------------------------------------------------ */
/* Reporting helpers                                                   */

enum fl_confidence sec_confidence(const struct fl_file *f,
				  const struct sec_origin *o,
				  enum fl_confidence strong)
{
	if (f->is_test)
		return CONF_LOW;
	if (o->strength == SEC_STRONG)
		return strong;
	if (o->strength == SEC_WEAK && o->auth_context && strong > CONF_LOW)
		return strong - 1;
	return CONF_LOW;
}

void sec_trace(struct fl_file *f, struct fl_finding *fd,
	       const struct sec_origin *o)
{
	fl_trace(f, fd, o->node, "'%s' is %s", o->text, o->desc);
	for (size_t i = 0; i < o->nstep; i++)
		fl_trace(f, fd, o->step[i].at, "%s", o->step[i].msg);
}

const char *sec_describe(struct fl_file *f, const struct sec_origin *o)
{
	if (!o->carrier_text || !strcmp(o->carrier_text, o->text) ||
	    ts_node_eq(o->carrier, o->node))
		return arena_printf(f->a, "'%s' (%s)", o->text, o->desc);
	return arena_printf(f->a, "'%s' (%s), by way of '%s',", o->text,
			    o->desc, o->carrier_text);
}
