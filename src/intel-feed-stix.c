/*
 * intel-feed-stix: STIX 2.1 indicators (format "stix"), read with the project's in-place JSON
 * scanner.
 *
 * Input: a bundle {"type":"bundle","objects":[...]}, a bare array of objects, or objects one
 * after another (the reader splits a top-level array into its elements). Objects other than
 * indicators are not indicators and are not counted, except that inside a bundle an
 * "indicates" relationship from an indicator to a malware, threat-actor, intrusion-set,
 * campaign or tool object gives the indicator's family (the object's name; malware first).
 *
 * An indicator is a record. Revoked ones are counted and skipped. Its pattern (pattern_type
 * absent or "stix") is parsed by a small strict parser of the subset of the STIX patterning
 * grammar that an indicator store can evaluate: observation expressions "[ ... ]" joined by
 * OR (parentheses allowed), each holding comparisons joined by OR, each comparison
 * "object-path = 'string'" on one of the paths of path_kind(). Anything else (AND, NOT, other
 * operators, FOLLOWEDBY, qualifiers, other paths, non-string constants, other pattern types)
 * rejects the whole indicator with the reason and its id: it is loaded whole or not at all,
 * and so is an indicator one of whose values is not a valid indicator.
 *
 * Provenance: family as above (or the feed's); note = name | indicator_types | labels;
 * references = the indicator id and external_references (url, else source_name:external_id);
 * count = confidence (0-100); first seen = valid_from (else created); last seen = modified
 * (else created); expiry = valid_until (intel-compile drops an entry already past it, and
 * counts it as expired).
 */
#include "intel-feed.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intel-feed-internal.h"
#include "util-mem.h"

#define STIX_MAX_ID 128         /* limit: bytes of an indicator id */
#define STIX_MAX_DEPTH 32       /* limit: nested parentheses in a pattern */
#define STIX_MAX_PATH 8         /* limit: components of an object path */
#define STIX_SHOW 60            /* bytes of a pattern piece quoted in a reason */

typedef struct stix_term {
    int kind;                   /* a vg_ind_type or VG_IND_ANY_* kind */
    size_t off, len;            /* the value in stix_state.values */
} stix_term;

typedef struct stix_link {
    const char *src, *dst;      /* raw ids (never escaped) in the document */
    uint32_t src_len, dst_len;
} stix_link;

typedef struct stix_named {
    const char *id;
    uint32_t id_len;
    uint32_t name;              /* token of its name */
    int rank;                   /* 0 malware, 1 other */
} stix_named;

typedef struct stix_state {
    feed_json *js;
    char pattern[VG_STIX_MAX_PATTERN];
    char values[VG_STIX_MAX_PATTERN];   /* the unescaped string constants, NUL-separated */
    stix_term terms[VG_STIX_MAX_TERMS];
    unsigned nterms;
    char id[STIX_MAX_ID];
    char family[VG_FEED_MAX_TEXT];
    char note[VG_FEED_MAX_TEXT];
    feed_refs refs;
    vg_ind check;
    stix_link *links;           /* the current bundle's "indicates" relationships, by source */
    size_t nlinks;
    stix_named *named;          /* its named objects, by id */
    size_t nnamed;
} stix_state;

/* ---- the pattern parser ------------------------------------------------------------------- */

typedef struct pat {
    const char *s;
    size_t n, i;
    stix_state *ss;
    size_t vused;
    int depth;
    int unsupported;            /* the failure is "not supported" (else "invalid") */
    char why[320];
} pat;

static int pat_fail(pat *p, int unsupported, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int pat_fail(pat *p, int unsupported, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->why, sizeof p->why, fmt, ap);
    va_end(ap);
    p->unsupported = unsupported;
    return -1;
}

static void skip_ws(pat *p)
{
    while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r'))
        p->i++;
}

static int is_word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* The word at the current position (letters, digits, '_', '-'), not consumed; its length. */
static size_t peek_word(pat *p, const char **w)
{
    skip_ws(p);
    size_t k = p->i;
    while (k < p->n && is_word_char(p->s[k]))
        k++;
    *w = p->s + p->i;
    return k - p->i;
}

static int word_is(const char *w, size_t n, const char *kw)
{
    return strlen(kw) == n && memcmp(w, kw, n) == 0;
}

/* Consumes the keyword kw if it comes next. */
static int take_word(pat *p, const char *kw)
{
    const char *w;
    size_t n = peek_word(p, &w);
    if (!word_is(w, n, kw))
        return 0;
    p->i += n;
    return 1;
}

static int take_char(pat *p, char c)
{
    skip_ws(p);
    if (p->i < p->n && p->s[p->i] == c) {
        p->i++;
        return 1;
    }
    return 0;
}

/* A string constant '...' (escapes \' and \\) into the values buffer; its offset and length. */
static int string_constant(pat *p, size_t *off, size_t *len)
{
    if (!take_char(p, '\''))
        return pat_fail(p, 0, "expected a quoted string");
    *off = p->vused;
    for (;;) {
        if (p->i >= p->n)
            return pat_fail(p, 0, "string constant is not closed with '");
        char c = p->s[p->i++];
        if (c == '\'')
            break;
        if (c == '\\') {
            if (p->i >= p->n || (p->s[p->i] != '\'' && p->s[p->i] != '\\'))
                return pat_fail(p, 0, "unknown escape in a string constant (only \\' and \\\\)");
            c = p->s[p->i++];
        }
        p->ss->values[p->vused++] = c;      /* never longer than the pattern */
    }
    *len = p->vused - *off;
    p->ss->values[p->vused++] = '\0';
    return 0;
}

/* A component of an object path: an identifier, or a quoted name ('SHA-256'). */
static int path_component(pat *p, const char **c, size_t *n)
{
    if (p->i < p->n && p->s[p->i] == '\'') {
        size_t k = p->i + 1;
        while (k < p->n && p->s[k] != '\'' && p->s[k] != '\\')
            k++;
        if (k >= p->n || p->s[k] != '\'')
            return pat_fail(p, 0, "quoted object path component is not closed");
        *c = p->s + p->i + 1;
        *n = k - p->i - 1;
        p->i = k + 1;
        return 0;
    }
    size_t k = p->i;
    while (k < p->n && ((p->s[k] >= 'a' && p->s[k] <= 'z') || (p->s[k] >= 'A' && p->s[k] <= 'Z') ||
                        (p->s[k] >= '0' && p->s[k] <= '9') || p->s[k] == '_'))
        k++;
    if (k == p->i)
        return pat_fail(p, 0, "expected an object path component");
    *c = p->s + p->i;
    *n = k - p->i;
    p->i = k;
    return 0;
}

/* The kind of the values an object path compares (0 when vigil cannot evaluate it). '/'
 * decides addresses and networks later (VG_IND_IPV4 stands for both). */
static int path_kind(pat *p, const char *type, size_t tn, const char **comp, const size_t *cn, int nc)
{
#define IS(s, n, lit) word_is(s, n, lit)
    if (nc == 1 && IS(comp[0], cn[0], "value")) {
        if (IS(type, tn, "ipv4-addr"))
            return VG_IND_IPV4;
        if (IS(type, tn, "ipv6-addr"))
            return VG_IND_IPV6;
        if (IS(type, tn, "domain-name"))
            return VG_IND_DOMAIN;
        if (IS(type, tn, "url"))
            return VG_IND_URL;
        if (IS(type, tn, "email-addr"))
            return VG_IND_EMAIL;
    }
    if (nc == 1 && IS(type, tn, "user-account") && (IS(comp[0], cn[0], "user_id") || IS(comp[0], cn[0], "account_login")))
        return VG_IND_ACCOUNT;
    if (nc == 2 && IS(type, tn, "network-traffic") && (IS(comp[0], cn[0], "dst_ref") || IS(comp[0], cn[0], "src_ref")) &&
        IS(comp[1], cn[1], "value"))
        return VG_IND_ANY_IP;
    if (nc == 2 && IS(type, tn, "file") && IS(comp[0], cn[0], "hashes")) {
        static const struct { const char *name; int kind; } algs[] = {
            { "MD5", VG_IND_MD5 }, { "SHA-1", VG_IND_SHA1 }, { "SHA1", VG_IND_SHA1 },
            { "SHA-256", VG_IND_SHA256 }, { "SHA256", VG_IND_SHA256 },
        };
        for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++)
            if (strlen(algs[i].name) == cn[1] && strncasecmp(algs[i].name, comp[1], cn[1]) == 0)
                return algs[i].kind;
        pat_fail(p, 1, "hash algorithm '%.*s' (vigil holds MD5, SHA-1 and SHA-256)", (int)(cn[1] > 32 ? 32 : cn[1]),
                 comp[1]);
        return 0;
    }
#undef IS
    return 0;
}

/* A comparison: object-path = 'string'. */
static int comparison(pat *p)
{
    skip_ws(p);
    size_t start = p->i;
    const char *type;
    size_t tn = peek_word(p, &type);
    if (word_is(type, tn, "NOT") || word_is(type, tn, "EXISTS"))
        return pat_fail(p, 1, "%.*s (only equality comparisons are evaluated)", (int)tn, type);
    p->i += tn;
    if (tn == 0 || p->i >= p->n || p->s[p->i] != ':')
        return pat_fail(p, 0, "expected an object path (object-type:property)");
    p->i++;
    const char *comp[STIX_MAX_PATH];
    size_t cn[STIX_MAX_PATH];
    int nc = 0;
    for (;;) {
        if (nc == STIX_MAX_PATH)
            return pat_fail(p, 1, "object path of more than %d components", STIX_MAX_PATH);
        if (path_component(p, &comp[nc], &cn[nc]) != 0)
            return -1;
        nc++;
        if (p->i < p->n && p->s[p->i] == '[')
            return pat_fail(p, 1, "list index in object path '%.*s'", (int)(p->i - start > STIX_SHOW ? STIX_SHOW : p->i - start),
                            p->s + start);
        if (p->i < p->n && p->s[p->i] == '.') {
            p->i++;
            continue;
        }
        break;
    }
    size_t path_len = p->i - start;
    int kind = path_kind(p, type, tn, comp, cn, nc);
    if (!kind) {
        if (p->why[0])
            return -1;
        return pat_fail(p, 1, "object path '%.*s' (vigil evaluates ipv4-addr:value, ipv6-addr:value, domain-name:value, "
                        "url:value, email-addr:value, file:hashes.MD5/SHA-1/SHA-256, user-account:user_id/account_login, "
                        "network-traffic:dst_ref.value/src_ref.value)", (int)(path_len > STIX_SHOW ? STIX_SHOW : path_len),
                        p->s + start);
    }
    skip_ws(p);
    const char *w;
    size_t wn = peek_word(p, &w);
    if (p->i < p->n && p->s[p->i] == '=') {
        p->i++;
    } else if (p->i < p->n && strchr("!<>", p->s[p->i]) && p->s[p->i]) {
        size_t k = p->i + (p->i + 1 < p->n && p->s[p->i + 1] == '=' ? 2 : 1);
        return pat_fail(p, 1, "operator '%.*s' (only '=' is evaluated)", (int)(k - p->i), p->s + p->i);
    } else if (word_is(w, wn, "NOT") || word_is(w, wn, "LIKE") || word_is(w, wn, "MATCHES") || word_is(w, wn, "IN") ||
               word_is(w, wn, "ISSUBSET") || word_is(w, wn, "ISSUPERSET")) {
        return pat_fail(p, 1, "operator %.*s (only '=' is evaluated)", (int)wn, w);
    } else {
        return pat_fail(p, 0, "expected a comparison operator after the object path");
    }
    skip_ws(p);
    if (p->i >= p->n || p->s[p->i] != '\'')
        return pat_fail(p, 1, "a constant that is not a string (only string comparisons are evaluated)");
    if (p->ss->nterms == VG_STIX_MAX_TERMS)
        return pat_fail(p, 1, "more than %d comparisons", VG_STIX_MAX_TERMS);
    stix_term *t = &p->ss->terms[p->ss->nterms];
    if (string_constant(p, &t->off, &t->len) != 0)
        return -1;
    const char *v = p->ss->values + t->off;
    int net = memchr(v, '/', t->len) != NULL;
    t->kind = kind == VG_IND_IPV4 ? (net ? VG_IND_CIDR4 : VG_IND_IPV4)
            : kind == VG_IND_IPV6 ? (net ? VG_IND_CIDR6 : VG_IND_IPV6)
            : kind == VG_IND_ANY_IP && net ? VG_IND_ANY_CIDR : kind;
    p->ss->nterms++;
    return 0;
}

static int observation_or(pat *p);

/* Comparisons joined by OR (inside brackets), with parentheses. */
static int comparison_or(pat *p)
{
    for (;;) {
        if (take_char(p, '(')) {
            if (++p->depth > STIX_MAX_DEPTH)
                return pat_fail(p, 0, "parentheses nested more than %d deep", STIX_MAX_DEPTH);
            if (comparison_or(p) != 0)
                return -1;
            p->depth--;
            if (!take_char(p, ')'))
                return pat_fail(p, 0, "expected ')'");
        } else if (comparison(p) != 0) {
            return -1;
        }
        if (take_word(p, "AND"))
            return pat_fail(p, 1, "AND (an indicator store holds single values; every comparison would have to hold)");
        if (!take_word(p, "OR"))
            return 0;
    }
}

/* Qualifiers after an observation expression. */
static int no_qualifier(pat *p)
{
    static const char *const quals[] = { "WITHIN", "REPEATS", "START", "STOP" };
    const char *w;
    size_t n = peek_word(p, &w);
    for (size_t i = 0; i < sizeof quals / sizeof quals[0]; i++)
        if (word_is(w, n, quals[i]))
            return pat_fail(p, 1, "qualifier %s (observations over time are not evaluated)", quals[i]);
    return 0;
}

/* One observation expression: [ comparisons ], or ( observations ). */
static int observation(pat *p)
{
    if (take_char(p, '[')) {
        if (comparison_or(p) != 0)
            return -1;
        if (!take_char(p, ']'))
            return pat_fail(p, 0, "expected ']'");
    } else if (take_char(p, '(')) {
        if (++p->depth > STIX_MAX_DEPTH)
            return pat_fail(p, 0, "parentheses nested more than %d deep", STIX_MAX_DEPTH);
        if (observation_or(p) != 0)
            return -1;
        p->depth--;
        if (!take_char(p, ')'))
            return pat_fail(p, 0, "expected ')'");
    } else {
        return pat_fail(p, 0, "expected '[' (an observation expression)");
    }
    return no_qualifier(p);
}

/* Observation expressions joined by OR. */
static int observation_or(pat *p)
{
    for (;;) {
        if (observation(p) != 0)
            return -1;
        if (take_word(p, "AND"))
            return pat_fail(p, 1, "AND between observations (both would have to be seen)");
        if (take_word(p, "FOLLOWEDBY"))
            return pat_fail(p, 1, "FOLLOWEDBY (a sequence of observations)");
        if (!take_word(p, "OR"))
            return 0;
    }
}

/* Parses ss->pattern[0..n) into ss->terms; -1 with the reason in p->why. */
static int parse_pattern(stix_state *ss, size_t n, pat *p)
{
    memset(p, 0, sizeof *p);
    p->s = ss->pattern;
    p->n = n;
    p->ss = ss;
    ss->nterms = 0;
    if (observation_or(p) != 0)
        return -1;
    skip_ws(p);
    if (p->i < p->n)
        return pat_fail(p, 0, "unexpected text at offset %zu", p->i);
    return 0;
}

/* ---- bundles: relationships and named objects ---------------------------------------------- */

/* The raw text of a string member that holds no escapes; NULL otherwise. */
static const char *raw_member(feed_json *js, int obj, const char *key, uint32_t *n)
{
    int i = feed_json_member(js, obj, key);
    if (feed_json_type(js, i) != VG_JSON_STRING || (js->doc.toks[i].flags & VG_JSON_ESCAPED))
        return NULL;
    vg_value v = vg_json_value(&js->doc, (uint32_t)i);
    *n = v.len;
    return v.ptr;
}

static int raw_cmp(const char *a, uint32_t an, const char *b, uint32_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    return c ? c : an < bn ? -1 : an > bn;
}

static int link_cmp(const void *a, const void *b)
{
    const stix_link *x = a, *y = b;
    return raw_cmp(x->src, x->src_len, y->src, y->src_len);
}

static int named_cmp(const void *a, const void *b)
{
    const stix_named *x = a, *y = b;
    return raw_cmp(x->id, x->id_len, y->id, y->id_len);
}

static int type_is(feed_json *js, int obj, const char *type)
{
    int t = feed_json_member(js, obj, "type");
    if (feed_json_type(js, t) != VG_JSON_STRING)
        return 0;
    vg_value v = vg_json_value(&js->doc, (uint32_t)t);
    return vg_json_string_equals(v.ptr, v.len, v.flags, type, strlen(type));
}

/* Indexes the "indicates" relationships and the named objects of the bundle's objects. */
static vg_rc index_bundle(stix_state *ss, int objects, vg_error *err)
{
    static const char *const named_types[] = { "malware", "threat-actor", "intrusion-set", "campaign", "tool" };
    feed_json *js = ss->js;
    size_t n = 0;
    FEED_JSON_EACH(js, objects, o)
        n++;
    ss->links = vg_malloc((n ? n : 1) * sizeof *ss->links);
    ss->named = vg_malloc((n ? n : 1) * sizeof *ss->named);
    if (!ss->links || !ss->named)
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    FEED_JSON_EACH(js, objects, o) {
        stix_link *l = &ss->links[ss->nlinks];
        if (type_is(js, (int)o, "relationship")) {
            uint32_t rn;
            const char *rel = raw_member(js, (int)o, "relationship_type", &rn);
            if (rel && rn == 9 && memcmp(rel, "indicates", 9) == 0 &&
                (l->src = raw_member(js, (int)o, "source_ref", &l->src_len)) != NULL &&
                (l->dst = raw_member(js, (int)o, "target_ref", &l->dst_len)) != NULL)
                ss->nlinks++;
            continue;
        }
        for (size_t t = 0; t < sizeof named_types / sizeof named_types[0]; t++) {
            stix_named *d = &ss->named[ss->nnamed];
            int name = feed_json_member(js, (int)o, "name");
            if (type_is(js, (int)o, named_types[t]) && feed_json_type(js, name) == VG_JSON_STRING &&
                (d->id = raw_member(js, (int)o, "id", &d->id_len)) != NULL) {
                d->name = (uint32_t)name;
                d->rank = t == 0 ? 0 : 1;
                ss->nnamed++;
                break;
            }
        }
    }
    qsort(ss->links, ss->nlinks, sizeof *ss->links, link_cmp);
    qsort(ss->named, ss->nnamed, sizeof *ss->named, named_cmp);
    return VG_OK;
}

static void index_free(stix_state *ss)
{
    vg_free(ss->links);
    vg_free(ss->named);
    ss->links = NULL;
    ss->named = NULL;
    ss->nlinks = ss->nnamed = 0;
}

/* The family of indicator id from the bundle's relationships into ss->family; 0 or -1. */
static int related_family(stix_state *ss, const char *id, uint32_t idn)
{
    if (!ss->nlinks)
        return -1;
    stix_link key = { id, NULL, idn, 0 };
    stix_link *l = bsearch(&key, ss->links, ss->nlinks, sizeof *ss->links, link_cmp);
    if (!l)
        return -1;
    while (l > ss->links && link_cmp(l - 1, &key) == 0)
        l--;
    const stix_named *best = NULL;
    for (; l < ss->links + ss->nlinks && link_cmp(l, &key) == 0; l++) {
        stix_named nk = { l->dst, l->dst_len, 0, 0 };
        const stix_named *d = bsearch(&nk, ss->named, ss->nnamed, sizeof *ss->named, named_cmp);
        if (d && (!best || d->rank < best->rank))
            best = d;
    }
    size_t n;
    const char *name = best ? feed_json_string(ss->js, (int)best->name, &n) : NULL;
    return name && feed_text(name, n, ss->family) == 0 ? 0 : -1;
}

/* ---- indicators --------------------------------------------------------------------------- */

/* A timestamp member; 0 (absent: *out = 0) or -1. */
static int member_time(feed_json *js, int obj, const char *key, int64_t *out)
{
    int i = feed_json_member(js, obj, key);
    size_t n;
    *out = 0;
    if (i < 0)
        return 0;
    const char *s = feed_json_string(js, i, &n);
    return s && feed_date(s, n, out) == 0 ? 0 : -1;
}

/* note = name | indicator_types | labels */
static void indicator_note(stix_state *ss, int o)
{
    feed_json *js = ss->js;
    size_t len = 0;
    ss->note[0] = '\0';
    feed_json_note(js, feed_json_member(js, o, "name"), ss->note, &len, " | ");
    static const char *const lists[] = { "indicator_types", "labels" };
    for (int k = 0; k < 2; k++) {
        int a = feed_json_member(js, o, lists[k]);
        if (feed_json_type(js, a) != VG_JSON_ARRAY)
            continue;
        FEED_JSON_EACH(js, a, i)
            feed_json_note(js, (int)i, ss->note, &len, " | ");
    }
}

/* references = the id, then each external reference's url (else source_name:external_id). */
static void indicator_refs(stix_state *ss, int o)
{
    feed_json *js = ss->js;
    ss->refs.used = 0;
    ss->refs.n = 0;
    feed_refs_add(&ss->refs, ss->id, strlen(ss->id));
    int a = feed_json_member(js, o, "external_references");
    if (feed_json_type(js, a) != VG_JSON_ARRAY)
        return;
    FEED_JSON_EACH(js, a, i) {
        size_t n, m;
        const char *s = feed_json_member_string(js, (int)i, "url", &n);
        if (s) {
            feed_refs_add(&ss->refs, s, n);
            continue;
        }
        char ref[2 * VG_FEED_MAX_TEXT];
        s = feed_json_member_string(js, (int)i, "source_name", &n);
        if (!s || n >= VG_FEED_MAX_TEXT)
            continue;
        memcpy(ref, s, n);
        ref[n] = ':';
        s = feed_json_member_string(js, (int)i, "external_id", &m);
        if (s && m < VG_FEED_MAX_TEXT) {
            memcpy(ref + n + 1, s, m);
            feed_refs_add(&ss->refs, ref, n + 1 + m);
        }
    }
}

static vg_rc indicator(feed_ctx *fc, stix_state *ss, uint32_t o)
{
    feed_json *js = ss->js;
    uint64_t line = feed_json_line(js, o);
    fc->st->records++;
    size_t n;
    const char *s = feed_json_member_string(js, (int)o, "id", &n);
    if (!s || n < 12 || n >= sizeof ss->id || memcmp(s, "indicator--", 11) != 0 || feed_text(s, n, ss->id) != 0) {
        feed_reject(fc, line, "indicator has no \"id\" (indicator--UUID)");
        return VG_OK;
    }
    int t = feed_json_member(js, (int)o, "revoked");
    vg_json_type rt = feed_json_type(js, t);
    if (rt != VG_JSON_NONE && rt != VG_JSON_TRUE && rt != VG_JSON_FALSE) {
        feed_reject(fc, line, "%s: \"revoked\" is not true or false", ss->id);
        return VG_OK;
    }
    if (rt == VG_JSON_TRUE) {
        fc->st->revoked++;
        return VG_OK;
    }
    s = feed_json_member_string(js, (int)o, "pattern_type", &n);
    if (feed_json_member(js, (int)o, "pattern_type") >= 0 && (!s || strcmp(s, "stix") != 0)) {
        feed_reject(fc, line, "%s: pattern not supported: pattern_type '%.32s' (only stix patterns are evaluated)", ss->id,
                    s ? s : "?");
        return VG_OK;
    }
    vg_feed_prov prov;
    feed_prov_init(fc, &prov, line);
    static const char *const times[] = { "created", "modified", "valid_from", "valid_until" };
    int64_t tv[4];
    for (int i = 0; i < 4; i++) {
        if (member_time(js, (int)o, times[i], &tv[i]) != 0) {
            feed_reject(fc, line, "%s: \"%s\" is not an RFC 3339 time", ss->id, times[i]);
            return VG_OK;
        }
    }
    if (tv[3] && tv[2] && tv[3] <= tv[2]) {
        feed_reject(fc, line, "%s: valid_until is not after valid_from", ss->id);
        return VG_OK;
    }
    int c = feed_json_member(js, (int)o, "confidence");
    if (c >= 0) {
        vg_value v = vg_json_value(&js->doc, (uint32_t)c);
        if (v.type != VG_JSON_NUMBER || feed_count(v.ptr, v.len, &prov.count) != 0 || prov.count > 100) {
            feed_reject(fc, line, "%s: \"confidence\" is not a whole number from 0 to 100", ss->id);
            return VG_OK;
        }
    }
    int pi = feed_json_member(js, (int)o, "pattern");
    vg_value pv = pi >= 0 ? vg_json_value(&js->doc, (uint32_t)pi) : (vg_value){ 0, 0, 0, NULL };
    if (pv.type != VG_JSON_STRING || pv.len >= sizeof ss->pattern) {
        feed_reject(fc, line, "%s: no \"pattern\" string of at most %zu bytes", ss->id, sizeof ss->pattern - 1);
        return VG_OK;
    }
    pat p;
    if (parse_pattern(ss, vg_json_unescape(pv.ptr, pv.len, ss->pattern), &p) != 0) {
        feed_reject(fc, line, "%s: pattern %s: %s", ss->id, p.unsupported ? "not supported" : "is invalid", p.why);
        return VG_OK;
    }
    for (unsigned i = 0; i < ss->nterms; i++) {
        vg_error e;
        const stix_term *term = &ss->terms[i];
        if (vg_ind_parse(term->kind, ss->values + term->off, term->len, &ss->check, &e) != VG_OK) {
            feed_reject(fc, line, "%s: '%.*s%s': %s (the indicator is not loaded)", ss->id,
                        (int)(term->len > STIX_SHOW ? STIX_SHOW : term->len), ss->values + term->off,
                        term->len > STIX_SHOW ? "..." : "", e.msg);
            return VG_OK;
        }
    }
    if (!fc->opts->family && related_family(ss, ss->id, (uint32_t)strlen(ss->id)) == 0)
        prov.family = ss->family;
    indicator_note(ss, (int)o);
    prov.note = ss->note;
    indicator_refs(ss, (int)o);
    feed_refs_to_prov(&ss->refs, &prov);
    prov.first_seen = tv[2] ? tv[2] : tv[0];
    prov.last_seen = tv[1] ? tv[1] : tv[0];
    prov.expires = tv[3];
    vg_rc rc = VG_OK;
    for (unsigned i = 0; !rc && i < ss->nterms; i++)
        rc = feed_value(fc, ss->terms[i].kind, ss->values + ss->terms[i].off, ss->terms[i].len, &prov, NULL, NULL);
    return rc;
}

/* One STIX object (token o): indicators are read, other objects are context. */
static vg_rc object(feed_ctx *fc, stix_state *ss, uint32_t o)
{
    feed_json *js = ss->js;
    if (feed_json_type(js, (int)o) != VG_JSON_OBJECT ||
        feed_json_type(js, feed_json_member(js, (int)o, "type")) != VG_JSON_STRING) {
        feed_reject(fc, feed_json_line(js, o), "not a STIX object (an object with a \"type\")");
        return VG_OK;
    }
    return type_is(js, (int)o, "indicator") ? indicator(fc, ss, o) : VG_OK;
}

static vg_rc record(feed_ctx *fc, stix_state *ss, vg_error *err)
{
    feed_json *js = ss->js;
    if (feed_json_type(js, 0) != VG_JSON_OBJECT || !type_is(js, 0, "bundle"))
        return object(fc, ss, 0);
    int objects = feed_json_member(js, 0, "objects");
    if (feed_json_type(js, objects) != VG_JSON_ARRAY) {
        if (objects >= 0)   /* a bundle without objects holds nothing */
            feed_reject(fc, js->first_line, "bundle's \"objects\" is not an array");
        return VG_OK;
    }
    vg_rc rc = index_bundle(ss, objects, err);
    FEED_JSON_EACH(js, objects, o) {
        if (rc)
            break;
        rc = object(fc, ss, o);
    }
    index_free(ss);
    return rc;
}

vg_rc feed_parse_stix(feed_ctx *fc, vg_reader *r, vg_error *err)
{
    stix_state *ss = vg_calloc(1, sizeof *ss);
    if (!ss || !(ss->js = feed_json_new(fc->opts, err))) {
        vg_free(ss);
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    }
    ss->js->count_records = 0;      /* indicators are the records */
    vg_record rec;
    vg_rc rc;
    while ((rc = feed_json_next(fc, ss->js, r, &rec, err)) == VG_OK && (rc = record(fc, ss, err)) == VG_OK)
        ;
    feed_json_free(ss->js);
    vg_free(ss);
    return rc == VG_END ? VG_OK : rc;
}
