/*
 * test-decode-windows: the Windows decoder on its three shapes (evtx as JSON, NXLog,
 * Winlogbeat), the important Security, Sysmon and Defender events, hostile values (missing
 * members, wrong types, escapes) and the probes of the JSON decoders against each other.
 *
 * Events are written with single quotes for readability; load_json() (decode-fixture.h) turns
 * them into JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "decode-fixture.h"

/* Decodes s with the Windows decoder. */
static vg_rc decode(const char *s)
{
    return decode_json_as(&vg_decoder_windows, s);
}

/* The normalized fields of the failed logon that every shape below describes. */
static void expect_failed_logon(void)
{
    expect("host.hostname", "HCM-FS01.bhxh.local");
    expect("event.code", "4625");
    expect("event.provider", "Microsoft-Windows-Security-Auditing");
    expect("winlog.channel", "Security");
    expect("event.dataset", "windows.security");
    expect("event.kind", "event");
    expect_array("event.category", "[\"authentication\"]");
    expect_array("event.type", "[\"start\"]");
    expect("event.action", "logon-failed");
    expect("event.outcome", "failure");
    expect("user.name", "ketoan.hcm");
    expect("user.domain", "BHXH");
    expect("source.ip", "203.0.113.47");
    expect_num("source.port", "50432");
    expect("winlog.logon.type", "Network");
    expect_none("user.id");         /* the NULL SID S-1-0-0 */
    expect_none("process.pid");     /* 0x0 */
    expect_none("source.domain");   /* "-" */
    expect_none("process.executable");
    assert_string_equal(ev.decoder, "windows");
}

#define LOGON_DATA \
    "'SubjectUserSid':'S-1-0-0','SubjectUserName':'-','TargetUserSid':'S-1-0-0'," \
    "'TargetUserName':'ketoan.hcm','TargetDomainName':'BHXH','Status':'0xc000006d'," \
    "'LogonType':3,'WorkstationName':'-','ProcessId':'0x0','ProcessName':'-'," \
    "'IpAddress':'203.0.113.47','IpPort':'50432'"

static void test_evtx_failed_logon(void **state)
{
    (void)state;
    assert_int_equal(decode("{'Event':{'System':{'Provider':{'#attributes':{'Name':"
                            "'Microsoft-Windows-Security-Auditing'}},'EventID':4625,"
                            "'TimeCreated':{'#attributes':{'SystemTime':'2026-01-28T01:15:42.318204Z'}},"
                            "'Channel':'Security','Computer':'HCM-FS01.bhxh.local'},"
                            "'EventData':{" LOGON_DATA "}}}"), VG_OK);
    expect_failed_logon();
    expect("@timestamp", "2026-01-28T01:15:42.318204Z");
}

static void test_nxlog_failed_logon(void **state)
{
    (void)state;
    /* EventTime has no zone: read in the configured zone (+07:00) */
    assert_int_equal(decode("{'EventTime':'2026-01-28 08:15:42','Hostname':'HCM-FS01.bhxh.local',"
                            "'EventType':'AUDIT_FAILURE','EventID':4625,'SourceName':"
                            "'Microsoft-Windows-Security-Auditing','Channel':'Security'," LOGON_DATA "}"),
                     VG_OK);
    expect_failed_logon();
    expect("@timestamp", "2026-01-28T01:15:42Z");
}

static void test_beats_failed_logon(void **state)
{
    (void)state;
    assert_int_equal(decode("{'@timestamp':'2026-01-28T01:15:42.318Z','event':{'code':'4625'},"
                            "'winlog':{'channel':'Security','event_id':'4625','provider_name':"
                            "'Microsoft-Windows-Security-Auditing','computer_name':'HCM-FS01.bhxh.local',"
                            "'event_data':{" LOGON_DATA "}}}"), VG_OK);
    expect_failed_logon();
    expect("@timestamp", "2026-01-28T01:15:42.318Z");
}

static void test_evtx_variants(void **state)
{
    (void)state;
    /* EventID with qualifiers, EventData as a list of named Data elements */
    assert_int_equal(decode("{'Event':{'System':{'Provider':{'#attributes':{'Name':'Microsoft-Windows-Security-Auditing'}},"
                            "'EventID':{'#attributes':{'Qualifiers':0},'#text':4624},'Channel':'Security',"
                            "'Computer':'DC01'},'EventData':{'Data':["
                            "{'#attributes':{'Name':'TargetUserName'},'#text':'nguyenvana'},"
                            "{'#attributes':{'Name':'LogonType'},'#text':'10'},"
                            "{'#attributes':{'Name':'Empty'}},"
                            "{'#attributes':{'Name':'IpAddress'},'#text':'::ffff:10.20.1.15'}]}}}"), VG_OK);
    expect("event.code", "4624");
    expect("event.outcome", "success");
    expect("user.name", "nguyenvana");
    expect("winlog.logon.type", "RemoteInteractive");
    expect("source.ip", "::ffff:10.20.1.15");
    expect_none("@timestamp");
    /* xmltodict style: "@" attributes, EventID as a string, a single Data element */
    assert_int_equal(decode("{'Event':{'System':{'Provider':{'@Name':'Microsoft-Windows-Security-Auditing'},"
                            "'EventID':{'@Qualifiers':'0','#text':'4634'},'TimeCreated':{'@SystemTime':"
                            "'2026-01-28 01:15:42.5'},'Channel':'Security','Computer':'DC01'},"
                            "'EventData':{'Data':{'@Name':'TargetUserName','#text':'nguyenvana'}}}}"), VG_OK);
    expect("event.code", "4634");
    expect("event.action", "logged-out");
    expect_array("event.type", "[\"end\"]");
    expect("user.name", "nguyenvana");
    expect("@timestamp", "2026-01-27T18:15:42.5Z");
}

static void test_security_logon_success(void **state)
{
    (void)state;
    assert_int_equal(decode("{'winlog':{'channel':'Security','event_id':4624,'provider_name':"
                            "'Microsoft-Windows-Security-Auditing','computer_name':'DC01',"
                            "'event_data':{'TargetUserName':'tranthib','TargetDomainName':'BHXH',"
                            "'TargetUserSid':'S-1-5-21-1-2-3-1107','LogonType':'2','IpAddress':'-',"
                            "'IpPort':'0','ProcessName':'C:\\\\Windows\\\\System32\\\\svchost.exe',"
                            "'ProcessId':'0x3e4','WorkstationName':'WS-0142'}}}"), VG_OK);
    expect("event.action", "logged-in");
    expect("event.outcome", "success");
    expect("user.name", "tranthib");
    expect("user.id", "S-1-5-21-1-2-3-1107");
    expect("winlog.logon.type", "Interactive");
    expect_none("source.ip");
    expect_none("source.port");
    expect("source.domain", "WS-0142");
    expect("process.executable", "C:\\Windows\\System32\\svchost.exe");
    expect("process.name", "svchost.exe");
    expect_num("process.pid", "996");
    /* 4672 special privileges: the subject is the account */
    assert_int_equal(decode("{'winlog':{'channel':'Security','event_id':4672,'event_data':"
                            "{'SubjectUserName':'admin.hcm','SubjectDomainName':'BHXH'}}}"), VG_OK);
    expect_array("event.category", "[\"iam\"]");
    expect_array("event.type", "[\"admin\"]");
    expect("event.action", "logged-in-special");
    expect("user.name", "admin.hcm");
}

static void test_security_process_creation(void **state)
{
    (void)state;
    assert_int_equal(decode("{'EventTime':'2026-01-28 09:00:01','Hostname':'WS-0142','EventID':'4688',"
                            "'SourceName':'Microsoft-Windows-Security-Auditing','Channel':'Security',"
                            "'SubjectUserName':'tranthib','SubjectDomainName':'BHXH','NewProcessId':'0x1a2c',"
                            "'NewProcessName':'C:\\\\Windows\\\\System32\\\\WindowsPowerShell\\\\v1.0\\\\powershell.exe',"
                            "'ProcessId':'0x2f0','CommandLine':'powershell -nop -w hidden -enc SQBFAFgA',"
                            "'ParentProcessName':'C:\\\\Program Files\\\\Microsoft Office\\\\root\\\\Office16\\\\WINWORD.EXE'}"),
                     VG_OK);
    expect("event.code", "4688");
    expect_array("event.category", "[\"process\"]");
    expect("event.action", "created-process");
    expect("process.executable", "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe");
    expect("process.name", "powershell.exe");
    expect_num("process.pid", "6700");
    expect("process.command_line", "powershell -nop -w hidden -enc SQBFAFgA");
    expect("process.parent.executable", "C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE");
    expect("process.parent.name", "WINWORD.EXE");
    expect_num("process.parent.pid", "752");
    expect("user.name", "tranthib");
    expect("user.domain", "BHXH");
}

static void test_security_iam(void **state)
{
    (void)state;
    static const struct { const char *id, *action, *type; } cases[] = {
        { "4720", "added-user-account", "[\"user\",\"creation\"]" },
        { "4722", "enabled-user-account", "[\"user\",\"change\"]" },
        { "4726", "deleted-user-account", "[\"user\",\"deletion\"]" },
    };
    char buf[1024];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(buf, sizeof buf, "{'winlog':{'channel':'Security','event_id':'%s','event_data':"
                 "{'SubjectUserName':'admin.hcm','SubjectDomainName':'BHXH','TargetUserName':'svc_backup',"
                 "'TargetDomainName':'BHXH','TargetSid':'S-1-5-21-1-2-3-1203'}}}", cases[i].id);
        assert_int_equal(decode(buf), VG_OK);
        expect_array("event.category", "[\"iam\"]");
        expect_array("event.type", cases[i].type);
        expect("event.action", cases[i].action);
        expect("user.name", "admin.hcm");
        expect("user.target.name", "svc_backup");
        expect("user.target.id", "S-1-5-21-1-2-3-1203");
    }
    assert_int_equal(decode("{'winlog':{'channel':'Security','event_id':'4732','event_data':"
                            "{'SubjectUserName':'admin.hcm','MemberSid':'S-1-5-21-1-2-3-1203',"
                            "'TargetUserName':'Administrators','TargetDomainName':'Builtin',"
                            "'TargetSid':'S-1-5-32-544'}}}"), VG_OK);
    expect("event.action", "added-member-to-group");
    expect_array("event.type", "[\"group\",\"change\"]");
    expect("group.name", "Administrators");
    expect("group.id", "S-1-5-32-544");
    expect("user.target.id", "S-1-5-21-1-2-3-1203");
    expect_none("user.target.name");
}

static void test_security_log_cleared(void **state)
{
    (void)state;
    /* 1102 comes from the Eventlog provider on the Security channel, with UserData */
    assert_int_equal(decode("{'Event':{'System':{'Provider':{'#attributes':{'Name':'Microsoft-Windows-Eventlog'}},"
                            "'EventID':1102,'Channel':'Security','Computer':'DC01'},'UserData':"
                            "{'LogFileCleared':{'SubjectUserSid':'S-1-5-21-1-2-3-500','SubjectUserName':"
                            "'Administrator','SubjectDomainName':'BHXH'}}}}"), VG_OK);
    expect("event.action", "audit-log-cleared");
    expect_array("event.type", "[\"admin\",\"change\"]");
    expect("event.provider", "Microsoft-Windows-Eventlog");
    expect("user.name", "Administrator");
    expect("user.id", "S-1-5-21-1-2-3-500");
}

#define SYSMON(id, data) \
    "{'Event':{'System':{'Provider':{'#attributes':{'Name':'Microsoft-Windows-Sysmon'}},'EventID':" id "," \
    "'TimeCreated':{'#attributes':{'SystemTime':'2026-01-28T02:00:00.000000Z'}}," \
    "'Channel':'Microsoft-Windows-Sysmon/Operational','Computer':'WS-0142'},'EventData':{" data "}}}"

static void test_sysmon_process_create(void **state)
{
    (void)state;
    assert_int_equal(decode(SYSMON("1", "'ProcessGuid':'{A1B2C3D4-0000-0000-0000-000000000001}',"
                                   "'ProcessId':4242,'Image':'C:\\\\Users\\\\Public\\\\svch0st.exe',"
                                   "'OriginalFileName':'rundll32.exe','CommandLine':'svch0st.exe -k netsvcs',"
                                   "'CurrentDirectory':'C:\\\\Users\\\\Public\\\\','User':'BHXH\\\\tranthib',"
                                   "'Hashes':'SHA1=0A1B2C3D4E5F60718293A4B5C6D7E8F901234567,MD5=00112233445566778899AABBCCDDEEFF,"
                                   "SHA256=00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF,"
                                   "IMPHASH=FFEEDDCCBBAA99887766554433221100',"
                                   "'ParentProcessId':'3100','ParentImage':'C:\\\\Windows\\\\explorer.exe',"
                                   "'ParentCommandLine':'C:\\\\Windows\\\\Explorer.EXE'")), VG_OK);
    expect("event.provider", "Microsoft-Windows-Sysmon");
    expect("event.dataset", "windows.sysmon");
    expect("event.code", "1");
    expect_array("event.category", "[\"process\"]");
    expect_array("event.type", "[\"start\"]");
    expect("event.action", "Process Create (rule: ProcessCreate)");
    expect_none("event.outcome");
    expect("process.executable", "C:\\Users\\Public\\svch0st.exe");
    expect("process.name", "svch0st.exe");
    expect_num("process.pid", "4242");
    expect("process.entity_id", "{A1B2C3D4-0000-0000-0000-000000000001}");
    expect("process.command_line", "svch0st.exe -k netsvcs");
    expect("process.working_directory", "C:\\Users\\Public\\");
    expect("process.pe.original_file_name", "rundll32.exe");
    expect("process.parent.executable", "C:\\Windows\\explorer.exe");
    expect("process.parent.name", "explorer.exe");
    expect("process.parent.command_line", "C:\\Windows\\Explorer.EXE");
    expect_num("process.parent.pid", "3100");
    expect("user.name", "tranthib");
    expect("user.domain", "BHXH");
    expect("file.hash.sha1", "0A1B2C3D4E5F60718293A4B5C6D7E8F901234567");
    expect("file.hash.md5", "00112233445566778899AABBCCDDEEFF");
    expect("file.hash.sha256", "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF");
    expect("process.pe.imphash", "FFEEDDCCBBAA99887766554433221100");
    expect_none("file.pe.imphash");
    /* the hash slices point into the record: zero copy */
    const vg_value *v = expect_set("file.hash.md5", VG_JSON_STRING);
    assert_true(v->ptr > json_text && v->ptr < json_text + strlen(json_text));
    expect("@timestamp", "2026-01-28T02:00:00.000000Z");
}

static void test_sysmon_network_and_dns(void **state)
{
    (void)state;
    assert_int_equal(decode(SYSMON("3", "'Image':'C:\\\\Users\\\\Public\\\\svch0st.exe','User':'NT AUTHORITY\\\\SYSTEM',"
                                   "'Protocol':'TCP','Initiated':'true','SourceIp':'10.20.1.15','SourcePort':'49712',"
                                   "'DestinationIp':'198.51.100.23','DestinationHostname':'update-check.duckdns.org',"
                                   "'DestinationPort':'443'")), VG_OK);
    expect_array("event.category", "[\"network\"]");
    expect_array("event.type", "[\"connection\",\"start\"]");
    expect("source.ip", "10.20.1.15");
    expect_num("source.port", "49712");
    expect("destination.ip", "198.51.100.23");
    expect_num("destination.port", "443");
    expect("destination.domain", "update-check.duckdns.org");
    expect("network.transport", "tcp");
    expect("user.name", "SYSTEM");
    expect("user.domain", "NT AUTHORITY");
    assert_int_equal(decode(SYSMON("22", "'Image':'C:\\\\Users\\\\Public\\\\svch0st.exe',"
                                   "'QueryName':'update-check.duckdns.org','QueryStatus':'0'")), VG_OK);
    expect("event.action", "Dns query (rule: DnsQuery)");
    expect("dns.question.name", "update-check.duckdns.org");
}

static void test_sysmon_files_and_images(void **state)
{
    (void)state;
    assert_int_equal(decode(SYSMON("11", "'Image':'C:\\\\Windows\\\\System32\\\\cmd.exe',"
                                   "'TargetFilename':'C:\\\\Users\\\\Public\\\\Downloads\\\\invoice.pdf.exe'")), VG_OK);
    expect_array("event.category", "[\"file\"]");
    expect_array("event.type", "[\"creation\"]");
    expect("file.path", "C:\\Users\\Public\\Downloads\\invoice.pdf.exe");
    expect("file.name", "invoice.pdf.exe");
    assert_int_equal(decode(SYSMON("7", "'Image':'C:\\\\Windows\\\\System32\\\\rundll32.exe',"
                                   "'ImageLoaded':'C:\\\\Users\\\\Public\\\\evil.dll','OriginalFileName':'evil.dll',"
                                   "'Hashes':'MD5=00112233445566778899AABBCCDDEEFF,IMPHASH=FFEEDDCCBBAA99887766554433221100'")),
                     VG_OK);
    expect("event.action", "Image loaded (rule: ImageLoad)");
    expect("file.path", "C:\\Users\\Public\\evil.dll");
    expect("file.pe.original_file_name", "evil.dll");
    expect("file.hash.md5", "00112233445566778899AABBCCDDEEFF");
    expect("file.pe.imphash", "FFEEDDCCBBAA99887766554433221100");
    expect_none("process.pe.imphash");
    expect_none("file.hash.sha1");
    assert_int_equal(decode(SYSMON("10", "'SourceImage':'C:\\\\Users\\\\Public\\\\m.exe','SourceProcessId':900,"
                                   "'SourceUser':'BHXH\\\\tranthib','TargetImage':'C:\\\\Windows\\\\System32\\\\lsass.exe',"
                                   "'GrantedAccess':'0x1010'")), VG_OK);
    expect_array("event.type", "[\"access\"]");
    expect("process.executable", "C:\\Users\\Public\\m.exe");
    expect_num("process.pid", "900");
    expect("user.name", "tranthib");
    assert_int_equal(decode(SYSMON("23", "'Image':'C:\\\\Windows\\\\System32\\\\cmd.exe',"
                                   "'TargetFilename':'C:\\\\Windows\\\\Temp\\\\x.ps1'")), VG_OK);
    expect_array("event.type", "[\"deletion\"]");
    expect("event.action", "File Delete archived (rule: FileDelete)");
    expect("file.path", "C:\\Windows\\Temp\\x.ps1");
    assert_int_equal(decode(SYSMON("26", "'TargetFilename':'C:\\\\Windows\\\\Temp\\\\y.ps1'")), VG_OK);
    expect("event.action", "File Delete logged (rule: FileDeleteDetected)");
}

static void test_sysmon_registry(void **state)
{
    (void)state;
    assert_int_equal(decode(SYSMON("13", "'EventType':'SetValue','Image':'C:\\\\Windows\\\\regedit.exe',"
                                   "'TargetObject':'HKLM\\\\SOFTWARE\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run\\\\Updater',"
                                   "'Details':'C:\\\\Users\\\\Public\\\\svch0st.exe'")), VG_OK);
    expect_array("event.category", "[\"configuration\",\"registry\"]");
    expect("event.action", "Registry value set (rule: RegistryEvent)");
    expect("registry.path", "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\Updater");
    expect("registry.hive", "HKLM");
    expect("registry.key", "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run");
    expect("registry.value", "Updater");
    /* a key event has no value name */
    assert_int_equal(decode(SYSMON("12", "'EventType':'CreateKey','TargetObject':'HKU\\\\S-1-5-21-1\\\\Software\\\\Evil'")),
                     VG_OK);
    expect("registry.hive", "HKU");
    expect("registry.key", "S-1-5-21-1\\Software\\Evil");
    expect_none("registry.value");
    assert_int_equal(decode(SYSMON("12", "'EventType':'DeleteValue','TargetObject':'HKLM\\\\SOFTWARE\\\\X\\\\SD'")),
                     VG_OK);
    expect("registry.key", "SOFTWARE\\X");
    expect("registry.value", "SD");
    /* no separator at all: the path only */
    assert_int_equal(decode(SYSMON("13", "'TargetObject':'HKLM'")), VG_OK);
    expect("registry.path", "HKLM");
    expect_none("registry.hive");
}

#define DEFENDER_DATA \
    "'Threat Name':'Trojan:Win32/AgentTesla!ml','Threat ID':'2147735505','Severity ID':'5'," \
    "'Category Name':'Trojan','Path':'file:_C:\\\\Users\\\\tranthib\\\\Downloads\\\\hoadon.exe; process:_pid:6120'," \
    "'Process Name':'C:\\\\Windows\\\\explorer.exe','Detection User':'BHXH\\\\tranthib','Action Name':'Quarantine'"

static void test_defender(void **state)
{
    (void)state;
    static const struct { const char *id, *action, *outcome; } cases[] = {
        { "1116", "malware-detected", NULL },
        { "1117", "malware-action-taken", "success" },
        { "1118", "malware-action-failed", "failure" },
        { "1119", "malware-action-critically-failed", "failure" },
    };
    char buf[2048];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(buf, sizeof buf, "{'@timestamp':'2026-01-28T03:00:00.000Z','winlog':{'channel':"
                 "'Microsoft-Windows-Windows Defender/Operational','event_id':%s,'provider_name':"
                 "'Microsoft-Windows-Windows Defender','computer_name':'WS-0142','event_data':{"
                 DEFENDER_DATA "}}}", cases[i].id);
        assert_int_equal(decode(buf), VG_OK);
        expect("event.kind", "alert");
        expect("event.dataset", "windows.defender");
        expect_array("event.category", "[\"malware\"]");
        expect("event.action", cases[i].action);
        if (cases[i].outcome)
            expect("event.outcome", cases[i].outcome);
        else
            expect_none("event.outcome");
        expect("rule.name", "Trojan:Win32/AgentTesla!ml");
        expect("rule.id", "2147735505");
        expect("rule.category", "Trojan");
        expect_num("event.severity", "5");
        expect("file.path", "C:\\Users\\tranthib\\Downloads\\hoadon.exe");
        expect("file.name", "hoadon.exe");
        expect("process.executable", "C:\\Windows\\explorer.exe");
        expect("user.name", "tranthib");
        expect("user.domain", "BHXH");
    }
    /* a path that is not a file resource is not a file.path */
    assert_int_equal(decode("{'winlog':{'channel':'Microsoft-Windows-Windows Defender/Operational',"
                            "'event_id':1116,'event_data':{'Path':'regkey:_HKLM\\\\SOFTWARE\\\\X','Path2':1}}}"),
                     VG_OK);
    expect_none("file.path");
    /* other Defender events: common fields only */
    assert_int_equal(decode("{'winlog':{'channel':'Microsoft-Windows-Windows Defender/Operational',"
                            "'event_id':5001,'event_data':{" DEFENDER_DATA "}}}"), VG_OK);
    expect("event.kind", "event");
    expect_none("rule.name");
}

static void test_unknown_events(void **state)
{
    (void)state;
    /* an unlisted Security event: the acting account only */
    assert_int_equal(decode("{'winlog':{'channel':'Security','event_id':4698,'provider_name':"
                            "'Microsoft-Windows-Security-Auditing','event_data':{'SubjectUserName':'admin.hcm',"
                            "'TaskName':'\\\\Updater'}}}"), VG_OK);
    expect("event.code", "4698");
    expect("event.kind", "event");
    expect_none("event.category");
    expect("user.name", "admin.hcm");
    /* another provider: common fields only */
    assert_int_equal(decode("{'EventID':7045,'SourceName':'Service Control Manager','Channel':'System',"
                            "'Hostname':'SRV-01','ServiceName':'PSEXESVC','ImagePath':'%SystemRoot%\\\\PSEXESVC.exe'}"),
                     VG_OK);
    expect("event.code", "7045");
    expect("event.provider", "Service Control Manager");
    expect("winlog.channel", "System");
    expect("host.hostname", "SRV-01");
    expect_none("event.dataset");
    expect_none("process.executable");
}

static void test_wrong_types(void **state)
{
    (void)state;
    /* nothing of the right type: only the kind is set, and nothing crashes */
    assert_int_equal(decode("{'Event':{'System':{'Provider':'Microsoft-Windows-Sysmon','EventID':[1,2],"
                            "'TimeCreated':{'#attributes':{'SystemTime':12}},'Channel':{'x':1},'Computer':null},"
                            "'EventData':'none'}}"), VG_OK);
    expect_none("event.code");
    expect_none("@timestamp");
    expect_none("host.hostname");
    expect_none("winlog.channel");
    expect("event.kind", "event");
    /* EventID that is not a small non-negative integer */
    static const char *const bad_ids[] = { "-1", "1.5", "1e3", "'abc'", "'0x10'", "70000", "true",
                                           "{'#text':[1]}", "{}" };
    char buf[512];
    for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
        snprintf(buf, sizeof buf, "{'EventID':%s,'Channel':'Security','TargetUserName':'x'}", bad_ids[i]);
        assert_int_equal(decode(buf), VG_OK);
        expect_none("event.code");
        expect_none("user.name");
    }
    /* event data values of the wrong type */
    assert_int_equal(decode(SYSMON("1", "'Image':42,'ProcessId':'12ab','CommandLine':['a'],'User':{'n':1},"
                                   "'Hashes':7,'ParentProcessId':-5,'ParentImage':''")), VG_OK);
    expect_none("process.executable");
    expect_none("process.pid");
    expect_none("process.command_line");
    expect_none("user.name");
    expect_none("file.hash.md5");
    expect_none("process.parent.pid");
    expect_none("process.parent.executable");
    assert_int_equal(decode(SYSMON("3", "'SourceIp':'10.0.0.300','SourcePort':'99999','DestinationIp':1,"
                                   "'DestinationPort':'-1','Protocol':7")), VG_OK);
    expect_none("source.ip");
    expect_none("source.port");
    expect_none("destination.ip");
    expect_none("destination.port");
    expect_none("network.transport");
    /* malformed Hashes: only the well-formed hex parts */
    assert_int_equal(decode(SYSMON("1", "'Hashes':'MD5=,SHA1=XYZ,=00,SHA256,IMPHASH=AB12,,MD5=ab12'")), VG_OK);
    expect("process.pe.imphash", "AB12");
    expect("file.hash.md5", "ab12");
    expect_none("file.hash.sha1");
    expect_none("file.hash.sha256");
    /* Data elements of the wrong shape */
    assert_int_equal(decode("{'Event':{'System':{'Channel':'Security','EventID':4625},'EventData':{'Data':"
                            "[1,'x',[],{'#attributes':{'Name':5},'#text':'a'},{'#attributes':'TargetUserName'},"
                            "{'#attributes':{'Name':'TargetUserName'},'#text':{'a':1}}]}}}"), VG_OK);
    expect_none("user.name");
    /* UserData that is not an object of objects */
    assert_int_equal(decode("{'Event':{'System':{'Channel':'Security','EventID':1102},'UserData':{'a':1}}}"), VG_OK);
    expect_none("user.name");
    assert_int_equal(decode("{'Event':{'System':{'Channel':'Security','EventID':1102},'UserData':{}}}"), VG_OK);
}

static void test_escapes(void **state)
{
    (void)state;
    /* escaped values are sliced between escape sequences and compare decoded */
    assert_int_equal(decode(SYSMON("1", "'User':'B\\u0048XH\\\\tr\\u1ea7n','Image':'C:\\\\t\\u00e9mp\\\\a\\\"b.exe',"
                                   "'Hashes':'MD5=\\u0030\\u0030'")), VG_OK);
    expect("user.domain", "BHXH");
    expect("user.name", "tr\xe1\xba\xa7n");
    expect("process.executable", "C:\\t\xc3\xa9mp\\a\"b.exe");
    expect("process.name", "a\"b.exe");
    expect_none("file.hash.md5");
    /* a trailing backslash leaves no user name */
    assert_int_equal(decode(SYSMON("1", "'User':'BHXH\\\\','Image':'C:\\\\dir\\\\'")), VG_OK);
    expect("user.domain", "BHXH");
    expect_none("user.name");
    expect("process.executable", "C:\\dir\\");
    expect_none("process.name");
}

/* The base name of a raw (escaped) path as the decoder must give it: the text after the last
 * escaped backslash, found by walking the escapes from the start; NULL when nothing follows. */
static const char *reference_base_name(const char *raw, char *out)
{
    size_t n = strlen(raw), off = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        if (raw[i] != '\\')
            continue;
        if (raw[i + 1] == '\\')
            off = i + 2;
        i += raw[i + 1] == 'u' ? 5 : 1;
    }
    if (off >= n)
        return NULL;
    out[vg_json_unescape(raw + off, n - off, out)] = '\0';
    return out;
}

/* Random paths of plain bytes and escapes (backslashes in runs of any length, \u, \", \n):
 * process.name is the reference's base name every time. */
static void test_base_name_differential(void **state)
{
    (void)state;
    static const char *const parts[] = { "a", "b.exe", "\\\\", "\\\\\\\\", "\\u00e9", "\\u005c", "\\\"", "\\n", "." };
    uint64_t rng = 0x9E3779B97F4A7C15ull;
    char raw[256], json[512], want[256];
    for (int round = 0; round < 3000; round++) {
        size_t o = 0;
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        for (unsigned k = 0, nparts = 1 + (unsigned)(rng >> 60); k < nparts; k++) {
            rng = rng * 6364136223846793005ull + 1442695040888963407ull;
            o += (size_t)snprintf(raw + o, sizeof raw - o, "%s", parts[(rng >> 33) % (sizeof parts / sizeof parts[0])]);
        }
        snprintf(json, sizeof json, "{\"Event\":{\"System\":{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\"},"
                 "\"EventData\":{\"Image\":\"%s\"}}}", raw);
        assert_int_equal(decode(json), VG_OK);
        const char *base = reference_base_name(raw, want);
        if (!base) {
            expect_none("process.name");
            continue;
        }
        vg_value v = vg_event_get(&ev, "process.name");
        char got[256];
        if (vg_value_string(&v, got, sizeof got) < 0 || strcmp(got, base) != 0)
            fail_msg("Image \"%s\": process.name \"%s\", want \"%s\"", raw, v.type == VG_JSON_STRING ? got : "(none)", base);
    }
}

/* ---- probes and forced formats ---------------------------------------------------------- */

static const char *const windows_events[] = {
    "{'Event':{'System':{'EventID':1}}}",
    "{'winlog':{'event_id':1}}",
    "{'EventID':4625,'SourceName':'Microsoft-Windows-Security-Auditing'}",
    "{'EventID':4625,'Channel':'Security'}",
};

static const char *const other_events[] = {
    "{'timestamp':'2026-01-28T01:00:00.000000+0700','event_type':'alert','src_ip':'10.0.0.1'}",
    "{'ts':1769562000.5,'uid':'CHhAvVGS1DHFjwGM9','id.orig_h':'10.0.0.1'}",
    "{'Event':'x'}",
    "{'Event':{'EventData':{}}}",
    "{'winlog':'x'}",
    "{'EventID':4625}",
    "{'message':'hello'}",
    "[{'winlog':{}}]",
    "'just a string'",
};

/* The fields the decoder set, as text: name, type and bytes of each, in order. */
static size_t fields_text(char *out, size_t cap)
{
    size_t n = 0;
    for (unsigned i = 0; i < ev.nfields && n < cap; i++) {
        const vg_field *f = &ev.fields[i];
        int w = snprintf(out + n, cap - n, "%s=%d:%.*s\n", f->name, f->value.type, (int)f->value.len,
                         f->value.ptr ? f->value.ptr : "");
        n += w > 0 ? (size_t)w : 0;
    }
    return n < cap ? n : cap;
}

/* Decodes records a and b and fails the test unless both are rejected or both give the same
 * fields; returns whether they were decoded. */
static int expect_same_fields(const char *a, const char *b)
{
    static char fa[16384], fb[16384];
    vg_rc ra = decode(a);
    size_t la = ra == VG_OK ? fields_text(fa, sizeof fa) : 0;
    vg_rc rb = decode(b);
    size_t lb = rb == VG_OK ? fields_text(fb, sizeof fb) : 0;
    if (ra != rb || la != lb || memcmp(fa, fb, la) != 0)
        fail_msg("%s\nand\n%s\ndecode differently:\n%.*s---\n%.*s", a, b, (int)la, fa, (int)lb, fb);
    return ra == VG_OK;
}

/* System read in one walk (system_members) against the lookups by name and path it stands
 * for: each random System is decoded as it is and again with a member added that sends
 * read_evtx to the lookups (an escaped key, or a key "TimeCreated.zzz"); every field must come
 * out the same. The members repeat,
 * miss, change order and type (EventID as a number, a string, an object with #text; Provider
 * and TimeCreated as objects of either attribute style or not objects at all; null), and
 * some records hold the keys that must also send the walk to the lookups (an escaped
 * Channel, a dotted "Provider.@Name"). */
static void test_system_walk_differential(void **state)
{
    (void)state;
    static const char *const members[] = {
        "'EventID':4688", "'EventID':'1'", "'EventID':{'#text':'13','#attributes':{'Qualifiers':'0'}}",
        "'EventID':null", "'EventID':{'#attributes':{'Qualifiers':'0'}}",
        "'Provider':{'#attributes':{'Name':'Microsoft-Windows-Sysmon'}}",
        "'Provider':{'@Name':'Microsoft-Windows-Security-Auditing'}", "'Provider':'Microsoft-Windows-Sysmon'",
        "'Provider':null", "'Provider':{'#attributes':{'Guid':'x'},'@Name':'Microsoft-Windows-Windows Defender'}",
        "'TimeCreated':{'#attributes':{'SystemTime':'2026-11-01T15:11:17.365460Z'}}",
        "'TimeCreated':{'@SystemTime':'2026-11-02T01:02:03Z'}", "'TimeCreated':5", "'TimeCreated':null",
        "'Channel':'Security'", "'Channel':'Microsoft-Windows-Sysmon/Operational'", "'Channel':3", "'Channel':null",
        "'Computer':'WS-1.agency.gov.vn'", "'Computer':''", "'Computer':null", "'Computer':'HCM-FS01'",
        "'Version':5", "'Level':4", "'Execution':{'#attributes':{'ProcessID':4}}", "'Keywords':'0x80'",
        "'C':1", "'E':2", "'P':3", "'T':4", "'':5", "'EventIDs':6", "'ProviderX':7",
    };
    static const char *const fallback[] = {
        "'Chan\\u006eel':'Security'", "'Provider.@Name':'Dotted'", "'TimeCreated.@SystemTime':'2026-01-01T00:00:00Z'",
        "'Provider.#attributes':{'Name':'Dotted'}",
    };
    static char a[8192], b[8192];
    uint64_t r = 0x9E3779B97F4A7C15ull;
    size_t walked = 0;
    for (int round = 0; round < 20000; round++) {
        char sys[4096];
        size_t n = 0;
        int with_fallback = 0, count = (int)(r % 9);
        sys[0] = 0;
        for (int k = 0; k < count; k++) {
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            const char *m = r % 23 == 0 ? fallback[(r >> 8) % 4] : members[(r >> 8) % (sizeof members / sizeof members[0])];
            with_fallback |= r % 23 == 0;
            n += (size_t)snprintf(sys + n, sizeof sys - n, "%s%s", n ? "," : "", m);
        }
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        snprintf(a, sizeof a, "{'Event':{'System':{%s},'EventData':{'Image':'C:\\\\W\\\\x.exe','User':'A\\\\b'}}}", sys);
        /* B's extra member: escaped, or dotted under TimeCreated (neither is read by a lookup),
         * in turn, so that each reason to leave the walk is tested by the other's records */
        snprintf(b, sizeof b, "{'Event':{'System':{%s%s%s:0},'EventData':{'Image':'C:\\\\W\\\\x.exe','User':'A\\\\b'}}}",
                 sys, n ? "," : "", round % 2 ? "'TimeCreated.zzz'" : "'\\u0058'");
        walked += expect_same_fields(a, b) && !with_fallback;
    }
    print_message("System read in one walk and by lookups: %zu records compared field by field\n", walked);
    assert_true(walked > 10000);
}

/* An evtx EventData's first member named Data (escaped or not), when it is an array of Data
 * elements or one of them, holds the data instead of the members: map_fields decides it in its
 * pass over the members. Each random EventData is compared with what it stands for: only that
 * Data member when it holds elements, else the members without those named Data (no table row
 * is named Data). */
static void test_data_member_differential(void **state)
{
    (void)state;
    static const char *const plain[] = {
        "'Image':'C:\\\\W\\\\a.exe'", "'User':'AGENCY\\\\b'", "'CommandLine':'a.exe /c x'", "'ProcessId':'12'",
        "'TargetUserName':'direct'", "'Dat':1", "'DataX':2", "'data':3",
    };
    static const char *const values[] = {
        "[{'@Name':'TargetUserName','#text':'u1'},{'@Name':'IpAddress','#text':'203.0.113.9'}]",
        "[{'#attributes':{'Name':'TargetUserName'},'#text':'u2'}]", "{'@Name':'TargetUserName','#text':'u3'}",
        "{'#attributes':{'Name':'Image'},'#text':'C:\\\\x.exe'}", "[]", "'str'", "5", "null", "{'x':1}",
        "[{'Image':'C:\\\\y.exe'}]",
    };
    static const char *const names[] = { "'Data'", "'D\\u0061ta'" };
    static const int holds[] = { 1, 1, 1, 1, 1, 0, 0, 0, 0, 1 };   /* an array, or an element */
    static char a[8192], b[8192];
    uint64_t r = 0xD1B54A32D192ED03ull;
    size_t lists = 0, members = 0;
    for (int round = 0; round < 20000; round++) {
        char data[4096], rest[4096];
        size_t nd = 0, nr = 0;
        int first = -1, count = (int)(r % 7);
        data[0] = rest[0] = 0;
        for (int k = 0; k < count; k++) {
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            char m[512];
            int is_data = r % 3 == 0, v = (int)((r >> 8) % (sizeof values / sizeof values[0]));
            if (is_data) {
                snprintf(m, sizeof m, "%s:%s", names[(r >> 16) % 2], values[v]);
                if (first < 0)
                    first = v;
            } else {
                snprintf(m, sizeof m, "%s", plain[(r >> 16) % (sizeof plain / sizeof plain[0])]);
                nr += (size_t)snprintf(rest + nr, sizeof rest - nr, "%s%s", nr ? "," : "", m);
            }
            nd += (size_t)snprintf(data + nd, sizeof data - nd, "%s%s", nd ? "," : "", m);
        }
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        const char *sys = r % 2 ? "'Channel':'Security','EventID':4625"
                                : "'Channel':'Microsoft-Windows-Sysmon/Operational','EventID':1";
        snprintf(a, sizeof a, "{'Event':{'System':{%s},'EventData':{%s}}}", sys, data);
        int list = first >= 0 && holds[first];
        if (list)
            snprintf(b, sizeof b, "{'Event':{'System':{%s},'EventData':{'Data':%s}}}", sys, values[first]);
        else
            snprintf(b, sizeof b, "{'Event':{'System':{%s},'EventData':{%s}}}", sys, rest);
        expect_same_fields(a, b);
        lists += list;
        members += !list;
    }
    print_message("EventData with a Data member: %zu read as lists, %zu as members\n", lists, members);
    assert_true(lists > 3000 && members > 3000);
}

static void test_probe(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof windows_events / sizeof windows_events[0]; i++) {
        load_json(windows_events[i]);
        assert_true(vg_decoder_windows.probe(&ev));
        assert_false(vg_decoder_suricata.probe(&ev));
        assert_false(vg_decoder_zeek.probe(&ev));
        assert_int_equal(decode_json_as(NULL, windows_events[i]), VG_OK);
        assert_string_equal(ev.decoder, "windows");
    }
    for (size_t i = 0; i < sizeof other_events / sizeof other_events[0]; i++) {
        load_json(other_events[i]);
        if (vg_decoder_windows.probe(&ev))
            fail_msg("windows probe claims %s", other_events[i]);
        assert_int_equal(decode(other_events[i]), VG_ERR_PARSE);
        assert_non_null(strstr(err.msg, "not a Windows event"));
        assert_int_equal(ev.nfields, 0);
    }
}

static void test_serialized_output_keeps_record(void **state)
{
    (void)state;
    vg_buf out;
    vg_buf_init(&out, 0);
    assert_int_equal(decode(SYSMON("1", "'Image':'C:\\\\a.exe'")), VG_OK);
    assert_int_equal(vg_event_to_json(&ev, &out), VG_OK);
    /* the record comes first, unchanged; the fields follow */
    assert_int_equal(strncmp(out.data, json_text, strlen(json_text) - 1), 0);
    assert_non_null(strstr(out.data, "\"process\":{\"executable\":\"C:\\\\a.exe\",\"name\":\"a.exe\"}"));
    vg_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evtx_failed_logon),
        cmocka_unit_test(test_nxlog_failed_logon),
        cmocka_unit_test(test_beats_failed_logon),
        cmocka_unit_test(test_evtx_variants),
        cmocka_unit_test(test_security_logon_success),
        cmocka_unit_test(test_security_process_creation),
        cmocka_unit_test(test_security_iam),
        cmocka_unit_test(test_security_log_cleared),
        cmocka_unit_test(test_sysmon_process_create),
        cmocka_unit_test(test_sysmon_network_and_dns),
        cmocka_unit_test(test_sysmon_files_and_images),
        cmocka_unit_test(test_sysmon_registry),
        cmocka_unit_test(test_defender),
        cmocka_unit_test(test_unknown_events),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_base_name_differential),
        cmocka_unit_test(test_system_walk_differential),
        cmocka_unit_test(test_data_member_differential),
        cmocka_unit_test(test_probe),
        cmocka_unit_test(test_serialized_output_keeps_record),
    };
    return cmocka_run_group_tests(tests, json_setup, json_teardown);
}
