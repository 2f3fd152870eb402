/* fuzz-follow: the file follower (ingest-follow) against an independent model. A writer
 * appends numbered lines ("SERIAL:text", LF or CRLF, some over the limit, some empty) in
 * pieces to a file in a temporary directory, and the input chooses what happens between the
 * pieces: rename rotation (path -> path.1, the writer keeps the old file until it reopens),
 * copytruncate, deletion, the writer reopening (creating) the path, polls with small byte
 * budgets, the follower reopened from its last position, a callback refusing one line.
 *
 * Input: byte 0 picks the record limit (1-48), byte 1 whether the file exists at the start;
 * then pairs (op, arg): op & 15 the operation, op >> 4 the piece size, arg its argument.
 *
 * Checks: every line handed over was written (its serial names a complete line, or a last
 * line the writer left unended when it moved to a new file) and equals it without LF and one
 * CR; serials strictly increase (in order, never twice); lines are within the limit; each
 * position is the exact end of its line in the file it came from and never past that file's
 * size; a poll hands over at most its budget plus one buffer; at the end, after polls until
 * nothing is new, every complete line within the limit has been handed over (an unended last
 * line once the follower has moved on to another file), except lines the rules say are lost: lines truncated away before they were read, lines of files the
 * follower never saw (rotated twice between polls), lines of a saved position's file that
 * the path no longer names at reopen (see ingest-follow.h). Each file the model creates is
 * kept open to the end of the run, so inode numbers are not reused within a run. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest-follow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FILES 48
#define MAX_LINES 600
#define LINE_MAX_LEN 96
#define FINAL_POLLS 4000

typedef struct mfile {
    uint64_t dev, ino;
    int keep;               /* held open for the run: the inode stays unique */
    int visited;            /* a position of the follower named it */
    int lost;               /* the follower was reopened elsewhere: its lines may be lost */
    int left;               /* the follower moved from it to another file */
} mfile;

typedef struct mline {
    char text[LINE_MAX_LEN];    /* every byte the writer will write, LF included */
    size_t len, written;
    int file;
    int done;               /* 1: ended by its LF; 2: left unended when the writer moved on */
    int lost;               /* truncated away (or abandoned mid-line by a truncation) */
    int handed;
    uint64_t end;           /* offset after its last byte in its file */
} mline;

typedef struct model {
    char path[128], rotated[128];
    size_t max_record;
    mfile files[MAX_FILES];
    int nfiles;
    mline lines[MAX_LINES];
    int nlines;
    int wfd, wfile;         /* the writer's descriptor and file (-1: none) */
    int pending;            /* line being written, -1: none */
    long last_serial;
    int refuse_next;
    int cur_file;           /* the file of the follower's last position, -1: none yet */
    size_t poll_bytes;      /* line bytes handed in this poll */
    vg_follow *f;
    vg_follow_pos start;    /* the position the follower was opened with */
} model;

static char dir_path[64];

static void fail(const char *why, long a, long b)
{
    fprintf(stderr, "fuzz-follow: %s (%ld, %ld)\n", why, a, b);
    abort();
}

static int find_file(const model *m, uint64_t dev, uint64_t ino)
{
    for (int i = 0; i < m->nfiles; i++)
        if (m->files[i].dev == dev && m->files[i].ino == ino)
            return i;
    return -1;
}

static uint64_t file_size(const model *m, int i)
{
    struct stat st;
    if (fstat(m->files[i].keep, &st) != 0)
        fail("fstat of a kept file failed", i, 0);
    return (uint64_t)st.st_size;
}

/* A position seen from the follower: names a known file, within its size, at a line end. */
static void check_position(model *m, const vg_follow_pos *p)
{
    if (!p->dev && !p->ino)
        return;
    int i = find_file(m, p->dev, p->ino);
    if (i < 0)
        fail("position names an unknown file", (long)p->ino, 0);
    m->files[i].visited = 1;
    if (m->cur_file >= 0 && m->cur_file != i)
        m->files[m->cur_file].left = 1;
    m->cur_file = i;
    if (p->offset > file_size(m, i) && memcmp(p, &m->start, sizeof(*p)) != 0)
        fail("position beyond the file's size", (long)p->offset, (long)file_size(m, i));
}

static vg_rc on_line(void *ctx, const char *line, size_t len, const vg_follow_pos *after)
{
    model *m = ctx;
    long serial = 0;
    size_t digits = 0;
    while (digits < len && digits < 6 && line[digits] >= '0' && line[digits] <= '9')
        serial = serial * 10 + (line[digits++] - '0');
    if (digits == 0 || digits == len || line[digits] != ':' || serial >= m->nlines)
        fail("a line that was never written", (long)len, serial);
    mline *l = &m->lines[serial];
    size_t want = l->len - (l->done == 1);
    if (want && l->text[want - 1] == '\r')
        want--;
    if (!l->done || want != len || memcmp(l->text, line, len) != 0)
        fail("a line that differs from what was written", serial, (long)len);
    if (serial <= m->last_serial)
        fail("a line out of order or handed twice", serial, m->last_serial);
    if (len > m->max_record)
        fail("a line over the limit", serial, (long)len);
    check_position(m, after);
    const mfile *mf = &m->files[l->file];
    if (after->dev != mf->dev || after->ino != mf->ino || after->offset != l->end)
        fail("a position that is not the line's end", serial, (long)after->offset);
    if (m->refuse_next) {
        m->refuse_next = 0;
        return VG_ERR_LIMIT;
    }
    m->last_serial = serial;
    l->handed = 1;
    m->poll_bytes += len + 1;
    return VG_OK;
}

static void on_report(void *ctx, const char *path, const char *reason)
{
    model *m = ctx;
    if (strcmp(path, m->path) != 0 || !reason[0])
        fail("a report without the path or a reason", 0, 0);
}

static void follower_open(model *m, const vg_follow_pos *start)
{
    vg_error err;
    m->start = start ? *start : (vg_follow_pos){ 0, 0, 0 };
    if (vg_follow_open(&m->f, m->path, start, m->max_record, on_report, m, &err) != VG_OK)
        fail("vg_follow_open failed", 0, 0);
    vg_follow_pos p;
    vg_follow_position(m->f, &p);
    check_position(m, &p);
}

static vg_rc poll_once(model *m, size_t budget)
{
    vg_error err;
    m->poll_bytes = 0;
    vg_rc rc = vg_follow_poll(m->f, budget, on_line, m, &err);
    if (rc != VG_OK && rc != VG_END && rc != VG_ERR_LIMIT)
        fail("poll failed", rc, 0);
    if (m->poll_bytes > budget + m->max_record + 3)
        fail("a poll handed over more than its budget allows", (long)m->poll_bytes, (long)budget);
    vg_follow_pos p;
    vg_follow_position(m->f, &p);
    check_position(m, &p);
    return rc;
}

/* The writer opens the path (creating it): a new file, or the one it already has. */
static void writer_reopen(model *m)
{
    struct stat st;
    if (m->nfiles == MAX_FILES && stat(m->path, &st) != 0)
        return; /* no room in the model for another file */
    int fd = open(m->path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0 || fstat(fd, &st) != 0)
        fail("the writer cannot open the path", 0, 0);
    int i = find_file(m, (uint64_t)st.st_dev, (uint64_t)st.st_ino);
    if (i < 0) {
        i = m->nfiles++;
        m->files[i] = (mfile){ (uint64_t)st.st_dev, (uint64_t)st.st_ino, open(m->path, O_RDONLY), 0, 0, 0 };
    }
    if (i != m->wfile && m->pending >= 0) {
        mline *l = &m->lines[m->pending];
        l->done = 2; /* the writer moved on: its last line ends unended */
        l->len = l->written;
        m->pending = -1;
    }
    if (m->wfd >= 0)
        close(m->wfd);
    m->wfd = fd;
    m->wfile = i;
}

/* Writes n bytes; the file's size after them. */
static uint64_t writer_put(model *m, const char *p, size_t n)
{
    struct stat st;
    if (write(m->wfd, p, n) != (ssize_t)n || fstat(m->wfd, &st) != 0)
        fail("write failed", (long)n, 0);
    return (uint64_t)st.st_size;
}

/* A new line: "SERIAL:" and up to 69 letters (a CR last when arg says), LF or CRLF. */
static void line_start(model *m, unsigned arg)
{
    mline *l = &m->lines[m->nlines];
    size_t body = arg % 70;
    int n = snprintf(l->text, sizeof(l->text), "%d:", m->nlines);
    for (size_t i = 0; i < body; i++)
        l->text[n + i] = (char)('a' + (m->nlines + i) % 26);
    n += (int)body;
    if (arg & 0x80)
        l->text[n++] = '\r';
    if (arg & 0x40)
        l->text[n++] = '\r';
    l->text[n++] = '\n';
    l->len = (size_t)n;
    l->written = 0;
    l->file = m->wfile;
    m->pending = m->nlines++;
}

/* Appends a piece of the pending line (the serial and colon always in the first piece). */
static void op_append(model *m, unsigned piece, unsigned arg)
{
    if (m->wfile < 0 || m->wfd < 0)
        writer_reopen(m);
    if (m->wfd < 0)
        return;
    if (m->pending < 0) {
        if (m->nlines == MAX_LINES)
            return;
        line_start(m, arg);
    }
    mline *l = &m->lines[m->pending];
    size_t n = piece;
    if (l->written == 0)
        n += (size_t)(strchr(l->text, ':') - l->text) + 1;
    if (n > l->len - l->written)
        n = l->len - l->written;
    l->end = writer_put(m, l->text + l->written, n);
    l->written += n;
    if (l->written == l->len) {
        l->done = 1;
        m->pending = -1;
    }
}

static void op_empty(model *m, unsigned arg)
{
    if (m->pending >= 0 || m->wfd < 0)
        return;
    (void)writer_put(m, arg & 1 ? "\r\n" : "\n", arg & 1 ? 2 : 1);
}

/* copytruncate: what was not read yet is gone, a line being written is abandoned. */
static void op_truncate(model *m)
{
    if (m->wfd < 0 || ftruncate(m->wfd, 0) != 0)
        return;
    for (int i = 0; i < m->nlines; i++)
        if (m->lines[i].file == m->wfile)
            m->lines[i].lost = 1;
    m->pending = -1;
    /* the follower must look before the file grows past what it read (see ingest-follow.h) */
    int refuse = m->refuse_next;
    m->refuse_next = 0;
    poll_once(m, 1);
    m->refuse_next = refuse;
}

/* Reopens the follower from its position; a saved file the path no longer names is lost. */
static void op_reopen(model *m)
{
    vg_follow_pos p;
    vg_follow_position(m->f, &p);
    vg_follow_close(m->f);
    m->f = NULL;
    struct stat st;
    int i = find_file(m, p.dev, p.ino);
    if (i >= 0 && (stat(m->path, &st) != 0 || (uint64_t)st.st_ino != p.ino || (uint64_t)st.st_dev != p.dev))
        m->files[i].lost = 1;
    follower_open(m, &p);
}

static void run_op(model *m, unsigned op, unsigned arg)
{
    unsigned piece = 1 + (op >> 4);
    switch (op & 15) {
    case 4: op_empty(m, arg); break;
    case 5: rename(m->path, m->rotated); break;
    case 6: op_truncate(m); break;
    case 7: unlink(m->path); break;
    case 8: writer_reopen(m); break;
    case 9: case 10: case 11: case 12: poll_once(m, arg >= 200 ? 4096 : 1 + arg % 64); break;
    case 13: op_reopen(m); break;
    case 14: m->refuse_next = 1; break;
    default: op_append(m, piece, arg); break;
    }
}

/* After polls until nothing is new, every line that must arrive has arrived. */
static void check_complete(model *m)
{
    m->refuse_next = 0;
    int polls = 0;
    while (poll_once(m, 4096) != VG_END)
        if (++polls > FINAL_POLLS)
            fail("the follower never runs out of work", polls, 0);
    for (int i = 0; i < m->nlines; i++) {
        const mline *l = &m->lines[i];
        const mfile *mf = &m->files[l->file];
        size_t len = l->len - (l->done == 1);
        if (len && l->text[len - 1] == '\r')
            len--;
        if (!l->done || l->lost || l->handed || len > m->max_record || mf->lost || !mf->visited)
            continue;
        if (l->done == 2 && !mf->left)
            continue; /* unended: complete only once the follower sees the writer's new file */
        fail("a complete line within the limit was never handed over", i, l->file);
    }
}

static void cleanup(model *m)
{
    vg_follow_close(m->f);
    if (m->wfd >= 0)
        close(m->wfd);
    for (int i = 0; i < m->nfiles; i++)
        close(m->files[i].keep);
    unlink(m->path);
    unlink(m->rotated);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    if (!dir_path[0]) {
        snprintf(dir_path, sizeof(dir_path), "/tmp/vigil-fuzz-follow-XXXXXX");
        if (!mkdtemp(dir_path))
            abort();
    }
    static model m;
    memset(&m, 0, sizeof(m));
    snprintf(m.path, sizeof(m.path), "%s/app.log", dir_path);
    snprintf(m.rotated, sizeof(m.rotated), "%s/app.log.1", dir_path);
    unlink(m.path);
    unlink(m.rotated);
    m.max_record = 1 + data[0] % 48;
    m.wfd = m.wfile = m.pending = m.cur_file = -1;
    m.last_serial = -1;
    if (data[1] & 1)
        writer_reopen(&m);
    follower_open(&m, NULL);
    for (size_t i = 2; i + 1 < size; i += 2)
        run_op(&m, data[i], data[i + 1]);
    check_complete(&m);
    cleanup(&m);
    return 0;
}
