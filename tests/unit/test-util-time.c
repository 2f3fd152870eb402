/*
 * test-util-time: month abbreviations (vg_month_from_abbr) against a reference written apart
 * from the word compare: every three-byte text of non-NUL bytes, the twelve months in any
 * case, and texts cut by a NUL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_month_every_text),
        cmocka_unit_test(test_month_cases_and_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
