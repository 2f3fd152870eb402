/*
 * sigma-prefilter-expr: the Hyperscan expressions of the prefilter's patterns (see
 * sigma-prefilter-expr.h). A literal becomes its bytes escaped as \xNN (alphanumerics as they
 * are), '^' when start-anchored, and in a caseless literal each non-ASCII code point the
 * alternation of every code point that folds to it (Hyperscan folds ASCII only). A regular
 * expression is given as written, but for counted repeats above PF_MAX_REPEAT, which become
 * '*' (a superset, as a gate needs).
 */
#include "sigma-prefilter-expr.h"

#include <hs.h>
#include <stdlib.h>
#include <string.h>

#include "util-casefold.h"
#include "util-mem.h"
#include "util-utf8.h"

#define PF_MAX_REPEAT 32            /* limit: counted repeats in an expression given to Hyperscan */
#define PF_MAX_CLASS 8              /* limit: code points folding to one (larger: not expanded) */

/* Hyperscan flags of literal l's pattern (the end anchor is checked in on_match). */
unsigned sg_pf_hs_flags(unsigned l)
{
    if (l & VG_SIGMA_PAT_REGEX)    /* in prefilter mode: matches wherever PCRE2 could (or more) */
        return HS_FLAG_PREFILTER | HS_FLAG_UTF8 | HS_FLAG_SINGLEMATCH |
               ((l & VG_SIGMA_PAT_CASELESS) ? HS_FLAG_CASELESS : 0) |
               ((l & VG_SIGMA_PAT_MULTILINE) ? HS_FLAG_MULTILINE : 0) | ((l & VG_SIGMA_PAT_DOTALL) ? HS_FLAG_DOTALL : 0);
    /* an end-anchored literal must see every occurrence to find the one at the end */
    return ((l & VG_SIGMA_PAT_END) ? 0 : HS_FLAG_SINGLEMATCH) | ((l & VG_SIGMA_PAT_CASELESS) ? HS_FLAG_CASELESS : 0);
}

/* Length of a counted repeat {m}, {m,} or {m,n} at s[i] ('{'), 0 when s[i] does not start
 * one (PCRE2 reads "{,n}" and other forms as text); *big tells whether a bound exceeds
 * PF_MAX_REPEAT ({m,} is unbounded: big when m is). */
static size_t counted_repeat(const char *s, size_t n, size_t i, int *big)
{
    size_t j = i + 1;
    unsigned long v = 0, top;
    int digits = 0;
    while (j < n && s[j] >= '0' && s[j] <= '9') {
        if (v <= PF_MAX_REPEAT)
            v = v * 10 + (unsigned long)(s[j] - '0');
        j++;
        digits = 1;
    }
    if (!digits)
        return 0;
    top = v;
    if (j < n && s[j] == ',') {
        unsigned long w = 0;
        for (j++; j < n && s[j] >= '0' && s[j] <= '9'; j++)
            if (w <= PF_MAX_REPEAT)
                w = w * 10 + (unsigned long)(s[j] - '0');
        if (w > top)
            top = w;
    }
    if (j >= n || s[j] != '}')
        return 0;
    *big = top > PF_MAX_REPEAT;
    return j + 1 - i;
}

/* The expression s[0..n) for Hyperscan's prefilter mode, NUL-terminated (NULL: no memory):
 * every counted repeat above PF_MAX_REPEAT ({0,64}, {1000,}) becomes '*'. Hyperscan unrolls
 * such repeats (0.3-0.7 s to compile each, as long as all the corpus's other expressions
 * together, and a slower database); X* accepts every count X{m,n} does, so the expression
 * still matches wherever the original can: a superset, which is what a gate needs. Braces
 * inside a character class or escaped are text and are kept. */
static char *regex_relax(const char *s, size_t n)
{
    char *o = vg_malloc(n + 1);
    size_t k = 0;
    int in_class = 0;
    if (!o)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        int big = 0;
        size_t q;
        if (s[i] == '\\' && i + 1 < n) {
            o[k++] = s[i++];
            o[k++] = s[i];
        } else if (in_class) {
            in_class = s[i] != ']';
            o[k++] = s[i];
        } else if (s[i] == '[') {
            o[k++] = s[i];
            in_class = 1;
            if (i + 1 < n && s[i + 1] == '^')
                o[k++] = s[++i];
            if (i + 1 < n && s[i + 1] == ']')
                o[k++] = s[++i];        /* a ']' first in a class is text */
        } else if (s[i] == '{' && (q = counted_repeat(s, n, i, &big)) != 0 && big) {
            o[k++] = '*';
            i += q - 1;
        } else {
            o[k++] = s[i];
        }
    }
    o[k] = '\0';
    return o;
}

/* Can Hyperscan take the (relaxed) expression of literal l in prefilter mode? (Checked alone,
 * so that one expression it refuses does not cost a rebuild of every database.) Expressions
 * that can match the empty string are refused too: an empty value is not scanned. */
int sg_pf_regex_usable(const vg_sigma_literal *l)
{
    char *x = regex_relax((const char *)l->bytes, l->len);
    hs_expr_info_t *info = NULL;
    hs_compile_error_t *ce = NULL;
    if (!x || hs_expression_info(x, sg_pf_hs_flags(l->flags), &info, &ce) != HS_SUCCESS) {
        vg_free(x);
        hs_free_compile_error(ce);
        return 0;
    }
    vg_free(x);
    int ok = info->min_width > 0;
    free(info);
    return ok;
}

/* Does the expression change case in ways Hyperscan may not (flag i, or inline options)? */
int sg_pf_regex_folds(const vg_sigma_literal *p)
{
    return (p->flags & VG_SIGMA_PAT_CASELESS) || memmem(p->bytes, p->len, "(?", 2);
}

/* Appends the escaped bytes b[0..n) to o; returns the new end. */
static char *escape_bytes(char *o, const unsigned char *b, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = b[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            *o++ = (char)c;
        } else {
            *o++ = '\\';
            *o++ = 'x';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    return o;
}

/* The Hyperscan expression of a literal: bytes escaped, anchored with ^ at the start. In a
 * caseless literal, a non-ASCII code point (folded) becomes the alternation of every code
 * point that folds to it (Hyperscan folds ASCII only); ASCII letters rely on
 * HS_FLAG_CASELESS and the folding guard. */
char *sg_pf_pattern_text(const unsigned char *bytes, size_t len, unsigned flags)
{
    if (flags & VG_SIGMA_PAT_REGEX)
        return regex_relax((const char *)bytes, len);
    size_t cap = len * 4 + 8;
    int classes = (flags & VG_SIGMA_PAT_UNICODE) != 0;
    if (classes)
        cap = len * (PF_MAX_CLASS * 17 + 8) + 8;
    char *s = vg_malloc(cap), *o = s;
    if (!s)
        return NULL;
    if (flags & VG_SIGMA_PAT_START)
        *o++ = '^';
    for (size_t i = 0; i < len;) {
        int k = bytes[i] < 0x80 || !classes ? 1 : vg_utf8_seq(bytes + i, bytes + len);
        uint32_t cls[PF_MAX_CLASS];
        size_t nc = 0;
        if (k > 1) {
            nc = vg_casefold_class(vg_utf8_decode(bytes + i, k), cls, PF_MAX_CLASS);
        }
        if (k <= 1 || nc <= 1 || nc > PF_MAX_CLASS) {
            if (k < 1)
                k = 1;      /* not UTF-8 (cannot happen for rule text): the byte as it is */
            o = escape_bytes(o, bytes + i, (size_t)k);
            i += (size_t)k;
            continue;
        }
        memcpy(o, "(?:", 3);
        o += 3;
        for (size_t c = 0; c < nc; c++) {
            char b[4];
            int bl = vg_utf8_encode(cls[c], b);
            if (c)
                *o++ = '|';
            o = escape_bytes(o, (const unsigned char *)b, (size_t)bl);
        }
        *o++ = ')';
        i += (size_t)k;
    }
    *o = '\0';     /* the end anchor is checked in on_match: Hyperscan compiles \z slowly */
    return s;
}
