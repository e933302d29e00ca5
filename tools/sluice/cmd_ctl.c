/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/sluice/cmd_ctl.c: the verbs that talk to a running job through
 * its HTTP interface (DESIGN.md 4, 6): `sluice status [--watch]`,
 * `sluice pause`, `sluice resume`, `sluice delete`, each with
 * [--http HOST:PORT] (default 127.0.0.1:8250) and [--token T] (default
 * $SLUICE_HTTP_TOKEN).  status prints a short summary of /status (the
 * JSON itself with --json); --watch redraws it every second with a
 * progress line.
 */
#include "cmd.h"

#include "core/sbuf.h"
#include "io/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct ctl {
	char host[256];
	int port;
	const char *token;
	bool watch, json;
};

static int ctl_args(const char *cmd, int argc, char **argv, struct ctl *c,
                    bool status)
{
	const char *addr = "127.0.0.1:8250";
	const char *colon;

	memset(c, 0, sizeof(*c));
	c->token = getenv("SLUICE_HTTP_TOKEN");
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--http") == 0 && i + 1 < argc)
			addr = argv[++i];
		else if (strcmp(argv[i], "--token") == 0 && i + 1 < argc)
			c->token = argv[++i];
		else if (status && strcmp(argv[i], "--watch") == 0)
			c->watch = true;
		else if (status && strcmp(argv[i], "--json") == 0)
			c->json = true;
		else {
			fprintf(stderr,
			        "usage: sluice %s [--http HOST:PORT] [--token "
			        "T]%s\n",
			        cmd, status ? " [--watch] [--json]" : "");
			return -1;
		}
	}
	colon = strrchr(addr, ':');
	if (colon == NULL || (size_t)(colon - addr) >= sizeof(c->host) ||
	    (c->port = atoi(colon + 1)) <= 0) {
		fprintf(stderr, "sluice %s: --http %s: not HOST:PORT\n", cmd,
		        addr);
		return -1;
	}
	memcpy(c->host, addr, (size_t)(colon - addr));
	c->host[colon - addr] = '\0';
	return 0;
}

/* The raw text of "key": in a JSON object we wrote ourselves (flat
 * search, after `within` when set); NULL when absent. */
static const char *jfind(const char *j, const char *within, const char *key)
{
	char pat[64];

	if (within) {
		snprintf(pat, sizeof(pat), "\"%s\":", within);
		j = strstr(j, pat);
		if (j == NULL)
			return NULL;
	}
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	j = strstr(j, pat);
	return j ? j + strlen(pat) : NULL;
}

static double jnum(const char *j, const char *within, const char *key)
{
	const char *v = jfind(j, within, key);

	return v ? strtod(v, NULL) : 0;
}

/* A string value, unescaped only for \" and \\ (enough for display). */
static void jstr(const char *j, const char *within, const char *key, char *out,
                 size_t cap)
{
	const char *v = jfind(j, within, key);
	size_t k = 0;

	out[0] = '\0';
	if (v == NULL || *v != '"')
		return;
	for (v++; *v && *v != '"' && k + 1 < cap; v++) {
		if (*v == '\\' && v[1])
			v++;
		out[k++] = *v;
	}
	out[k] = '\0';
}

static int get(const struct ctl *c, const char *method, const char *path,
               struct sbuf *body, int *status)
{
	struct sl_err err;

	sl_err_clear(&err);
	if (http_request(c->host, c->port, method, path, c->token, NULL, body,
	                 status, &err) != 0) {
		fprintf(stderr, "sluice: job at %s:%d: %s\n", c->host, c->port,
		        err.msg);
		return -1;
	}
	return 0;
}

/* Prints the summary of status JSON j; returns the lines printed. */
static int summary(const char *j, FILE *out)
{
	int lines = 1;

	char name[128], stage[32], error[1024], file[256], gtid[256], ck[256];
	bool caught = strstr(j, "\"caught_up\":true") != NULL;

	jstr(j, NULL, "job", name, sizeof(name));
	jstr(j, NULL, "stage", stage, sizeof(stage));
	jstr(j, NULL, "error", error, sizeof(error));
	fprintf(out, "job %s: %s (up %.0f s)\n", name, stage,
	        jnum(j, NULL, "uptime_seconds"));
	if (jfind(j, NULL, "source") != NULL) {
		lines += 5;
		jstr(j, "source", "file", file, sizeof(file));
		jstr(j, "source", "gtid", gtid, sizeof(gtid));
		jstr(j, "checkpoint", "file", ck, sizeof(ck));
		fprintf(out, "  source      %s:%.0f  gtid %s\n", file,
		        jnum(j, "source", "position"), gtid[0] ? gtid : "-");
		fprintf(out, "  checkpoint  %s:%.0f%s\n", ck,
		        jnum(j, "checkpoint", "position"),
		        strstr(j, "\"safe_mode\":true") ? "  (safe mode)" : "");
		fprintf(out,
		        "  rows        read %.0f, applied %.0f (%.0f inserts, "
		        "%.0f updates, %.0f deletes), missing %.0f, retries "
		        "%.0f\n",
		        jnum(j, "rows", "read"), jnum(j, "rows", "applied"),
		        jnum(j, "rows", "inserted"), jnum(j, "rows", "updated"),
		        jnum(j, "rows", "deleted"), jnum(j, "rows", "missing"),
		        jnum(j, NULL, "retries"));
		fprintf(out, "  workers    ");
		for (const char *w = strstr(j, "\"queue_depth\":"); w;
		     w = strstr(w + 1, "\"queue_depth\":"))
			fprintf(out, " q%.0f/%.1fms", strtod(w + 14, NULL),
			        jnum(w, NULL, "batch_ms"));
		fprintf(out, "\n");
		fprintf(
		    out, "  %s, lag %.1f s, in %.0f rows/s, out %.0f rows/s\n",
		    caught || jnum(j, NULL, "lag_seconds") < 1.0 ? "caught up"
		                                                 : "lagging",
		    jnum(j, NULL, "lag_seconds"),
		    jnum(j, "rows_per_second", "in"),
		    jnum(j, "rows_per_second", "out"));
	}
	if (error[0]) {
		fprintf(out, "  last error: %s\n", error);
		lines++;
	}
	return lines;
}

int cmd_status(int argc, char **argv)
{
	struct ctl c;
	struct sbuf body;
	int st = 0, rc = 0, shown = 0;
	bool tty = isatty(STDOUT_FILENO);

	if (ctl_args("status", argc, argv, &c, true) != 0)
		return 2;
	sbuf_init(&body);
	for (;;) {
		sbuf_reset(&body);
		if (get(&c, "GET", "/status", &body, &st) != 0) {
			rc = 1;
			break;
		}
		if (st != 200) {
			fprintf(stderr, "sluice status: HTTP %d: %s", st,
			        sbuf_cstr(&body));
			rc = 1;
			break;
		}
		if (c.watch && tty && shown > 0) /* redraw our lines */
			printf("\033[%dA\033[J", shown);
		if (c.json)
			fputs(sbuf_cstr(&body), stdout);
		else
			shown = summary(sbuf_cstr(&body), stdout);
		fflush(stdout);
		/* a failed job is a failure for scripts too */
		rc = strstr(sbuf_cstr(&body), "\"stage\":\"failed\"") ? 1 : 0;
		if (!c.watch)
			break;
		sleep(1);
	}
	sbuf_deinit(&body);
	return rc;
}

static int post(const char *cmd, const char *path, int argc, char **argv)
{
	struct ctl c;
	struct sbuf body;
	int st = 0, rc;

	if (ctl_args(cmd, argc, argv, &c, false) != 0)
		return 2;
	sbuf_init(&body);
	rc = get(&c, "POST", path, &body, &st);
	if (rc == 0) {
		if (st == 202) {
			printf("sluice %s: accepted\n", cmd);
		} else {
			fprintf(stderr, "sluice %s: HTTP %d: %s", cmd, st,
			        sbuf_cstr(&body));
			rc = 1;
		}
	}
	sbuf_deinit(&body);
	return rc == 0 ? 0 : 1;
}

int cmd_pause(int argc, char **argv)
{
	return post("pause", "/pause", argc, argv);
}

int cmd_resume(int argc, char **argv)
{
	return post("resume", "/resume", argc, argv);
}

int cmd_delete(int argc, char **argv)
{
	return post("delete", "/delete", argc, argv);
}
