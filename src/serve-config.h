/*
 * serve-config: the daemon's configuration, one YAML file (`vigil serve -c vigil.yml`), read
 * into a vg_config whose every member has a default (etc/vigil.yml documents each one). With
 * no file, the defaults start a daemon on loopback with its data under the default data
 * directory. Errors name the file, the line and the option ("FILE:LINE: reason");
 * vg_config_check then looks at what a file cannot tell: paths that must exist, listeners
 * that would share an address, units that are not declared.
 */
#ifndef VIGIL_SERVE_CONFIG_H
#define VIGIL_SERVE_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ingest-frame.h"
#include "spool.h"
#include "util-error.h"
#include "util-log.h"

#define VG_CONFIG_MAX_BYTES (1u << 20)  /* limit: size of a configuration file */
#define VG_CONFIG_MAX_ITEMS 4096        /* limit: units, listeners, tokens, files, rule paths each */
#define VG_CONFIG_MAX_WORKERS 256       /* limit: detection workers */
#define VG_CONF_BACKLOG_WAIT_MS 2000    /* default: an HTTP request's wait for room before a 503 */

typedef enum vg_listen_kind {
    VG_LISTEN_UDP = 0,      /* syslog over UDP: one record per datagram */
    VG_LISTEN_TCP,          /* syslog over TCP: LF or octet-counted framing (RFC 6587) */
    VG_LISTEN_TLS,          /* syslog over TLS (RFC 5425), optional client certificates */
    VG_LISTEN_HTTP,         /* POST of NDJSON batches with a bearer token per source */
    VG_LISTEN_RELP          /* RELP (rsyslog's reliable protocol): acknowledged once spooled */
} vg_listen_kind;

/* An address to listen on, parsed from "HOST:PORT" or "[V6HOST]:PORT" (numeric hosts). */
typedef struct vg_conf_addr {
    char text[64];                  /* as written */
    struct sockaddr_storage sa;
    socklen_t salen;
} vg_conf_addr;

/* A network mapped to a unit: key holds 4 or 16 address bytes. */
typedef struct vg_conf_net {
    unsigned char key[16];
    uint8_t len;                    /* 4 or 16 */
    uint8_t prefix;
    uint32_t unit;                  /* index into units */
} vg_conf_net;

typedef struct vg_conf_unit {
    char *name;
    char **certificates;            /* TLS client certificate common names of its sources */
    size_t ncertificates;
    unsigned line;
} vg_conf_unit;

/* An HTTP ingest token: only its SHA-256 is kept (tokens are random, 256 bits). */
typedef struct vg_conf_token {
    char *name;                     /* the source it stands for */
    uint32_t unit;
    unsigned char sha256[32];
    unsigned line;
} vg_conf_token;

typedef struct vg_conf_listener {
    char *name;
    vg_listen_kind kind;
    vg_conf_addr addr;
    uint32_t unit;                  /* the unit of its events, unless a token or network says */
    char *format;                   /* decoder name (vigil formats), or "auto" */
    vg_frame_mode framing;          /* tcp, tls */
    unsigned max_record;            /* bytes */
    unsigned max_connections;       /* tcp, tls, http */
    unsigned idle_timeout_s;        /* tcp, tls: connections silent this long are closed */
    unsigned backlog_wait_ms;       /* http: how long a request waits for room in a full backlog */
    char *cert, *key, *client_ca;   /* tls (client_ca: require client certificates); http: optional TLS */
    vg_conf_token *tokens;          /* http */
    size_t ntokens;
    unsigned line;
} vg_conf_listener;

/* A followed file. */
typedef struct vg_conf_file {
    char *path;
    uint32_t unit;
    char *format;
    unsigned line;
} vg_conf_file;

typedef struct vg_config {
    char *file;                     /* the file read, or NULL for the defaults */
    char *data_dir;                 /* spool/, vigil.db, state */
    vg_log_level log_level;
    int log_json;
    /* spool */
    vg_spool_sync_mode spool_sync;
    unsigned spool_sync_interval_ms;
    unsigned spool_segment_mb;
    unsigned spool_max_backlog;     /* records received but not yet stored, before backpressure */
    /* store */
    char *store_path;               /* absolute (default data_dir/vigil.db) */
    unsigned retention_days;        /* 0: keep forever */
    unsigned store_max_mb;          /* 0: no size limit */
    int archive;                    /* keep every record in data_dir/archive (zstd, one file a day) */
    unsigned archive_days;          /* days of archive files kept (0: all) */
    /* detection */
    unsigned workers;               /* 0: one per core */
    unsigned batch;                 /* records per worker batch */
    char **rules;                   /* Sigma rule files and directories */
    size_t nrules;
    char *mapping, *placeholders;   /* NULL: built-in mapping, no placeholders */
    char *intel;                    /* indicator snapshot, or NULL */
    /* the HTTP API (/metrics, /healthz, status) */
    vg_conf_addr api;
    int api_enabled;
    /* where events come from */
    vg_conf_unit *units;
    size_t nunits;
    vg_conf_net *nets;
    size_t nnets;
    vg_conf_listener *listeners;
    size_t nlisteners;
    vg_conf_file *files;
    size_t nfiles;
    char *user;                     /* drop privileges to this user after binding (root only) */
} vg_config;

/* Reads the configuration at path (NULL: the defaults only). */
vg_rc vg_config_load(vg_config **out, const char *path, vg_error *err);

/* Reads a configuration from text (named name in errors); base_dir resolves relative paths. */
vg_rc vg_config_parse(vg_config **out, const char *text, size_t len, const char *name, const char *base_dir,
                      vg_error *err);

/* Frees c (NULL is allowed). */
void vg_config_free(vg_config *c);

/* Checks what the file alone cannot tell; calls problem for each finding (fatal: the daemon
 * would not start or would not work; else a warning); returns the count of fatal ones. */
size_t vg_config_check(const vg_config *c, void (*problem)(void *ctx, int fatal, const char *msg), void *ctx);

/* The unit whose certificates list the common name cn; -1 if none. */
int vg_config_unit_of_certificate(const vg_config *c, const char *cn);

/* The unit of an event from listener l at source address sa (a configured network wins). */
uint32_t vg_config_unit_of(const vg_config *c, const vg_conf_listener *l, const struct sockaddr *sa);

/* The largest record any listener takes (at least 64 KiB): the decoders' buffers are sized by it. */
size_t vg_config_max_record(const vg_config *c);

/* The name of spool source src: a listener's name, or after the listeners a file's path. */
const char *vg_config_source_name(const vg_config *c, uint32_t src);

/* The decoder format of spool source src ("auto", or a name of vigil formats). */
const char *vg_config_source_format(const vg_config *c, uint32_t src);

/* The name of a listener kind ("udp", ...). */
const char *vg_listen_kind_name(vg_listen_kind k);


#endif
