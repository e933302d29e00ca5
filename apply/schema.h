/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apply/schema.h: the schema tracker.  A table's column names, types and
 * keys come from the *target* (as TiDB DM does), are cached per table and
 * dropped after DDL, and are checked against the binlog's TABLE_MAP: the
 * column count must match and each binlog type must be storable in the
 * target column.  The key used to route and to address rows is the
 * primary key, else the first unique key whose columns are all NOT NULL;
 * tables with neither are routed whole to one worker (and the precheck
 * warns).  A table missing downstream is an error that names it and
 * says what to do.  Used by the dispatcher thread.
 */
#ifndef SL_APPLY_SCHEMA_H
#define SL_APPLY_SCHEMA_H

#include "apply/target.h"
#include "core/err.h"
#include "core/tablemap.h"

#include <stdbool.h>
#include <stdint.h>

struct schema_col {
	char *name;
	char *data_type;   /* information_schema DATA_TYPE, lower case */
	char *column_type; /* full COLUMN_TYPE, e.g. "int(10) unsigned" */
	bool nullable;
	bool is_unsigned;
	bool generated; /* virtual/stored generated: never written */
};

struct schema_table {
	char *db, *name;
	uint32_t n_cols;
	struct schema_col *cols;
	/* Keys hold 2n entries: n column indexes in key order, then each
	 * part's prefix length (SUB_PART; 0 for a whole column). */
	uint32_t n_key; /* 0: no usable key (route by table) */
	uint32_t *key;  /* the routing key */
	bool key_is_primary;
	/* the other unique keys, for the causality set: n_uniq of them */
	uint32_t n_uniq;
	uint32_t *uniq_len; /* parts per unique key */
	uint32_t **uniq;    /* 2 * uniq_len[i] entries each, as key */
};

struct schema;

struct schema *schema_new(struct target *t);
void schema_free(struct schema *s);

/* The target's definition of db.table, loaded on first use.  A missing
 * table is SL_ENOTFOUND with "target table `db`.`t` does not exist:
 * create it (with the source's definition) and resume". */
int schema_get(struct schema *s, const char *db, const char *table,
               const struct schema_table **out, struct sl_err *err);

/* Checks a TABLE_MAP against the target definition: column count, and
 * each binlog type against the target's data type (e.g. a binlog
 * VARCHAR cannot land in an INT column).  SL_EINVAL with a line naming
 * table, column and both types. */
int schema_check(const struct schema_table *st, const struct table_map *tm,
                 struct sl_err *err);

/* Whether a source column whose information_schema DATA_TYPE is src
 * (lower case, e.g. "varchar") can be written to a target column of
 * DATA_TYPE dst, by the rules schema_check applies to the binlog type
 * such a column is logged as (for the precheck, before any TABLE_MAP).
 * Equal names always are; an unknown source type is not. */
bool schema_types_compatible(const char *src, const char *dst);

/* Drops the cached definition (after DDL on it), or all with table NULL. */
void schema_forget(struct schema *s, const char *db, const char *table);

#endif
