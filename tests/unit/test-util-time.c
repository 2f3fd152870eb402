/*
 * test-util-time: month abbreviations (vg_month_from_abbr) against a reference written apart
 * from the word compare: every three-byte text of non-NUL bytes, the twelve months in any
 * case, and texts cut by a NUL. Then vg_time_format against gmtime_r, over times in any order
 * (its date is remembered from one call to the next).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "util-time.h"

/* The definition: the three bytes with 0x20 set, compared with each month's three letters. */
static int ref_month(const char *s)
{
    static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";
    char low[3];
    for (int i = 0; i < 3; i++) {
        if (!s[i])
            return 0;
        low[i] = (char)(s[i] | 0x20);
    }
    for (int m = 0; m < 12; m++)
        if (memcmp(names + 3 * m, low, 3) == 0)
            return m + 1;
    return 0;
}

static void test_month_every_text(void **state)
{
    (void)state;
    char s[4] = { 0 };
    unsigned found = 0;
    for (unsigned a = 1; a < 256; a++)
        for (unsigned b = 1; b < 256; b++)
            for (unsigned c = 1; c < 256; c++) {
                s[0] = (char)a;
                s[1] = (char)b;
                s[2] = (char)c;
                int want = ref_month(s), got = vg_month_from_abbr(s);
                if (got != want)
                    fail_msg("%02x %02x %02x: %d, want %d", a, b, c, got, want);
                found += want != 0;
            }
    assert_true(found >= 12 * 8);   /* each month in every case, and the bytes 32 below the letters */
}

static void test_month_cases_and_cut(void **state)
{
    (void)state;
    assert_int_equal(vg_month_from_abbr("Jan"), 1);
    assert_int_equal(vg_month_from_abbr("DEC"), 12);
    assert_int_equal(vg_month_from_abbr("sEp 22"), 9);
    assert_int_equal(vg_month_from_abbr("Jux"), 0);
    assert_int_equal(vg_month_from_abbr("Ja"), 0);     /* the NUL ends it: nothing past it is read */
    assert_int_equal(vg_month_from_abbr(""), 0);
    static const char cut[] = { 'J', 'a', '\0', 'n' };
    assert_int_equal(vg_month_from_abbr(cut), 0);
}

/* The reference: gmtime_r's fields, the fraction's first digits, "Z"; years outside 0-9999
 * give the fixed text vg_time_format documents. */
static void ref_format(const vg_time *t, char *out, size_t cap)
{
    struct tm tm;
    time_t sec = (time_t)t->sec;
    if (!gmtime_r(&sec, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
        snprintf(out, cap, "0000-01-01T00:00:00Z");
        return;
    }
    int n = snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (t->digits) {
        char frac[16];
        snprintf(frac, sizeof frac, "%09u", t->nsec);
        n += snprintf(out + n, cap - (size_t)n, ".%.*s", t->digits > 9 ? 9 : t->digits, frac);
    }
    snprintf(out + n, cap - (size_t)n, "Z");
}

static void expect_format(const vg_time *t)
{
    char got[VG_RFC3339_MAX], want[64];
    size_t n = vg_time_format(t, got);
    ref_format(t, want, sizeof want);
    if (strcmp(got, want) != 0 || n != strlen(want))
        fail_msg("%lld.%09u (%u digits): %s, want %s", (long long)t->sec, t->nsec, t->digits, got, want);
}

/* Random times (before 1970 and past 9999 too), runs of seconds across midnights, two days
 * alternating, every fraction length. */
static void test_format_against_gmtime(void **state)
{
    (void)state;
    uint64_t r = 0x2545F4914F6CDD1Dull;
    for (int i = 0; i < 200000; i++) {
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        vg_time t = { (int64_t)(r % 700000000000ull) - 350000000000ll, (uint32_t)(r >> 20) % 1000000000u,
                      (uint8_t)(r >> 60) % 11 };
        if (i % 4 == 1)
            t.sec = 1700000000 + (int64_t)(r % 86400 * 3);       /* near each other: the date cached */
        if (i % 4 == 2)
            t.sec = (i % 8 == 2 ? 0 : -86400) + (int64_t)(r % 172800) - 86400;   /* around the epoch */
        expect_format(&t);
    }
    for (int64_t s = 1767225600 - 5; s < 1767225600 + 5; s++) {    /* the midnight of 2026-01-01 */
        vg_time t = { s, 5, 1 };
        expect_format(&t);
        t.sec = s - 86400 * 400;
        expect_format(&t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_month_every_text),
        cmocka_unit_test(test_month_cases_and_cut),
        cmocka_unit_test(test_format_against_gmtime),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
