/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/config.h: the job file (DESIGN.md section 5), parsed and validated.
 * In: YAML text written by a person (a file, or bytes in memory).
 * Out: a struct job_config with every default filled in, or the list of
 * every mistake found, one line each, "FILE:LINE:COLUMN: what is wrong",
 * in file order.  docs/configuration.md is the user's reference.
 *
 * ${VAR} in a value is replaced from the environment after the YAML is
 * parsed ($${ stands for a literal ${), so a variable's text is never read
 * as YAML.  Secrets (source.password, target.password, http.token) never
 * appear in a message nor in job_config_format's output ("***"), and
 * job_config_free wipes them; the file text and libyaml's copies of the
 * scalars are wiped once parsing ends.
 *
 * Runs once at start-up on one thread; the config is read-only after, so
 * any thread may read it.  Only job_config_load touches the file system.
 */
#ifndef SL_CORE_CONFIG_H
#define SL_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gtid_set;
struct sbuf;

#define CONFIG_SOURCE_PORT   3306
#define CONFIG_TARGET_PORT   4000
#define CONFIG_HTTP_ADDR     "127.0.0.1:8250"
#define CONFIG_META_DATABASE "sluice_meta"
#define CONFIG_DEFAULT_SPEC  "4rcu"
#define CONFIG_NAME_MAX      59 /* "under 60 characters" */
#define CONFIG_WORKERS_MAX   512
#define CONFIG_BATCH_MAX     10000
#define CONFIG_LINGER_MAX_MS 1000
#define CONFIG_FILE_MAX      (1u << 20) /* bytes of a job file */

enum config_tls_mode {
	CONFIG_TLS_DISABLED,
	CONFIG_TLS_PREFERRED,       /* TLS if the server offers it */
	CONFIG_TLS_REQUIRED,        /* TLS or fail; certificate not checked */
	CONFIG_TLS_VERIFY_CA,       /* and the certificate chains to tls.ca */
	CONFIG_TLS_VERIFY_IDENTITY, /* and its name matches the host */
};

enum config_start_mode {
	CONFIG_START_NOW,      /* the source's position when the job starts */
	CONFIG_START_GTID,     /* after the transactions in start.gtid_set */
	CONFIG_START_POSITION, /* at start.file, start.position */
};

enum config_on_conflict {
	CONFIG_CONFLICT_FAIL,    /* duplicate key on insert stops the job */
	CONFIG_CONFLICT_REPLACE, /* the source row wins */
};

enum config_on_missing_row {
	CONFIG_MISSING_FAIL, /* UPDATE/DELETE of an absent row stops the job */
	CONFIG_MISSING_WARN, /* counted and logged, then skipped */
};

struct config_tls {
	enum config_tls_mode mode;
	char *ca;   /* PEM file, NULL when not given */
	char *cert; /* client certificate; given together with key */
	char *key;
};

struct config_endpoint {
	char *host; /* name, IPv4 or IPv6 address (no brackets) */
	uint16_t port;
};

struct config_source {
	char *host; /* no brackets, no port */
	uint16_t port;
	char *user;
	char *password;     /* secret; NULL when not given */
	uint32_t server_id; /* 0: one is chosen when the job starts */
	struct config_tls tls;
};

struct config_target {
	size_t n_hosts; /* >= 1, no two equal */
	struct config_endpoint *hosts;
	char *user;
	char *password; /* secret; NULL when not given */
	struct config_tls tls;
};

struct config_start {
	enum config_start_mode mode;
	char *gtid;                /* text as written (mode gtid), else NULL */
	struct gtid_set *gtid_set; /* the same, parsed; NULL unless gtid */
	char *file;                /* mode position, else NULL */
	uint64_t position;         /* mode position (>= 4), else 0 */
};

/* Patterns are "database.table"; '*' matches any run of characters and
 * '?' one character.  No include list means every user database. */
struct config_objects {
	size_t n_include;
	char **include;
	size_t n_exclude;
	char **exclude;
};

struct config_spec {
	const char *tier; /* "2rcu" ... "16rcu" (static), NULL: explicit */
	unsigned workers; /* 1..CONFIG_WORKERS_MAX appliers */
	unsigned batch;   /* 1..CONFIG_BATCH_MAX row changes per batch */
	/* ms a part batch waits for more rows before its commit (a live
	 * load then makes fewer, larger commits); 0: commit at once; by
	 * default 2.5 ms per worker within 5..50 (config_default_linger) */
	unsigned linger_ms;
	unsigned ring; /* items per worker ring (the tier's; 8192) */
};

/* The default linger of a spec with this many workers. */
unsigned config_default_linger(unsigned workers);

struct config_http {
	struct config_endpoint addr; /* listen address */
	char *token;                 /* secret; NULL: no token required */
};

struct job_config {
	char *file; /* the name used in messages */
	char *name;
	struct config_source source;
	struct config_target target;
	struct config_start start;
	struct config_objects objects;
	struct config_spec spec;
	enum config_on_conflict on_conflict;
	enum config_on_missing_row on_missing_row;
	char *meta_database;
	struct config_http http;
};

/* One mistake.  line and column count from 1; both are 0 when the mistake
 * has no place in the text (the file cannot be read). */
struct job_config_error {
	unsigned line;
	unsigned column;
	char *msg;  /* the whole line, "FILE:LINE:COLUMN: ...", no newline */
	size_t seq; /* private: report order, to sort stably */
};

/* The mistakes of one parse, sorted by place.  Embedded by the caller:
 *     for (size_t i = 0; i < errs.n; i++)
 *             fprintf(stderr, "%s\n", errs.v[i].msg); */
struct job_config_errors {
	size_t n;
	struct job_config_error *v;
	size_t cap; /* private */
};

/* Mistake lists */

void job_config_errors_init(struct job_config_errors *e);
/* Frees the messages; e is empty and reusable after. */
void job_config_errors_deinit(struct job_config_errors *e);

/* Parsing */

/* Reads and parses the job file at path (a regular file or a pipe);
 * relative tls.ca/cert/key paths of a regular file are taken from its
 * folder.  The file may be at most
 * CONFIG_FILE_MAX bytes; its text is wiped from memory after parsing.
 * Returns 0 with *out set (free it with job_config_free); the number of
 * mistakes (> 0), each a line appended to errs; SL_EIO when the file
 * cannot be read (errs holds one line saying why); or SL_ENOMEM (errs
 * holds nothing new).  *out is NULL unless 0 is returned. */
int job_config_load(const char *path, struct job_config **out,
                    struct job_config_errors *errs);

/* Parses text[0..len) as a job file named `file` in messages (tls paths
 * are kept as written).  text is borrowed and not wiped: the caller owns
 * it.  Returns as job_config_load, never SL_EIO. */
int job_config_parse(const char *file, const char *text, size_t len,
                     struct job_config **out, struct job_config_errors *errs);

/* Wipes the secrets, then frees c and everything it holds; NULL is fine. */
void job_config_free(struct job_config *c);

/* Output */

/* Appends c as a YAML job file that parses back to the same config, with
 * every default written out and every secret given as "***" (for
 * `sluice check`).  Check sbuf_ok(out) for OOM. */
void job_config_format(const struct job_config *c, struct sbuf *out);

/* Names as written in the job file ("verify-ca", "position", ...). */
const char *config_tls_mode_name(enum config_tls_mode m);
const char *config_start_mode_name(enum config_start_mode m);
const char *config_on_conflict_name(enum config_on_conflict v);
const char *config_on_missing_row_name(enum config_on_missing_row v);

#endif
