/*
 * test-sigma-shortlit: the prefilter's matcher of one- and two-byte literals against a
 * reference written apart (a plain search at every position) on random literal sets and
 * values: cased and caseless, end-anchored, repeated pairs, bytes next to the letter ranges
 * and above 0x7f. Each literal must be reported exactly when it occurs, and once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sigma-shortlit.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static unsigned next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng >> 32);
}

/* Bytes drawn mostly from a small alphabet (so that literals occur), with the edges of the
 * letter ranges and high bytes. */
static unsigned char random_byte(void)
{
    static const char alphabet[] = "aAbBzZ@[`{ -/\\:cC";
    unsigned r = next_rand() % 16;
    if (r < 12)
        return (unsigned char)alphabet[next_rand() % (sizeof alphabet - 1)];
    if (r < 14)
        return (unsigned char)(next_rand() % 128);
    return (unsigned char)(0x80 + next_rand() % 128);
}

static unsigned fold(unsigned c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

typedef struct lit {
    unsigned char b[2];
    size_t len;
    int caseless, at_end;
} lit;

/* Does l occur in u[0..n) (at its end only when end-anchored)? */
static int reference_occurs(const lit *l, const unsigned char *u, size_t n)
{
    for (size_t i = 0; i + l->len <= n; i++) {
        if (l->at_end && i + l->len != n)
            continue;
        size_t k = 0;
        while (k < l->len && (l->caseless ? fold(u[i + k]) : u[i + k]) == l->b[k])
            k++;
        if (k == l->len)
            return 1;
    }
    return 0;
}

typedef struct found {
    unsigned count[SG_SHORTLIT_MAX];
    size_t end[SG_SHORTLIT_MAX];
} found;

static int on_found(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ctx)
{
    found *f = ctx;
    (void)from, (void)flags;
    assert_true(id < SG_SHORTLIT_MAX);
    f->count[id]++;
    f->end[id] = (size_t)to;
    return 0;
}

static void test_against_reference(void **state)
{
    (void)state;
    sg_shortlit_scratch scr;
    memset(&scr, 0, sizeof scr);
    scr.gen = UINT32_MAX - 3;       /* the stamps wrap during the run */
    for (int round = 0; round < 400; round++) {
        sg_shortlits s;
        lit lits[SG_SHORTLIT_MAX];
        memset(&s, 0, sizeof s);
        size_t nl = 1 + next_rand() % 60;
        for (size_t i = 0; i < nl; i++) {
            lit *l = &lits[i];
            l->len = 1 + next_rand() % 2;
            l->caseless = next_rand() % 3 != 0;
            l->at_end = next_rand() % 5 == 0;
            for (size_t k = 0; k < l->len; k++) {
                unsigned char c = random_byte();
                l->b[k] = (unsigned char)(l->caseless ? fold(c) : c);
            }
            assert_int_equal(sg_shortlit_add(&s, l->b, l->len, l->caseless, l->at_end, (uint32_t)i), 0);
        }
        assert_int_equal(sg_shortlit_index(&s), 0);
        for (int v = 0; v < 50; v++) {
            unsigned char text[80];
            size_t n = next_rand() % sizeof text;
            for (size_t i = 0; i < n; i++)
                text[i] = random_byte();
            found f;
            memset(&f, 0, sizeof f);
            sg_shortlit_scan(&s, (const char *)text, n, &scr, on_found, &f);
            for (size_t i = 0; i < nl; i++) {
                int want = reference_occurs(&lits[i], text, n);
                if (f.count[i] != (unsigned)want)
                    fail_msg("round %d value %d literal %zu ('%.*s' len %zu caseless %d end %d): reported %u times, "
                             "occurs %d", round, v, i, (int)lits[i].len, lits[i].b, lits[i].len, lits[i].caseless,
                             lits[i].at_end, f.count[i], want);
                if (want && lits[i].at_end)
                    assert_int_equal(f.end[i], n);
            }
        }
        sg_shortlit_free(&s);
    }
}

static void test_limits(void **state)
{
    (void)state;
    sg_shortlits s;
    memset(&s, 0, sizeof s);
    const unsigned char ab[2] = { 'a', 'b' };
    assert_int_equal(sg_shortlit_add(&s, ab, 0, 0, 0, 0), -1);     /* lengths 1 and 2 only */
    assert_int_equal(sg_shortlit_add(&s, ab, 3, 0, 0, 0), -1);
    for (uint32_t i = 0; i < SG_SHORTLIT_MAX; i++)
        assert_int_equal(sg_shortlit_add(&s, ab, 1 + i % 2, 1, 0, i), 0);
    assert_int_equal(sg_shortlit_add(&s, ab, 1, 1, 0, 999), -1);   /* full: the caller keeps it */
    assert_int_equal(sg_shortlit_index(&s), 0);
    sg_shortlit_scratch scr;
    memset(&scr, 0, sizeof scr);
    found f;
    memset(&f, 0, sizeof f);
    sg_shortlit_scan(&s, "xAB", 3, &scr, on_found, &f);
    for (uint32_t i = 0; i < SG_SHORTLIT_MAX; i++)
        assert_int_equal(f.count[i], 1);
    memset(&f, 0, sizeof f);
    sg_shortlit_scan(&s, "", 0, &scr, on_found, &f);               /* an empty value: nothing */
    for (uint32_t i = 0; i < SG_SHORTLIT_MAX; i++)
        assert_int_equal(f.count[i], 0);
    sg_shortlit_free(&s);
    sg_shortlit_free(&s);       /* freed twice: nothing left to free */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_reference),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
