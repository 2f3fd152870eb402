/*
 * intel-feed: parsers for threat intelligence feed files. Each turns one file into a stream of
 * (indicator, provenance) pairs passed to a sink callback, and every line it cannot use into
 * a rejection (source, line, reason) passed to the sink too: nothing is dropped silently.
 *
 * Formats: plain lists (one indicator per line, '#' comments), Maltrail trails ("# Reference:"
 * and "# Aliases:" comments become provenance), IPsum (IP<TAB>count), FireHOL netsets,
 * Spamhaus DROP/EDROP/DROPv6 ("CIDR ; SBLnnn"), Spamhaus ASN-DROP (JSON lines), CSV with a
 * column mapping (RFC 4180 quoting, '#' banners), MISP warninglists (JSON), MISP feeds (a
 * manifest.json and one JSON file per event: attributes marked to_ids) and STIX 2.1 bundles
 * (indicators whose pattern is an OR of equality comparisons). The reading itself
 * (decompression, line splitting, limits, line numbers) is ingest-reader's.
 *
 * A parser keeps one small state per file (the current Maltrail references, the CSV column
 * map); the strings of a provenance are valid only during the callback.
 */
#ifndef VIGIL_INTEL_FEED_H
#define VIGIL_INTEL_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "ingest-reader.h"
#include "intel-indicator.h"
#include "util-error.h"

typedef enum vg_feed_format {
    VG_FEED_PLAIN = 0,
    VG_FEED_MALTRAIL,
    VG_FEED_IPSUM,
    VG_FEED_NETSET,
    VG_FEED_SPAMHAUS,
    VG_FEED_ASN_DROP,
    VG_FEED_CSV,
    VG_FEED_WARNINGLIST,
    VG_FEED_MISP,
    VG_FEED_STIX,
    VG_FEED_NFORMATS
} vg_feed_format;

#define VG_FEED_MAX_REFS 256            /* limit: reference URLs that one entry carries */
#define VG_FEED_MAX_REFS_BYTES (64u << 10)  /* limit: bytes of one entry's reference URLs */
#define VG_FEED_MAX_TEXT 4096           /* limit: bytes of a family, alias list, note or reference */
#define VG_FEED_MAX_LINE (1u << 16)     /* limit: longest line of a line-based feed */
#define VG_FEED_MAX_JSON (64u << 20)    /* limit: largest JSON document (a warninglist) */
#define VG_FEED_MAX_JSON_VALUES (4u << 20)  /* default limit: JSON values in one document */
#define VG_CSV_MAX_FIELDS 64            /* limit: fields of one CSV record */
#define VG_CSV_MAX_RECORD (1u << 16)    /* limit: bytes of one CSV record (quoted newlines joined) */
#define VG_MISP_MAX_EVENTS (1u << 20)   /* limit: events listed in one MISP manifest */
#define VG_STIX_MAX_PATTERN (1u << 16)  /* limit: bytes of one STIX pattern */
#define VG_STIX_MAX_TERMS 1024          /* limit: comparisons in one STIX pattern */

/* Provenance flag: a domain matches only itself, not its subdomains. */
#define VG_PROV_HOST_ONLY 0x01u

/* What a feed says about one entry. Strings are NUL-terminated ("" when absent). */
typedef struct vg_feed_prov {
    const char *family;         /* threat or malware family */
    const char *aliases;        /* other names of the family, comma-separated */
    const char *note;           /* a note on the entry (inline comment, AS name, list name) */
    const char *refs[VG_FEED_MAX_REFS];   /* reference URLs or identifiers (SBL123) */
    unsigned nrefs;
    uint32_t count;             /* list count or confidence; 0 when the feed gives none */
    int64_t first_seen;         /* seconds since the epoch; 0 when unknown */
    int64_t last_seen;
    int64_t expires;            /* the feed's own expiry (STIX valid_until); 0: none */
    unsigned flags;             /* VG_PROV_* */
    const char *source;         /* file name */
    uint64_t line;              /* line of the entry */
} vg_feed_prov;

/* CSV column roles: indicator columns, then provenance columns. */
typedef enum vg_csv_role {
    VG_CSV_VALUE = 0,   /* an indicator of the feed's kind (or of the type column) */
    VG_CSV_TYPE,        /* the type of the value column ("ip:port", "domain", "md5_hash", ...) */
    VG_CSV_IP,          /* an address; with VG_CSV_PORT also an IP:port */
    VG_CSV_PORT,
    VG_CSV_URL,
    VG_CSV_DOMAIN,
    VG_CSV_HASH,
    VG_CSV_EMAIL,
    VG_CSV_ACCOUNT,
    VG_CSV_FAMILY,
    VG_CSV_ALIASES,
    VG_CSV_NOTE,
    VG_CSV_REFERENCE,
    VG_CSV_CONFIDENCE,
    VG_CSV_FIRST_SEEN,
    VG_CSV_LAST_SEEN,
    VG_CSV_NROLES
} vg_csv_role;

typedef enum vg_csv_header {
    VG_CSV_HEADER_ROW = 0,      /* the first record names the columns (Feodo) */
    VG_CSV_HEADER_COMMENT,      /* the last '#' line before the data does (URLhaus, ThreatFox) */
    VG_CSV_HEADER_NONE          /* columns are numbered from 1 */
} vg_csv_header;

typedef struct vg_feed_opts {
    vg_feed_format format;
    int kind;                   /* indicator kind of plain entries and the CSV value column */
    const char *family;         /* family of every entry; NULL: none (Maltrail: file name,
                                   warninglist: its directory name) */
    unsigned flags;             /* VG_PROV_* given to every entry */
    char delimiter;             /* CSV field separator, ',' by default */
    vg_csv_header header;
    const char *columns[VG_CSV_NROLES];   /* CSV: column name, or 1-based number, per role */
    uint32_t max_json_values;   /* JSON formats: most values in one document (0: the default
                                   VG_FEED_MAX_JSON_VALUES); the tape is allocated this size */
} vg_feed_opts;

typedef struct vg_feed_sink {
    /* Receives one indicator; an error stops the parse and is returned by vg_feed_parse. */
    vg_rc (*on_indicator)(void *ctx, const vg_ind *ind, const vg_feed_prov *prov);
    /* Receives one rejected line or value with the reason. */
    void (*on_reject)(void *ctx, const char *source, uint64_t line, const char *reason);
    void *ctx;
} vg_feed_sink;

typedef struct vg_feed_stats {
    uint64_t records;           /* lines (or JSON records) read */
    uint64_t accepted;          /* indicators passed to the sink */
    uint64_t rejected;          /* lines or values rejected, each reported */
    uint64_t masked;            /* networks whose host bits were cleared */
    uint64_t not_for_detection; /* entries the feed marks as not for detection (MISP to_ids
                                   false, MISP link attributes: used as references) */
    uint64_t revoked;           /* entries the feed withdrew (MISP deleted, STIX revoked) */
    uint64_t per_type[VG_IND_NTYPES];   /* accepted indicators by type */
} vg_feed_stats;

/* Sets opts to the defaults of format (kind guessed, CSV header row, ',' delimiter). */
void vg_feed_opts_init(vg_feed_opts *opts, vg_feed_format format);

/* Name of a format ("plain", "maltrail", "ipsum", "netset", "spamhaus", "asn-drop", "csv",
 * "warninglist", "misp", "stix"). */
const char *vg_feed_format_name(vg_feed_format format);

/* Format named s[0..n); -1 if none. */
int vg_feed_format_from_name(const char *s, size_t n);

/* Name of a CSV role as written in a configuration ("value", "ip", "first_seen", ...). */
const char *vg_csv_role_name(vg_csv_role role);

/* CSV role named s[0..n); -1 if none. */
int vg_csv_role_from_name(const char *s, size_t n);

/* Checks that opts make sense for their format (a CSV mapping with an indicator column and
 * no names without a header, ...); VG_ERR_USAGE with a reason. */
vg_rc vg_feed_opts_check(const vg_feed_opts *opts, vg_error *err);

/* Parses the records of r as opts->format into sink, adding to st (not cleared). Returns
 * VG_OK at the end of input, or the error of the reader (I/O) or of the sink, which ends it.
 * MISP: r holds a manifest.json (its events are then read from the files <uuid>.json beside
 * the reader's name, and other *.json files there are reported) or one event file. */
vg_rc vg_feed_parse(vg_reader *r, const vg_feed_opts *opts, const vg_feed_sink *sink,
                    vg_feed_stats *st, vg_error *err);

/* Opens path with the record limit of its format and parses it (see vg_feed_parse). */
vg_rc vg_feed_parse_file(const char *path, const vg_feed_opts *opts, const vg_feed_sink *sink,
                         vg_feed_stats *st, vg_error *err);

#endif
