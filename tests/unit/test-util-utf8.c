/*
 * test-util-utf8: vg_utf8_check (with its ASCII fast paths) against a byte-by-byte reference
 * built on vg_utf8_seq, on random texts of 0-80 bytes: mostly ASCII, with valid sequences,
 * stray continuation bytes, overlong and cut sequences, at every position (first, last, inside
 * or across the sixteen-byte blocks).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util-utf8.h"

static size_t ref_check(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        int k = vg_utf8_seq(s + i, s + n);
        if (k <= 0)
            return i;
        i += (size_t)k;
    }
    return n;
}

static void test_check_equals_reference(void **state)
{
    (void)state;
    static const unsigned char pieces[][4] = {
        { 0xC3, 0xA9 }, { 0xE2, 0x84, 0xAA }, { 0xF0, 0x9F, 0x98, 0x80 }, { 0x80 }, { 0xC0, 0xAF },
        { 0xE2, 0x84 }, { 0xED, 0xA0, 0x80 }, { 0xFF },
    };
    static const size_t plen[] = { 2, 3, 4, 1, 2, 2, 3, 1 };
    uint64_t r = 0x243F6A8885A308D3ull;
    unsigned invalid = 0, ascii_long = 0;
    for (int it = 0; it < 400000; it++) {
        unsigned char buf[96];
        size_t n = 0;
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        size_t want_len = r % 81;
        unsigned pieces_left = it % 4 == 0 ? 0 : 1 + (unsigned)(r >> 8) % 3;
        while (n < want_len) {
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            if (pieces_left && r % 23 == 0) {
                size_t k = (r >> 5) % 8;
                if (n + plen[k] > sizeof buf)
                    break;
                memcpy(buf + n, pieces[k], plen[k]);
                n += plen[k];
                pieces_left--;
            } else {
                buf[n++] = (unsigned char)(0x20 + (r >> 11) % 95);
            }
        }
        size_t want = ref_check(buf, n), got = vg_utf8_check((const char *)buf, n);
        if (got != want)
            fail_msg("length %zu: %zu, want %zu", n, got, want);
        invalid += want < n;
        ascii_long += want == n && n >= 16;
    }
    assert_true(invalid > 10000 && ascii_long > 10000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_equals_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
