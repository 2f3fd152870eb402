/*
 * test-sigma-rule: the Sigma rule loader: the specification's examples (rules, keywords,
 * lists, maps, null, exists, '|all', placeholders, correlation and filter examples), YAML
 * typing and quoting styles (raw text kept exactly), search shapes, multi-document files,
 * every rejection reason with its FILE:LINE message, limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sigma-rule.h"

static vg_sigma_file *load(const char *yaml)
{
    vg_sigma_file *f = NULL;
    vg_error err;
    vg_error_clear(&err);
    if (vg_sigma_load_mem(&f, "r.yml", yaml, strlen(yaml), &err) != VG_OK)
        fail_msg("load failed: %s", err.msg);
    return f;
}

/* Loads a one-document file that must load; returns the file (rule: f->docs[0].rule). */
static vg_sigma_file *load_one(const char *yaml)
{
    vg_sigma_file *f = load(yaml);
    if (f->ndocs != 1)
        fail_msg("%u documents, want 1", f->ndocs);
    if (!f->docs[0].rule)
        fail_msg("rejected: %s", f->docs[0].msg);
    return f;
}

static void rejected(const char *yaml, vg_sigma_reason reason, const char *msg)
{
    vg_sigma_file *f = load(yaml);
    if (f->ndocs != 1 || f->docs[0].rule)
        fail_msg("expected one rejected document, got %u (first loaded: %d)", f->ndocs,
                 f->ndocs ? f->docs[0].rule != NULL : 0);
    if (f->docs[0].reason != reason || strcmp(f->docs[0].msg, msg) != 0)
        fail_msg("got [%s] '%s', want [%s] '%s'", vg_sigma_reason_name(f->docs[0].reason), f->docs[0].msg,
                 vg_sigma_reason_name(reason), msg);
    vg_sigma_file_free(f);
}

#define HEAD "title: t\nlogsource:\n    product: windows\ndetection:\n"

static const vg_sigma_search *search(const vg_sigma_rule *r, const char *name)
{
    for (uint32_t i = 0; i < r->detection.nsearches; i++)
        if (strcmp(r->detection.searches[i].name, name) == 0)
            return &r->detection.searches[i];
    fail_msg("no search %s", name);
    return NULL;
}

static void value_is(const vg_sigma_raw *v, vg_sigma_vtype type, const char *text)
{
    if (v->type != type || strcmp(v->text, text) != 0 || v->len != strlen(text))
        fail_msg("value [%d] '%s', want [%d] '%s'", v->type, v->text, type, text);
}

static void test_spec_whoami(void **state)
{
    (void)state;
    vg_sigma_file *f = load_one("title: Whoami Execution\n"
                                "description: Detects a whoami.exe execution\n"
                                "references:\n"
                                "      - https://speakerdeck.com/heirhabarov/hunting-for-privilege-escalation-in-windows-environment\n"
                                "author: Florian Roth\n"
                                "date: 2019-10-23\n"
                                "logsource:\n"
                                "    category: process_creation\n"
                                "    product: windows\n"
                                "detection:\n"
                                "    selection:\n"
                                "        Image: 'C:\\Windows\\System32\\whoami.exe'\n"
                                "    condition: selection\n"
                                "level: high\n");
    const vg_sigma_rule *r = f->docs[0].rule;
    assert_int_equal(r->kind, VG_SIGMA_DETECTION);
    assert_string_equal(r->meta.title, "Whoami Execution");
    assert_string_equal(r->meta.date, "2019-10-23");
    assert_string_equal(r->meta.level, "high");
    assert_int_equal(r->meta.references.n, 1);
    assert_string_equal(r->logsource.category, "process_creation");
    assert_string_equal(r->logsource.product, "windows");
    assert_null(r->logsource.service);
    assert_int_equal(r->detection.nsearches, 1);
    const vg_sigma_search *s = search(r, "selection");
    assert_int_equal(s->shape, VG_SIGMA_S_MAP);
    assert_int_equal(s->ngroups, 1);
    assert_int_equal(s->groups[0].nfields, 1);
    const vg_sigma_field *fc = &s->groups[0].fields[0];
    assert_string_equal(fc->field, "Image");
    assert_int_equal(fc->nmods, 0);
    assert_int_equal(fc->nvalues, 1);
    value_is(&fc->values[0], VG_SIGMA_V_STRING, "C:\\Windows\\System32\\whoami.exe");
    assert_int_equal(fc->values[0].line, 12);
    assert_int_equal(r->detection.nconds, 1);
    assert_string_equal(r->detection.cond_text[0], "selection");
    vg_sigma_file_free(f);
}

static void test_spec_lists_and_maps(void **state)
{
    (void)state;
    vg_sigma_file *f = load_one(HEAD
                                "    keywords:\n"
                                "        - 'EVILSERVICE'\n"
                                "        - 'svchost.exe -n evil'\n"
                                "    selection_list:\n"
                                "        - Image|endswith: '\\\\example.exe'\n"
                                "        - Description|contains: 'Test executable'\n"
                                "    selection:\n"
                                "        EventLog: Security\n"
                                "        EventID:\n"
                                "            - 517\n"
                                "            - 1102\n"
                                "    ticket:\n"
                                "          EventLog: Security\n"
                                "          EventID: 4769\n"
                                "          TicketOptions: '0x40810000'\n"
                                "          TicketEncryption: '0x17'\n"
                                "    keywords_cmdlet:\n"
                                "        '|all':\n"
                                "            - 'OabVirtualDirectory'\n"
                                "            - ' -ExternalUrl '\n"
                                "    condition: keywords or 1 of selection* or ticket or keywords_cmdlet\n");
    const vg_sigma_rule *r = f->docs[0].rule;
    const vg_sigma_search *s = search(r, "keywords");
    assert_int_equal(s->shape, VG_SIGMA_S_KEYWORDS);
    assert_int_equal(s->ngroups, 1);
    assert_string_equal(s->groups[0].fields[0].field, "");
    assert_int_equal(s->groups[0].fields[0].nvalues, 2);
    value_is(&s->groups[0].fields[0].values[1], VG_SIGMA_V_STRING, "svchost.exe -n evil");

    s = search(r, "selection_list");
    assert_int_equal(s->shape, VG_SIGMA_S_MAP_LIST);
    assert_int_equal(s->ngroups, 2);
    assert_string_equal(s->groups[0].fields[0].field, "Image");
    assert_int_equal(s->groups[0].fields[0].nmods, 1);
    assert_int_equal(s->groups[0].fields[0].mods[0], VG_SIGMA_MOD_ENDSWITH);
    value_is(&s->groups[0].fields[0].values[0], VG_SIGMA_V_STRING, "\\\\example.exe");
    assert_int_equal(s->groups[1].fields[0].mods[0], VG_SIGMA_MOD_CONTAINS);

    s = search(r, "selection");
    assert_int_equal(s->shape, VG_SIGMA_S_MAP);
    assert_int_equal(s->groups[0].nfields, 2);
    value_is(&s->groups[0].fields[0].values[0], VG_SIGMA_V_STRING, "Security");
    assert_int_equal(s->groups[0].fields[1].nvalues, 2);
    value_is(&s->groups[0].fields[1].values[0], VG_SIGMA_V_NUMBER, "517");
    value_is(&s->groups[0].fields[1].values[1], VG_SIGMA_V_NUMBER, "1102");

    s = search(r, "ticket");
    value_is(&s->groups[0].fields[1].values[0], VG_SIGMA_V_NUMBER, "4769");
    value_is(&s->groups[0].fields[2].values[0], VG_SIGMA_V_STRING, "0x40810000");

    s = search(r, "keywords_cmdlet");
    assert_int_equal(s->shape, VG_SIGMA_S_KEYWORDS_ALL);
    assert_string_equal(s->groups[0].fields[0].field, "");
    assert_int_equal(s->groups[0].fields[0].all, 1);
    assert_int_equal(s->groups[0].fields[0].nvalues, 2);
    value_is(&s->groups[0].fields[0].values[1], VG_SIGMA_V_STRING, " -ExternalUrl ");

    /* 1 of selection* resolved against the identifiers, in order */
    const vg_sigma_cond *c = &r->detection.conds[0];
    assert_int_equal(c->nnodes, 7);
    vg_sigma_file_free(f);
}

static void test_spec_null_and_exists(void **state)
{
    (void)state;
    vg_sigma_file *f = load_one(HEAD
                                "    selection:\n"
                                "        EventID: 4738\n"
                                "        PasswordLastSet|exists: true\n"
                                "    filter:\n"
                                "        PasswordLastSet: null\n"
                                "    selection_main:\n"
                                "        FieldA: 'something'\n"
                                "    selection_empty1:\n"
                                "        FieldB: ''\n"
                                "    selection_empty2:\n"
                                "        FieldB:\n"
                                "    condition: selection and not filter and selection_main and 1 of selection_empty*\n");
    const vg_sigma_rule *r = f->docs[0].rule;
    const vg_sigma_field *fc = &search(r, "selection")->groups[0].fields[1];
    assert_int_equal(fc->mods[0], VG_SIGMA_MOD_EXISTS);
    value_is(&fc->values[0], VG_SIGMA_V_BOOL, "true");
    value_is(&search(r, "filter")->groups[0].fields[0].values[0], VG_SIGMA_V_NULL, "");
    value_is(&search(r, "selection_empty1")->groups[0].fields[0].values[0], VG_SIGMA_V_STRING, "");
    value_is(&search(r, "selection_empty2")->groups[0].fields[0].values[0], VG_SIGMA_V_NULL, "");
    vg_sigma_file_free(f);
    /* the specification's invalid example */
    rejected(HEAD
             "    selection_main:\n"
             "        FieldA: 'something'\n"
             "        FieldB:\n"
             "            - ''\n"
             "            - null\n"
             "    condition: selection_main\n",
             VG_SIGMA_R_NULL_IN_LIST, "r.yml:9: field 'FieldB': null inside a list of values (null must be a "
             "selection of its own)");
}

static void test_typing_and_quoting(void **state)
{
    (void)state;
    vg_sigma_file *f = load_one(HEAD
                                "    s:\n"
                                "        - 4688\n"
                                "        - '4688'\n"
                                "        - \"4688\"\n"
                                "        - -1\n"
                                "        - 0.5\n"
                                "        - 1e3\n"
                                "        - 0x17\n"
                                "        - 0o17\n"
                                "        - .inf\n"
                                "        - true\n"
                                "        - False\n"
                                "        - yes\n"
                                "        - no\n"
                                "        - on\n"
                                "        - 2023-01-02\n"
                                "        - '\\\\*'\n"
                                "        - \"\\\\*\"\n"
                                "        - 'it''s'\n"
                                "        - \"tab\\there\"\n"
                                "        - C:\\Windows\\*\n"
                                "        - 1.2.3\n"
                                "        - |\n"
                                "            literal\n"
                                "        - >\n"
                                "            folded\n"
                                "            text\n"
                                "        - '%x%'\n"
                                "        - 'null'\n"
                                "        - ''\n"
                                "    condition: s\n");
    const vg_sigma_field *fc = &search(f->docs[0].rule, "s")->groups[0].fields[0];
    static const struct { vg_sigma_vtype t; const char *text; } want[] = {
        { VG_SIGMA_V_NUMBER, "4688" }, { VG_SIGMA_V_STRING, "4688" }, { VG_SIGMA_V_STRING, "4688" },
        { VG_SIGMA_V_NUMBER, "-1" }, { VG_SIGMA_V_NUMBER, "0.5" }, { VG_SIGMA_V_NUMBER, "1e3" },
        { VG_SIGMA_V_NUMBER, "0x17" }, { VG_SIGMA_V_NUMBER, "0o17" }, { VG_SIGMA_V_NUMBER, ".inf" },
        { VG_SIGMA_V_BOOL, "true" }, { VG_SIGMA_V_BOOL, "False" }, { VG_SIGMA_V_STRING, "yes" },
        { VG_SIGMA_V_STRING, "no" }, { VG_SIGMA_V_STRING, "on" }, { VG_SIGMA_V_STRING, "2023-01-02" },
        { VG_SIGMA_V_STRING, "\\\\*" },     /* single quotes: both backslashes kept */
        { VG_SIGMA_V_STRING, "\\*" },       /* double quotes: YAML reads \\ as one */
        { VG_SIGMA_V_STRING, "it's" }, { VG_SIGMA_V_STRING, "tab\there" },
        { VG_SIGMA_V_STRING, "C:\\Windows\\*" }, { VG_SIGMA_V_STRING, "1.2.3" },
        { VG_SIGMA_V_STRING, "literal\n" }, { VG_SIGMA_V_STRING, "folded text\n" },
        { VG_SIGMA_V_STRING, "%x%" }, { VG_SIGMA_V_STRING, "null" }, { VG_SIGMA_V_STRING, "" },
    };
    assert_int_equal(fc->nvalues, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        value_is(&fc->values[i], want[i].t, want[i].text);
    vg_sigma_file_free(f);
    /* null forms */
    f = load_one(HEAD "    a: {A: ~}\n    b: {B: NULL}\n    c: {C: }\n    condition: a or b or c\n");
    for (uint32_t i = 0; i < 3; i++)
        value_is(&f->docs[0].rule->detection.searches[i].groups[0].fields[0].values[0], VG_SIGMA_V_NULL, "");
    vg_sigma_file_free(f);
}

static void test_modifiers(void **state)
{
    (void)state;
    vg_sigma_file *f = load_one(HEAD
                                "    s:\n"
                                "        CommandLine|windash|contains|all: ['-a', '-b']\n"
                                "        Payload|wide|base64offset|contains: 'ping'\n"
                                "        Msg|re|i|m: '^a.*b$'\n"
                                "        Ip|cidr: ['10.0.0.0/8', '::1/128', '192.168.1.1']\n"
                                "        Count|gte: 5\n"
                                "        Start|hour|lt: 6\n"
                                "        User|fieldref: TargetUser\n"
                                "        Other|fieldref|neq: SubjectUser\n"
                                "        Name|cased|startswith: 'Adm'\n"
                                "        Gone|exists: false\n"
                                "        Num|neq: 4\n"
                                "    condition: s\n");
    const vg_sigma_group *g = &search(f->docs[0].rule, "s")->groups[0];
    assert_int_equal(g->nfields, 11);
    assert_int_equal(g->fields[0].nmods, 3);
    assert_int_equal(g->fields[0].mods[0], VG_SIGMA_MOD_WINDASH);
    assert_int_equal(g->fields[0].mods[2], VG_SIGMA_MOD_ALL);
    assert_int_equal(g->fields[0].all, 1);
    assert_int_equal(g->fields[1].mods[0], VG_SIGMA_MOD_WIDE);
    assert_int_equal(g->fields[2].mods[1], VG_SIGMA_MOD_RE_I);
    assert_int_equal(g->fields[2].mods[2], VG_SIGMA_MOD_RE_M);
    assert_int_equal(g->fields[3].nvalues, 3);
    assert_int_equal(g->fields[5].mods[0], VG_SIGMA_MOD_HOUR);
    vg_sigma_file_free(f);
}

static void test_placeholders(void **state)
{
    (void)state;
    vg_sigma_file *f = load_one(HEAD
                                "    s:\n"
                                "        User|expand: '%Administrators%'\n"
                                "        Host|expand:\n"
                                "            - '%Workstations%'\n"
                                "            - '\\%plain%name%'\n"
                                "            - '%Administrators%'\n"
                                "        Ip|cidr|expand: '%internal_nets%'\n"
                                "        Literal: '%NotExpanded%'\n"
                                "    condition: s\n");
    const vg_sigma_rule *r = f->docs[0].rule;
    assert_int_equal(r->placeholders.n, 4);
    assert_string_equal(r->placeholders.v[0], "Administrators");
    assert_string_equal(r->placeholders.v[1], "Workstations");
    assert_string_equal(r->placeholders.v[2], "name");
    assert_string_equal(r->placeholders.v[3], "internal_nets");
    vg_sigma_file_free(f);
}

static void test_shapes(void **state)
{
    (void)state;
    vg_sigma_file *f = load_one(HEAD
                                "    kw: 'single keyword'\n"
                                "    mixed:\n"
                                "        - A: 1\n"
                                "        - 'kw1'\n"
                                "        - B: 2\n"
                                "          C: 3\n"
                                "        - 'kw2'\n"
                                "    _hidden:\n"
                                "        '|contains': x\n"
                                "    condition:\n"
                                "        - kw and not _hidden\n"
                                "        - mixed\n");
    const vg_sigma_rule *r = f->docs[0].rule;
    const vg_sigma_search *s = search(r, "kw");
    assert_int_equal(s->shape, VG_SIGMA_S_KEYWORDS);
    value_is(&s->groups[0].fields[0].values[0], VG_SIGMA_V_STRING, "single keyword");
    s = search(r, "mixed");
    assert_int_equal(s->shape, VG_SIGMA_S_MAP_LIST);
    assert_int_equal(s->ngroups, 3);
    assert_int_equal(s->groups[1].nfields, 2);
    assert_string_equal(s->groups[2].fields[0].field, "");
    assert_int_equal(s->groups[2].fields[0].nvalues, 2);
    value_is(&s->groups[2].fields[0].values[1], VG_SIGMA_V_STRING, "kw2");
    s = search(r, "_hidden");
    assert_int_equal(s->shape, VG_SIGMA_S_MAP);
    assert_int_equal(s->groups[0].fields[0].mods[0], VG_SIGMA_MOD_CONTAINS);
    assert_int_equal(r->detection.nconds, 2);
    assert_string_equal(r->detection.cond_text[1], "mixed");
    vg_sigma_file_free(f);
}

static void test_multi_document(void **state)
{
    (void)state;
    vg_sigma_file *f = load(HEAD "    s: {A: 1}\n    condition: s\n"
                            "---\n"
                            HEAD "    s: {A|bogus: 1}\n    condition: s\n"
                            "---\n"
                            HEAD "    s: {A: 2}\n    condition: s\n"
                            "---\n");
    assert_int_equal(f->ndocs, 3);
    assert_non_null(f->docs[0].rule);
    assert_null(f->docs[1].rule);
    assert_int_equal(f->docs[1].line, 8);
    assert_string_equal(f->docs[1].msg, "r.yml:12: field 'A': unknown modifier 'bogus'");
    assert_non_null(f->docs[2].rule);
    assert_int_equal(f->docs[2].rule->line, 15);
    vg_sigma_file_free(f);
    /* a YAML error ends the file; what came before stays loaded */
    f = load(HEAD "    s: {A: 1}\n    condition: s\n---\ntitle: [unclosed\n---\n" HEAD "    s: {A: 1}\n    condition: s\n");
    assert_int_equal(f->ndocs, 2);
    assert_non_null(f->docs[0].rule);
    assert_int_equal(f->docs[1].reason, VG_SIGMA_R_YAML);
    vg_sigma_file_free(f);
    /* empty input, only comments */
    f = load("");
    assert_int_equal(f->ndocs, 0);
    vg_sigma_file_free(f);
    f = load("# nothing\n---\n");
    assert_int_equal(f->ndocs, 0);
    vg_sigma_file_free(f);
}

/* The correlation specification's full example: a chain and two base rules in one file. */
static void test_correlation_example(void **state)
{
    (void)state;
    vg_sigma_file *f = load("title: Correlation - Multiple Failed Logins Followed by Successful Login\n"
                            "id: b180ead8-d58f-40b2-ae54-c8940995b9b6\n"
                            "status: experimental\n"
                            "date: 2023-06-16\n"
                            "correlation:\n"
                            "    type: temporal_ordered\n"
                            "    rules:\n"
                            "        - multiple_failed_login\n"
                            "        - successful_login\n"
                            "    group-by:\n"
                            "        - User\n"
                            "    timespan: 10m\n"
                            "falsepositives:\n"
                            "    - Unlikely\n"
                            "level: high\n"
                            "---\n"
                            "title: Multiple failed logons\n"
                            "name: multiple_failed_login\n"
                            "correlation:\n"
                            "    type: event_count\n"
                            "    rules:\n"
                            "        - failed_login\n"
                            "    group-by:\n"
                            "        - User\n"
                            "    timespan: 10m\n"
                            "    condition:\n"
                            "        gte: 10\n"
                            "---\n"
                            "title: Single failed login\n"
                            "name: failed_login\n"
                            "logsource:\n"
                            "    product: windows\n"
                            "    service: security\n"
                            "detection:\n"
                            "    selection:\n"
                            "        EventID:\n"
                            "            - 529\n"
                            "            - 4625\n"
                            "    condition: selection\n");
    assert_int_equal(f->ndocs, 3);
    for (uint32_t i = 0; i < 3; i++)
        if (!f->docs[i].rule)
            fail_msg("%s", f->docs[i].msg);
    const vg_sigma_correlation *c = &f->docs[0].rule->correlation;
    assert_int_equal(f->docs[0].rule->kind, VG_SIGMA_CORRELATION);
    assert_int_equal(c->type, VG_SIGMA_CORR_TEMPORAL_ORDERED);
    assert_int_equal(c->rules.n, 2);
    assert_string_equal(c->rules.v[1], "successful_login");
    assert_int_equal(c->timespan, 600);
    c = &f->docs[1].rule->correlation;
    assert_string_equal(f->docs[1].rule->meta.name, "multiple_failed_login");
    assert_int_equal(c->type, VG_SIGMA_CORR_EVENT_COUNT);
    assert_true(c->has_cmp[VG_SIGMA_CMP_GTE]);
    assert_true(c->cmp[VG_SIGMA_CMP_GTE] == 10.0);
    assert_false(c->has_cmp[VG_SIGMA_CMP_GT]);
    assert_int_equal(f->docs[2].rule->kind, VG_SIGMA_DETECTION);
    vg_sigma_file_free(f);
}

/* specification/tests/schema/correlation/: each type. */
static void test_correlation_types(void **state)
{
    (void)state;
    static const struct { const char *body; vg_sigma_corr_type type; uint64_t span; const char *field; } cases[] = {
        { "    type: value_count\n    rules:\n        - 5638f7c0-ac70-491d-8465-2a65075e0d86\n    group-by:\n"
          "        - ComputerName\n        - WorkstationName\n    timespan: 1d\n    condition:\n        field: User\n"
          "        gte: 100\n", VG_SIGMA_CORR_VALUE_COUNT, 86400, "User" },
        { "    type: temporal\n    rules:\n        - recon_cmd_a\n        - recon_cmd_b\n        - recon_cmd_c\n"
          "    group-by:\n        - ComputerName\n        - User\n    timespan: 5m\n", VG_SIGMA_CORR_TEMPORAL, 300, NULL },
        { "    type: value_sum\n    rules:\n        - website_access\n    group-by:\n        - SourceIP\n"
          "        - User\n    timespan: 1h\n    condition:\n        field: bytes_sent\n        gt: 1000000\n",
          VG_SIGMA_CORR_VALUE_SUM, 3600, "bytes_sent" },
        { "    type: value_avg\n    rules: \n        - rule_a_id\n    group-by:\n        - SourceIP\n        - User\n"
          "    timespan: 24h\n    condition:\n        field: BytesOut\n        gt: 500\n", VG_SIGMA_CORR_VALUE_AVG,
          86400, "BytesOut" },
        { "    type: value_percentile\n    rules: \n        - process_creation\n    group-by:\n        - ComputerName\n"
          "    timespan: 24h\n    condition:\n        field: Image\n        lte: 1\n", VG_SIGMA_CORR_VALUE_PERCENTILE,
          86400, "Image" },
        { "    type: event_count\n    rules:\n        - a\n    group-by:\n        - dns.question.name\n    timespan: 30s\n"
          "    condition:\n        gt: 100\n        lte: 200\n", VG_SIGMA_CORR_EVENT_COUNT, 30, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char yaml[1024];
        snprintf(yaml, sizeof yaml, "title: c\ntaxonomy: ecs\ncorrelation:\n%s", cases[i].body);
        vg_sigma_file *f = load_one(yaml);
        const vg_sigma_correlation *c = &f->docs[0].rule->correlation;
        assert_int_equal(c->type, cases[i].type);
        assert_int_equal(c->timespan, cases[i].span);
        if (cases[i].field) {
            assert_int_equal(c->field.n, 1);
            assert_string_equal(c->field.v[0], cases[i].field);
        } else {
            assert_int_equal(c->field.n, 0);
        }
        vg_sigma_file_free(f);
    }
}

static void test_correlation_aliases(void **state)
{
    (void)state;
    vg_sigma_file *f = load_one("title: x\n"
                                "correlation:\n"
                                "    type: temporal\n"
                                "    rules:\n"
                                "        - internal_error\n"
                                "        - new_network_connection\n"
                                "    group-by:\n"
                                "        - internal_ip\n"
                                "        - remote_ip\n"
                                "    timespan: 10s\n"
                                "    aliases:\n"
                                "        internal_ip:\n"
                                "            internal_error: destination.ip\n"
                                "            new_network_connection: source.ip\n"
                                "        remote_ip:\n"
                                "            internal_error: source.ip\n"
                                "            new_network_connection: destination.ip\n"
                                "    generate: true\n");
    const vg_sigma_correlation *c = &f->docs[0].rule->correlation;
    assert_int_equal(c->naliases, 2);
    assert_string_equal(c->aliases[1].alias, "remote_ip");
    assert_string_equal(c->aliases[1].rules.v[1], "new_network_connection");
    assert_string_equal(c->aliases[1].fields.v[1], "destination.ip");
    assert_int_equal(c->generate, 1);
    vg_sigma_file_free(f);
}

static void test_correlation_rejections(void **state)
{
    (void)state;
#define CORR(body) "title: c\ncorrelation:\n" body
    rejected(CORR("    type: event_count\n    rules: [a]\n    group-by: [x]\n    timespan: 1h\n"), VG_SIGMA_R_MISSING,
             "r.yml:3: a event_count correlation needs a condition");
    rejected(CORR("    type: value_count\n    rules: [a]\n    group-by: [x]\n    timespan: 1h\n    condition: {gt: 1}\n"),
             VG_SIGMA_R_MISSING, "r.yml:7: a value_count correlation needs a field in its condition");
    rejected(CORR("    type: sum\n    rules: [a]\n    group-by: [x]\n    timespan: 1h\n"), VG_SIGMA_R_VALUE,
             "r.yml:3: unknown correlation type 'sum' (event_count, value_count, temporal, temporal_ordered, value_sum, "
             "value_avg, value_percentile)");
    rejected(CORR("    type: temporal\n    rules: [a, b]\n    group-by: [x]\n    timespan: 1w\n"), VG_SIGMA_R_VALUE,
             "r.yml:6: timespan '1w' is not a number and s, m, h or d (at most 10 years)");
    rejected(CORR("    type: temporal\n    rules: [a, b]\n    timespan: 1m\n"), VG_SIGMA_R_MISSING,
             "r.yml:3: correlation has no group-by");
    rejected(CORR("    type: event_count\n    rules: [a]\n    group-by: [x]\n    timespan: 1h\n    condition: {gte: many}\n"),
             VG_SIGMA_R_TYPE, "r.yml:7: correlation condition gte needs a number");
    rejected(CORR("    type: event_count\n    rules: [a]\n    group-by: [x]\n    timespan: 1h\n    condition: {more: 1}\n"),
             VG_SIGMA_R_VALUE, "r.yml:7: unknown correlation condition 'more' (gt, gte, lt, lte, eq, neq, field)");
    rejected(CORR("    type: temporal\n    rules: [a, a]\n    group-by: [x]\n    timespan: 1m\n"), VG_SIGMA_R_DUPLICATE,
             "r.yml:4: correlation rules names 'a' twice");
    rejected(CORR("    type: temporal\n    rules: [a]\n    group-by: [x]\n    timespan: 1m\n    window: 2\n"),
             VG_SIGMA_R_VALUE, "r.yml:7: unknown correlation attribute 'window' (type, rules, group-by, timespan, "
             "condition, aliases, generate)");
    rejected(CORR("    type: event_count\n    rules: [a]\n    group-by: [x]\n    timespan: 1h\n"
                  "    condition: {gte: 2, field: User}\n"),
             VG_SIGMA_R_VALUE, "r.yml:7: a event_count correlation takes no field in its condition (only value_count, "
             "value_sum, value_avg, value_percentile do)");
#undef CORR
    assert_int_equal(vg_sigma_parse_timespan("90m", 3), 5400);
    assert_int_equal(vg_sigma_parse_timespan("2d", 2), 172800);
    assert_int_equal(vg_sigma_parse_timespan("0s", 2), -1);
    assert_int_equal(vg_sigma_parse_timespan("5M", 2), -1);
    assert_int_equal(vg_sigma_parse_timespan("m", 1), -1);
    assert_int_equal(vg_sigma_parse_timespan("99999999999d", 12), -1);
}

/* specification/tests/schema/filter/filter_1.yml */
static void test_filter(void **state)
{
    (void)state;
    vg_sigma_file *f = load_one("title: Filter Administrator account\n"
                                "description: The valid administrator account start with adm_\n"
                                "logsource:\n"
                                "    category: process_creation\n"
                                "    product: windows\n"
                                "filter:\n"
                                "    rules:\n"
                                "        - 6f3e2987-db24-4c78-a860-b4f4095a7095 # Data Compressed - rar.exe\n"
                                "        - df0841c0-9846-4e9f-ad8a-7df91571771b # Login on jump host\n"
                                "    selection:\n"
                                "        User|startswith: 'adm_'\n"
                                "    condition: selection\n");
    const vg_sigma_rule *r = f->docs[0].rule;
    assert_int_equal(r->kind, VG_SIGMA_FILTER);
    assert_int_equal(r->filter.rules.n, 2);
    assert_string_equal(r->filter.rules.v[1], "df0841c0-9846-4e9f-ad8a-7df91571771b");
    assert_int_equal(r->filter.detection.nsearches, 1);
    assert_string_equal(r->filter.detection.searches[0].name, "selection");
    assert_int_equal(r->filter.detection.searches[0].groups[0].fields[0].mods[0], VG_SIGMA_MOD_STARTSWITH);
    assert_int_equal(r->filter.detection.nconds, 1);
    vg_sigma_file_free(f);
    rejected("title: f\nlogsource: {product: windows}\nfilter:\n    selection: {A: 1}\n    condition: selection\n",
             VG_SIGMA_R_MISSING, "r.yml:4: filter has no rules");
    rejected("title: f\nfilter:\n    rules: [x]\n    selection: {A: 1}\n    condition: selection\n", VG_SIGMA_R_MISSING,
             "r.yml:1: missing logsource");
    rejected("title: f\nlogsource: {product: windows}\nfilter:\n    rules: [x]\n    selection: {A: 1}\n"
             "    condition: other\n", VG_SIGMA_R_IDENTIFIER,
             "r.yml:6: condition 'other': unknown search identifier 'other' (at offset 0)");
}

static void test_rejections_structure(void **state)
{
    (void)state;
    rejected("logsource: {product: windows}\ndetection:\n    s: {A: 1}\n    condition: s\n", VG_SIGMA_R_MISSING,
             "r.yml:1: missing title");
    rejected("title: t\ndetection:\n    s: {A: 1}\n    condition: s\n", VG_SIGMA_R_MISSING, "r.yml:1: missing logsource");
    rejected("title: t\nlogsource: {product: windows}\n", VG_SIGMA_R_MISSING,
             "r.yml:1: no detection (nor correlation or filter) section");
    rejected(HEAD "    s: {A: 1}\n", VG_SIGMA_R_MISSING, "r.yml:5: detection has no condition");
    rejected(HEAD "    condition: s\n", VG_SIGMA_R_MISSING, "r.yml:5: detection has no search identifier");
    rejected(HEAD "    s: {A: 1}\n    condition: []\n", VG_SIGMA_R_MISSING, "r.yml:6: condition is an empty list");
    rejected("title: \nlogsource: {product: windows}\ndetection: {s: {A: 1}, condition: s}\n", VG_SIGMA_R_MISSING,
             "r.yml:1: title is empty");
    rejected("title: t\nlogsource: windows\ndetection: {s: {A: 1}, condition: s}\n", VG_SIGMA_R_TYPE,
             "r.yml:2: logsource must be a mapping (category, product, service, ...)");
    rejected("title: t\nlogsource: {product: windows}\ndetection: [a]\n", VG_SIGMA_R_TYPE,
             "r.yml:3: detection must be a mapping of search identifiers and a condition");
    rejected(HEAD "    s: {A: {B: 1}}\n    condition: s\n", VG_SIGMA_R_TYPE,
             "r.yml:5: field 'A': the value must be a value or a list of values, not a mapping");
    rejected(HEAD "    s: {A: [[1]]}\n    condition: s\n", VG_SIGMA_R_TYPE,
             "r.yml:5: field 'A': a value must be a scalar, not a list");
    rejected(HEAD "    s: {A: []}\n    condition: s\n", VG_SIGMA_R_TYPE, "r.yml:5: field 'A': empty list of values");
    rejected(HEAD "    s:\n    condition: s\n", VG_SIGMA_R_TYPE, "r.yml:5: search identifier 's' is empty");
    rejected(HEAD "    s: [[a]]\n    condition: s\n", VG_SIGMA_R_TYPE, "r.yml:5: search identifier 's': a list inside "
             "a list");
    rejected(HEAD "    s: {A: 1}\n    condition: {x: 1}\n", VG_SIGMA_R_TYPE,
             "r.yml:6: condition must be a string or a list of strings");
    rejected("title: [a]\nlogsource: {product: windows}\ndetection: {s: {A: 1}, condition: s}\n", VG_SIGMA_R_TYPE,
             "r.yml:1: title must be a string, not a list");
    rejected("title: t\ntags: attack.t1\nlogsource: {product: windows}\ndetection: {s: {A: 1}, condition: s}\n",
             VG_SIGMA_R_TYPE, "r.yml:2: tags must be a list of strings");
    rejected("- a\n- b\n", VG_SIGMA_R_KIND, "r.yml:1: a rule must be a mapping (title, logsource, detection, ...)");
    rejected("title: t\nlogsource: {product: windows}\ndetection: {s: {A: 1}, condition: s}\n"
             "correlation: {type: temporal}\n", VG_SIGMA_R_KIND,
             "r.yml:4: a rule has exactly one of detection, correlation and filter (this one has detection and "
             "correlation)");
    rejected("title: t\nstatus: beta\nlogsource: {product: windows}\ndetection: {s: {A: 1}, condition: s}\n",
             VG_SIGMA_R_VALUE, "r.yml:2: status 'beta' is not one of stable, test, experimental, deprecated, unsupported");
    rejected("title: t\nlevel: severe\nlogsource: {product: windows}\ndetection: {s: {A: 1}, condition: s}\n",
             VG_SIGMA_R_VALUE, "r.yml:2: level 'severe' is not one of informational, low, medium, high, critical");
    rejected("title: t\ndate: 2023/01/02\nlogsource: {product: windows}\ndetection: {s: {A: 1}, condition: s}\n",
             VG_SIGMA_R_VALUE, "r.yml:2: date '2023/01/02' is not a date YYYY-MM-DD");
    rejected("title: t\nrelated:\n    - id: x\n      type: cousin\nlogsource: {product: windows}\n"
             "detection: {s: {A: 1}, condition: s}\n", VG_SIGMA_R_VALUE,
             "r.yml:4: related type 'cousin' is not one of derived, obsolete, merged, renamed, similar");
    rejected("title: t\nrelated:\n    - id: x\nlogsource: {product: windows}\ndetection: {s: {A: 1}, condition: s}\n",
             VG_SIGMA_R_MISSING, "r.yml:3: related item without type");
    /* the title limit of the specification: 256 characters (not bytes) */
    char yaml[2048];
    char title[300];
    memset(title, 'x', 257);
    title[257] = '\0';
    snprintf(yaml, sizeof yaml, "title: %s\nlogsource: {product: windows}\ndetection: {s: {A: 1}, condition: s}\n", title);
    rejected(yaml, VG_SIGMA_R_VALUE, "r.yml:1: title is longer than 256 characters");
    char utf[800] = "";
    for (int i = 0; i < 256; i++)
        strcat(utf, "\xc3\xa9");     /* 256 characters, 512 bytes */
    snprintf(yaml, sizeof yaml, "title: %s\nlogsource: {product: windows}\ndetection: {s: {A: 1}, condition: s}\n", utf);
    vg_sigma_file_free(load_one(yaml));
    /* custom attributes are allowed and counted */
    vg_sigma_file *f = load_one("title: t\nsimulation: {a: 1}\nregression_tests_path: x\nlogsource: {product: w}\n"
                                "detection: {s: {A: 1}, condition: s}\n");
    assert_int_equal(f->docs[0].rule->meta.ncustom, 2);
    vg_sigma_file_free(f);
}

static void test_rejections_yaml_and_keys(void **state)
{
    (void)state;
    rejected("title: t\nlogsource: {product: windows\n", VG_SIGMA_R_YAML,
             "r.yml:3: invalid YAML: while parsing a flow mapping: did not find expected ',' or '}'");
    rejected("title: t\n  bad indent: x\n", VG_SIGMA_R_YAML,
             "r.yml:2: invalid YAML: mapping values are not allowed in this context");
    rejected("title: t\ntitle: u\n", VG_SIGMA_R_DUPLICATE, "r.yml:2: key 'title' of the rule given twice (first on line 1)");
    rejected(HEAD "    s:\n        A: 1\n        A: 2\n    condition: s\n", VG_SIGMA_R_DUPLICATE,
             "r.yml:7: key 'A' of s given twice (first on line 6)");
    rejected(HEAD "    s: {A: 1}\n    s: {A: 2}\n    condition: s\n", VG_SIGMA_R_DUPLICATE,
             "r.yml:6: key 's' of detection given twice (first on line 5)");
    rejected("title: t\nlogsource: {product: a, product: b}\ndetection: {s: {A: 1}, condition: s}\n",
             VG_SIGMA_R_DUPLICATE, "r.yml:2: key 'product' of logsource given twice (first on line 2)");
    rejected(HEAD "    s: {[a]: 1}\n    condition: s\n", VG_SIGMA_R_TYPE, "r.yml:5: a key of s is not a string");
}

static void test_rejections_modifiers(void **state)
{
    (void)state;
    static const struct { const char *sel; vg_sigma_reason r; const char *msg; } cases[] = {
        { "A|contain: x", VG_SIGMA_R_MODIFIER, "field 'A': unknown modifier 'contain'" },
        { "A||contains: x", VG_SIGMA_R_MODIFIER, "field 'A': empty modifier (two '|' in a row or a trailing '|')" },
        { "A|contains|: x", VG_SIGMA_R_MODIFIER, "field 'A': empty modifier (two '|' in a row or a trailing '|')" },
        { "A|contains|contains: x", VG_SIGMA_R_MODIFIER_USE, "field 'A': modifier contains given twice" },
        { "A|re|contains: x", VG_SIGMA_R_MODIFIER_USE,
          "field 'A': modifiers re and contains cannot be combined: a regular expression is matched as written" },
        { "A|contains|re: x", VG_SIGMA_R_MODIFIER_USE,
          "field 'A': modifiers contains and re cannot be combined: a regular expression is matched as written" },
        { "A|re|cased: x", VG_SIGMA_R_MODIFIER_USE, "field 'A': modifiers re and cased cannot be combined: re is "
          "case-sensitive already (re|i makes it insensitive)" },
        { "A|i|re: x", VG_SIGMA_R_MODIFIER_USE, "field 'A': i is a sub-modifier of re and must follow it" },
        { "A|contains|m: x", VG_SIGMA_R_MODIFIER_USE, "field 'A': m is a sub-modifier of re and must follow it" },
        { "A|startswith|endswith: x", VG_SIGMA_R_MODIFIER_USE, "field 'A': modifiers startswith and endswith cannot "
          "be combined" },
        { "A|base64|base64offset: x", VG_SIGMA_R_MODIFIER_USE, "field 'A': modifiers base64 and base64offset cannot "
          "be combined" },
        { "A|utf16le|wide|base64: x", VG_SIGMA_R_MODIFIER_USE, "field 'A': modifiers utf16le and wide cannot be "
          "combined" },
        { "A|gt|lt: 5", VG_SIGMA_R_MODIFIER_USE, "field 'A': modifiers gt and lt cannot be combined" },
        { "A|gt|contains: 5", VG_SIGMA_R_MODIFIER_USE, "field 'A': modifiers gt and contains cannot be combined: "
          "numeric comparisons take plain numbers" },
        { "A|gt: abc", VG_SIGMA_R_MODIFIER_USE, "field 'A': gt needs a number, not string 'abc'" },
        { "A|lte: true", VG_SIGMA_R_MODIFIER_USE, "field 'A': lte needs a number, not boolean 'true'" },
        { "A|gt|hour: 5", VG_SIGMA_R_MODIFIER_USE, "field 'A': hour extracts the number that gt compares, so it must "
          "come first" },
        { "A|day|contains: 5", VG_SIGMA_R_MODIFIER_USE, "field 'A': modifiers day and contains cannot be combined: "
          "time parts are numbers" },
        { "A|exists: 'yes'", VG_SIGMA_R_MODIFIER_USE, "field 'A': exists takes true or false, not string 'yes'" },
        { "A|exists: yes", VG_SIGMA_R_MODIFIER_USE, "field 'A': exists takes true or false, not string 'yes'" },
        { "A|exists: [true, false]", VG_SIGMA_R_MODIFIER_USE, "field 'A': exists takes true or false, not a list 'true'" },
        { "A|exists|contains: true", VG_SIGMA_R_MODIFIER_USE, "field 'A': modifiers exists and contains cannot be "
          "combined: exists stands alone" },
        { "A|cidr: 10.0.0.300/8", VG_SIGMA_R_MODIFIER_USE, "field 'A': cidr needs an IPv4 or IPv6 network "
          "(address/prefix), not '10.0.0.300/8'" },
        { "A|cidr: 10.0.0.0/33", VG_SIGMA_R_MODIFIER_USE, "field 'A': cidr needs an IPv4 or IPv6 network "
          "(address/prefix), not '10.0.0.0/33'" },
        { "A|cidr: evil.com", VG_SIGMA_R_MODIFIER_USE, "field 'A': cidr needs an IPv4 or IPv6 network "
          "(address/prefix), not 'evil.com'" },
        { "A|cidr|contains: 10.0.0.0/8", VG_SIGMA_R_MODIFIER_USE, "field 'A': modifiers cidr and contains cannot be "
          "combined: cidr matches addresses against networks" },
        { "A|fieldref|base64: B", VG_SIGMA_R_MODIFIER_USE, "field 'A': modifiers fieldref and base64 cannot be "
          "combined: fieldref compares with another field's value as it is" },
        { "A|fieldref: ''", VG_SIGMA_R_MODIFIER_USE, "field 'A': fieldref needs a field name" },
        { "A|all: x", VG_SIGMA_R_ALL_SINGLE, "field 'A': the all modifier on a single value (the specification "
          "forbids it; use a separate selection)" },
        { "A|contains|all: [x]", VG_SIGMA_R_ALL_SINGLE, "field 'A': the all modifier on a single value (the "
          "specification forbids it; use a separate selection)" },
        { "A|contains: null", VG_SIGMA_R_MODIFIER_USE, "field 'A': contains cannot apply to null" },
        { "A|contains: true", VG_SIGMA_R_MODIFIER_USE, "field 'A': contains applies to strings, and true is a "
          "boolean (quote it to mean the text)" },
        { "A: [x, ~]", VG_SIGMA_R_NULL_IN_LIST, "field 'A': null inside a list of values (null must be a selection "
          "of its own)" },
        { "'|exists': true", VG_SIGMA_R_MODIFIER_USE, "keyword search with exists: it needs a field name" },
        { "'|all': x", VG_SIGMA_R_ALL_SINGLE, "field '(keywords)': the all modifier on a single value (the "
          "specification forbids it; use a separate selection)" },
        { "A|a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p|q: x", VG_SIGMA_R_MODIFIER, "field 'A': unknown modifier 'a'" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char yaml[512], msg[512];
        snprintf(yaml, sizeof yaml, HEAD "    s:\n        %s\n    condition: s\n", cases[i].sel);
        snprintf(msg, sizeof msg, "r.yml:6: %s", cases[i].msg);
        rejected(yaml, cases[i].r, msg);
    }
    /* a keyword list may not hold null either */
    rejected(HEAD "    k:\n        - a\n        - null\n    condition: k\n", VG_SIGMA_R_NULL_IN_LIST,
             "r.yml:7: field '(keywords)': null inside a list of values (null must be a selection of its own)");
    /* more modifiers than the limit (17 distinct names) */
    rejected(HEAD "    s:\n        A|all|startswith|endswith|contains|exists|cased|neq|windash|re|i|m|s|base64|base64offset|"
             "utf16le|utf16be|utf16: x\n    condition: s\n", VG_SIGMA_R_LIMIT, "r.yml:6: field 'A': more than 16 modifiers");
}

static void test_rejections_condition(void **state)
{
    (void)state;
    rejected(HEAD "    sel: {A: 1}\n    filter: {B: 1}\n    condition: sel and not filtr\n", VG_SIGMA_R_IDENTIFIER,
             "r.yml:7: condition 'sel and not filtr': unknown search identifier 'filtr' (at offset 12)");
    rejected(HEAD "    sel: {A: 1}\n    condition: sel and not 1 of filter*\n", VG_SIGMA_R_IDENTIFIER,
             "r.yml:6: condition 'sel and not 1 of filter*': pattern 'filter*' matches no search identifier "
             "(at offset 17)");
    rejected(HEAD "    _sel: {A: 1}\n    condition: 1 of them\n", VG_SIGMA_R_IDENTIFIER,
             "r.yml:6: condition '1 of them': 'them' names no search identifier (identifiers starting with '_' are "
             "left out) (at offset 5)");
    rejected(HEAD "    sel: {A: 1}\n    condition: sel | count() by x > 5\n", VG_SIGMA_R_CONDITION,
             "r.yml:6: condition 'sel | count() by x > 5': expected 'and', 'or' or the end of the condition, found "
             "'|' (at offset 4)");
    rejected(HEAD "    sel: {A: 1}\n    condition:\n        - sel\n        - (sel\n", VG_SIGMA_R_CONDITION,
             "r.yml:8: condition '(sel': parenthesis '(' is never closed (at offset 0)");
    /* them leaves out _x; the rule loads */
    vg_sigma_file *f = load_one(HEAD "    sel1: {A: 1}\n    sel2: {B: 1}\n    _x: {C: 1}\n"
                                "    condition: 1 of them and not _x\n");
    const vg_sigma_cond *c = &f->docs[0].rule->detection.conds[0];
    const vg_sigma_cnode *of = &c->nodes[c->nodes[c->root].a];
    assert_int_equal(of->kind, VG_SIGMA_C_OF);
    assert_int_equal(of->b, 2);
    vg_sigma_file_free(f);
}

static void test_limits(void **state)
{
    (void)state;
    /* too big */
    vg_sigma_file *f = NULL;
    vg_error err;
    assert_int_equal(vg_sigma_load_mem(&f, "big.yml", "", (size_t)VG_SIGMA_MAX_FILE + 1, &err), VG_ERR_LIMIT);
    assert_null(f);
    /* alias bomb: each level doubles the nodes visited */
    char yaml[4096];
    size_t n = (size_t)snprintf(yaml, sizeof yaml, HEAD "    l0: &l0 {A: [x, x]}\n");
    for (int i = 1; i < 24; i++)
        n += (size_t)snprintf(yaml + n, sizeof yaml - n, "    l%d: &l%d [*l%d, *l%d]\n", i, i, i - 1, i - 1);
    snprintf(yaml + n, sizeof yaml - n, "    condition: l0\n");
    f = load(yaml);
    assert_int_equal(f->ndocs, 1);
    assert_null(f->docs[0].rule);
    assert_int_equal(f->docs[0].reason, VG_SIGMA_R_TYPE);     /* a list of lists is refused first */
    vg_sigma_file_free(f);
    /* aliases multiply the nodes visited: the visit budget stops them */
    static char bomb[16384];
    n = (size_t)snprintf(bomb, sizeof bomb, HEAD "    v: &v [");
    for (int i = 0; i < 1000; i++)
        n += (size_t)snprintf(bomb + n, sizeof bomb - n, "x, ");
    n += (size_t)snprintf(bomb + n, sizeof bomb - n, "x]\n    m: &m {");
    for (int i = 0; i < 16; i++)
        n += (size_t)snprintf(bomb + n, sizeof bomb - n, "F%d: *v, ", i);
    n += (size_t)snprintf(bomb + n, sizeof bomb - n, "G: *v}\n    s: [");
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(bomb + n, sizeof bomb - n, "*m, ");
    snprintf(bomb + n, sizeof bomb - n, "*m]\n    condition: s\n");
    f = load(bomb);
    assert_int_equal(f->ndocs, 1);
    assert_null(f->docs[0].rule);
    assert_int_equal(f->docs[0].reason, VG_SIGMA_R_LIMIT);
    vg_sigma_file_free(f);
    /* a condition over the length limit */
    static char big[VG_SIGMA_COND_MAX_LEN + 200];
    n = (size_t)snprintf(big, sizeof big, HEAD "    s: {A: 1}\n    condition: s");
    while (n < VG_SIGMA_COND_MAX_LEN + 100)
        n += (size_t)snprintf(big + n, sizeof big - n, " or s");
    snprintf(big + n, sizeof big - n, "\n");
    f = load(big);
    assert_int_equal(f->docs[0].reason, VG_SIGMA_R_LIMIT);
    vg_sigma_file_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_whoami),
        cmocka_unit_test(test_spec_lists_and_maps),
        cmocka_unit_test(test_spec_null_and_exists),
        cmocka_unit_test(test_typing_and_quoting),
        cmocka_unit_test(test_modifiers),
        cmocka_unit_test(test_placeholders),
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_multi_document),
        cmocka_unit_test(test_correlation_example),
        cmocka_unit_test(test_correlation_types),
        cmocka_unit_test(test_correlation_aliases),
        cmocka_unit_test(test_correlation_rejections),
        cmocka_unit_test(test_filter),
        cmocka_unit_test(test_rejections_structure),
        cmocka_unit_test(test_rejections_yaml_and_keys),
        cmocka_unit_test(test_rejections_modifiers),
        cmocka_unit_test(test_rejections_condition),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
