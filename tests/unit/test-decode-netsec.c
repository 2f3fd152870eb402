/*
 * test-decode-netsec: the Suricata EVE and Zeek decoders: the 5-tuple, alerts, DNS, HTTP,
 * TLS, flows and connections, hostile values, and the probes against each other and against
 * Windows and generic JSON.
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

#define EVE(type, rest) \
    "{'timestamp':'2026-01-28T08:15:42.318204+0700','flow_id':1462913468721051,'in_iface':'ens192'," \
    "'event_type':'" type "','src_ip':'10.20.1.15','src_port':49712,'dest_ip':'198.51.100.23'," \
    "'dest_port':80,'proto':'TCP','community_id':'1:Vx2oAx3zeJdDqP6W1GxNc5pXOqA='" rest "}"

static void expect_tuple(void)
{
    expect("source.ip", "10.20.1.15");
    expect_num("source.port", "49712");
    expect("destination.ip", "198.51.100.23");
    expect_num("destination.port", "80");
    expect("network.transport", "tcp");
    expect("network.community_id", "1:Vx2oAx3zeJdDqP6W1GxNc5pXOqA=");
}

static void test_suricata_alert(void **state)
{
    (void)state;
    assert_int_equal(decode_json_as(&vg_decoder_suricata, EVE("alert",
        ",'app_proto':'http','host':'ids-hcm-01','alert':{'action':'allowed','gid':1,'signature_id':2035595,"
        "'rev':2,'signature':'ET MALWARE AgentTesla HTTP Exfil','category':'A Network Trojan was detected',"
        "'severity':1},'http':{'hostname':'198.51.100.23','url':'/panel/upload.php','http_method':'POST',"
        "'protocol':'HTTP/1.1','length':0},'flow':{'pkts_toserver':5,'pkts_toclient':3,"
        "'bytes_toserver':1820,'bytes_toclient':410,'start':'2026-01-28T08:15:41.900001+0700'}")), VG_OK);
    assert_string_equal(ev.decoder, "suricata");
    expect("event.dataset", "suricata.eve");
    expect("@timestamp", "2026-01-28T01:15:42.318204Z");
    expect_tuple();
    expect("network.protocol", "http");
    expect("observer.hostname", "ids-hcm-01");
    expect("event.kind", "alert");
    expect_array("event.category", "[\"network\",\"intrusion_detection\"]");
    expect_array("event.type", "[\"allowed\"]");
    expect("rule.id", "2035595");
    expect("rule.name", "ET MALWARE AgentTesla HTTP Exfil");
    expect("rule.category", "A Network Trojan was detected");
    expect_num("event.severity", "1");
    /* app-layer metadata of the alert */
    expect("url.domain", "198.51.100.23");
    expect("url.path", "/panel/upload.php");
    expect("http.request.method", "POST");
    expect("http.version", "1.1");
    expect_num("http.response.body.bytes", "0");
    /* flow so far */
    expect_num("source.bytes", "1820");
    expect_num("destination.bytes", "410");
    expect_num("network.bytes", "2230");
    expect_num("source.packets", "5");
    expect_num("destination.packets", "3");
    expect_num("network.packets", "8");
    expect("event.start", "2026-01-28T01:15:41.900001Z");
    expect_none("event.end");
    expect_none("event.duration");
    /* a dropped packet */
    assert_int_equal(decode_json_as(&vg_decoder_suricata, EVE("alert", ",'alert':{'action':'blocked',"
                                                         "'signature_id':1,'signature':'x'}")), VG_OK);
    expect_array("event.type", "[\"denied\"]");
}

static void test_suricata_dns(void **state)
{
    (void)state;
    /* EVE v2 answer */
    assert_int_equal(decode_json_as(&vg_decoder_suricata,
        "{'timestamp':'2026-01-28T08:20:00.000100+0700','flow_id':1,'event_type':'dns','src_ip':'10.20.1.15',"
        "'src_port':53211,'dest_ip':'10.20.0.2','dest_port':53,'proto':'UDP','dns':{'version':2,'type':'answer',"
        "'id':40112,'flags':'8183','qr':true,'rd':true,'ra':true,'rrname':'xk2b9qz7vtr4.duckdns.org','rrtype':'A',"
        "'rcode':'NXDOMAIN'}}"), VG_OK);
    expect("@timestamp", "2026-01-28T01:20:00.000100Z");
    expect("event.kind", "event");
    expect_array("event.category", "[\"network\"]");
    expect_array("event.type", "[\"protocol\"]");
    expect("network.protocol", "dns");
    expect("network.transport", "udp");
    expect("dns.question.name", "xk2b9qz7vtr4.duckdns.org");
    expect("dns.question.type", "A");
    expect("dns.response_code", "NXDOMAIN");
    expect("dns.type", "answer");
    /* EVE v3 (Suricata 8) request: names in a "queries" list, request/response types */
    assert_int_equal(decode_json_as(&vg_decoder_suricata,
        "{'timestamp':'2026-01-28T08:20:00+07:00','flow_id':2,'event_type':'dns','src_ip':'10.20.1.15',"
        "'dest_ip':'10.20.0.2','proto':'UDP','dns':{'version':3,'type':'request','tx_id':0,'id':7,"
        "'queries':[{'rrname':'portal.baohiemxahoi.gov.vn','rrtype':'AAAA'}]}}"), VG_OK);
    expect("dns.question.name", "portal.baohiemxahoi.gov.vn");
    expect("dns.question.type", "AAAA");
    expect("dns.type", "query");
    expect_none("dns.response_code");
    expect_none("source.port");
    /* the DNS metadata of an alert */
    assert_int_equal(decode_json_as(&vg_decoder_suricata, EVE("alert", ",'alert':{'signature_id':2018438},"
                                                         "'dns':{'query':[{'type':'query','rrname':'a.duckdns.org',"
                                                         "'rrtype':'TXT'}]}")), VG_OK);
    expect("dns.question.name", "a.duckdns.org");
    expect("dns.question.type", "TXT");
    expect_none("dns.type");
}

static void test_suricata_http(void **state)
{
    (void)state;
    assert_int_equal(decode_json_as(&vg_decoder_suricata, EVE("http",
        ",'tx_id':0,'http':{'hostname':'dichvucong.baohiemxahoi.gov.vn','url':'/tra-cuu?ma_so=0123456789&x=1',"
        "'http_user_agent':'Mozilla/5.0 (Windows NT 10.0; Win64; x64)','http_content_type':'text/html',"
        "'http_refer':'https://www.google.com/','http_method':'GET','protocol':'HTTP/1.1','status':200,"
        "'length':5120}")), VG_OK);
    expect_array("event.category", "[\"network\",\"web\"]");
    expect("network.protocol", "http");
    expect("url.domain", "dichvucong.baohiemxahoi.gov.vn");
    expect("url.original", "/tra-cuu?ma_so=0123456789&x=1");
    expect("url.path", "/tra-cuu");
    expect("url.query", "ma_so=0123456789&x=1");
    expect("http.request.method", "GET");
    expect_num("http.response.status_code", "200");
    expect("user_agent.original", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)");
    expect("http.request.referrer", "https://www.google.com/");
    expect("http.version", "1.1");
    expect_num("http.response.body.bytes", "5120");
    expect("http.response.mime_type", "text/html");
    /* a proxy request in absolute form: url.original only; status as a string */
    assert_int_equal(decode_json_as(&vg_decoder_suricata, EVE("http",
        ",'http':{'url':'http://a.example/x?y','status':'404','protocol':'HTTP/2'}")), VG_OK);
    expect("url.original", "http://a.example/x?y");
    expect_none("url.path");
    expect_num("http.response.status_code", "404");
    expect("http.version", "2");
}

static void test_suricata_tls(void **state)
{
    (void)state;
    assert_int_equal(decode_json_as(&vg_decoder_suricata, EVE("tls",
        ",'tls':{'subject':'CN=update-check.duckdns.org','issuerdn':'C=US, O=Let\\u0027s Encrypt, CN=R11',"
        "'serial':'04:A1','fingerprint':'aa:bb','sni':'update-check.duckdns.org','version':'TLS 1.2',"
        "'notbefore':'2026-01-01T00:00:00','notafter':'2026-04-01T00:00:00',"
        "'ja3':{'hash':'e7d705a3286e19ea42f587b344ee6865','string':'771,49195'},"
        "'ja3s':{'hash':'eb1d94daa7e0344597e756a1fb6e7054','string':'771,49199'}}")), VG_OK);
    expect("network.protocol", "tls");
    expect("tls.client.server_name", "update-check.duckdns.org");
    expect("tls.version", "1.2");
    expect("tls.version_protocol", "tls");
    expect("tls.client.ja3", "e7d705a3286e19ea42f587b344ee6865");
    expect("tls.server.ja3s", "eb1d94daa7e0344597e756a1fb6e7054");
    expect("tls.server.subject", "CN=update-check.duckdns.org");
    expect("tls.server.issuer", "C=US, O=Let's Encrypt, CN=R11");
    assert_int_equal(decode_json_as(&vg_decoder_suricata, EVE("tls", ",'tls':{'version':'SSLv3'}")), VG_OK);
    expect("tls.version", "3.0");
    expect("tls.version_protocol", "ssl");
    assert_int_equal(decode_json_as(&vg_decoder_suricata, EVE("tls", ",'tls':{'version':'UNDETERMINED','ja3':'x'}")), VG_OK);
    expect_none("tls.version");
    expect_none("tls.client.ja3");
}

static void test_suricata_flow(void **state)
{
    (void)state;
    assert_int_equal(decode_json_as(&vg_decoder_suricata, EVE("flow",
        ",'app_proto':'failed','flow':{'pkts_toserver':12,'pkts_toclient':10,'bytes_toserver':1500,"
        "'bytes_toclient':98000,'start':'2026-01-28T08:15:40.250000+0700','end':'2026-01-28T08:15:42.000000+0700',"
        "'age':2,'state':'closed','reason':'timeout','alerted':false}")), VG_OK);
    expect_array("event.type", "[\"connection\",\"end\"]");
    expect_none("network.protocol");
    expect_num("network.bytes", "99500");
    expect_num("network.packets", "22");
    expect("event.start", "2026-01-28T01:15:40.250000Z");
    expect("event.end", "2026-01-28T01:15:42.000000Z");
    expect_num("event.duration", "1750000000");
    /* an end before the start has no duration; one-sided counters have no total */
    assert_int_equal(decode_json_as(&vg_decoder_suricata, EVE("flow",
        ",'flow':{'bytes_toserver':10,'bytes_toclient':'x','start':'2026-01-28T08:15:42Z',"
        "'end':'2026-01-28T08:15:40Z'}")), VG_OK);
    expect_num("source.bytes", "10");
    expect_none("destination.bytes");
    expect_none("network.bytes");
    expect_none("event.duration");
}

static void test_suricata_other_types(void **state)
{
    (void)state;
    assert_int_equal(decode_json_as(NULL, EVE("fileinfo", ",'app_proto':'HTTP','fileinfo':{'filename':'/a.exe'}")),
                     VG_OK);
    assert_string_equal(ev.decoder, "suricata");
    expect_tuple();
    expect("event.kind", "event");
    expect_array("event.type", "[\"info\"]");
    expect("network.protocol", "http");
    /* IPv6 and ICMP */
    assert_int_equal(decode_json_as(NULL, "{'timestamp':'2026-01-28T08:15:42Z','flow_id':3,'event_type':'anomaly',"
                                     "'src_ip':'2001:db8::15','dest_ip':'2001:db8::1','proto':'IPv6-ICMP',"
                                     "'icmp_type':128}"), VG_OK);
    expect("source.ip", "2001:db8::15");
    expect("network.transport", "ipv6-icmp");
    expect_none("source.port");
}

static void test_suricata_wrong_types(void **state)
{
    (void)state;
    assert_int_equal(decode_json_as(&vg_decoder_suricata,
        "{'timestamp':'yesterday','flow_id':'x','event_type':'alert','src_ip':5,'src_port':'abc',"
        "'dest_ip':'999.1.1.1','dest_port':70000,'proto':['TCP'],'community_id':{},'app_proto':7,"
        "'alert':'x','dns':[],'http':{'hostname':['a'],'url':'','status':-1,'http_method':null,'length':1.5},"
        "'tls':{'version':5,'ja3':{'hash':[1]}},'flow':{'bytes_toserver':-1,'start':12,'end':null}}"), VG_OK);
    expect("event.kind", "alert");
    static const char *const unset[] = {
        "@timestamp", "source.ip", "source.port", "destination.ip", "destination.port",
        "network.transport", "network.community_id", "network.protocol", "rule.id", "rule.name",
        "url.domain", "url.original", "http.response.status_code", "http.request.method",
        "http.response.body.bytes", "tls.version", "tls.client.ja3", "source.bytes", "event.start",
        "dns.question.name", "event.type",
    };
    for (size_t i = 0; i < sizeof unset / sizeof unset[0]; i++)
        expect_none(unset[i]);
    /* alert members of the wrong types */
    assert_int_equal(decode_json_as(&vg_decoder_suricata, EVE("alert",
        ",'alert':{'signature_id':{'a':1},'signature':7,'category':['x'],'severity':'high','action':5}")), VG_OK);
    expect_none("rule.id");
    expect_none("rule.name");
    expect_none("rule.category");
    expect_none("event.severity");
    expect_array("event.type", "[\"allowed\"]");   /* IDS mode: anything but "blocked" */
}

/* ---- Zeek ------------------------------------------------------------------------------- */

static void test_zeek_conn(void **state)
{
    (void)state;
    assert_int_equal(decode_json_as(&vg_decoder_zeek,
        "{'ts':1769562942.318204,'uid':'CHhAvVGS1DHFjwGM9','id.orig_h':'10.20.1.15','id.orig_p':49712,"
        "'id.resp_h':'198.51.100.23','id.resp_p':443,'proto':'tcp','service':'ssl','duration':12.5004,"
        "'orig_bytes':1200,'resp_bytes':53000,'conn_state':'SF','missed_bytes':0,'history':'ShADadFf',"
        "'orig_pkts':40,'orig_ip_bytes':3280,'resp_pkts':45,'resp_ip_bytes':55400,'community_id':'1:abc='}"),
                     VG_OK);
    assert_string_equal(ev.decoder, "zeek");
    expect("event.dataset", "zeek.connection");
    expect("@timestamp", "2026-01-28T01:15:42.318204Z");
    expect("source.ip", "10.20.1.15");
    expect_num("source.port", "49712");
    expect("destination.ip", "198.51.100.23");
    expect_num("destination.port", "443");
    expect("network.transport", "tcp");
    expect("network.community_id", "1:abc=");
    expect("network.protocol", "ssl");
    expect("event.kind", "event");
    expect_array("event.type", "[\"connection\",\"end\"]");
    expect_num("event.duration", "12500400000");
    expect_num("source.bytes", "3280");
    expect_num("destination.bytes", "55400");
    expect_num("network.bytes", "58680");
    expect_num("network.packets", "85");
}

static void test_zeek_dns(void **state)
{
    (void)state;
    /* no _path: a "query" member makes it a dns log */
    assert_int_equal(decode_json_as(&vg_decoder_zeek,
        "{'ts':'2026-01-28T01:20:00.5Z','uid':'C1','id.orig_h':'10.20.1.15','id.orig_p':53211,"
        "'id.resp_h':'10.20.0.2','id.resp_p':53,'proto':'udp','trans_id':40112,'rtt':0.02,"
        "'query':'xk2b9qz7vtr4.duckdns.org','qclass':1,'qclass_name':'C_INTERNET','qtype':1,'qtype_name':'A',"
        "'rcode':3,'rcode_name':'NXDOMAIN','AA':false,'TC':false,'RD':true,'RA':true,'Z':0,'rejected':false}"),
                     VG_OK);
    expect("@timestamp", "2026-01-28T01:20:00.5Z");
    expect("event.dataset", "zeek.dns");
    expect("network.protocol", "dns");
    expect_array("event.type", "[\"protocol\"]");
    expect("dns.question.name", "xk2b9qz7vtr4.duckdns.org");
    expect("dns.question.type", "A");
    expect("dns.response_code", "NXDOMAIN");
    expect("dns.id", "40112");
    expect("dns.type", "answer");
    assert_int_equal(decode_json_as(&vg_decoder_zeek, "{'ts':1769562942,'uid':'C2','id.orig_h':'10.20.1.15',"
                                                 "'query':'a.example','qtype_name':'A'}"), VG_OK);
    expect("dns.type", "query");
    expect("@timestamp", "2026-01-28T01:15:42Z");
}

static void test_zeek_http(void **state)
{
    (void)state;
    assert_int_equal(decode_json_as(&vg_decoder_zeek,
        "{'ts':1769562942.5,'uid':'C3','id.orig_h':'10.20.1.15','id.orig_p':50100,'id.resp_h':'203.0.113.80',"
        "'id.resp_p':80,'trans_depth':1,'method':'GET','host':'203.0.113.80','uri':'/bins/mirai.x86?v=2',"
        "'referrer':'-','version':'1.1','user_agent':'Wget/1.21','request_body_len':0,'response_body_len':68720,"
        "'status_code':200,'status_msg':'OK','tags':[]}"), VG_OK);
    expect("event.dataset", "zeek.http");
    expect("network.protocol", "http");
    expect("url.domain", "203.0.113.80");
    expect("url.original", "/bins/mirai.x86?v=2");
    expect("url.path", "/bins/mirai.x86");
    expect("url.query", "v=2");
    expect("http.request.method", "GET");
    expect_num("http.response.status_code", "200");
    expect("http.version", "1.1");
    expect_none("http.request.referrer");   /* "-" */
    expect_num("http.request.body.bytes", "0");
    expect_num("http.response.body.bytes", "68720");
    /* Zeek's top-level user_agent string becomes user_agent.original, once, in the output */
    expect("user_agent.original", "Wget/1.21");
    vg_buf out;
    vg_buf_init(&out, 0);
    assert_int_equal(vg_event_to_json(&ev, &out), VG_OK);
    const char *first = strstr(out.data, "\"user_agent\":{\"original\":\"Wget/1.21\"}");
    assert_non_null(first);
    assert_null(strstr(first + 1, "\"user_agent\":"));
    vg_buf_free(&out);
}

static void test_zeek_path_and_types(void **state)
{
    (void)state;
    /* _path wins over inference */
    assert_int_equal(decode_json_as(NULL, "{'_path':'conn','ts':1769562942.5,'uid':'C4','id.orig_h':'10.0.0.1',"
                                     "'query':'not-a-dns-log','proto':'UDP','duration':'1.5'}"), VG_OK);
    assert_string_equal(ev.decoder, "zeek");
    expect_array("event.type", "[\"connection\",\"end\"]");
    expect_none("dns.question.name");
    expect("network.transport", "udp");
    expect_none("event.duration");          /* a string, not a number */
    /* an unknown log: generic network fields only */
    assert_int_equal(decode_json_as(NULL, "{'ts':1769562942.5,'uid':'C5','id.orig_h':'10.0.0.1','id.resp_h':'10.0.0.2',"
                                     "'fuid':'F1','mime_type':'application/x-dosexec'}"), VG_OK);
    expect_array("event.type", "[\"info\"]");
    expect_none("event.dataset");
    expect("destination.ip", "10.0.0.2");
    /* wrong types everywhere */
    assert_int_equal(decode_json_as(&vg_decoder_zeek, "{'ts':-5,'uid':1,'id.orig_h':['10.0.0.1'],'id.orig_p':'x',"
                                                 "'id.resp_h':{},'id.resp_p':1e3,'proto':1,'conn_state':'S0',"
                                                 "'duration':1e400,'orig_ip_bytes':'12','resp_ip_bytes':1.0,"
                                                 "'orig_pkts':99999999999999999999}"), VG_OK);
    expect_none("@timestamp");
    expect_none("source.ip");
    expect_none("source.port");
    expect_none("destination.ip");
    expect_none("destination.port");
    expect_none("network.transport");
    expect_none("event.duration");
    expect_num("source.bytes", "12");       /* a decimal string is still a count */
    expect_none("destination.bytes");
    expect_none("network.bytes");
    expect_none("source.packets");
    /* a huge duration does not overflow */
    assert_int_equal(decode_json_as(&vg_decoder_zeek, "{'ts':1,'uid':'C6','id.orig_h':'10.0.0.1','conn_state':'S0',"
                                                 "'duration':99999999999.5}"), VG_OK);
    expect_none("event.duration");
}

/* ---- probes and forced formats ---------------------------------------------------------- */

static void test_probes(void **state)
{
    (void)state;
    static const struct { const char *json; const char *decoder; } cases[] = {
        { EVE("alert", ""), "suricata" },
        { "{'timestamp':'2026-01-28T08:15:42Z','event_type':'flow','flow_id':1}", "suricata" },
        { "{'ts':1769562942.5,'uid':'C1','id.orig_h':'10.0.0.1'}", "zeek" },
        { "{'Event':{'System':{'EventID':1}}}", "windows" },
        { "{'winlog':{'event_id':1},'event_type':'x','timestamp':'t','src_ip':'1.2.3.4'}", "windows" },
        /* Suricata stats and partial shapes fall through to the generic decoder */
        { "{'timestamp':'2026-01-28T08:15:42Z','event_type':'stats','stats':{}}", "json" },
        { "{'timestamp':'2026-01-28T08:15:42Z','event_type':5,'src_ip':'1.2.3.4'}", "json" },
        { "{'event_type':'alert','src_ip':'1.2.3.4'}", "json" },
        { "{'ts':1769562942.5,'uid':'C1'}", "json" },
        { "{'ts':1769562942.5,'id.orig_h':'10.0.0.1'}", "json" },
        { "{'id':{'orig_h':'10.0.0.1'},'ts':1,'uid':'C'}", "json" },
        { "{}", "json" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (decode_json_as(NULL, cases[i].json) != VG_OK)
            fail_msg("%s: %s", cases[i].json, err.msg);
        const char *got = ev.decoder ? ev.decoder : "json";
        if (strcmp(got, cases[i].decoder) != 0)
            fail_msg("%s: decoded as %s, expected %s", cases[i].json, got, cases[i].decoder);
        load_json(cases[i].json);
        int suricata = vg_decoder_suricata.probe(&ev), zeek = vg_decoder_zeek.probe(&ev);
        assert_false(suricata && zeek);
    }
}

static void test_forced_wrong_shape(void **state)
{
    (void)state;
    static const char *const not_suricata[] = {
        "{'ts':1769562942.5,'uid':'C1','id.orig_h':'10.0.0.1'}", "{'message':'x'}", "[1]", "7",
    };
    static const char *const not_zeek[] = {
        EVE("alert", ""), "{'Event':{'System':{}}}", "[]", "'ts'",
    };
    for (size_t i = 0; i < sizeof not_suricata / sizeof not_suricata[0]; i++) {
        assert_int_equal(decode_json_as(&vg_decoder_suricata, not_suricata[i]), VG_ERR_PARSE);
        assert_non_null(strstr(err.msg, "not a Suricata EVE record"));
        assert_int_equal(ev.nfields, 0);
    }
    for (size_t i = 0; i < sizeof not_zeek / sizeof not_zeek[0]; i++) {
        assert_int_equal(decode_json_as(&vg_decoder_zeek, not_zeek[i]), VG_ERR_PARSE);
        assert_non_null(strstr(err.msg, "not a Zeek JSON record"));
        assert_int_equal(ev.nfields, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_suricata_alert),
        cmocka_unit_test(test_suricata_dns),
        cmocka_unit_test(test_suricata_http),
        cmocka_unit_test(test_suricata_tls),
        cmocka_unit_test(test_suricata_flow),
        cmocka_unit_test(test_suricata_other_types),
        cmocka_unit_test(test_suricata_wrong_types),
        cmocka_unit_test(test_zeek_conn),
        cmocka_unit_test(test_zeek_dns),
        cmocka_unit_test(test_zeek_http),
        cmocka_unit_test(test_zeek_path_and_types),
        cmocka_unit_test(test_probes),
        cmocka_unit_test(test_forced_wrong_shape),
    };
    return cmocka_run_group_tests(tests, json_setup, json_teardown);
}
