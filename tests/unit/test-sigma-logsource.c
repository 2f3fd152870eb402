/*
 * test-sigma-logsource: the built-in logsource mapping on events the real decoders produce
 * (Sysmon and Security in the evtx shape, NXLog and Winlogbeat, sshd through syslog, an access
 * log line): which sources an event belongs to, which sources serve a rule's logsource, and
 * where field names are found (event data members in every shape, Data element lists, names
 * with spaces, Security 4688 renames, ECS paths). Then mapping files with mistakes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "decode-fixture.h"
#include "sigma-logsource.h"
#include "sigma-fixture.h"

/* The names of the sources ev belongs to, space-separated. */
static const char *classify(void)
{
    static char out[512];
    uint16_t ids[32];
    size_t n = vg_sigma_mapping_classify(map, &ev, ids, 32, NULL), o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(out + o, sizeof out - o, "%s%s", i ? " " : "", vg_sigma_source_name(map, ids[i]));
    return out;
}

static size_t source_index(const char *name)
{
    for (size_t i = 0; i < vg_sigma_mapping_count(map); i++)
        if (strcmp(vg_sigma_source_name(map, i), name) == 0)
            return i;
    fail_msg("no source %s", name);
    return 0;
}

/* Asserts that field name of a source-src event is want (a string) in ev. */
static void expect_field(const char *src, const char *name, const char *want)
{
    vg_sigma_place f;
    vg_error e;
    if (vg_sigma_mapping_field(map, source_index(src), name, &f, &e) != VG_OK)
        fail_msg("%s: %s", name, e.msg);
    vg_value v = vg_sigma_place_value(&f, &ev);
    /* the event data index gives the same answer, walked fresh or reused after other lookups,
     * with the place among others of both kinds */
    vg_sigma_place places[3] = { { VG_SIGMA_PLACE_EVENTDATA, "Image", 5 }, f,
                                 { VG_SIGMA_PLACE_PATH, "event.code", 10 } };
    vg_sigma_evidx *idx;
    vg_error ie;
    assert_int_equal(vg_sigma_evidx_new(&idx, places, 3, &ie), VG_OK);
    vg_value i0 = vg_sigma_evidx_value(idx, 1, &ev);
    (void)vg_sigma_evidx_value(idx, 0, &ev);
    vg_value i1 = vg_sigma_evidx_value(idx, 1, &ev);
    vg_sigma_evidx_free(idx);
    assert_int_equal(i0.type, v.type);
    assert_int_equal(i1.type, v.type);
    assert_int_equal(i1.len, v.len);
    assert_ptr_equal(i1.ptr, v.ptr);
    char buf[512];
    if (!want) {
        assert_int_equal(v.type, VG_JSON_NONE);
        return;
    }
    if (v.type == VG_JSON_NUMBER) {
        snprintf(buf, sizeof buf, "%.*s", (int)v.len, v.ptr);
    } else if (vg_value_string(&v, buf, sizeof buf) < 0) {
        fail_msg("%s: not a string (type %d)", name, v.type);
    }
    assert_string_equal(buf, want);
}

static const char sysmon1[] =
    "{'Event':{'System':{'Provider':{'#attributes':{'Name':'Microsoft-Windows-Sysmon'}},'EventID':1,"
    "'TimeCreated':{'#attributes':{'SystemTime':'2026-01-02T03:04:05Z'}},"
    "'Channel':'Microsoft-Windows-Sysmon/Operational','Computer':'ws1'},"
    "'EventData':{'Image':'C:\\\\Windows\\\\System32\\\\cmd.exe','CommandLine':'cmd /c whoami',"
    "'Product Name':'Microsoft Windows'}}}";

static void test_sysmon_evtx(void **state)
{
    (void)state;
    assert_int_equal(decode_json_as(vg_decoder_find("windows"), sysmon1), VG_OK);
    assert_string_equal(classify(), "sysmon-1 windows-other");
    expect_field("sysmon-1", "Image", "C:\\Windows\\System32\\cmd.exe");
    expect_field("sysmon-1", "CommandLine", "cmd /c whoami");
    expect_field("sysmon-1", "ProductName", "Microsoft Windows");   /* spaces ignored */
    expect_field("sysmon-1", "EventID", "1");
    expect_field("sysmon-1", "Channel", "Microsoft-Windows-Sysmon/Operational");
    expect_field("sysmon-1", "Computer", "ws1");
    expect_field("sysmon-1", "ParentImage", NULL);
}

static void test_security_4688_renames(void **state)
{
    (void)state;
    assert_int_equal(decode_json_as(vg_decoder_find("windows"),
        "{'Event':{'System':{'Provider':{'#attributes':{'Name':'Microsoft-Windows-Security-Auditing'}},"
        "'EventID':4688,'Channel':'Security','Computer':'dc1'},'EventData':{'Data':["
        "{'#attributes':{'Name':'NewProcessName'},'#text':'C:\\\\x.exe'},"
        "{'#attributes':{'Name':'ParentProcessName'},'#text':'C:\\\\p.exe'},"
        "{'#attributes':{'Name':'CommandLine'}}]}}}"), VG_OK);
    assert_string_equal(classify(), "security-4688 security windows-other");
    expect_field("security-4688", "Image", "C:\\x.exe");
    expect_field("security-4688", "ParentImage", "C:\\p.exe");
    expect_field("security-4688", "CommandLine", "");          /* a Data element without text */
    expect_field("security", "NewProcessName", "C:\\x.exe");
}

static void test_other_windows_shapes(void **state)
{
    (void)state;
    assert_int_equal(decode_json_as(vg_decoder_find("windows"),
        "{'@timestamp':'2026-01-02T03:04:05Z','winlog':{'channel':'Microsoft-Windows-Sysmon/Operational',"
        "'event_id':3,'provider_name':'Microsoft-Windows-Sysmon','computer_name':'ws2',"
        "'event_data':{'DestinationIp':'203.0.113.5','Image':'C:\\\\a.exe'}}}"), VG_OK);
    assert_string_equal(classify(), "sysmon-3 windows-other");
    expect_field("sysmon-3", "DestinationIp", "203.0.113.5");
    assert_int_equal(decode_json_as(vg_decoder_find("windows"),
        "{'EventTime':'2026-01-02 03:04:05','Hostname':'ws3','EventID':4104,"
        "'SourceName':'Microsoft-Windows-PowerShell','Channel':'Microsoft-Windows-PowerShell/Operational',"
        "'ScriptBlockText':'IEX (New-Object Net.WebClient)'}"), VG_OK);
    assert_string_equal(classify(), "powershell-4104 powershell windows-other");
    expect_field("powershell-4104", "ScriptBlockText", "IEX (New-Object Net.WebClient)");
}

/* Member names the event data index cannot stand for: escaped, spaced, duplicated. */
static void test_eventdata_index(void **state)
{
    (void)state;
    assert_int_equal(decode_json_as(vg_decoder_find("windows"),
        "{'Event':{'System':{'Provider':{'#attributes':{'Name':'Microsoft-Windows-Sysmon'}},'EventID':1,"
        "'Channel':'Microsoft-Windows-Sysmon/Operational','Computer':'ws1'},"
        "'EventData':{'Com\\u006dandLine':'esc','Image':'first','Image':'second','Parent Image':'sp',"
        "'User':'u'}}}"), VG_OK);
    expect_field("sysmon-1", "CommandLine", "esc");     /* escaped key: found by the full walk */
    expect_field("sysmon-1", "Image", "first");         /* the first of duplicates, as vg_json_member */
    expect_field("sysmon-1", "ParentImage", "sp");      /* spaces ignored */
    expect_field("sysmon-1", "User", "u");
    expect_field("sysmon-1", "Hashes", NULL);
    /* an escaped name before a plain one of the same name: the escaped one is the first */
    assert_int_equal(decode_json_as(vg_decoder_find("windows"),
        "{'Event':{'System':{'Provider':{'#attributes':{'Name':'Microsoft-Windows-Sysmon'}},'EventID':1,"
        "'Channel':'Microsoft-Windows-Sysmon/Operational','Computer':'ws1'},"
        "'EventData':{'Im\\u0061ge':'escaped','Image':'plain','User':'u'}}}"), VG_OK);
    expect_field("sysmon-1", "Image", "escaped");
    expect_field("sysmon-1", "User", "u");
    /* names over 16 bytes that differ from a wanted one only in their middle bytes, and names
     * of every length class (1-3, 4-7, 8-16 bytes) */
    assert_int_equal(decode_json_as(vg_decoder_find("windows"),
        "{'Event':{'System':{'Provider':{'#attributes':{'Name':'Microsoft-Windows-Sysmon'}},'EventID':1,"
        "'Channel':'Microsoft-Windows-Sysmon/Operational','Computer':'ws1'},"
        "'EventData':{'ParentCoXmandLine':'x','ParentProcessGuiX':'y','A':'1','Abc':'3','Abcdefg':'7',"
        "'Abcdefgh':'8','Abcdefghijklmnop':'16'}}}"), VG_OK);
    expect_field("sysmon-1", "ParentCommandLine", NULL);
    expect_field("sysmon-1", "ParentProcessGuid", NULL);
    expect_field("sysmon-1", "A", "1");
    expect_field("sysmon-1", "Abc", "3");
    expect_field("sysmon-1", "Abd", NULL);
    expect_field("sysmon-1", "Abcdefg", "7");
    expect_field("sysmon-1", "Abcdefgh", "8");
    expect_field("sysmon-1", "Abcdefghijklmnop", "16");
    expect_field("sysmon-1", "Abcdefghijklmnoq", NULL);
    /* a space anywhere in a name makes the index incomplete: in a short name, in the last
     * bytes of a long one, as the eighth byte */
    static const char *const spaced[][3] = {
        { "Use r", "User", "short" },
        { "ParentCommandLin e", "ParentCommandLine", "tail" },
        { "Compan y", "Company", "eighth" },
        { "CurrentDirector y", "CurrentDirectory", "seventeenth" },
    };
    for (size_t i = 0; i < sizeof spaced / sizeof spaced[0]; i++) {
        char json[512];
        snprintf(json, sizeof json,
                 "{'Event':{'System':{'Provider':{'#attributes':{'Name':'Microsoft-Windows-Sysmon'}},'EventID':1,"
                 "'Channel':'Microsoft-Windows-Sysmon/Operational','Computer':'ws1'},"
                 "'EventData':{'Image':'i','%s':'%s','LongerNameWithout':'x'}}}", spaced[i][0], spaced[i][2]);
        assert_int_equal(decode_json_as(vg_decoder_find("windows"), json), VG_OK);
        expect_field("sysmon-1", spaced[i][1], spaced[i][2]);
    }
}

/* What classification read is handed over: the values of the mapping's plain paths. */
static void test_classify_keyvals(void **state)
{
    (void)state;
    assert_int_equal(decode_json_as(vg_decoder_find("windows"), sysmon1), VG_OK);
    vg_sigma_keyvals kv;
    uint16_t ids[32];
    memset(&kv, 0xff, sizeof kv);       /* nothing of an earlier event may stay */
    assert_int_equal(vg_sigma_mapping_classify(map, &ev, ids, 32, &kv), 2);
    int code = vg_sigma_mapping_key(map, "event.code", 10), chan = vg_sigma_mapping_key(map, "winlog.channel", 14);
    assert_true(code >= 0 && chan >= 0 && code != chan);
    assert_int_equal(vg_sigma_mapping_key(map, "event.cod", 9), -1);
    assert_int_equal(vg_sigma_mapping_key(map, "event.codes", 11), -1);
    assert_int_equal(vg_sigma_mapping_key(map, "Image", 5), -1);
    const int keys[] = { code, chan };
    const char *const paths[] = { "event.code", "winlog.channel" };
    for (size_t i = 0; i < 2; i++) {
        vg_value want = vg_event_get(&ev, paths[i]);
        assert_true(kv.have[keys[i]]);
        assert_int_equal(kv.vals[keys[i]].type, want.type);
        assert_int_equal(kv.vals[keys[i]].len, want.len);
        assert_ptr_equal(kv.vals[keys[i]].ptr, want.ptr);
    }
    size_t read = 0;
    for (size_t k = 0; k < VG_SIGMA_MAX_KEYS; k++)
        read += kv.have[k] != 0;
    assert_true(read >= 2 && read < VG_SIGMA_MAX_KEYS);    /* only the paths it looked at */
    /* a text event: the decoder decides; no Windows path is claimed as read */
    accept_line(vg_decoder_find("syslog"), "Mar  3 10:00:01 gw sshd[101]: Failed password for root from 192.0.2.11");
    memset(&kv, 0xff, sizeof kv);
    (void)vg_sigma_mapping_classify(map, &ev, ids, 32, &kv);
    assert_false(kv.have[code]);
    assert_false(kv.have[chan]);
}

/* The names of sources ids[0..n), space-separated, into out. */
static const char *source_names(const uint16_t *ids, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && o < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? " " : "", vg_sigma_source_name(map, ids[i]));
    return out;
}

/* Classifies ev with kv (kept from the events before) and checks it against a classification
 * from nothing: the same sources, and for each plain key read, the value vg_event_get gives. */
static void expect_same_as_fresh(vg_sigma_keyvals *kv)
{
    uint16_t ids[32];
    char got[512];
    size_t n = vg_sigma_mapping_classify(map, &ev, ids, 32, kv);
    source_names(ids, n, got, sizeof got);
    assert_string_equal(got, classify());
    static const char *const paths[] = { "event.code", "winlog.channel", "event.dataset" };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        int k = vg_sigma_mapping_key(map, paths[i], strlen(paths[i]));
        assert_true(k >= 0);
        if (!kv->have[k])
            continue;
        vg_value v = vg_event_get(&ev, paths[i]);
        assert_int_equal(kv->vals[k].type, v.type);
        assert_int_equal(kv->vals[k].len, v.len);
        assert_ptr_equal(kv->vals[k].ptr, v.ptr);
    }
}

/* One kv through events of several shapes, again and again: what it remembers of the last
 * event's field names is checked by pointer at each position, and an equal name at another
 * address set after the first wins, as in vg_event_get. */
static void test_classify_shape_cache(void **state)
{
    (void)state;
    static const char code_again[] = "event.code";      /* the decoder's name at another address */
    int code = vg_sigma_mapping_key(map, "event.code", 10);
    assert_true(code >= 0);
    vg_sigma_keyvals kv;
    memset(&kv, 0, sizeof kv);
    for (int round = 0; round < 3; round++) {
        assert_int_equal(decode_json_as(vg_decoder_find("windows"), sysmon1), VG_OK);
        expect_same_as_fresh(&kv);
        assert_true(kv.have[code]);
        assert_int_equal(decode_json_as(vg_decoder_find("windows"), sysmon1), VG_OK);
        assert_int_equal(vg_event_set_str(&ev, code_again, "3", 1), VG_OK);
        expect_same_as_fresh(&kv);
        assert_int_equal(kv.vals[code].len, 1);
        assert_memory_equal(kv.vals[code].ptr, "3", 1);
        accept_line(vg_decoder_find("syslog"), "Mar  3 10:00:01 gw sshd[101]: Failed password for root from 192.0.2.11");
        expect_same_as_fresh(&kv);
        assert_false(kv.have[code]);
    }
}

static void test_sysmon_registry_kinds(void **state)
{
    (void)state;
    static const char *const types[][2] = { { "CreateKey", "sysmon-12-add sysmon-12 windows-other" },
                                            { "DeleteValue", "sysmon-12-delete sysmon-12 windows-other" },
                                            { "RenameKey", "sysmon-12 windows-other" } };
    char json[1024];
    for (size_t i = 0; i < 3; i++) {
        snprintf(json, sizeof json, "{'Event':{'System':{'Provider':{'#attributes':{'Name':'Microsoft-Windows-Sysmon'}},"
                 "'EventID':12,'Channel':'Microsoft-Windows-Sysmon/Operational','Computer':'ws1'},"
                 "'EventData':{'EventType':'%s','TargetObject':'HKLM\\\\SOFTWARE\\\\x'}}}", types[i][0]);
        assert_int_equal(decode_json_as(vg_decoder_find("windows"), json), VG_OK);
        assert_string_equal(classify(), types[i][1]);
    }
    uint16_t ids[8];
    assert_int_equal(vg_sigma_mapping_sources_for(map, "windows", "registry_delete", NULL, ids, 8), 1);
    assert_string_equal(vg_sigma_source_name(map, ids[0]), "sysmon-12-delete");
    assert_int_equal(vg_sigma_mapping_sources_for(map, "windows", "registry_event", NULL, ids, 8), 3);
}

static void test_rule_logsources(void **state)
{
    (void)state;
    uint16_t ids[64];
    assert_int_equal(vg_sigma_mapping_sources_for(map, "windows", "process_creation", NULL, ids, 64), 2);
    assert_string_equal(vg_sigma_source_name(map, ids[0]), "sysmon-1");
    assert_string_equal(vg_sigma_source_name(map, ids[1]), "security-4688");
    assert_int_equal(vg_sigma_mapping_sources_for(map, NULL, "webserver", NULL, ids, 64), 1);
    assert_int_equal(vg_sigma_mapping_sources_for(map, "linux", NULL, "sshd", ids, 64), 1);
    assert_int_equal(vg_sigma_mapping_sources_for(map, "azure", NULL, "signinlogs", ids, 64), 0);
    assert_int_equal(vg_sigma_mapping_sources_for(map, "macos", "process_creation", NULL, ids, 64), 0);
    assert_int_equal(vg_sigma_mapping_sources_for(map, "linux", "process_creation", NULL, ids, 64), 2);
    assert_string_equal(vg_sigma_source_name(map, ids[0]), "linux-sysmon-1");
    assert_string_equal(vg_sigma_source_name(map, ids[1]), "linux-auditd-process");
    /* a rule naming only product: linux is served by every Linux source but Sysmon's and the
     * joined audit execs' (product_rules: false) */
    size_t n = vg_sigma_mapping_sources_for(map, "linux", NULL, NULL, ids, 64);
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++)
        assert_true(!strstr(vg_sigma_source_name(map, ids[i]), "sysmon") &&
                    !strstr(vg_sigma_source_name(map, ids[i]), "process"));
}

/* Sysmon for Linux, through syslog and bare: its own sources (not linux-syslog), Sysmon's
 * field names. */
static void test_sysmon_linux_sources(void **state)
{
    (void)state;
    const vg_decoder *syslog = vg_decoder_find("syslog"), *bare = vg_decoder_find("sysmon-linux");
    accept_line(syslog, "Oct 12 12:00:00 web01 sysmon: <Event><System><EventID>1</EventID></System><EventData>"
                        "<Data Name=\"Image\">/usr/bin/nc</Data><Data Name=\"CommandLine\">nc -e /bin/sh &amp;</Data>"
                        "<Data Name=\"LogonId\">0</Data></EventData></Event>");
    assert_string_equal(classify(), "linux-sysmon-1 linux-sysmon-other");
    expect_field("linux-sysmon-1", "Image", "/usr/bin/nc");
    expect_field("linux-sysmon-1", "CommandLine", "nc -e /bin/sh &");
    expect_field("linux-sysmon-1", "LogonId", "0");
    expect_field("linux-sysmon-1", "EventID", "1");
    expect_field("linux-sysmon-1", "ParentImage", NULL);
    accept_line(bare, "<Event><System><EventID>26</EventID></System><EventData>"
                      "<Data Name='TargetFilename'>/var/log/syslog</Data></EventData></Event>");
    assert_string_equal(classify(), "linux-sysmon-23-26 linux-sysmon-other");
    expect_field("linux-sysmon-23-26", "TargetFilename", "/var/log/syslog");
    accept_line(syslog, "Oct 12 12:00:00 web01 sysmon: Sysmon started.");
    assert_string_equal(classify(), "linux-syslog");
}

static void test_text_sources(void **state)
{
    (void)state;
    const vg_decoder *syslog = vg_decoder_find("syslog"), *access = vg_decoder_find("access");
    accept_line(syslog, "Mar  3 10:00:01 gw sshd[101]: Failed password for root from 192.0.2.11 port 50022 ssh2");
    assert_string_equal(classify(), "linux-sshd linux-syslog");
    expect_field("linux-sshd", "program", "sshd");
    vg_sigma_place f;
    vg_error e;
    assert_int_equal(vg_sigma_mapping_field(map, source_index("linux-sshd"), "CommandLine", &f, &e), VG_ERR_NOTFOUND);
    assert_non_null(strstr(e.msg, "not mapped for linux-sshd events"));
    accept_line(access, "203.0.113.9 - - [10/Oct/2025:13:55:36 +0000] \"GET /shell.php?cmd=id HTTP/1.1\" 404 "
                        "209 \"-\" \"curl/8.0\"");
    assert_string_equal(classify(), "webserver");
    expect_field("webserver", "c-uri", "/shell.php?cmd=id");
    expect_field("webserver", "cs-method", "GET");
    expect_field("webserver", "c-useragent", "curl/8.0");
    expect_field("webserver", "sc-status", "404");
}

/* Zeek logs by their "_path" (conn is zeek.connection), Sigma's category dns over Zeek and
 * Suricata queries through the dns field set. */
static void test_network_sources(void **state)
{
    (void)state;
    const vg_decoder *zeek = vg_decoder_find("zeek"), *suricata = vg_decoder_find("suricata");
    assert_int_equal(decode_json_as(zeek, "{'ts':1769562949.7,'uid':'C1','id.orig_h':'10.0.0.1','id.orig_p':1,"
                                          "'id.resp_h':'10.0.0.2','id.resp_p':443,'_path':'conn','conn_state':'SF'}"),
                     VG_OK);
    assert_string_equal(classify(), "zeek-conn");
    assert_int_equal(decode_json_as(zeek, "{'ts':1769562949.7,'uid':'C2','id.orig_h':'10.0.0.1','id.orig_p':1,"
                                          "'id.resp_h':'10.0.0.2','id.resp_p':445,'_path':'smb_files','name':'x'}"),
                     VG_OK);
    assert_string_equal(classify(), "zeek-smb_files");
    expect_field("zeek-smb_files", "name", "x");
    assert_int_equal(decode_json_as(zeek, "{'ts':1769562949.7,'uid':'C3','id.orig_h':'10.0.0.1','id.orig_p':1,"
                                          "'id.resp_h':'10.0.0.2','id.resp_p':53,'_path':'dns','query':'a.example',"
                                          "'qtype_name':'TXT'}"),
                     VG_OK);
    assert_string_equal(classify(), "zeek-dns dns-zeek");
    expect_field("dns-zeek", "query", "a.example");
    expect_field("dns-zeek", "record_type", "TXT");
    assert_int_equal(decode_json_as(suricata, "{'timestamp':'2026-01-28T08:20:00+0700','event_type':'dns',"
                                              "'src_ip':'10.0.0.1','src_port':1,'dest_ip':'10.0.0.2','dest_port':53,"
                                              "'proto':'UDP','dns':{'type':'query','rrname':'b.example','rrtype':'A'}}"),
                     VG_OK);
    assert_string_equal(classify(), "dns-suricata");
    expect_field("dns-suricata", "query", "b.example");
    expect_field("dns-suricata", "record_type", "A");
}

static void expect_bad(const char *text, const char *want)
{
    vg_sigma_mapping *m = NULL;
    vg_error e;
    vg_error_clear(&e);
    if (vg_sigma_mapping_parse(&m, text, strlen(text), "m.yml", &e) == VG_OK) {
        vg_sigma_mapping_free(m);
        fail_msg("accepted: %s", text);
    }
    if (!strstr(e.msg, want))
        fail_msg("reason '%s' lacks '%s'", e.msg, want);
}

static void test_bad_mappings(void **state)
{
    (void)state;
    expect_bad("field_sets: {a: {rest: none}}\n", "needs field_sets and sources");
    expect_bad("field_sets: {a: {rest: all}}\nsources: []\n", "m.yml:1: rest must be");
    expect_bad("field_sets: {a: {base: b}}\nsources: []\n", "no base named 'b'");
    expect_bad("field_sets: {a: {base: b}, b: {base: a}}\nsources: []\n", "cycle");
    expect_bad("field_sets: {a: {rest: none}}\nsources:\n  - {name: x, match: {decoder: syslog}, "
               "logsources: [{product: linux}], fields: nope}\n", "m.yml:3: no field set named 'nope'");
    expect_bad("field_sets: {a: {rest: none}}\nsources:\n  - {name: x, match: {decoder: syslog}, "
               "logsources: [{product: linux}], fields: a, fields: a}\n", "key 'fields' given twice");
    expect_bad("field_sets: {a: {rest: none}}\nsources:\n  - {name: x, match: {decoder: syslog}, "
               "logsources: [{os: linux}], fields: a}\n", "unknown key 'os'");
    expect_bad("field_sets: {a: {rest: none}}\nsources:\n  - {name: x, match: {decoder: syslog}, "
               "logsources: [{product: linux}], fields: a, product_rules: maybe}\n", "product_rules");
    expect_bad("field_sets: {a: {map: {X: '$'}}}\nsources: []\n", "must be followed");
    expect_bad("field_sets: [\n", "m.yml:");
    expect_bad("frequent_fields: [[a]]\nfield_sets: {a: {rest: none}}\nsources: []\n",
               "m.yml:1: a frequent_fields name");
    /* a good one */
    vg_sigma_mapping *m;
    vg_error e;
    const char *ok = "field_sets: {a: {rest: record}}\nsources:\n  - {name: x, match: {decoder: [zeek, json]}, "
                     "logsources: [{product: zeek}], fields: a}\nfrequent_fields: [proto, conn_state]\n";
    assert_int_equal(vg_sigma_mapping_parse(&m, ok, strlen(ok), "m.yml", &e), VG_OK);
    assert_true(vg_sigma_mapping_frequent(m, "conn_state"));
    assert_false(vg_sigma_mapping_frequent(m, "conn"));
    vg_sigma_mapping_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sysmon_evtx),
        cmocka_unit_test(test_network_sources),
        cmocka_unit_test(test_security_4688_renames),
        cmocka_unit_test(test_other_windows_shapes),
        cmocka_unit_test(test_eventdata_index),
        cmocka_unit_test(test_classify_keyvals),
        cmocka_unit_test(test_classify_shape_cache),
        cmocka_unit_test(test_sysmon_registry_kinds),
        cmocka_unit_test(test_rule_logsources),
        cmocka_unit_test(test_text_sources),
        cmocka_unit_test(test_sysmon_linux_sources),
        cmocka_unit_test(test_bad_mappings),
    };
    return cmocka_run_group_tests(tests, sigma_setup, sigma_teardown);
}
