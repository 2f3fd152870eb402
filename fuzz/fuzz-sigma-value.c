/*
 * fuzz-sigma-value: compiling and matching Sigma value conditions (sigma-value).
 *
 * Input layout: byte 0 = number of modifiers (mod 6), then one byte per modifier (mod the
 * modifier count), then one byte of value types (2 bits per value: string, number, bool,
 * null), then NUL-separated parts: 1-3 values and, last, the field. A field that scans as JSON
 * is given as that JSON value (so strings arrive escaped, arrays as arrays), else as a plain
 * string. Invariants checked beyond "no crash, no sanitizer report":
 *   - compile errors have a reason; match returns MATCH, NOMATCH or UNDECIDED only;
 *   - the keyword matcher agrees with the field matcher given contains (same values);
 *   - case-insensitive text matchers give the same answer on the field with its ASCII letters
 *     lowercased, and a cased matcher never matches where the caseless one does not;
 *   - for plain wildcard conditions (contains/startswith/endswith/cased only, one value), the
 *     answer equals a separate dynamic-programming matcher written from the specification's
 *     escape rules (no backtracking shortcuts shared with the module);
 *   - fieldref against the field's own text with its ASCII letters in the other case is
 *     equal, unless cased and the text has letters;
 *   - the literals handed to the fast engine hold on a plain string field (not a number
 *     written in another form): when necessary, a match has one of them in the (folded) field;
 *     when literal, they decide the answer (every group's, with all).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "sigma-value-internal.h"
#include "util-casefold.h"
#include "util-utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MAX 4096

/* s[0..n) with every valid code point case folded, re-encoded (invalid bytes kept) into out. */
static size_t fold_bytes(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        const unsigned char *p = (const unsigned char *)s + i;
        int len = vg_utf8_seq(p, (const unsigned char *)s + n);
        if (len <= 0) {
            out[o++] = (char)*p;
            i++;
            continue;
        }
        o += (size_t)vg_utf8_encode(vg_casefold(vg_utf8_decode(p, len)), out + o);
        i += (size_t)len;
    }
    return o;
}

/* Does literal l occur in t[0..n) where its anchors say? */
static int literal_in(const vg_sigma_literal *l, const char *t, size_t n)
{
    if (l->len > n)
        return 0;
    if ((l->flags & VG_SIGMA_PAT_START) && (l->flags & VG_SIGMA_PAT_END))
        return l->len == n && memcmp(t, l->bytes, n) == 0;
    if (l->flags & VG_SIGMA_PAT_START)
        return memcmp(t, l->bytes, l->len) == 0;
    if (l->flags & VG_SIGMA_PAT_END)
        return memcmp(t + n - l->len, l->bytes, l->len) == 0;
    return memmem(t, n, l->bytes, l->len) != NULL;
}

/* What m's literals say of the plain text s: 1 when one literal of some group (of every group
 * with all) occurs, 0 when not, -1 when they cannot be checked here (expressions). */
static int literal_answer(const vg_sigma_matcher *m, const char *s, size_t n)
{
    static char folded[FZ_MAX * 4];
    const vg_sigma_literal *lits;
    size_t nl = vg_sigma_matcher_literals(m, &lits);
    size_t fn = fold_bytes(s, n, folded);
    uint64_t hit = 0;
    for (size_t i = 0; i < nl; i++) {
        if (lits[i].flags & VG_SIGMA_PAT_REGEX)
            return -1;
        int caseless = (lits[i].flags & VG_SIGMA_PAT_CASELESS) != 0;
        if (lits[i].group < 64 && literal_in(&lits[i], caseless ? folded : s, caseless ? fn : n))
            hit |= 1ull << lits[i].group;
    }
    if (!m->all)
        return hit != 0;
    if (m->ngroups > 64)
        return -1;
    uint64_t every = m->ngroups == 64 ? ~0ull : (1ull << m->ngroups) - 1;
    return (hit & every) == every;
}


static const char *const ph_a[] = { "x*", "y\\?" };
static const char *const ph_b[] = { "" };
static const vg_sigma_placeholder ph_items[] = { { "a", ph_a, 2 }, { "b", ph_b, 1 } };
static const vg_sigma_placeholders ph = { ph_items, 2 };

/* The other field of a fieldref oracle: ctx's text with its ASCII letters in the other case. */
typedef struct swapped_text {
    const char *s;
    size_t n;
} swapped_text;

static vg_value swapped_other(void *ctx, const char *name, size_t len)
{
    static char buf[8192 + 8];
    const swapped_text *t = ctx;
    (void)name;
    (void)len;
    for (size_t i = 0; i < t->n; i++) {
        char c = t->s[i];
        buf[i] = (char)((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ? c ^ 32 : c);
    }
    return (vg_value){ VG_JSON_STRING, VG_VALUE_PLAIN, (uint32_t)t->n, buf };
}

static vg_value no_other(void *ctx, const char *name, size_t len)
{
    (void)ctx;
    (void)name;
    (void)len;
    return (vg_value){ VG_JSON_NONE, 0, 0, NULL };
}

/* Units of s (code points, or 0x110000 + byte for invalid UTF-8), optionally folded. */
static size_t to_units(const char *s, size_t n, int fold, uint32_t *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        const unsigned char *p = (const unsigned char *)s + i;
        int len = vg_utf8_seq(p, (const unsigned char *)s + n);
        uint32_t cp;
        if (len <= 0) {
            cp = 0x110000u + *p;
            len = 1;
        } else {
            static const unsigned char mask[5] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
            cp = p[0] & mask[len];
            for (int j = 1; j < len; j++)
                cp = cp << 6 | (p[j] & 0x3f);
            if (fold)
                cp = vg_casefold(cp);
        }
        out[k++] = cp;
        i += (size_t)len;
    }
    return k;
}

#define R_STAR 0xFFFFFFFFu
#define R_ANY 0xFFFFFFFEu

/* The Escape Character rules, read again: \* \? \\ are literal; any other backslash stays. */
static size_t ref_parse(const uint32_t *v, size_t n, uint32_t *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '\\' && i + 1 < n && (v[i + 1] == '*' || v[i + 1] == '?' || v[i + 1] == '\\'))
            out[k++] = v[++i];
        else
            out[k++] = v[i] == '*' ? R_STAR : v[i] == '?' ? R_ANY : v[i];
    }
    return k;
}

/* Plain dynamic programming: does pattern p match all of t? */
static int ref_match(const uint32_t *p, size_t pn, const uint32_t *t, size_t tn)
{
    static unsigned char row[FZ_MAX + 1], next[FZ_MAX + 1];
    /* row[j]: p[0..i) matches t[0..j) */
    memset(row, 0, tn + 1);
    row[0] = 1;
    for (size_t i = 0; i < pn; i++) {
        memset(next, 0, tn + 1);
        for (size_t j = 0; j <= tn; j++) {
            if (p[i] == R_STAR)
                next[j] = row[j] || (j > 0 && next[j - 1]);
            else if (j > 0 && row[j - 1] && (p[i] == R_ANY || p[i] == t[j - 1]))
                next[j] = 1;
        }
        memcpy(row, next, tn + 1);
    }
    return row[tn];
}

static int plain_mods_only(const vg_sigma_mod *mods, size_t n, int *cased, int *pre, int *post)
{
    *cased = *pre = *post = 0;
    for (size_t i = 0; i < n; i++) {
        switch (mods[i]) {
        case VG_SIGMA_MOD_CASED: *cased = 1; break;
        case VG_SIGMA_MOD_CONTAINS: *pre = *post = 1; break;
        case VG_SIGMA_MOD_STARTSWITH: *post = 1; break;
        case VG_SIGMA_MOD_ENDSWITH: *pre = 1; break;
        default: return 0;
        }
    }
    return 1;
}

static void check_reference(const vg_sigma_matcher *m, const vg_sigma_mod *mods, size_t nmods,
                            const vg_sigma_raw *val, const char *s, size_t n, int got)
{
    static uint32_t vu[FZ_MAX], pu[FZ_MAX + 2], tu[FZ_MAX];
    int cased, pre, post;
    if (!plain_mods_only(mods, nmods, &cased, &pre, &post) || val->type != VG_SIGMA_V_STRING ||
        val->len >= FZ_MAX || n > FZ_MAX || m->groups[0].alts[0].has_num || got < 0)
        return;
    size_t vn = to_units(val->text, val->len, !cased, vu);
    size_t pn = 0;
    if (pre)
        pu[pn++] = R_STAR;
    pn += ref_parse(vu, vn, pu + pn);
    if (post)
        pu[pn++] = R_STAR;
    size_t tn = to_units(s, n, !cased, tu);
    if ((tn + 1) * (pn + 1) > 2000000)
        return;
    if (ref_match(pu, pn, tu, tn) != got)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static vg_json_doc doc;
    static vg_sigma_scratch *scratch;
    static char parts_buf[8192 + 8], lower[8192 + 8];
    if (!scratch) {
        scratch = vg_sigma_scratch_new(8192);
        if (!scratch || vg_json_doc_init(&doc, 4096, 32))
            abort();
    }
    if (size < 3 || size > 8192)
        return 0;
    size_t pos = 0;
    size_t nmods = data[pos++] % 6;
    if (size < pos + nmods + 1)
        return 0;
    vg_sigma_mod mods[8];
    for (size_t i = 0; i < nmods; i++)
        mods[i] = (vg_sigma_mod)(data[pos++] % VG_SIGMA_NMODS);
    unsigned types = data[pos++];
    /* split the rest at NUL bytes into NUL-terminated parts */
    size_t rest = size - pos;
    memcpy(parts_buf, data + pos, rest);
    parts_buf[rest] = 0;
    const char *part[4];
    size_t plen[4], np = 0, start = 0;
    for (size_t i = 0; i <= rest && np < 4; i++)
        if (i == rest || parts_buf[i] == 0) {
            part[np] = parts_buf + start;
            plen[np++] = i - start;
            start = i + 1;
        }
    if (np < 2)
        return 0;
    size_t nvalues = np - 1;
    vg_sigma_raw vals[3];
    for (size_t i = 0; i < nvalues; i++) {
        static const vg_sigma_vtype vt[4] = { VG_SIGMA_V_STRING, VG_SIGMA_V_NUMBER, VG_SIGMA_V_BOOL, VG_SIGMA_V_NULL };
        vals[i] = (vg_sigma_raw){ vt[(types >> (2 * i)) & 3], part[i], plen[i], 1 };
        if (vals[i].type == VG_SIGMA_V_BOOL) {
            vals[i].text = plen[i] & 1 ? "true" : "false";
            vals[i].len = strlen(vals[i].text);
        }
        if (vals[i].type == VG_SIGMA_V_NULL) {
            vals[i].text = "";
            vals[i].len = 0;
        }
    }
    const char *ftext = part[np - 1];
    size_t flen = plen[np - 1];
    vg_value field = { VG_JSON_STRING, VG_VALUE_PLAIN, (uint32_t)flen, ftext };
    size_t end;
    vg_error err;
    if (flen && vg_json_parse(&doc, ftext, flen, 0, &end, &err) == VG_OK && end == flen)
        field = vg_json_value(&doc, 0);
    else if (flen == 1 && ftext[0] == '~')
        field = (vg_value){ VG_JSON_NONE, 0, 0, NULL };

    vg_sigma_matcher *m = NULL;
    vg_error_clear(&err);
    vg_rc rc = vg_sigma_matcher_compile(mods, nmods, vals, nvalues, &ph, &m, &err);
    if (rc != VG_OK) {
        if (m || !err.msg[0])
            abort();
        return 0;
    }
    int got = vg_sigma_matcher_match(m, &field, no_other, NULL, scratch);
    if (got < -1 || got > 1)
        abort();
    const vg_sigma_literal *lits;
    size_t nl = vg_sigma_matcher_literals(m, &lits);
    for (size_t i = 0; i < nl; i++)
        if (lits[i].group >= nvalues || (lits[i].len && !lits[i].bytes))
            abort();

    /* plain string fields: the ASCII-lowercase and reference oracles */
    if (field.type == VG_JSON_STRING && (field.flags & VG_VALUE_PLAIN) && m->kind == SV_TEXT && !m->encoded) {
        for (size_t i = 0; i < flen; i++)
            lower[i] = ftext[i] >= 'A' && ftext[i] <= 'Z' ? (char)(ftext[i] + 32) : ftext[i];
        vg_value lf = { VG_JSON_STRING, VG_VALUE_PLAIN, (uint32_t)flen, lower };
        int lgot = vg_sigma_matcher_match(m, &lf, no_other, NULL, scratch);
        if (m->caseless && lgot != got)
            abort();
        if (nvalues == 1)
            check_reference(m, mods, nmods, &vals[0], ftext, flen, got);
    }
    /* fieldref against the field's own text in the other case: equal caseless, and cased
     * when the text has no ASCII letter (with letters, a number such as 1e5 may still equal) */
    int fieldref = 0, other_mod = 0;
    for (size_t i = 0; i < nmods; i++) {
        fieldref |= mods[i] == VG_SIGMA_MOD_FIELDREF;
        other_mod |= mods[i] != VG_SIGMA_MOD_FIELDREF && mods[i] != VG_SIGMA_MOD_CASED;
    }
    if (fieldref && !other_mod && nvalues == 1 && field.type == VG_JSON_STRING && (field.flags & VG_VALUE_PLAIN) &&
        flen < sizeof lower) {
        int cased = 0, letters = 0;
        for (size_t i = 0; i < nmods; i++)
            cased |= mods[i] == VG_SIGMA_MOD_CASED;
        for (size_t i = 0; i < flen; i++)
            letters |= (ftext[i] >= 'A' && ftext[i] <= 'Z') || (ftext[i] >= 'a' && ftext[i] <= 'z');
        swapped_text t = { ftext, flen };
        if (!(cased && letters) && vg_sigma_matcher_match(m, &field, swapped_other, &t, scratch) != 1)
            abort();
    }
    /* the keyword matcher equals the field matcher with contains added */
    if (m->kind == SV_TEXT && field.type == VG_JSON_STRING && (field.flags & VG_VALUE_PLAIN) && nmods < 5) {
        int has_pos = 0;
        for (size_t i = 0; i < nmods; i++)
            has_pos |= mods[i] == VG_SIGMA_MOD_CONTAINS || mods[i] == VG_SIGMA_MOD_STARTSWITH ||
                       mods[i] == VG_SIGMA_MOD_ENDSWITH || mods[i] == VG_SIGMA_MOD_EXPAND ||
                       mods[i] == VG_SIGMA_MOD_NEQ;
        vg_sigma_matcher *k = NULL, *c = NULL;
        vg_sigma_mod cm[8];
        memcpy(cm, mods, nmods * sizeof *mods);
        cm[nmods] = VG_SIGMA_MOD_CONTAINS;
        if (!has_pos && !m->encoded && vg_sigma_keyword_compile(mods, nmods, vals, nvalues, &ph, &k, &err) == VG_OK &&
            vg_sigma_matcher_compile(cm, nmods + 1, vals, nvalues, &ph, &c, &err) == VG_OK) {
            int a = vg_sigma_keyword_match(k, ftext, flen, scratch);
            int b = vg_sigma_matcher_match(c, &field, no_other, NULL, scratch);
            if (a != b)
                abort();
        }
        vg_sigma_matcher_free(k);
        vg_sigma_matcher_free(c);
    }
    /* the literals of the fast engine: necessary and, when literal, exact */
    if (field.type == VG_JSON_STRING && (field.flags & VG_VALUE_PLAIN) && got >= 0 &&
        vg_sigma_matcher_is_necessary(m) && !vg_sigma_number_other_form(ftext, flen)) {
        int lit = literal_answer(m, ftext, flen);
        if (lit >= 0 && ((got == 1 && lit == 0) || (vg_sigma_matcher_is_literal(m) && got != lit)))
            abort();
    }
    /* cased never matches more than caseless */
    if (m->kind == SV_TEXT && !m->caseless && !m->neq && got == 1 && nmods < 6) {
        vg_sigma_mod um[8];
        size_t un = 0;
        for (size_t i = 0; i < nmods; i++)
            if (mods[i] != VG_SIGMA_MOD_CASED)
                um[un++] = mods[i];
        vg_sigma_matcher *u = NULL;
        if (vg_sigma_matcher_compile(um, un, vals, nvalues, &ph, &u, &err) == VG_OK &&
            vg_sigma_matcher_match(u, &field, no_other, NULL, scratch) == 0)
            abort();
        vg_sigma_matcher_free(u);
    }
    vg_sigma_matcher_free(m);
    return 0;
}
