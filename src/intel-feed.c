/*
 * intel-feed: the line-based feed formats (plain, Maltrail, IPsum, FireHOL netset, Spamhaus
 * DROP) and what every parser shares: emitting, rejecting, dates, counts (see intel-feed.h).
 *
 * A line is: optional spaces, the entry, optional spaces, an optional comment ('#' after a
 * space, or ';' for Spamhaus). Anything else after the entry rejects the line. The Maltrail
 * state is the current group of "# Reference:" lines (it applies to the entries that follow,
 * until the next group starts) and the file's "# Aliases:" line.
 */
#include "intel-feed.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intel-feed-internal.h"
#include "util-mem.h"
#include "util-time.h"
#include "util-utf8.h"

#define SHOW_VALUE_MAX 96       /* bytes of a rejected value quoted in its reason */

static const char *const format_names[VG_FEED_NFORMATS] = {
    "plain", "maltrail", "ipsum", "netset", "spamhaus", "asn-drop", "csv", "warninglist", "misp", "stix"
};

static const char *const role_names[VG_CSV_NROLES] = {
    "value", "type", "ip", "port", "url", "domain", "hash", "email", "account",
    "family", "aliases", "note", "reference", "confidence", "first_seen", "last_seen"
};

const char *vg_feed_format_name(vg_feed_format format)
{
    return (unsigned)format < VG_FEED_NFORMATS ? format_names[format] : "?";
}

int vg_feed_format_from_name(const char *s, size_t n)
{
    for (int i = 0; i < VG_FEED_NFORMATS; i++)
        if (strlen(format_names[i]) == n && memcmp(format_names[i], s, n) == 0)
            return i;
    return -1;
}

const char *vg_csv_role_name(vg_csv_role role)
{
    return (unsigned)role < VG_CSV_NROLES ? role_names[role] : "?";
}

int vg_csv_role_from_name(const char *s, size_t n)
{
    for (int i = 0; i < VG_CSV_NROLES; i++)
        if (strlen(role_names[i]) == n && memcmp(role_names[i], s, n) == 0)
            return i;
    return -1;
}

void vg_feed_opts_init(vg_feed_opts *opts, vg_feed_format format)
{
    memset(opts, 0, sizeof *opts);
    opts->format = format;
    opts->kind = VG_IND_GUESS;
    opts->delimiter = ',';
    opts->header = VG_CSV_HEADER_ROW;
}

static int is_column_number(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return n > 0 && n < 4;
}

vg_rc vg_feed_opts_check(const vg_feed_opts *opts, vg_error *err)
{
    if ((unsigned)opts->format >= VG_FEED_NFORMATS)
        return vg_fail(err, VG_ERR_USAGE, 0, "unknown feed format");
    if (opts->kind <= VG_IND_NONE || opts->kind >= VG_IND_NKINDS || opts->kind == VG_IND_NTYPES)
        return vg_fail(err, VG_ERR_USAGE, 0, "unknown indicator type");
    if (opts->format != VG_FEED_CSV)
        return VG_OK;
    int indicator = 0;
    for (int r = 0; r < VG_CSV_NROLES; r++) {
        const char *c = opts->columns[r];
        if (!c)
            continue;
        if (opts->header == VG_CSV_HEADER_NONE && !is_column_number(c))
            return vg_fail(err, VG_ERR_USAGE, 0, "column '%s' of %s: without a header, columns are numbers from 1",
                           c, role_names[r]);
        if (is_column_number(c) && (c[0] == '0' || strtol(c, NULL, 10) > VG_CSV_MAX_FIELDS))
            return vg_fail(err, VG_ERR_USAGE, 0, "column number %s of %s is not 1-%d", c, role_names[r],
                           VG_CSV_MAX_FIELDS);
        if (r <= VG_CSV_ACCOUNT && r != VG_CSV_TYPE && r != VG_CSV_PORT)
            indicator = 1;
    }
    if (!indicator)
        return vg_fail(err, VG_ERR_USAGE, 0, "the CSV columns map no indicator (value, ip, url, domain, hash, "
                       "email or account)");
    if (opts->columns[VG_CSV_PORT] && !opts->columns[VG_CSV_IP])
        return vg_fail(err, VG_ERR_USAGE, 0, "a port column needs an ip column");
    if (opts->columns[VG_CSV_TYPE] && !opts->columns[VG_CSV_VALUE])
        return vg_fail(err, VG_ERR_USAGE, 0, "a type column needs a value column");
    if (opts->delimiter == '"' || opts->delimiter == '\n' || opts->delimiter == '\r' || !opts->delimiter)
        return vg_fail(err, VG_ERR_USAGE, 0, "invalid CSV delimiter");
    return VG_OK;
}

/* ---- shared helpers --------------------------------------------------------------------- */

void feed_reject(feed_ctx *fc, uint64_t line, const char *fmt, ...)
{
    char reason[VG_ERROR_MSG_MAX + SHOW_VALUE_MAX + 64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    fc->st->rejected++;
    if (fc->sink->on_reject)
        fc->sink->on_reject(fc->sink->ctx, fc->source, line, reason);
}

/* Copies at most SHOW_VALUE_MAX bytes of s into out for a message, control bytes as '?'. */
static const char *show_value(const char *s, size_t n, char *out)
{
    size_t k = n > SHOW_VALUE_MAX ? SHOW_VALUE_MAX : n;
    for (size_t i = 0; i < k; i++)
        out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    if (k < n) {
        memcpy(out + k, "...", 4);
        return out;
    }
    out[k] = '\0';
    return out;
}

vg_rc feed_value(feed_ctx *fc, int kind, const char *s, size_t n, const vg_feed_prov *prov,
                 const char *what, int *accepted)
{
    vg_error err;
    vg_error_clear(&err);
    if (accepted)
        *accepted = 0;
    if (vg_ind_parse(kind, s, n, &fc->ind, &err) != VG_OK) {
        char shown[SHOW_VALUE_MAX + 4];
        feed_reject(fc, prov->line, "%s%s'%s': %s", what ? what : "", what ? " " : "",
                    show_value(s, n, shown), err.msg);
        return VG_OK;
    }
    fc->st->accepted++;
    fc->st->per_type[fc->ind.type]++;
    if (fc->ind.flags & VG_IND_F_MASKED)
        fc->st->masked++;
    if (accepted)
        *accepted = 1;
    return fc->sink->on_indicator(fc->sink->ctx, &fc->ind, prov);
}

void feed_prov_init(feed_ctx *fc, vg_feed_prov *prov, uint64_t line)
{
    memset(prov, 0, sizeof *prov);
    prov->family = fc->opts->family ? fc->opts->family : "";
    prov->aliases = "";
    prov->note = "";
    prov->flags = fc->opts->flags;
    prov->source = fc->source;
    prov->line = line;
}

const char *feed_trim(const char *s, size_t *n)
{
    while (*n && (s[0] == ' ' || s[0] == '\t')) {
        s++;
        (*n)--;
    }
    while (*n && (s[*n - 1] == ' ' || s[*n - 1] == '\t'))
        (*n)--;
    return s;
}

int feed_text(const char *s, size_t n, char *out)
{
    if (n >= VG_FEED_MAX_TEXT || vg_utf8_check(s, n) != n)
        return -1;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return -1;
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}

void feed_note_append(char *out, size_t *len, const char *sep, const char *s, size_t n)
{
    static const char more[] = "...";
    const size_t cap = VG_FEED_MAX_TEXT - 1, mlen = sizeof more - 1;
    size_t at = *len;
    if (n == 0 || at >= cap)
        return;
    size_t slen = at ? strlen(sep) : 0;
    size_t keep = vg_utf8_check(s, n);      /* JSON text is valid UTF-8; other text is cut there */
    int whole = keep == n;
    if (at + slen + keep + (whole ? 0 : mlen) > cap) {
        if (at + slen + mlen >= cap)
            return;
        keep = cap - at - slen - mlen;      /* cut at the start of a character */
        while (keep && ((unsigned char)s[keep] & 0xc0) == 0x80)
            keep--;
        whole = 0;
    }
    memcpy(out + at, sep, slen);
    at += slen;
    for (size_t i = 0; i < keep; i++)
        out[at++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i];
    if (!whole) {
        memcpy(out + at, more, mlen);
        at += mlen;
    }
    out[at] = '\0';
    *len = at;
}

int feed_refs_add(feed_refs *fr, const char *s, size_t n)
{
    for (unsigned i = 0; i < fr->n; i++)
        if (strlen(fr->refs[i]) == n && memcmp(fr->refs[i], s, n) == 0)
            return 1;
    if (n == 0 || fr->n == VG_FEED_MAX_REFS || fr->used + n + 1 > sizeof fr->buf ||
        feed_text(s, n, fr->buf + fr->used) != 0)
        return -1;
    fr->refs[fr->n++] = fr->buf + fr->used;
    fr->used += n + 1;
    return 0;
}

void feed_refs_to_prov(const feed_refs *fr, vg_feed_prov *prov)
{
    memcpy(prov->refs, fr->refs, fr->n * sizeof fr->refs[0]);
    prov->nrefs = fr->n;
}

int feed_date(const char *s, size_t n, int64_t *out)
{
    vg_time t;
    char full[32];
    if (n == 10 && s[4] == '-' && s[7] == '-') {
        memcpy(full, s, 10);
        memcpy(full + 10, "T00:00:00Z", 10);
        s = full;
        n = 20;
    }
    if (vg_time_parse_iso(s, n, 0, &t) == 0 || vg_time_parse_epoch(s, n, &t) == 0) {
        *out = t.sec;
        return 0;
    }
    return -1;
}

int feed_count(const char *s, size_t n, uint32_t *out)
{
    uint64_t v = 0;
    if (n == 0 || n > 10)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > UINT32_MAX)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* Does base[0..n) end with suffix? */
static int ends_with(const char *base, size_t n, const char *suffix)
{
    size_t e = strlen(suffix);
    return n > e && memcmp(base + n - e, suffix, e) == 0;
}

void feed_basename(const char *path, const char *ext, char *out)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t n = strlen(base);
    if (ends_with(base, n, ".gz") || ends_with(base, n, ".zst"))
        n -= ends_with(base, n, ".gz") ? 3 : 4;
    if (ends_with(base, n, ext))
        n -= strlen(ext);
    if (n >= VG_FEED_MAX_TEXT)
        n = VG_FEED_MAX_TEXT - 1;
    memcpy(out, base, n);
    out[n] = '\0';
}

/* ---- line-based formats ---------------------------------------------------------------- */

typedef struct line_state {
    char family[VG_FEED_MAX_TEXT];
    char aliases[VG_FEED_MAX_TEXT];
    char note[VG_FEED_MAX_TEXT];
    char refbuf[VG_FEED_MAX_REFS_BYTES];    /* the current group's references, NUL-separated */
    size_t refused;
    const char *refs[VG_FEED_MAX_REFS];
    unsigned nrefs;
    int refs_closed;    /* an entry followed the last reference: the next one starts a group */
} line_state;

/* Splits a line into its entry and its comment ('#' preceded by a space or at the start, or
 * any ';'). *comment is NULL when there is none. */
static void split_comment(const char *s, size_t n, char mark, const char **entry, size_t *elen,
                          const char **comment, size_t *clen)
{
    *comment = NULL;
    *clen = 0;
    size_t cut = n;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == mark && (mark == ';' || i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t')) {
            cut = i;
            *comment = s + i + 1;
            *clen = n - i - 1;
            break;
        }
    }
    *elen = cut;
    *entry = feed_trim(s, elen);
    if (*comment)
        *comment = feed_trim(*comment, clen);
}

/* Maltrail comment: "# Reference: URL" joins the current group, "# Aliases: a, b" names the
 * file's aliases; other comments are notes to the reader. */
static void maltrail_comment(feed_ctx *fc, line_state *ls, const char *c, size_t n, uint64_t line)
{
    static const char ref[] = "Reference:", ali[] = "Aliases:";
    if (n > sizeof ref - 1 && memcmp(c, ref, sizeof ref - 1) == 0) {
        size_t k = n - (sizeof ref - 1);
        const char *url = feed_trim(c + sizeof ref - 1, &k);
        if (ls->refs_closed) {
            ls->nrefs = 0;
            ls->refused = 0;
            ls->refs_closed = 0;
        }
        if (ls->nrefs == VG_FEED_MAX_REFS || ls->refused + k + 1 > sizeof ls->refbuf)
            feed_reject(fc, line, "more than %d references (or %u bytes of them) before one group of entries",
                        VG_FEED_MAX_REFS, VG_FEED_MAX_REFS_BYTES);
        else if (k == 0 || k >= VG_FEED_MAX_TEXT || feed_text(url, k, ls->refbuf + ls->refused) != 0)
            feed_reject(fc, line, "reference is empty, longer than %d bytes or not text", VG_FEED_MAX_TEXT - 1);
        else {
            ls->refs[ls->nrefs++] = ls->refbuf + ls->refused;
            ls->refused += k + 1;
        }
    } else if (n > sizeof ali - 1 && memcmp(c, ali, sizeof ali - 1) == 0) {
        size_t k = n - (sizeof ali - 1);
        const char *a = feed_trim(c + sizeof ali - 1, &k);
        if (feed_text(a, k, ls->aliases) != 0)
            feed_reject(fc, line, "aliases longer than %d bytes or not text", VG_FEED_MAX_TEXT - 1);
    }
}

static int has_regex_syntax(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strchr("\\[]{}()|^$", s[i]) && s[i])
            return 1;
    return 0;
}

/* Maltrail's own shapes: ".tk" or "tk" (a domain suffix: every name under it), and URL paths
 * holding spaces ("/Consulta FGTS.js", encoded as %20). Returns the kind to parse e with. */
static int maltrail_kind(const char *e, size_t n)
{
    if (e[0] == '.')
        return VG_IND_DOMAIN;
    if (!memchr(e, '.', n) && !memchr(e, ':', n) && !memchr(e, '/', n) && !memchr(e, '@', n) &&
        !(n == 32 || n == 40 || n == 64))
        return VG_IND_DOMAIN;
    return VG_IND_GUESS;
}

/* One entry of a plain, Maltrail or netset list. */
static vg_rc list_entry(feed_ctx *fc, line_state *ls, const char *e, size_t n, const char *note,
                        size_t nlen, uint64_t line)
{
    vg_feed_prov prov;
    feed_prov_init(fc, &prov, line);
    int maltrail = fc->opts->format == VG_FEED_MALTRAIL;
    int url_path = maltrail && (e[0] == '/' || memmem(e, n, "://", 3));
    if (!url_path && (memchr(e, ' ', n) || memchr(e, '\t', n))) {
        feed_reject(fc, line, "unexpected text after the indicator (a comment starts with ' #')");
        return VG_OK;
    }
    if (note && feed_text(note, nlen, ls->note) == 0)
        prov.note = ls->note;
    int kind = fc->opts->kind;
    if (fc->opts->format == VG_FEED_NETSET && kind == VG_IND_GUESS)
        kind = memchr(e, '/', n) ? VG_IND_ANY_CIDR : VG_IND_ANY_IP;
    if (maltrail) {
        ls->refs_closed = 1;
        prov.family = ls->family;
        prov.aliases = ls->aliases;
        memcpy(prov.refs, ls->refs, ls->nrefs * sizeof ls->refs[0]);
        prov.nrefs = ls->nrefs;
        vg_error ignored;
        if (kind == VG_IND_GUESS && has_regex_syntax(e, n) && !memchr(e, '/', n) &&
            vg_ind_parse(VG_IND_GUESS, e, n, &fc->ind, &ignored) != VG_OK) {
            char shown[64];
            snprintf(shown, sizeof shown, "%.*s%s", n > 48 ? 48 : (int)n, e, n > 48 ? "..." : "");
            feed_reject(fc, line, "'%s': regular expression trails are not supported", shown);
            return VG_OK;
        }
        if (kind == VG_IND_GUESS && (kind = maltrail_kind(e, n)) == VG_IND_DOMAIN && e[0] == '.' && n > 1) {
            e++;
            n--;
        }
    }
    return feed_value(fc, kind, e, n, &prov, NULL, NULL);
}

/* IPsum: "IP<TAB>count". */
static vg_rc ipsum_entry(feed_ctx *fc, const char *e, size_t n, uint64_t line)
{
    vg_feed_prov prov;
    feed_prov_init(fc, &prov, line);
    const char *tab = memchr(e, '\t', n);
    if (!tab) {
        feed_reject(fc, line, "expected IP<TAB>count");
        return VG_OK;
    }
    if (feed_count(tab + 1, n - (size_t)(tab + 1 - e), &prov.count) != 0) {
        feed_reject(fc, line, "count after the TAB is not a number up to 4294967295");
        return VG_OK;
    }
    return feed_value(fc, VG_IND_ANY_IP, e, (size_t)(tab - e), &prov, NULL, NULL);
}

/* Spamhaus DROP/EDROP/DROPv6: "CIDR ; SBLnnn" or a bare CIDR; ';' lines are comments. */
static vg_rc spamhaus_entry(feed_ctx *fc, const char *e, size_t n, const char *ref, size_t rlen,
                            line_state *ls, uint64_t line)
{
    vg_feed_prov prov;
    feed_prov_init(fc, &prov, line);
    if (ref && rlen) {
        if (feed_text(ref, rlen, ls->note) != 0 || memchr(ref, ' ', rlen)) {
            feed_reject(fc, line, "text after ';' is not one identifier (SBLnnn)");
            return VG_OK;
        }
        prov.refs[0] = ls->note;
        prov.nrefs = 1;
    }
    if (memchr(e, ' ', n) || memchr(e, '\t', n)) {
        feed_reject(fc, line, "unexpected text after the network (expected 'CIDR ; SBLnnn')");
        return VG_OK;
    }
    return feed_value(fc, VG_IND_ANY_CIDR, e, n, &prov, NULL, NULL);
}

static vg_rc parse_lines(feed_ctx *fc, vg_reader *r, vg_error *err)
{
    line_state *ls = vg_calloc(1, sizeof *ls);
    if (!ls)
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    vg_feed_format format = fc->opts->format;
    if (format == VG_FEED_MALTRAIL && !fc->opts->family)
        feed_basename(fc->source, ".txt", ls->family);
    else if (fc->opts->family && feed_text(fc->opts->family, strlen(fc->opts->family), ls->family) != 0)
        ls->family[0] = '\0';
    char mark = format == VG_FEED_SPAMHAUS ? ';' : '#';
    vg_rc rc = VG_OK;
    vg_record rec;
    vg_error rerr;
    while (!rc) {
        rc = vg_reader_next_line(r, &rec, &rerr);
        if (rc == VG_END) {
            rc = VG_OK;
            break;
        }
        if (rc == VG_ERR_LIMIT) {
            fc->st->records++;
            feed_reject(fc, rec.line, "%s", rerr.msg);
            rc = VG_OK;
            continue;
        }
        if (rc) {
            vg_fail(err, rc, 0, "%s: %s", fc->source, rerr.msg);
            break;
        }
        fc->st->records++;
        const char *e, *c;
        size_t elen, clen;
        split_comment(rec.data, rec.len, mark, &e, &elen, &c, &clen);
        if (format == VG_FEED_SPAMHAUS && elen && e[0] == '#')
            continue;
        if (elen == 0) {
            if (c && format == VG_FEED_MALTRAIL)
                maltrail_comment(fc, ls, c, clen, rec.line);
            continue;
        }
        if (format == VG_FEED_IPSUM)
            rc = ipsum_entry(fc, e, elen, rec.line);
        else if (format == VG_FEED_SPAMHAUS)
            rc = spamhaus_entry(fc, e, elen, c, clen, ls, rec.line);
        else
            rc = list_entry(fc, ls, e, elen, c, clen, rec.line);
        if (rc)
            vg_fail(err, rc, 0, "%s:%llu: cannot store the indicator", fc->source, (unsigned long long)rec.line);
    }
    vg_free(ls);
    return rc;
}

/* ---- entry points ------------------------------------------------------------------------ */

vg_rc vg_feed_parse(vg_reader *r, const vg_feed_opts *opts, const vg_feed_sink *sink,
                    vg_feed_stats *st, vg_error *err)
{
    vg_rc rc = vg_feed_opts_check(opts, err);
    if (rc)
        return rc;
    feed_ctx *fc = vg_malloc(sizeof *fc);
    if (!fc)
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    fc->opts = opts;
    fc->sink = sink;
    fc->st = st;
    fc->source = vg_reader_name(r);
    switch (opts->format) {
    case VG_FEED_CSV: rc = feed_parse_csv(fc, r, err); break;
    case VG_FEED_ASN_DROP: rc = feed_parse_asn_drop(fc, r, err); break;
    case VG_FEED_WARNINGLIST: rc = feed_parse_warninglist(fc, r, err); break;
    case VG_FEED_MISP: rc = feed_parse_misp(fc, r, err); break;
    case VG_FEED_STIX: rc = feed_parse_stix(fc, r, err); break;
    default: rc = parse_lines(fc, r, err); break;
    }
    vg_free(fc);
    return rc;
}

vg_rc vg_feed_parse_file(const char *path, const vg_feed_opts *opts, const vg_feed_sink *sink,
                         vg_feed_stats *st, vg_error *err)
{
    vg_reader *r = NULL;
    int json = opts->format == VG_FEED_WARNINGLIST || opts->format == VG_FEED_MISP || opts->format == VG_FEED_STIX;
    size_t max = json ? VG_FEED_MAX_JSON
               : opts->format == VG_FEED_CSV ? VG_CSV_MAX_RECORD : VG_FEED_MAX_LINE;
    vg_rc rc = vg_reader_open(&r, path, max, err);
    if (rc)
        return rc;
    rc = vg_feed_parse(r, opts, sink, st, err);
    vg_reader_close(r);
    return rc;
}
