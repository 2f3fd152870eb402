/*
 * serve: the daemon, `vigil serve` (design: docs/serve.md). Listeners (serve-net: UDP and
 * TCP; serve-http: HTTP ingest and the API) hand the records they receive to
 * vg_serve_submit, which appends them to the spool; detection workers read the spool in
 * order, decode and detect, and the store writer commits their results in order
 * (serve-work). serve.c starts and stops it all.
 *
 * Main structure: vg_serve, the daemon's context, passed explicitly to every thread: the
 * configuration, the spool, the detection state, the counters (vg_serve_metrics, atomics),
 * and the flags that stop the threads. Nothing here is global.
 */
#ifndef VIGIL_SERVE_H
#define VIGIL_SERVE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "detect.h"
#include "ingest-follow.h"
#include "serve-config.h"
#include "spool.h"
#include "util-error.h"

#define VG_SERVE_LAT_BUCKETS 16     /* latency histogram buckets (receipt to stored) */

/* Counters of one listener. */
typedef struct vg_serve_lcount {
    atomic_uint_fast64_t received;      /* records accepted into the spool */
    atomic_uint_fast64_t bytes;
    atomic_uint_fast64_t dropped;       /* UDP datagrams dropped: backlog full */
    atomic_uint_fast64_t bad;           /* framing errors, oversized records (reported) */
    atomic_uint_fast64_t refused;       /* HTTP requests refused: token, backlog, body */
    atomic_uint_fast64_t connections;   /* connections accepted */
    atomic_uint_fast64_t open;          /* connections open now */
} vg_serve_lcount;

/* The daemon's counters, read by /metrics and vigil status. */
typedef struct vg_serve_metrics {
    vg_serve_lcount *listeners;         /* one per configured listener */
    atomic_uint_fast64_t decoded, rejected, alerts, intel_alerts, sigma_alerts;
    atomic_uint_fast64_t committed_seq; /* the store's watermark */
    atomic_uint_fast64_t batches, commits;  /* worker batches stored; store transactions */
    atomic_uint_fast64_t lat_count[VG_SERVE_LAT_BUCKETS];  /* receipt to stored, log2 buckets of ms */
    atomic_uint_fast64_t lat_sum_us;
    atomic_uint_fast64_t reloads, reload_failures;
    atomic_int failing;                 /* processing stopped (the store refused a commit) */
    int64_t started_us;
} vg_serve_metrics;

/* One generation of detection state (serve-detect.c): replaced whole on reload. */
typedef struct vg_serve_det {
    vg_sigma_set *rules;                /* NULL: no rules */
    vg_intel_matcher *matcher;          /* NULL: no snapshot */
    vg_snap *snap;
    vg_detect_shared shared;
    int shared_init;
    atomic_uint_fast64_t *rule_alerts;  /* per Sigma engine entry */
    size_t nrules;
    uint64_t gen;
    int refs;                           /* under vg_serve.det_lock */
} vg_serve_det;

typedef struct vg_serve_work vg_serve_work;
typedef struct vg_serve_files vg_serve_files;
typedef struct vg_serve_archive vg_serve_archive;
typedef struct vg_serve_net vg_serve_net;
typedef struct vg_serve_http vg_serve_http;

typedef struct vg_serve {
    const vg_config *conf;
    const char *conf_path;              /* read again on reload (NULL: the defaults) */
    vg_spool *spool;
    vg_serve_metrics m;
    /* detection: the current generation, swapped on reload */
    pthread_mutex_t det_lock;
    vg_serve_det *det;
    /* the stages */
    vg_serve_work *work;
    vg_serve_net *net;
    vg_serve_http *http;
    vg_serve_files *files;
    atomic_int stopping;                /* listeners stop taking records */
    uint64_t start_seq;                 /* the first spool record of this run's work */
} vg_serve;

/* Runs the daemon with configuration conf (read from path; NULL: the defaults) until SIGTERM
 * or SIGINT (then drains and returns VG_OK); SIGHUP reloads; messages go to the logger. */
vg_rc vg_serve_run(const vg_config *conf, const char *path, vg_error *err);

#define VG_SUBMIT_SYNC 1u   /* durable on return (with spool sync: always): an acknowledgement follows */
#define VG_SUBMIT_FORCE 2u  /* append even over the backlog limit (the caller already read them) */

/* Appends n records received by listener li to the spool; their sequence numbers in
 * recs[i].seq. VG_ERR_LIMIT when the backlog is full and flags has no VG_SUBMIT_FORCE
 * (nothing appended: the caller applies backpressure). */
vg_rc vg_serve_submit(vg_serve *s, size_t li, vg_spool_rec *recs, size_t n, unsigned flags, vg_error *err);

/* Records received but not yet stored. */
uint64_t vg_serve_backlog(vg_serve *s);

/* Appends the metrics in the Prometheus text format to b. */
vg_rc vg_serve_metrics_text(vg_serve *s, vg_buf *b);

/* ---- detection generations (serve-detect.c) ---- */

/* Loads the rules and the snapshot that configuration c names, as generation gen. */
vg_rc vg_serve_det_load(const vg_config *c, uint64_t gen, vg_serve_det **out, vg_error *err);

/* Frees a generation. */
void vg_serve_det_free(vg_serve_det *d);

/* The current generation, with a reference taken. */
vg_serve_det *vg_serve_det_acquire(vg_serve *s);

/* Lets go of a reference; the last one of a retired generation frees it. */
void vg_serve_det_release(vg_serve *s, vg_serve_det *d);

/* Reads the configuration again and replaces the detection generation (rules, snapshot, log
 * level); listeners and units stay as they were at start. The old one stays on error. */
vg_rc vg_serve_reload(vg_serve *s, vg_error *err);

/* ---- the stages (serve-work.c, serve-net.c, serve-http.c) ---- */

/* Starts the detection workers and the store writer, reading the spool from the store's
 * watermark + 1. */
vg_rc vg_serve_work_start(vg_serve *s, vg_serve_work **out, vg_error *err);

/* Wakes the workers: records were appended. */
void vg_serve_work_notify(vg_serve_work *w);

/* Processes every record appended so far, then stops and frees the workers and the writer. */
void vg_serve_work_stop(vg_serve_work *w);

/* The store's watermark as the writer last committed it. */
uint64_t vg_serve_work_committed(vg_serve_work *w);

/* A socket bound to a (and listening, for TCP), non-blocking; name is for errors. */
vg_rc vg_serve_listen_socket(const vg_conf_addr *a, int udp, const char *name, int *fd, vg_error *err);

/* ---- TLS (serve-tls.c) ---- */

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

#define VG_TLS_WANT_READ (-2)   /* vg_serve_tls_read: wait until the socket is readable */
#define VG_TLS_WANT_WRITE (-3)  /* ... writable (during the handshake) */
#define VG_TLS_FAILED (-1)      /* the connection failed; the reason is given */

/* The TLS context of listener l: its certificate and key, client certificates if client_ca. */
vg_rc vg_serve_tls_ctx(const vg_conf_listener *l, SSL_CTX **out, vg_error *err);

/* A server-side TLS connection over the accepted socket fd (NULL: out of memory). */
SSL *vg_serve_tls_accept(SSL_CTX *ctx, int fd);

/* Reads decrypted bytes (handshaking first): the count, 0 at the end of the stream, or a
 * VG_TLS_* code (why holds the reason of VG_TLS_FAILED). */
long vg_serve_tls_read(SSL *ssl, char *buf, size_t cap, char *why, size_t whycap);

/* Writes buf[0..len) (or what fits) on a TLS connection: bytes written, or VG_TLS_WANT_WRITE /
 * VG_TLS_WANT_READ (nothing written, wait), or VG_TLS_FAILED with why. */
long vg_serve_tls_write(SSL *ssl, const char *buf, size_t len, char *why, size_t whycap);

/* The common name of the client's certificate ("" if none) into out. */
void vg_serve_tls_peer(SSL *ssl, char *out, size_t cap);

/* Binds the UDP, TCP and TLS listeners (before privileges are dropped). */
vg_rc vg_serve_net_bind(vg_serve *s, vg_serve_net **out, vg_error *err);

/* Starts the thread that serves the bound UDP and TCP listeners. */
vg_rc vg_serve_net_start(vg_serve_net *n, vg_error *err);

/* Stops the thread, closes every socket (records read are in the spool) and frees n. */
void vg_serve_net_stop(vg_serve_net *n);

/* ---- the archive of records (serve-archive.c) ---- */

/* Opens the archive when the configuration asks for one (else *out is NULL). */
vg_rc vg_serve_archive_open(vg_serve *s, vg_serve_archive **out, vg_error *err);

/* Appends spool records first..last (committed, not yet released) to the day's file. */
vg_rc vg_serve_archive_batch(vg_serve_archive *a, uint64_t first, uint64_t last, vg_error *err);

/* Closes the archive (NULL is allowed). */
void vg_serve_archive_close(vg_serve_archive *a);

/* ---- file inputs (serve-files.c) ---- */

/* Spool records of file inputs (source ids nlisteners + file index) begin with the position
 * just after their line: device, inode, offset, each 8 bytes little-endian. */
#define VG_FILE_POS_BYTES 24

/* Writes pos as the prefix of a file record. */
void vg_file_pos_encode(unsigned char out[VG_FILE_POS_BYTES], const vg_follow_pos *pos);

/* Reads the prefix of a file record; -1 if it is too short. */
int vg_file_pos_decode(const char *data, size_t len, vg_follow_pos *pos);

/* The line of a spool record of source src: for a file input's record, its position goes to
 * pos (may be NULL) and *data, *len are moved past it; returns 1 then, else 0. */
int vg_file_record_line(const vg_config *c, uint32_t src, const char **data, size_t *len, vg_follow_pos *pos);

/* Starts following the configured files (none: *out is NULL), each from its saved position
 * (saved[i], from the store) or a later one found in the spool from from_seq on. */
vg_rc vg_serve_files_start(vg_serve *s, const vg_follow_pos *saved, uint64_t from_seq, vg_serve_files **out,
                           vg_error *err);

/* Stops reading files (NULL is allowed); what was read is in the spool. */
void vg_serve_files_stop(vg_serve_files *fs);

/* Binds the sockets of the HTTP ingest listeners and the API (before privileges are dropped). */
vg_rc vg_serve_http_bind(vg_serve *s, vg_serve_http **out, vg_error *err);

/* Starts serving them (libmicrohttpd threads). */
vg_rc vg_serve_http_start(vg_serve_http *h, vg_error *err);

/* Stops them (requests in progress are answered first) and frees h. */
void vg_serve_http_stop(vg_serve_http *h);

#endif
