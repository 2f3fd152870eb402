/*
 * vigil-load: the load generator of the `vigil serve` benchmark (bench/bench-serve.sh). Sends
 * the records of a file (one per line, read into memory once) to a running daemon over N TCP
 * connections (LF framing) or as HTTP NDJSON POST batches with a bearer token (HTTP/1.1
 * keep-alive on plain sockets; every answer must be 200 and accept the whole batch), at full
 * speed or at a fixed total rate, for a duration or a count. Prints one line of key=value
 * figures (records, bytes, seconds, rate, its own CPU time) and exits non-zero on any refusal
 * or error. `vigil-load --help` is the manual.
 *
 * Main structures: load_opts (the command line), load_src (the file and its line offsets,
 * shared read-only), load_run (the shared cursor: the next record to send, claimed in chunks
 * with an atomic counter, so the threads together follow one rate and one count), load_conn
 * (one thread and its socket). Record k of the run is line k mod lines of the file; a chunk
 * is consecutive lines, so it is sent straight from the file's bytes with no copy.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define LOAD_MAX_CONNS 256              /* limit: connections (one thread each) */
#define LOAD_MAX_BATCH 1000000          /* limit: records per chunk / HTTP request */
#define LOAD_ANSWER_MAX (64u << 10)     /* limit: bytes of one HTTP answer (head + body) */
#define LOAD_TOKEN_MAX 512              /* limit: bytes of the bearer token */
#define LOAD_EOF_WAIT_S 600             /* TCP: seconds to wait for the daemon to read everything */
#define LOAD_RETRY_MAX_S 10             /* HTTP 503: longest Retry-After honoured */

static const char *usage_text =
    "NAME\n"
    "    vigil-load - send records to vigil serve over TCP or HTTP, at full speed or a fixed rate\n"
    "\n"
    "SYNOPSIS\n"
    "    vigil-load --tcp HOST:PORT [options] FILE\n"
    "    vigil-load --http HOST:PORT --token-file F [options] FILE\n"
    "\n"
    "DESCRIPTION\n"
    "    Reads FILE (one record per line) into memory and sends its lines in order, from the\n"
    "    first again once the last is sent, until the duration or the count is reached (by\n"
    "    default: every line once). With --tcp, over C connections (LF framing), each\n"
    "    sending chunks of B consecutive lines; at the end each connection is shut down for\n"
    "    writing and vigil-load waits until the daemon closes it, which proves that it read\n"
    "    every byte. With --http, each connection POSTs chunks of B lines to /ingest as NDJSON\n"
    "    with 'Authorization: Bearer TOKEN', HTTP/1.1 keep-alive, and checks that every answer\n"
    "    is 200 with \"accepted\" equal to the lines sent. A 503 (the daemon's backlog is full)\n"
    "    is backpressure, not a refusal: the same batch is sent again after Retry-After (at\n"
    "    most 10 s), and counted as busy; with --no-retry it is an error.\n"
    "\n"
    "OPTIONS\n"
    "    --tcp HOST:PORT      send over TCP with LF framing\n"
    "    --http HOST:PORT     POST NDJSON batches to http://HOST:PORT/ingest\n"
    "    --token-file F       the bearer token (first line of F); or --token TOKEN\n"
    "    -c, --connections C  connections, one thread each (default 1, at most 256)\n"
    "    -b, --batch B        lines per chunk (TCP write) or per HTTP request (default 1000)\n"
    "    -r, --rate R         records per second, all connections together (default 0: full speed)\n"
    "    -d, --duration S     stop sending after S seconds (fractions allowed)\n"
    "    -n, --count N        stop after N records (with -d: whichever comes first)\n"
    "    --no-retry           HTTP: a 503 answer is an error\n"
    "    -q, --quiet          no progress line on stderr each second\n"
    "    -h, --help           this text\n"
    "\n"
    "OUTPUT\n"
    "    One line on stdout when done:\n"
    "      records=N bytes=B seconds=S rate=R accepted=A busy=K eof_wait=W cpu_user=U cpu_sys=Y\n"
    "    records and bytes sent (bytes: record bytes with their LF), S the seconds from the\n"
    "    first byte sent to the last answer (HTTP) or the last write (TCP), R = N / S, A the\n"
    "    records the daemon accepted (HTTP; TCP: N once the daemon has closed every connection),\n"
    "    K the 503 answers, W the seconds waited for the daemon to read everything (TCP),\n"
    "    U and Y the CPU seconds vigil-load used.\n"
    "\n"
    "EXIT STATUS\n"
    "    0 when every record was sent and accepted; 1 on any error, refusal (an answer other\n"
    "    than 200, or fewer accepted than sent) or connection lost; 2 on bad usage.\n"
    "\n"
    "EXAMPLES\n"
    "    vigil-load --tcp 127.0.0.1:5514 -c 4 -d 60 auth.log\n"
    "    vigil-load --http 127.0.0.1:8514 --token-file tok -c 4 -b 1000 -r 100000 -n 6000000 events.json\n";

typedef struct load_opts {
    const char *tcp, *http, *token_file, *file;
    char token[LOAD_TOKEN_MAX];
    unsigned conns, batch;
    double rate, duration;
    uint64_t count;
    int no_retry, quiet;
} load_opts;

typedef struct load_src {
    char *data;                         /* the file, ending with a LF */
    size_t len;
    size_t *off;                        /* off[i]: start of line i; off[lines] = len */
    size_t lines;
} load_src;

typedef struct load_run {
    const load_opts *o;
    const load_src *src;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    double t0, deadline;                /* monotonic seconds */
    uint64_t limit;                     /* records to send at most (UINT64_MAX: the duration decides) */
    atomic_uint_fast64_t next;          /* the next record to claim */
    atomic_uint_fast64_t sent, bytes, accepted, busy;
    atomic_int failed;
    atomic_uint running;                /* connection threads not finished */
    double last_done;                   /* the latest end of a connection's sending */
    double eof_wait;
    pthread_mutex_t lock;               /* last_done, eof_wait, error messages */
} load_run;

typedef struct load_conn {
    load_run *run;
    pthread_t thread;
    int fd;
    unsigned id;
    char *ans;                          /* HTTP answer buffer (LOAD_ANSWER_MAX) */
    size_t ans_len;
} load_conn;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
    if (s <= 0)
        return;
    struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* Reports an error once per connection and marks the run failed. */
static int conn_fail(load_conn *c, const char *what, const char *detail)
{
    pthread_mutex_lock(&c->run->lock);
    fprintf(stderr, "vigil-load: connection %u: %s%s%s\n", c->id, what, detail ? ": " : "", detail ? detail : "");
    pthread_mutex_unlock(&c->run->lock);
    atomic_store(&c->run->failed, 1);
    return -1;
}

/* ---- the input ---- */

static int load_file(const char *path, load_src *src)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0) {
        fprintf(stderr, "vigil-load: %s: %s\n", path, strerror(errno));
        if (f)
            fclose(f);
        return -1;
    }
    src->data = malloc((size_t)st.st_size + 1);
    size_t got = src->data ? fread(src->data, 1, (size_t)st.st_size, f) : 0;
    fclose(f);
    if (!src->data || got != (size_t)st.st_size) {
        fprintf(stderr, "vigil-load: %s: cannot read the whole file\n", path);
        return -1;
    }
    src->len = got;
    if (!src->len || src->data[src->len - 1] != '\n')
        src->data[src->len++] = '\n';
    for (size_t i = 0; i < src->len; i++)
        src->lines += src->data[i] == '\n';
    if (!(src->off = malloc((src->lines + 1) * sizeof(*src->off)))) {
        fprintf(stderr, "vigil-load: out of memory\n");
        return -1;
    }
    size_t k = 0;
    src->off[k++] = 0;
    for (size_t i = 0; i < src->len; i++)
        if (src->data[i] == '\n')
            src->off[k++] = i + 1;
    return 0;
}

/* ---- claiming records ---- */

typedef struct chunk {
    uint64_t first;                     /* record number in the run */
    size_t n;                           /* lines */
    const char *p;                      /* their bytes */
    size_t len;
} chunk;

/* Claims the next chunk of at most batch lines (never across the end of the file); waits for
 * its time at a fixed rate. Returns 0 when nothing is left to send. */
static int claim(load_run *r, chunk *ch)
{
    const load_src *src = r->src;
    if (r->o->duration > 0 && now_s() >= r->deadline)
        return 0;
    uint64_t first = atomic_load(&r->next), n;
    do {
        if (first >= r->limit)
            return 0;
        size_t line = (size_t)(first % src->lines);
        n = r->o->batch;
        if (n > src->lines - line)
            n = src->lines - line;
        if (n > r->limit - first)
            n = r->limit - first;
    } while (!atomic_compare_exchange_weak(&r->next, &first, first + n));
    size_t line = (size_t)(first % src->lines);
    *ch = (chunk){ first, (size_t)n, src->data + src->off[line], src->off[line + n] - src->off[line] };
    if (r->o->rate > 0)     /* sent even if this passes the deadline: the records sent stay 0..n-1 */
        sleep_s(r->t0 + (double)first / r->o->rate - now_s());
    return 1;
}

/* ---- sockets ---- */

static int resolve(const char *hostport, struct sockaddr_storage *ss, socklen_t *len)
{
    char host[256];
    const char *colon = strrchr(hostport, ':');
    if (!colon || (size_t)(colon - hostport) >= sizeof(host)) {
        fprintf(stderr, "vigil-load: '%s': expected HOST:PORT\n", hostport);
        return -1;
    }
    memcpy(host, hostport, (size_t)(colon - hostport));
    host[colon - hostport] = '\0';
    if (host[0] == '[' && colon > hostport + 1 && colon[-1] == ']') {
        memmove(host, host + 1, strlen(host) - 2);
        host[colon - hostport - 2] = '\0';
    }
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
    int e = getaddrinfo(host, colon + 1, &hints, &ai);
    if (e != 0) {
        fprintf(stderr, "vigil-load: %s: %s\n", hostport, gai_strerror(e));
        return -1;
    }
    memcpy(ss, ai->ai_addr, ai->ai_addrlen);
    *len = ai->ai_addrlen;
    freeaddrinfo(ai);
    return 0;
}

static int conn_open(load_conn *c)
{
    load_run *r = c->run;
    c->fd = socket(r->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0 || connect(c->fd, (const struct sockaddr *)&r->addr, r->addrlen) != 0)
        return conn_fail(c, "cannot connect", strerror(errno));
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return 0;
}

static void conn_close(load_conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

/* Writes every byte of iov (modified). */
static int write_all(load_conn *c, struct iovec *iov, int iovcnt)
{
    while (iovcnt > 0) {
        ssize_t w = writev(c->fd, iov, iovcnt);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return conn_fail(c, "write", w < 0 ? strerror(errno) : "nothing written");
        while (iovcnt > 0 && (size_t)w >= iov->iov_len) {
            w -= (ssize_t)iov->iov_len;
            iov++;
            iovcnt--;
        }
        if (iovcnt > 0) {
            iov->iov_base = (char *)iov->iov_base + w;
            iov->iov_len -= (size_t)w;
        }
    }
    return 0;
}

static void count_sent(load_run *r, const chunk *ch)
{
    atomic_fetch_add(&r->sent, ch->n);
    atomic_fetch_add(&r->bytes, ch->len);
}

static void note_done(load_run *r, double eof_wait)
{
    double t = now_s();
    pthread_mutex_lock(&r->lock);
    if (t - eof_wait > r->last_done)
        r->last_done = t - eof_wait;
    if (eof_wait > r->eof_wait)
        r->eof_wait = eof_wait;
    pthread_mutex_unlock(&r->lock);
}

/* ---- TCP ---- */

/* After the last write: shuts down writing and waits until the daemon closes the connection,
 * that is, has read every byte. Returns the seconds waited, or -1. */
static double tcp_finish(load_conn *c)
{
    double t = now_s();
    if (shutdown(c->fd, SHUT_WR) != 0)
        return conn_fail(c, "shutdown", strerror(errno));
    char buf[4096];
    struct pollfd pfd = { c->fd, POLLIN, 0 };
    for (;;) {
        int p = poll(&pfd, 1, (int)((t + LOAD_EOF_WAIT_S - now_s()) * 1000));
        if (p < 0 && errno == EINTR)
            continue;
        if (p <= 0)
            return conn_fail(c, "the daemon did not close the connection", "timeout");
        ssize_t n = read(c->fd, buf, sizeof(buf));
        if (n == 0)
            return now_s() - t;
        if (n < 0 && errno != EINTR)
            return conn_fail(c, "read", strerror(errno));
    }
}

static void *tcp_main(void *arg)
{
    load_conn *c = arg;
    load_run *r = c->run;
    chunk ch;
    if (conn_open(c) != 0) {
        atomic_fetch_sub(&r->running, 1);
        return NULL;
    }
    while (!atomic_load(&r->failed) && claim(r, &ch)) {
        struct iovec iov = { (void *)(uintptr_t)ch.p, ch.len };
        if (write_all(c, &iov, 1) != 0)
            break;
        count_sent(r, &ch);
    }
    if (!atomic_load(&r->failed)) {
        double wait = tcp_finish(c);
        if (wait >= 0)
            note_done(r, wait);
    }
    conn_close(c);
    atomic_fetch_sub(&r->running, 1);
    return NULL;
}

/* ---- HTTP ---- */

/* Reads one answer (head and Content-Length body) into c->ans. Returns the status or -1. */
static int http_read_answer(load_conn *c, const char **body, size_t *body_len, int *close_after, int *retry_s)
{
    size_t have = 0, head_end = 0, need = 0;
    for (;;) {
        if (have == LOAD_ANSWER_MAX - 1)
            return conn_fail(c, "answer", "longer than 64 KiB");
        ssize_t n = read(c->fd, c->ans + have, LOAD_ANSWER_MAX - 1 - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return conn_fail(c, "read of the answer", n < 0 ? strerror(errno) : "connection closed");
        have += (size_t)n;
        c->ans[have] = '\0';
        if (!head_end) {
            char *e = strstr(c->ans, "\r\n\r\n");
            if (!e)
                continue;
            head_end = (size_t)(e - c->ans) + 4;
            const char *cl = strcasestr(c->ans, "\r\ncontent-length:");
            if (!cl || cl > e)
                return conn_fail(c, "answer", "no Content-Length");
            need = head_end + strtoul(cl + 17, NULL, 10);
            *close_after = strcasestr(c->ans, "\r\nconnection: close") && strcasestr(c->ans, "\r\nconnection: close") < e;
            const char *ra = strcasestr(c->ans, "\r\nretry-after:");
            *retry_s = ra && ra < e ? (int)strtol(ra + 14, NULL, 10) : 1;
        }
        if (have >= need)
            break;
    }
    if (have > need)
        return conn_fail(c, "answer", "more bytes than its Content-Length (pipelining is not used)");
    *body = c->ans + head_end;
    *body_len = need - head_end;
    int status = 0;
    if (sscanf(c->ans, "HTTP/1.%*d %d", &status) != 1)
        return conn_fail(c, "answer", "no status line");
    return status;
}

/* Sends one chunk as a POST and checks the answer: 1 done, 0 busy (503: send it again), -1 error. */
static int http_post(load_conn *c, const chunk *ch)
{
    load_run *r = c->run;
    char head[1024];
    int hl = snprintf(head, sizeof(head),
                      "POST /ingest HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"
                      "Content-Type: application/x-ndjson\r\nContent-Length: %zu\r\n\r\n",
                      r->o->http, r->o->token, ch->len);
    if (hl < 0 || (size_t)hl >= sizeof(head))
        return conn_fail(c, "request", "header too long");
    struct iovec iov[2] = { { head, (size_t)hl }, { (void *)(uintptr_t)ch->p, ch->len } };
    if (write_all(c, iov, 2) != 0)
        return -1;
    const char *body = "";
    size_t blen = 0;
    int close_after = 0, retry_s = 1;
    int status = http_read_answer(c, &body, &blen, &close_after, &retry_s);
    if (status < 0)
        return -1;
    if (close_after) {
        conn_close(c);
        if (conn_open(c) != 0)
            return -1;
    }
    if (status == 503 && !r->o->no_retry) {
        atomic_fetch_add(&r->busy, 1);
        sleep_s(retry_s < 0 ? 0 : retry_s > LOAD_RETRY_MAX_S ? LOAD_RETRY_MAX_S : retry_s);
        return 0;
    }
    if (status != 200) {
        char what[64];
        snprintf(what, sizeof(what), "HTTP %d", status);
        return conn_fail(c, what, body);
    }
    const char *acc = strstr(body, "\"accepted\":");
    unsigned long long accepted = acc ? strtoull(acc + 11, NULL, 10) : 0;
    atomic_fetch_add(&r->accepted, accepted);
    if (accepted != ch->n)
        return conn_fail(c, "the daemon accepted fewer records than sent", body);
    return 1;
}

static void *http_main(void *arg)
{
    load_conn *c = arg;
    load_run *r = c->run;
    chunk ch;
    if (!(c->ans = malloc(LOAD_ANSWER_MAX)) || conn_open(c) != 0) {
        if (!c->ans)
            conn_fail(c, "out of memory", NULL);
        atomic_fetch_sub(&r->running, 1);
        return NULL;
    }
    while (!atomic_load(&r->failed) && claim(r, &ch)) {
        int done;
        while ((done = http_post(c, &ch)) == 0) {
        }
        if (done < 0)
            break;
        count_sent(r, &ch);
    }
    if (!atomic_load(&r->failed))
        note_done(r, 0);
    conn_close(c);
    atomic_fetch_sub(&r->running, 1);
    return NULL;
}

/* ---- the command line ---- */

static int read_token(load_opts *o)
{
    FILE *f = fopen(o->token_file, "r");
    if (!f || !fgets(o->token, sizeof(o->token), f)) {
        fprintf(stderr, "vigil-load: %s: cannot read the token\n", o->token_file);
        if (f)
            fclose(f);
        return -1;
    }
    fclose(f);
    o->token[strcspn(o->token, "\r\n")] = '\0';
    return 0;
}

/* The value of option i (advancing i), or NULL. */
static const char *opt_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "vigil-load: %s needs a value\n", argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

static int num_opt(const char *v, double min, double max, double *out)
{
    char *end;
    errno = 0;
    double d = v ? strtod(v, &end) : 0;
    if (!v || errno || end == v || *end || d < min || d > max) {
        fprintf(stderr, "vigil-load: '%s': expected a number from %g to %g\n", v ? v : "", min, max);
        return -1;
    }
    *out = d;
    return 0;
}

static int is(const char *a, const char *s, const char *l)
{
    return (s && strcmp(a, s) == 0) || strcmp(a, l) == 0;
}

/* Parses one option at argv[*i]; 0 ok, -1 bad usage, 1 --help. */
static int parse_opt(load_opts *o, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    double d = 0;
    if (is(a, "-h", "--help"))
        return 1;
    if (is(a, NULL, "--no-retry"))
        return o->no_retry = 1, 0;
    if (is(a, "-q", "--quiet"))
        return o->quiet = 1, 0;
    if (is(a, NULL, "--tcp"))
        return (o->tcp = opt_value(argc, argv, i)) ? 0 : -1;
    if (is(a, NULL, "--http"))
        return (o->http = opt_value(argc, argv, i)) ? 0 : -1;
    if (is(a, NULL, "--token-file"))
        return (o->token_file = opt_value(argc, argv, i)) ? 0 : -1;
    if (is(a, NULL, "--token")) {
        const char *v = opt_value(argc, argv, i);
        return v && snprintf(o->token, sizeof(o->token), "%s", v) < (int)sizeof(o->token) ? 0 : -1;
    }
    if (is(a, "-c", "--connections"))
        return num_opt(opt_value(argc, argv, i), 1, LOAD_MAX_CONNS, &d) ? -1 : (o->conns = (unsigned)d, 0);
    if (is(a, "-b", "--batch"))
        return num_opt(opt_value(argc, argv, i), 1, LOAD_MAX_BATCH, &d) ? -1 : (o->batch = (unsigned)d, 0);
    if (is(a, "-r", "--rate"))
        return num_opt(opt_value(argc, argv, i), 0, 1e9, &o->rate);
    if (is(a, "-d", "--duration"))
        return num_opt(opt_value(argc, argv, i), 0.001, 1e7, &o->duration);
    if (is(a, "-n", "--count"))
        return num_opt(opt_value(argc, argv, i), 1, 1e15, &d) ? -1 : (o->count = (uint64_t)d, 0);
    if (a[0] == '-' && a[1]) {
        fprintf(stderr, "vigil-load: unknown option %s (see --help)\n", a);
        return -1;
    }
    if (o->file) {
        fprintf(stderr, "vigil-load: one input file only\n");
        return -1;
    }
    o->file = a;
    return 0;
}

static int parse_args(load_opts *o, int argc, char **argv)
{
    *o = (load_opts){ .conns = 1, .batch = 1000 };
    for (int i = 1; i < argc; i++) {
        int rc = parse_opt(o, argc, argv, &i);
        if (rc)
            return rc;
    }
    if (!o->file || !o->tcp == !o->http) {
        fprintf(stderr, "vigil-load: give one of --tcp or --http, and a file (see --help)\n");
        return -1;
    }
    if (o->http && !o->token[0] && !o->token_file) {
        fprintf(stderr, "vigil-load: --http needs --token-file or --token\n");
        return -1;
    }
    return o->token_file && read_token(o) ? -1 : 0;
}

/* ---- the run ---- */

static void progress(load_run *r)
{
    uint64_t last = 0;
    double tl = r->t0;
    while (atomic_load(&r->running) > 0) {
        sleep_s(0.1);
        if (now_s() < tl + 1)
            continue;
        uint64_t s = atomic_load(&r->sent);
        double t = now_s();
        if (!r->o->quiet)
            fprintf(stderr, "vigil-load: %.0f s: %llu records, %.0f records/s\n", t - r->t0, (unsigned long long)s,
                    (double)(s - last) / (t - tl));
        last = s;
        tl = t;
    }
}

static void report(load_run *r)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    uint64_t sent = atomic_load(&r->sent);
    double secs = r->last_done > r->t0 ? r->last_done - r->t0 : now_s() - r->t0;
    uint64_t accepted = r->o->http ? atomic_load(&r->accepted) : atomic_load(&r->failed) ? 0 : sent;
    printf("records=%llu bytes=%llu seconds=%.3f rate=%.0f accepted=%llu busy=%llu eof_wait=%.3f cpu_user=%.3f "
           "cpu_sys=%.3f\n",
           (unsigned long long)sent, (unsigned long long)atomic_load(&r->bytes), secs, (double)sent / secs,
           (unsigned long long)accepted, (unsigned long long)atomic_load(&r->busy), r->eof_wait,
           (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6, (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
}

static int run(const load_opts *o, const load_src *src)
{
    load_run r = { .o = o, .src = src };
    pthread_mutex_init(&r.lock, NULL);
    if (resolve(o->tcp ? o->tcp : o->http, &r.addr, &r.addrlen) != 0)
        return 1;
    r.limit = o->count ? o->count : o->duration > 0 ? UINT64_MAX : src->lines;
    load_conn *conns = calloc(o->conns, sizeof(*conns));
    if (!conns)
        return 1;
    r.t0 = now_s();
    r.deadline = r.t0 + o->duration;
    unsigned started = 0;
    atomic_store(&r.running, o->conns);
    for (; started < o->conns; started++) {
        conns[started] = (load_conn){ .run = &r, .fd = -1, .id = started };
        if (pthread_create(&conns[started].thread, NULL, o->tcp ? tcp_main : http_main, &conns[started]) != 0)
            break;
    }
    if (started < o->conns) {
        atomic_store(&r.failed, 1);
        atomic_fetch_sub(&r.running, o->conns - started);
    }
    progress(&r);
    for (unsigned i = 0; i < started; i++) {
        pthread_join(conns[i].thread, NULL);
        free(conns[i].ans);
    }
    free(conns);
    report(&r);
    return atomic_load(&r.failed) ? 1 : 0;
}

int main(int argc, char **argv)
{
    load_opts o;
    int rc = parse_args(&o, argc, argv);
    if (rc) {
        if (rc > 0)
            fputs(usage_text, stdout);
        return rc > 0 ? 0 : 2;
    }
    load_src src = { 0 };
    if (load_file(o.file, &src) != 0)
        return 1;
    rc = run(&o, &src);
    free(src.off);
    free(src.data);
    return rc;
}
