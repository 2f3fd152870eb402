/*
 * sigma-types: the vocabulary shared by the Sigma rule loader (sigma-rule), the value matchers
 * (sigma-value) and the engine: the value modifiers of the Sigma specification v2.1
 * (appendix "Sigma Modifiers") and the raw form of a value as the rule file wrote it.
 *
 * A field condition in a rule is "Field|mod1|mod2: value" or "Field|mods: [values]"; the
 * loader turns it into a field name, the ordered list of modifiers and the raw values, and the
 * value module compiles those into a matcher. Keyword searches have no field name.
 */
#ifndef VIGIL_SIGMA_TYPES_H
#define VIGIL_SIGMA_TYPES_H

#include <stddef.h>
#include <stdint.h>

/* Value modifiers, in the order of the specification's appendix. */
typedef enum vg_sigma_mod {
    /* generic */
    VG_SIGMA_MOD_ALL = 0,       /* the values are joined with AND instead of OR */
    VG_SIGMA_MOD_STARTSWITH,
    VG_SIGMA_MOD_ENDSWITH,
    VG_SIGMA_MOD_CONTAINS,
    VG_SIGMA_MOD_EXISTS,        /* value true/false: the field is present / absent */
    VG_SIGMA_MOD_CASED,         /* case-sensitive */
    VG_SIGMA_MOD_NEQ,           /* the field differs from every value */
    /* string */
    VG_SIGMA_MOD_WINDASH,       /* '-' '/' en dash, em dash, horizontal bar: all permutations */
    VG_SIGMA_MOD_RE,            /* PCRE-flavoured regular expression, case-sensitive */
    VG_SIGMA_MOD_RE_I,          /* re sub-modifiers: insensitive, multi-line, dot-all */
    VG_SIGMA_MOD_RE_M,
    VG_SIGMA_MOD_RE_S,
    VG_SIGMA_MOD_BASE64,
    VG_SIGMA_MOD_BASE64OFFSET,
    VG_SIGMA_MOD_UTF16LE,
    VG_SIGMA_MOD_UTF16BE,
    VG_SIGMA_MOD_UTF16,         /* byte order mark + UTF-16LE */
    VG_SIGMA_MOD_WIDE,          /* alias of utf16le */
    /* numeric */
    VG_SIGMA_MOD_LT,
    VG_SIGMA_MOD_LTE,
    VG_SIGMA_MOD_GT,
    VG_SIGMA_MOD_GTE,
    /* time: extract a number from a date field */
    VG_SIGMA_MOD_MINUTE,
    VG_SIGMA_MOD_HOUR,
    VG_SIGMA_MOD_DAY,
    VG_SIGMA_MOD_WEEK,
    VG_SIGMA_MOD_MONTH,
    VG_SIGMA_MOD_YEAR,
    /* IP */
    VG_SIGMA_MOD_CIDR,
    /* specific */
    VG_SIGMA_MOD_EXPAND,        /* %placeholder% from the configuration */
    VG_SIGMA_MOD_FIELDREF,      /* the value names another field of the same event */
    VG_SIGMA_NMODS
} vg_sigma_mod;

#define VG_SIGMA_MAX_MODS 16        /* limit: modifiers chained on one field */

/* The YAML type of a raw value. Plain (unquoted) scalars that read as a number, a boolean or
 * null get those types; anything quoted is a string. */
typedef enum vg_sigma_vtype {
    VG_SIGMA_V_NULL = 0,        /* null, ~ or an empty plain scalar */
    VG_SIGMA_V_STRING,
    VG_SIGMA_V_NUMBER,          /* integer or decimal as written (4688, -1, 0.5) */
    VG_SIGMA_V_BOOL             /* true / false */
} vg_sigma_vtype;

/* A value as the rule file wrote it, after YAML unquoting but before Sigma's own escapes
 * (backslash before '*', '?' and '\') are read: the value module interprets those. */
typedef struct vg_sigma_raw {
    vg_sigma_vtype type;
    const char *text;           /* NUL-terminated; "" for null */
    size_t len;
    uint32_t line;              /* line in the rule file, for error messages */
} vg_sigma_raw;

/* Name of a modifier as written in rules ("contains", "re", "i", "base64offset", ...). */
const char *vg_sigma_mod_name(vg_sigma_mod mod);

/* Modifier named s[0..n), or -1. Accepts every name of the specification (with "wide"). */
int vg_sigma_mod_from_name(const char *s, size_t n);

#endif
