/*
 * util-error: result codes and error details (see util-error.h).
 */
#include "util-error.h"

#include <stdarg.h>
#include <stdio.h>

const char *vg_rc_str(vg_rc rc)
{
    switch (rc) {
    case VG_OK: return "ok";
    case VG_END: return "end of input";
    case VG_ERR_NOMEM: return "out of memory";
    case VG_ERR_IO: return "I/O error";
    case VG_ERR_PARSE: return "parse error";
    case VG_ERR_TRUNCATED: return "truncated input";
    case VG_ERR_LIMIT: return "limit exceeded";
    case VG_ERR_USAGE: return "usage error";
    case VG_ERR_NOTFOUND: return "not found";
    case VG_ERR_UNSUPPORTED: return "unsupported";
    }
    return "unknown error";
}

vg_rc vg_fail(vg_error *err, vg_rc rc, size_t offset, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->offset = offset;
    }
    return rc;
}

void vg_error_clear(vg_error *err)
{
    if (err) {
        err->msg[0] = '\0';
        err->offset = 0;
    }
}
