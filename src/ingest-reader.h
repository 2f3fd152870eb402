/*
 * ingest-reader: turns a file or standard input into records.
 *
 * The reader owns one sliding window buffer (max_record + a read chunk). Input may be plain,
 * gzip or zstd, recognized by its magic bytes, and is decompressed as a stream. Records are
 * either lines (text formats) or JSON texts (a whitespace-separated sequence, or the elements
 * of a top-level array). A record is a slice of the window, valid until the next call.
 *
 * Bad records never stop the reader: an oversized line or an invalid JSON text is returned as
 * an error with its line number, the reader skips to the next plausible record start, and the
 * next call continues from there.
 */
#ifndef VIGIL_INGEST_READER_H
#define VIGIL_INGEST_READER_H

#include <stddef.h>
#include <stdint.h>

#include "json-scan.h"
#include "util-error.h"

#define VG_READER_DEFAULT_MAX_RECORD (1u << 20)  /* default limit: longest line or JSON text */
#define VG_READER_MAX_MAX_RECORD (256u << 20)    /* the limit may be raised up to this */

typedef enum vg_compression {
    VG_COMPRESSION_NONE = 0,
    VG_COMPRESSION_GZIP,
    VG_COMPRESSION_ZSTD
} vg_compression;

typedef struct vg_reader vg_reader;

/* One record: a slice of the reader's window, valid until the next call on the reader. */
typedef struct vg_record {
    const char *data;
    size_t len;
    uint64_t line;      /* 1-based line number of the record's first byte */
} vg_record;

/* Opens path ("-" for standard input) for reading records of at most max_record bytes. */
vg_rc vg_reader_open(vg_reader **out, const char *path, size_t max_record, vg_error *err);

/* Opens an in-memory buffer (not copied; must outlive the reader). For tests and fuzzing. */
vg_rc vg_reader_open_mem(vg_reader **out, const char *name, const void *data, size_t len,
                         size_t max_record, vg_error *err);

/* Reads a plain (uncompressed) regular file through a read-only memory mapping instead of
 * read(2): records then point into the mapping and nothing is copied. Call right after
 * vg_reader_open; returns 1 if mapped, 0 if the input stays on read(2) (stdin, pipes,
 * compressed or empty files). If another process truncates the file while it is mapped, the
 * process gets SIGBUS: callers that use this install a handler that reports it. */
int vg_reader_map(vg_reader *r);

/* Closes the reader and frees its buffers. */
void vg_reader_close(vg_reader *r);

/* The name given at open ("-" reads as "<stdin>"). */
const char *vg_reader_name(const vg_reader *r);

/* Compression detected on the input. */
vg_compression vg_reader_compression(const vg_reader *r);

/* Shows up to the first 64 KiB of (decompressed) input without consuming it, after any UTF-8
 * byte order mark. */
vg_rc vg_reader_peek(vg_reader *r, const char **data, size_t *len, vg_error *err);

/* Next line, without its "\n" or "\r\n". VG_END at the end; VG_ERR_LIMIT for a line longer
 * than max_record (skipped; rec->line says which); VG_ERR_IO on read failure. */
vg_rc vg_reader_next_line(vg_reader *r, vg_record *rec, vg_error *err);

/* Next JSON text (an object, or an element of a top-level array), scanned into doc. VG_END at
 * the end; VG_ERR_PARSE/VG_ERR_LIMIT for a rejected record (rec->line is the line of the
 * problem, err says why; the reader has skipped ahead); VG_ERR_IO on read failure. */
vg_rc vg_reader_next_json(vg_reader *r, vg_json_doc *doc, vg_record *rec, vg_error *err);

/* The bytes already in the window after the last record returned (no read, no
 * decompression; possibly none): what comes next, for hints such as prefetching. Valid until
 * the next call on r. */
size_t vg_reader_ahead(const vg_reader *r, const char **data);

/* Bytes of (decompressed) input consumed so far. */
uint64_t vg_reader_offset(const vg_reader *r);

#endif
