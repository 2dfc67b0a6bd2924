/*
 * secret.h - what the SEC rules share: which names are credentials, and
 * whether an expression carries one (Python).
 *
 * A name is a credential when its last word -- the head of the compound,
 * after value suffixes such as _value or _str -- is one (db_password,
 * client_secret, access_token, API_KEY), and no word before it makes it
 * something else: a predicate or count (has_password, max_tokens), a
 * masked form (hashed_password) or a function (get_token).  A word that
 * only qualifies another head is not enough: password_policy,
 * token_count, secret_name and key_file name policies, counts,
 * identifiers and paths, not secrets.  Bare "token", "secret" and "auth"
 * are weak: a lexer's tokens outnumber API tokens in most code, and a
 * cloud SDK's "secret" is a Secret Manager resource name, so they count
 * only where the surrounding class or function shows authentication.
 * "credentials" and connection strings by name (dsn, database_url) only
 * may hold one -- a credentials object rarely prints a secret -- and
 * count fully when their value is built from a credential.
 *
 * sec_carries() follows an expression to the credential it carries:
 * through f-strings, %, .format, +, str()/repr(), containers, dict keys
 * and keyword names, the latest assignment of a local name in the same
 * function (and of a module global), and `self.x` attributes set from a
 * credential anywhere in the class.  It stops at masking (a call whose
 * name says mask, redact, sanitize, hash...), at lengths, booleans and
 * comparisons, at slices, and at calls it does not know to pass their
 * argument through.
 */
#ifndef FL_SEC_SECRET_H
#define FL_SEC_SECRET_H

#include "../../core/file.h"

/* Null-safe forms of tree-sitter calls: error recovery can leave
 * optional children out. */
static inline uint32_t sec_nchild(TSNode n)
{
	return ts_node_is_null(n) ? 0 : ts_node_named_child_count(n);
}
static inline const char *sec_text(struct fl_file *f, TSNode n)
{
	return ts_node_is_null(n) ? "" : fl_text(f, n);
}

enum sec_strength {
	SEC_NONE = 0,
	SEC_MAYBE,   /* may hold one: a connection string, a credentials
		      * object (whose repr usually shows no secret) */
	SEC_WEAK,    /* bare token, auth, pwd, pass: a credential only in
		      * an authentication context */
	SEC_STRONG,  /* password, secret, api_key, access_token... */
};

struct sec_name {
	enum sec_strength strength;
	const char *noun;    /* "password", "token", "API key"... */
};

/* Classify an identifier ("db_password", "apiKey", "API_TOKEN"). */
struct sec_name sec_classify(const char *name);
/* Classify a mapping key or environment variable name ("db.password",
 * "X-Api-Key"); text with spaces is a message, not a key: SEC_NONE. */
struct sec_name sec_classify_key(const char *key);

/* Does the module import one of these top-level packages ("logging")? */
bool sec_file_imports(struct fl_file *f, const char *const *mods, size_t n);

/* Does a function's name say it masks its argument (mask, redact,
 * sanitize, scrub, obfuscate, hide, censor, hash, digest...)? */
bool sec_masking_name(const char *name);

struct sec_step {
	TSNode at;
	const char *msg;
};

#define SEC_MAX_STEPS 8

/* Where a credential comes from and how it reached the expression. */
struct sec_origin {
	TSNode node;             /* where it enters: name, key, call */
	const char *text;        /* "password", "self._token" */
	const char *desc;        /* "the 'password' argument of 'connect'" */
	const char *noun;        /* "password" */
	enum sec_strength strength;
	bool auth_context;       /* a weak name among authentication code */
	bool via_fact;           /* through an attribute another file (or
				  * class) builds from a credential */
	const char *fact_name;   /* a weak attribute name that such a fact
				  * would make stronger */
	TSNode carrier;          /* the part of the queried expression that
				  * carries it ("dsn" in the log call) */
	const char *carrier_text;
	size_t nstep;            /* derivation, from the credential on */
	struct sec_step step[SEC_MAX_STEPS];
};

struct sec_ctx;

/* Per-file state (caches of assignments); lives in the file arena. */
struct sec_ctx *sec_ctx_new(struct fl_file *f);

/*
 * Attributes across files.  A property or `self.x` whose value is built
 * from a credential is recorded as a fact (FACT_SECRET_ATTR, name) when
 * its name is specific enough to match by (sec_fact_name: archive_dsn,
 * database_url, auth_headers -- not url or value).  While the facts are
 * not known, sec_carries notes the attribute names it met that could
 * match (sec_candidates); in a revisit, sec_use_facts makes it follow
 * them.
 */
bool sec_fact_name(const char *name);
void sec_use_facts(struct sec_ctx *c, bool on);
size_t sec_candidates(struct sec_ctx *c, const char ***names);

/* Does expression e carry a credential to where it is used?  Fills *o
 * with the first one found (in source order). */
bool sec_carries(struct sec_ctx *c, TSNode e, struct sec_origin *o);

/* The same for a value passed as keyword `key` (or under that dict
 * key): log.info("login", password=pw) carries whatever pw is. */
bool sec_carries_keyword(struct sec_ctx *c, const char *key, TSNode value,
			 struct sec_origin *o);

/* Is the value clearly not a credential: a literal, a number, a
 * boolean, a comparison, a length, a masked value? */
bool sec_harmless(struct sec_ctx *c, TSNode e);

/* "a ", "an " or "" (for a plural: "credentials") before a noun. */
const char *sec_article(const char *noun);

/* Does the function around `at` test a flag that asks for credentials
 * to be shown (debug_passwords, LOG_SECRETS)? */
bool sec_optin_gated(struct fl_file *f, TSNode at);

/*
 * Confidence of a finding whose sink shows values to people: `strong`
 * for strong names; one step down for weak names in an authentication
 * context; low otherwise and in test code.
 */
enum fl_confidence sec_confidence(const struct fl_file *f,
				  const struct sec_origin *o,
				  enum fl_confidence strong);

/* Add the origin and derivation steps of o to a finding's trace. */
void sec_trace(struct fl_file *f, struct fl_finding *fd,
	       const struct sec_origin *o);

/* "'password' (the 'password' argument of 'connect')" or, when it
 * travels through another name, "'password' (...), through 'dsn',"
 * (arena string), for messages. */
const char *sec_describe(struct fl_file *f, const struct sec_origin *o);

#endif
