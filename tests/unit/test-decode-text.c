/*
 * test-decode-text: the literal searches of the text decoders' helpers (vg_text_find,
 * vg_text_rfind) against a byte-by-byte reference, on random texts over a small alphabet (so
 * literals occur, overlap and repeat), every length from 0 to 80 and literals of 1 to 7
 * bytes, each text at the end of its buffer so a read past it would be caught by ASan; and the
 * host tokens of the decoders (vg_text_host_kind, vg_text_set_host and its form that is handed
 * the kind), which must agree on every kind of token.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode-text.h"

/* The definitions: the first and the last position where lit occurs in s[0..n). */
static size_t ref_find(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    for (size_t i = 0; i + l <= n; i++)
        if (memcmp(s + i, lit, l) == 0)
            return i;
    return VG_TEXT_NONE;
}

static size_t ref_rfind(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    for (size_t i = n + 1; i-- > 0;)
        if (i + l <= n && memcmp(s + i, lit, l) == 0)
            return i;
    return VG_TEXT_NONE;
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static unsigned next(unsigned bound)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (unsigned)(rng >> 33) % bound;
}

static void test_find_against_reference(void **state)
{
    (void)state;
    static const char alphabet[] = " fromab:";
    for (int round = 0; round < 60000; round++) {
        size_t n = next(81), l = 1 + next(7);
        char *buf = malloc(n ? n : 1), lit[8];
        for (size_t i = 0; i < n; i++)
            buf[i] = alphabet[next(sizeof alphabet - 1)];
        for (size_t i = 0; i < l; i++)
            lit[i] = alphabet[next(sizeof alphabet - 1)];
        lit[l] = '\0';
        if (n >= l && next(2)) /* often a real occurrence, anywhere */
            memcpy(buf + next((unsigned)(n - l + 1)), lit, l);
        size_t want = ref_find(buf, n, lit), got = vg_text_find(buf, n, lit);
        if (got != want)
            fail_msg("find \"%s\" in \"%.*s\": %zu, want %zu", lit, (int)n, buf, got, want);
        want = ref_rfind(buf, n, lit), got = vg_text_rfind(buf, n, lit);
        if (got != want)
            fail_msg("rfind \"%s\" in \"%.*s\": %zu, want %zu", lit, (int)n, buf, got, want);
        free(buf);
    }
}

/* Where sshd's lines put them: the last " from " before " port ", the first " for ". */
static void test_find_in_lines(void **state)
{
    (void)state;
    const char *s = "Failed password for invalid user from from 203.0.113.9 port 22 ssh2";
    size_t n = strlen(s);
    assert_int_equal(vg_text_find(s, n, " for "), 15);
    assert_int_equal(vg_text_rfind(s, n, " from "), 37);
    assert_int_equal(vg_text_find(s, n, " from "), 32);
    assert_int_equal(vg_text_rfind(s, n, " port "), 54);
    assert_int_equal(vg_text_find(s, n, "nowhere"), VG_TEXT_NONE);
    assert_int_equal(vg_text_rfind(s, 3, "Failed"), VG_TEXT_NONE);
}

/* A host token's kind, and the field each form of setting it sets: both forms the same. */
static void test_host_kinds(void **state)
{
    (void)state;
    static const struct {
        const char *host;
        int kind;
        const char *field;     /* the field set, NULL: none */
    } cases[] = {
        { "203.0.113.9", VG_HOST_IP, "source.ip" },
        { "2001:db8::1", VG_HOST_IP, "source.ip" },
        { "::ffff:192.0.2.1", VG_HOST_IP, "source.ip" },
        { "mail.example.org", VG_HOST_NAME, "source.domain" },
        { "host_1-a", VG_HOST_NAME, "source.domain" },
        { "UNKNOWN", VG_HOST_NAME, NULL },          /* sshd's word for no name: not a domain */
        { "256.1.1.1", VG_HOST_NAME, "source.domain" },  /* not an address: a name of digits */
        { "", VG_HOST_NONE, NULL },
        { "-lead", VG_HOST_NONE, NULL },
        { ".lead", VG_HOST_NONE, NULL },
        { "a b", VG_HOST_NONE, NULL },
        { "x;y", VG_HOST_NONE, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vg_text h = { cases[i].host, strlen(cases[i].host) };
        assert_int_equal(vg_text_host_kind(h), cases[i].kind);
        assert_int_equal(vg_text_is_host(h), cases[i].kind != VG_HOST_NONE);
        for (int form = 0; form < 2; form++) {
            vg_event ev;
            vg_event_reset(&ev, "", 0, NULL);
            int set = form ? vg_text_set_host_kind(&ev, "source.ip", "source.domain", h, vg_text_host_kind(h))
                           : vg_text_set_host(&ev, "source.ip", "source.domain", h);
            assert_int_equal(set, cases[i].field != NULL);
            assert_int_equal(ev.nfields, set ? 1 : 0);
            if (set) {
                assert_string_equal(ev.fields[0].name, cases[i].field);
                assert_int_equal(ev.fields[0].value.len, h.n);
                assert_memory_equal(ev.fields[0].value.ptr, h.s, h.n);
            }
            /* without the field for its kind, nothing is set */
            vg_event_reset(&ev, "", 0, NULL);
            set = form ? vg_text_set_host_kind(&ev, NULL, NULL, h, vg_text_host_kind(h))
                       : vg_text_set_host(&ev, NULL, NULL, h);
            assert_int_equal(set, 0);
            assert_int_equal(ev.nfields, 0);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find_against_reference),
        cmocka_unit_test(test_find_in_lines),
        cmocka_unit_test(test_host_kinds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
