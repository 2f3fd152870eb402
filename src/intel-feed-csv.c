/*
 * intel-feed-csv: CSV feeds with a column mapping (abuse.ch Feodo Tracker, URLhaus,
 * ThreatFox exports and the like).
 *
 * Records follow RFC 4180: fields separated by the delimiter, quoted fields may hold the
 * delimiter, doubled quotes and line breaks (the lines are joined, up to VG_CSV_MAX_RECORD).
 * Two leniencies, both for real exports: spaces around a field are ignored (ThreatFox writes
 * `", "`), and lines starting with '#' are banners. The column names come from the first
 * record, from the last '#' banner line (URLhaus, ThreatFox) or are numbers; the mapping in
 * vg_feed_opts says which column plays which role. A quote inside an unquoted field, text
 * after a closing quote or a quote left open at the end rejects the record with its line.
 */
#include "intel-feed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intel-feed-internal.h"
#include "util-mem.h"

typedef struct csv_state {
    char record[VG_CSV_MAX_RECORD];         /* the record's text, lines joined by '\n' */
    size_t rlen;
    uint64_t rline;                         /* line of the record's first line */
    int open_quote;                         /* the record ended inside a quoted field */
    char fields[VG_CSV_MAX_RECORD];         /* unquoted field bytes */
    const char *field[VG_CSV_MAX_FIELDS];
    size_t flen[VG_CSV_MAX_FIELDS];
    unsigned nfields;
    int col[VG_CSV_NROLES];                 /* field index of each role, -1 when unmapped */
    int have_columns;
    char banner[VG_CSV_MAX_RECORD];         /* the last '#' line: the header in comment mode */
    size_t blen;
    uint64_t bline;
    char family[VG_FEED_MAX_TEXT], aliases[VG_FEED_MAX_TEXT], note[VG_FEED_MAX_TEXT];
    char ref[VG_FEED_MAX_TEXT];
    char ipport[64];
} csv_state;

enum { SPLIT_OK = 0, SPLIT_MORE = 1, SPLIT_BAD = -1 };

static int is_blank(char c, char delim)
{
    return (c == ' ' || c == '\t') && c != delim;
}

/* Splits s[0..n) into cs->field; SPLIT_MORE if it ends inside quotes, SPLIT_BAD with a
 * reason in err. */
static int csv_split(csv_state *cs, const char *s, size_t n, char delim, vg_error *err)
{
    size_t i = 0, out = 0;
    cs->nfields = 0;
    for (;;) {
        if (cs->nfields == VG_CSV_MAX_FIELDS)
            return vg_fail(err, VG_ERR_LIMIT, i, "more than %d fields", VG_CSV_MAX_FIELDS), SPLIT_BAD;
        while (i < n && is_blank(s[i], delim))
            i++;
        size_t start = out;
        if (i < n && s[i] == '"') {
            for (i++;; i++) {
                if (i >= n)
                    return SPLIT_MORE;
                if (s[i] == '"') {
                    if (i + 1 < n && s[i + 1] == '"')
                        i++;
                    else
                        break;
                }
                cs->fields[out++] = s[i];
            }
            i++;
            while (i < n && is_blank(s[i], delim))
                i++;
            if (i < n && s[i] != delim)
                return vg_fail(err, VG_ERR_PARSE, i, "text after a closing quote"), SPLIT_BAD;
        } else {
            while (i < n && s[i] != delim) {
                if (s[i] == '"')
                    return vg_fail(err, VG_ERR_PARSE, i, "quote inside an unquoted field"), SPLIT_BAD;
                cs->fields[out++] = s[i++];
            }
            while (out > start && is_blank(cs->fields[out - 1], delim))
                out--;
        }
        cs->field[cs->nfields] = cs->fields + start;
        cs->flen[cs->nfields++] = out - start;
        if (i >= n)
            return SPLIT_OK;
        i++;    /* the delimiter */
    }
}

static int equals_nocase(const char *a, size_t n, const char *b)
{
    if (strlen(b) != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        int x = a[i] >= 'A' && a[i] <= 'Z' ? a[i] + 32 : a[i];
        int y = b[i] >= 'A' && b[i] <= 'Z' ? b[i] + 32 : b[i];
        if (x != y)
            return 0;
    }
    return 1;
}

/* Resolves the mapping against the column names now in cs->field (or numbers only). */
static vg_rc resolve_columns(feed_ctx *fc, csv_state *cs, int named, uint64_t line, vg_error *err)
{
    for (int r = 0; r < VG_CSV_NROLES; r++) {
        const char *c = fc->opts->columns[r];
        cs->col[r] = -1;
        if (!c)
            continue;
        if (c[0] >= '0' && c[0] <= '9') {
            cs->col[r] = (int)strtol(c, NULL, 10) - 1;
            continue;
        }
        for (unsigned f = 0; named && f < cs->nfields && cs->col[r] < 0; f++)
            if (equals_nocase(cs->field[f], cs->flen[f], c))
                cs->col[r] = (int)f;
        if (cs->col[r] < 0)
            return vg_fail(err, VG_ERR_PARSE, 0, "%s:%llu: the header has no column '%s' (for %s)", fc->source,
                           (unsigned long long)line, c, vg_csv_role_name((vg_csv_role)r));
    }
    cs->have_columns = 1;
    return VG_OK;
}

/* The field of role, or NULL (unmapped or empty). */
static const char *role_field(const csv_state *cs, vg_csv_role role, size_t *n)
{
    int c = cs->col[role];
    if (c < 0 || (unsigned)c >= cs->nfields || cs->flen[c] == 0)
        return NULL;
    *n = cs->flen[c];
    return cs->field[c];
}

/* Kind named by a type column ("ip:port", "domain", "md5_hash", ...); -1 if unsupported. */
static int type_column_kind(const char *s, size_t n)
{
    char name[32];
    if (n >= sizeof name)
        return -1;
    for (size_t i = 0; i < n; i++)
        name[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
    if (n > 5 && memcmp(name + n - 5, "_hash", 5) == 0)
        n -= 5;
    int kind = vg_ind_kind_from_name(name, n);
    return kind == VG_IND_GUESS ? -1 : kind;
}

/* Reads the provenance columns into prov; a bad one rejects the record (returns -1). */
static int record_prov(feed_ctx *fc, csv_state *cs, vg_feed_prov *prov)
{
    static const struct { vg_csv_role role; size_t off; } texts[] = {
        { VG_CSV_FAMILY, offsetof(csv_state, family) },
        { VG_CSV_ALIASES, offsetof(csv_state, aliases) },
        { VG_CSV_NOTE, offsetof(csv_state, note) },
        { VG_CSV_REFERENCE, offsetof(csv_state, ref) },
    };
    size_t n;
    const char *f;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char *dst = (char *)cs + texts[i].off;
        dst[0] = '\0';
        if ((f = role_field(cs, texts[i].role, &n)) && feed_text(f, n, dst) != 0) {
            feed_reject(fc, cs->rline, "%s is longer than %d bytes or not text", vg_csv_role_name(texts[i].role),
                        VG_FEED_MAX_TEXT - 1);
            return -1;
        }
    }
    if (cs->family[0])
        prov->family = cs->family;
    prov->aliases = cs->aliases;
    prov->note = cs->note;
    if (cs->ref[0]) {
        prov->refs[0] = cs->ref;
        prov->nrefs = 1;
    }
    if ((f = role_field(cs, VG_CSV_CONFIDENCE, &n)) && feed_count(f, n, &prov->count) != 0) {
        feed_reject(fc, cs->rline, "confidence is not a number up to 4294967295");
        return -1;
    }
    if ((f = role_field(cs, VG_CSV_FIRST_SEEN, &n)) && feed_date(f, n, &prov->first_seen) != 0) {
        feed_reject(fc, cs->rline, "first_seen is not a date");
        return -1;
    }
    if ((f = role_field(cs, VG_CSV_LAST_SEEN, &n)) && feed_date(f, n, &prov->last_seen) != 0) {
        feed_reject(fc, cs->rline, "last_seen is not a date");
        return -1;
    }
    return 0;
}

/* Emits one indicator column of role as kind; counts what it produced. */
static vg_rc emit_role(feed_ctx *fc, csv_state *cs, vg_csv_role role, int kind, const vg_feed_prov *prov,
                       unsigned *seen)
{
    size_t n;
    const char *f = role_field(cs, role, &n);
    if (!f)
        return VG_OK;
    (*seen)++;
    char what[48];
    snprintf(what, sizeof what, "%s", vg_csv_role_name(role));
    return feed_value(fc, kind, f, n, prov, what, NULL);
}

/* The ip column, and with a port column the IP:port too. */
static vg_rc emit_ip_port(feed_ctx *fc, csv_state *cs, const vg_feed_prov *prov, unsigned *seen)
{
    size_t n = 0, pn = 0;
    const char *ip = role_field(cs, VG_CSV_IP, &n);
    const char *port = role_field(cs, VG_CSV_PORT, &pn);
    vg_rc rc = emit_role(fc, cs, VG_CSV_IP, VG_IND_ANY_IP, prov, seen);
    if (rc || !ip || !port)
        return rc;
    int v6 = memchr(ip, ':', n) != NULL;
    int len = snprintf(cs->ipport, sizeof cs->ipport, "%s%.*s%s:%.*s", v6 ? "[" : "", (int)n, ip, v6 ? "]" : "",
                       (int)pn, port);
    if (len < 0 || (size_t)len >= sizeof cs->ipport) {
        feed_reject(fc, cs->rline, "ip and port are too long for an IP:port");
        return VG_OK;
    }
    return feed_value(fc, VG_IND_ANY_IPPORT, cs->ipport, (size_t)len, prov, "ip:port", NULL);
}

static vg_rc csv_record(feed_ctx *fc, csv_state *cs)
{
    for (int r = 0; r < VG_CSV_NROLES; r++) {
        if (cs->col[r] >= 0 && (unsigned)cs->col[r] >= cs->nfields) {
            feed_reject(fc, cs->rline, "record has %u fields; the %s column is field %d", cs->nfields,
                        vg_csv_role_name((vg_csv_role)r), cs->col[r] + 1);
            return VG_OK;
        }
    }
    vg_feed_prov prov;
    feed_prov_init(fc, &prov, cs->rline);
    if (record_prov(fc, cs, &prov) != 0)
        return VG_OK;
    unsigned seen = 0;
    uint64_t rejected = fc->st->rejected;
    int kind = fc->opts->kind;
    size_t n;
    const char *t = role_field(cs, VG_CSV_TYPE, &n);
    if (t && (kind = type_column_kind(t, n)) < 0) {
        feed_reject(fc, cs->rline, "unsupported indicator type '%.*s'", (int)(n > 40 ? 40 : n), t);
        return VG_OK;
    }
    vg_rc rc = emit_role(fc, cs, VG_CSV_VALUE, kind, &prov, &seen);
    if (!rc)
        rc = emit_ip_port(fc, cs, &prov, &seen);
    if (!rc)
        rc = emit_role(fc, cs, VG_CSV_URL, VG_IND_URL, &prov, &seen);
    if (!rc)
        rc = emit_role(fc, cs, VG_CSV_DOMAIN, VG_IND_DOMAIN, &prov, &seen);
    if (!rc)
        rc = emit_role(fc, cs, VG_CSV_HASH, VG_IND_ANY_HASH, &prov, &seen);
    if (!rc)
        rc = emit_role(fc, cs, VG_CSV_EMAIL, VG_IND_EMAIL, &prov, &seen);
    if (!rc)
        rc = emit_role(fc, cs, VG_CSV_ACCOUNT, VG_IND_ACCOUNT, &prov, &seen);
    if (!rc && seen == 0 && fc->st->rejected == rejected)
        feed_reject(fc, cs->rline, "record has no indicator (its indicator columns are empty)");
    return rc;
}

/* A complete record: the header (when expected) or data. */
static vg_rc csv_complete(feed_ctx *fc, csv_state *cs, vg_error *err)
{
    vg_rc rc;
    if (!cs->have_columns) {
        vg_csv_header h = fc->opts->header;
        if (h == VG_CSV_HEADER_ROW)
            return resolve_columns(fc, cs, 1, cs->rline, err);
        if (h == VG_CSV_HEADER_NONE) {
            rc = resolve_columns(fc, cs, 0, cs->rline, err);
        } else {
            if (!cs->blen)
                return vg_fail(err, VG_ERR_PARSE, 0, "%s:%llu: no '#' header line before the data", fc->source,
                               (unsigned long long)cs->rline);
            vg_error e2;
            if (csv_split(cs, cs->banner, cs->blen, fc->opts->delimiter, &e2) != SPLIT_OK)
                return vg_fail(err, VG_ERR_PARSE, 0, "%s:%llu: header line is not CSV", fc->source,
                               (unsigned long long)cs->bline);
            rc = resolve_columns(fc, cs, 1, cs->bline, err);
            if (!rc && csv_split(cs, cs->record, cs->rlen, fc->opts->delimiter, &e2) != SPLIT_OK)
                rc = vg_fail(err, VG_ERR_PARSE, 0, "record changed while reading the header");
        }
        if (rc)
            return rc;
    }
    return csv_record(fc, cs);
}

/* A '#' line outside a record: remembered as the possible header. */
static void csv_banner(csv_state *cs, const char *s, size_t n, uint64_t line)
{
    n--;
    s = feed_trim(s + 1, &n);
    if (n == 0 || n > sizeof cs->banner)
        return;
    memcpy(cs->banner, s, n);
    cs->blen = n;
    cs->bline = line;
}

/* Adds a line to the pending record; returns 1 when the record is complete. */
static int csv_add_line(feed_ctx *fc, csv_state *cs, const vg_record *rec)
{
    if (!cs->open_quote) {
        cs->rlen = 0;
        cs->rline = rec->line;
    } else if (cs->rlen + 1 + rec->len <= sizeof cs->record) {
        cs->record[cs->rlen++] = '\n';
    }
    if (cs->rlen + rec->len > sizeof cs->record) {
        feed_reject(fc, cs->rline, "record is longer than %u bytes", VG_CSV_MAX_RECORD);
        cs->open_quote = 0;
        return 0;
    }
    memcpy(cs->record + cs->rlen, rec->data, rec->len);
    cs->rlen += rec->len;
    vg_error e;
    int s = csv_split(cs, cs->record, cs->rlen, fc->opts->delimiter, &e);
    cs->open_quote = s == SPLIT_MORE;
    if (s == SPLIT_BAD)
        feed_reject(fc, cs->rline, "%s (at byte %zu)", e.msg, e.offset + 1);
    return s == SPLIT_OK;
}

vg_rc feed_parse_csv(feed_ctx *fc, vg_reader *r, vg_error *err)
{
    csv_state *cs = vg_calloc(1, sizeof *cs);
    if (!cs)
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    vg_rc rc = VG_OK;
    vg_record rec;
    vg_error rerr;
    while (!rc) {
        rc = vg_reader_next_line(r, &rec, &rerr);
        if (rc == VG_END) {
            if (cs->open_quote)
                feed_reject(fc, cs->rline, "quoted field is not closed at the end of the file");
            rc = VG_OK;
            break;
        }
        if (rc && rc != VG_ERR_LIMIT) {
            vg_fail(err, rc, 0, "%s: %s", fc->source, rerr.msg);
            break;
        }
        fc->st->records++;
        if (rc == VG_ERR_LIMIT) {
            feed_reject(fc, rec.line, "%s", rerr.msg);
            cs->open_quote = 0;
            rc = VG_OK;
            continue;
        }
        if (!cs->open_quote) {
            size_t n = rec.len;
            feed_trim(rec.data, &n);
            if (n == 0)
                continue;
            if (rec.data[0] == '#') {
                csv_banner(cs, rec.data, rec.len, rec.line);
                continue;
            }
        }
        if (csv_add_line(fc, cs, &rec))
            rc = csv_complete(fc, cs, err);
    }
    vg_free(cs);
    return rc;
}
