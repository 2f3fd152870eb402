/*
 * sigma-value-match: matching one event field value against a compiled Sigma value matcher
 * (see sigma-value.h for the semantics, sigma-value-internal.h for the compiled form).
 *
 * A field value becomes zero or more scalar texts: a string's decoded content, a number's
 * literal, "true"/"false"; arrays give one text per scalar element (one level). Each group
 * of the matcher (one rule value) matches when one of its alternatives matches one of those
 * texts; groups are OR, or AND with |all; neq negates the whole. Three-valued: a limit that
 * stops a decision (regex match limit, a string longer than the scratch) yields UNDECIDED,
 * which OR/AND/NOT carry like SQL's unknown. Nothing here allocates.
 */
#include "sigma-value-internal.h"

#include <string.h>

#include "event.h"
#include "util-casefold.h"
#include "util-time.h"
#include "util-utf8.h"

/* --- text patterns -------------------------------------------------------------------- */

/* ASCII byte c folded (the simple folding of an ASCII code point). */
static inline unsigned ascii_fold(unsigned c)
{
    return c >= 'A' && c <= 'Z' ? c + 32u : c;
}

/* Reads the unit at s[*i] (a code point, or SV_BYTE + b for a byte that is not valid UTF-8,
 * or for every byte when bytes is set) and advances *i. */
static uint32_t read_unit(const char *s, size_t n, size_t *i, int bytes, int fold)
{
    const unsigned char *p = (const unsigned char *)s + *i;
    if (bytes) {
        (*i)++;
        return SV_BYTE + *p;
    }
    if (*p < 0x80) {
        (*i)++;
        return fold ? ascii_fold(*p) : *p;
    }
    int len = vg_utf8_seq(p, (const unsigned char *)s + n);
    if (len <= 0) {
        (*i)++;
        return SV_BYTE + *p;
    }
    uint32_t cp = vg_utf8_decode(p, len);
    *i += (size_t)len;
    return fold ? vg_casefold(cp) : cp;
}

static int unit_eq(uint32_t pat, uint32_t v)
{
    if (pat == SV_ANY)
        return 1;
    if (pat == SV_DASH)
        return v == '-' || v == '/' || v == 0x2013 || v == 0x2014 || v == 0x2015;
    return pat == v;
}

/* Does segment u[0..len) match s at *i? On success *i is moved past it. */
static int seg_at(const uint32_t *u, size_t len, const char *s, size_t n, size_t *i, int bytes, int fold)
{
    size_t j = *i;
    for (size_t k = 0; k < len; k++) {
        if (j >= n)
            return 0;
        if (!unit_eq(u[k], read_unit(s, n, &j, bytes, fold)))
            return 0;
    }
    *i = j;
    return 1;
}

int sv_text_match(const vg_sigma_matcher *m, const sv_alt *a, const char *s, size_t n)
{
    int bytes = m->encoded, fold = m->caseless && !m->encoded;
    size_t first = 0, last = a->nsegs, pos = 0, limit = n;
    if (a->nsegs == 0)      /* "" or only '*' */
        return a->lead_star || n == 0;
    if (!a->lead_star) {
        if (!seg_at(a->u + a->segs[0].off, a->segs[0].len, s, n, &pos, bytes, fold))
            return 0;
        first = 1;
        if (a->nsegs == 1 && !a->trail_star)
            return pos == n;
    }
    if (!a->trail_star) {
        /* the last segment sits exactly its length in units before the end */
        const sv_seg *g = &a->segs[a->nsegs - 1];
        size_t total = 0, i = pos;
        while (i < n) {
            read_unit(s, n, &i, bytes, 0);
            total++;
        }
        if (total < g->len)
            return 0;
        i = pos;
        for (size_t k = 0; k < total - g->len; k++)
            read_unit(s, n, &i, bytes, 0);
        limit = i;
        if (!seg_at(a->u + g->off, g->len, s, n, &i, bytes, fold) || i != n)
            return 0;
        last--;
    }
    /* middle segments: leftmost placement, each within [pos, limit) */
    for (size_t k = first; k < last; k++) {
        const sv_seg *g = &a->segs[k];
        for (;;) {
            size_t j = pos;
            if (seg_at(a->u + g->off, g->len, s, limit, &j, bytes, fold)) {
                pos = j;
                break;
            }
            if (pos >= limit)
                return 0;
            read_unit(s, limit, &pos, bytes, 0);
        }
    }
    return 1;
}

/* Decodes s[0..n) into units (as read_unit reads them), at most cap; returns how many, or
 * (size_t)-1 when they do not fit. */
static size_t to_units(const char *s, size_t n, int bytes, int fold, uint32_t *out, size_t cap)
{
    size_t i = 0, k = 0;
    while (i < n) {
        if (k == cap)
            return (size_t)-1;
        out[k++] = read_unit(s, n, &i, bytes, fold);
    }
    return k;
}

/* Does segment p[0..len) match the value units v at position at (len units must remain)? */
static int useg_at(const uint32_t *p, size_t len, const uint32_t *v)
{
    for (size_t k = 0; k < len; k++)
        if (p[k] != v[k] && !unit_eq(p[k], v[k]))
            return 0;
    return 1;
}

/* sv_text_match on a value already decoded into units v[0..nv) (same semantics: segments
 * between '*' placed leftmost-first; no backtracking is needed for that). */
static int sv_units_match(const sv_alt *a, const uint32_t *v, size_t nv)
{
    size_t first = 0, last = a->nsegs, pos = 0, limit = nv;
    if (a->nsegs == 0)
        return a->lead_star || nv == 0;
    if (!a->lead_star) {
        const sv_seg *g = &a->segs[0];
        if (g->len > nv || !useg_at(a->u + g->off, g->len, v))
            return 0;
        pos = g->len;
        first = 1;
        if (a->nsegs == 1 && !a->trail_star)
            return pos == nv;
    }
    if (!a->trail_star) {
        const sv_seg *g = &a->segs[a->nsegs - 1];
        if (g->len > nv - pos || !useg_at(a->u + g->off, g->len, v + nv - g->len))
            return 0;
        limit = nv - g->len;
        last--;
    }
    for (size_t k = first; k < last; k++) {
        const sv_seg *g = &a->segs[k];
        const uint32_t *p = a->u + g->off;
        uint32_t u0 = p[0];
        int concrete = u0 != SV_ANY && u0 != SV_DASH;
        for (;;) {
            if (g->len > limit - pos)
                return 0;
            if (concrete) {     /* skip to the next place the first unit can match */
                while (pos + g->len <= limit && v[pos] != u0)
                    pos++;
                if (pos + g->len > limit)
                    return 0;
            }
            if (useg_at(p, g->len, v + pos)) {
                pos += g->len;
                break;
            }
            pos++;
        }
    }
    return 1;
}

/* --- scalar texts ---------------------------------------------------------------------- */

int vg_sigma_scalar_text(const vg_value *v, char *buf, size_t cap, const char **s, size_t *n)
{
    switch (v->type) {
    case VG_JSON_STRING:
        if ((v->flags & VG_JSON_ESCAPED) && !(v->flags & VG_VALUE_PLAIN)) {
            if (!buf || v->len > cap)
                return -1;
            *n = vg_json_unescape(v->ptr, v->len, buf);
            *s = buf;
        } else {
            *s = v->ptr;
            *n = v->len;
        }
        return 1;
    case VG_JSON_NUMBER:
        *s = v->ptr;
        *n = v->len;
        return 1;
    case VG_JSON_TRUE:
        *s = "true";
        *n = 4;
        return 1;
    case VG_JSON_FALSE:
        *s = "false";
        *n = 5;
        return 1;
    default:
        return 0;
    }
}

/* Skips JSON whitespace in t[*i..n). */
static void skip_ws(const char *t, size_t n, size_t *i)
{
    while (*i < n && (t[*i] == ' ' || t[*i] == '\t' || t[*i] == '\n' || t[*i] == '\r'))
        (*i)++;
}

/* Reads the next element of the array text t[0..n) at *i into *v (type NONE at the end or on
 * malformed text). Nested containers are returned with their type and text. */
static void next_element(const char *t, size_t n, size_t *i, vg_value *v)
{
    memset(v, 0, sizeof *v);
    skip_ws(t, n, i);
    if (*i < n && t[*i] == ',')
        (*i)++;
    skip_ws(t, n, i);
    if (*i >= n || t[*i] == ']')
        return;
    size_t start = *i;
    char c = t[start];
    if (c == '"') {
        size_t j = start + 1;
        uint8_t flags = 0;
        while (j < n && t[j] != '"') {
            if (t[j] == '\\') {
                flags = VG_JSON_ESCAPED;
                j++;
            }
            j++;
        }
        if (j >= n)
            return;
        *v = (vg_value){ VG_JSON_STRING, flags, (uint32_t)(j - start - 1), t + start + 1 };
        *i = j + 1;
        return;
    }
    if (c == '[' || c == '{') {
        int depth = 0, in_str = 0;
        size_t j = start;
        for (; j < n; j++) {
            char d = t[j];
            if (in_str) {
                if (d == '\\')
                    j++;
                else if (d == '"')
                    in_str = 0;
            } else if (d == '"') {
                in_str = 1;
            } else if (d == '[' || d == '{') {
                depth++;
            } else if ((d == ']' || d == '}') && --depth == 0) {
                break;
            }
        }
        if (j >= n)
            return;
        *v = (vg_value){ c == '[' ? VG_JSON_ARRAY : VG_JSON_OBJECT, 0, (uint32_t)(j + 1 - start), t + start };
        *i = j + 1;
        return;
    }
    size_t j = start;
    while (j < n && t[j] != ',' && t[j] != ']' && t[j] != ' ' && t[j] != '\t' && t[j] != '\n' && t[j] != '\r')
        j++;
    size_t len = j - start;
    vg_json_type type = len == 4 && memcmp(t + start, "null", 4) == 0    ? VG_JSON_NULL
                        : len == 4 && memcmp(t + start, "true", 4) == 0  ? VG_JSON_TRUE
                        : len == 5 && memcmp(t + start, "false", 5) == 0 ? VG_JSON_FALSE
                        : len > 0                                        ? VG_JSON_NUMBER
                                                                         : VG_JSON_NONE;
    *v = (vg_value){ (uint8_t)type, 0, (uint32_t)len, t + start };
    *i = j;
}

/* --- one scalar against one alternative ---------------------------------------------- */

/* ISO 8601 week number (1-53) of a date. */
static int iso_week(int y, int mo, int d)
{
    int64_t days = vg_time_from_civil(y, mo, d, 0, 0, 0) / 86400;
    int wday = (int)(((days + 3) % 7 + 7) % 7);            /* 0 = Monday (1970-01-01 was a Thursday) */
    int64_t thursday = days - wday + 3;                     /* the Thursday of this week */
    int ty, tm, td, h, mi, sc;
    vg_time_to_civil(thursday * 86400, &ty, &tm, &td, &h, &mi, &sc);
    int64_t jan1 = vg_time_from_civil(ty, 1, 1, 0, 0, 0) / 86400;
    return (int)((thursday - jan1) / 7 + 1);
}

static int two(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* The part of an RFC 3339 date s[0..n) the matcher asks for, as written (no zone change), or
 * -1 when s is not such a date. */
static int64_t time_part(vg_sigma_mod part, const char *s, size_t n)
{
    vg_time t;
    if (vg_time_parse_iso(s, n, 0, &t) != 0)
        return -1;
    int y = two(s) * 100 + two(s + 2), mo = two(s + 5), d = two(s + 8);
    switch (part) {
    case VG_SIGMA_MOD_MINUTE: return two(s + 14);
    case VG_SIGMA_MOD_HOUR: return two(s + 11);
    case VG_SIGMA_MOD_DAY: return d;
    case VG_SIGMA_MOD_WEEK: return iso_week(y, mo, d);
    case VG_SIGMA_MOD_MONTH: return mo;
    default: return y;
    }
}

static int cmp_ok(sv_cmp op, int c)
{
    switch (op) {
    case SV_LT: return c < 0;
    case SV_LTE: return c <= 0;
    case SV_GT: return c > 0;
    case SV_GTE: return c >= 0;
    default: return c == 0;
    }
}

/* Are texts a and b equal (folded unless cased), or equal numbers? */
static int texts_equal(const vg_sigma_matcher *m, const char *a, size_t an, const char *b, size_t bn)
{
    size_t i = 0, n = an < bn ? an : bn;
    const unsigned char *ua = (const unsigned char *)a, *ub = (const unsigned char *)b;
    /* a run of ASCII bytes is a run of units (read_unit's, folded alike): compared in place */
    if (m->caseless)
        while (i < n && (ua[i] | ub[i]) < 0x80 && ascii_fold(ua[i]) == ascii_fold(ub[i]))
            i++;
    else
        while (i < n && (ua[i] | ub[i]) < 0x80 && ua[i] == ub[i])
            i++;
    size_t j = i;
    while (i < an && j < bn)
        if (read_unit(a, an, &i, 0, m->caseless) != read_unit(b, bn, &j, 0, m->caseless))
            break;
    if (i == an && j == bn)
        return 1;
    sv_num x, y;
    return sv_num_parse(a, an, &x) == 0 && sv_num_parse(b, bn, &y) == 0 && sv_num_cmp(&x, &y) == 0;
}

typedef struct match_env {
    const vg_sigma_matcher *m;
    vg_sigma_field_fn other;
    void *ctx;
    vg_sigma_scratch *scratch;
    int scalar;                 /* the field is one scalar: its units can be kept across groups */
    int have_units;             /* scratch->units holds the field's units */
    size_t nunits;
} match_env;

/* Does the other field named by a equal text s[0..n)? (-1: undecided) */
static int fieldref_match(const match_env *e, const sv_alt *a, const char *s, size_t n)
{
    if (!e->other)
        return 0;
    vg_value o = e->other(e->ctx, a->ref, a->ref_len);
    char *buf = e->scratch ? e->scratch->buf[1] : NULL;
    size_t cap = e->scratch ? e->scratch->cap : 0;
    const char *t;
    size_t tn;
    if (o.type != VG_JSON_ARRAY) {
        int r = vg_sigma_scalar_text(&o, buf, cap, &t, &tn);
        return r <= 0 ? r : texts_equal(e->m, s, n, t, tn);
    }
    size_t i = 1;
    int result = 0;
    for (size_t k = 0;; k++) {
        vg_value el;
        next_element(o.ptr, o.len, &i, &el);
        if (el.type == VG_JSON_NONE)
            break;
        if (k == VG_SIGMA_MAX_ARRAY)
            return -1;
        int r = vg_sigma_scalar_text(&el, buf, cap, &t, &tn);
        if (r < 0)
            result = -1;
        else if (r > 0 && texts_equal(e->m, s, n, t, tn))
            return 1;
    }
    return result;
}

static int alt_match(const match_env *e, const sv_alt *a, const char *s, size_t n)
{
    const vg_sigma_matcher *m = e->m;
    sv_num v;
    switch (m->kind) {
    case SV_TEXT:
        if (e->have_units ? sv_units_match(a, e->scratch->units, e->nunits) : sv_text_match(m, a, s, n))
            return 1;
        return a->has_num && sv_num_parse(s, n, &v) == 0 && sv_num_cmp(&v, &a->num) == 0;
    case SV_REGEX: {
        if (!e->scratch)
            return -1;
        int rc = pcre2_match(a->re, (PCRE2_SPTR)s, n, 0, 0, e->scratch->md, m->mctx);
        return rc >= 0 ? 1 : rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
    }
    case SV_COMPARE:
        return sv_num_parse(s, n, &v) == 0 && cmp_ok(m->cmp, sv_num_cmp(&v, &a->num));
    case SV_TIME: {
        int64_t part = time_part(m->time_part, s, n);
        return part >= 0 && cmp_ok(m->cmp, part < a->ival ? -1 : part > a->ival);
    }
    case SV_CIDR:
        return sv_cidr_match(a, s, n);
    case SV_FIELDREF:
        return fieldref_match(e, a, s, n);
    default:
        return 0;
    }
}

/* Three-valued OR / AND of r into acc. */
static int or3(int acc, int r)
{
    return acc == 1 || r == 1 ? 1 : acc == -1 || r == -1 ? -1 : 0;
}

static int and3(int acc, int r)
{
    return acc == 0 || r == 0 ? 0 : acc == -1 || r == -1 ? -1 : 1;
}

/* Does one scalar value match group g? */
static int group_scalar(match_env *e, const sv_group *g, const vg_value *v)
{
    const char *s;
    size_t n;
    char *buf = e->scratch ? e->scratch->buf[0] : NULL;
    int r = vg_sigma_scalar_text(v, buf, e->scratch ? e->scratch->cap : 0, &s, &n);
    if (r <= 0)
        return r;
    if (e->m->kind == SV_TEXT && e->scratch && !(e->scalar && e->have_units)) {
        /* decode the text into units once for every alternative (and, for a scalar field,
         * every group) instead of at each position each alternative tries */
        size_t nu = to_units(s, n, e->m->encoded, e->m->caseless && !e->m->encoded, e->scratch->units,
                             e->scratch->cap);
        e->have_units = nu != (size_t)-1;
        e->nunits = e->have_units ? nu : 0;
    }
    int acc = 0;
    for (size_t k = 0; k < g->nalts && acc != 1; k++)
        acc = or3(acc, alt_match(e, &g->alts[k], s, n));
    return acc;
}

/* Does the field (scalar, or any element of an array) match group g? */
static int group_match(match_env *e, const sv_group *g, const vg_value *field)
{
    if (field->type != VG_JSON_ARRAY)
        return group_scalar(e, g, field);
    size_t i = 1;
    int acc = 0;
    for (size_t k = 0; acc != 1; k++) {
        vg_value el;
        next_element(field->ptr, field->len, &i, &el);
        if (el.type == VG_JSON_NONE)
            break;
        if (k == VG_SIGMA_MAX_ARRAY)
            return or3(acc, -1);    /* more elements than examined: not decided */
        acc = or3(acc, group_scalar(e, g, &el));
    }
    return acc;
}

int vg_sigma_matcher_match(const vg_sigma_matcher *m, const vg_value *field, vg_sigma_field_fn other,
                           void *ctx, vg_sigma_scratch *scratch)
{
    int r;
    if (m->kind == SV_EXISTS)
        return (field->type != VG_JSON_NONE) == m->exists;
    if (m->kind == SV_NULL) {
        r = field->type == VG_JSON_NONE || field->type == VG_JSON_NULL;
    } else {
        match_env e = { m, other, ctx, scratch, field->type != VG_JSON_ARRAY, 0, 0 };
        r = m->all ? 1 : 0;
        for (size_t k = 0; k < m->ngroups; k++) {
            int g = group_match(&e, &m->groups[k], field);
            r = m->all ? and3(r, g) : or3(r, g);
            if (r == (m->all ? 0 : 1))
                break;
        }
    }
    if (m->neq && r >= 0)
        r = !r;
    return r;
}

int vg_sigma_keyword_match(const vg_sigma_matcher *m, const char *text, size_t len, vg_sigma_scratch *scratch)
{
    vg_value v = { VG_JSON_STRING, VG_VALUE_PLAIN, (uint32_t)len, text };
    return vg_sigma_matcher_match(m, &v, NULL, NULL, scratch);
}
