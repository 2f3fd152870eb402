/*
 * util-log: formatting and writing of log lines (see util-log.h). Each message is built in
 * a local buffer and written with a single write(2), so concurrent threads never interleave.
 */
#include "util-log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static vg_log_level log_level = VG_LOG_INFO;
static int log_json;

static const char *const level_names[] = { "debug", "info", "warning", "error" };

void vg_log_set_level(vg_log_level level)
{
    log_level = level;
}

void vg_log_set_json(int json)
{
    log_json = json;
}

/* Appends text to a JSON string body, escaping what JSON requires. */
static size_t json_escape_into(char *out, size_t cap, const char *s)
{
    size_t n = 0;
    for (; *s && n + 7 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            out[n++] = '\\';
            out[n++] = (char)c;
        } else if (c < 0x20) {
            n += (size_t)snprintf(out + n, cap - n, "\\u%04x", c);
        } else {
            out[n++] = (char)c;
        }
    }
    return n;
}

void vg_log(vg_log_level level, const char *fmt, ...)
{
    if (level < log_level)
        return;
    char text[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);

    char line[4608];
    size_t n;
    if (log_json) {
        char stamp[32];
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
        n = (size_t)snprintf(line, sizeof line, "{\"@timestamp\":\"%s\",\"log.level\":\"%s\",\"message\":\"",
                             stamp, level_names[level]);
        n += json_escape_into(line + n, sizeof line - n - 4, text);
        memcpy(line + n, "\"}\n", 3);
        n += 3;
    } else {
        n = (size_t)snprintf(line, sizeof line, "vigil: %s%s%s\n",
                             level == VG_LOG_INFO ? "" : level_names[level],
                             level == VG_LOG_INFO ? "" : ": ", text);
        if (n >= sizeof line)
            n = sizeof line - 1;
    }
    ssize_t w = write(STDERR_FILENO, line, n);
    (void)w;
}
