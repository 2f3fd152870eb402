/*
 * sigma-cond: the condition of a Sigma detection, parsed into a tree and resolved against the
 * rule's search identifiers (Sigma specification v2.1, "Condition").
 *
 * Grammar (least to most binding: or < and < not < x of < parentheses):
 *
 *   expr    := andexpr { "or" andexpr }
 *   andexpr := notexpr { "and" notexpr }
 *   notexpr := "not" notexpr | primary
 *   primary := "(" expr ")" | QUANT "of" ( "them" | PATTERN ) | IDENT
 *   QUANT   := "1" | "any" | "all" | N          (N > 1: at least N; an extension, see below)
 *
 * Keywords are lowercase and case-sensitive. IDENT and PATTERN are runs of characters other
 * than blanks and parentheses; a PATTERN may hold '*' (any run of characters, also empty).
 * "them" is every search identifier that does not start with '_'; an explicit pattern matches
 * '_' identifiers too. Every identifier must exist and every pattern must match at least one
 * identifier, else the parse fails with the reason and the byte offset of the token.
 *
 * "N of P" with N > 1 means "at least N of the identifiers matching P" (the specification
 * names only 1 and all); N larger than the identifiers P matches is an error (never true),
 * N = 0 is an error. "any of" is read as "1 of" (pySigma accepts it).
 *
 * The tree is a flat array of nodes; children and identifier lists are indices, so the
 * engine evaluates it without pointers: AND/OR are binary (left-assoc), NOT has one child,
 * ID names one search identifier, OF names a slice of `ids` and how many must match.
 */
#ifndef VIGIL_SIGMA_COND_H
#define VIGIL_SIGMA_COND_H

#include <stddef.h>
#include <stdint.h>

#include "util-error.h"

#define VG_SIGMA_COND_MAX_LEN 8192      /* limit: bytes of one condition string */
#define VG_SIGMA_COND_MAX_DEPTH 64      /* limit: nesting of parentheses and 'not' */
#define VG_SIGMA_COND_MAX_NODES 1024    /* limit: nodes of one condition tree */

typedef enum vg_sigma_cnode_kind {
    VG_SIGMA_C_ID = 0,      /* a: index of the search identifier */
    VG_SIGMA_C_NOT,         /* a: operand */
    VG_SIGMA_C_AND,         /* a, b: operands */
    VG_SIGMA_C_OR,          /* a, b: operands */
    VG_SIGMA_C_OF           /* ids[a .. a+b): identifiers; need: how many must match */
} vg_sigma_cnode_kind;

typedef struct vg_sigma_cnode {
    vg_sigma_cnode_kind kind;
    uint32_t a, b;
    uint32_t need;          /* OF: 1, N, or b for "all" */
    uint32_t offset;        /* byte offset of the node's token in the condition text */
    uint8_t all;            /* OF: written "all of" */
    uint8_t them;           /* OF: written "... of them" */
} vg_sigma_cnode;

typedef struct vg_sigma_cond {
    vg_sigma_cnode *nodes;
    uint32_t nnodes;
    uint32_t root;
    uint32_t *ids;          /* identifier lists of the OF nodes */
    uint32_t nids;
} vg_sigma_cond;

/* Parses text[0..len) against the search identifiers names[0..nnames) into *out (nodes owned by
 * out; release with vg_sigma_cond_free). On failure err->msg is the reason and err->offset the
 * byte offset in text; returns VG_ERR_NOTFOUND (an unknown identifier, or a pattern that
 * matches none), VG_ERR_PARSE (syntax), VG_ERR_LIMIT or VG_ERR_NOMEM. */
vg_rc vg_sigma_cond_parse(vg_sigma_cond *out, const char *text, size_t len, const char *const *names,
                          uint32_t nnames, vg_error *err);

/* Releases the nodes of c (c itself belongs to the caller). */
void vg_sigma_cond_free(vg_sigma_cond *c);

/* Writes the tree back as a fully parenthesized expression with the identifier names
 * (for tests and diagnostics); returns the length it needed (snprintf rules). */
size_t vg_sigma_cond_format(const vg_sigma_cond *c, const char *const *names, char *buf, size_t size);

/* 1 if the glob pattern p[0..pn) ('*' = any run) matches s. */
int vg_sigma_glob(const char *p, size_t pn, const char *s);

#endif
