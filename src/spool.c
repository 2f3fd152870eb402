/*
 * spool: the daemon's write-ahead log of received events (see spool.h): open and recovery,
 * append, group commit, release. The on-disk format and recovery rules are in
 * docs/spool.md, the record codec and scanner in spool-segment.c, the readers in
 * spool-read.c.
 *
 * Main data structure: vg_spool holds the directory, its lock file and an array of segments
 * sorted by first sequence number; the last one is the write segment. Each segment entry
 * has its committed end (readers never read at or beyond it: an append in progress is
 * invisible) and the damaged regions found at open (readers skip them without reporting
 * twice). One mutex guards the array and the counters; appends write under it (one pwritev
 * per call, at the committed end). A condition variable carries the group commit: the caller
 * that finds no sync running runs one fdatasync for everything appended so far, the others
 * wait for it. Open readers are listed so that vg_spool_release never deletes a segment a
 * reader is in or before.
 */
#include "spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "spool-internal.h"
#include "spool-segment.h"
#include "util-mem.h"
#include "util-time.h"

#define SPOOL_DEFAULT_SEGMENT (64u << 20)
#define SPOOL_MIN_SEGMENT 4096u             /* limit: smallest segment_bytes accepted */
#define SPOOL_DEFAULT_INTERVAL_MS 1000u
#define SPOOL_IOV_RECS 512                  /* records per pwritev (two iovecs each, IOV_MAX 1024) */
#define SPOOL_LOCK_NAME "lock"

void vg_spool_seg_path(char *out, size_t cap, const char *dir, uint64_t first)
{
    snprintf(out, cap, "%s/seg-%016" PRIx64 ".vsp", dir, first);
}

static void seg_name(char *out, size_t cap, uint64_t first)
{
    snprintf(out, cap, "seg-%016" PRIx64 ".vsp", first);
}

static void report(vg_spool *sp, uint64_t first, uint64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void report(vg_spool *sp, uint64_t first, uint64_t offset, const char *fmt, ...)
{
    if (!sp->report)
        return;
    char path[SPOOL_PATH_MAX], reason[VG_SPSEG_REASON_MAX + 64];
    vg_spool_seg_path(path, sizeof path, sp->dir, first);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    sp->report(sp->report_ctx, path, offset, reason);
}

void vg_spool_opts_default(vg_spool_opts *o)
{
    o->segment_bytes = SPOOL_DEFAULT_SEGMENT;
    o->sync = VG_SPOOL_SYNC_ALWAYS;
    o->sync_interval_ms = SPOOL_DEFAULT_INTERVAL_MS;
    o->max_record = VG_SPOOL_MAX_RECORD;
}

static vg_rc resolve_opts(vg_spool_opts *out, const vg_spool_opts *o, vg_error *err)
{
    vg_spool_opts_default(out);
    if (!o)
        return VG_OK;
    if (o->segment_bytes)
        out->segment_bytes = o->segment_bytes;
    if (o->sync_interval_ms)
        out->sync_interval_ms = o->sync_interval_ms;
    if (o->max_record)
        out->max_record = o->max_record;
    out->sync = o->sync;
    if (out->segment_bytes < SPOOL_MIN_SEGMENT)
        return vg_fail(err, VG_ERR_USAGE, 0, "spool segment size %" PRIu64 " is below the minimum %u",
                       out->segment_bytes, SPOOL_MIN_SEGMENT);
    if (out->max_record > VG_SPOOL_MAX_RECORD)
        return vg_fail(err, VG_ERR_USAGE, 0, "spool max_record %u is over the limit %u", out->max_record,
                       VG_SPOOL_MAX_RECORD);
    if ((unsigned)out->sync > VG_SPOOL_SYNC_NEVER)
        return vg_fail(err, VG_ERR_USAGE, 0, "unknown spool sync mode %d", (int)out->sync);
    return VG_OK;
}

/* ---- the directory, its lock and its segment files ---- */

static vg_rc make_dir(const char *dir, vg_error *err)
{
    if (mkdir(dir, 0700) == 0 || errno == EEXIST) {
        struct stat st;
        if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
            return VG_OK;
        return vg_fail(err, VG_ERR_IO, 0, "spool %s: not a directory", dir);
    }
    return vg_fail(err, VG_ERR_IO, 0, "spool %s: cannot create the directory: %s", dir, strerror(errno));
}

static vg_rc take_lock(vg_spool *sp, vg_error *err)
{
    sp->lockfd = openat(sp->dirfd, SPOOL_LOCK_NAME, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (sp->lockfd < 0)
        return vg_fail(err, VG_ERR_IO, 0, "spool %s: cannot open its lock file: %s", sp->dir, strerror(errno));
    if (flock(sp->lockfd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        char pid[32] = "";
        ssize_t n = pread(sp->lockfd, pid, sizeof pid - 1, 0);
        pid[n > 0 ? n : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        if (e == EWOULDBLOCK)
            return vg_fail(err, VG_ERR_IO, 0, "spool %s is in use by another process (pid %s holds %s/%s)", sp->dir,
                           pid[0] ? pid : "unknown", sp->dir, SPOOL_LOCK_NAME);
        return vg_fail(err, VG_ERR_IO, 0, "spool %s: cannot lock %s: %s", sp->dir, SPOOL_LOCK_NAME, strerror(e));
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(sp->lockfd, 0) != 0 || pwrite(sp->lockfd, pid, (size_t)n, 0) != n)
        return vg_fail(err, VG_ERR_IO, 0, "spool %s: cannot write its lock file: %s", sp->dir, strerror(errno));
    return VG_OK;
}

/* 1 and *first if name is "seg-" + 16 lowercase hex digits + ".vsp". */
static int parse_seg_name(const char *name, uint64_t *first)
{
    if (strlen(name) != 24 || memcmp(name, "seg-", 4) != 0 || memcmp(name + 20, ".vsp", 4) != 0)
        return 0;
    uint64_t v = 0;
    for (int i = 4; i < 20; i++) {
        char c = name[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            return 0;
        v = v << 4 | (uint64_t)d;
    }
    *first = v;
    return 1;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The first seqs of the segment files in the directory, ascending (*out allocated). */
static vg_rc list_segments(vg_spool *sp, uint64_t **out, size_t *n, vg_error *err)
{
    *out = NULL;
    *n = 0;
    int fd = dup(sp->dirfd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return vg_fail(err, VG_ERR_IO, 0, "spool %s: cannot list: %s", sp->dir, strerror(errno));
    }
    rewinddir(d);
    size_t cap = 0;
    vg_rc rc = VG_OK;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        uint64_t first;
        if (!parse_seg_name(e->d_name, &first))
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            uint64_t *p = vg_realloc(*out, cap * sizeof *p);
            if (!p) {
                rc = vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
                break;
            }
            *out = p;
        }
        (*out)[(*n)++] = first;
    }
    closedir(d);
    if (*n)
        qsort(*out, *n, sizeof **out, cmp_u64);
    return rc;
}

static vg_rc push_seg(vg_spool *sp, const sp_seg *s, vg_error *err)
{
    if (sp->nsegs == sp->capsegs) {
        size_t cap = sp->capsegs ? sp->capsegs * 2 : 16;
        sp_seg *p = vg_realloc(sp->segs, cap * sizeof *p);
        if (!p)
            return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
        sp->segs = p;
        sp->capsegs = cap;
    }
    sp->segs[sp->nsegs++] = *s;
    sp->bytes += s->end;
    return VG_OK;
}

/* Writes all of iov (cnt entries) at off, going on after short writes. */
static int pwritev_all(int fd, struct iovec *iov, int cnt, uint64_t off)
{
    while (cnt > 0) {
        ssize_t w = pwritev(fd, iov, cnt, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = ENOSPC;
            return -1;
        }
        off += (uint64_t)w;
        size_t left = (size_t)w;
        while (cnt > 0 && left >= iov->iov_len) {
            left -= iov->iov_len;
            iov++;
            cnt--;
        }
        if (cnt > 0) {
            iov->iov_base = (char *)iov->iov_base + left;
            iov->iov_len -= left;
        }
    }
    return 0;
}

static vg_rc pwrite_all(int fd, const void *p, size_t n, uint64_t off)
{
    struct iovec v = { (void *)(uintptr_t)p, n };
    return pwritev_all(fd, &v, 1, off) ? VG_ERR_IO : VG_OK;
}

/* Creates segment first (O_EXCL), writes its header and makes it the write segment. */
static vg_rc create_segment(vg_spool *sp, uint64_t first, vg_error *err)
{
    char name[32];
    seg_name(name, sizeof name, first);
    int fd = openat(sp->dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return vg_fail(err, VG_ERR_IO, 0, "spool %s: cannot create %s: %s", sp->dir, name, strerror(errno));
    uint8_t hdr[VG_SPSEG_HDR];
    vg_spseg_header_encode(hdr, first, vg_now_us());
    if (pwrite_all(fd, hdr, sizeof hdr, 0) != VG_OK ||
        (sp->o.sync != VG_SPOOL_SYNC_NEVER && fsync(sp->dirfd) != 0)) {
        int e = errno;
        close(fd);
        unlinkat(sp->dirfd, name, 0);
        return vg_fail(err, VG_ERR_IO, 0, "spool %s: cannot write %s: %s", sp->dir, name, strerror(e));
    }
    sp_seg s = { .first_seq = first, .end = VG_SPSEG_HDR };
    vg_rc rc = push_seg(sp, &s, err);
    if (rc) {
        close(fd);
        unlinkat(sp->dirfd, name, 0);
        return rc;
    }
    if (sp->fd >= 0)
        close(sp->fd);
    sp->fd = fd;
    return VG_OK;
}

/* ---- open: checking the segments ---- */

typedef struct load_ctx {
    vg_spool *sp;
    uint64_t first, size;
    int newest;
    sp_region *regions;
    size_t n, cap;
    int nomem;
    uint64_t max_seq;           /* highest seq of a damaged record outside a torn tail */
    uint64_t torn_start;        /* newest segment: where its torn tail begins (size: none) */
    char torn_reason[VG_SPSEG_REASON_MAX];
} load_ctx;

static void load_damage(void *ctx, uint64_t start, uint64_t end, uint64_t seq, const char *reason)
{
    load_ctx *lc = ctx;
    if (lc->newest && end == lc->size) {    /* nothing intact after it: a torn tail (never acknowledged) */
        lc->torn_start = start;
        snprintf(lc->torn_reason, sizeof lc->torn_reason, "%s", reason);
        return;
    }
    if (seq > lc->max_seq)
        lc->max_seq = seq;
    lc->sp->damaged++;
    report(lc->sp, lc->first, start, "%s", reason);
    if (lc->n == lc->cap) {
        size_t cap = lc->cap ? lc->cap * 2 : 4;
        sp_region *p = vg_realloc(lc->regions, cap * sizeof *p);
        if (!p) {
            lc->nomem = 1;
            return;
        }
        lc->regions = p;
        lc->cap = cap;
    }
    lc->regions[lc->n++] = (sp_region){ start, end };
}

/* The newest segment: cut its torn tail, rewrite a damaged header. */
static vg_rc repair_newest(vg_spool *sp, int fd, load_ctx *lc, const vg_spseg_scan *s, sp_seg *seg,
                           vg_error *err)
{
    uint64_t keep = lc->torn_start;
    if (s->header_error) {
        uint8_t hdr[VG_SPSEG_HDR];
        vg_spseg_header_encode(hdr, lc->first, vg_now_us());
        if (pwrite_all(fd, hdr, sizeof hdr, 0) != VG_OK)
            return vg_fail(err, VG_ERR_IO, 0, "spool %s: cannot rewrite a segment header: %s", sp->dir,
                           strerror(errno));
        report(sp, lc->first, 0, "%s (header rewritten)", s->header_error);
        if (keep < VG_SPSEG_HDR)
            keep = VG_SPSEG_HDR;
    }
    if (keep < lc->size) {
        if (ftruncate(fd, (off_t)keep) != 0)
            return vg_fail(err, VG_ERR_IO, 0, "spool %s: cannot cut a torn tail: %s", sp->dir, strerror(errno));
        sp->torn += lc->size - keep;
        report(sp, lc->first, keep, "torn tail: %" PRIu64 " bytes cut (%s)", lc->size - keep,
               lc->torn_reason[0] ? lc->torn_reason : "incomplete header");
    }
    seg->end = keep > VG_SPSEG_HDR ? keep : VG_SPSEG_HDR;
    return VG_OK;
}

static vg_rc scan_file(vg_spool *sp, int fd, load_ctx *lc, vg_spseg_scan *s, vg_error *err)
{
    const uint8_t *map = NULL;
    if (lc->size) {
        void *m = mmap(NULL, lc->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED)
            return vg_fail(err, VG_ERR_IO, 0, "spool %s: cannot map a segment: %s", sp->dir, strerror(errno));
        madvise(m, lc->size, MADV_SEQUENTIAL);
        map = m;
    }
    vg_rc rc = VG_OK;
    if (vg_spseg_header_future(map, lc->size))
        rc = vg_fail(err, VG_ERR_UNSUPPORTED, 0, "spool %s: segment %016" PRIx64 " has a newer format version",
                     sp->dir, lc->first);
    else
        vg_spseg_scan_buf(map, lc->size, s);
    if (map)
        munmap((void *)(uintptr_t)map, lc->size);
    if (!rc && lc->nomem)
        rc = vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    return rc;
}

/* Checks segment first; *min_seq: what its records must reach, *max_seq: highest seq seen. */
static vg_rc load_segment(vg_spool *sp, uint64_t first, int newest, uint64_t *min_seq, uint64_t *max_seq,
                          vg_error *err)
{
    char name[32];
    seg_name(name, sizeof name, first);
    int fd = openat(sp->dirfd, name, (newest ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return vg_fail(err, VG_ERR_IO, 0, "spool %s: cannot open %s: %s", sp->dir, name, strerror(e));
    }
    load_ctx lc = { .sp = sp, .first = first, .size = (uint64_t)st.st_size, .newest = newest };
    lc.torn_start = lc.size;
    vg_spseg_scan s = { .min_seq = *min_seq > first ? *min_seq : first, .damage_fn = load_damage, .ctx = &lc };
    sp_seg seg = { .first_seq = first };
    vg_rc rc = scan_file(sp, fd, &lc, &s, err);
    if (!rc && newest)
        rc = repair_newest(sp, fd, &lc, &s, &seg, err);
    if (!rc && !newest) {
        seg.end = lc.size;
        if (s.header_error)
            report(sp, first, 0, "%s", s.header_error);
    }
    if (!rc && !s.header_error && s.header_seq != first)
        report(sp, first, 8, "segment header says first seq %" PRIu64 ", its name %" PRIu64 " (the name is used)",
               s.header_seq, first);
    seg.last_seq = s.last_seq;
    seg.damage = lc.regions;
    seg.ndamage = lc.n;
    if (!rc)
        rc = push_seg(sp, &seg, err);
    if (rc) {
        vg_free(lc.regions);
        close(fd);
        return rc;
    }
    if (s.last_seq >= *min_seq)
        *min_seq = s.last_seq + 1;
    if (lc.max_seq > *max_seq)
        *max_seq = lc.max_seq;
    if (fdatasync(fd) != 0) {   /* what is on disk now, repairs included, is durable */
        vg_fail(err, VG_ERR_IO, 0, "spool %s: cannot sync %s: %s", sp->dir, name, strerror(errno));
        close(fd);
        return VG_ERR_IO;
    }
    if (newest)
        sp->fd = fd;
    else
        close(fd);
    return VG_OK;
}

static vg_rc load_all(vg_spool *sp, vg_error *err)
{
    uint64_t *firsts;
    size_t n;
    vg_rc rc = list_segments(sp, &firsts, &n, err);
    uint64_t min_seq = 1, max_seq = 0;
    for (size_t i = 0; !rc && i < n; i++)
        rc = load_segment(sp, firsts[i], i + 1 == n, &min_seq, &max_seq, err);
    vg_free(firsts);
    if (rc)
        return rc;
    /* never go back: past every intact record, every damaged one whose header verified (outside
     * a torn tail), the newest segment's name */
    sp->next_seq = min_seq;
    if (max_seq >= sp->next_seq)
        sp->next_seq = max_seq + 1;
    if (n && sp->segs[n - 1].first_seq > sp->next_seq)
        sp->next_seq = sp->segs[n - 1].first_seq;
    if (n == 0)
        return create_segment(sp, 1, err);
    return VG_OK;
}

/* ---- sync ---- */

static vg_rc failed(vg_spool *sp, vg_error *err)
{
    return vg_fail(err, VG_ERR_IO, 0, "spool %s: a sync failed (%s): records may be lost; reopen the spool",
                   sp->dir, strerror(sp->failed_errno));
}

/* NEVER mode rolled segments without syncing them: sync every sealed segment (sp->mu held;
 * rare: an explicit vg_spool_sync or close). 0 or -1 with errno. */
static int sync_sealed(vg_spool *sp)
{
    for (size_t i = 0; i + 1 < sp->nsegs; i++) {
        char name[32];
        seg_name(name, sizeof name, sp->segs[i].first_seq);
        int fd = openat(sp->dirfd, name, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fdatasync(fd) != 0) {
            int e = errno;
            if (fd >= 0)
                close(fd);
            errno = e;
            return -1;
        }
        close(fd);
    }
    sp->sealed_unsynced = 0;
    return fsync(sp->dirfd);
}

/* Group commit, with sp->mu held: returns once every record up to seq is durable. */
static vg_rc sync_locked(vg_spool *sp, uint64_t seq, vg_error *err)
{
    for (;;) {
        if (sp->failed_errno)
            return failed(sp, err);
        uint64_t last = sp->next_seq - 1;
        if (seq > last)
            seq = last;
        if (sp->durable_seq >= seq && !sp->sealed_unsynced)
            return VG_OK;
        if (sp->syncing) {
            pthread_cond_wait(&sp->cv, &sp->mu);
            continue;
        }
        sp->syncing = 1;
        int fd = sp->fd;
        int r = sp->sealed_unsynced ? sync_sealed(sp) : 0;
        int e = errno;
        pthread_mutex_unlock(&sp->mu);
        if (r == 0) {
            r = fdatasync(fd);
            e = errno;
        }
        pthread_mutex_lock(&sp->mu);
        sp->syncing = 0;
        sp->syncs++;
        if (r != 0)
            sp->failed_errno = e;
        else if (last > sp->durable_seq)
            sp->durable_seq = last;
        pthread_cond_broadcast(&sp->cv);
    }
}

vg_rc vg_spool_sync(vg_spool *sp, uint64_t seq, vg_error *err)
{
    pthread_mutex_lock(&sp->mu);
    vg_rc rc = sync_locked(sp, seq, err);
    pthread_mutex_unlock(&sp->mu);
    return rc;
}

static void *flusher_main(void *arg)
{
    vg_spool *sp = arg;
    pthread_mutex_lock(&sp->mu);
    while (!sp->stop) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        uint64_t ns = (uint64_t)t.tv_nsec + (uint64_t)sp->o.sync_interval_ms * 1000000u;
        t.tv_sec += (time_t)(ns / 1000000000u);
        t.tv_nsec = (long)(ns % 1000000000u);
        while (!sp->stop && pthread_cond_timedwait(&sp->stop_cv, &sp->mu, &t) != ETIMEDOUT)
            ;
        if (!sp->stop)
            sync_locked(sp, UINT64_MAX, NULL);  /* a failure is sticky: the next append sees it */
    }
    pthread_mutex_unlock(&sp->mu);
    return NULL;
}

static vg_rc start_flusher(vg_spool *sp, vg_error *err)
{
    if (sp->o.sync != VG_SPOOL_SYNC_INTERVAL)
        return VG_OK;
    if (pthread_create(&sp->flusher, NULL, flusher_main, sp) != 0)
        return vg_fail(err, VG_ERR_NOMEM, 0, "spool %s: cannot start the sync thread", sp->dir);
    sp->flusher_on = 1;
    pthread_setname_np(sp->flusher, "vg-spool-sync");
    return VG_OK;
}

/* ---- open and close ---- */

static vg_rc open_dir(vg_spool *sp, const char *dir, vg_error *err)
{
    if (strlen(dir) >= SPOOL_DIR_MAX)
        return vg_fail(err, VG_ERR_LIMIT, 0, "spool directory path is longer than %d bytes", SPOOL_DIR_MAX - 1);
    snprintf(sp->dir, sizeof sp->dir, "%s", dir);
    vg_rc rc = make_dir(dir, err);
    if (rc)
        return rc;
    sp->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (sp->dirfd < 0)
        return vg_fail(err, VG_ERR_IO, 0, "spool %s: cannot open: %s", dir, strerror(errno));
    return take_lock(sp, err);
}

vg_rc vg_spool_open(vg_spool **out, const char *dir, const vg_spool_opts *o, vg_spool_report_fn report_fn,
                    void *report_ctx, vg_error *err)
{
    *out = NULL;
    vg_spool *sp = vg_calloc(1, sizeof *sp);
    if (!sp)
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    sp->dirfd = sp->lockfd = sp->fd = -1;
    sp->report = report_fn;
    sp->report_ctx = report_ctx;
    pthread_mutex_init(&sp->mu, NULL);
    pthread_cond_init(&sp->cv, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&sp->stop_cv, &ca);
    pthread_condattr_destroy(&ca);
    vg_rc rc = resolve_opts(&sp->o, o, err);
    if (!rc) {
        sp->hdrs = vg_malloc(SPOOL_IOV_RECS * VG_SPREC_HDR);
        sp->iov = vg_malloc(2 * SPOOL_IOV_RECS * sizeof *sp->iov);
        if (!sp->hdrs || !sp->iov)
            rc = vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    }
    if (!rc)
        rc = open_dir(sp, dir, err);
    if (!rc)
        rc = load_all(sp, err);
    if (!rc && fsync(sp->dirfd) != 0)
        rc = vg_fail(err, VG_ERR_IO, 0, "spool %s: sync of the directory failed: %s", dir, strerror(errno));
    if (!rc) {
        sp->durable_seq = sp->next_seq - 1;
        sp->released_seq = sp->segs[0].first_seq - 1;
        rc = start_flusher(sp, err);
    }
    if (rc) {
        if (sp->fd >= 0)
            close(sp->fd);  /* before close, which would sync it */
        sp->fd = -1;
        vg_spool_close(sp);
        return rc;
    }
    *out = sp;
    return VG_OK;
}

void vg_spool_close(vg_spool *sp)
{
    if (!sp)
        return;
    pthread_mutex_lock(&sp->mu);
    sp->stop = 1;
    pthread_cond_signal(&sp->stop_cv);
    if (sp->fd >= 0)
        sync_locked(sp, UINT64_MAX, NULL);
    pthread_mutex_unlock(&sp->mu);
    if (sp->flusher_on)
        pthread_join(sp->flusher, NULL);
    if (sp->fd >= 0)
        close(sp->fd);
    if (sp->lockfd >= 0)
        close(sp->lockfd);   /* releases the flock */
    if (sp->dirfd >= 0)
        close(sp->dirfd);
    for (size_t i = 0; i < sp->nsegs; i++)
        vg_free(sp->segs[i].damage);
    vg_free(sp->segs);
    vg_free(sp->hdrs);
    vg_free(sp->iov);
    pthread_cond_destroy(&sp->stop_cv);
    pthread_cond_destroy(&sp->cv);
    pthread_mutex_destroy(&sp->mu);
    vg_free(sp);
}

/* ---- append ---- */

/* Closes the write segment (synced first unless NEVER) and begins the next one. */
static vg_rc roll(vg_spool *sp, vg_error *err)
{
    while (sp->syncing)
        pthread_cond_wait(&sp->cv, &sp->mu);
    sp_seg *cur = &sp->segs[sp->nsegs - 1];
    if (ftruncate(sp->fd, (off_t)cur->end) != 0)   /* anything a failed write left beyond the end */
        return vg_fail(err, VG_ERR_IO, 0, "spool %s: cannot close a segment: %s", sp->dir, strerror(errno));
    if (sp->o.sync == VG_SPOOL_SYNC_NEVER) {
        sp->sealed_unsynced = 1;
    } else {
        if (fdatasync(sp->fd) != 0) {
            sp->failed_errno = errno;
            return failed(sp, err);
        }
        sp->syncs++;
        sp->durable_seq = sp->next_seq - 1;
    }
    return create_segment(sp, sp->next_seq, err);
}

/* Writes recs at the committed end, SPOOL_IOV_RECS records per pwritev; on failure cuts the
 * file back to the committed end. Returns the bytes written in *written. */
static vg_rc write_records(vg_spool *sp, const vg_spool_rec *recs, size_t n, uint64_t *written, vg_error *err)
{
    sp_seg *cur = &sp->segs[sp->nsegs - 1];
    uint64_t at = cur->end;
    for (size_t i = 0; i < n; i += SPOOL_IOV_RECS) {
        size_t k = n - i < SPOOL_IOV_RECS ? n - i : SPOOL_IOV_RECS;
        for (size_t j = 0; j < k; j++) {
            vg_spool_rec r = recs[i + j];
            r.seq = sp->next_seq + i + j;
            vg_sprec_encode(sp->hdrs + j * VG_SPREC_HDR, &r);
            sp->iov[2 * j] = (struct iovec){ sp->hdrs + j * VG_SPREC_HDR, VG_SPREC_HDR };
            sp->iov[2 * j + 1] = (struct iovec){ (void *)(uintptr_t)r.data, r.len };
        }
        uint64_t start = at;
        for (size_t j = 0; j < k; j++)
            at += VG_SPREC_HDR + recs[i + j].len;
        if (pwritev_all(sp->fd, sp->iov, (int)(2 * k), start) != 0) {
            int e = errno;
            int cut = ftruncate(sp->fd, (off_t)cur->end);
            return vg_fail(err, VG_ERR_IO, 0, "spool %s: segment %016" PRIx64 ": write at %" PRIu64 " failed: %s (%s)",
                           sp->dir, cur->first_seq, start, strerror(e),
                           cut == 0 ? "the partial write was cut off" : "cutting off the partial write failed too");
        }
    }
    *written = at - cur->end;
    return VG_OK;
}

static vg_rc check_batch(const vg_spool *sp, const vg_spool_rec *recs, size_t n, uint64_t *total, vg_error *err)
{
    *total = 0;
    for (size_t i = 0; i < n; i++) {
        if (recs[i].len > sp->o.max_record)
            return vg_fail(err, VG_ERR_LIMIT, i, "spool record %zu: payload of %u bytes is over the limit of %u", i,
                           recs[i].len, sp->o.max_record);
        if (recs[i].len && !recs[i].data)
            return vg_fail(err, VG_ERR_USAGE, i, "spool record %zu: no payload", i);
        *total += VG_SPREC_HDR + recs[i].len;
    }
    return VG_OK;
}

vg_rc vg_spool_append(vg_spool *sp, vg_spool_rec *recs, size_t n, vg_error *err)
{
    uint64_t total, written = 0;
    vg_rc rc = check_batch(sp, recs, n, &total, err);
    if (rc || n == 0)
        return rc;
    pthread_mutex_lock(&sp->mu);
    sp_seg *cur = &sp->segs[sp->nsegs - 1];
    if (sp->failed_errno)
        rc = failed(sp, err);
    else if (cur->end > VG_SPSEG_HDR && cur->end + total > sp->o.segment_bytes)
        rc = roll(sp, err);
    if (!rc)
        rc = write_records(sp, recs, n, &written, err);
    uint64_t last = sp->next_seq + n - 1;
    if (!rc) {
        cur = &sp->segs[sp->nsegs - 1];
        cur->end += written;
        cur->last_seq = last;
        sp->bytes += written;
        for (size_t i = 0; i < n; i++)
            recs[i].seq = sp->next_seq + i;
        sp->next_seq += n;
        if (sp->o.sync == VG_SPOOL_SYNC_ALWAYS)
            rc = sync_locked(sp, last, err);
    }
    pthread_mutex_unlock(&sp->mu);
    return rc;
}

vg_rc vg_spool_skip_to(vg_spool *sp, uint64_t seq, vg_error *err)
{
    vg_rc rc = VG_OK;
    pthread_mutex_lock(&sp->mu);
    if (sp->failed_errno) {
        rc = failed(sp, err);
    } else if (seq > sp->next_seq) {
        sp->next_seq = seq; /* the next segment begins at seq */
        rc = roll(sp, err);
    }
    pthread_mutex_unlock(&sp->mu);
    return rc;
}

/* ---- release and stats ---- */

vg_rc vg_spool_release(vg_spool *sp, uint64_t seq, vg_error *err)
{
    pthread_mutex_lock(&sp->mu);
    if (seq > sp->next_seq - 1)
        seq = sp->next_seq - 1;
    if (seq > sp->released_seq)
        sp->released_seq = seq;
    uint64_t guard = UINT64_MAX;    /* no segment a reader is in, or after it, goes */
    for (vg_spool_reader *r = sp->readers; r; r = r->next)
        if (r->seg_first < guard)
            guard = r->seg_first;
    size_t k = 0;
    while (k + 1 < sp->nsegs && sp->segs[k + 1].first_seq - 1 <= sp->released_seq &&
           sp->segs[k + 1].first_seq <= guard)
        k++;
    vg_rc rc = VG_OK;
    for (size_t i = 0; i < k; i++) {
        char name[32];
        seg_name(name, sizeof name, sp->segs[i].first_seq);
        if (unlinkat(sp->dirfd, name, 0) != 0 && errno != ENOENT && !rc)
            rc = vg_fail(err, VG_ERR_IO, 0, "spool %s: cannot delete %s: %s", sp->dir, name, strerror(errno));
        sp->bytes -= sp->segs[i].end;
        vg_free(sp->segs[i].damage);
    }
    memmove(sp->segs, sp->segs + k, (sp->nsegs - k) * sizeof *sp->segs);
    sp->nsegs -= k;
    if (k && sp->o.sync != VG_SPOOL_SYNC_NEVER && fsync(sp->dirfd) != 0 && !rc)
        rc = vg_fail(err, VG_ERR_IO, 0, "spool %s: sync of the directory failed: %s", sp->dir, strerror(errno));
    pthread_mutex_unlock(&sp->mu);
    return rc;
}

void vg_spool_stats_get(vg_spool *sp, vg_spool_stats *st)
{
    pthread_mutex_lock(&sp->mu);
    st->next_seq = sp->next_seq;
    st->durable_seq = sp->durable_seq;
    st->released_seq = sp->released_seq;
    st->bytes = sp->bytes;
    st->segments = (uint32_t)sp->nsegs;
    st->damaged_records = sp->damaged;
    st->torn_bytes = sp->torn;
    st->syncs = sp->syncs;
    pthread_mutex_unlock(&sp->mu);
}
