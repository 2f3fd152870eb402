/*
 * test-sigma-value: the semantics of one Sigma field condition and of keyword searches, case
 * by case from the specification v2.1 (Detection, String Wildcard, Escape Character, Lists,
 * Special Field Values, Field Existence, Value Modifiers, Placeholders, Keywords, and the
 * modifiers appendix) and from the decisions in docs/sigma-values.md.
 *
 * Field values are written as JSON texts and scanned with json-scan, so strings arrive
 * escaped the way events deliver them; "ABSENT" stands for a field the event lacks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "event.h"
#include "sigma-value.h"

static vg_json_doc doc, other_doc;
static vg_sigma_scratch *scratch;

static vg_sigma_raw S(const char *s)
{
    return (vg_sigma_raw){ VG_SIGMA_V_STRING, s, strlen(s), 7 };
}

static vg_sigma_raw N(const char *s)
{
    return (vg_sigma_raw){ VG_SIGMA_V_NUMBER, s, strlen(s), 7 };
}

static vg_sigma_raw B(int b)
{
    return (vg_sigma_raw){ VG_SIGMA_V_BOOL, b ? "true" : "false", b ? 4 : 5, 7 };
}

static const vg_sigma_raw NUL = { VG_SIGMA_V_NULL, "", 0, 7 };

#define V(...) ((const vg_sigma_raw[]){ __VA_ARGS__ }), (sizeof((const vg_sigma_raw[]){ __VA_ARGS__ }) / sizeof(vg_sigma_raw))

/* Parses "contains|all" into modifiers. */
static size_t parse_mods(const char *mods, vg_sigma_mod *out)
{
    size_t n = 0;
    while (mods && *mods) {
        const char *bar = strchr(mods, '|');
        size_t len = bar ? (size_t)(bar - mods) : strlen(mods);
        int m = vg_sigma_mod_from_name(mods, len);
        if (m < 0)
            fail_msg("unknown modifier in test: %s", mods);
        out[n++] = (vg_sigma_mod)m;
        mods += len + (bar != NULL);
    }
    return n;
}

static const vg_sigma_placeholders *placeholders;

static vg_sigma_matcher *mk(const char *mods, const vg_sigma_raw *v, size_t nv)
{
    vg_sigma_mod ms[VG_SIGMA_MAX_MODS + 4];
    size_t nm = parse_mods(mods, ms);
    vg_sigma_matcher *m = NULL;
    vg_error err;
    vg_error_clear(&err);
    if (vg_sigma_matcher_compile(ms, nm, v, nv, placeholders, &m, &err) != VG_OK)
        fail_msg("compile '%s' (%s): %s", mods, v[0].text, err.msg);
    return m;
}

static vg_sigma_matcher *mk_kw(const char *mods, const vg_sigma_raw *v, size_t nv)
{
    vg_sigma_mod ms[VG_SIGMA_MAX_MODS];
    size_t nm = parse_mods(mods, ms);
    vg_sigma_matcher *m = NULL;
    vg_error err;
    if (vg_sigma_keyword_compile(ms, nm, v, nv, placeholders, &m, &err) != VG_OK)
        fail_msg("keyword compile '%s': %s", mods, err.msg);
    return m;
}

/* Expects compiling to fail with a reason containing `reason`. */
static void bad(const char *mods, const vg_sigma_raw *v, size_t nv, const char *reason)
{
    vg_sigma_mod ms[VG_SIGMA_MAX_MODS + 4];
    size_t nm = parse_mods(mods, ms);
    vg_sigma_matcher *m = NULL;
    vg_error err;
    vg_error_clear(&err);
    if (vg_sigma_matcher_compile(ms, nm, v, nv, placeholders, &m, &err) == VG_OK) {
        vg_sigma_matcher_free(m);
        fail_msg("'%s' (%s) compiled, expected an error with '%s'", mods, v[0].text, reason);
    }
    if (!strstr(err.msg, reason))
        fail_msg("'%s': reason '%s' lacks '%s'", mods, err.msg, reason);
}

static vg_value other_field(void *ctx, const char *name, size_t len)
{
    (void)ctx;
    int i = vg_json_find(&other_doc, 0, name, len);
    return i < 0 ? (vg_value){ VG_JSON_NONE, 0, 0, NULL } : vg_json_value(&other_doc, (uint32_t)i);
}

/* Matches m against the JSON value text json ("ABSENT": no field). */
static int mj(const vg_sigma_matcher *m, const char *json)
{
    vg_value v = { VG_JSON_NONE, 0, 0, NULL };
    if (strcmp(json, "ABSENT") != 0) {
        size_t end;
        vg_error err;
        if (vg_json_parse(&doc, json, strlen(json), 0, &end, &err) != VG_OK)
            fail_msg("bad JSON in test: %s", json);
        v = vg_json_value(&doc, 0);
    }
    return vg_sigma_matcher_match(m, &v, other_field, NULL, scratch);
}

/* One condition, one field: compiles, matches, frees. */
static int one(const char *mods, const vg_sigma_raw *v, size_t nv, const char *json)
{
    vg_sigma_matcher *m = mk(mods, v, nv);
    int r = mj(m, json);
    vg_sigma_matcher_free(m);
    return r;
}

#define YES(mods, vals, json) assert_int_equal(one(mods, V vals, json), 1)
#define NO(mods, vals, json) assert_int_equal(one(mods, V vals, json), 0)

static void test_plain_and_case(void **state)
{
    (void)state;
    /* General: "All values are treated as case-insensitive strings." */
    YES("", (S("Security")), "\"security\"");
    YES("", (S("Security")), "\"SECURITY\"");
    NO("", (S("Security")), "\"Security \"");
    NO("", (S("Security")), "\"Securit\"");
    /* the whole value unless a modifier says otherwise */
    NO("", (S("cmd.exe")), "\"C:\\\\Windows\\\\cmd.exe\"");
    /* Unicode case folding beyond ASCII */
    YES("", (S("ÄRGER")), "\"ärger\"");
    YES("", (S("ärger")), "\"ÄRGER\"");
    YES("", (S("ĐẠI HỌC")), "\"đại học\"");       /* Vietnamese: Latin Extended-A and Additional */
    YES("", (S("Ệ")), "\"ệ\"");
    YES("", (S("ΣΩΚΡΆΤΗΣ")), "\"σωκράτης\"");   /* Greek, with tonos */
    YES("", (S("σωκράτης")), "\"ΣΩΚΡΆΤΗς\"");   /* final sigma folds to sigma */
    YES("", (S("ПРИВЕТ Ёж")), "\"привет ёж\""); /* Cyrillic */
    YES("", (S("Ǆ")), "\"ǆ\"");                  /* Latin Extended-B */
    YES("", (S("ÿ")), "\"Ÿ\"");                  /* U+0178 folds into Latin-1 */
    NO("", (S("\\u00c4rger")), "\"ärger\"");  /* a backslash-u in a rule value is literal text */
    NO("", (S("strasse")), "\"straße\"");        /* no multi-character folds: ß stays ß */
    /* escaped JSON strings are decoded before matching */
    YES("", (S("ärger")), "\"\\u00c4RGER\"");
    /* cased makes it exact */
    NO("cased", (S("ÄRGER")), "\"ärger\"");
    YES("cased", (S("ÄRGER")), "\"ÄRGER\"");
    NO("contains|cased", (S("Mimikatz")), "\"run mimikatz now\"");
    YES("contains|cased", (S("mimikatz")), "\"run mimikatz now\"");
    /* startswith / endswith / contains */
    YES("endswith", (S("\\cmd.exe")), "\"C:\\\\Windows\\\\System32\\\\CMD.EXE\"");
    NO("endswith", (S("\\cmd.exe")), "\"C:\\\\Windows\\\\cmd.exe.bak\"");
    YES("startswith", (S("adm")), "\"Administrator\"");
    NO("startswith", (S("adm")), "\"sysadm\"");
    YES("contains", (S("event::clear")), "\"sekurlsa event::CLEAR x\"");
    YES("contains", (S("")), "\"anything\"");
    /* the empty value: "An empty value is defined with ''" */
    YES("", (S("")), "\"\"");
    NO("", (S("")), "\"x\"");
    NO("", (S("")), "ABSENT");
    NO("", (S("")), "null");
}

static void test_wildcards(void **state)
{
    (void)state;
    /* String Wildcard examples */
    YES("", (S("prog?.exe")), "\"progA.exe\"");
    YES("", (S("prog?.exe")), "\"progB.exe\"");
    NO("", (S("prog?.exe")), "\"prog.exe\"");
    NO("", (S("prog?.exe")), "\"progAB.exe\"");
    YES("", (S("antivirus_V*.exe")), "\"antivirus_V1.exe\"");
    YES("", (S("antivirus_V*.exe")), "\"antivirus_V21.2.1.exe\"");
    YES("", (S("antivirus_V*.exe")), "\"antivirus_V.exe\"");  /* '*' may be empty */
    NO("", (S("antivirus_V*.exe")), "\"antivirus_V1.exe.txt\"");
    /* '?' is one code point, not one byte */
    YES("", (S("?rger")), "\"ärger\"");
    YES("", (S("a?c")), "\"a😀c\"");
    NO("", (S("a??c")), "\"a😀c\"");
    YES("", (S("*")), "\"\"");
    YES("", (S("**")), "\"x\"");
    NO("", (S("*")), "ABSENT");
    /* several stars; leftmost placement must not miss later chances */
    YES("", (S("*a*b*c")), "\"xxaxbxbxc\"");
    YES("", (S("a*ab")), "\"aab\"");
    NO("", (S("a*ab")), "\"ab\"");
    YES("", (S("*abc*abd")), "\"abcabcabd\"");
    YES("", (S("a*?b")), "\"axb\"");
    NO("", (S("a*?b")), "\"ab\"");
    YES("", (S("*?")), "\"é\"");
    NO("", (S("?*?")), "\"é\"");
    /* a long adversarial value stays fast: a* patterns against a^n b */
    char big[4096 + 3];
    big[0] = '"';
    memset(big + 1, 'a', 4096);
    memcpy(big + 4097, "\"", 2);
    YES("", (S("*a*a*a*a*a*a*a*a*a*a")), big);
    NO("", (S("*a*a*a*a*a*a*a*a*a*b")), big);
}

static void test_escapes(void **state)
{
    (void)state;
    /* Escape Character, all five cases */
    /* 1. a plain backslash not followed by a wildcard: single or double */
    YES("", (S("C:\\Windows")), "\"C:\\\\Windows\"");
    YES("", (S("C:\\\\Windows")), "\"C:\\\\Windows\"");
    /* 2. escaped wildcards are plain characters */
    YES("", (S("a\\*b")), "\"a*b\"");
    NO("", (S("a\\*b")), "\"axxb\"");
    YES("", (S("a\\?b")), "\"a?b\"");
    NO("", (S("a\\?b")), "\"axb\"");
    /* 3. \\* is a backslash followed by a wildcard */
    YES("", (S("a\\\\*")), "\"a\\\\anything\"");
    YES("", (S("a\\\\*")), "\"a\\\\\"");
    NO("", (S("a\\\\*")), "\"ab\"");
    /* 4. \\\* is a plain backslash and a plain star */
    YES("", (S("a\\\\\\*")), "\"a\\\\*\"");
    NO("", (S("a\\\\\\*")), "\"a\\\\x\"");
    /* 5. three or four backslashes are a double backslash */
    YES("", (S("a\\\\\\\\b")), "\"a\\\\\\\\b\"");
    YES("", (S("a\\\\\\b")), "\"a\\\\\\\\b\"");
    NO("", (S("a\\\\\\\\b")), "\"a\\\\b\"");
    /* a trailing backslash stays */
    YES("", (S("dir\\")), "\"dir\\\\\"");
    /* endswith with a Windows path, as SigmaHQ writes it */
    YES("endswith", (S("\\example.exe")), "\"C:\\\\x\\\\example.exe\"");
    /* without expand, % and \% are literal */
    YES("", (S("%name%")), "\"%NAME%\"");
    YES("", (S("\\%x")), "\"\\\\%x\"");
}

static void test_lists_all_neq(void **state)
{
    (void)state;
    /* Lists are OR */
    YES("", (S("517"), S("1102")), "\"1102\"");
    NO("", (S("517"), S("1102")), "\"4688\"");
    /* all makes them AND (the keywords example: OabVirtualDirectory and -ExternalUrl) */
    YES("contains|all", (S("OabVirtualDirectory"), S(" -ExternalUrl ")),
        "\"Set-OabVirtualDirectory -ExternalUrl http://x\"");
    NO("contains|all", (S("OabVirtualDirectory"), S(" -ExternalUrl ")), "\"Set-OabVirtualDirectory\"");
    bad("all", V(S("one")), "two or more values");
    /* neq: the field differs from every value */
    YES("neq", (S("a"), S("b")), "\"c\"");
    NO("neq", (S("a"), S("b")), "\"B\"");
    NO("neq", (N("4688")), "4688");
    YES("neq", (N("4688")), "4689");
    /* neq on an absent field or null: they differ from every value */
    YES("neq", (S("a")), "ABSENT");
    YES("neq", (S("a")), "null");
    YES("contains|neq", (S("temp")), "\"C:\\\\Windows\"");
    NO("contains|neq", (S("temp")), "\"C:\\\\TEMP\\\\x\"");
    bad("neq|all", V(S("a"), S("b")), "neq");
    /* a neq null: the field is present and not null */
    YES("neq", (NUL), "\"\"");
    NO("neq", (NUL), "null");
    NO("neq", (NUL), "ABSENT");
}

static void test_null_empty_exists(void **state)
{
    (void)state;
    /* null: absent or JSON null; never the empty string */
    YES("", (NUL), "ABSENT");
    YES("", (NUL), "null");
    NO("", (NUL), "\"\"");
    NO("", (NUL), "\"null\"");
    NO("", (NUL), "0");
    NO("", (NUL), "[]");
    /* "null cannot be part of a list of field values" */
    bad("", V(S(""), NUL), "null cannot be part of a list");
    bad("contains", V(NUL), "null takes no modifier");
    /* Field Existence: presence only, "be it empty or null" */
    YES("exists", (B(1)), "\"\"");
    YES("exists", (B(1)), "null");
    YES("exists", (B(1)), "{}");
    NO("exists", (B(1)), "ABSENT");
    YES("exists", (B(0)), "ABSENT");
    NO("exists", (B(0)), "\"x\"");
    bad("exists", V(S("yes")), "boolean");
    bad("exists", V(S("true")), "boolean");
    bad("exists|contains", V(B(1)), "exists takes no other modifier");
    bad("neq|exists", V(B(1)), "cannot be combined");
    /* a boolean value otherwise matches true/false */
    YES("", (B(1)), "true");
    YES("", (B(1)), "\"True\"");
    NO("", (B(1)), "false");
}

static void test_numbers(void **state)
{
    (void)state;
    /* EventID 4688 as number and as string, both ways */
    YES("", (N("4688")), "4688");
    YES("", (N("4688")), "\"4688\"");
    YES("", (S("4688")), "4688");
    YES("", (S("4688")), "\"4688\"");
    YES("", (N("4688")), "4688.0");
    YES("", (N("4688")), "4.688e3");
    YES("", (S("4688")), "\"04688\"");
    NO("", (N("4688")), "4689");
    NO("", (N("4688")), "\"4688 \"");
    NO("", (N("4688")), "\"0x1250\"");
    YES("", (S("0x17")), "\"0X17\"");
    YES("", (N("-1")), "-1");
    YES("", (N("0")), "-0");
    YES("", (N("0.5")), "5e-1");
    /* big integers compare exactly (doubles would call these equal) */
    NO("", (N("9007199254740993")), "9007199254740992");
    YES("", (N("123456789012345678901234567890")), "1.2345678901234567890123456789e29");
    /* wildcards on numbers work on their text */
    YES("startswith", (N("46")), "4688");
    YES("", (S("46*")), "4688");
    /* lt/lte/gt/gte */
    YES("lt", (N("10")), "9");
    NO("lt", (N("10")), "10");
    YES("lte", (N("10")), "10");
    YES("gt", (N("10")), "10.5");
    NO("gt", (N("10")), "\"abc\"");
    YES("gte", (N("-3")), "\"-3\"");
    YES("gte", (N("1e3")), "1000");
    NO("gte", (N("10")), "ABSENT");
    NO("gte", (N("10")), "null");
    YES("gt", (N("9999999999999999999999")), "1e22");
    NO("gt", (N("9999999999999999999999")), "9999999999999999999998");
    YES("gt|all", (N("5"), N("7")), "8");
    NO("gt|all", (N("5"), N("7")), "6");
    YES("gt", (N("5"), N("7")), "6");
    YES("lt", (S("10")), "9");               /* a quoted number is still a number */
    YES("gt", (N("0")), "[-1, 2]");
    bad("lt", V(S("abc")), "'lt' needs a number");
    bad("lt", V(B(1)), "needs a number");
    bad("lt|gt", V(N("1")), "cannot be combined");
    bad("lt|neq", V(N("1")), "neq");
    bad("lt|contains", V(N("1")), "cannot be combined");
    bad("lt|cased", V(N("1")), "cased");
}

static void test_windash(void **state)
{
    (void)state;
    /* every one of - / en dash, em dash, horizontal bar, at every occurrence */
    const char *fields[] = { "\"ping -n 1\"", "\"ping /n 1\"", "\"ping \xe2\x80\x93n 1\"",
                             "\"ping \xe2\x80\x94n 1\"", "\"ping \xe2\x80\x95n 1\"" };
    for (size_t i = 0; i < 5; i++) {
        YES("contains|windash", (S(" -n ")), fields[i]);
        YES("windash|contains", (S(" /n ")), fields[i]);
        YES("windash|contains", (S(" \xe2\x80\x94n ")), fields[i]);
    }
    NO("contains|windash", (S(" -n ")), "\"ping +n 1\"");
    NO("contains", (S(" -n ")), "\"ping /n 1\"");
    /* many dashes: a class per position, no 5^n expansion */
    YES("windash", (S("-a-b-c-d-e-f-g-h-i-j-k-l")), "\"/a\xe2\x80\x93" "b-c/d-e-f-g-h-i-j-k\xe2\x80\x95l\"");
    /* before an encoding the variants are expanded, within the limit */
    YES("windash|base64offset|contains", (S("-enc")), "\"eCAvZW5jIHg=\"");  /* base64 of 'x /enc x' */
    bad("windash|base64", V(S("-a-b-c-d")), "5^N variants");
    bad("base64|windash", V(S("-a")), "windash");
}

static void test_regex(void **state)
{
    (void)state;
    /* re: PCRE search, case-sensitive by default */
    YES("re", (S("-e(nc|ncodedcommand) ")), "\"powershell -enc AAA\"");
    NO("re", (S("^-enc")), "\"powershell -enc AAA\"");
    NO("re", (S("POWERSHELL")), "\"powershell\"");
    YES("re|i", (S("POWERSHELL")), "\"powershell\"");
    YES("re|i", (S("ÄRGER")), "\"ärger\"");
    /* m: ^ and $ at line breaks; s: dot matches newline */
    NO("re", (S("^b$")), "\"a\\nb\\nc\"");
    YES("re|m", (S("^b$")), "\"a\\nb\\nc\"");
    NO("re", (S("a.b")), "\"a\\nb\"");
    YES("re|s", (S("a.b")), "\"a\\nb\"");
    YES("re|i|m|s", (S("^A.B$")), "\"x\\na\\nb\"");
    /* a regex sees the value itself, not Sigma escapes */
    YES("re", (S("C:\\\\Windows\\\\.*\\.exe")), "\"C:\\\\Windows\\\\x.exe\"");
    YES("re", (S("^4[0-9]{3}$")), "4688");
    YES("re", (S("^a$")), "[\"b\", \"a\"]");
    YES("re|neq", (S("^a$")), "\"b\"");
    YES("re|all", (S("a"), S("b")), "\"ab\"");
    NO("re|all", (S("a"), S("b")), "\"a\"");
    /* errors */
    bad("re", V(S("a(b")), "bad regular expression at offset 3");
    bad("re|contains", V(S("a")), "cannot be combined with 're'");
    bad("base64|re", V(S("a")), "cannot be combined");
    bad("i", V(S("a")), "sub-modifier of 're'");
    bad("re|windash", V(S("a")), "cannot be combined");
    /* a hostile pattern on a hostile value is stopped by the match limit, not hung */
    vg_sigma_matcher *m = mk("re", V(S("^(a+)+$")));
    char big[80];
    big[0] = '"';
    memset(big + 1, 'a', 60);
    memcpy(big + 61, "!\"", 3);
    int r = mj(m, big);
    assert_true(r == 0 || r == VG_SIGMA_UNDECIDED);
    vg_sigma_matcher_free(m);
}

static void test_encodings(void **state)
{
    (void)state;
    /* base64: the whole value encoded, with '=' padding (python3 base64.b64encode) */
    YES("base64", (S("ab")), "\"YWI=\"");
    NO("base64", (S("ab")), "\"YWI\"");
    YES("base64", (S("abc")), "\"YWJj\"");
    NO("base64", (S("abc")), "\"ywjj\"");   /* base64 is case-sensitive */
    YES("base64|contains", (S("abc")), "\"xx YWJj yy\"");
    /* base64offset: the three shifts, unstable characters dropped. Derived with python3:
     *   for i in range(3): e = base64.b64encode(b'\0'*i + v).decode();
     *   e[(0,2,3)[i] : len(e) - (0,3,2)[(len(v)+i) % 3]]
     * v = b'Invoke-Mimikatz' -> SW52b2tlLU1pbWlrYXR6, ludm9rZS1NaW1pa2F0e, JbnZva2UtTWltaWthdH;
     * base64 of '' / 'x' / 'xy' + 'Invoke-Mimikatz -x' puts each one in a field: */
    const char *enc[] = { "\"SW52b2tlLU1pbWlrYXR6IC14\"", "\"eEludm9rZS1NaW1pa2F0eiAteA==\"",
                          "\"eHlJbnZva2UtTWltaWthdHogLXg=\"" };
    for (size_t i = 0; i < 3; i++)
        YES("base64offset|contains", (S("Invoke-Mimikatz")), enc[i]);
    NO("base64offset|contains", (S("Invoke-Mimikatz")), "\"SW52b2tlLU1pbWlrYXR\"");
    vg_sigma_matcher *m = mk("base64offset|contains", V(S("Invoke-Mimikatz")));
    const vg_sigma_literal *lits;
    assert_int_equal(vg_sigma_matcher_literals(m, &lits), 3);
    assert_int_equal(lits[1].len, strlen("ludm9rZS1NaW1pa2F0e"));
    assert_memory_equal(lits[1].bytes, "ludm9rZS1NaW1pa2F0e", lits[1].len);
    assert_int_equal(lits[1].flags, VG_SIGMA_PAT_ENCODED);
    assert_true(vg_sigma_matcher_is_literal(m));
    vg_sigma_matcher_free(m);
    bad("base64offset|contains", V(S("a")), "too short");
    bad("contains|base64offset", V(S("abc")), "cannot encode the wildcard '*'");
    bad("base64", V(S("a*")), "escape it");
    YES("base64", (S("a\\*")), "\"YSo=\"");  /* python3: base64.b64encode(b'a*') */
    /* utf16le|base64offset|contains: PowerShell -EncodedCommand. python3:
     * base64.b64encode('powershell IEX (New-Object Net.WebClient)'.encode('utf-16le')) */
    const char *ps = "\"cABvAHcAZQByAHMAaABlAGwAbAAgAEkARQBYACAAKABOAGUAdwAtAE8AYgBqAGUAYwB0ACAATgBlAHQALgBX"
                     "AGUAYgBDAGwAaQBlAG4AdAApAA==\"";
    YES("utf16le|base64offset|contains", (S("IEX")), ps);
    YES("wide|base64offset|contains", (S("New-Object")), ps);
    NO("utf16le|base64offset|contains", (S("iex")), ps);   /* encodings are exact: no case folding */
    /* (utf16be of IEX would match: its bytes sit inside the LE bytes one byte later) */
    YES("utf16be|base64offset|contains", (S("IEX")), ps);
    NO("base64offset|contains", (S("IEX")), ps);
    /* python3: base64.b64encode('cmd'.encode('utf-16le')) = YwBtAGQA */
    YES("utf16le|base64", (S("cmd")), "\"YwBtAGQA\"");
    /* utf16 alone: bytes with NULs, matched against the decoded field bytes */
    YES("utf16le", (S("cmd")), "\"c\\u0000m\\u0000d\\u0000\"");
    YES("utf16be|contains", (S("cmd")), "\"x\\u0000c\\u0000m\\u0000d\"");
    m = mk("utf16", V(S("cmd")));
    assert_int_equal(vg_sigma_matcher_literals(m, &lits), 1);
    assert_int_equal(lits[0].len, 8);
    assert_memory_equal(lits[0].bytes, "\xff\xfe" "c\0m\0d\0", 8);
    vg_sigma_matcher_free(m);
    m = mk("utf16be", V(S("€")));
    assert_int_equal(vg_sigma_matcher_literals(m, &lits), 1);
    assert_memory_equal(lits[0].bytes, "\x20\xac", 2);
    vg_sigma_matcher_free(m);
    bad("utf16le", V(S("a?")), "'?'");
    bad("base64|base64offset", V(S("abc")), "cannot be combined");
}

static void test_cidr(void **state)
{
    (void)state;
    YES("cidr", (S("10.0.0.0/8")), "\"10.255.3.4\"");
    NO("cidr", (S("10.0.0.0/8")), "\"11.0.0.1\"");
    YES("cidr", (S("192.168.1.0/24")), "\"192.168.1.255\"");
    NO("cidr", (S("192.168.1.0/24")), "\"192.168.2.0\"");
    YES("cidr", (S("192.168.1.128/25")), "\"192.168.1.200\"");
    NO("cidr", (S("192.168.1.128/25")), "\"192.168.1.127\"");
    YES("cidr", (S("0.0.0.0/0")), "\"8.8.8.8\"");
    YES("cidr", (S("1.2.3.4/32")), "\"1.2.3.4\"");
    NO("cidr", (S("1.2.3.4/32")), "\"1.2.3.5\"");
    YES("cidr", (S("1.2.3.4")), "\"1.2.3.4\"");            /* a bare address is a /32 */
    YES("cidr", (S("10.1.2.3/8")), "\"10.9.9.9\"");        /* host bits are ignored */
    YES("cidr", (S("10.0.0.0/8")), "\"::ffff:10.1.2.3\"");  /* IPv4-mapped */
    YES("cidr", (S("2001:db8::/32")), "\"2001:DB8:1::1\"");
    NO("cidr", (S("2001:db8::/32")), "\"2001:db9::1\"");
    YES("cidr", (S("fe80::/10")), "\"febf::1\"");
    NO("cidr", (S("fe80::/10")), "\"fec0::1\"");
    YES("cidr", (S("::/0")), "\"::1\"");
    NO("cidr", (S("::/0")), "\"1.2.3.4\"");
    NO("cidr", (S("10.0.0.0/8")), "\"10.0.0.1:80\"");
    NO("cidr", (S("10.0.0.0/8")), "ABSENT");
    YES("cidr", (S("10.0.0.0/8"), S("172.16.0.0/12")), "\"172.31.0.1\"");
    YES("cidr|neq", (S("10.0.0.0/8"), S("172.16.0.0/12")), "\"8.8.8.8\"");
    YES("cidr", (S("10.0.0.0/8")), "[\"8.8.8.8\", \"10.0.0.1\"]");
    bad("cidr", V(S("foo")), "'cidr' needs an IPv4 or IPv6 network");
    bad("cidr", V(S("10.0.0.0/33")), "'cidr' needs");
    bad("cidr", V(S("::/129")), "'cidr' needs");
    bad("cidr", V(N("10")), "'cidr' needs");
    bad("cidr|contains", V(S("10.0.0.0/8")), "cannot be combined");
}

static void test_time(void **state)
{
    (void)state;
    const char *t = "\"2024-12-30T23:05:09.5+02:00\"";
    YES("minute", (N("5")), t);
    YES("hour", (N("23")), t);      /* as written: no time zone conversion */
    YES("day", (N("30")), t);
    YES("month", (N("12")), t);
    YES("year", (N("2024")), t);
    YES("week", (N("1")), t);       /* ISO week: 2024-12-30 is in week 1 of 2025 */
    YES("week", (N("52")), "\"2024-12-29T00:00:00Z\"");
    YES("week", (N("53")), "\"2021-01-01T00:00:00Z\"");
    YES("hour|gte", (N("22")), t);
    NO("hour|lt", (N("8")), t);
    YES("hour", (N("8"), N("23")), t);
    YES("hour|neq", (N("8")), t);
    NO("hour", (N("23")), "\"yesterday\"");
    NO("hour", (N("23")), "1735599909");
    NO("hour", (N("23")), "ABSENT");
    bad("hour", V(S("late")), "'hour' needs a number");
    bad("hour", V(N("1.5")), "whole number");
    bad("hour|minute", V(N("1")), "cannot be combined");
}

static void test_fieldref(void **state)
{
    (void)state;
    size_t end;
    vg_error err;
    const char *ev = "{\"Image\":\"C:\\\\x\\\\A.exe\",\"Parent\":\"c:\\\\X\\\\a.EXE\",\"Num\":4688,"
                     "\"Arr\":[\"q\",\"c:\\\\x\\\\a.exe\"],\"Null\":null,"
                     "\"Mix\":\"c:\\\\X\\\\\xc3\x84rger@[.EXE\",\"At\":\"a@b[c\"}";
    assert_int_equal(vg_json_parse(&other_doc, ev, strlen(ev), 0, &end, &err), VG_OK);
    YES("fieldref", (S("Parent")), "\"C:\\\\X\\\\A.exe\"");
    NO("fieldref|cased", (S("Parent")), "\"C:\\\\X\\\\A.exe\"");
    YES("fieldref|cased", (S("Parent")), "\"c:\\\\X\\\\a.EXE\"");
    YES("fieldref", (S("Num")), "\"4688\"");
    YES("fieldref", (S("Num")), "4688.0");
    YES("fieldref", (S("Arr")), "\"C:\\\\X\\\\A.EXE\"");
    NO("fieldref", (S("Missing")), "\"x\"");
    NO("fieldref", (S("Null")), "null");
    NO("fieldref", (S("Image")), "ABSENT");
    YES("fieldref|neq", (S("Parent")), "\"other\"");
    NO("fieldref|neq", (S("Parent")), "\"c:\\\\x\\\\a.exe\"");
    YES("fieldref|neq", (S("Missing")), "\"x\"");
    YES("fieldref", (S("Image"), S("Num")), "4688");
    /* an ASCII run compared in place, then units beyond ASCII; bytes 32 apart that are not
     * letters are not folded together */
    YES("fieldref", (S("Mix")), "\"C:\\\\x\\\\\xc3\xa4rger@[.exe\"");
    NO("fieldref|cased", (S("Mix")), "\"C:\\\\x\\\\\xc3\xa4rger@[.exe\"");
    NO("fieldref", (S("Mix")), "\"C:\\\\x\\\\\xc3\xa4rger`[.exe\"");
    NO("fieldref", (S("Mix")), "\"C:\\\\x\\\\\xc3\xa4rger@{.exe\"");
    NO("fieldref", (S("Mix")), "\"C:\\\\x\\\\\xc3\xa4rger@[.ex\"");
    NO("fieldref", (S("Image")), "\"C:\\\\x\\\\A.exe2\"");
    YES("fieldref", (S("At")), "\"A@B[C\"");
    NO("fieldref", (S("At")), "\"a`b[c\"");
    NO("fieldref", (S("At")), "\"a@b{c\"");
    bad("fieldref|contains", V(S("Image")), "cannot be combined");
    bad("fieldref", V(N("4")), "field name");
}

static void test_expand(void **state)
{
    (void)state;
    static const char *const ws[] = { "ws-01", "LAPTOP-*", "pc\\*x" };
    static const char *const admins[] = { "root", "admin" };
    static const char *const none[] = { NULL };
    static const vg_sigma_placeholder items[] = {
        { "Workstations", ws, 3 }, { "Administrators", admins, 2 }, { "Empty", none, 0 },
    };
    static const vg_sigma_placeholders ph = { items, 3 };
    placeholders = &ph;
    /* a placeholder is replaced by its values (OR); they are Sigma strings with wildcards */
    YES("expand", (S("%Workstations%")), "\"WS-01\"");
    YES("expand", (S("%Workstations%")), "\"laptop-42\"");
    YES("expand", (S("%Workstations%")), "\"pc*x\"");
    NO("expand", (S("%Workstations%")), "\"pcyx\"");
    NO("expand", (S("%Workstations%")), "\"srv-01\"");
    /* inside a longer value, and with contains before or after */
    YES("contains|expand", (S("%Administrators%")), "\"user=admin;\"");
    YES("expand|contains", (S("u=%Administrators%;")), "\"x u=root; y\"");
    NO("expand", (S("u=%Administrators%;")), "\"u=%Administrators%;\"");
    /* combinations of two placeholders */
    YES("expand", (S("%Administrators%@%Workstations%")), "\"admin@ws-01\"");
    NO("expand", (S("%Administrators%@%Workstations%")), "\"admin@root\"");
    /* \% is a plain percent sign (the specification's example) */
    YES("expand", (S("\\%plain%Administrators%")), "\"%plainroot\"");
    /* without expand, %name% is literal */
    YES("", (S("%Administrators%")), "\"%administrators%\"");
    NO("", (S("%Administrators%")), "\"root\"");
    /* no placeholder at all: a plain value */
    YES("expand", (S("100%")), "\"100%\"");
    YES("expand", (S("50% of 100%")), "\"50% of 100%\"");
    /* all: each value is one requirement; its expansions are OR */
    YES("contains|all|expand", (S("%Administrators%"), S("%Workstations%")), "\"root on ws-01\"");
    NO("contains|all|expand", (S("%Administrators%"), S("%Workstations%")), "\"root on srv\"");
    /* an empty placeholder matches nothing */
    NO("expand", (S("%Empty%")), "\"\"");
    YES("expand|neq", (S("%Empty%")), "\"x\"");
    /* an unresolved placeholder is an error naming it; the rule must be rejected */
    bad("expand", V(S("%DomainControllers%")), "unresolved placeholder %DomainControllers%");
    bad("expand", V(S("%administrators%")), "unresolved placeholder %administrators%");
    placeholders = NULL;
    bad("expand", V(S("%Administrators%")), "unresolved placeholder");
}

static void test_arrays_objects(void **state)
{
    (void)state;
    YES("", (S("b")), "[\"a\", \"B\"]");
    NO("", (S("c")), "[\"a\", \"b\"]");
    YES("contains", (S("x")), "[1, \"axb\", null, {\"k\":\"x\"}]");
    NO("contains", (S("k")), "[{\"k\":\"x\"}]");     /* objects never match a string */
    NO("", (S("[\"a\"]")), "[\"a\"]");                /* nor does an array's text */
    NO("contains", (S("x")), "{\"x\":\"x\"}");
    YES("", (N("4688")), "[\"4688\"]");
    NO("", (S("a")), "[[\"a\"]]");                    /* one level only */
    /* all: each value may match a different element */
    YES("all", (S("a"), S("b")), "[\"a\", \"b\"]");
    NO("all", (S("a"), S("b")), "[\"a\", \"c\"]");
    /* neq: no element equals any value */
    YES("neq", (S("a")), "[\"b\", \"c\"]");
    NO("neq", (S("a")), "[\"b\", \"a\"]");
    YES("neq", (S("a")), "[]");
    NO("", (S("")), "[]");
    /* an array longer than the limit: a match before it counts, else undecided */
    static char arr[2 * VG_SIGMA_MAX_ARRAY + 16];
    size_t k = 0;
    arr[k++] = '[';
    for (size_t i = 0; i <= VG_SIGMA_MAX_ARRAY; i++) {
        arr[k++] = i == VG_SIGMA_MAX_ARRAY ? '1' : '0';
        arr[k++] = i == VG_SIGMA_MAX_ARRAY ? ']' : ',';
    }
    arr[k] = 0;
    assert_int_equal(one("", V(N("1")), arr), VG_SIGMA_UNDECIDED);
    assert_int_equal(one("", V(N("0")), arr), 1);
    /* escaped strings inside arrays */
    YES("", (S("ä\"q")), "[\"x\", \"\\u00e4\\\"q\"]");
}

static void test_keywords(void **state)
{
    (void)state;
    /* Keywords: contains semantics over the text the engine gives */
    vg_sigma_matcher *m = mk_kw("", V(S("event::clear"), S("event::drop")));
    const char *t1 = "mimikatz # EVENT::Clear done", *t2 = "nothing here";
    assert_int_equal(vg_sigma_keyword_match(m, t1, strlen(t1), scratch), 1);
    assert_int_equal(vg_sigma_keyword_match(m, t2, strlen(t2), scratch), 0);
    vg_sigma_matcher_free(m);
    m = mk_kw("all", V(S("OabVirtualDirectory"), S(" -ExternalUrl ")));
    const char *t3 = "Set-OabVirtualDirectory -ExternalUrl https://x", *t4 = "Set-OabVirtualDirectory";
    assert_int_equal(vg_sigma_keyword_match(m, t3, strlen(t3), scratch), 1);
    assert_int_equal(vg_sigma_keyword_match(m, t4, strlen(t4), scratch), 0);
    vg_sigma_matcher_free(m);
    m = mk_kw("", V(N("4688")));
    const char *t5 = "EventID=4688;";
    assert_int_equal(vg_sigma_keyword_match(m, t5, strlen(t5), scratch), 1);
    vg_sigma_matcher_free(m);
    m = mk_kw("", V(S("a*c")));
    const char *t6 = "xxabbbcxx";
    assert_int_equal(vg_sigma_keyword_match(m, t6, strlen(t6), scratch), 1);
    vg_sigma_matcher_free(m);
    vg_sigma_mod lt = VG_SIGMA_MOD_LT;
    vg_error err;
    assert_int_not_equal(vg_sigma_keyword_compile(&lt, 1, V(N("1")), NULL, &m, &err), VG_OK);
}

static void test_literals(void **state)
{
    (void)state;
    const vg_sigma_literal *lits;
    vg_sigma_matcher *m = mk("contains", V(S("MiMi"), S("ÄRGER")));
    assert_int_equal(vg_sigma_matcher_literals(m, &lits), 2);
    assert_memory_equal(lits[0].bytes, "mimi", 4);
    assert_int_equal(lits[0].flags, VG_SIGMA_PAT_CASELESS);
    assert_int_equal(lits[1].group, 1);
    assert_int_equal(lits[1].flags, VG_SIGMA_PAT_CASELESS | VG_SIGMA_PAT_UNICODE);
    assert_memory_equal(lits[1].bytes, "\xc3\xa4rger", 6);
    assert_true(vg_sigma_matcher_is_literal(m));
    assert_false(vg_sigma_matcher_is_all(m));
    vg_sigma_matcher_free(m);
    m = mk("", V(S("Security")));
    assert_int_equal(vg_sigma_matcher_literals(m, &lits), 1);
    assert_int_equal(lits[0].flags, VG_SIGMA_PAT_START | VG_SIGMA_PAT_END | VG_SIGMA_PAT_CASELESS);
    vg_sigma_matcher_free(m);
    m = mk("startswith|cased", V(S("A\\*")));
    assert_int_equal(vg_sigma_matcher_literals(m, &lits), 1);
    assert_int_equal(lits[0].flags, VG_SIGMA_PAT_START);
    assert_memory_equal(lits[0].bytes, "A*", 2);
    vg_sigma_matcher_free(m);
    /* numbers also match equal numbers: exact only for values not written another way */
    m = mk("", V(N("4688")));
    assert_int_equal(vg_sigma_matcher_literals(m, &lits), 1);
    assert_int_equal(lits[0].flags, VG_SIGMA_PAT_START | VG_SIGMA_PAT_END | VG_SIGMA_PAT_CASELESS | VG_SIGMA_PAT_NUMBER);
    assert_true(vg_sigma_matcher_is_literal(m));
    vg_sigma_matcher_free(m);
    assert_true(vg_sigma_number_other_form("4688.0", 6));
    assert_true(vg_sigma_number_other_form("04688", 5));
    assert_true(vg_sigma_number_other_form("-0", 2));
    assert_true(vg_sigma_number_other_form("1e3", 3));
    assert_false(vg_sigma_number_other_form("4688", 4));
    assert_false(vg_sigma_number_other_form("-12", 3));
    assert_false(vg_sigma_number_other_form("0", 1));
    assert_false(vg_sigma_number_other_form("12a", 3));
    /* a number not in its shortest form: "0012" equals 12, which does not contain it */
    m = mk("", V(S("0012")));
    assert_int_equal(vg_sigma_matcher_literals(m, &lits), 0);
    assert_false(vg_sigma_matcher_is_necessary(m));
    vg_sigma_matcher_free(m);
    /* inner wildcards: the longest plain part is necessary, not exact */
    m = mk("", V(S("ab*cde?f")));
    assert_int_equal(vg_sigma_matcher_literals(m, &lits), 1);
    assert_int_equal(lits[0].len, 3);
    assert_memory_equal(lits[0].bytes, "cde", 3);
    assert_int_equal(lits[0].flags, VG_SIGMA_PAT_CASELESS);
    assert_false(vg_sigma_matcher_is_literal(m));
    assert_true(vg_sigma_matcher_is_necessary(m));
    vg_sigma_matcher_free(m);
    m = mk("", V(S("abc*d")));     /* the part at the start keeps its anchor */
    assert_int_equal(vg_sigma_matcher_literals(m, &lits), 1);
    assert_int_equal(lits[0].flags, VG_SIGMA_PAT_START | VG_SIGMA_PAT_CASELESS);
    vg_sigma_matcher_free(m);
    m = mk("contains", V(S("a"), S("*")));     /* '*' matches anything: nothing is necessary */
    assert_int_equal(vg_sigma_matcher_literals(m, &lits), 0);
    assert_false(vg_sigma_matcher_is_necessary(m));
    vg_sigma_matcher_free(m);
    /* windash: the five dash characters as exact variants (5^dashes, up to three dashes) */
    m = mk("contains|windash", V(S("-a")));
    assert_int_equal(vg_sigma_matcher_literals(m, &lits), 5);
    assert_memory_equal(lits[0].bytes, "-a", 2);
    assert_memory_equal(lits[1].bytes, "/a", 2);
    assert_memory_equal(lits[2].bytes, "\xe2\x80\x93" "a", 4);
    assert_int_equal(lits[2].flags, VG_SIGMA_PAT_CASELESS | VG_SIGMA_PAT_UNICODE);
    assert_true(vg_sigma_matcher_is_literal(m));
    vg_sigma_matcher_free(m);
    m = mk("contains|windash", V(S("-a -b -c -d")));  /* 625 variants: the longest plain part */
    assert_int_equal(vg_sigma_matcher_literals(m, &lits), 1);
    assert_false(vg_sigma_matcher_is_literal(m));
    vg_sigma_matcher_free(m);
    /* neq: no literals; a regex: its expression, necessary (Hyperscan gates it), not exact */
    m = mk("neq", V(S("a")));
    assert_false(vg_sigma_matcher_is_literal(m));
    assert_false(vg_sigma_matcher_is_necessary(m));
    assert_int_equal(vg_sigma_matcher_literals(m, &lits), 0);
    vg_sigma_matcher_free(m);
    m = mk("re|i", V(S("a.b")));
    assert_int_equal(vg_sigma_matcher_literals(m, &lits), 1);
    assert_int_equal(lits[0].flags, VG_SIGMA_PAT_REGEX | VG_SIGMA_PAT_CASELESS);
    assert_memory_equal(lits[0].bytes, "a.b", 3);
    assert_false(vg_sigma_matcher_is_literal(m));
    assert_true(vg_sigma_matcher_is_necessary(m));
    vg_sigma_matcher_free(m);
}

static void test_limits_and_scratch(void **state)
{
    (void)state;
    /* an escaped string longer than the scratch cannot be decided; plain ones need no scratch */
    vg_sigma_scratch *small = vg_sigma_scratch_new(4);
    assert_non_null(small);
    vg_sigma_matcher *m = mk("contains", V(S("abc")));
    vg_value esc = { VG_JSON_STRING, VG_JSON_ESCAPED, 12, "xx\\u0061bcxx" };
    assert_int_equal(vg_sigma_matcher_match(m, &esc, NULL, NULL, small), VG_SIGMA_UNDECIDED);
    assert_int_equal(vg_sigma_matcher_match(m, &esc, NULL, NULL, scratch), 1);
    vg_value plain = { VG_JSON_STRING, VG_VALUE_PLAIN, 8, "xxabcxx\\" };
    assert_int_equal(vg_sigma_matcher_match(m, &plain, NULL, NULL, NULL), 1);
    vg_sigma_matcher_free(m);
    /* undecided stays undecided under neq */
    m = mk("neq", V(S("abc")));
    assert_int_equal(vg_sigma_matcher_match(m, &esc, NULL, NULL, small), VG_SIGMA_UNDECIDED);
    vg_sigma_matcher_free(m);
    vg_sigma_scratch_free(small);
    /* modifier count and unknown values */
    bad("contains|contains", V(S("a")), "given twice");
    bad("startswith|endswith", V(S("a")), "cannot be combined");
    bad("", NULL, 0, "no values");
    /* the error carries the value's line */
    vg_sigma_mod lt = VG_SIGMA_MOD_LT;
    vg_sigma_matcher *out;
    vg_error err;
    assert_int_equal(vg_sigma_matcher_compile(&lt, 1, V(S("x")), NULL, &out, &err), VG_ERR_PARSE);
    assert_int_equal(err.offset, 7);
    assert_non_null(strstr(err.msg, "value 'x'"));
}

static int setup(void **state)
{
    (void)state;
    scratch = vg_sigma_scratch_new(1 << 16);
    return scratch && !vg_json_doc_init(&doc, 1 << 14, 64) && !vg_json_doc_init(&other_doc, 1 << 10, 64) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    vg_sigma_scratch_free(scratch);
    vg_json_doc_free(&doc);
    vg_json_doc_free(&other_doc);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_case),  cmocka_unit_test(test_wildcards),
        cmocka_unit_test(test_escapes),         cmocka_unit_test(test_lists_all_neq),
        cmocka_unit_test(test_null_empty_exists), cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_windash),         cmocka_unit_test(test_regex),
        cmocka_unit_test(test_encodings),       cmocka_unit_test(test_cidr),
        cmocka_unit_test(test_time),            cmocka_unit_test(test_fieldref),
        cmocka_unit_test(test_expand),          cmocka_unit_test(test_arrays_objects),
        cmocka_unit_test(test_keywords),        cmocka_unit_test(test_literals),
        cmocka_unit_test(test_limits_and_scratch),
    };
    return cmocka_run_group_tests_name("sigma-value", tests, setup, teardown);
}
