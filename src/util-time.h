/*
 * util-time: calendar arithmetic and timestamp text, without the C library's time zone state
 * (thread-safe, no allocation). Times are seconds since the Unix epoch (UTC) plus nanoseconds.
 */
#ifndef VIGIL_UTIL_TIME_H
#define VIGIL_UTIL_TIME_H

#include <stddef.h>
#include <stdint.h>

typedef struct vg_time {
    int64_t sec;        /* seconds since 1970-01-01T00:00:00Z */
    uint32_t nsec;      /* 0..999,999,999 */
    uint8_t digits;     /* fraction digits present in the source (0-9), kept when formatting */
} vg_time;

#define VG_RFC3339_MAX 36   /* buffer size for vg_time_format */

/* Seconds since the epoch of a proleptic Gregorian UTC date and time (no range checks). */
int64_t vg_time_from_civil(int year, int month, int day, int hour, int min, int sec);

/* Breaks seconds since the epoch into UTC date and time. */
void vg_time_to_civil(int64_t t, int *year, int *month, int *day, int *hour, int *min, int *sec);

/* Days in month (1-12) of year. */
int vg_days_in_month(int year, int month);

/* Month number (1-12) of an English three-letter abbreviation ("Jan", any case), or 0. */
int vg_month_from_abbr(const char *s);

/* Writes t as RFC 3339 UTC ("2025-12-10T06:55:46.123Z", fraction only when digits > 0);
 * returns the length. out must hold VG_RFC3339_MAX bytes. */
size_t vg_time_format(const vg_time *t, char *out);

/* Parses an RFC 3339 / ISO 8601 timestamp ("2026-04-17T04:14:33.653414Z", "+07:00" offsets,
 * space instead of T, no zone = offset tz_default seconds east of UTC). Returns 0 or -1. */
int vg_time_parse_iso(const char *s, size_t n, long tz_default, vg_time *out);

/* Parses a decimal epoch time with optional fraction ("1420070400.123"). Returns 0 or -1. */
int vg_time_parse_epoch(const char *s, size_t n, vg_time *out);

/* Parses a whole Common Log Format time "10/Oct/2000:13:55:36[.frac] -0700" into UTC; 0 or -1. */
int vg_time_parse_clf(const char *s, size_t n, vg_time *out);

/* Parses a whole ctime-style "Sun Dec 04 04:47:44[.frac] 2005" (tz s east of UTC); 0 or -1. */
int vg_time_parse_ctime(const char *s, size_t n, long tz, vg_time *out);

/* Parses a duration "90s", "15m", "24h", "7d", "2w" (a whole number and one unit) into
 * milliseconds. Returns 0 or -1 (no unit, unknown unit, over 100 years). */
int vg_time_parse_duration(const char *s, size_t n, int64_t *ms);

/* The wall clock: microseconds since the epoch (CLOCK_REALTIME). */
int64_t vg_now_us(void);

#endif
