/*
 * serve-net: the daemon's syslog listeners over UDP and TCP (see serve.h). One thread runs an
 * epoll loop over every listening socket and connection. A UDP datagram is one record; a TCP
 * connection is a stream cut into records by its framer (ingest-frame: LF or octet counting,
 * chosen per connection). What one read brings is appended to the spool in one call, so a
 * record read from a socket is in the spool before the next read.
 *
 * Backpressure: while the backlog (records received, not yet stored) is over the limit,
 * connections are taken out of the poll set (the kernel's window fills, senders wait) and
 * put back once it drains; UDP datagrams are still read, and dropped and counted.
 *
 * RELP listeners (ingest-relp) take syslog frames and answer each one "200 OK" once the
 * records of the read are in the spool (synced first with spool sync: always); a frame
 * that cannot be parsed ends the connection (the sender sends again what was not answered).
 * Answers not yet written hold further reads back.
 *
 * TLS listeners (serve-tls), and RELP listeners given a certificate, work the same way over
 * decrypted bytes; a connection reads until OpenSSL has nothing buffered, and waits for
 * writability while a handshake (or a write) needs it.
 *
 * Main structures: vg_serve_net (sockets, the epoll set, the connections, one read buffer),
 * net_conn (a connection: its framer, peer, unit, TLS state, and the records of the current
 * read).
 */
#include "serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "ingest-relp.h"
#include "util-log.h"
#include "util-mem.h"
#include "util-time.h"

#define NET_READ_BYTES (256u << 10)     /* limit: bytes taken from a socket per read */
#define NET_UDP_BATCH 64                /* datagrams read per recvmmsg */
#define NET_MAX_REPORTS 10              /* framing errors logged per connection (all are counted) */
#define NET_TAG_LISTEN 1u
#define NET_TAG_CONN 2u

typedef struct net_conn {
    int fd;
    vg_relp_parser *relp;               /* RELP listeners */
    uint32_t *acks;                     /* RELP: frame numbers to answer once spooled */
    size_t nacks, cap_acks;
    vg_buf out;                         /* RELP: answers not yet written */
    int closing;                        /* RELP: close once the answers are written */
    SSL *ssl;                           /* TLS listeners */
    int want_write;                     /* the handshake waits for writability */
    uint32_t li;                        /* listener index */
    uint32_t unit;
    int paused;                         /* out of the poll set: backpressure */
    unsigned reports;
    int64_t last_active;
    char peer[INET6_ADDRSTRLEN + 8];
    vg_framer fr;
    vg_buf batch;                       /* the records of the current read, back to back */
    vg_spool_rec *recs;
    size_t nrecs, cap;
    struct net_conn *prev, *next;
} net_conn;

typedef struct net_listen {
    int fd;
    uint32_t li;
    SSL_CTX *tls;                       /* TLS listeners */
} net_listen;

struct vg_serve_net {
    vg_serve *s;
    int epfd, wakefd;
    net_listen *ls;
    size_t nls;
    net_conn *conns;
    size_t npaused;
    pthread_t thread;
    int started;
    atomic_int stop;
    char *rbuf;
};

static void peer_text(const struct sockaddr_storage *sa, char *out, size_t cap)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (sa->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)sa;
        inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
        port = ntohs(in->sin_port);
    } else if (sa->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const void *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
        port = ntohs(in6->sin6_port);
    }
    snprintf(out, cap, sa->ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip, port);
}

/* ---- binding ---- */

vg_rc vg_serve_listen_socket(const vg_conf_addr *a, int udp, const char *name, int *out, vg_error *err)
{
    int fd = socket(a->sa.ss_family, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return vg_fail(err, VG_ERR_IO, 0, "%s: socket: %s", name, strerror(errno));
    int one = 1, rcvbuf = 8 << 20;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (a->sa.ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (udp)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    if (bind(fd, (const struct sockaddr *)&a->sa, a->salen) != 0 || (!udp && listen(fd, 1024) != 0)) {
        int e = errno;
        close(fd);
        return vg_fail(err, VG_ERR_IO, 0, "%s: cannot listen on %s (%s): %s", name, a->text, udp ? "udp" : "tcp",
                       strerror(e));
    }
    *out = fd;
    return VG_OK;
}

vg_rc vg_serve_net_bind(vg_serve *s, vg_serve_net **out, vg_error *err)
{
    vg_serve_net *n = vg_calloc(1, sizeof(*n));
    if (!n)
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    n->s = s;
    n->epfd = n->wakefd = -1;
    n->ls = vg_calloc(s->conf->nlisteners + 1, sizeof(*n->ls));
    n->rbuf = vg_malloc(NET_READ_BYTES);
    vg_rc rc = n->ls && n->rbuf ? VG_OK : vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    for (size_t i = 0; !rc && i < s->conf->nlisteners; i++) {
        const vg_conf_listener *l = &s->conf->listeners[i];
        if (l->kind == VG_LISTEN_HTTP)
            continue;
        n->ls[n->nls].tls = NULL;
        int tls = l->kind == VG_LISTEN_TLS || (l->kind == VG_LISTEN_RELP && l->cert);   /* RELP over TLS */
        if (tls && (rc = vg_serve_tls_ctx(l, &n->ls[n->nls].tls, err)) != VG_OK)
            break;
        rc = vg_serve_listen_socket(&l->addr, l->kind == VG_LISTEN_UDP, l->name, &n->ls[n->nls].fd, err);
        if (rc)
            SSL_CTX_free(n->ls[n->nls].tls);
        if (!rc) {
            n->ls[n->nls++].li = (uint32_t)i;
            vg_log(VG_LOG_INFO, "listening: %s (%s) on %s%s", l->name, vg_listen_kind_name(l->kind), l->addr.text,
                   l->client_ca ? ", client certificates required" : "");
        }
    }
    if (rc) {
        vg_serve_net_stop(n);
        return rc;
    }
    *out = n;
    return VG_OK;
}

/* ---- connections ---- */

static void conn_close(vg_serve_net *n, net_conn *c)
{
    vg_serve_lcount *lc = &n->s->m.listeners[c->li];
    atomic_fetch_sub(&lc->open, 1);
    epoll_ctl(n->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    if (c->ssl) {
        SSL_shutdown(c->ssl);
        SSL_free(c->ssl);
    }
    close(c->fd);
    if (c->paused)
        n->npaused--;
    if (c->prev)
        c->prev->next = c->next;
    else
        n->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    vg_framer_free(&c->fr);
    if (c->relp) {
        vg_relp_free(c->relp);
        vg_free(c->relp);
    }
    vg_free(c->acks);
    vg_buf_free(&c->out);
    vg_buf_free(&c->batch);
    vg_free(c->recs);
    vg_free(c);
}

static void on_bad(void *ctx, uint64_t offset, const char *reason)
{
    net_conn *c = ctx;
    (void)offset;
    c->reports++;
    if (c->reports <= NET_MAX_REPORTS)
        vg_log(VG_LOG_WARN, "connection %s: byte %llu: %s%s", c->peer, (unsigned long long)offset, reason,
               c->reports == NET_MAX_REPORTS ? " (further errors of this connection are only counted)" : "");
}

/* A record of the current read: kept (copied) until the read is submitted. */
static vg_rc on_record(void *ctx, const char *p, size_t len)
{
    net_conn *c = ctx;
    if (c->nrecs == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        vg_spool_rec *r = vg_realloc(c->recs, cap * sizeof(*r));
        if (!r)
            return VG_ERR_NOMEM;
        c->recs = r;
        c->cap = cap;
    }
    vg_spool_rec *r = &c->recs[c->nrecs++];
    memset(r, 0, sizeof(*r));
    r->len = (uint32_t)len;
    r->data = (const char *)(uintptr_t)c->batch.len; /* an offset until the batch is complete */
    return vg_buf_append(&c->batch, p, len);
}

/* Appends the records of the current read to the spool; VG_OK or the spool's error. */
static vg_rc conn_submit(vg_serve_net *n, net_conn *c)
{
    if (!c->nrecs)
        return VG_OK;
    int64_t t = vg_now_us();
    for (size_t i = 0; i < c->nrecs; i++) {
        c->recs[i].data = c->batch.data + (uintptr_t)c->recs[i].data;
        c->recs[i].received_us = t;
        c->recs[i].unit = c->unit;
        c->recs[i].source = c->li;
    }
    vg_error err;
    /* read already: the spool takes them even if the backlog filled during this read; reading
     * stops before the next one (apply_backpressure) */
    vg_rc rc = vg_serve_submit(n->s, c->li, c->recs, c->nrecs, VG_SUBMIT_FORCE | (c->relp ? VG_SUBMIT_SYNC : 0), &err);
    if (rc) {
        atomic_fetch_add(&n->s->m.listeners[c->li].dropped, c->nrecs);
        vg_log(VG_LOG_ERROR, "connection %s: %zu records not spooled: %s", c->peer, c->nrecs, err.msg);
    }
    c->nrecs = 0;
    vg_buf_reset(&c->batch);
    return rc;
}

/* ---- RELP ---- */

/* Sets the events a connection waits for: reading, or writing during a TLS handshake. */
static void conn_wait(vg_serve_net *n, net_conn *c, int want_write)
{
    if (c->want_write == want_write || c->paused)
        return;
    struct epoll_event ev = { .events = (want_write ? EPOLLOUT : EPOLLIN) | EPOLLRDHUP, .data.ptr = c };
    if (epoll_ctl(n->epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0)
        c->want_write = want_write;
}


static vg_rc on_relp(void *ctx, const vg_relp_frame *f)
{
    net_conn *c = ctx;
    if (strcmp(f->command, "syslog") == 0) {
        if (c->nacks == c->cap_acks) {
            size_t cap = c->cap_acks ? 2 * c->cap_acks : 64;
            uint32_t *a = vg_realloc(c->acks, cap * sizeof(*a));
            if (!a)
                return VG_ERR_NOMEM;
            c->acks = a;
            c->cap_acks = cap;
        }
        c->acks[c->nacks++] = f->txnr;
        return f->len ? on_record(c, f->data, f->len) : VG_OK;
    }
    if (strcmp(f->command, "open") == 0)
        return vg_relp_response(&c->out, f->txnr, 200, "OK", "relp_version=0\nrelp_software=vigil\ncommands=syslog");
    if (strcmp(f->command, "close") == 0) {
        c->closing = 1;
        return vg_buf_printf(&c->out, "%u rsp 0\n", f->txnr);
    }
    return vg_relp_response(&c->out, f->txnr, 500, "unknown command", NULL);
}

/* Writes some pending answers: the bytes written, RELP_FULL (socket full: wait for
 * writability), RELP_WANTS_READ (TLS must read first) or -1 on error. */
#define RELP_FULL (-2)
#define RELP_WANTS_READ (-3)
static long relp_write(net_conn *c, const char *p, size_t len)
{
    if (c->ssl) {
        char why[256];
        long w = vg_serve_tls_write(c->ssl, p, len, why, sizeof(why));
        if (w == VG_TLS_WANT_WRITE || w == VG_TLS_WANT_READ)
            return w == VG_TLS_WANT_WRITE ? RELP_FULL : RELP_WANTS_READ;
        if (w <= 0)
            vg_log(VG_LOG_DEBUG, "connection %s: TLS: %s", c->peer, why);
        return w > 0 ? w : -1;
    }
    for (;;) {
        ssize_t w = write(c->fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno == EAGAIN)
            return RELP_FULL;
        return w > 0 ? (long)w : -1;
    }
}

/* Writes the pending answers; 0 when all are written, 1 when the socket is full, 2 when TLS
 * must read before it can write, -1 on error. */
static int relp_flush(vg_serve_net *n, net_conn *c)
{
    size_t done = 0;
    long w = 0;
    while (done < c->out.len && (w = relp_write(c, c->out.data + done, c->out.len - done)) > 0)
        done += (size_t)w;
    if (w == -1)
        return -1;
    memmove(c->out.data, c->out.data + done, c->out.len - done);
    c->out.len -= done;
    conn_wait(n, c, c->out.len > 0 && w != RELP_WANTS_READ);
    return c->out.len == 0 ? 0 : w == RELP_WANTS_READ ? 2 : 1;
}

/* A RELP read: frames parsed, syslog records spooled, then answered. 0, or -1 to close. */
static int relp_read(vg_serve_net *n, net_conn *c, const char *data, size_t len)
{
    vg_error err;
    vg_rc rc = vg_relp_feed(c->relp, data, len, on_relp, c, &err);
    vg_rc spooled = conn_submit(n, c);
    for (size_t i = 0; i < c->nacks; i++)
        if (spooled == VG_OK)
            vg_relp_response(&c->out, c->acks[i], 200, "OK", NULL);
        else
            vg_relp_response(&c->out, c->acks[i], 500, "not stored, send again", NULL);
    c->nacks = 0;
    if (rc) {
        atomic_fetch_add(&n->s->m.listeners[c->li].bad, 1);
        vg_log(VG_LOG_WARN, "connection %s: %s; closed", c->peer, err.msg);
        vg_buf_printf(&c->out, "0 serverclose 0\n");
        relp_flush(n, c);
        return -1;
    }
    return relp_flush(n, c) < 0 ? -1 : 0;
}

/* Reads what the connection has: bytes in n->rbuf (their count), 0 at its end, -1 on an error
 * (logged), VG_TLS_WANT_READ when there is nothing more now. TLS reads continue until OpenSSL
 * has nothing buffered, as epoll cannot see its buffer. */
static long conn_recv(vg_serve_net *n, net_conn *c)
{
    if (!c->ssl) {
        ssize_t got = read(c->fd, n->rbuf, NET_READ_BYTES);
        if (got < 0 && (errno == EAGAIN || errno == EINTR))
            return VG_TLS_WANT_READ;
        if (got < 0)
            vg_log(VG_LOG_DEBUG, "connection %s: %s", c->peer, strerror(errno));
        return got;
    }
    size_t have = 0;
    char why[256];
    while (have < NET_READ_BYTES) {
        int was_init = SSL_is_init_finished(c->ssl);
        long got = vg_serve_tls_read(c->ssl, n->rbuf + have, NET_READ_BYTES - have, why, sizeof(why));
        if (!was_init && SSL_is_init_finished(c->ssl)) {
            char cn[128];
            vg_serve_tls_peer(c->ssl, cn, sizeof(cn));
            int unit = vg_config_unit_of_certificate(n->s->conf, cn);
            if (unit >= 0)
                c->unit = (uint32_t)unit; /* the certificate names the source: its unit wins */
            vg_log(VG_LOG_DEBUG, "connection %s: TLS %s%s%s%s%s", c->peer, SSL_get_version(c->ssl),
                   cn[0] ? ", client " : "", cn, unit >= 0 ? ", unit " : "",
                   unit >= 0 ? n->s->conf->units[unit].name : "");
        }
        if (got > 0) {
            have += (size_t)got;
            continue;
        }
        conn_wait(n, c, got == VG_TLS_WANT_WRITE);
        if (have)
            return (long)have; /* the end or the error shows at the next read */
        if (got == VG_TLS_FAILED) {
            vg_log(VG_LOG_WARN, "connection %s: TLS: %s", c->peer, why);
            atomic_fetch_add(&n->s->m.listeners[c->li].bad, 1);
            return -1;
        }
        return got == 0 ? 0 : VG_TLS_WANT_READ;
    }
    return (long)have;
}

static void conn_read(vg_serve_net *n, net_conn *c)
{
    vg_frame_sink sink = { on_record, on_bad, c };
    vg_serve_lcount *lc = &n->s->m.listeners[c->li];
    int flushed = c->relp && c->out.len ? relp_flush(n, c) : 0;
    if (flushed < 0) {
        conn_close(n, c);
        return;
    }
    if (flushed == 1)
        return; /* answers still pending: read no more until they are written */
    if (c->closing && !c->out.len) {
        conn_close(n, c);
        return;
    }
    for (;;) {
        long got = conn_recv(n, c);
        if (got == VG_TLS_WANT_READ || got == VG_TLS_WANT_WRITE)
            return;
        if (got > 0) {
            atomic_fetch_add(&lc->bytes, (uint64_t)got);
            c->last_active = vg_now_us();
        }
        if (c->relp) {
            if (got <= 0 || relp_read(n, c, n->rbuf, (size_t)got) != 0 || (c->closing && !c->out.len)) {
                conn_close(n, c);
                return;
            }
            if (!c->ssl || c->out.len)
                return; /* epoll says when there is more, or when the answers can be written */
            continue;   /* OpenSSL may hold more than one read took */
        }
        uint64_t bad_before = c->fr.stats.oversized + c->fr.stats.malformed + c->fr.stats.truncated;
        if (got > 0) {
            if (vg_framer_feed(&c->fr, n->rbuf, (size_t)got, &sink) != VG_OK)
                vg_log(VG_LOG_ERROR, "connection %s: out of memory", c->peer);
        } else {
            vg_framer_finish(&c->fr, &sink); /* a last line without LF is a record */
        }
        atomic_fetch_add(&lc->bad, c->fr.stats.oversized + c->fr.stats.malformed + c->fr.stats.truncated - bad_before);
        conn_submit(n, c);
        if (got <= 0) {
            conn_close(n, c);
            return;
        }
        if (!c->ssl)
            return; /* level-triggered: epoll says when there is more */
    }
}

static void conn_accept(vg_serve_net *n, const net_listen *l)
{
    const vg_conf_listener *cl = &n->s->conf->listeners[l->li];
    vg_serve_lcount *lc = &n->s->m.listeners[l->li];
    for (int k = 0; k < 64; k++) {
        struct sockaddr_storage sa;
        socklen_t slen = sizeof(sa);
        int fd = accept4(l->fd, (struct sockaddr *)&sa, &slen, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        char peer[sizeof(((net_conn *)0)->peer)];
        peer_text(&sa, peer, sizeof(peer));
        if (atomic_load(&lc->open) >= cl->max_connections) {
            vg_log(VG_LOG_WARN, "listener %s: connection from %s refused: %u connections open", cl->name, peer,
                   cl->max_connections);
            atomic_fetch_add(&lc->refused, 1);
            close(fd);
            continue;
        }
        net_conn *c = vg_calloc(1, sizeof(*c));
        if (!c || vg_framer_init(&c->fr, cl->framing, cl->max_record) != VG_OK) {
            vg_free(c);
            close(fd);
            continue;
        }
        c->fd = fd;
        c->li = l->li;
        vg_buf_init(&c->out, 1u << 20);
        if (cl->kind == VG_LISTEN_RELP &&
            (!(c->relp = vg_malloc(sizeof(*c->relp))) || vg_relp_init(c->relp, cl->max_record) != VG_OK)) {
            vg_free(c->relp);
            vg_framer_free(&c->fr);
            vg_free(c);
            close(fd);
            continue;
        }
        if (l->tls && !(c->ssl = vg_serve_tls_accept(l->tls, fd))) {
            if (c->relp) {
                vg_relp_free(c->relp);
                vg_free(c->relp);
            }
            vg_framer_free(&c->fr);
            vg_free(c);
            close(fd);
            continue;
        }
        c->unit = vg_config_unit_of(n->s->conf, cl, (const struct sockaddr *)&sa);
        c->last_active = vg_now_us();
        memcpy(c->peer, peer, sizeof(peer));
        vg_buf_init(&c->batch, 0);
        struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.ptr = c };
        if (epoll_ctl(n->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
            vg_framer_free(&c->fr);
            vg_free(c);
            close(fd);
            continue;
        }
        c->next = n->conns;
        if (n->conns)
            n->conns->prev = c;
        n->conns = c;
        atomic_fetch_add(&lc->connections, 1);
        atomic_fetch_add(&lc->open, 1);
    }
}

/* ---- UDP ---- */

static void udp_read(vg_serve_net *n, const net_listen *l)
{
    const vg_conf_listener *cl = &n->s->conf->listeners[l->li];
    vg_serve_lcount *lc = &n->s->m.listeners[l->li];
    struct mmsghdr msgs[NET_UDP_BATCH];
    struct iovec iov[NET_UDP_BATCH];
    struct sockaddr_storage from[NET_UDP_BATCH];
    size_t per = NET_READ_BYTES / NET_UDP_BATCH;
    for (int i = 0; i < NET_UDP_BATCH; i++) {
        iov[i] = (struct iovec){ n->rbuf + (size_t)i * per, per };
        msgs[i].msg_hdr = (struct msghdr){ .msg_name = &from[i], .msg_namelen = sizeof(from[i]),
                                           .msg_iov = &iov[i], .msg_iovlen = 1 };
    }
    int got = recvmmsg(l->fd, msgs, NET_UDP_BATCH, MSG_DONTWAIT, NULL);
    if (got <= 0)
        return;
    if (vg_serve_backlog(n->s) >= n->s->conf->spool_max_backlog) {
        atomic_fetch_add(&lc->dropped, (uint64_t)got);
        return;
    }
    vg_spool_rec recs[NET_UDP_BATCH];
    size_t nr = 0;
    int64_t t = vg_now_us();
    for (int i = 0; i < got; i++) {
        size_t len = msgs[i].msg_len;
        const char *p = iov[i].iov_base;
        atomic_fetch_add(&lc->bytes, len);
        if ((msgs[i].msg_hdr.msg_flags & MSG_TRUNC) || len > cl->max_record) {
            atomic_fetch_add(&lc->bad, 1);
            continue;
        }
        while (len && (p[len - 1] == '\n' || p[len - 1] == '\r' || p[len - 1] == '\0'))
            len--;
        if (!len)
            continue;
        uint32_t unit = vg_config_unit_of(n->s->conf, cl, (const struct sockaddr *)&from[i]);
        recs[nr++] = (vg_spool_rec){ 0, t, unit, l->li, (uint32_t)len, p };
    }
    vg_error err;
    if (nr && vg_serve_submit(n->s, l->li, recs, nr, VG_SUBMIT_FORCE, &err) != VG_OK) {
        atomic_fetch_add(&lc->dropped, nr);
        vg_log(VG_LOG_ERROR, "listener %s: %zu datagrams not spooled: %s", cl->name, nr, err.msg);
    }
}

/* ---- the loop ---- */

/* Backpressure: pauses reading from connections while the backlog is full, resumes after. */
static void apply_backpressure(vg_serve_net *n)
{
    int full = vg_serve_backlog(n->s) >= n->s->conf->spool_max_backlog;
    if (!full && !n->npaused)
        return;
    for (net_conn *c = n->conns; c; c = c->next) {
        if (c->paused == full)
            continue;
        struct epoll_event ev = { .events = full ? 0 : (c->want_write ? EPOLLOUT : EPOLLIN) | EPOLLRDHUP,
                                  .data.ptr = c };
        if (epoll_ctl(n->epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0) {
            c->paused = full;
            n->npaused += full ? 1 : (size_t)-1;
        }
    }
}

static void close_idle(vg_serve_net *n)
{
    int64_t t = vg_now_us();
    for (net_conn *c = n->conns, *next; c; c = next) {
        next = c->next;
        unsigned idle = n->s->conf->listeners[c->li].idle_timeout_s;
        if (idle && !c->paused && t - c->last_active > (int64_t)idle * 1000000) {
            vg_log(VG_LOG_INFO, "connection %s: idle for %u s, closed", c->peer, idle);
            conn_close(n, c);
        }
    }
}

static void *net_main(void *arg)
{
    vg_serve_net *n = arg;
    struct epoll_event evs[64];
    int64_t last_idle_check = vg_now_us();
    while (!atomic_load(&n->stop)) {
        apply_backpressure(n);
        int k = epoll_wait(n->epfd, evs, 64, n->npaused ? 10 : 500);
        for (int i = 0; i < k; i++) {
            uintptr_t tag = (uintptr_t)evs[i].data.u64;
            if (tag == 0)
                continue; /* the wake-up eventfd */
            if ((tag & 3u) == NET_TAG_LISTEN) {
                const net_listen *l = &n->ls[tag >> 2];
                if (n->s->conf->listeners[l->li].kind == VG_LISTEN_UDP)
                    udp_read(n, l);
                else
                    conn_accept(n, l);
            } else {
                conn_read(n, evs[i].data.ptr);
            }
        }
        if (vg_now_us() - last_idle_check > 1000000) {
            close_idle(n);
            last_idle_check = vg_now_us();
        }
    }
    return NULL;
}

vg_rc vg_serve_net_start(vg_serve_net *n, vg_error *err)
{
    n->epfd = epoll_create1(EPOLL_CLOEXEC);
    n->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (n->epfd < 0 || n->wakefd < 0)
        return vg_fail(err, VG_ERR_IO, 0, "epoll: %s", strerror(errno));
    struct epoll_event wake = { .events = EPOLLIN, .data.u64 = 0 };
    epoll_ctl(n->epfd, EPOLL_CTL_ADD, n->wakefd, &wake);
    for (size_t i = 0; i < n->nls; i++) {
        struct epoll_event ev = { .events = EPOLLIN, .data.u64 = ((uint64_t)i << 2) | NET_TAG_LISTEN };
        if (epoll_ctl(n->epfd, EPOLL_CTL_ADD, n->ls[i].fd, &ev) != 0)
            return vg_fail(err, VG_ERR_IO, 0, "epoll: %s", strerror(errno));
    }
    if (pthread_create(&n->thread, NULL, net_main, n) != 0)
        return vg_fail(err, VG_ERR_NOMEM, 0, "cannot start the listener thread");
    n->started = 1;
    pthread_setname_np(n->thread, "vg-listen");
    return VG_OK;
}

void vg_serve_net_stop(vg_serve_net *n)
{
    if (!n)
        return;
    atomic_store(&n->stop, 1);
    if (n->wakefd >= 0) {
        uint64_t one = 1;
        ssize_t w = write(n->wakefd, &one, sizeof(one));
        (void)w;
    }
    if (n->started)
        pthread_join(n->thread, NULL);
    /* records of a last partial line are kept: a connection closing ends its stream */
    while (n->conns) {
        net_conn *c = n->conns;
        vg_frame_sink sink = { on_record, on_bad, c };
        if (!c->relp) /* RELP frames are whole or not at all: nothing is pending */
            vg_framer_finish(&c->fr, &sink);
        conn_submit(n, c);
        conn_close(n, c);
    }
    for (size_t i = 0; i < n->nls; i++) {
        close(n->ls[i].fd);
        SSL_CTX_free(n->ls[i].tls);
    }
    if (n->epfd >= 0)
        close(n->epfd);
    if (n->wakefd >= 0)
        close(n->wakefd);
    vg_free(n->ls);
    vg_free(n->rbuf);
    vg_free(n);
}
