/*
 * sigma-rule: loading Sigma rule files (specification v2.1) into validated in-memory rules.
 *
 * One YAML file may hold several documents (separated by `---`); each document is one rule
 * of one of three kinds: a detection rule (`detection:`), a correlation rule (`correlation:`)
 * or a filter (`filter:`). Loading never stops at a bad rule: every document becomes either a
 * rule or a rejection (line + reason), like a decoder's counted rejections. A YAML syntax
 * error rejects the document it is in and ends the file (the rest cannot be read reliably).
 *
 * The AST (every string NUL-terminated, every array with its count; all memory belongs to the
 * vg_sigma_file and is released with it):
 *
 *   vg_sigma_file            path, docs[]: one entry per YAML document
 *    `- vg_sigma_doc         line, status (loaded | rejected), reason + message, rule
 *        `- vg_sigma_rule    kind, line, meta, logsource, placeholders[], and one of:
 *            |- detection    vg_sigma_detection: searches[] + conds[] (a list of conditions
 *            |               is joined with OR)
 *            |- correlation  vg_sigma_correlation: type, rules[], group_by[], timespan,
 *            |               condition (gt/gte/lt/lte/eq/neq + field), aliases[], generate
 *            `- filter       vg_sigma_filter: rules[] + a detection (selection + condition)
 *
 *   vg_sigma_search          one search identifier: name, shape, groups[] joined with OR
 *    `- vg_sigma_group       one map: field conditions joined with AND
 *        `- vg_sigma_field   field name ("" for keywords), modifiers in written order
 *                            (vg_sigma_mod, re sub-modifiers included), values[]
 *                            (vg_sigma_raw: YAML type + text as written after YAML
 *                            unquoting), joined with OR, or AND under the `all` modifier
 *
 * Every search shape maps onto groups: a map is one group; a list of maps is one group per
 * map; a list of keywords (or a single keyword scalar) is one group with one keyword field
 * whose values are OR'ed; a `'|all':` keyword map is one group with one keyword field with
 * the `all` modifier. A list mixing maps and keywords puts all its keywords into one group.
 *
 * YAML typing of values (vg_sigma_raw.type): quoted, literal and folded scalars are strings.
 * Plain scalars follow the YAML 1.2 core schema: null, Null, NULL, ~ and empty are null;
 * true/True/TRUE/false/False/FALSE are booleans; [-+]digits, 0o octal, 0x hex, decimals
 * with '.' and/or an exponent, [-+].inf and .nan are numbers; everything else (yes, no, on,
 * off, dates) is a string. `text` always keeps the characters as written.
 */
#ifndef VIGIL_SIGMA_RULE_H
#define VIGIL_SIGMA_RULE_H

#include <stddef.h>
#include <stdint.h>

#include "sigma-cond.h"
#include "sigma-types.h"
#include "util-error.h"

#define VG_SIGMA_MAX_FILE (8u << 20)     /* limit: bytes of one rule file */
#define VG_SIGMA_MAX_DOCS 1024           /* limit: YAML documents in one file */
#define VG_SIGMA_MAX_NODES (1u << 20)    /* limit: YAML nodes visited per document (aliases count each time) */
#define VG_SIGMA_MAX_SEARCHES 512        /* limit: search identifiers of one detection */
#define VG_SIGMA_MAX_GROUPS 4096         /* limit: maps in one list of maps */
#define VG_SIGMA_MAX_FIELDS 512          /* limit: field conditions in one map */
#define VG_SIGMA_MAX_VALUES 65536        /* limit: values of one field condition */
#define VG_SIGMA_MAX_LIST 4096           /* limit: items of a metadata list (tags, references...) */
#define VG_SIGMA_MAX_CONDS 64            /* limit: conditions in a condition list */
#define VG_SIGMA_MAX_NAME 1024           /* limit: bytes of a field or identifier name */
#define VG_SIGMA_MAX_TEXT 65535          /* limit: bytes of a metadata string (description) */
#define VG_SIGMA_MAX_VALUE (1u << 20)    /* limit: bytes of one value */
#define VG_SIGMA_MAX_TITLE 256           /* the specification's maximum title length */

/* Why a document was rejected (summary categories; the message says precisely). */
typedef enum vg_sigma_reason {
    VG_SIGMA_R_NONE = 0,        /* loaded */
    VG_SIGMA_R_YAML,            /* not valid YAML */
    VG_SIGMA_R_LIMIT,           /* a named limit was exceeded */
    VG_SIGMA_R_MISSING,         /* a mandatory attribute is missing or empty */
    VG_SIGMA_R_TYPE,            /* an attribute has the wrong YAML type */
    VG_SIGMA_R_DUPLICATE,       /* a mapping key given twice */
    VG_SIGMA_R_VALUE,           /* an attribute value outside its allowed set or format */
    VG_SIGMA_R_MODIFIER,        /* unknown modifier */
    VG_SIGMA_R_MODIFIER_USE,    /* modifiers that cannot go together, or do not fit the value */
    VG_SIGMA_R_NULL_IN_LIST,    /* null inside a list of values */
    VG_SIGMA_R_ALL_SINGLE,      /* `all` on a single value */
    VG_SIGMA_R_CONDITION,       /* condition syntax */
    VG_SIGMA_R_IDENTIFIER,      /* condition names an unknown identifier or a pattern matching none */
    VG_SIGMA_R_KIND,            /* not a rule: no detection, correlation or filter, or several */
    VG_SIGMA_NREASONS
} vg_sigma_reason;

typedef enum vg_sigma_kind {
    VG_SIGMA_DETECTION = 0,
    VG_SIGMA_CORRELATION,
    VG_SIGMA_FILTER
} vg_sigma_kind;

typedef struct vg_sigma_strlist {
    const char **v;
    uint32_t n;
} vg_sigma_strlist;

typedef struct vg_sigma_related {
    const char *id;
    const char *type;           /* derived, obsolete, merged, renamed, similar */
} vg_sigma_related;

/* Metadata; absent strings are NULL, absent lists empty. */
typedef struct vg_sigma_meta {
    const char *title, *id, *name, *status, *description, *license, *author, *date, *modified, *level,
        *taxonomy;
    vg_sigma_strlist references, tags, falsepositives, fields, scope;
    vg_sigma_related *related;
    uint32_t nrelated;
    uint32_t ncustom;           /* top-level keys the specification does not define (allowed) */
} vg_sigma_meta;

typedef struct vg_sigma_logsource {
    const char *category, *product, *service, *definition;     /* NULL when absent */
    uint32_t line;
} vg_sigma_logsource;

typedef struct vg_sigma_field {
    const char *field;          /* "" for keywords */
    vg_sigma_mod mods[VG_SIGMA_MAX_MODS];
    uint8_t nmods;
    uint8_t all;                /* values joined with AND (the `all` modifier) */
    uint32_t line;
    vg_sigma_raw *values;
    uint32_t nvalues;
} vg_sigma_field;

typedef struct vg_sigma_group {
    vg_sigma_field *fields;     /* joined with AND */
    uint32_t nfields;
    uint32_t line;
} vg_sigma_group;

typedef enum vg_sigma_shape {
    VG_SIGMA_S_MAP = 0,         /* field: value, ...        one group */
    VG_SIGMA_S_MAP_LIST,        /* - map  - map             one group per map */
    VG_SIGMA_S_KEYWORDS,        /* - kw  - kw, or a scalar  one group, one keyword field */
    VG_SIGMA_S_KEYWORDS_ALL     /* '|all': [kw, kw]         one group, keyword field with all */
} vg_sigma_shape;

typedef struct vg_sigma_search {
    const char *name;
    vg_sigma_shape shape;
    vg_sigma_group *groups;     /* joined with OR */
    uint32_t ngroups;
    uint32_t line;
} vg_sigma_search;

typedef struct vg_sigma_detection {
    vg_sigma_search *searches;
    uint32_t nsearches;
    const char **names;         /* names[i] == searches[i].name (for sigma-cond) */
    vg_sigma_cond *conds;       /* joined with OR */
    const char **cond_text;     /* the condition strings as written */
    uint32_t nconds;
    uint32_t line;
} vg_sigma_detection;

typedef enum vg_sigma_corr_type {
    VG_SIGMA_CORR_EVENT_COUNT = 0,
    VG_SIGMA_CORR_VALUE_COUNT,
    VG_SIGMA_CORR_TEMPORAL,
    VG_SIGMA_CORR_TEMPORAL_ORDERED,
    VG_SIGMA_CORR_VALUE_SUM,
    VG_SIGMA_CORR_VALUE_AVG,
    VG_SIGMA_CORR_VALUE_PERCENTILE,
    VG_SIGMA_CORR_NTYPES
} vg_sigma_corr_type;

typedef enum vg_sigma_cmp {
    VG_SIGMA_CMP_GT = 0, VG_SIGMA_CMP_GTE, VG_SIGMA_CMP_LT, VG_SIGMA_CMP_LTE, VG_SIGMA_CMP_EQ, VG_SIGMA_CMP_NEQ,
    VG_SIGMA_NCMP
} vg_sigma_cmp;

typedef struct vg_sigma_alias {
    const char *alias;
    vg_sigma_strlist rules;     /* rules[i] uses field fields[i] */
    vg_sigma_strlist fields;
} vg_sigma_alias;

typedef struct vg_sigma_correlation {
    vg_sigma_corr_type type;
    vg_sigma_strlist rules;     /* ids or names, in order (temporal_ordered) */
    vg_sigma_strlist group_by;
    uint64_t timespan;          /* seconds */
    const char *timespan_text;
    uint8_t has_cmp[VG_SIGMA_NCMP];     /* condition: each comparison given, joined with AND */
    double cmp[VG_SIGMA_NCMP];
    vg_sigma_strlist field;     /* condition field (value_*); several are joined with AND */
    vg_sigma_alias *aliases;
    uint32_t naliases;
    int generate;               /* -1 absent, 0 false, 1 true */
    uint32_t line;
} vg_sigma_correlation;

typedef struct vg_sigma_filter {
    vg_sigma_strlist rules;
    vg_sigma_detection detection;
    uint32_t line;
} vg_sigma_filter;

typedef struct vg_sigma_rule {
    vg_sigma_kind kind;
    uint32_t line;              /* first line of the document */
    vg_sigma_meta meta;
    vg_sigma_logsource logsource;       /* detection and filter */
    vg_sigma_detection detection;       /* kind == VG_SIGMA_DETECTION */
    vg_sigma_correlation correlation;   /* kind == VG_SIGMA_CORRELATION */
    vg_sigma_filter filter;             /* kind == VG_SIGMA_FILTER */
    vg_sigma_strlist placeholders;      /* %names% under the expand modifier, each once: the engine
                                           must reject the rule when its configuration lacks one */
} vg_sigma_rule;

typedef struct vg_sigma_doc {
    uint32_t line;              /* first line of the document */
    vg_sigma_rule *rule;        /* NULL when rejected */
    vg_sigma_reason reason;     /* VG_SIGMA_R_NONE when loaded */
    uint32_t err_line;          /* line of the offending node */
    char msg[VG_ERROR_MSG_MAX]; /* "FILE:LINE: reason" when rejected */
} vg_sigma_doc;

typedef struct vg_sigma_arena vg_sigma_arena;

typedef struct vg_sigma_file {
    const char *path;
    vg_sigma_doc *docs;
    uint32_t ndocs;
    vg_sigma_arena *arena;
} vg_sigma_file;

/* Loads the rule file at path. Returns VG_ERR_IO/VG_ERR_LIMIT (file unreadable or too big) or
 * VG_ERR_NOMEM with err set; bad rules are not errors: they are rejected documents in *out. */
vg_rc vg_sigma_load_file(vg_sigma_file **out, const char *path, vg_error *err);

/* Same for text[0..len), named name in messages. */
vg_rc vg_sigma_load_mem(vg_sigma_file **out, const char *name, const char *text, size_t len, vg_error *err);

/* Releases a file and every rule in it (NULL is fine). */
void vg_sigma_file_free(vg_sigma_file *f);

/* Short name of a rejection reason, e.g. "unknown modifier". */
const char *vg_sigma_reason_name(vg_sigma_reason r);

/* Name of a rule kind: detection, correlation, filter. */
const char *vg_sigma_kind_name(vg_sigma_kind k);

/* Name of a correlation type as written (event_count, ...). */
const char *vg_sigma_corr_type_name(vg_sigma_corr_type t);

/* Name of a correlation comparison as written (gt, gte, ...). */
const char *vg_sigma_cmp_name(vg_sigma_cmp c);

/* Parses a correlation timespan ("30s", "5m", "1h", "2d") into seconds; -1 if invalid. */
int64_t vg_sigma_parse_timespan(const char *s, size_t len);

#endif
