/*
 * ingest-follow: follows one growing log file through rotation, truncation and absence (the
 * rules are in ingest-follow.h). The vg_follow holds the open descriptor (fd, its dev and
 * ino), the position handed to callers (pos: the byte after the last line consumed), the
 * read position (read_off: the next byte pread asks for), and one buffer of max_record + 2
 * bytes that holds the partial last line (buf[0..have) starts at pos.offset; a line of
 * max_record bytes, its CR and its LF fit). A line that fills the buffer without an LF is
 * over the limit: it is reported and the buffer becomes scratch space (skipping) until its
 * LF. Nothing is allocated after vg_follow_open.
 */
#include "ingest-follow.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util-mem.h"

#define MAX_RECORD_LIMIT ((size_t)256 << 20)
#define MAX_SWITCHES 2          /* file switches per poll (bounded work) */

struct vg_follow {
    char *path;
    int fd;                     /* -1: no file open yet */
    uint64_t dev, ino;          /* identity of fd */
    vg_follow_pos pos;          /* after the last line consumed (identity: fd's, or saved) */
    uint64_t read_off;          /* next byte to read from fd */
    char *buf;                  /* partial line (or scratch while skipping) */
    size_t cap;                 /* max_record + 2 */
    size_t have;                /* bytes in buf, from pos.offset */
    size_t scanned;             /* buf[0..scanned) is known to hold no LF */
    size_t max_record;
    int skipping;               /* discarding an over-long line up to its LF */
    int missing_reported;       /* the path's absence was reported */
    int other_seen;             /* the path names another file: one more read of fd, then switch */
    vg_follow_report_fn report;
    void *report_ctx;
};

/* What one poll may still do. */
typedef struct poll_ctx {
    vg_follow_line_fn fn;
    void *ctx;
    size_t budget;              /* bytes it may still read */
    int progress;               /* something was read or followed */
    int switches;
    vg_error *err;
} poll_ctx;

static void report(vg_follow *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void report(vg_follow *f, const char *fmt, ...)
{
    if (!f->report)
        return;
    char msg[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    f->report(f->report_ctx, f->path, msg);
}

static unsigned long long ull(uint64_t v)
{
    return (unsigned long long)v;
}

/* Empties the line buffer (after a switch or a truncation). */
static void reset_line(vg_follow *f)
{
    f->have = f->scanned = 0;
    f->skipping = 0;
}

/* Makes fd, known by st, the followed file, read from offset. */
static void take_file(vg_follow *f, int fd, const struct stat *st, uint64_t offset)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = fd;
    f->dev = (uint64_t)st->st_dev;
    f->ino = (uint64_t)st->st_ino;
    f->pos = (vg_follow_pos){ f->dev, f->ino, offset };
    f->read_off = offset;
    f->other_seen = 0;
    f->missing_reported = 0;
    reset_line(f);
}

/* Opens the path: fd >= 0 and its stat; -1 if it does not exist (reported once); VG_ERR_*. */
static vg_rc open_path(vg_follow *f, int *fd, struct stat *st, vg_error *err)
{
    *fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (*fd < 0) {
        if (errno != ENOENT && errno != ENOTDIR)
            return vg_fail(err, VG_ERR_IO, 0, "%s: cannot open: %s", f->path, strerror(errno));
        if (!f->missing_reported)
            report(f, "waiting for the file: it does not exist (checked again on each poll)");
        f->missing_reported = 1;
        return VG_OK;
    }
    if (fstat(*fd, st) != 0) {
        int e = errno;
        close(*fd);
        *fd = -1;
        return vg_fail(err, VG_ERR_IO, 0, "%s: cannot stat: %s", f->path, strerror(e));
    }
    if (!S_ISREG(st->st_mode)) {
        close(*fd);
        *fd = -1;
        return vg_fail(err, VG_ERR_UNSUPPORTED, 0, "%s: not a regular file", f->path);
    }
    return VG_OK;
}

/* The first file of this follower: the saved position applies if it names that file. */
static vg_rc open_first(vg_follow *f, poll_ctx *pc)
{
    int fd;
    struct stat st;
    int was_missing = f->missing_reported;
    vg_rc rc = open_path(f, &fd, &st, pc->err);
    if (rc || fd < 0)
        return rc;
    vg_follow_pos saved = f->pos;
    uint64_t size = (uint64_t)st.st_size;
    int known = saved.dev || saved.ino;
    int same = known && saved.dev == (uint64_t)st.st_dev && saved.ino == (uint64_t)st.st_ino;
    if (same && size >= saved.offset) {
        take_file(f, fd, &st, saved.offset);
    } else {
        take_file(f, fd, &st, 0);
        if (same)
            report(f, "truncated while not followed (size %llu, below the saved position %llu): "
                   "reading it from its start", ull(size), ull(saved.offset));
        else if (known)
            report(f, "the saved position's file was rotated away: reading the file the path names "
                   "now from its start; lines written to the old file after the saved position are "
                   "lost (rotated names are not searched)");
        else if (was_missing)
            report(f, "the file appeared: reading it from its start");
    }
    pc->progress = 1;
    return VG_OK;
}

/* Hands over one line of the buffer (CR before its end removed); empty lines and lines over
 * the limit are consumed without a call. */
static vg_rc emit(vg_follow *f, poll_ctx *pc, const char *p, size_t len, uint64_t after)
{
    if (len && p[len - 1] == '\r')
        len--;
    vg_follow_pos pos = { f->dev, f->ino, after };
    if (len > f->max_record) {
        report(f, "line ending at offset %llu is longer than %zu bytes: skipped", ull(after),
               f->max_record);
    } else if (len) {
        vg_rc rc = pc->fn(pc->ctx, p, len, &pos);
        if (rc)
            return rc;
    }
    f->pos = pos;
    return VG_OK;
}

/* Drops the first n bytes of the buffer (consumed). */
static void consume(vg_follow *f, size_t n)
{
    memmove(f->buf, f->buf + n, f->have - n);
    f->have -= n;
    f->scanned = f->scanned > n ? f->scanned - n : 0;
}

/* Hands over every complete line in the buffer; a full buffer without LF starts skipping. */
static vg_rc drain_lines(vg_follow *f, poll_ctx *pc)
{
    size_t start = 0;
    vg_rc rc = VG_OK;
    while (f->scanned < f->have) {
        char *lf = memchr(f->buf + f->scanned, '\n', f->have - f->scanned);
        if (!lf) {
            f->scanned = f->have;
            break;
        }
        size_t end = (size_t)(lf - f->buf);
        rc = emit(f, pc, f->buf + start, end - start, f->pos.offset + (end + 1 - start));
        if (rc)
            break;
        start = end + 1;
        f->scanned = start;
    }
    consume(f, start);
    if (!rc && f->have == f->cap) {
        report(f, "line starting at offset %llu is longer than %zu bytes: skipped up to its LF",
               ull(f->pos.offset), f->max_record);
        f->skipping = 1;
        f->have = f->scanned = 0;
    }
    return rc;
}

/* Discards the n bytes just read while skipping; at the LF, the rest becomes the buffer. */
static void skip_bytes(vg_follow *f, size_t n)
{
    char *lf = memchr(f->buf, '\n', n);
    if (!lf)
        return;
    size_t rest = n - (size_t)(lf + 1 - f->buf);
    f->pos.offset = f->read_off - rest;
    memmove(f->buf, lf + 1, rest);
    f->have = rest;
    f->scanned = 0;
    f->skipping = 0;
}

/* Reads what the budget and the buffer allow: > 0 bytes read, 0 at the end of the file. */
static vg_rc read_some(vg_follow *f, poll_ctx *pc, size_t *got)
{
    size_t room = f->skipping ? f->cap : f->cap - f->have;
    size_t want = room < pc->budget ? room : pc->budget;
    char *dst = f->skipping ? f->buf : f->buf + f->have;
    ssize_t n;
    do
        n = pread(f->fd, dst, want, (off_t)f->read_off);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return vg_fail(pc->err, VG_ERR_IO, 0, "%s: read failed at offset %llu: %s", f->path,
                       ull(f->read_off), strerror(errno));
    *got = (size_t)n;
    if (n == 0)
        return VG_OK;
    f->read_off += (uint64_t)n;
    pc->budget -= (size_t)n;
    pc->progress = 1;
    if (f->skipping) {
        skip_bytes(f, (size_t)n);
        return f->skipping ? VG_OK : drain_lines(f, pc);
    }
    f->have += (size_t)n;
    return drain_lines(f, pc);
}

/* Truncation in place: the file is now shorter than what was read of it (*cut). */
static vg_rc check_truncated(vg_follow *f, poll_ctx *pc, int *cut)
{
    *cut = 0;
    struct stat st;
    if (fstat(f->fd, &st) != 0)
        return vg_fail(pc->err, VG_ERR_IO, 0, "%s: cannot stat: %s", f->path, strerror(errno));
    if ((uint64_t)st.st_size >= f->read_off)
        return VG_OK;
    report(f, "truncated (size %llu, below the read position %llu; a partial line of %zu bytes "
           "dropped): reading it from its start", ull((uint64_t)st.st_size), ull(f->read_off),
           f->skipping ? 0 : f->have);
    reset_line(f);
    f->pos.offset = f->read_off = 0;
    pc->progress = 1;
    *cut = 1;
    return VG_OK;
}

/* The old file is read to its end and the writer has moved on: its last line without LF is
 * complete (handed over within the limit); then the new file is read from its start. */
static vg_rc switch_file(vg_follow *f, poll_ctx *pc, int fd, const struct stat *st)
{
    if (f->have && !f->skipping) {
        vg_rc rc = emit(f, pc, f->buf, f->have, f->read_off);
        if (rc) {
            close(fd);
            return rc;
        }
    }
    take_file(f, fd, st, 0);
    report(f, "rotated (the path names a new file): the old file was read to its end, reading "
           "the new one from its start");
    pc->progress = 1;
    pc->switches++;
    return VG_OK;
}

/* At the end of the open file: whether the path still names it. *more: poll on. */
static vg_rc check_path(vg_follow *f, poll_ctx *pc, int *more)
{
    struct stat st;
    *more = 0;
    if (stat(f->path, &st) != 0) {
        if (errno != ENOENT && errno != ENOTDIR)
            return vg_fail(pc->err, VG_ERR_IO, 0, "%s: cannot stat: %s", f->path, strerror(errno));
        if (!f->missing_reported)
            report(f, "removed or renamed: reading what is still written to the open file, "
                   "waiting for the file (checked again on each poll)");
        f->missing_reported = 1;
        f->other_seen = 0;
        return VG_OK;
    }
    f->missing_reported = 0;
    if ((uint64_t)st.st_dev == f->dev && (uint64_t)st.st_ino == f->ino) {
        f->other_seen = 0;
        return VG_OK;
    }
    if (!f->other_seen || pc->switches >= MAX_SWITCHES) {
        /* one more read: what was written to the old file before the new one appeared */
        *more = !f->other_seen;
        f->other_seen = 1;
        return VG_OK;
    }
    int fd;
    vg_rc rc = open_path(f, &fd, &st, pc->err);
    if (rc || fd < 0)
        return rc;
    if ((uint64_t)st.st_dev == f->dev && (uint64_t)st.st_ino == f->ino) {
        close(fd); /* renamed back meanwhile */
        f->other_seen = 0;
        return VG_OK;
    }
    *more = 1;
    return switch_file(f, pc, fd, &st);
}

vg_rc vg_follow_poll(vg_follow *f, size_t max_bytes, vg_follow_line_fn fn, void *ctx, vg_error *err)
{
    if (!f || !fn || max_bytes == 0)
        return vg_fail(err, VG_ERR_USAGE, 0, "vg_follow_poll: no follower, callback or budget");
    poll_ctx pc = { fn, ctx, max_bytes, 0, 0, err };
    vg_rc rc = VG_OK;
    if (f->fd < 0 && ((rc = open_first(f, &pc)) != VG_OK || f->fd < 0))
        return rc ? rc : VG_END;
    int cut, more = 1;
    if ((rc = check_truncated(f, &pc, &cut)) != VG_OK)
        return rc;
    if (f->scanned < f->have) { /* lines a callback refused last time, still in the file */
        pc.progress = 1;
        if ((rc = drain_lines(f, &pc)) != VG_OK)
            return rc;
    }
    while (more && pc.budget > 0) {
        size_t got;
        if ((rc = read_some(f, &pc, &got)) != VG_OK)
            return rc;
        if (got)
            continue;
        if ((rc = check_truncated(f, &pc, &cut)) != VG_OK)
            return rc;
        if (!cut && (rc = check_path(f, &pc, &more)) != VG_OK)
            return rc;
    }
    return pc.progress ? VG_OK : VG_END;
}

vg_rc vg_follow_open(vg_follow **out, const char *path, const vg_follow_pos *start, size_t max_record,
                     vg_follow_report_fn report_fn, void *report_ctx, vg_error *err)
{
    *out = NULL;
    if (!path || !path[0] || max_record == 0 || max_record > MAX_RECORD_LIMIT)
        return vg_fail(err, VG_ERR_USAGE, 0, "vg_follow_open: a path and a record limit of 1 to %zu "
                       "bytes are needed", MAX_RECORD_LIMIT);
    vg_follow *f = vg_calloc(1, sizeof(*f));
    if (!f)
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    f->fd = -1;
    f->max_record = max_record;
    f->cap = max_record + 2;
    f->report = report_fn;
    f->report_ctx = report_ctx;
    if (start)
        f->pos = *start;
    f->path = vg_strndup(path, strlen(path));
    f->buf = vg_malloc(f->cap);
    if (!f->path || !f->buf) {
        vg_follow_close(f);
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    }
    poll_ctx pc = { NULL, NULL, 0, 0, 0, err };
    vg_rc rc = open_first(f, &pc);
    if (rc) {
        vg_follow_close(f);
        return rc;
    }
    *out = f;
    return VG_OK;
}

void vg_follow_position(const vg_follow *f, vg_follow_pos *pos)
{
    *pos = f->pos;
}

void vg_follow_close(vg_follow *f)
{
    if (!f)
        return;
    if (f->fd >= 0)
        close(f->fd);
    vg_free(f->buf);
    vg_free(f->path);
    vg_free(f);
}
