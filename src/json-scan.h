/*
 * json-scan: the in-place JSON scanner of the hot path.
 *
 * One pass over a JSON text validates it strictly (RFC 8259: grammar, escapes, surrogate
 * pairs, number syntax, UTF-8) and records a flat "tape" of tokens in a caller-owned array.
 * Nothing is copied and nothing is allocated per document: tokens are offsets into the
 * original text. Containers record the index of the token after their end, so a lookup
 * skips whole sub-trees in O(1) and touches only the keys on the path it was asked for.
 *
 * Tape layout for {"a":[1,"x"],"b":null}:
 *   0 OBJECT(next=6)  1 STRING "a"  2 ARRAY(next=5)  3 NUMBER 1  4 STRING "x"
 *   5 STRING "b"      6 NULL ... (object members are key token, value token(s))
 *
 * Why hand-written: this is the per-event cost of everything Vigil does, and no packaged C
 * library scans in place without building a tree of allocated nodes (see docs/ARCHITECTURE.md).
 */
#ifndef VIGIL_JSON_SCAN_H
#define VIGIL_JSON_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "util-error.h"

typedef enum vg_json_type {
    VG_JSON_NONE = 0,   /* absent (lookup found nothing) */
    VG_JSON_NULL,
    VG_JSON_FALSE,
    VG_JSON_TRUE,
    VG_JSON_NUMBER,
    VG_JSON_STRING,
    VG_JSON_OBJECT,
    VG_JSON_ARRAY
} vg_json_type;

/* Token/value flag: the string contains backslash escapes (raw bytes are JSON-escaped). */
#define VG_JSON_ESCAPED 0x01u
/* Value flag (besides VG_JSON_ESCAPED): the bytes are plain text, not JSON-escaped. */
#define VG_VALUE_PLAIN 0x02u
/* Value flag: the bytes are a JSON text (used for arrays/objects built by decoders). */
#define VG_VALUE_JSON 0x04u
/* Token flag: the string is an object member's name (a key), not a value. */
#define VG_JSON_KEY 0x08u

typedef struct vg_json_tok {
    uint8_t type;       /* vg_json_type */
    uint8_t flags;      /* VG_JSON_ESCAPED, VG_JSON_KEY */
    uint16_t reserved;
    uint32_t start;     /* strings: first byte after the quote; others: first byte */
    uint32_t len;       /* strings: raw content length; containers: whole text with brackets */
    uint32_t next;      /* index of the first token after this value and its children */
} vg_json_tok;

/* A typed slice of text: what a field lookup returns. Strings are raw JSON content (escaped
 * when flags has VG_JSON_ESCAPED); numbers are their literal text; containers their JSON text. */
typedef struct vg_value {
    uint8_t type;       /* vg_json_type */
    uint8_t flags;      /* VG_JSON_ESCAPED */
    uint32_t len;
    const char *ptr;
} vg_value;

typedef struct vg_json_doc {
    const char *text;   /* the scanned text (not owned) */
    size_t len;
    vg_json_tok *toks;  /* tape (owned) */
    uint32_t ntoks;
    uint32_t cap;       /* VG_JSON limit: most tokens per document */
    uint32_t max_depth; /* limit: deepest nesting of containers */
    uint32_t newlines;  /* line feeds in the scanned value (only whitespace can hold them) */
    uint32_t *stack;    /* open containers while scanning (owned) */
} vg_json_doc;

/* Parse flag: the text may continue past len (streaming); running out yields VG_ERR_TRUNCATED. */
#define VG_JSON_PARTIAL 0x01u

#define VG_JSON_DEFAULT_DEPTH 128

/* Allocates the tape for documents of at most max_tokens values nested max_depth deep. */
vg_rc vg_json_doc_init(vg_json_doc *doc, uint32_t max_tokens, uint32_t max_depth);

/* Frees the tape. */
void vg_json_doc_free(vg_json_doc *doc);

/* Scans the first JSON value of text[0..len), skipping leading whitespace; *end receives the
 * offset just past it. Errors: VG_ERR_PARSE, VG_ERR_LIMIT, VG_ERR_TRUNCATED (with PARTIAL),
 * VG_END if text holds only whitespace; err->offset is where the problem is. */
vg_rc vg_json_parse(vg_json_doc *doc, const char *text, size_t len, unsigned flags,
                    size_t *end, vg_error *err);

/* Token index of the value at dotted path under token at (0: the root), or -1. Keys that
 * themselves contain dots ("id.orig_h") match too; numeric components index arrays. */
int vg_json_find(const vg_json_doc *doc, uint32_t at, const char *path, size_t path_len);

/* Token index of the member named key (exact, no dot splitting) of object token obj, or -1. */
int vg_json_member(const vg_json_doc *doc, uint32_t obj, const char *key, size_t key_len);

/* The value of token i as a typed slice. */
vg_value vg_json_value(const vg_json_doc *doc, uint32_t i);

/* Decodes raw JSON string content s[0..n) (already validated) into out, which must hold n
 * bytes (decoding never lengthens); returns the decoded length. */
size_t vg_json_unescape(const char *s, size_t n, char *out);

/* Compares raw JSON string content (escaped if flags say so) with the plain bytes b[0..bn). */
int vg_json_string_equals(const char *raw, size_t raw_len, unsigned flags, const char *b, size_t bn);

/* Name of a JSON type, e.g. "string". */
const char *vg_json_type_name(vg_json_type t);

#endif
