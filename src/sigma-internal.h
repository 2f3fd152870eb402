/*
 * sigma-internal: what the files of the Sigma loader share (sigma-rule.c, sigma-search.c,
 * sigma-yaml.c) and nobody else uses: the per-file arena that owns the AST, the parse context
 * of one YAML document (its rejection, the node-visit budget, the placeholders seen), and the
 * YAML helpers (typed scalars, strings, string lists, duplicate keys).
 */
#ifndef VIGIL_SIGMA_INTERNAL_H
#define VIGIL_SIGMA_INTERNAL_H

#include <yaml.h>

#include "sigma-rule.h"

#define SG_ARENA_MAX (64u << 20)     /* limit: bytes of AST for one file */
#define SG_MAX_PLACEHOLDERS 64       /* limit: distinct placeholders in one rule */
#define SG_MAX_KEYS 512              /* limit: keys of one mapping */

/* The parse context of one document. A function that finds the document bad records why in
 * reason/err_line/msg through sg_reject and returns VG_ERR_PARSE; VG_ERR_NOMEM is returned
 * as is. */
typedef struct sg_ctx {
    yaml_document_t *doc;
    const char *name;
    vg_sigma_arena *arena;
    uint32_t visits;
    vg_sigma_reason reason;
    uint32_t err_line;
    char msg[VG_ERROR_MSG_MAX];
    const char *ph[SG_MAX_PLACEHOLDERS];
    uint32_t nph;
} sg_ctx;

/* Arena: zeroed blocks released together. */
vg_rc sg_arena_new(vg_sigma_arena **out);
void sg_arena_free(vg_sigma_arena *a);
void *sg_alloc(sg_ctx *c, size_t n);
char *sg_strdup(sg_ctx *c, const char *s, size_t n);

/* Line (1-based) of a node. */
uint32_t sg_line(const yaml_node_t *n);

/* Records a rejection at node n (may be NULL: line 1) and returns VG_ERR_PARSE. */
vg_rc sg_reject(sg_ctx *c, const yaml_node_t *n, vg_sigma_reason r, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Out of memory: returns VG_ERR_NOMEM (the caller abandons the file). */
vg_rc sg_nomem(sg_ctx *c);

/* Node id -> node, counted against VG_SIGMA_MAX_NODES (aliases are visited once per use). */
vg_rc sg_get(sg_ctx *c, int id, const yaml_node_t *parent, yaml_node_t **out);

/* Text of a scalar node or NULL. */
const char *sg_scalar(const yaml_node_t *n, size_t *len);

/* YAML type of a scalar under the core schema (quoted: string). */
vg_sigma_vtype sg_scalar_type(const yaml_node_t *n);

/* 1 if s[0..n) is a YAML 1.2 core-schema number (int, 0o, 0x, float, .inf, .nan). */
int sg_is_number(const char *s, size_t n);

/* Rejects the mapping n if a scalar key appears twice or a key is not a scalar; checks the key
 * count against SG_MAX_KEYS. */
vg_rc sg_check_keys(sg_ctx *c, const yaml_node_t *map, const char *what);

/* A scalar attribute as an arena string. Null (plain empty/~/null) gives NULL when
 * allow_null, else a rejection. Rejects lists, maps, NUL bytes and more than max characters. */
vg_rc sg_string(sg_ctx *c, const yaml_node_t *n, const char *key, size_t max, int allow_null, const char **out);

/* A list of scalar strings; a single scalar is accepted as a one-item list when allow_scalar. */
vg_rc sg_strlist(sg_ctx *c, const yaml_node_t *n, const char *key, int allow_scalar, vg_sigma_strlist *out);

/* Detection part (sigma-search.c): the mapping `det` of search identifiers and its
 * `condition` (a string or a list of strings); fills d. skip_key, when not NULL, is a key that
 * is not a search identifier ("rules" in filters). */
vg_rc sg_parse_detection(sg_ctx *c, const yaml_node_t *det, const char *skip_key, vg_sigma_detection *d);

#endif
