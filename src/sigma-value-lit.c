/*
 * sigma-value-lit: the literals a compiled Sigma value matcher hands to the fast engine (see
 * "the compiled literals" in sigma-value.h and docs/sigma.md, "The fast path").
 *
 * Each text alternative (units between '*', folded when caseless) gives either
 *   - exact literals: one when it has no inner wildcard, or its windash variants (every dash
 *     class replaced by each of its five characters) when it has up to three dashes; anchored
 *     at the start unless it starts with '*', at the end unless it ends with '*';
 *   - or one necessary literal: its longest run of plain units ('?', dash classes and '*'
 *     excluded), which every value it matches contains (anchored when the run starts or ends
 *     the pattern).
 * The matcher is literal when every alternative gave exact literals, necessary when every
 * alternative gave some. All literal bytes live in one pool owned by the matcher. A regex
 * matcher's literals are its expressions (necessary: a value matches only where one does).
 */
#include "sigma-value-internal.h"

#include <string.h>

#include "util-mem.h"
#include "util-utf8.h"

#define LIT_MAX_DASHES 3            /* windash variants: 5^3 = 125 literals at most */

/* Writes the UTF-8 / byte form of u[0..n) into out (or just counts with out NULL). */
static size_t units_bytes(const uint32_t *u, size_t n, unsigned char *out)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        char b[4];
        int k = u[i] >= SV_BYTE ? (b[0] = (char)(u[i] - SV_BYTE), 1) : vg_utf8_encode(u[i], b);
        if (out)
            memcpy(out + len, b, (size_t)k);
        len += (size_t)k;
    }
    return len;
}

/* Is t the shortest integer form (0, or -?[1-9][0-9]*)? */
static int shortest_integer(const char *t, size_t n)
{
    size_t i = n && t[0] == '-';
    if (i == n)
        return 0;
    if (t[i] == '0')
        return n == 1;
    for (; i < n; i++)
        if (t[i] < '0' || t[i] > '9')
            return 0;
    return 1;
}

int vg_sigma_number_other_form(const char *s, size_t n)
{
    sv_num num;
    return sv_num_parse(s, n, &num) == 0 && !shortest_integer(s, n);
}

static int plain_unit(uint32_t x)
{
    return x != SV_STAR && x != SV_ANY && x != SV_DASH;
}

/* What alternative a contributes: the units [*off, *off + *len) of its literal and how many
 * variants (5^dashes) they make; 0 variants when a has no literal at all. *exact tells
 * whether they decide a; *flags gets the anchors. */
static size_t alt_plan(const sv_alt *a, size_t *off, size_t *len, int *exact, unsigned *flags)
{
    *exact = 0;
    *flags = 0;
    if (a->nsegs == 0) {            /* "" is exact but has no bytes to look for; "*" has nothing */
        *off = *len = 0;
        return 0;
    }
    size_t dashes = 0, any = 0;
    for (size_t i = 0; i < a->n; i++) {
        dashes += a->u[i] == SV_DASH;
        any += a->u[i] == SV_ANY;
    }
    if (a->nsegs == 1 && any == 0 && dashes <= LIT_MAX_DASHES) {
        *off = (size_t)a->lead_star;
        *len = a->n - *off - (size_t)a->trail_star;
        *exact = 1;
        *flags = (a->lead_star ? 0 : VG_SIGMA_PAT_START) | (a->trail_star ? 0 : VG_SIGMA_PAT_END);
        size_t v = 1;
        for (size_t i = 0; i < dashes; i++)
            v *= 5;
        return v;
    }
    /* the longest run of plain units (by bytes; the first of equals) */
    size_t best = 0, best_bytes = 0;
    *len = 0;
    for (size_t i = 0; i < a->n;) {
        if (!plain_unit(a->u[i])) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < a->n && plain_unit(a->u[j]))
            j++;
        size_t b = units_bytes(a->u + i, j - i, NULL);
        if (b > best_bytes) {
            best = i;
            best_bytes = b;
            *len = j - i;
        }
        i = j;
    }
    if (*len == 0)
        return 0;
    *off = best;
    *flags = (best == 0 ? VG_SIGMA_PAT_START : 0) | (best + *len == a->n ? VG_SIGMA_PAT_END : 0);
    return 1;
}

/* Does b[0..n) hold a byte >= 0x80? */
static int memchr_high(const unsigned char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (b[i] >= 0x80)
            return 1;
    return 0;
}

/* Does a hold bytes that are not UTF-8 (only possible through the API: YAML is UTF-8)? */
static int has_bytes(const sv_alt *a)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->u[i] >= SV_BYTE && a->u[i] < SV_BYTE + 256)
            return 1;
    return 0;
}

static const uint32_t dash_units[5] = { '-', '/', 0x2013, 0x2014, 0x2015 };

/* Writes variant k of u[0..n) (the i-th dash class becomes dash_units[digit i of k in base 5])
 * as bytes into out (or counts with out NULL). */
static size_t variant_bytes(const uint32_t *u, size_t n, size_t k, unsigned char *out)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t x = u[i];
        if (x == SV_DASH) {
            x = dash_units[k % 5];
            k /= 5;
        }
        len += units_bytes(&x, 1, out ? out + len : NULL);
    }
    return len;
}

/* The expressions of a regex matcher as its (necessary) literals. */
static vg_rc regex_literals(vg_sigma_matcher *m, vg_error *err)
{
    size_t n = 0;
    for (size_t g = 0; g < m->ngroups; g++)
        for (size_t k = 0; k < m->groups[g].nalts; k++) {
            const sv_alt *a = &m->groups[g].alts[k];
            if (!a->re_text || memchr(a->re_text, '\0', a->re_len))
                return VG_OK;       /* a NUL cannot be handed on: no literals */
            n++;
        }
    if (n == 0)
        return VG_OK;
    if (!(m->lits = vg_calloc(n, sizeof *m->lits)))
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    unsigned flags = VG_SIGMA_PAT_REGEX | ((m->re_opts & PCRE2_CASELESS) ? VG_SIGMA_PAT_CASELESS : 0) |
                     ((m->re_opts & PCRE2_MULTILINE) ? VG_SIGMA_PAT_MULTILINE : 0) |
                     ((m->re_opts & PCRE2_DOTALL) ? VG_SIGMA_PAT_DOTALL : 0);
    for (size_t g = 0; g < m->ngroups; g++)
        for (size_t k = 0; k < m->groups[g].nalts; k++) {
            const sv_alt *a = &m->groups[g].alts[k];
            m->lits[m->nlits++] = (vg_sigma_literal){ (const unsigned char *)a->re_text, a->re_len, flags, (uint32_t)g };
        }
    m->necessary = 1;
    return VG_OK;
}

/* Walks m's text alternatives: counts the literals into *n and their bytes into *bytes, and
 * writes them into m->lits / m->lit_pool when those are allocated. 0 when some alternative
 * has no literal (then m has none), else 1; *exact tells whether all of them are exact. */
static int walk_literals(vg_sigma_matcher *m, size_t *n, size_t *bytes, int *exact)
{
    *n = *bytes = 0;
    *exact = 1;
    for (size_t g = 0; g < m->ngroups; g++)
        for (size_t k = 0; k < m->groups[g].nalts; k++) {
            const sv_alt *a = &m->groups[g].alts[k];
            size_t off, len;
            int ex;
            unsigned fl;
            size_t v = alt_plan(a, &off, &len, &ex, &fl);
            if (a->has_num && !shortest_integer(a->num_text, strlen(a->num_text)))
                return 0;           /* "04688" also matches 4688: no literal is necessary */
            if ((!m->encoded && has_bytes(a)) || v == 0)
                return 0;           /* a stray byte could be found inside a character */
            *exact &= ex;
            for (size_t i = 0; i < v; i++, (*n)++) {
                unsigned char *out = m->lit_pool ? m->lit_pool + *bytes : NULL;
                size_t lb = variant_bytes(a->u + off, len, i, out);
                if (m->lits) {
                    vg_sigma_literal *l = &m->lits[m->nlits++];
                    *l = (vg_sigma_literal){ out, lb, fl | (a->has_num ? VG_SIGMA_PAT_NUMBER : 0), (uint32_t)g };
                    if (m->encoded)
                        l->flags |= VG_SIGMA_PAT_ENCODED;
                    else if (m->caseless)
                        l->flags |= VG_SIGMA_PAT_CASELESS | (memchr_high(out, lb) ? VG_SIGMA_PAT_UNICODE : 0);
                }
                *bytes += lb;
            }
        }
    return 1;
}

vg_rc sv_build_literals(vg_sigma_matcher *m, vg_error *err)
{
    if (m->neq)
        return VG_OK;
    if (m->kind == SV_REGEX)
        return regex_literals(m, err);
    size_t n, bytes;
    int exact;
    if (m->kind != SV_TEXT || !walk_literals(m, &n, &bytes, &exact) || n == 0)
        return VG_OK;
    m->lits = vg_calloc(n, sizeof *m->lits);
    m->lit_pool = vg_malloc(bytes + 1);
    if (!m->lits || !m->lit_pool) {
        vg_free(m->lits);
        vg_free(m->lit_pool);
        m->lits = NULL;
        m->lit_pool = NULL;
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    }
    walk_literals(m, &n, &bytes, &exact);
    m->literal = exact;
    m->necessary = 1;
    return VG_OK;
}

size_t vg_sigma_matcher_literals(const vg_sigma_matcher *m, const vg_sigma_literal **out)
{
    *out = m->lits;
    return m->nlits;
}

int vg_sigma_matcher_is_literal(const vg_sigma_matcher *m)
{
    return m->literal;
}

int vg_sigma_matcher_is_necessary(const vg_sigma_matcher *m)
{
    return m->necessary;
}
