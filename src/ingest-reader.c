/*
 * ingest-reader: record reader over plain, gzip and zstd input (see ingest-reader.h).
 *
 * Window: buf[pos, fill) holds decompressed bytes not yet consumed; `line` is the line number
 * of buf[pos]. Refilling moves the unconsumed tail to the front, then reads (and decompresses)
 * into the rest. Every consumed byte range is counted for newlines, so line numbers stay right
 * across refills, skipped records and decompression.
 */
#include "ingest-reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "util-mem.h"

#define READ_CHUNK (256u << 10)
#define PEEK_MAX (64u << 10)

enum array_state { ARRAY_NONE, ARRAY_ELEMENT, ARRAY_SEPARATOR };

struct vg_reader {
    char *name;
    int fd;                 /* -1 for memory input */
    vg_compression comp;
    z_stream zs;
    int zs_live;
    ZSTD_DStream *zd;

    const unsigned char *mem;   /* memory input */
    size_t mem_len, mem_pos;

    unsigned char *in;      /* compressed bytes read but not yet decompressed */
    size_t in_pos, in_len;
    int in_eof;

    char *buf;              /* decompressed window (or the file's mapping) */
    char *own_buf;          /* the allocated window, while buf points into a mapping */
    size_t cap, pos, fill;
    int eof;                /* no more decompressed bytes will come */
    int started;            /* compression detected, BOM handled */
    uint64_t line;
    uint64_t consumed;
    size_t max_record;
    enum array_state array;
    uint64_t array_line;    /* line where the last array element ended */
};

/* ---- raw input -------------------------------------------------------------------------- */

/* Reads up to n raw (possibly compressed) bytes; 0 at end of input. */
static vg_rc raw_read(vg_reader *r, unsigned char *dst, size_t n, size_t *got, vg_error *err)
{
    if (r->fd < 0) {
        size_t k = r->mem_len - r->mem_pos;
        if (k > n)
            k = n;
        memcpy(dst, r->mem + r->mem_pos, k);
        r->mem_pos += k;
        *got = k;
        return VG_OK;
    }
    for (;;) {
        ssize_t k = read(r->fd, dst, n);
        if (k >= 0) {
            *got = (size_t)k;
            return VG_OK;
        }
        if (errno != EINTR)
            return vg_fail(err, VG_ERR_IO, 0, "read failed: %s", strerror(errno));
    }
}

/* Makes sure compressed input is available in r->in; sets in_eof at the end. */
static vg_rc fill_in(vg_reader *r, vg_error *err)
{
    if (r->in_pos < r->in_len || r->in_eof)
        return VG_OK;
    size_t got;
    vg_rc rc = raw_read(r, r->in, READ_CHUNK, &got, err);
    if (rc)
        return rc;
    r->in_pos = 0;
    r->in_len = got;
    if (got == 0)
        r->in_eof = 1;
    return VG_OK;
}

static vg_rc gzip_produce(vg_reader *r, char *dst, size_t room, size_t *made, vg_error *err)
{
    *made = 0;
    while (*made == 0) {
        vg_rc rc = fill_in(r, err);
        if (rc)
            return rc;
        if (r->in_eof && r->in_pos == r->in_len) {
            if (r->zs_live == 2)
                return vg_fail(err, VG_ERR_IO, 0, "gzip stream is truncated");
            return VG_OK;
        }
        if (r->zs_live == 1) {
            /* a new gzip member after a finished one (concatenated .gz files) */
            if (inflateReset(&r->zs) != Z_OK)
                return vg_fail(err, VG_ERR_IO, 0, "gzip: cannot reset decoder");
        }
        r->zs.next_in = r->in + r->in_pos;
        r->zs.avail_in = (uInt)(r->in_len - r->in_pos);
        r->zs.next_out = (Bytef *)dst;
        r->zs.avail_out = (uInt)room;
        int z = inflate(&r->zs, Z_NO_FLUSH);
        r->in_pos = r->in_len - r->zs.avail_in;
        *made = room - r->zs.avail_out;
        if (z == Z_STREAM_END) {
            r->zs_live = 1;
        } else if (z == Z_OK || z == Z_BUF_ERROR) {
            r->zs_live = 2;
        } else {
            return vg_fail(err, VG_ERR_IO, 0, "gzip data is corrupt: %s",
                           r->zs.msg ? r->zs.msg : "inflate failed");
        }
    }
    return VG_OK;
}

static vg_rc zstd_produce(vg_reader *r, char *dst, size_t room, size_t *made, vg_error *err)
{
    *made = 0;
    while (*made == 0) {
        vg_rc rc = fill_in(r, err);
        if (rc)
            return rc;
        if (r->in_eof && r->in_pos == r->in_len) {
            if (r->zs_live == 2)
                return vg_fail(err, VG_ERR_IO, 0, "zstd stream is truncated");
            return VG_OK;
        }
        ZSTD_inBuffer in = { r->in, r->in_len, r->in_pos };
        ZSTD_outBuffer out = { dst, room, 0 };
        size_t hint = ZSTD_decompressStream(r->zd, &out, &in);
        if (ZSTD_isError(hint))
            return vg_fail(err, VG_ERR_IO, 0, "zstd data is corrupt: %s", ZSTD_getErrorName(hint));
        r->in_pos = in.pos;
        *made = out.pos;
        r->zs_live = hint == 0 ? 1 : 2;
    }
    return VG_OK;
}

/* Detects compression from the first raw bytes and sets up the decoder. */
static vg_rc start(vg_reader *r, vg_error *err)
{
    r->started = 1;
    while (r->in_len < 4 && !r->in_eof) {
        size_t got;
        vg_rc rc = raw_read(r, r->in + r->in_len, READ_CHUNK - r->in_len, &got, err);
        if (rc)
            return rc;
        if (got == 0)
            r->in_eof = 1;
        r->in_len += got;
    }
    const unsigned char *m = r->in;
    if (r->in_len >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
        r->comp = VG_COMPRESSION_GZIP;
        memset(&r->zs, 0, sizeof r->zs);
        if (inflateInit2(&r->zs, 15 + 16) != Z_OK)
            return vg_fail(err, VG_ERR_NOMEM, 0, "gzip: cannot start decoder");
        r->zs_live = 2;
    } else if (r->in_len >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) {
        r->comp = VG_COMPRESSION_ZSTD;
        r->zd = ZSTD_createDStream();
        if (!r->zd || ZSTD_isError(ZSTD_initDStream(r->zd)))
            return vg_fail(err, VG_ERR_NOMEM, 0, "zstd: cannot start decoder");
        r->zs_live = 2;
    }
    return VG_OK;
}

/* Reads more decompressed bytes into the window; sets eof when none will come. */
static vg_rc refill(vg_reader *r, vg_error *err)
{
    vg_rc rc;
    if (!r->started && (rc = start(r, err)))
        return rc;
    if (r->eof)
        return VG_OK;
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->fill - r->pos);
        r->fill -= r->pos;
        r->pos = 0;
    }
    size_t room = r->cap - r->fill, made = 0;
    if (room == 0)
        return VG_OK;
    char *dst = r->buf + r->fill;
    switch (r->comp) {
    case VG_COMPRESSION_GZIP:
        rc = gzip_produce(r, dst, room, &made, err);
        break;
    case VG_COMPRESSION_ZSTD:
        rc = zstd_produce(r, dst, room, &made, err);
        break;
    default:
        if (r->in_pos < r->in_len) {    /* bytes read while detecting compression */
            made = r->in_len - r->in_pos;
            if (made > room)
                made = room;
            memcpy(dst, r->in + r->in_pos, made);
            r->in_pos += made;
            rc = VG_OK;
        } else {
            rc = raw_read(r, (unsigned char *)dst, room, &made, err);
        }
    }
    if (rc)
        return rc;
    if (made == 0)
        r->eof = 1;
    r->fill += made;
    return VG_OK;
}

/* ---- open/close ------------------------------------------------------------------------- */

static vg_rc reader_new(vg_reader **out, const char *name, size_t max_record, vg_error *err)
{
    if (max_record < 64 || max_record > VG_READER_MAX_MAX_RECORD)
        return vg_fail(err, VG_ERR_USAGE, 0, "record size limit must be between 64 bytes and %u MiB",
                       VG_READER_MAX_MAX_RECORD >> 20);
    vg_reader *r = vg_calloc(1, sizeof *r);
    if (!r)
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    r->fd = -1;
    r->max_record = max_record;
    r->cap = max_record + READ_CHUNK;
    r->line = 1;
    r->name = vg_strndup(name, strlen(name));
    r->buf = vg_malloc(r->cap + 16);
    r->in = vg_malloc(READ_CHUNK);
    if (!r->name || !r->buf || !r->in) {
        vg_reader_close(r);
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    }
    *out = r;
    return VG_OK;
}

vg_rc vg_reader_open(vg_reader **out, const char *path, size_t max_record, vg_error *err)
{
    int is_stdin = strcmp(path, "-") == 0;
    vg_rc rc = reader_new(out, is_stdin ? "<stdin>" : path, max_record, err);
    if (rc)
        return rc;
    if (is_stdin) {
        (*out)->fd = STDIN_FILENO;
        return VG_OK;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        vg_reader_close(*out);
        *out = NULL;
        return vg_fail(err, VG_ERR_IO, 0, "cannot open: %s", strerror(e));
    }
    (*out)->fd = fd;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        vg_reader_close(*out);
        *out = NULL;
        return vg_fail(err, VG_ERR_IO, 0, "is a directory (give the files in it)");
    }
    return VG_OK;
}

vg_rc vg_reader_open_mem(vg_reader **out, const char *name, const void *data, size_t len,
                         size_t max_record, vg_error *err)
{
    vg_rc rc = reader_new(out, name, max_record, err);
    if (rc)
        return rc;
    (*out)->mem = data;
    (*out)->mem_len = len;
    return VG_OK;
}

void vg_reader_close(vg_reader *r)
{
    if (!r)
        return;
    if (r->fd > STDIN_FILENO)
        close(r->fd);
    if (r->comp == VG_COMPRESSION_GZIP)
        inflateEnd(&r->zs);
    if (r->zd)
        ZSTD_freeDStream(r->zd);
    vg_free(r->name);
    if (r->own_buf) {
        munmap(r->buf, r->fill);
        r->buf = r->own_buf;
    }
    vg_free(r->buf);
    vg_free(r->in);
    vg_free(r);
}

int vg_reader_map(vg_reader *r)
{
    struct stat st;
    if (r->started || r->fd <= STDIN_FILENO || fstat(r->fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        st.st_size <= 0 || (uint64_t)st.st_size > SIZE_MAX / 2)
        return 0;
    size_t n = (size_t)st.st_size;
    void *map = mmap(NULL, n, PROT_READ, MAP_PRIVATE, r->fd, 0);
    if (map == MAP_FAILED)
        return 0;
    const unsigned char *m = map;
    if ((n >= 2 && m[0] == 0x1f && m[1] == 0x8b) ||
        (n >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)) {
        munmap(map, n);     /* compressed: it goes through the decompressor */
        return 0;
    }
    madvise(map, n, MADV_SEQUENTIAL);
    r->own_buf = r->buf;
    r->buf = map;
    r->fill = n;
    r->cap = n;
    r->eof = 1;
    r->started = 1;
    if (n >= 3 && memcmp(map, "\xEF\xBB\xBF", 3) == 0) {
        r->pos = 3;
        r->consumed = 3;
    }
    return 1;
}

const char *vg_reader_name(const vg_reader *r)
{
    return r->name;
}

vg_compression vg_reader_compression(const vg_reader *r)
{
    return r->comp;
}

uint64_t vg_reader_offset(const vg_reader *r)
{
    return r->consumed;
}

/* ---- consuming -------------------------------------------------------------------------- */

static uint64_t count_newlines(const char *p, size_t n)
{
    uint64_t c = 0;
    const char *end = p + n;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        c++;
        p++;
    }
    return c;
}

/* Consumes n bytes of the window, keeping the line count. */
static void consume(vg_reader *r, size_t n)
{
    r->line += count_newlines(r->buf + r->pos, n);
    r->pos += n;
    r->consumed += n;
}

/* Skips a UTF-8 byte order mark at the very start of the input. */
static vg_rc skip_bom(vg_reader *r, vg_error *err)
{
    vg_rc rc;
    while (r->fill - r->pos < 3 && !r->eof)
        if ((rc = refill(r, err)))
            return rc;
    if (r->fill - r->pos >= 3 && memcmp(r->buf + r->pos, "\xEF\xBB\xBF", 3) == 0) {
        r->pos += 3;
        r->consumed += 3;
    }
    return VG_OK;
}

static vg_rc ensure_started(vg_reader *r, vg_error *err)
{
    if (r->started)
        return VG_OK;
    vg_rc rc = refill(r, err);
    if (rc)
        return rc;
    return skip_bom(r, err);
}

vg_rc vg_reader_peek(vg_reader *r, const char **data, size_t *len, vg_error *err)
{
    vg_rc rc = ensure_started(r, err);
    if (rc)
        return rc;
    while (r->fill - r->pos < PEEK_MAX && !r->eof)
        if ((rc = refill(r, err)))
            return rc;
    *data = r->buf + r->pos;
    *len = r->fill - r->pos;
    if (*len > PEEK_MAX)
        *len = PEEK_MAX;
    return VG_OK;
}

size_t vg_reader_ahead(const vg_reader *r, const char **data)
{
    *data = r->buf ? r->buf + r->pos : "";
    return r->buf ? r->fill - r->pos : 0;
}

/* Discards input up to and including the next newline (the rest of an oversized line). */
static vg_rc skip_line(vg_reader *r, vg_error *err)
{
    for (;;) {
        char *nl = memchr(r->buf + r->pos, '\n', r->fill - r->pos);
        if (nl) {
            consume(r, (size_t)(nl + 1 - (r->buf + r->pos)));
            return VG_OK;
        }
        consume(r, r->fill - r->pos);
        if (r->eof)
            return VG_OK;
        vg_rc rc = refill(r, err);
        if (rc)
            return rc;
    }
}

vg_rc vg_reader_next_line(vg_reader *r, vg_record *rec, vg_error *err)
{
    vg_rc rc = ensure_started(r, err);
    if (rc)
        return rc;
    size_t scanned = 0;
    for (;;) {
        char *start = r->buf + r->pos;
        size_t avail = r->fill - r->pos;
        char *nl = memchr(start + scanned, '\n', avail - scanned);
        if (nl || (r->eof && avail > 0)) {
            size_t n = nl ? (size_t)(nl - start) : avail;
            if (n > r->max_record)
                break;
            rec->data = start;
            rec->len = n > 0 && start[n - 1] == '\r' ? n - 1 : n;
            rec->line = r->line;
            r->pos += nl ? n + 1 : n;
            r->consumed += nl ? n + 1 : n;
            r->line += nl ? 1 : 0;
            return VG_OK;
        }
        if (r->eof)
            return VG_END;
        if (avail > r->max_record)
            break;
        scanned = avail;
        if ((rc = refill(r, err)))
            return rc;
    }
    rec->data = NULL;
    rec->len = 0;
    rec->line = r->line;
    vg_fail(err, VG_ERR_LIMIT, 0, "line longer than %zu bytes (raise --max-line to accept it)",
            r->max_record);
    if ((rc = skip_line(r, err)) != VG_OK)
        return rc;
    return VG_ERR_LIMIT;
}

/* Skips whitespace, refilling as needed; returns the next byte or -1 at the end. */
static int next_nonspace(vg_reader *r, vg_error *err, vg_rc *rc)
{
    *rc = VG_OK;
    for (;;) {
        while (r->pos < r->fill) {
            char c = r->buf[r->pos];
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
                return (unsigned char)c;
            if (c == '\n')
                r->line++;
            r->pos++;
            r->consumed++;
        }
        if (r->eof)
            return -1;
        if ((*rc = refill(r, err)))
            return -1;
    }
}

/* What resynchronization dropped, for the rejection's reason. */
typedef struct resync_report {
    int rest_of_line;       /* the rest of the problem's line held more text ('{'): skipped */
    uint64_t line;          /* that line */
    uint64_t skipped;       /* whole lines skipped after it */
    uint64_t first, last;   /* the first and last of those lines */
} resync_report;

/* Drops the rest of the current line; notes whether it could have held another record and,
 * inside a top-level array, whether it ended the array (its last non-blank byte is ']'). */
static vg_rc drop_rest_of_line(vg_reader *r, resync_report *rep, vg_error *err)
{
    uint64_t line = r->line;
    int last = 0;
    for (;;) {
        const char *p = r->buf + r->pos;
        size_t avail = r->fill - r->pos;
        const char *nl = memchr(p, '\n', avail);
        size_t n = nl ? (size_t)(nl - p) : avail;
        for (size_t k = 0; k < n; k++) {
            if (p[k] == '{')
                rep->rest_of_line = 1;
            if (p[k] != ' ' && p[k] != '\t' && p[k] != '\r')
                last = p[k];
        }
        consume(r, nl ? n + 1 : n);
        if (nl || r->eof)
            break;
        vg_rc rc = refill(r, err);
        if (rc)
            return rc;
    }
    if (rep->rest_of_line)
        rep->line = line;
    if (r->array != ARRAY_NONE && last == ']')
        r->array = ARRAY_NONE;  /* the array ended on the dropped part of the line */
    return VG_OK;
}

/* After a bad JSON text whose problem is at window offset off: moves to the next plausible
 * record start. Rules, in order:
 *   1. the problem is a '{' or '[' at the start of a later line than the text's first (a text
 *      cut short, then a new one): the new one starts there;
 *   2. otherwise the rest of the problem's line is dropped (reported if it held a '{'), then
 *      every whole line that cannot start a record (reported: count, first and last line). A
 *      record starts with '{', '[' (a new top-level array), or ']' inside an array. */
static vg_rc resync_json(vg_reader *r, size_t off, resync_report *rep, vg_error *err)
{
    memset(rep, 0, sizeof *rep);
    const char *base = r->buf + r->pos;
    size_t ls = off;
    while (ls > 0 && base[ls - 1] != '\n')
        ls--;
    int blank_before = 1;
    for (size_t k = ls; k < off; k++)
        if (base[k] != ' ' && base[k] != '\t' && base[k] != '\r')
            blank_before = 0;
    if (ls > 0 && blank_before && off < r->fill - r->pos && (base[off] == '{' || base[off] == '[')) {
        consume(r, ls);
        return VG_OK;
    }
    consume(r, off);
    vg_rc rc = drop_rest_of_line(r, rep, err);
    while (rc == VG_OK) {
        int c = next_nonspace(r, err, &rc);
        if (rc || c < 0)
            break;
        if (c == '{' || c == '[' || (c == ']' && r->array != ARRAY_NONE)) {
            if (c == '[')
                r->array = ARRAY_NONE;  /* a new top-level array */
            else if (r->array != ARRAY_NONE)
                r->array = c == ']' ? ARRAY_SEPARATOR : ARRAY_ELEMENT;
            return VG_OK;
        }
        if (rep->skipped++ == 0)
            rep->first = r->line;
        rep->last = r->line;
        rc = skip_line(r, err);
    }
    return rc;
}

/* Appends what resynchronization dropped to the reason in err. */
static void describe_resync(const resync_report *rep, vg_error *err)
{
    size_t n = strlen(err->msg);
    if (rep->rest_of_line)
        n += (size_t)snprintf(err->msg + n, sizeof err->msg - n,
                              "; the rest of line %llu was skipped with it",
                              (unsigned long long)rep->line);
    if (n >= sizeof err->msg)
        return;
    if (rep->skipped == 1)
        snprintf(err->msg + n, sizeof err->msg - n, "; line %llu skipped to find the next JSON text",
                 (unsigned long long)rep->first);
    else if (rep->skipped > 1)
        snprintf(err->msg + n, sizeof err->msg - n,
                 "; %llu lines skipped to find the next JSON text (lines %llu to %llu)",
                 (unsigned long long)rep->skipped, (unsigned long long)rep->first,
                 (unsigned long long)rep->last);
}

/* Rejects the record with reason in err, at the line of window offset off, and resyncs. */
static vg_rc reject_json(vg_reader *r, vg_record *rec, size_t off, vg_rc why, vg_error *err)
{
    uint64_t start_line = r->line;
    rec->line = r->line + count_newlines(r->buf + r->pos, off);
    rec->data = NULL;
    rec->len = 0;
    vg_error keep = *err;
    if (rec->line != start_line) {
        size_t n = strlen(keep.msg);
        snprintf(keep.msg + n, sizeof keep.msg - n, " (in the JSON text that starts at line %llu)",
                 (unsigned long long)start_line);
    }
    resync_report rep;
    vg_rc rc = resync_json(r, off, &rep, err);
    if (rc)
        return rc;
    *err = keep;
    describe_resync(&rep, err);
    return why;
}

/* Skips one JSON text that is longer than the record limit, to its real end, following only
 * strings and nesting (no tape): its inner lines are never taken for new records. */
static vg_rc skip_json_text(vg_reader *r, vg_error *err)
{
    int depth = 0, in_string = 0, escaped = 0;
    for (;;) {
        while (r->pos < r->fill) {
            char c = r->buf[r->pos];
            consume(r, 1);
            if (in_string) {
                if (escaped)
                    escaped = 0;
                else if (c == '\\')
                    escaped = 1;
                else if (c == '"')
                    in_string = 0;
            } else if (c == '"') {
                in_string = 1;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if ((c == '}' || c == ']') && --depth <= 0) {
                return VG_OK;
            }
        }
        if (r->eof)
            return VG_OK;
        vg_rc rc = refill(r, err);
        if (rc)
            return rc;
    }
}

/* Rejects a JSON text longer than the record limit: skips it whole and reports where it ended. */
static vg_rc reject_too_long(vg_reader *r, vg_record *rec, vg_error *err)
{
    rec->line = r->line;
    rec->data = NULL;
    rec->len = 0;
    vg_error keep;
    vg_fail(&keep, VG_ERR_LIMIT, 0, "JSON text longer than %zu bytes (raise --max-line to accept it)",
            r->max_record);
    vg_rc rc = skip_json_text(r, err);
    if (rc)
        return rc;
    if (r->line > rec->line) {
        size_t n = strlen(keep.msg);
        snprintf(keep.msg + n, sizeof keep.msg - n, "; skipped to its end on line %llu",
                 (unsigned long long)r->line);
    }
    if (r->array != ARRAY_NONE) {
        r->array = ARRAY_SEPARATOR;
        r->array_line = r->line;    /* where the element ended, as after one that was read */
    }
    *err = keep;
    return VG_ERR_LIMIT;
}

vg_rc vg_reader_next_json(vg_reader *r, vg_json_doc *doc, vg_record *rec, vg_error *err)
{
    vg_rc rc = ensure_started(r, err);
    if (rc)
        return rc;
    for (;;) {
        int c = next_nonspace(r, err, &rc);
        if (rc)
            return rc;
        if (c < 0) {
            if (r->array != ARRAY_NONE) {
                r->array = ARRAY_NONE;
                rec->line = r->line;
                return vg_fail(err, VG_ERR_PARSE, 0, "top-level array is not closed with ']'");
            }
            return VG_END;
        }
        if (r->array == ARRAY_SEPARATOR) {
            if (c == ',' || c == ']') {
                r->array = c == ',' ? ARRAY_ELEMENT : ARRAY_NONE;
                consume(r, 1);
                continue;
            }
            if (r->line > r->array_line && (c == '{' || c == '[')) {
                /* a new line starts a new text: the array was never closed */
                r->array = ARRAY_NONE;
                rec->line = r->array_line;
                return vg_fail(err, VG_ERR_PARSE, 0, "top-level array is not closed with ']' "
                               "before the JSON text at line %llu", (unsigned long long)r->line);
            }
            vg_fail(err, VG_ERR_PARSE, 0, "expected ',' or ']' between array elements");
            return reject_json(r, rec, 0, VG_ERR_PARSE, err);
        }
        if (r->array == ARRAY_ELEMENT && c == ']') {
            r->array = ARRAY_NONE;
            rec->line = r->line;
            consume(r, 1);
            return vg_fail(err, VG_ERR_PARSE, 0, "top-level array has a ',' before its ']'");
        }
        if (r->array == ARRAY_NONE && c == '[') {
            r->array = ARRAY_ELEMENT;
            consume(r, 1);
            int d = next_nonspace(r, err, &rc);
            if (rc)
                return rc;
            if (d == ']') {
                r->array = ARRAY_NONE;
                consume(r, 1);
            }
            continue;
        }
        size_t end = 0, avail = r->fill - r->pos, len = avail;
        unsigned flags = r->eof ? 0 : VG_JSON_PARTIAL;
        if (len > r->max_record) {  /* never scan further than a record may be long */
            len = r->max_record + 1;
            flags = VG_JSON_PARTIAL;
        }
        rc = vg_json_parse(doc, r->buf + r->pos, len, flags, &end, err);
        if (rc == VG_ERR_TRUNCATED) {
            if (len > r->max_record)
                return reject_too_long(r, rec, err);
            if ((rc = refill(r, err)))
                return rc;
            continue;
        }
        if (rc == VG_ERR_PARSE || rc == VG_ERR_LIMIT)
            return reject_json(r, rec, err->offset, rc, err);
        if (rc)
            return rc;
        if (end > r->max_record)
            return reject_too_long(r, rec, err);
        rec->data = r->buf + r->pos;
        rec->len = end;
        rec->line = r->line;
        r->line += doc->newlines;   /* the scanner counted them: no second pass over the text */
        r->pos += end;
        r->consumed += end;
        if (r->array != ARRAY_NONE) {
            r->array = ARRAY_SEPARATOR;
            r->array_line = r->line;
        }
        if (doc->toks[0].type != VG_JSON_OBJECT)
            return vg_fail(err, VG_ERR_PARSE, 0, "JSON text is %s %s, not an object",
                           doc->toks[0].type == VG_JSON_ARRAY || doc->toks[0].type == VG_JSON_OBJECT ? "an" : "a",
                           vg_json_type_name((vg_json_type)doc->toks[0].type));
        return VG_OK;
    }
}
