/*
 * util-time: civil-date arithmetic (days-from-civil, in the well-known era-based form) and
 * strict timestamp parsing and formatting (see util-time.h).
 */
#include "util-time.h"

#include <time.h>

#include <string.h>

int64_t vg_time_from_civil(int year, int month, int day, int hour, int min, int sec)
{
    int64_t y = (int64_t)year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = (month + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    return days * 86400 + hour * 3600 + min * 60 + sec;
}

/* The day of second t since the epoch (rounded down, before 1970 too). */
static int64_t day_of(int64_t t)
{
    return t >= 0 ? t / 86400 : (t - 86399) / 86400;
}

void vg_time_to_civil(int64_t t, int *year, int *month, int *day, int *hour, int *min, int *sec)
{
    int64_t days = day_of(t);
    int64_t secs = t - days * 86400;
    *hour = (int)(secs / 3600);
    *min = (int)(secs % 3600 / 60);
    *sec = (int)(secs % 60);
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int)(yoe + era * 400 + (*month <= 2));
}

int vg_days_in_month(int year, int month)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (month < 1 || month > 12)
        return 0;
    if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
        return 29;
    return days[month - 1];
}

int vg_month_from_abbr(const char *s)
{
    /* the three letters lowercased (| 0x20) as one little-endian word, against each month's */
    static const uint32_t months[12] = {
        'j' | 'a' << 8 | 'n' << 16, 'f' | 'e' << 8 | 'b' << 16, 'm' | 'a' << 8 | 'r' << 16,
        'a' | 'p' << 8 | 'r' << 16, 'm' | 'a' << 8 | 'y' << 16, 'j' | 'u' << 8 | 'n' << 16,
        'j' | 'u' << 8 | 'l' << 16, 'a' | 'u' << 8 | 'g' << 16, 's' | 'e' << 8 | 'p' << 16,
        'o' | 'c' << 8 | 't' << 16, 'n' | 'o' << 8 | 'v' << 16, 'd' | 'e' << 8 | 'c' << 16,
    };
    if (!s[0] || !s[1] || !s[2])
        return 0;
    uint32_t key = ((uint32_t)(unsigned char)s[0] | (uint32_t)(unsigned char)s[1] << 8 |
                    (uint32_t)(unsigned char)s[2] << 16) | 0x202020u;
    for (int m = 0; m < 12; m++)
        if (key == months[m])
            return m + 1;
    return 0;
}

static void put2(char *o, int v)
{
    o[0] = (char)('0' + v / 10);
    o[1] = (char)('0' + v % 10);
}

typedef struct date_slot {
    int64_t day;        /* days since 1970-01-01 */
    char date[10];      /* its "YYYY-MM-DD" */
    uint8_t valid;
} date_slot;

size_t vg_time_format(const vg_time *t, char *out)
{
    /* The dates of the days formatted by this thread, by day modulo 64: events share their
     * day (or a few days, merged from several sources), and the civil date is most of the work. */
    static _Thread_local date_slot dates[64];
    int64_t day = day_of(t->sec), secs = t->sec - day * 86400;
    date_slot *slot = &dates[day & 63];
    if (!slot->valid || slot->day != day) {
        int y, mo, d, h, mi, sec;
        vg_time_to_civil(t->sec, &y, &mo, &d, &h, &mi, &sec);
        if (y < 0 || y > 9999) {
            memcpy(out, "0000-01-01T00:00:00Z", 21);
            return 20;
        }
        slot->date[0] = (char)('0' + y / 1000);
        slot->date[1] = (char)('0' + y / 100 % 10);
        slot->date[2] = (char)('0' + y / 10 % 10);
        slot->date[3] = (char)('0' + y % 10);
        slot->date[4] = '-';
        put2(slot->date + 5, mo);
        slot->date[7] = '-';
        put2(slot->date + 8, d);
        slot->day = day;
        slot->valid = 1;
    }
    memcpy(out, slot->date, 10);
    out[10] = 'T'; put2(out + 11, (int)(secs / 3600));
    out[13] = ':'; put2(out + 14, (int)(secs % 3600 / 60));
    out[16] = ':'; put2(out + 17, (int)(secs % 60));
    size_t n = 19;
    if (t->digits) {
        out[n++] = '.';
        uint32_t ns = t->nsec;
        char frac[9];
        for (int i = 8; i >= 0; i--) {
            frac[i] = (char)('0' + ns % 10);
            ns /= 10;
        }
        int digits = t->digits > 9 ? 9 : t->digits;
        memcpy(out + n, frac, (size_t)digits);
        n += (size_t)digits;
    }
    out[n++] = 'Z';
    out[n] = '\0';
    return n;
}

/* Reads exactly k digits at s[*i]; -1 if any is not a digit or input ends. */
static int digits(const char *s, size_t n, size_t *i, int k)
{
    int v = 0;
    for (int j = 0; j < k; j++) {
        if (*i >= n || s[*i] < '0' || s[*i] > '9')
            return -1;
        v = v * 10 + (s[(*i)++] - '0');
    }
    return v;
}

/* Reads an optional fraction ".ddd" at s[*i] into nsec and digit count. */
static void fraction(const char *s, size_t n, size_t *i, vg_time *out)
{
    out->nsec = 0;
    out->digits = 0;
    if (*i >= n || (s[*i] != '.' && s[*i] != ','))
        return;
    size_t j = *i + 1;
    uint32_t scale = 100000000;
    while (j < n && s[j] >= '0' && s[j] <= '9') {
        out->nsec += (uint32_t)(s[j] - '0') * scale;
        scale /= 10;
        if (out->digits < 9)
            out->digits++;
        j++;
    }
    if (out->digits)
        *i = j;
}

int vg_time_parse_iso(const char *s, size_t n, long tz_default, vg_time *out)
{
    size_t i = 0;
    int y = digits(s, n, &i, 4);
    if (y < 0 || i >= n || s[i++] != '-')
        return -1;
    int mo = digits(s, n, &i, 2);
    if (mo < 1 || mo > 12 || i >= n || s[i++] != '-')
        return -1;
    int d = digits(s, n, &i, 2);
    if (d < 1 || d > vg_days_in_month(y, mo) || i >= n || (s[i] != 'T' && s[i] != 't' && s[i] != ' '))
        return -1;
    i++;
    int h = digits(s, n, &i, 2);
    if (h < 0 || h > 23 || i >= n || s[i++] != ':')
        return -1;
    int mi = digits(s, n, &i, 2);
    if (mi < 0 || mi > 59 || i >= n || s[i++] != ':')
        return -1;
    int sec = digits(s, n, &i, 2);
    if (sec < 0 || sec > 60)
        return -1;
    if (sec == 60)
        sec = 59;   /* leap second: keep within the minute */
    fraction(s, n, &i, out);
    long offset = tz_default;
    if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
        offset = 0;
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        int sign = s[i++] == '-' ? -1 : 1;
        int oh = digits(s, n, &i, 2);
        if (oh < 0 || oh > 23)
            return -1;
        if (i < n && s[i] == ':')
            i++;
        int om = digits(s, n, &i, 2);
        if (om < 0 || om > 59)
            return -1;
        offset = sign * (oh * 3600L + om * 60L);
    }
    if (i != n)
        return -1;
    out->sec = vg_time_from_civil(y, mo, d, h, mi, sec) - offset;
    return 0;
}

int vg_time_parse_epoch(const char *s, size_t n, vg_time *out)
{
    size_t i = 0;
    int64_t v = 0;
    if (n == 0 || n > 30)
        return -1;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        v = v * 10 + (s[i] - '0');
        if (v > 253402300799LL)     /* 9999-12-31 */
            return -1;
        i++;
    }
    if (i == 0)
        return -1;
    fraction(s, n, &i, out);
    if (i != n)
        return -1;
    out->sec = v;
    return 0;
}

/* Reads a clock time "hh:mm:ss[.frac]" at s[*i]; returns seconds into the day, or -1. */
static int clock_time(const char *s, size_t n, size_t *i, vg_time *out)
{
    int h = digits(s, n, i, 2);
    if (h < 0 || h > 23 || *i >= n || s[(*i)++] != ':')
        return -1;
    int mi = digits(s, n, i, 2);
    if (mi < 0 || mi > 59 || *i >= n || s[(*i)++] != ':')
        return -1;
    int sec = digits(s, n, i, 2);
    if (sec < 0 || sec > 60)
        return -1;
    fraction(s, n, i, out);
    return h * 3600 + mi * 60 + (sec == 60 ? 59 : sec);
}

/* Reads a three-letter English month name at s[*i]; returns 1-12 or -1. */
static int month_name(const char *s, size_t n, size_t *i)
{
    if (n - *i < 3)
        return -1;
    int m = vg_month_from_abbr(s + *i);
    *i += 3;
    return m ? m : -1;
}

int vg_time_parse_clf(const char *s, size_t n, vg_time *out)
{
    size_t i = 0;
    int d = digits(s, n, &i, 2);
    if (d < 1 || i >= n || s[i++] != '/')
        return -1;
    int mo = month_name(s, n, &i);
    if (mo < 0 || i >= n || s[i++] != '/')
        return -1;
    int y = digits(s, n, &i, 4);
    if (y < 0 || d > vg_days_in_month(y, mo) || i >= n || s[i++] != ':')
        return -1;
    int t = clock_time(s, n, &i, out);
    if (t < 0 || n - i != 6 || s[i] != ' ' || (s[i + 1] != '+' && s[i + 1] != '-'))
        return -1;
    int sign = s[i + 1] == '-' ? -1 : 1;
    i += 2;
    int oh = digits(s, n, &i, 2);
    int om = digits(s, n, &i, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59)
        return -1;
    out->sec = vg_time_from_civil(y, mo, d, 0, 0, 0) + t - sign * (oh * 3600L + om * 60L);
    return 0;
}

/* Is s[i..i+3) an English three-letter weekday name ("Sun", any case)? */
static int is_weekday(const char *s, size_t n, size_t i)
{
    static const char names[] = "sunmontuewedthufrisat";
    if (n - i < 3)
        return 0;
    char low[3] = { (char)(s[i] | 0x20), (char)(s[i + 1] | 0x20), (char)(s[i + 2] | 0x20) };
    for (int k = 0; k < 7; k++)
        if (memcmp(names + 3 * k, low, 3) == 0)
            return 1;
    return 0;
}

int vg_time_parse_ctime(const char *s, size_t n, long tz, vg_time *out)
{
    if (!is_weekday(s, n, 0) || n < 4 || s[3] != ' ')
        return -1;
    size_t i = 4;
    int mo = month_name(s, n, &i);
    if (mo < 0 || i >= n || s[i++] != ' ')
        return -1;
    if (i < n && s[i] == ' ')
        i++;    /* ctime pads the day with a space: "Nov  1" */
    size_t start = i;
    int d = 0;
    while (i < n && i - start < 2 && s[i] >= '0' && s[i] <= '9')
        d = d * 10 + (s[i++] - '0');
    if (i == start || d < 1 || i >= n || s[i++] != ' ')
        return -1;
    int t = clock_time(s, n, &i, out);
    if (t < 0 || i >= n || s[i++] != ' ')
        return -1;
    int y = digits(s, n, &i, 4);
    if (y < 0 || i != n || d > vg_days_in_month(y, mo))
        return -1;
    out->sec = vg_time_from_civil(y, mo, d, 0, 0, 0) + t - tz;
    return 0;
}

int vg_time_parse_duration(const char *s, size_t n, int64_t *ms)
{
    static const int64_t max_ms = 100LL * 366 * 86400 * 1000;   /* limit: 100 years */
    int64_t v = 0, unit;
    size_t i = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9' && v <= max_ms) {
        v = v * 10 + (s[i] - '0');
        i++;
    }
    if (i == 0 || i + 1 != n)
        return -1;
    switch (s[i]) {
    case 's': unit = 1000; break;
    case 'm': unit = 60 * 1000; break;
    case 'h': unit = 3600 * 1000; break;
    case 'd': unit = 86400 * 1000; break;
    case 'w': unit = 7 * 86400 * 1000; break;
    default: return -1;
    }
    if (v > max_ms / unit)
        return -1;
    *ms = v * unit;
    return 0;
}

int64_t vg_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
