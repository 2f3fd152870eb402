/*
 * test-sigma-engine: the Sigma engine's literal prefilter on hand-written rules: the size of
 * each rule's trigger set (AND takes one side, OR and "1 of" the union, "all of" one search,
 * NOT nothing; neq and regexes give no trigger; inner wildcards give a necessary literal), and
 * on Sysmon process-creation events that every rule gives the same result with the prefilter
 * and in reference mode (including the case-folding hazards U+212A KELVIN SIGN and U+017F
 * LONG S, Cyrillic case pairs, emoji, windash dashes, numbers written as 12.0 or "012",
 * escaped JSON strings, arrays and absent fields), also when the answers come from the
 * worker's scan cache; keyword searches on syslog lines read the message, not the header; the
 * raw pass over a JSON record's text that spares building its keyword text, and what makes it
 * step aside (escapes, case-folding hazards).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "decode-fixture.h"
#include "sigma-engine.h"
#include "sigma-prefilter.h"
#include "sigma-fixture.h"

/* One rule: its detection section (YAML, indented by 4), the expected trigger set size (-1:
 * always), and whether it fires on each of the events below. */
typedef struct rule_case {
    const char *detection;
    int triggers;
    const char *fires;              /* one '1' or '0' per event of events[] */
} rule_case;

/* Sysmon process creation events: Image, CommandLine, then raw JSON of OriginalFileName. */
static const char *const events[][3] = {
    { "C:\\\\Windows\\\\System32\\\\cmd.exe", "cmd /c whoami", "'CMD.EXE'" },
    { "C:\\\\Tools\\\\mimikatz.exe", "mimikatz sekurlsa::logonpasswords", "null" },
    { "C:\\\\x\\\\a.exe", "KILL -9 \\u212a", "['a','cmd.exe']" },             /* escaped Kelvin sign */
    { "C:\\\\x\\\\b.exe", "\xe2\x84\xaa" "ILL \xc5\xbf" "ekurlsa", "12" },          /* raw Kelvin, long s */
    { "C:\\\\Windows\\\\System32\\\\CMD.EXE", "Ärger -enc abc", "'x'" },
    { "C:\\\\x\\\\c.exe", "echo ПРИВЕТ \xf0\x9f\x98\x80 \xe2\x80\x93" "enc", "12.0" },  /* emoji, en dash */
    { "C:\\\\x\\\\d.exe", "Привет whoAmi /enc", "'012'" },
    { "C:\\\\x\\\\e.exe", "привеТ", "'12'" },
};
#define NEVENTS (sizeof events / sizeof events[0])

static const rule_case cases[] = {
    /* AND of a search and a negation: the search's condition */
    { "    sel:\n      Image|endswith: '\\cmd.exe'\n    filter:\n      CommandLine|contains: 'whoami'\n"
      "    condition: sel and not filter\n", 1, "00001000" },
    /* OR: the union */
    { "    a:\n      Image|endswith: 'a.exe'\n    b:\n      CommandLine|contains: 'sekurlsa'\n"
      "    condition: a or b\n", 2, "01110000" },
    /* NOT alone: always */
    { "    a:\n      Image|endswith: 'a.exe'\n    condition: not a\n", -1, "11011111" },
    /* 1 of: one condition per group of each search (a list of maps is one group per map) */
    { "    sel1:\n      - Image|endswith: '\\cmd.exe'\n      - CommandLine|contains: 'zzz'\n"
      "    sel2:\n      - CommandLine|startswith: 'mimikatz'\n      - Image|contains: '\\x\\'\n"
      "    condition: 1 of sel*\n", 4, "11111111" },
    /* all of: one search's set (the cheaper one) */
    { "    sel1:\n      Image|endswith: '.exe'\n    sel2:\n      CommandLine|contains: 'sekurlsa::logon'\n"
      "    condition: all of sel*\n", 1, "01000000" },
    /* a group of two fields: one clause of both (the rule wakes when both hold) */
    { "    sel:\n      Image|endswith: '.exe'\n      CommandLine|contains: 'whoami'\n    condition: sel\n", 2,
      "10000010" },
    /* keywords: contains, case-insensitive, over every string of the record */
    { "    keywords:\n      - 'MIMIKATZ'\n      - 'kill -9'\n    condition: keywords\n", 1, "01100000" },
    /* |all: every value somewhere in the field */
    { "    sel:\n      CommandLine|contains|all:\n        - 'kill'\n        - 'sekurlsa'\n    condition: sel\n", 1,
      "00010000" },
    /* caseless ASCII literals against U+212A and U+017F (they fold to k and s) */
    { "    sel:\n      CommandLine|startswith: 'kill '\n    condition: sel\n", 1, "00110000" },
    { "    sel:\n      CommandLine|endswith: 'sekurlsa'\n    condition: sel\n", 1, "00010000" },
    /* neq is not decided by literals: always */
    { "    sel:\n      Image|neq: 'C:\\Tools\\mimikatz.exe'\n    condition: sel\n", -1, "10111111" },
    /* a number (also matches equal numbers written otherwise: those values go to the reference) */
    { "    sel:\n      OriginalFileName: 12\n    condition: sel\n", 1, "00010111" },
    /* a non-ASCII literal: every code point folding to each of its letters */
    { "    sel:\n      CommandLine|contains: 'ärger'\n    condition: sel\n", 1, "00001000" },
    /* arrays, null, numbers and strings in the same field; equality */
    { "    sel:\n      OriginalFileName: 'cmd.exe'\n    condition: sel\n", 1, "10100000" },
    /* a regex, or an inner wildcard: not literal; the other side of the AND carries the trigger */
    { "    sel:\n      CommandLine|re: 'who.mi'\n    img:\n      Image|contains: 'System32'\n"
      "    condition: sel and img\n", 1, "10000000" },
    /* an inner wildcard: its longest plain part is necessary (a gate, decided by the reference) */
    { "    sel:\n      CommandLine|contains: 'mimi*sekur'\n    condition: sel\n", 1, "01000000" },
    /* two conditions (a list of conditions is OR'ed) */
    { "    a:\n      Image|endswith: 'b.exe'\n    b:\n      CommandLine|contains: '-enc'\n"
      "    condition:\n      - a\n      - b\n", 2, "00011000" },
    /* Cyrillic: upper, lower and mixed case */
    { "    sel:\n      CommandLine|contains: 'привет'\n    condition: sel\n", 1, "00000111" },
    /* an emoji (no case) */
    { "    sel:\n      CommandLine|contains: '\xf0\x9f\x98\x80'\n    condition: sel\n", 1, "00000100" },
    /* windash: its five dashes as exact variants */
    { "    sel:\n      CommandLine|windash|contains: ' -enc'\n    condition: sel\n", 1, "00001110" },
    /* '?': the longest plain part ("who") is necessary */
    { "    sel:\n      CommandLine|contains: 'who?mi'\n    condition: sel\n", 1, "10000010" },
    /* regular expressions: Hyperscan in prefilter mode gates them; values with non-ASCII text go
     * to the reference when the expression folds case (Hyperscan folds ASCII only) */
    { "    sel:\n      CommandLine|re|i: 'WHO.MI'\n    condition: sel\n", 1, "10000010" },
    { "    sel:\n      CommandLine|re|i: '\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82'\n    condition: sel\n", 1,
      "00000111" },
    /* a counted repeat above 32 is given to Hyperscan as '*' (a superset; braces in a class
     * are text); one that can then match the empty string gates nothing */
    { "    sel:\n      CommandLine|re: 'c.{1,64}i'\n    condition: sel\n", 1, "10000000" },
    { "    sel:\n      CommandLine|re: 'who[{]{0,40}ami'\n    condition: sel\n", 1, "10000000" },
    { "    sel:\n      CommandLine|re: '.{1000,}'\n    condition: sel\n", -1, "00000000" },
    { "    sel:\n      CommandLine|re: 'c.{1,8}i'\n    condition: sel\n", 1, "10000000" },
    /* literals of one or two bytes are matched by the prefilter's own pass, not Hyperscan */
    { "    sel:\n      CommandLine|contains: '/C'\n    condition: sel\n", 1, "10000000" },
    { "    sel:\n      CommandLine|endswith: 'C'\n    condition: sel\n", 1, "00001110" },
    /* ECS paths the classification read already (EventID is event.code, Channel winlog.channel):
     * their values are taken from it */
    { "    sel:\n      EventID: 1\n      Image|endswith: 'a.exe'\n    condition: sel\n", 2, "00100000" },
    { "    sel:\n      EventID: 2\n      Image|endswith: '.exe'\n    condition: sel\n", 2, "00000000" },
    { "    sel:\n      Channel|endswith: '/Operational'\n      CommandLine|contains: 'kill'\n    condition: sel\n", 2,
      "00110000" },
    /* keywords look in the values of a JSON record, not in its member names */
    { "    keywords:\n      - 'OriginalFileName'\n    condition: keywords\n", 1, "00000000" },
};
#define NCASES (sizeof cases / sizeof cases[0])

static size_t hits_seen;
static char hit_rules[64];
static uint64_t last_cached;        /* places the last run answered from the worker's scan cache */

static vg_rc on_hit(void *ctx, const vg_event *e, const vg_sigma_hit *hit)
{
    (void)ctx, (void)e;
    if (hits_seen < sizeof hit_rules - 1)
        hit_rules[hits_seen++] = (char)('A' + hit->entry->index);
    return VG_OK;
}

/* The rules (as letters) that fire on event k, with or without the prefilter. */
static const char *run_event(const vg_sigma_engine *e, vg_sigma_worker *w, size_t k, int reference)
{
    static char json[4096];
    snprintf(json, sizeof json,
             "{'Event':{'System':{'Provider':{'#attributes':{'Name':'Microsoft-Windows-Sysmon'}},'EventID':1,"
             "'Channel':'Microsoft-Windows-Sysmon/Operational','Computer':'ws1'},"
             "'EventData':{'Image':'%s','CommandLine':'%s','OriginalFileName':%s}}}",
             events[k][0], events[k][1], events[k][2]);
    assert_int_equal(decode_json_as(vg_decoder_find("windows"), json), VG_OK);
    vg_sigma_worker_set_reference(w, reference);
    vg_sigma_stats st;
    memset(&st, 0, sizeof st);
    hits_seen = 0;
    assert_int_equal(vg_sigma_engine_match(e, w, &ev, on_hit, NULL, &st), VG_OK);
    hit_rules[hits_seen] = '\0';
    last_cached = st.cached;
    return hit_rules;
}

static void test_triggers_and_results(void **state)
{
    (void)state;
    vg_sigma_engine *e;
    vg_error er;
    vg_sigma_file *files[NCASES];
    assert_int_equal(vg_sigma_engine_new(&e, map, NULL, &er), VG_OK);
    for (size_t i = 0; i < NCASES; i++) {
        char text[2048];
        snprintf(text, sizeof text, "title: case %zu\nlogsource:\n    product: windows\n    category: process_creation\n"
                 "detection:\n%s", i, cases[i].detection);
        if (vg_sigma_load_mem(&files[i], "case.yml", text, strlen(text), &er) != VG_OK)
            fail_msg("case %zu: %s", i, er.msg);
        assert_non_null(files[i]->docs[0].rule);
        assert_int_equal(vg_sigma_engine_add(e, files[i], &er), VG_OK);
        if (vg_sigma_engine_entry(e, i)->status != VG_SIGMA_ACTIVE)
            fail_msg("case %zu: %s", i, vg_sigma_engine_entry(e, i)->reason);
    }
    assert_int_equal(sg_prefilter_triggers(e, 0), -2);     /* not built */
    assert_int_equal(vg_sigma_engine_build(e, &er), VG_OK);
    const vg_sigma_build_info *bi = vg_sigma_engine_build_info(e);
    assert_true(bi->built);
    assert_int_equal(bi->refused, 0);
    unsigned always = 0;
    for (size_t i = 0; i < NCASES; i++) {
        if (sg_prefilter_triggers(e, i) != cases[i].triggers)
            fail_msg("case %zu: %d triggers, expected %d", i, sg_prefilter_triggers(e, i), cases[i].triggers);
        always += cases[i].triggers < 0;
    }
    assert_int_equal(bi->always_rules, always);
    assert_int_equal(bi->trigger_rules, NCASES - always);
    vg_sigma_worker *w;
    assert_int_equal(vg_sigma_worker_new(&w, e, 4096, &er), VG_OK);
    for (size_t k = 0; k < NEVENTS; k++) {
        char want[64];
        size_t n = 0;
        for (size_t i = 0; i < NCASES; i++)
            if (cases[i].fires[k] == '1')
                want[n++] = (char)('A' + i);
        want[n] = '\0';
        /* seen once, seen again (the scan cache keeps the answers), answered from the cache */
        char pass[3][64];
        for (int p = 0; p < 3; p++)
            snprintf(pass[p], sizeof pass[p], "%s", run_event(e, w, k, 0));
        assert_true(last_cached > 0);
        const char *ref = run_event(e, w, k, 1);
        if (strcmp(ref, want) != 0)
            fail_msg("event %zu: reference fired %s, expected %s", k, ref, want);
        for (int p = 0; p < 3; p++)
            if (strcmp(pass[p], ref) != 0)
                fail_msg("event %zu, pass %d: prefilter fired %s, reference %s", k, p, pass[p], ref);
    }
    /* the events again in another order: every answer from the cache, the same rules */
    for (size_t k = NEVENTS; k-- > 0;) {
        char fast[64];
        snprintf(fast, sizeof fast, "%s", run_event(e, w, k, 0));
        const char *ref = run_event(e, w, k, 1);
        if (strcmp(fast, ref) != 0)
            fail_msg("event %zu, again: prefilter fired %s, reference %s", k, fast, ref);
    }
    vg_sigma_worker_free(w);
    /* adding after the build drops the prefilter: the reference path still works */
    assert_int_equal(vg_sigma_engine_add(e, files[0], &er), VG_OK);
    assert_false(vg_sigma_engine_build_info(e)->built);
    assert_int_equal(vg_sigma_worker_new(&w, e, 4096, &er), VG_OK);
    assert_string_equal(run_event(e, w, 4, 0), "ACDKMQT]b"); /* event 4's rules and the copy of case 0 */
    vg_sigma_worker_free(w);
    vg_sigma_engine_free(e);
    for (size_t i = 0; i < NCASES; i++)
        vg_sigma_file_free(files[i]);
}

/* Of two searches ANDed, the trigger set comes from one: not the one on a frequent field (the
 * built-in mapping lists IntegrityLevel) although its literal is cheaper, so a
 * Medium-integrity process of another image is not even evaluated; the results are the same. */
static void test_frequent_fields(void **state)
{
    (void)state;
    assert_true(vg_sigma_mapping_frequent(map, "IntegrityLevel"));
    assert_false(vg_sigma_mapping_frequent(map, "Image"));
    vg_sigma_engine *e;
    vg_error er;
    vg_sigma_file *f;
    const char *text = "title: frequent\nlogsource:\n    product: windows\n    category: process_creation\n"
                       "detection:\n    level:\n        IntegrityLevel: Medium\n    img:\n        Image|endswith: '\\x.exe'\n"
                       "    condition: level and img\n";
    assert_int_equal(vg_sigma_load_mem(&f, "frequent.yml", text, strlen(text), &er), VG_OK);
    assert_int_equal(vg_sigma_engine_new(&e, map, NULL, &er), VG_OK);
    assert_int_equal(vg_sigma_engine_add(e, f, &er), VG_OK);
    assert_int_equal(vg_sigma_engine_build(e, &er), VG_OK);
    assert_int_equal(sg_prefilter_triggers(e, 0), 1);
    vg_sigma_worker *w;
    assert_int_equal(vg_sigma_worker_new(&w, e, 4096, &er), VG_OK);
    static const char *const images[] = { "C:\\\\a.exe", "C:\\\\x.exe" };
    for (int k = 0; k < 2; k++) {
        char json[1024];
        snprintf(json, sizeof json,
                 "{'Event':{'System':{'Provider':{'#attributes':{'Name':'Microsoft-Windows-Sysmon'}},'EventID':1,"
                 "'Channel':'Microsoft-Windows-Sysmon/Operational','Computer':'ws1'},"
                 "'EventData':{'Image':'%s','IntegrityLevel':'Medium'}}}", images[k]);
        assert_int_equal(decode_json_as(vg_decoder_find("windows"), json), VG_OK);
        vg_sigma_stats st;
        memset(&st, 0, sizeof st);
        hits_seen = 0;
        assert_int_equal(vg_sigma_engine_match(e, w, &ev, on_hit, NULL, &st), VG_OK);
        assert_int_equal(st.evaluated, (uint64_t)k);    /* a.exe: not a candidate; x.exe: one */
        assert_int_equal(hits_seen, (size_t)k);
    }
    vg_sigma_worker_free(w);
    vg_sigma_engine_free(e);
    vg_sigma_file_free(f);
}

static char hit_source[64];

static vg_rc on_hit_as(void *ctx, const vg_event *e, const vg_sigma_hit *hit)
{
    (void)ctx, (void)e;
    hits_seen++;
    snprintf(hit_source, sizeof hit_source, "%s", hit->source);
    return VG_OK;
}

/* An engine of the one rule text (its prefilter built or not) and a worker of it. */
static void one_rule_engine(const char *text, int built, vg_sigma_file **f, vg_sigma_engine **e, vg_sigma_worker **w)
{
    vg_error er;
    assert_int_equal(vg_sigma_load_mem(f, "one.yml", text, strlen(text), &er), VG_OK);
    assert_int_equal(vg_sigma_engine_new(e, map, NULL, &er), VG_OK);
    assert_int_equal(vg_sigma_engine_add(*e, *f, &er), VG_OK);
    if (built)
        assert_int_equal(vg_sigma_engine_build(*e, &er), VG_OK);
    assert_int_equal(vg_sigma_worker_new(w, *e, 4096, &er), VG_OK);
}

/* The hits of the decoded event ev (counted in hits_seen). */
static size_t match_hits(const vg_sigma_engine *e, vg_sigma_worker *w)
{
    vg_sigma_stats st;
    memset(&st, 0, sizeof st);
    hits_seen = 0;
    assert_int_equal(vg_sigma_engine_match(e, w, &ev, on_hit_as, NULL, &st), VG_OK);
    return hits_seen;
}

static void one_rule_engine_free(vg_sigma_file *f, vg_sigma_engine *e, vg_sigma_worker *w)
{
    vg_sigma_worker_free(w);
    vg_sigma_engine_free(e);
    vg_sigma_file_free(f);
}

/* Decodes Windows JSON json and asserts it makes fires hits, twice (the second time the
 * values come from the per-event caches of a new event). */
static void expect_windows_hits_twice(const vg_sigma_engine *e, vg_sigma_worker *w, int built, const char *json,
                                      int fires)
{
    for (int pass = 0; pass < 2; pass++) {
        assert_int_equal(decode_json_as(vg_decoder_find("windows"), json), VG_OK);
        if (match_hits(e, w) != (size_t)fires)
            fail_msg("%s, pass %d: %zu hits, expected %d: %s", built ? "prefilter" : "reference", pass, hits_seen,
                     fires, json);
    }
}

/* A rule for every Windows event (product only) serves sysmon-1 and windows-other, which
 * every Windows event also is: it is tried once, as sysmon-1, built (the windows-other pass
 * is skipped: all its rules were tried) or not. */
static void test_covered_source(void **state)
{
    (void)state;
    const char *text = "title: any windows\nlogsource:\n    product: windows\n"
                       "detection:\n    keywords:\n        - 'zz-marker'\n    condition: keywords\n";
    const char *json = "{'Event':{'System':{'Provider':{'#attributes':{'Name':'Microsoft-Windows-Sysmon'}},'EventID':1,"
                       "'Channel':'Microsoft-Windows-Sysmon/Operational','Computer':'ws1'},"
                       "'EventData':{'Image':'C:\\\\zz-marker.exe'}}}";
    for (int built = 0; built < 2; built++) {
        vg_sigma_engine *e;
        vg_sigma_worker *w;
        vg_sigma_file *f;
        one_rule_engine(text, built, &f, &e, &w);
        assert_int_equal(decode_json_as(vg_decoder_find("windows"), json), VG_OK);
        vg_sigma_stats st;
        memset(&st, 0, sizeof st);
        hits_seen = 0;
        assert_int_equal(vg_sigma_engine_match(e, w, &ev, on_hit_as, NULL, &st), VG_OK);
        assert_int_equal(hits_seen, 1);
        assert_int_equal(st.evaluated, 1);
        assert_string_equal(hit_source, "sysmon-1");
        one_rule_engine_free(f, e, w);
    }
}

/* Keyword searches on a syslog line read its message, not the header: the header's ':'
 * (timestamp) and host name never satisfy a keyword, with the prefilter (built) or without. */
static void test_syslog_keywords_read_message(void **state)
{
    (void)state;
    const char *text = "title: remote copy\nlogsource:\n    product: linux\n"
                       "detection:\n    tools:\n        - 'scp '\n    filter:\n        - '@'\n        - ':'\n"
                       "    host:\n        - 'zz-host'\n"
                       "    condition: tools and filter or host\n";
    static const struct {
        const char *line;
        int fires;
    } lines[] = {
        { "Nov 21 10:00:00 web1 bash[12]: scp backup.tar /srv/backup", 0 },    /* ':' only in the header */
        { "Nov 21 10:00:00 web1 bash[12]: scp backup.tar admin@10.0.0.2:/srv", 1 },
        { "Nov 21 10:00:00 zz-host cron[7]: job done", 0 },                    /* the host is no keyword */
        { "Nov 21 10:00:00 web1 cron[7]: copied from zz-host", 1 },
        { "Nov 21 10:00:00 web1 sshd[9]: message repeated 2 times: [ scp a b ]", 0 },
        { "<13>1 2025-11-21T10:00:00Z web1 bash 12 - - scp a root@b:/c", 1 },  /* RFC 5424 */
        { "<13>1 2025-11-21T10:00:00Z zz-host bash 12 - - scp a b", 0 },
    };
    for (int built = 0; built < 2; built++) {
        vg_sigma_engine *e;
        vg_sigma_worker *w;
        vg_sigma_file *f;
        one_rule_engine(text, built, &f, &e, &w);
        for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
            accept_line(vg_decoder_find("syslog"), lines[i].line);
            if (match_hits(e, w) != (size_t)lines[i].fires)
                fail_msg("%s: %d hits, expected %d: %s", built ? "prefilter" : "reference", hits_seen,
                         lines[i].fires, lines[i].line);
        }
        one_rule_engine_free(f, e, w);
    }
}

/* Keyword searches on JSON records: a pass over the record's raw JSON clears the keyword text
 * without building it when no piece of any keyword is there; when something in the raw JSON
 * could hide a keyword from that pass, the text is built and scanned as before. Each event
 * fires the same with the prefilter (twice: scanned, then cached) as in reference mode. */
static void test_keywords_raw_pass(void **state)
{
    (void)state;
    const char *text = "title: kw\nlogsource:\n    product: windows\n    category: process_creation\n"
                       "detection:\n    keywords:\n        - 'mimikatz'\n        - 'sekurlsa::logonpasswords'\n"
                       "    condition: keywords\n";
    static const struct {
        const char *cmd, *extra;        /* the command line (JSON text), another EventData member */
        int fires;
    } cases_kw[] = {
        { "run mimikatz now", "", 1 },
        { "cmd /c dir", "", 0 },                                        /* cleared by the raw pass */
        { "run MIMIKATZ", "", 1 },                                      /* case folded */
        { "run mimi\\u006batz", "", 1 },                              /* a letter escaped as \\u */
        { "sekurlsa\\u003a\\u003alogonpasswords", "", 1 },          /* the colons escaped */
        { "sekurlsa::logonpasswords", "", 1 },
        { "run MIMI\xe2\x84\xaa" "ATZ", "", 1 },                     /* U+212A folds to k */
        { "run mimi\\u212aatz", "", 1 },                              /* the same, escaped */
        { "cmd /c dir", ",'mimikatz':'x'", 0 },                         /* a member name only */
        { "cmd /c dir", ",'Note':'a\\\\mimikatz'", 1 },              /* after an escaped backslash */
        { "cmd /c sekurlsa:\\/:logonpasswords", "", 0 },              /* not the keyword: ':/:' */
    };
    for (int built = 0; built < 2; built++) {
        vg_sigma_engine *e;
        vg_sigma_worker *w;
        vg_sigma_file *f;
        one_rule_engine(text, built, &f, &e, &w);
        for (size_t i = 0; i < sizeof cases_kw / sizeof cases_kw[0]; i++) {
            char json[1024];
            snprintf(json, sizeof json,
                     "{'Event':{'System':{'Provider':{'#attributes':{'Name':'Microsoft-Windows-Sysmon'}},'EventID':1,"
                     "'Channel':'Microsoft-Windows-Sysmon/Operational','Computer':'ws1'},"
                     "'EventData':{'Image':'C:\\\\x\\\\a.exe','CommandLine':'%s'%s}}}",
                     cases_kw[i].cmd, cases_kw[i].extra);
            expect_windows_hits_twice(e, w, built, json, cases_kw[i].fires);
        }
        one_rule_engine_free(f, e, w);
    }
}

/* |fieldref targets are read through the rule's places for the event's source: Sysmon's
 * ParentImage is Security 4688's ParentProcessName. A target that is only a fieldref value and
 * one that is also a condition's field, escaped values, case, absence and a filter; each event
 * twice (the second time the values come from the per-event cache of a new event). */
static void test_fieldref_places(void **state)
{
    (void)state;
    const char *text = "title: parent runs itself\nlogsource:\n    product: windows\n    category: process_creation\n"
                       "detection:\n    selection:\n        Image|fieldref: ParentImage\n"
                       "    same_cmd:\n        CommandLine|fieldref: Image\n"
                       "    filter:\n        Image|startswith: 'C:\\Program Files\\'\n"
                       "    condition: (selection or same_cmd) and not filter\n";
#define SYSMON_1 \
        "{'Event':{'System':{'Provider':{'#attributes':{'Name':'Microsoft-Windows-Sysmon'}},'EventID':1," \
        "'Channel':'Microsoft-Windows-Sysmon/Operational','Computer':'ws1'}," \
        "'EventData':{'Image':'%s','CommandLine':'run'%s}}}"
#define SECURITY_4688 \
        "{'Event':{'System':{'Provider':{'#attributes':{'Name':'Microsoft-Windows-Security-Auditing'}},'EventID':4688," \
        "'Channel':'Security','Computer':'ws1'}," \
        "'EventData':{'NewProcessName':'%s','CommandLine':'run'%s}}}"
    enum { sysmon, security };
    static const struct {
        int shape;
        const char *image, *rest;
        int fires;
    } refs[] = {
        { sysmon, "C:\\\\x\\\\a.exe", ",'ParentImage':'C:\\\\x\\\\a.exe'", 1 },
        { sysmon, "C:\\\\x\\\\a.exe", ",'ParentImage':'c:\\\\X\\\\A.EXE'", 1 },        /* caseless */
        { sysmon, "C:\\\\x\\\\a.exe", ",'ParentImage':'C:\\\\x\\\\\\u0061.exe'", 1 },  /* escaped */
        { sysmon, "C:\\\\x\\\\a.exe", ",'ParentImage':'C:\\\\x\\\\b.exe'", 0 },
        { sysmon, "C:\\\\x\\\\a.exe", "", 0 },                                            /* no parent */
        { sysmon, "run", "", 1 },                                                       /* CommandLine = Image */
        { sysmon, "C:\\\\Program Files\\\\a.exe", ",'ParentImage':'C:\\\\Program Files\\\\a.exe'", 0 },
        { security, "C:\\\\x\\\\a.exe", ",'ParentProcessName':'C:\\\\X\\\\a.exe'", 1 },
        { security, "C:\\\\x\\\\a.exe", ",'ParentImage':'C:\\\\x\\\\a.exe'", 0 },    /* not 4688's name */
        { security, "C:\\\\x\\\\a.exe", ",'ParentProcessName':'C:\\\\x\\\\c.exe'", 0 },
    };
    for (int built = 0; built < 2; built++) {
        vg_sigma_engine *e;
        vg_sigma_worker *w;
        vg_sigma_file *f;
        one_rule_engine(text, built, &f, &e, &w);
        for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
            char json[1024];
            if (refs[i].shape == sysmon)
                snprintf(json, sizeof json, SYSMON_1, refs[i].image, refs[i].rest);
            else
                snprintf(json, sizeof json, SECURITY_4688, refs[i].image, refs[i].rest);
            expect_windows_hits_twice(e, w, built, json, refs[i].fires);
        }
        one_rule_engine_free(f, e, w);
    }
#undef SYSMON_1
#undef SECURITY_4688
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_triggers_and_results),
        cmocka_unit_test(test_frequent_fields),
        cmocka_unit_test(test_covered_source),
        cmocka_unit_test(test_syslog_keywords_read_message),
        cmocka_unit_test(test_keywords_raw_pass),
        cmocka_unit_test(test_fieldref_places),
    };
    return cmocka_run_group_tests(tests, sigma_setup, sigma_teardown);
}
