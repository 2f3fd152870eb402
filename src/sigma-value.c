/*
 * sigma-value: compiling one Sigma field condition or keyword search into a matcher (see
 * sigma-value.h; the compiled form is in sigma-value-internal.h, matching in
 * sigma-value-match.c, encodings and typed values in sigma-value-encode.c).
 *
 * Compilation runs in four steps:
 *   1. check the modifiers: each belongs to a family (text, regex, number, time, network,
 *      field reference, exists, generic); families that cannot meet are errors naming both;
 *   2. read each raw value by the matcher's kind: Sigma strings are parsed into units
 *      (escapes, '*', '?', and with |expand the %placeholders%, replaced at once by the
 *      configured values: one alternative per combination);
 *   3. apply the text modifiers in rule order to every alternative (contains/startswith/
 *      endswith add '*', windash turns dashes into a class, encodings turn text into bytes;
 *      a dash class met by an encoding is expanded into its variants first);
 *   4. finalize: case folding, segments between '*', the number a literal reads as, and the
 *      literals the fast engine may take.
 */
#include "sigma-value.h"

#include <stdio.h>
#include <string.h>

#include "sigma-value-internal.h"
#include "util-casefold.h"
#include "util-mem.h"
#include "util-utf8.h"

/* --- step 1: modifiers ------------------------------------------------------------------ */

enum { F_GENERIC = 1, F_TEXT = 2, F_RE = 4, F_NUM = 8, F_TIME = 16, F_CIDR = 32, F_REF = 64, F_EXISTS = 128 };

static unsigned mod_family(vg_sigma_mod m)
{
    switch (m) {
    case VG_SIGMA_MOD_ALL:
    case VG_SIGMA_MOD_CASED:
    case VG_SIGMA_MOD_NEQ:
        return F_GENERIC;
    case VG_SIGMA_MOD_RE:
    case VG_SIGMA_MOD_RE_I:
    case VG_SIGMA_MOD_RE_M:
    case VG_SIGMA_MOD_RE_S:
        return F_RE;
    case VG_SIGMA_MOD_LT:
    case VG_SIGMA_MOD_LTE:
    case VG_SIGMA_MOD_GT:
    case VG_SIGMA_MOD_GTE:
        return F_NUM;
    case VG_SIGMA_MOD_MINUTE:
    case VG_SIGMA_MOD_HOUR:
    case VG_SIGMA_MOD_DAY:
    case VG_SIGMA_MOD_WEEK:
    case VG_SIGMA_MOD_MONTH:
    case VG_SIGMA_MOD_YEAR:
        return F_TIME;
    case VG_SIGMA_MOD_CIDR:
        return F_CIDR;
    case VG_SIGMA_MOD_FIELDREF:
        return F_REF;
    case VG_SIGMA_MOD_EXISTS:
        return F_EXISTS;
    default:
        return F_TEXT;
    }
}

static int is_encoding(vg_sigma_mod m)
{
    return m == VG_SIGMA_MOD_BASE64 || m == VG_SIGMA_MOD_BASE64OFFSET || m == VG_SIGMA_MOD_UTF16LE ||
           m == VG_SIGMA_MOD_UTF16BE || m == VG_SIGMA_MOD_UTF16 || m == VG_SIGMA_MOD_WIDE;
}

/* Which modifiers exclude each other (besides families): one position, one encoding of each
 * kind, one comparison, one time part. */
static int same_slot(vg_sigma_mod a, vg_sigma_mod b)
{
    static const vg_sigma_mod slots[][4] = {
        { VG_SIGMA_MOD_STARTSWITH, VG_SIGMA_MOD_ENDSWITH, VG_SIGMA_MOD_CONTAINS, VG_SIGMA_MOD_CONTAINS },
        { VG_SIGMA_MOD_BASE64, VG_SIGMA_MOD_BASE64OFFSET, VG_SIGMA_MOD_BASE64, VG_SIGMA_MOD_BASE64 },
        { VG_SIGMA_MOD_UTF16LE, VG_SIGMA_MOD_UTF16BE, VG_SIGMA_MOD_UTF16, VG_SIGMA_MOD_WIDE },
        { VG_SIGMA_MOD_LT, VG_SIGMA_MOD_LTE, VG_SIGMA_MOD_GT, VG_SIGMA_MOD_GTE },
    };
    if (a == b)
        return 1;
    if (mod_family(a) == F_TIME && mod_family(b) == F_TIME)
        return 1;
    for (size_t s = 0; s < sizeof slots / sizeof slots[0]; s++) {
        int ia = 0, ib = 0;
        for (size_t k = 0; k < 4; k++) {
            ia |= slots[s][k] == a;
            ib |= slots[s][k] == b;
        }
        if (ia && ib)
            return 1;
    }
    return 0;
}

/* Families that may share one field condition (generic modifiers go with all but exists). */
static int families_meet(unsigned fa, unsigned fb)
{
    if (fa == fb)
        return 1;
    if (fa == F_EXISTS || fb == F_EXISTS)
        return 0;
    if (fa == F_GENERIC || fb == F_GENERIC)
        return 1;
    return (fa | fb) == (F_NUM | F_TIME);
}

static vg_rc conflict(vg_error *err, vg_sigma_mod a, vg_sigma_mod b, const char *why)
{
    if (a == b)
        return vg_fail(err, VG_ERR_PARSE, 0, "modifier '%s' is given twice", vg_sigma_mod_name(a));
    return vg_fail(err, VG_ERR_PARSE, 0, "modifier '%s' cannot be combined with '%s'%s", vg_sigma_mod_name(b),
                   vg_sigma_mod_name(a), why);
}

/* Checks mods and fills the matcher's kind and flags. */
static vg_rc check_mods(const vg_sigma_mod *mods, size_t nmods, vg_sigma_matcher *m, unsigned *families,
                        vg_error *err)
{
    unsigned fam = 0;
    int encoded = 0;
    if (nmods > VG_SIGMA_MAX_MODS)
        return vg_fail(err, VG_ERR_LIMIT, 0, "more than %d modifiers on one field", VG_SIGMA_MAX_MODS);
    for (size_t i = 0; i < nmods; i++) {
        vg_sigma_mod a = mods[i];
        if ((unsigned)a >= VG_SIGMA_NMODS)
            return vg_fail(err, VG_ERR_USAGE, 0, "unknown modifier number %d", (int)a);
        unsigned fa = mod_family(a);
        for (size_t j = 0; j < i; j++) {
            vg_sigma_mod b = mods[j];
            unsigned fb = mod_family(b);
            if (same_slot(a, b))
                return conflict(err, b, a, "");
            if (!families_meet(fa, fb))
                return conflict(err, b, a, fa == F_EXISTS || fb == F_EXISTS ? " (exists takes no other modifier)" : "");
        }
        if ((a == VG_SIGMA_MOD_RE_I || a == VG_SIGMA_MOD_RE_M || a == VG_SIGMA_MOD_RE_S) &&
            !(fam & F_RE))
            return vg_fail(err, VG_ERR_PARSE, 0, "'%s' is a sub-modifier of 're' and must follow it",
                           vg_sigma_mod_name(a));
        if (a == VG_SIGMA_MOD_WINDASH && encoded)
            return vg_fail(err, VG_ERR_PARSE, 0, "'windash' must come before the encoding modifiers");
        encoded |= is_encoding(a);
        fam |= fa;
        m->all |= a == VG_SIGMA_MOD_ALL;
        m->neq |= a == VG_SIGMA_MOD_NEQ;
        m->caseless &= a != VG_SIGMA_MOD_CASED;
        if (fa == F_NUM)
            m->cmp = a == VG_SIGMA_MOD_LT ? SV_LT : a == VG_SIGMA_MOD_LTE ? SV_LTE : a == VG_SIGMA_MOD_GT ? SV_GT : SV_GTE;
        if (fa == F_TIME)
            m->time_part = a;
    }
    if (m->neq && m->all)
        return vg_fail(err, VG_ERR_PARSE, 0,
                       "'neq' cannot be combined with 'all' (neq already requires the field to differ from every value)");
    if (m->neq && (fam & F_NUM))
        return vg_fail(err, VG_ERR_PARSE, 0, "'neq' cannot be combined with a comparison (lt, lte, gt, gte)");
    if (!m->caseless && (fam & (F_NUM | F_TIME | F_CIDR)))
        return vg_fail(err, VG_ERR_PARSE, 0, "'cased' applies to strings, not to numbers, dates or networks");
    m->kind = fam & F_EXISTS ? SV_EXISTS
              : fam & F_RE   ? SV_REGEX
              : fam & F_TIME ? SV_TIME
              : fam & F_NUM  ? SV_COMPARE
              : fam & F_CIDR ? SV_CIDR
              : fam & F_REF  ? SV_FIELDREF
                             : SV_TEXT;
    *families = fam;
    return VG_OK;
}

/* --- step 2: values ------------------------------------------------------------------- */

/* The compile state of one condition. */
typedef struct compiler {
    vg_sigma_matcher *m;
    const vg_sigma_mod *mods;
    size_t nmods;
    const vg_sigma_placeholders *ph;
    int expand;
    size_t total;               /* alternatives so far (VG_SIGMA_MAX_ALTERNATIVES) */
    vg_error *err;
    const vg_sigma_raw *raw;    /* the value being compiled, for messages */
} compiler;

#define SV_MAX_PH 16            /* limit: placeholders in one value */

/* Error about the current value: "line N: value 'x': reason". */
static vg_rc value_fail(compiler *c, vg_rc rc, const char *reason)
{
    char msg[VG_ERROR_MSG_MAX];
    snprintf(msg, sizeof msg, "%s", reason);
    return vg_fail(c->err, rc, c->raw->line, "value '%.60s'%s: %s", c->raw->text,
                   c->raw->len > 60 ? "..." : "", msg);
}

static void units_free(sv_units *a)
{
    vg_free(a->u);
    a->u = NULL;
    a->n = a->cap = 0;
}

/* Is s[0..n) a valid placeholder name (between '%' signs)? */
static int ph_name_ok(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == ' ' || s[i] == '\t' || s[i] == '*' || s[i] == '?' || s[i] == '\\' || s[i] == '\n')
            return 0;
    return 1;
}

static const vg_sigma_placeholder *ph_find(const vg_sigma_placeholders *ph, const char *s, size_t n)
{
    for (size_t i = 0; ph && i < ph->n; i++)
        if (strlen(ph->items[i].name) == n && memcmp(ph->items[i].name, s, n) == 0)
            return &ph->items[i];
    return NULL;
}

/* Parses the Sigma string s[0..n) into units: escapes (backslash before '*', '?', '\', and
 * '%' under expand), wildcards, and placeholders (SV_PH + index into found[]). */
static vg_rc parse_sigma(compiler *c, const char *s, size_t n, int expand, sv_units *out,
                         const vg_sigma_placeholder **found, size_t *nfound)
{
    vg_rc rc = VG_OK;
    out->n = 0;
    for (size_t i = 0; i < n && !rc;) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '\\' && i + 1 < n &&
            (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\' || (expand && s[i + 1] == '%'))) {
            rc = sv_push(out, (unsigned char)s[i + 1], c->err);
            i += 2;
        } else if (ch == '*' || ch == '?') {
            rc = sv_push(out, ch == '*' ? SV_STAR : SV_ANY, c->err);
            i++;
        } else if (ch == '%' && expand) {
            const char *close = memchr(s + i + 1, '%', n - i - 1);
            size_t len = close ? (size_t)(close - s - i - 1) : 0;
            if (!close || !ph_name_ok(s + i + 1, len)) {
                rc = sv_push(out, '%', c->err);
                i++;
                continue;
            }
            const vg_sigma_placeholder *p = ph_find(c->ph, s + i + 1, len);
            if (!p) {
                char why[128];
                snprintf(why, sizeof why, "unresolved placeholder %%%.*s%% (configure it, or escape the %% as \\%%)",
                         (int)(len > 80 ? 80 : len), s + i + 1);
                return value_fail(c, VG_ERR_PARSE, why);
            }
            if (*nfound == SV_MAX_PH)
                return value_fail(c, VG_ERR_LIMIT, "more than 16 placeholders in one value");
            found[*nfound] = p;
            rc = sv_push(out, SV_PH + (uint32_t)(*nfound)++, c->err);
            i += len + 2;
        } else {
            int len = ch < 0x80 ? 1 : vg_utf8_seq((const unsigned char *)s + i, (const unsigned char *)s + n);
            if (len <= 0) {
                rc = sv_push(out, SV_BYTE + ch, c->err);
                i++;
                continue;
            }
            rc = sv_push(out, vg_utf8_decode((const unsigned char *)s + i, len), c->err);
            i += (size_t)len;
        }
    }
    return rc;
}

static vg_rc group_add(compiler *c, sv_group *g, sv_units *u)
{
    if (c->total >= VG_SIGMA_MAX_ALTERNATIVES)
        return value_fail(c, VG_ERR_LIMIT, "the condition expands into more than the limit of values");
    if (g->nalts == g->cap) {   /* grows by doubling: expansions can make thousands */
        size_t cap = g->cap ? g->cap * 2 : 4;
        sv_alt *alts = vg_realloc(g->alts, cap * sizeof *alts);
        if (!alts)
            return vg_fail(c->err, VG_ERR_NOMEM, 0, "out of memory");
        g->alts = alts;
        g->cap = cap;
    }
    sv_alt *alts = g->alts;
    memset(&alts[g->nalts], 0, sizeof alts[0]);
    alts[g->nalts].u = u->u;
    alts[g->nalts].n = u->n;
    g->nalts++;
    c->total++;
    u->u = NULL;
    u->n = u->cap = 0;
    return VG_OK;
}

/* Reads a text value into group g: one alternative per combination of placeholder values. */
static vg_rc text_value(compiler *c, sv_group *g, const char *s, size_t n, int sigma)
{
    sv_units base = { 0 }, part = { 0 }, alt = { 0 };
    const vg_sigma_placeholder *found[SV_MAX_PH];
    size_t nfound = 0, combos = 1;
    vg_rc rc;
    if (!sigma) {   /* numbers and booleans: their text, no escapes */
        for (size_t i = 0; i < n; i++)
            if ((rc = sv_push(&base, (unsigned char)s[i], c->err)))
                goto done;
        rc = group_add(c, g, &base);
        goto done;
    }
    rc = parse_sigma(c, s, n, c->expand, &base, found, &nfound);
    if (rc)
        goto done;
    for (size_t k = 0; k < nfound; k++) {
        if (found[k]->nvalues && combos > VG_SIGMA_MAX_VARIANTS / found[k]->nvalues) {
            rc = value_fail(c, VG_ERR_LIMIT, "its placeholders expand into more than 256 combinations");
            goto done;
        }
        combos *= found[k]->nvalues;
    }
    for (size_t combo = 0; combo < combos; combo++) {
        alt.n = 0;
        for (size_t i = 0; i < base.n && !rc; i++) {
            uint32_t x = base.u[i];
            if (x < SV_PH || x >= SV_PH + SV_MAX_PH) {
                rc = sv_push(&alt, x, c->err);
                continue;
            }
            size_t k = x - SV_PH, pick = combo;
            for (size_t j = 0; j < k; j++)
                pick /= found[j]->nvalues;
            const char *v = found[k]->values[pick % found[k]->nvalues];
            size_t none = 0;
            rc = parse_sigma(c, v, strlen(v), 0, &part, NULL, &none);
            for (size_t j = 0; j < part.n && !rc; j++)
                rc = sv_push(&alt, part.u[j], c->err);
        }
        if (!rc)
            rc = group_add(c, g, &alt);
        if (rc)
            goto done;
    }
done:
    units_free(&base);
    units_free(&part);
    units_free(&alt);
    return rc;
}

/* --- step 3: text modifiers ------------------------------------------------------------ */

/* Replaces every alternative of g by what f makes of it (one or more results). */
typedef vg_rc (*alt_fn)(compiler *c, const sv_units *in, sv_units *outs, size_t *nouts);

static vg_rc group_map(compiler *c, sv_group *g, alt_fn f)
{
    sv_group old = *g;
    sv_units outs[3] = { { 0 } };
    vg_rc rc = VG_OK;
    g->alts = NULL;
    g->nalts = g->cap = 0;
    c->total -= old.nalts;
    for (size_t k = 0; k < old.nalts && !rc; k++) {
        sv_units in = { old.alts[k].u, old.alts[k].n, old.alts[k].n };
        size_t nouts = 0;
        rc = f(c, &in, outs, &nouts);
        for (size_t j = 0; j < nouts && !rc; j++)
            rc = group_add(c, g, &outs[j]);
    }
    for (size_t k = 0; k < old.nalts; k++)
        vg_free(old.alts[k].u);
    vg_free(old.alts);
    for (size_t j = 0; j < 3; j++)
        units_free(&outs[j]);
    return rc;
}

/* Expands the dash classes of every alternative of g into their variants (before encoding). */
static vg_rc expand_dashes(compiler *c, sv_group *g)
{
    sv_group old = *g;
    sv_units v = { 0 };
    vg_rc rc = VG_OK;
    g->alts = NULL;
    g->nalts = g->cap = 0;
    c->total -= old.nalts;
    for (size_t k = 0; k < old.nalts && !rc; k++) {
        size_t d = sv_count_dashes(old.alts[k].u, old.alts[k].n), variants = 1;
        for (size_t i = 0; i < d && !rc; i++) {
            variants *= 5;
            if (variants > VG_SIGMA_MAX_VARIANTS)
                rc = value_fail(c, VG_ERR_LIMIT,
                                "windash before an encoding makes 5^N variants for N dashes, over the limit "
                                "of 256 (at most 3 dashes)");
        }
        for (size_t i = 0; i < variants && !rc; i++) {
            rc = sv_dash_variant(old.alts[k].u, old.alts[k].n, i, &v, c->err);
            if (!rc)
                rc = group_add(c, g, &v);
        }
    }
    for (size_t k = 0; k < old.nalts; k++)
        vg_free(old.alts[k].u);
    vg_free(old.alts);
    units_free(&v);
    return rc;
}

static vg_rc map_base64(compiler *c, const sv_units *in, sv_units *outs, size_t *nouts)
{
    vg_rc rc = sv_to_bytes(in, &outs[2], "base64", c->err);
    *nouts = 1;
    return rc ? rc : sv_base64(&outs[2], &outs[0], c->err);
}

static vg_rc map_base64offset(compiler *c, const sv_units *in, sv_units *outs, size_t *nouts)
{
    sv_units bytes = { 0 };
    vg_rc rc = sv_to_bytes(in, &bytes, "base64offset", c->err);
    for (unsigned s = 0; s < 3 && !rc; s++)
        rc = sv_base64_shift(&bytes, s, &outs[s], c->err);
    units_free(&bytes);
    *nouts = 3;
    return rc;
}

static vg_rc map_utf16(compiler *c, const sv_units *in, sv_units *outs, size_t *nouts, vg_sigma_mod mod)
{
    *nouts = 1;
    return sv_utf16(in, mod == VG_SIGMA_MOD_UTF16BE, mod == VG_SIGMA_MOD_UTF16, &outs[0], vg_sigma_mod_name(mod),
                    c->err);
}

static vg_rc map_utf16le(compiler *c, const sv_units *in, sv_units *outs, size_t *nouts)
{
    return map_utf16(c, in, outs, nouts, VG_SIGMA_MOD_UTF16LE);
}

static vg_rc map_utf16be(compiler *c, const sv_units *in, sv_units *outs, size_t *nouts)
{
    return map_utf16(c, in, outs, nouts, VG_SIGMA_MOD_UTF16BE);
}

static vg_rc map_utf16bom(compiler *c, const sv_units *in, sv_units *outs, size_t *nouts)
{
    return map_utf16(c, in, outs, nouts, VG_SIGMA_MOD_UTF16);
}

/* Adds '*' at the start and/or end of every alternative of g. */
static vg_rc add_stars(compiler *c, sv_group *g, int start, int end)
{
    for (size_t k = 0; k < g->nalts; k++) {
        sv_alt *a = &g->alts[k];
        sv_units u = { a->u, a->n, a->n };
        vg_rc rc = VG_OK;
        if (end && (u.n == 0 || u.u[u.n - 1] != SV_STAR))
            rc = sv_push(&u, SV_STAR, c->err);
        if (!rc && start && (u.n == 0 || u.u[0] != SV_STAR)) {
            rc = sv_push(&u, SV_STAR, c->err);
            if (!rc) {
                memmove(u.u + 1, u.u, (u.n - 1) * sizeof *u.u);
                u.u[0] = SV_STAR;
            }
        }
        a->u = u.u;
        a->n = u.n;
        if (rc)
            return rc;
    }
    return VG_OK;
}

/* Applies the text modifiers, in rule order, to group g. */
static vg_rc apply_mods(compiler *c, sv_group *g)
{
    vg_rc rc = VG_OK;
    for (size_t i = 0; i < c->nmods && !rc; i++) {
        vg_sigma_mod mod = c->mods[i];
        if (is_encoding(mod))
            rc = expand_dashes(c, g);
        if (rc)
            break;
        switch (mod) {
        case VG_SIGMA_MOD_CONTAINS: rc = add_stars(c, g, 1, 1); break;
        case VG_SIGMA_MOD_STARTSWITH: rc = add_stars(c, g, 0, 1); break;
        case VG_SIGMA_MOD_ENDSWITH: rc = add_stars(c, g, 1, 0); break;
        case VG_SIGMA_MOD_WINDASH:
            for (size_t k = 0; k < g->nalts; k++) {
                sv_units u = { g->alts[k].u, g->alts[k].n, g->alts[k].n };
                sv_windash(&u);
            }
            break;
        case VG_SIGMA_MOD_BASE64: rc = group_map(c, g, map_base64); break;
        case VG_SIGMA_MOD_BASE64OFFSET: rc = group_map(c, g, map_base64offset); break;
        case VG_SIGMA_MOD_UTF16LE:
        case VG_SIGMA_MOD_WIDE: rc = group_map(c, g, map_utf16le); break;
        case VG_SIGMA_MOD_UTF16BE: rc = group_map(c, g, map_utf16be); break;
        case VG_SIGMA_MOD_UTF16: rc = group_map(c, g, map_utf16bom); break;
        default: break;
        }
        if (rc && c->err && strncmp(c->err->msg, "value '", 7) != 0) {
            char why[VG_ERROR_MSG_MAX];
            snprintf(why, sizeof why, "%s", c->err->msg);
            rc = value_fail(c, rc, why);
        }
    }
    return rc;
}

/* --- step 4: finalize ------------------------------------------------------------------- */

static vg_rc finalize_text(compiler *c, sv_alt *a)
{
    vg_sigma_matcher *m = c->m;
    size_t w = 0;
    for (size_t i = 0; i < a->n; i++) {
        uint32_t x = a->u[i];
        if (x == SV_STAR && w > 0 && a->u[w - 1] == SV_STAR)
            continue;
        if (m->caseless && !m->encoded && x < SV_BYTE)
            x = vg_casefold(x);
        a->u[w++] = x;
    }
    a->n = w;
    a->lead_star = a->n > 0 && a->u[0] == SV_STAR;
    a->trail_star = a->n > 0 && a->u[a->n - 1] == SV_STAR;
    a->segs = vg_calloc(a->n / 2 + 1, sizeof *a->segs);
    if (!a->segs)
        return vg_fail(c->err, VG_ERR_NOMEM, 0, "out of memory");
    int inner = 0;
    for (size_t i = 0; i < a->n;) {
        if (a->u[i] == SV_STAR) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < a->n && a->u[j] != SV_STAR) {
            inner |= a->u[j] == SV_ANY || a->u[j] == SV_DASH;
            j++;
        }
        a->segs[a->nsegs++] = (sv_seg){ (uint32_t)i, (uint32_t)(j - i) };
        i = j;
    }
    if (a->nsegs > 1)
        inner = 1;
    /* a value that reads as a number also matches equal numbers ("4688" and 4688.0) */
    if (!m->encoded && !inner && a->nsegs == 1 && !a->lead_star && !a->trail_star && a->n < 64) {
        char text[64];
        size_t k = 0;
        for (; k < a->n && a->u[k] < 0x80; k++)
            text[k] = (char)a->u[k];
        sv_num num;
        if (k == a->n && sv_num_parse(text, k, &num) == 0) {
            a->num_text = vg_strndup(text, k);
            if (!a->num_text)
                return vg_fail(c->err, VG_ERR_NOMEM, 0, "out of memory");
            sv_num_parse(a->num_text, k, &a->num);
            a->has_num = 1;
        }
    }
    return VG_OK;
}

/* --- typed values --------------------------------------------------------------------- */

static vg_rc number_value(compiler *c, sv_alt *a, const char *what)
{
    const vg_sigma_raw *r = c->raw;
    char why[128];
    if ((r->type != VG_SIGMA_V_NUMBER && r->type != VG_SIGMA_V_STRING) || sv_num_parse(r->text, r->len, &a->num)) {
        snprintf(why, sizeof why, "'%s' needs a number", what);
        return value_fail(c, VG_ERR_PARSE, why);
    }
    a->num_text = vg_strndup(r->text, r->len);
    if (!a->num_text)
        return vg_fail(c->err, VG_ERR_NOMEM, 0, "out of memory");
    sv_num_parse(a->num_text, r->len, &a->num);
    if (c->m->kind == SV_TIME) {
        if (a->num.fn || r->len > 15 || a->num.exp > 15 || r->text[r->len - 1] == '.' ||
            memchr(r->text, 'e', r->len) || memchr(r->text, 'E', r->len)) {
            snprintf(why, sizeof why, "'%s' needs a whole number", what);
            return value_fail(c, VG_ERR_PARSE, why);
        }
        int64_t v = 0;
        for (size_t i = a->num.neg; i < r->len; i++)
            v = v * 10 + (r->text[i] - '0');
        a->ival = a->num.neg ? -v : v;
    }
    return VG_OK;
}

static vg_rc regex_value(compiler *c, sv_alt *a, pcre2_general_context *gctx)
{
    const vg_sigma_raw *r = c->raw;
    uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
    for (size_t i = 0; i < c->nmods; i++)
        opts |= c->mods[i] == VG_SIGMA_MOD_RE_I   ? PCRE2_CASELESS
                : c->mods[i] == VG_SIGMA_MOD_RE_M ? PCRE2_MULTILINE
                : c->mods[i] == VG_SIGMA_MOD_RE_S ? PCRE2_DOTALL
                                                  : 0;
    if (r->type == VG_SIGMA_V_NULL || r->type == VG_SIGMA_V_BOOL)
        return value_fail(c, VG_ERR_PARSE, "'re' needs a string");
    int code;
    PCRE2_SIZE off;
    pcre2_compile_context *cc = pcre2_compile_context_create(gctx);
    if (!cc)
        return vg_fail(c->err, VG_ERR_NOMEM, 0, "out of memory");
    a->re = pcre2_compile((PCRE2_SPTR)r->text, r->len, opts, &code, &off, cc);
    pcre2_compile_context_free(cc);
    if (!a->re) {
        PCRE2_UCHAR msg[160];
        char why[224];
        pcre2_get_error_message(code, msg, sizeof msg);
        snprintf(why, sizeof why, "bad regular expression at offset %zu: %s", (size_t)off, (const char *)msg);
        return value_fail(c, VG_ERR_PARSE, why);
    }
    pcre2_jit_compile(a->re, PCRE2_JIT_COMPLETE);  /* without JIT, the interpreter runs */
    a->re_text = vg_strndup(r->text, r->len);       /* for the fast engine's prefilter */
    if (!a->re_text)
        return vg_fail(c->err, VG_ERR_NOMEM, 0, "out of memory");
    a->re_len = r->len;
    c->m->re_opts = opts;
    return VG_OK;
}

/* Compiles the current raw value into one group of the matcher. */
static vg_rc compile_value(compiler *c, sv_group *g, pcre2_general_context *gctx)
{
    vg_sigma_matcher *m = c->m;
    const vg_sigma_raw *r = c->raw;
    if (m->kind == SV_TEXT) {
        if (r->type == VG_SIGMA_V_NULL)
            return value_fail(c, VG_ERR_PARSE, "null takes no modifier but neq, and cannot be part of a list");
        vg_rc rc = text_value(c, g, r->text, r->len, r->type == VG_SIGMA_V_STRING);
        return rc ? rc : apply_mods(c, g);
    }
    sv_units none = { 0 };
    vg_rc rc = group_add(c, g, &none);
    if (rc)
        return rc;
    sv_alt *a = &g->alts[0];
    switch (m->kind) {
    case SV_REGEX:
        return regex_value(c, a, gctx);
    case SV_COMPARE:
        return number_value(c, a, vg_sigma_mod_name(m->cmp == SV_LT ? VG_SIGMA_MOD_LT : m->cmp == SV_LTE ? VG_SIGMA_MOD_LTE
                                                    : m->cmp == SV_GT ? VG_SIGMA_MOD_GT : VG_SIGMA_MOD_GTE));
    case SV_TIME:
        return number_value(c, a, vg_sigma_mod_name(m->time_part));
    case SV_CIDR:
        if (r->type != VG_SIGMA_V_STRING || sv_cidr_parse(r->text, r->len, a))
            return value_fail(c, VG_ERR_PARSE, "'cidr' needs an IPv4 or IPv6 network (address/prefix)");
        return VG_OK;
    case SV_FIELDREF:
        if (r->type != VG_SIGMA_V_STRING || r->len == 0)
            return value_fail(c, VG_ERR_PARSE, "'fieldref' needs a field name");
        a->ref = vg_strndup(r->text, r->len);
        a->ref_len = r->len;
        return a->ref ? VG_OK : vg_fail(c->err, VG_ERR_NOMEM, 0, "out of memory");
    default:
        return VG_OK;
    }
}

static void *gctx_malloc(size_t n, void *data)
{
    (void)data;
    return vg_malloc(n);
}

static void gctx_free(void *p, void *data)
{
    (void)data;
    vg_free(p);
}

static vg_rc compile(const vg_sigma_mod *mods, size_t nmods, const vg_sigma_raw *values, size_t nvalues,
                     const vg_sigma_placeholders *ph, int keyword, vg_sigma_matcher **out, vg_error *err)
{
    *out = NULL;
    vg_sigma_matcher *m = vg_calloc(1, sizeof *m);
    if (!m)
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    m->caseless = 1;
    m->keyword = keyword;
    unsigned fam = 0;
    compiler c = { m, mods, nmods, ph, 0, 0, err, values };
    pcre2_general_context *gctx = NULL;
    vg_rc rc = check_mods(mods, nmods, m, &fam, err);
    if (rc)
        goto fail;
    for (size_t i = 0; i < nmods; i++) {
        c.expand |= mods[i] == VG_SIGMA_MOD_EXPAND;
        m->encoded |= is_encoding(mods[i]);
    }
    if (nvalues == 0) {
        rc = vg_fail(err, VG_ERR_PARSE, 0, "the condition has no values");
        goto fail;
    }
    if (m->all && nvalues == 1) {
        rc = vg_fail(err, VG_ERR_PARSE, values[0].line,
                     "'all' needs a list of two or more values (the specification forbids it on one value)");
        goto fail;
    }
    if (keyword && (fam & (F_NUM | F_TIME | F_CIDR | F_REF | F_EXISTS))) {
        rc = vg_fail(err, VG_ERR_PARSE, values[0].line,
                     "keyword searches take strings: comparisons, dates, networks, field references and exists need a field");
        goto fail;
    }
    for (size_t i = 0; i < nvalues; i++) {
        c.raw = &values[i];
        if (values[i].type == VG_SIGMA_V_NULL && m->kind != SV_EXISTS && m->kind != SV_REGEX) {
            if (nvalues > 1 || keyword || fam & ~F_GENERIC || m->all || !m->caseless) {
                rc = value_fail(&c, VG_ERR_PARSE,
                                nvalues > 1 ? "null cannot be part of a list of values (it shares no type with them)"
                                            : "null takes no modifier but neq");
                goto fail;
            }
            m->kind = SV_NULL;
        }
    }
    if (m->kind == SV_EXISTS) {
        c.raw = &values[0];
        if (nvalues != 1 || values[0].type != VG_SIGMA_V_BOOL) {
            rc = value_fail(&c, VG_ERR_PARSE, "'exists' needs one boolean value (true or false)");
            goto fail;
        }
        m->exists = values[0].len == 4;     /* "true" */
    }
    if (m->kind == SV_NULL || m->kind == SV_EXISTS) {
        *out = m;
        return VG_OK;
    }
    m->groups = vg_calloc(nvalues, sizeof *m->groups);
    if (!m->groups) {
        rc = vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
        goto fail;
    }
    if (m->kind == SV_REGEX) {
        gctx = pcre2_general_context_create(gctx_malloc, gctx_free, NULL);
        m->mctx = gctx ? pcre2_match_context_create(gctx) : NULL;
        if (!m->mctx) {
            rc = vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
            goto fail;
        }
        pcre2_set_match_limit(m->mctx, VG_SIGMA_RE_MATCH_LIMIT);
        pcre2_set_depth_limit(m->mctx, VG_SIGMA_RE_DEPTH_LIMIT);
        pcre2_set_heap_limit(m->mctx, VG_SIGMA_RE_HEAP_LIMIT);
    }
    for (size_t i = 0; i < nvalues; i++) {
        c.raw = &values[i];
        m->ngroups = i + 1;
        rc = compile_value(&c, &m->groups[i], gctx);
        if (!rc && keyword && m->kind == SV_TEXT)
            rc = add_stars(&c, &m->groups[i], 1, 1);
        for (size_t k = 0; !rc && m->kind == SV_TEXT && k < m->groups[i].nalts; k++)
            rc = finalize_text(&c, &m->groups[i].alts[k]);
        if (rc)
            goto fail;
    }
    rc = sv_build_literals(c.m, c.err);
    if (rc)
        goto fail;
    pcre2_general_context_free(gctx);
    *out = m;
    return VG_OK;
fail:
    pcre2_general_context_free(gctx);
    vg_sigma_matcher_free(m);
    return rc;
}

vg_rc vg_sigma_matcher_compile(const vg_sigma_mod *mods, size_t nmods, const vg_sigma_raw *values,
                               size_t nvalues, const vg_sigma_placeholders *ph,
                               vg_sigma_matcher **out, vg_error *err)
{
    return compile(mods, nmods, values, nvalues, ph, 0, out, err);
}

vg_rc vg_sigma_keyword_compile(const vg_sigma_mod *mods, size_t nmods, const vg_sigma_raw *values,
                               size_t nvalues, const vg_sigma_placeholders *ph,
                               vg_sigma_matcher **out, vg_error *err)
{
    return compile(mods, nmods, values, nvalues, ph, 1, out, err);
}

void vg_sigma_matcher_free(vg_sigma_matcher *m)
{
    if (!m)
        return;
    for (size_t g = 0; g < m->ngroups; g++) {
        for (size_t k = 0; k < m->groups[g].nalts; k++) {
            sv_alt *a = &m->groups[g].alts[k];
            vg_free(a->u);
            vg_free(a->segs);
            vg_free(a->num_text);
            vg_free(a->ref);
            vg_free(a->re_text);
            pcre2_code_free(a->re);
        }
        vg_free(m->groups[g].alts);
    }
    vg_free(m->groups);
    vg_free(m->lits);
    vg_free(m->lit_pool);
    pcre2_match_context_free(m->mctx);
    vg_free(m);
}

vg_sigma_scratch *vg_sigma_scratch_new(size_t max_value)
{
    vg_sigma_scratch *s = vg_calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->cap = max_value;
    s->buf[0] = vg_malloc(max_value + 1);
    s->buf[1] = vg_malloc(max_value + 1);
    s->units = vg_malloc((max_value + 1) * sizeof *s->units);
    pcre2_general_context *gctx = pcre2_general_context_create(gctx_malloc, gctx_free, NULL);
    s->md = gctx ? pcre2_match_data_create(1, gctx) : NULL;
    pcre2_general_context_free(gctx);
    if (!s->buf[0] || !s->buf[1] || !s->units || !s->md) {
        vg_sigma_scratch_free(s);
        return NULL;
    }
    return s;
}

void vg_sigma_scratch_free(vg_sigma_scratch *s)
{
    if (!s)
        return;
    vg_free(s->units);
    vg_free(s->buf[0]);
    vg_free(s->buf[1]);
    pcre2_match_data_free(s->md);
    vg_free(s);
}

int vg_sigma_matcher_is_all(const vg_sigma_matcher *m)
{
    return m->all;
}
