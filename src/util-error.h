/*
 * util-error: the one result convention of Vigil.
 *
 * Every library function that can fail returns a vg_rc. VG_OK is zero, so `if (rc)` tests for
 * failure. Functions that parse untrusted input also fill a vg_error with a human-readable
 * reason and the byte offset where it was found, so callers can print `FILE:LINE: reason`.
 * Library code never exits the process and never prints: it returns.
 */
#ifndef VIGIL_UTIL_ERROR_H
#define VIGIL_UTIL_ERROR_H

#include <stddef.h>

typedef enum vg_rc {
    VG_OK = 0,
    VG_END,             /* no more input (not an error) */
    VG_ERR_NOMEM,       /* allocation failed */
    VG_ERR_IO,          /* read/write/open failed; errno-derived reason in vg_error */
    VG_ERR_PARSE,       /* malformed input; reason and offset in vg_error */
    VG_ERR_TRUNCATED,   /* input ended in the middle of a value; more input may complete it */
    VG_ERR_LIMIT,       /* a named hard limit was exceeded (size, depth, count) */
    VG_ERR_USAGE,       /* caller passed invalid arguments or options */
    VG_ERR_NOTFOUND,    /* lookup found nothing */
    VG_ERR_UNSUPPORTED  /* valid input that this version cannot handle */
} vg_rc;

#define VG_ERROR_MSG_MAX 256

/* Details of the last failure: reason text and where in the input it occurred. */
typedef struct vg_error {
    char msg[VG_ERROR_MSG_MAX];
    size_t offset;      /* byte offset into the record or buffer, when known */
} vg_error;

/* Short name of a result code, e.g. "parse error". */
const char *vg_rc_str(vg_rc rc);

/* Sets err (if not NULL) to a formatted reason at offset; returns rc for `return vg_fail(...)`. */
vg_rc vg_fail(vg_error *err, vg_rc rc, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Clears err to "no error". */
void vg_error_clear(vg_error *err);

#endif
