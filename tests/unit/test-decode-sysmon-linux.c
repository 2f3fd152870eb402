/*
 * test-decode-sysmon-linux: Sysmon for Linux events. Each event id the decoder knows (1, 3, 4,
 * 5, 9, 11, 16, 23, 26) with its sysmon.* members and ECS fields; entities and character
 * references decoded (and only where a value holds '&'); attributes in either quote style;
 * the syslog-carried form (program sysmon) and the daemon's own plain messages; malformed
 * documents rejected with a reason (truncated, unclosed, mismatched, bad entity, missing
 * EventID, comments) and tagged through syslog; the probe; every prefix never a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode-fixture.h"

#define SYSTEM(id) \
    "<System><Provider Name=\"Linux-Sysmon\" Guid=\"{ff032593-a8d3-4f13-b0d6-01fc615a0f97}\"/>" \
    "<EventID>" id "</EventID><Version>5</Version><Level>4</Level><Task>" id "</Task><Opcode>0</Opcode>" \
    "<Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime=\"2026-10-12T12:00:00.123456000Z\"/>" \
    "<EventRecordID>123</EventRecordID><Correlation/><Execution ProcessID=\"1234\" ThreadID=\"1234\"/>" \
    "<Channel>Linux-Sysmon/Operational</Channel><Computer>web01</Computer><Security UserId=\"0\"/></System>"
#define D(name, value) "<Data Name=\"" name "\">" value "</Data>"

static const char ev1[] =
    "<Event>" SYSTEM("1") "<EventData>" D("RuleName", "-") D("UtcTime", "2026-10-12 12:00:00.123")
    D("ProcessGuid", "{6a7b-1}") D("ProcessId", "5678") D("Image", "/usr/bin/whoami") D("FileVersion", "-")
    D("Description", "-") D("Product", "-") D("Company", "-") D("OriginalFileName", "-")
    D("CommandLine", "whoami") D("CurrentDirectory", "/root") D("User", "root") D("LogonGuid", "{0-0}")
    D("LogonId", "0") D("TerminalSessionId", "3") D("IntegrityLevel", "no level") D("Hashes", "-")
    D("ParentProcessGuid", "{6a7b-0}") D("ParentProcessId", "1000") D("ParentImage", "/usr/bin/bash")
    D("ParentCommandLine", "bash") D("ParentUser", "root") "</EventData></Event>";

static void test_process_create(void **state)
{
    (void)state;
    accept_line(&vg_decoder_sysmon_linux, ev1);
    expect("@timestamp", "2026-10-12T12:00:00.123456000Z");
    expect("host.hostname", "web01");
    expect("event.code", "1");
    expect("event.provider", "Linux-Sysmon");
    expect("event.dataset", "sysmon_linux.log");
    expect("event.kind", "event");
    expect_array("event.category", "[\"process\"]");
    expect_array("event.type", "[\"start\"]");
    expect("sysmon.Image", "/usr/bin/whoami");
    expect("sysmon.CommandLine", "whoami");
    expect("sysmon.LogonId", "0");
    expect("sysmon.Hashes", "-");               /* members are kept as written */
    expect("sysmon.ParentUser", "root");
    expect("process.executable", "/usr/bin/whoami");
    expect("process.name", "whoami");
    expect_num("process.pid", "5678");
    expect("process.entity_id", "{6a7b-1}");
    expect("process.command_line", "whoami");
    expect("process.working_directory", "/root");
    expect("process.parent.executable", "/usr/bin/bash");
    expect("process.parent.name", "bash");
    expect_num("process.parent.pid", "1000");
    expect("process.parent.command_line", "bash");
    expect("user.name", "root");
    expect_none("rule.name");                   /* RuleName: alerts own rule.* */
    assert_string_equal(ev.decoder, "sysmon-linux");
}

static void test_network_connect(void **state)
{
    (void)state;
    accept_line(&vg_decoder_sysmon_linux,
                "<Event>" SYSTEM("3") "<EventData>" D("ProcessId", "77") D("Image", "/usr/bin/bash") D("User", "www-data")
                D("Protocol", "TCP") D("Initiated", "true") D("SourceIsIpv6", "false") D("SourceIp", "10.0.0.5")
                D("SourceHostname", "-") D("SourcePort", "40312") D("SourcePortName", "-") D("DestinationIsIpv6", "false")
                D("DestinationIp", "203.0.113.9") D("DestinationHostname", "c2.example") D("DestinationPort", "4444")
                D("DestinationPortName", "-") "</EventData></Event>");
    expect("event.code", "3");
    expect_array("event.category", "[\"network\"]");
    expect("sysmon.Initiated", "true");
    expect("sysmon.DestinationIp", "203.0.113.9");
    expect("source.ip", "10.0.0.5");
    expect_num("source.port", "40312");
    expect_none("source.domain");               /* "-": no value */
    expect("destination.ip", "203.0.113.9");
    expect_num("destination.port", "4444");
    expect("destination.domain", "c2.example");
    expect("network.transport", "tcp");
    expect("user.name", "www-data");
    expect("process.name", "bash");
}

static void test_other_events(void **state)
{
    (void)state;
    accept_line(&vg_decoder_sysmon_linux, "<Event>" SYSTEM("4") "<EventData>" D("UtcTime", "2026-10-12 12:00:00.000")
                D("State", "Started") D("Version", "1.3.3") D("SchemaVersion", "4.81") "</EventData></Event>");
    expect("sysmon.State", "Started");
    expect("sysmon.SchemaVersion", "4.81");
    expect_array("event.category", "[\"configuration\"]");
    accept_line(&vg_decoder_sysmon_linux, "<Event>" SYSTEM("5") "<EventData>" D("ProcessId", "5678")
                D("Image", "/usr/bin/whoami") D("User", "root") "</EventData></Event>");
    expect_array("event.type", "[\"end\"]");
    expect_num("process.pid", "5678");
    accept_line(&vg_decoder_sysmon_linux, "<Event>" SYSTEM("9") "<EventData>" D("Image", "/usr/sbin/dd")
                D("Device", "/dev/sda") "</EventData></Event>");
    expect("sysmon.Device", "/dev/sda");
    accept_line(&vg_decoder_sysmon_linux, "<Event>" SYSTEM("11") "<EventData>" D("Image", "/usr/bin/cp")
                D("TargetFilename", "/etc/cron.d/job") D("CreationUtcTime", "2026-10-12 12:00:00.000") "</EventData></Event>");
    expect("file.path", "/etc/cron.d/job");
    expect("file.name", "job");
    expect("sysmon.TargetFilename", "/etc/cron.d/job");
    expect_array("event.type", "[\"creation\"]");
    accept_line(&vg_decoder_sysmon_linux, "<Event>" SYSTEM("16") "<EventData>" D("Configuration", "/opt/sysmon.xml")
                D("ConfigurationFileHash", "-") "</EventData></Event>");
    expect("sysmon.Configuration", "/opt/sysmon.xml");
    static const char *const deletes[] = { "23", "26" };
    for (size_t i = 0; i < 2; i++) {
        char line[2048];
        snprintf(line, sizeof line, "<Event><System><EventID>%s</EventID></System><EventData>"
                 D("Image", "/usr/bin/rm") D("TargetFilename", "/var/log/syslog") D("IsExecutable", "false")
                 D("Archived", "-") "</EventData></Event>", deletes[i]);
        accept_line(&vg_decoder_sysmon_linux, line);
        expect("event.code", deletes[i]);
        expect("file.path", "/var/log/syslog");
        expect("sysmon.IsExecutable", "false");
        expect_array("event.type", "[\"deletion\"]");
        expect_none("@timestamp");              /* no TimeCreated */
    }
    accept_line(&vg_decoder_sysmon_linux, "<Event><System><EventID>255</EventID></System><EventData>"
                D("ID", "7") D("Unknown", "x") "</EventData></Event>");
    expect("sysmon.ID", "7");
    expect_none("sysmon.Unknown");              /* not a known member: in event.original only */
    expect_none("event.category");
}

static void test_entities_and_quotes(void **state)
{
    (void)state;
    accept_line(&vg_decoder_sysmon_linux,
                "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>"
                "<System><Provider Name='Linux-Sysmon'/><EventID>1</EventID><TimeCreated SystemTime = '2026-10-12T12:00:00Z' />"
                "<Computer>h&amp;1</Computer></System><EventData>"
                "<Data Name='CommandLine'>bash -c &quot;id &amp;&amp; echo &apos;x&apos; &gt; /tmp/o &lt; /dev/null&quot;</Data>"
                "<Data Name=\"ParentCommandLine\">&#65;&#x42;&#x20AC;&#x1F600; &#9;</Data>"
                "<Data Name=\"CurrentDirectory\"/><Data Name=\"Image\">/usr/bin/caf\xc3\xa9</Data>"
                "</EventData></Event>");
    expect("sysmon.CommandLine", "bash -c \"id && echo 'x' > /tmp/o < /dev/null\"");
    expect("process.command_line", "bash -c \"id && echo 'x' > /tmp/o < /dev/null\"");
    expect("sysmon.ParentCommandLine", "AB\xe2\x82\xac\xf0\x9f\x98\x80 \t");
    expect("sysmon.CurrentDirectory", "");
    expect_none("process.working_directory");
    expect("sysmon.Image", "/usr/bin/caf\xc3\xa9");
    expect("process.name", "caf\xc3\xa9");
    expect("host.hostname", "h&1");
    expect("@timestamp", "2026-10-12T12:00:00Z");
    /* a stray byte in a command line is kept (shown as U+FFFD on output), not a rejection */
    accept_line(&vg_decoder_sysmon_linux, "<Event><System><EventID>1</EventID></System><EventData>"
                "<Data Name=\"CommandLine\">nc \xff -e /bin/sh</Data></EventData></Event>");
    expect("sysmon.CommandLine", "nc \xff -e /bin/sh");
}

static void test_syslog_carried(void **state)
{
    (void)state;
    char line[8192];
    snprintf(line, sizeof line, "Oct 12 12:00:00 web01 sysmon: %s", ev1);
    accept_line(&vg_decoder_syslog, line);
    assert_string_equal(ev.decoder, "sysmon-linux");
    expect("sysmon.Image", "/usr/bin/whoami");
    expect("process.name", "whoami");           /* the new process, not the sysmon daemon */
    expect("event.dataset", "sysmon_linux.log");
    expect("@timestamp", "2026-10-12T12:00:00.123456000Z");
    expect("log.syslog.appname", "sysmon");
    snprintf(line, sizeof line, "<14>1 2026-10-12T12:00:00Z web01 sysmon 812 - - %s", ev1);
    accept_line(&vg_decoder_syslog, line);
    expect("sysmon.CommandLine", "whoami");
    accept_line(&vg_decoder_syslog, "Oct 12 12:00:00 web01 sysmon: Sysmon started.");
    assert_string_equal(ev.decoder, "syslog");
    expect_none("sysmon.Image");
    expect_none("tags");
    accept_line(&vg_decoder_syslog, "Oct 12 12:00:00 web01 sysmon: <Event><System><EventID>1</EventID></System>");
    assert_string_equal(ev.decoder, "syslog");
    expect_array("tags", "[\"vigil_sysmon_malformed\"]");
    expect_none("event.code");                  /* a malformed document sets nothing */
    accept_line(&vg_decoder_syslog, "Oct 12 12:00:00 web01 sysmon: <Eventual/>");
    expect_array("tags", "[\"vigil_sysmon_malformed\"]");
}

static void test_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *doc, *reason;
    } bad[] = {
        { "<Event><System><EventID>1</EventID></System><EventData><Data Name=\"Image\">/bin/x", "truncated" },
        { "<Event><System><EventID>1</EventID></System><EventData><Data Name=\"Image\">/bin/x</Dat></EventData></Event>",
          "does not match" },
        { "<Event><System><EventID>1</EventID></System><EventData><Data Name=\"Image\">a</Data></Event>", "does not match" },
        { "<Event><System><EventID>1</EventID></System><EventData><Data Name=\"Image\">&foo;</Data></EventData></Event>",
          "unknown entity" },
        { "<Event><System><EventID>1</EventID></System><EventData><Data Name=\"Image\">a & b</Data></EventData></Event>",
          "unknown entity" },
        { "<Event><System><EventID>1</EventID></System><EventData><Data Name=\"Image\">&#0;</Data></EventData></Event>",
          "character reference" },
        { "<Event><System><EventID>1</EventID></System><EventData><Data Name=\"Image\">&#xD800;</Data></EventData></Event>",
          "character reference" },
        { "<Event><System><EventID>1</EventID></System><EventData><Data Name=\"Image\">&#x41</Data></EventData></Event>",
          "character reference" },
        { "<Event><System></System><EventData><Data Name=\"Image\">/bin/x</Data></EventData></Event>", "no <EventID>" },
        { "<Event><System><EventID>x1</EventID></System></Event>", "not a number" },
        { "<Event><System><EventID>1</EventID><TimeCreated SystemTime=\"yesterday\"/></System></Event>", "ISO 8601" },
        { "<Event><System><EventID>1</EventID></System><!-- note --></Event>", "comments" },
        { "<Event><System><EventID>1</EventID></System></Event> trailing", "text after </Event>" },
        { "<Event><System><EventID>1</EventID><Provider Name=Linux/></System></Event>", "not quoted" },
        { "<Event><System><EventID>1</EventID><Provider Name=\"Linux/></System></Event>", "not closed" },
        { "<Event><System><EventID>1</EventID><Provider Name></System></Event>", "expected '='" },
        { "<Event><System><EventID>1</EventID></System><EventData>" D("Image", "a") D("Image", "b") "</EventData></Event>",
          "appears twice" },
        { "<Other/>", "root element" },
        { "hello", "expected <Event>" },
        { "<Event><System><EventID>1</EventID></System><", "element name" },
        { "<Event><a><b><c><d><e><f><g><h></h></g></f></e></d></c></b></a></Event>", "too deep" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_reason(decode_line(&vg_decoder_sysmon_linux, bad[i].doc, 0), bad[i].doc, bad[i].reason);
    /* values holding entities beyond the event's scratch: a reason, never a cut value */
    static char big[12000];
    size_t n = (size_t)snprintf(big, sizeof big, "<Event><System><EventID>1</EventID></System><EventData><Data Name=\"CommandLine\">");
    while (n < 10000)
        n += (size_t)snprintf(big + n, sizeof big - n, "&quot;a&quot;");
    snprintf(big + n, sizeof big - n, "</Data></EventData></Event>");
    expect_reason(decode_line(&vg_decoder_sysmon_linux, big, 0), "(long)", "scratch");
}

static void test_probe_and_prefixes(void **state)
{
    (void)state;
    static const char *const yes[] = { "<Event><System/></Event>", "<Event xmlns='x'>", "<Event/>" };
    static const char *const no[] = {
        "Oct 12 12:00:00 web01 sysmon: <Event>", "<Eventual>", "<Event", "type=SYSCALL msg=audit(1.0:1): a=1",
    };
    check_probe(&vg_decoder_sysmon_linux, yes, 3, no, 4);
    decode_prefixes(&vg_decoder_sysmon_linux, ev1);     /* never a crash (sanitizers) */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_process_create),
        cmocka_unit_test(test_network_connect),
        cmocka_unit_test(test_other_events),
        cmocka_unit_test(test_entities_and_quotes),
        cmocka_unit_test(test_syslog_carried),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_probe_and_prefixes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
