/*
 * serve-http: the daemon's HTTP side (see serve.h), on libmicrohttpd's own threads.
 *
 * Ingest (each listener of type http): `POST /ingest` with `Authorization: Bearer TOKEN` and
 * a body of NDJSON (one record per line). The token's SHA-256 must be one the listener lists
 * (compared in constant time); the token decides the unit. The body is read whole (at most
 * VG_HTTP_MAX_BODY), cut into lines, and the records are appended to the spool in one call;
 * the answer is sent only once they are durable (with `spool.sync: always`, after the
 * fdatasync). Answers: 200 with the count accepted and each line refused (over the record
 * limit) with its reason; 401 without a known token; 413 for a body over the limit; 503 with
 * `Retry-After` when the backlog stayed full for the listener's backlog_wait_ms; 404 and 405
 * for other paths and methods.
 *
 * With cert and key the listener speaks HTTPS (libmicrohttpd's TLS, TLS 1.2 at least); the
 * files are read before privileges are dropped.
 *
 * The API (api.listen): `GET /metrics` (Prometheus text), `GET /healthz` (200, or 503 once
 * processing has stopped: the store refused a commit).
 *
 * Main structures: vg_serve_http (the daemons started), http_req (one request's body).
 */
#include "serve.h"

#include <errno.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util-log.h"
#include "util-mem.h"
#include "util-time.h"

#define VG_HTTP_MAX_BODY (32u << 20)    /* limit: bytes of one ingest request body */
#define HTTP_MAX_REFUSED_LISTED 100     /* refused lines listed in one answer (all are counted) */
#define HTTP_THREADS 2                  /* libmicrohttpd threads per daemon */
#define HTTP_MAX_PEM (1u << 20)         /* limit: bytes of a certificate or key file */
#define HTTP_WAIT_STEP_MS 5             /* a request waiting for room checks the backlog this often */

typedef struct http_ep {
    vg_serve *s;
    size_t li;                          /* the listener; SIZE_MAX for the API */
    int fd;                             /* the bound socket (MHD owns it once started) */
    const vg_conf_addr *addr;
    const char *name;
    unsigned max_conn;
    char *cert_pem, *key_pem;           /* HTTPS: read before privileges are dropped */
    struct MHD_Daemon *d;
} http_ep;

struct vg_serve_http {
    http_ep *eps;
    size_t neps;
};

typedef struct http_req {
    vg_buf body;
    int too_big;
    const vg_conf_token *token;         /* checked once, on the request's first call */
} http_req;

static enum MHD_Result answer(struct MHD_Connection *conn, unsigned status, const char *type, const char *body,
                              size_t len, const char *h1, const char *v1)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (h1)
        MHD_add_response_header(r, h1, v1);
    enum MHD_Result ok = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result answer_json(struct MHD_Connection *conn, unsigned status, const char *json)
{
    return answer(conn, status, "application/json", json, strlen(json), NULL, NULL);
}

/* The token of the request, if the listener knows it; NULL otherwise. */
static const vg_conf_token *find_token(const vg_conf_listener *l, struct MHD_Connection *conn)
{
    const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!auth || strncmp(auth, "Bearer ", 7) != 0)
        return NULL;
    const char *tok = auth + 7;
    unsigned char digest[32];
    unsigned dlen = 0;
    if (EVP_Digest(tok, strlen(tok), digest, &dlen, EVP_sha256(), NULL) != 1 || dlen != 32)
        return NULL;
    const vg_conf_token *found = NULL;
    for (size_t i = 0; i < l->ntokens; i++) /* every entry is compared: no timing by position */
        if (CRYPTO_memcmp(digest, l->tokens[i].sha256, 32) == 0)
            found = &l->tokens[i];
    return found;
}

/* Cuts the body into records; appends the refused lines to out. Returns the count kept. */
static size_t split_body(const vg_conf_listener *l, const vg_conf_token *t, http_req *req, vg_spool_rec *recs,
                         vg_buf *out, uint64_t *refused)
{
    size_t n = 0, line = 0, listed = 0;
    const char *p = req->body.data, *end = p + req->body.len;
    int64_t now = vg_now_us();
    while (p && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = (size_t)((nl ? nl : end) - p);
        line++;
        if (len && p[len - 1] == '\r')
            len--;
        if (len > l->max_record) {
            (*refused)++;
            if (listed++ < HTTP_MAX_REFUSED_LISTED)
                vg_buf_printf(out, "%s{\"line\":%zu,\"reason\":\"record longer than %u bytes\"}", listed > 1 ? "," : "",
                              line, l->max_record);
        } else if (len) {
            recs[n++] = (vg_spool_rec){ 0, now, t->unit, 0, (uint32_t)len, p };
        }
        p = nl ? nl + 1 : end;
    }
    return n;
}

/* Backpressure: while the backlog is full, the request waits (up to ms, checking every
 * HTTP_WAIT_STEP_MS) before its records are offered, as a TCP connection is not read. The
 * sender's answer is late instead of a 503 that makes it pause a whole second, and the
 * backlog stays deep enough for the writer's large commits. Ends early when stopping. */
static void wait_for_room(vg_serve *s, unsigned ms)
{
    for (unsigned waited = 0; waited < ms && !atomic_load(&s->stopping); waited += HTTP_WAIT_STEP_MS) {
        if (vg_serve_backlog(s) < s->conf->spool_max_backlog)
            return;
        struct timespec step = { 0, HTTP_WAIT_STEP_MS * 1000000L };
        nanosleep(&step, NULL);
    }
}

static enum MHD_Result ingest(http_ep *ep, struct MHD_Connection *conn, const vg_conf_token *t, http_req *req)
{
    const vg_conf_listener *l = &ep->s->conf->listeners[ep->li];
    vg_serve_lcount *lc = &ep->s->m.listeners[ep->li];
    size_t maxrecs = 1;
    for (const char *p = req->body.data, *end = p + req->body.len; p && p < end; maxrecs++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        p = nl ? nl + 1 : end;
    }
    vg_spool_rec *recs = vg_malloc(maxrecs * sizeof(*recs));
    vg_buf out;
    vg_buf_init(&out, 0);
    if (!recs)
        return answer_json(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "{\"error\":\"out of memory\"}");
    uint64_t refused = 0;
    vg_buf_puts(&out, "{\"accepted\":");
    vg_buf refused_list;
    vg_buf_init(&refused_list, 0);
    if (req->body.len)  /* before the records are stamped: the wait is not part of their latency */
        wait_for_room(ep->s, l->backlog_wait_ms);
    size_t n = split_body(l, t, req, recs, &refused_list, &refused);
    for (size_t i = 0; i < n; i++)
        recs[i].source = (uint32_t)ep->li;
    vg_error err;
    vg_rc rc = n ? vg_serve_submit(ep->s, ep->li, recs, n, VG_SUBMIT_SYNC, &err) : VG_OK;
    enum MHD_Result ok;
    if (rc == VG_ERR_LIMIT) {
        atomic_fetch_add(&lc->refused, 1);
        ok = answer(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "application/json",
                    "{\"error\":\"backlog full, retry later\"}", 37, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    } else if (rc) {
        vg_log(VG_LOG_ERROR, "listener %s: %s", l->name, err.msg);
        ok = answer_json(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "{\"error\":\"the spool refused the records\"}");
    } else {
        atomic_fetch_add(&lc->bad, refused);
        vg_buf_printf(&out, "%zu,\"first_seq\":%llu,\"last_seq\":%llu,\"refused\":%llu,\"refused_lines\":[%s]}\n", n,
                      (unsigned long long)(n ? recs[0].seq : 0), (unsigned long long)(n ? recs[n - 1].seq : 0),
                      (unsigned long long)refused, refused_list.data ? refused_list.data : "");
        ok = answer(conn, MHD_HTTP_OK, "application/json", out.data, out.len, NULL, NULL);
    }
    vg_free(recs);
    vg_buf_free(&out);
    vg_buf_free(&refused_list);
    return ok;
}

static enum MHD_Result on_ingest(http_ep *ep, struct MHD_Connection *conn, const char *url, const char *method,
                                 const char *data, size_t *size, void **state)
{
    const vg_conf_listener *l = &ep->s->conf->listeners[ep->li];
    vg_serve_lcount *lc = &ep->s->m.listeners[ep->li];
    http_req *req = *state;
    if (!req) {
        if (strcmp(url, "/ingest") != 0)
            return answer_json(conn, MHD_HTTP_NOT_FOUND, "{\"error\":\"no such path: POST /ingest\"}");
        if (strcmp(method, "POST") != 0)
            return answer(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "application/json", "{\"error\":\"POST only\"}", 21,
                          MHD_HTTP_HEADER_ALLOW, "POST");
        const vg_conf_token *token = find_token(l, conn);
        if (!token) {
            atomic_fetch_add(&lc->refused, 1);
            return answer(conn, MHD_HTTP_UNAUTHORIZED, "application/json", "{\"error\":\"unknown or missing token\"}",
                          36, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
        }
        if (!(req = vg_calloc(1, sizeof(*req))))
            return MHD_NO;
        req->token = token;
        vg_buf_init(&req->body, VG_HTTP_MAX_BODY);
        /* the body's size when the client says it: one allocation instead of growing by copies */
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        unsigned long long want = cl ? strtoull(cl, NULL, 10) : 0;
        if (want > VG_HTTP_MAX_BODY)
            req->too_big = 1;
        else if (want && vg_buf_reserve(&req->body, (size_t)want) != VG_OK)
            req->too_big = 1;
        atomic_fetch_add(&lc->connections, 1);
        *state = req;
        return MHD_YES;
    }
    if (*size) {
        if (!req->too_big && vg_buf_append(&req->body, data, *size) != VG_OK)
            req->too_big = 1;
        atomic_fetch_add(&lc->bytes, *size);
        *size = 0;
        return MHD_YES;
    }
    if (req->too_big) {
        atomic_fetch_add(&lc->refused, 1);
        return answer_json(conn, MHD_HTTP_CONTENT_TOO_LARGE, "{\"error\":\"body larger than 32 MiB\"}");
    }
    return ingest(ep, conn, req->token, req);
}

static enum MHD_Result on_api(http_ep *ep, struct MHD_Connection *conn, const char *url, const char *method)
{
    if (strcmp(method, "GET") != 0)
        return answer(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "application/json", "{\"error\":\"GET only\"}", 20,
                      MHD_HTTP_HEADER_ALLOW, "GET");
    if (strcmp(url, "/healthz") == 0)
        return atomic_load(&ep->s->m.failing)
                   ? answer_json(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
                                 "{\"status\":\"failing\",\"reason\":\"processing stopped (see the log)\"}\n")
                   : answer_json(conn, MHD_HTTP_OK, "{\"status\":\"ok\"}\n");
    if (strcmp(url, "/metrics") == 0) {
        vg_buf b;
        vg_buf_init(&b, 0);
        vg_serve_metrics_text(ep->s, &b);
        enum MHD_Result ok = answer(conn, MHD_HTTP_OK, "text/plain; version=0.0.4", b.data ? b.data : "", b.len,
                                    NULL, NULL);
        vg_buf_free(&b);
        return ok;
    }
    return answer_json(conn, MHD_HTTP_NOT_FOUND, "{\"error\":\"no such path: /metrics, /healthz\"}");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *data, size_t *size, void **state)
{
    http_ep *ep = cls;
    (void)version;
    if (ep->li == SIZE_MAX)
        return on_api(ep, conn, url, method);
    return on_ingest(ep, conn, url, method, data, size, state);
}

static void on_done(void *cls, struct MHD_Connection *conn, void **state, enum MHD_RequestTerminationCode code)
{
    http_req *req = *state;
    (void)cls;
    (void)conn;
    (void)code;
    if (req) {
        vg_buf_free(&req->body);
        vg_free(req);
        *state = NULL;
    }
}

static vg_rc start_one(http_ep *ep, vg_error *err)
{
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
    if (ep->addr->sa.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (ep->cert_pem)
        flags |= MHD_USE_TLS;
    /* the TLS options come last: without a certificate they are left out (MHD_OPTION_END first) */
    ep->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, ep, MHD_OPTION_LISTEN_SOCKET, ep->fd,
                             MHD_OPTION_THREAD_POOL_SIZE, (unsigned)HTTP_THREADS, MHD_OPTION_CONNECTION_LIMIT,
                             ep->max_conn, MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_NOTIFY_COMPLETED, on_done, ep,
                             ep->cert_pem ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, ep->cert_pem,
                             MHD_OPTION_HTTPS_MEM_KEY, ep->key_pem, MHD_OPTION_HTTPS_PRIORITIES,
                             "NORMAL:-VERS-TLS1.1:-VERS-TLS1.0", MHD_OPTION_END);
    if (!ep->d)
        return vg_fail(err, VG_ERR_IO, 0, "%s: cannot serve HTTP%s on %s (a certificate or key libmicrohttpd "
                       "does not accept?)", ep->name, ep->cert_pem ? "S" : "", ep->addr->text);
    ep->fd = -1;
    vg_log(VG_LOG_INFO, "listening: %s (%s) on %s", ep->name, ep->cert_pem ? "https" : "http", ep->addr->text);
    return VG_OK;
}

/* A PEM file read whole (at most HTTP_MAX_PEM bytes), NUL-terminated. */
static vg_rc read_pem(const char *path, const char *name, char **out, vg_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return vg_fail(err, VG_ERR_IO, 0, "listener %s: %s: %s", name, path, strerror(errno));
    char *buf = vg_malloc(HTTP_MAX_PEM + 1);
    size_t n = buf ? fread(buf, 1, HTTP_MAX_PEM + 1, fp) : 0;
    int bad = ferror(fp);
    fclose(fp);
    if (!buf || bad || n > HTTP_MAX_PEM) {
        vg_free(buf);
        return vg_fail(err, bad ? VG_ERR_IO : !buf ? VG_ERR_NOMEM : VG_ERR_LIMIT, 0, "listener %s: %s: %s", name, path,
                       bad ? "read error" : !buf ? "out of memory" : "larger than 1 MiB");
    }
    buf[n] = '\0';
    *out = buf;
    return VG_OK;
}

static vg_rc bind_ep(vg_serve_http *h, vg_serve *s, size_t li, const vg_conf_addr *a, const char *name,
                     unsigned max_conn, vg_error *err)
{
    http_ep *ep = &h->eps[h->neps];
    *ep = (http_ep){ .s = s, .li = li, .fd = -1, .addr = a, .name = name, .max_conn = max_conn };
    vg_rc rc = vg_serve_listen_socket(a, 0, name, &ep->fd, err);
    if (!rc)
        h->neps++;
    return rc;
}

vg_rc vg_serve_http_bind(vg_serve *s, vg_serve_http **out, vg_error *err)
{
    vg_serve_http *h = vg_calloc(1, sizeof(*h));
    if (!h || !(h->eps = vg_calloc(s->conf->nlisteners + 1, sizeof(*h->eps)))) {
        vg_free(h);
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    }
    vg_rc rc = VG_OK;
    for (size_t i = 0; !rc && i < s->conf->nlisteners; i++) {
        const vg_conf_listener *l = &s->conf->listeners[i];
        if (l->kind != VG_LISTEN_HTTP)
            continue;
        rc = bind_ep(h, s, i, &l->addr, l->name, l->max_connections, err);
        if (!rc && l->cert) {
            rc = read_pem(l->cert, l->name, &h->eps[h->neps - 1].cert_pem, err);
            if (!rc)
                rc = read_pem(l->key, l->name, &h->eps[h->neps - 1].key_pem, err);
        }
    }
    if (!rc && s->conf->api_enabled)
        rc = bind_ep(h, s, SIZE_MAX, &s->conf->api, "api", 64, err);
    if (rc) {
        vg_serve_http_stop(h);
        return rc;
    }
    *out = h;
    return VG_OK;
}

vg_rc vg_serve_http_start(vg_serve_http *h, vg_error *err)
{
    vg_rc rc = VG_OK;
    for (size_t i = 0; !rc && i < h->neps; i++)
        rc = start_one(&h->eps[i], err);
    return rc;
}

void vg_serve_http_stop(vg_serve_http *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->neps; i++) {
        if (h->eps[i].d)
            MHD_stop_daemon(h->eps[i].d);
        else if (h->eps[i].fd >= 0)
            close(h->eps[i].fd);
        if (h->eps[i].key_pem)
            OPENSSL_cleanse(h->eps[i].key_pem, strlen(h->eps[i].key_pem));
        vg_free(h->eps[i].cert_pem);
        vg_free(h->eps[i].key_pem);
    }
    vg_free(h->eps);
    vg_free(h);
}
