/*
 * sigma-value: the exact semantics of one Sigma field condition ("Field|mod1|mod2: values")
 * and of keyword searches: compile the ordered modifiers and raw values into a matcher, then
 * match it against one event field value. This is the reference the fast engine must agree
 * with; docs/sigma-values.md states every semantic decision and the specification text behind
 * it.
 *
 * Compiled form: a matcher has a kind (text patterns, regular expression, number comparison,
 * network, time part, field reference, null, exists) and a list of groups, one per raw value
 * (OR across groups, AND with |all). A group holds its alternatives (variants a value expanded
 * into: placeholder values, the three base64offset shifts, windash variants before encoding);
 * alternatives are always OR. A text alternative is a sequence of units: code points (case
 * folded unless |cased), raw bytes (after an encoding), '?' (one code point), a dash class
 * (windash) and '*'. Matching a text alternative splits it at '*' into fixed-length segments
 * and places them leftmost-first: O(value x pattern) worst case, no backtracking blow-up.
 *
 * Matching allocates nothing: JSON-escaped strings are decoded into, and regular expressions
 * run with, a per-thread vg_sigma_scratch made once. Field values that are arrays match when
 * an element matches.
 */
#ifndef VIGIL_SIGMA_VALUE_H
#define VIGIL_SIGMA_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "json-scan.h"
#include "sigma-types.h"
#include "util-error.h"

#define VG_SIGMA_MAX_ALTERNATIVES 65536 /* limit: values of one condition after expansion */
#define VG_SIGMA_MAX_VARIANTS 256       /* limit: alternatives one value may expand into
                                           (placeholders x windash before an encoding) */
#define VG_SIGMA_MAX_PATTERN 65536      /* limit: bytes of one compiled pattern */
#define VG_SIGMA_MAX_ARRAY 4096         /* limit: elements of an array field examined (more
                                           elements and no match: UNDECIDED) */
#define VG_SIGMA_RE_MATCH_LIMIT 1000000 /* limit: PCRE2 match() calls per regex match */
#define VG_SIGMA_RE_DEPTH_LIMIT 10000   /* limit: PCRE2 backtracking depth (interpreter) */
#define VG_SIGMA_RE_HEAP_LIMIT 8192     /* limit: KiB of PCRE2 backtracking memory */

typedef struct vg_sigma_matcher vg_sigma_matcher;
typedef struct vg_sigma_scratch vg_sigma_scratch;

/* Resolves a field reference (|fieldref) to the value of another field of the same event;
 * type VG_JSON_NONE when absent. name is NUL-terminated. */
typedef vg_value (*vg_sigma_field_fn)(void *ctx, const char *name, size_t len);

/* One placeholder of |expand: "%name%" stands for any of values (Sigma strings, so '*', '?'
 * and escapes in them are read as in rule values). */
typedef struct vg_sigma_placeholder {
    const char *name;               /* without the '%' signs; compared case-sensitively */
    const char *const *values;
    size_t nvalues;
} vg_sigma_placeholder;

/* The placeholders given by configuration. */
typedef struct vg_sigma_placeholders {
    const vg_sigma_placeholder *items;
    size_t n;
} vg_sigma_placeholders;

/* Result of a match: VG_SIGMA_MATCH, VG_SIGMA_NOMATCH, or VG_SIGMA_UNDECIDED when a limit
 * stopped the decision (a regex hit its match limit, a value exceeded the scratch size, an
 * array has more than VG_SIGMA_MAX_ARRAY elements). */
#define VG_SIGMA_NOMATCH 0
#define VG_SIGMA_MATCH 1
#define VG_SIGMA_UNDECIDED (-1)

/* Compiles one field condition: mods[0..nmods) in rule order and values[0..nvalues). ph may
 * be NULL (then any placeholder is an error). VG_ERR_PARSE with the reason (and the value's
 * line in err->offset) for type errors and incompatible modifiers; VG_ERR_LIMIT, VG_ERR_NOMEM. */
vg_rc vg_sigma_matcher_compile(const vg_sigma_mod *mods, size_t nmods, const vg_sigma_raw *values,
                               size_t nvalues, const vg_sigma_placeholders *ph,
                               vg_sigma_matcher **out, vg_error *err);

/* Compiles a keyword search (a list under a search identifier, no field): contains semantics
 * for strings and numbers; mods may add all, cased, windash, re, encodings. */
vg_rc vg_sigma_keyword_compile(const vg_sigma_mod *mods, size_t nmods, const vg_sigma_raw *values,
                               size_t nvalues, const vg_sigma_placeholders *ph,
                               vg_sigma_matcher **out, vg_error *err);

/* Frees a matcher (NULL is fine). */
void vg_sigma_matcher_free(vg_sigma_matcher *m);

/* Makes the per-thread matching state: decode buffers of max_value bytes (the longest string
 * value that will be matched, e.g. the longest record) and regex match data. NULL on failure. */
vg_sigma_scratch *vg_sigma_scratch_new(size_t max_value);

/* Frees a scratch (NULL is fine). */
void vg_sigma_scratch_free(vg_sigma_scratch *s);

/* Matches field (type VG_JSON_NONE when absent; strings escaped or VG_VALUE_PLAIN) against m;
 * other/ctx resolve field references (may be NULL when m has none). Returns VG_SIGMA_MATCH,
 * VG_SIGMA_NOMATCH or VG_SIGMA_UNDECIDED. Thread-safe for one scratch per thread. */
int vg_sigma_matcher_match(const vg_sigma_matcher *m, const vg_value *field, vg_sigma_field_fn other,
                           void *ctx, vg_sigma_scratch *scratch);

/* The text a scalar value v is matched as, in *s and *n: a string's content (decoded into
 * buf[0..cap) when escaped), a number's literal, "true"/"false". 1: text, 0: none (null,
 * absent, container), -1: too long for buf. */
int vg_sigma_scalar_text(const vg_value *v, char *buf, size_t cap, const char **s, size_t *n);

/* Matches a keyword matcher against plain text[0..len) (the engine chooses the text). */
int vg_sigma_keyword_match(const vg_sigma_matcher *m, const char *text, size_t len,
                           vg_sigma_scratch *scratch);

/* --- the compiled literals, for the fast engine ------------------------------------------ */

#define VG_SIGMA_PAT_START 0x01u    /* anchored at the start of the value */
#define VG_SIGMA_PAT_END 0x02u      /* anchored at the end of the value */
#define VG_SIGMA_PAT_CASELESS 0x04u /* bytes are case folded; fold the value the same way */
#define VG_SIGMA_PAT_UNICODE 0x08u  /* caseless and the bytes hold non-ASCII code points: folding
                                       must map other code points onto them (not ASCII only) */
#define VG_SIGMA_PAT_ENCODED 0x10u  /* bytes come from an encoding (base64, utf16): exact */
#define VG_SIGMA_PAT_NUMBER 0x20u   /* the value is an integer in its shortest form: a field
                                       value that writes the same number another way (4688.0,
                                       04688, 4.688e3) matches too, which the literal cannot see */
#define VG_SIGMA_PAT_REGEX 0x40u    /* bytes are a regular expression (PCRE2, UTF mode), not a
                                       literal: the value can match only where it matches; with
                                       CASELESS (i), MULTILINE (m), DOTALL (s) as its modifiers */
#define VG_SIGMA_PAT_MULTILINE 0x80u
#define VG_SIGMA_PAT_DOTALL 0x100u

/* One literal of a matcher: the value matches when it equals (START|END), starts with,
 * ends with or contains bytes[0..len), after folding when CASELESS. */
typedef struct vg_sigma_literal {
    const unsigned char *bytes;
    size_t len;
    unsigned flags;
    uint32_t group;                 /* index of the rule value it came from */
} vg_sigma_literal;

/* The literals of m (owned by m) in group order, 0 when m has none (see the two functions
 * below for what they mean). An alternative without inner wildcards gives one literal (its
 * windash variants, up to 125, when it has dashes); one with '?', several '*'-separated parts
 * or too many dashes gives its longest run of plain characters, a literal it must contain. A
 * regex matcher gives its expressions (VG_SIGMA_PAT_REGEX), which are necessary too. */
size_t vg_sigma_matcher_literals(const vg_sigma_matcher *m, const vg_sigma_literal **out);

/* Does the literal list fully describe m: on a string field that is not a number written in
 * another form (VG_SIGMA_PAT_NUMBER), m matches exactly when one literal of every group (|all)
 * or of some group (otherwise) matches? False for neq and non-text kinds. */
int vg_sigma_matcher_is_literal(const vg_sigma_matcher *m);

/* Is a literal necessary: can m match a string value (not a number written in another form)
 * only when one of its literals occurs in it (or one of its expressions matches it), anchors
 * aside? True when m is literal or a regex matcher; false for neq, for the other kinds, and
 * when some alternative has no plain character ('*', '?'). */
int vg_sigma_matcher_is_necessary(const vg_sigma_matcher *m);

/* Is text s[0..n) a number (as Sigma reads numbers) not written in its shortest integer form
 * (4688.0, 04688, -0, 1e3)? Such values defeat VG_SIGMA_PAT_NUMBER literals. */
int vg_sigma_number_other_form(const char *s, size_t n);

/* Does m take its values from all groups (|all) rather than any? */
int vg_sigma_matcher_is_all(const vg_sigma_matcher *m);

#endif
