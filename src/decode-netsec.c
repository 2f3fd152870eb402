/*
 * decode-netsec: network security monitor logs as JSON, Suricata EVE and Zeek.
 *
 *   suricata  {"timestamp":"2026-01-02T03:04:05.123456+0700","flow_id":..,"event_type":"alert",
 *              "src_ip":..,"src_port":..,"dest_ip":..,"dest_port":..,"proto":"TCP",
 *              "community_id":..,"app_proto":..,"alert":{..},"dns":{..},"http":{..},
 *              "tls":{..},"flow":{..}}
 *              Probe: "timestamp", a string "event_type", and "src_ip" or "flow_id" (stats
 *              records have neither and go to the generic decoder).
 *   zeek      {"ts":1767297845.123456,"uid":"C..","id.orig_h":..,"id.orig_p":..,"id.resp_h":..,
 *              "id.resp_p":..,"proto":"tcp",...} (conn, dns, http logs written as JSON; "ts"
 *              as epoch seconds or an ISO 8601 string). Probe: "ts", "uid" and "id.orig_h".
 *              The log is "_path" when present, else inferred: "query" is dns, "method" or
 *              "uri" is http, "conn_state" is conn.
 *
 * Both get the same 5-tuple (source.*, destination.*, network.transport lowercased,
 * network.community_id) from their own key names (net_tuple), the same DNS and HTTP mapping
 * from their own key names (net_dns, net_http), the same byte and packet counters
 * (source/destination/network .bytes and .packets), and event.kind/category/type from one
 * table of record types (net_kinds); event.dataset is suricata.eve or zeek.<log>. Suricata alerts add rule.* and event.severity, TLS
 * records tls.*; app-layer objects are mapped wherever they appear (an alert with "http"
 * metadata gets url.* too). Zeek's top-level "user_agent" string becomes user_agent.original
 * (the merged output then holds it as {"user_agent":{"original":...}}, as ECS has it).
 */
#include "decode.h"

#include <string.h>

#include "decode-fields.h"

/* Key names of the 5-tuple in one format. */
typedef struct net_tuple {
    const char *src_ip, *src_port, *dst_ip, *dst_port, *proto;
} net_tuple;

#define NET_PATHS 3  /* most paths a DNS value is looked for at */

/* Paths of DNS values under the record's "dns" object (Suricata) or its root (Zeek), first
 * found wins: EVE v1/v2 records hold the name, v3 a "queries" list, alert metadata "query". */
typedef struct net_dns {
    const char *name[NET_PATHS];    /* query name */
    const char *type[NET_PATHS];    /* query type name */
    const char *rcode;              /* response code name */
} net_dns;

/* Key names of HTTP values (NULL: the format has none, or it must not be mapped). */
typedef struct net_http {
    const char *host, *uri, *method, *status, *user_agent, *referrer, *version;
    const char *request_bytes, *response_bytes, *response_mime;
} net_http;

/* Key names of a pair of counters (client to server, server to client) and their fields. */
typedef struct net_counter {
    const char *to_server, *to_client;  /* members of the counters' object */
    const char *source, *destination, *total;   /* ECS fields */
} net_counter;

/* What a record type is: ECS categorization and the protocol it implies. */
typedef struct net_kind {
    const char *name;       /* Suricata event_type or Zeek log */
    const char *kind;       /* event.kind */
    const char *category;   /* event.category (JSON array) */
    const char *type;       /* event.type (JSON array); NULL: from the alert action */
    const char *protocol;   /* network.protocol when the record does not say, or NULL */
} net_kind;

static const net_kind net_kinds[] = {
    { "alert", "alert", "[\"network\",\"intrusion_detection\"]", NULL, NULL },
    { "dns", "event", "[\"network\"]", "[\"protocol\"]", "dns" },
    { "http", "event", "[\"network\",\"web\"]", "[\"protocol\",\"access\"]", "http" },
    { "tls", "event", "[\"network\"]", "[\"protocol\"]", "tls" },
    { "flow", "event", "[\"network\"]", "[\"connection\",\"end\"]", NULL },
    { "conn", "event", "[\"network\"]", "[\"connection\",\"end\"]", NULL },
    { NULL, "event", "[\"network\"]", "[\"info\"]", NULL }   /* any other */
};

static const net_tuple suricata_tuple_keys = { "src_ip", "src_port", "dest_ip", "dest_port", "proto" };
static const net_tuple zeek_tuple_keys = {
    "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto"
};

static const net_dns suricata_dns_keys = {
    { "rrname", "queries.0.rrname", "query.0.rrname" },
    { "rrtype", "queries.0.rrtype", "query.0.rrtype" },
    "rcode"
};
static const net_dns zeek_dns_keys = { { "query" }, { "qtype_name" }, "rcode_name" };

static const net_http suricata_http_keys = {
    "hostname", "url", "http_method", "status", "http_user_agent", "http_refer", "protocol",
    NULL, "length", "http_content_type"
};
static const net_http zeek_http_keys = {
    "host", "uri", "method", "status_code", "user_agent", "referrer", "version",
    "request_body_len", "response_body_len", NULL
};

static const net_counter suricata_counters_keys[] = {
    { "bytes_toserver", "bytes_toclient", "source.bytes", "destination.bytes", "network.bytes" },
    { "pkts_toserver", "pkts_toclient", "source.packets", "destination.packets", "network.packets" },
};
static const net_counter zeek_counters_keys[] = {
    { "orig_ip_bytes", "resp_ip_bytes", "source.bytes", "destination.bytes", "network.bytes" },
    { "orig_pkts", "resp_pkts", "source.packets", "destination.packets", "network.packets" },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers shared by Suricata and Zeek ------------------------------------------------- */

static int is_object(const vg_event *ev)
{
    return ev->doc && ev->doc->ntoks && ev->doc->toks[0].type == VG_JSON_OBJECT;
}

static int has(const vg_event *ev, const char *key)
{
    return vg_json_member(ev->doc, 0, key, strlen(key)) >= 0;
}

static void set_tuple(vg_event *ev, const net_tuple *k)
{
    vg_df_ip(ev, "source.ip", vg_df_member(ev, 0, k->src_ip));
    vg_df_port(ev, "source.port", vg_df_member(ev, 0, k->src_port));
    vg_df_ip(ev, "destination.ip", vg_df_member(ev, 0, k->dst_ip));
    vg_df_port(ev, "destination.port", vg_df_member(ev, 0, k->dst_port));
    vg_df_lower(ev, "network.transport", vg_df_member(ev, 0, k->proto));
    vg_df_str(ev, "network.community_id", vg_df_member(ev, 0, "community_id"));
}

/* Sets the source, destination and total fields of each counter found under token at. */
static void set_counters(vg_event *ev, int at, const net_counter *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        vg_value up = vg_df_member(ev, at, c[i].to_server), down = vg_df_member(ev, at, c[i].to_client);
        uint64_t a, b;
        int have_a = vg_df_to_uint(up, 0, &a) == 0, have_b = vg_df_to_uint(down, 0, &b) == 0;
        if (have_a)
            vg_df_uint(ev, c[i].source, up);
        if (have_b)
            vg_df_uint(ev, c[i].destination, down);
        if (have_a && have_b)   /* each below 10^18: the sum fits */
            vg_event_set_int(ev, c[i].total, (long long)(a + b));
    }
}

/* Sets url.original, url.path and url.query from a request target ("/a/b?q=1"). */
static void set_url(vg_event *ev, vg_value uri)
{
    if (!vg_df_str(ev, "url.original", uri) || uri.ptr[0] != '/')
        return;     /* absolute or authority form: only url.original */
    const char *q = memchr(uri.ptr, '?', uri.len);
    size_t path_len = q ? (size_t)(q - uri.ptr) : uri.len;
    vg_df_str(ev, "url.path", vg_df_slice(uri, 0, path_len));
    if (q)
        vg_df_str(ev, "url.query", vg_df_slice(uri, path_len + 1, uri.len - path_len - 1));
}

/* Sets http.version from "HTTP/1.1" or "1.1". */
static void set_http_version(vg_event *ev, vg_value v)
{
    if (v.type == VG_JSON_STRING && v.len > 5 && memcmp(v.ptr, "HTTP/", 5) == 0)
        v = vg_df_slice(v, 5, v.len - 5);
    vg_df_str(ev, "http.version", v);
}

/* Maps the HTTP values under token at named by k. */
static void set_http(vg_event *ev, int at, const net_http *k)
{
    vg_df_str(ev, "url.domain", vg_df_member(ev, at, k->host));
    set_url(ev, vg_df_member(ev, at, k->uri));
    vg_df_str(ev, "http.request.method", vg_df_member(ev, at, k->method));
    vg_df_uint(ev, "http.response.status_code", vg_df_member(ev, at, k->status));
    vg_df_str(ev, "user_agent.original", vg_df_member(ev, at, k->user_agent));
    vg_df_str(ev, "http.request.referrer", vg_df_member(ev, at, k->referrer));
    set_http_version(ev, vg_df_member(ev, at, k->version));
    vg_df_uint(ev, "http.request.body.bytes", vg_df_member(ev, at, k->request_bytes));
    vg_df_uint(ev, "http.response.body.bytes", vg_df_member(ev, at, k->response_bytes));
    vg_df_str(ev, "http.response.mime_type", vg_df_member(ev, at, k->response_mime));
}

/* Sets string field name from the first of paths (under token at) that holds a string. */
static void set_first_str(vg_event *ev, const char *name, int at, const char *const *paths)
{
    for (size_t i = 0; i < NET_PATHS && paths[i]; i++)
        if (vg_df_str(ev, name, vg_df_get(ev, at, paths[i])))
            return;
}

/* Maps the DNS values under token at named by k. */
static void set_dns(vg_event *ev, int at, const net_dns *k)
{
    set_first_str(ev, "dns.question.name", at, k->name);
    set_first_str(ev, "dns.question.type", at, k->type);
    vg_df_str(ev, "dns.response_code", vg_df_member(ev, at, k->rcode));
}

/* Sets time field name from v (an ISO 8601 string, or epoch seconds when epoch is set);
 * returns 1 and *t when v is a time. */
static int set_time(const vg_decode_opts *opts, vg_event *ev, const char *name, vg_value v, int epoch,
                    vg_time *t)
{
    return vg_df_to_time(opts, v, epoch, t) == 0 && vg_df_set_time(ev, name, t);
}

#define MAX_DURATION_SEC 9000000000LL   /* limit: longer spans do not fit int64 nanoseconds */

/* Sets event.duration in nanoseconds to end - start (non-negative spans only). */
static void set_duration(vg_event *ev, const vg_time *start, const vg_time *end)
{
    int64_t sec = end->sec - start->sec;
    if (sec < 0 || sec > MAX_DURATION_SEC)
        return;
    int64_t ns = sec * 1000000000LL + ((int64_t)end->nsec - (int64_t)start->nsec);
    if (ns >= 0)
        vg_event_set_int(ev, "event.duration", (long long)ns);
}

/* Sets event.kind, event.category, event.type and network.protocol for a record type. */
static const net_kind *set_kind(vg_event *ev, vg_value type)
{
    const net_kind *k = net_kinds;
    while (k->name && !vg_df_is(type, k->name))
        k++;
    vg_event_set_cstr(ev, "event.kind", k->kind);
    vg_event_set_json(ev, "event.category", k->category);
    if (k->type)
        vg_event_set_json(ev, "event.type", k->type);
    if (k->protocol && !vg_event_field(ev, "network.protocol"))
        vg_event_set_cstr(ev, "network.protocol", k->protocol);
    return k;
}

/* ---- Suricata --------------------------------------------------------------------------- */

static int suricata_probe(const vg_event *ev)
{
    return is_object(ev) && vg_df_member(ev, 0, "event_type").type == VG_JSON_STRING &&
           has(ev, "timestamp") && (has(ev, "src_ip") || has(ev, "flow_id"));
}

static void suricata_alert(vg_event *ev, int alert)
{
    vg_df_keyword(ev, "rule.id", vg_df_member(ev, alert, "signature_id"));
    vg_df_str(ev, "rule.name", vg_df_member(ev, alert, "signature"));
    vg_df_str(ev, "rule.category", vg_df_member(ev, alert, "category"));
    vg_df_uint(ev, "event.severity", vg_df_member(ev, alert, "severity"));
    vg_value action = vg_df_member(ev, alert, "action");
    if (vg_df_is(action, "blocked"))
        vg_event_set_json(ev, "event.type", "[\"denied\"]");
    else
        vg_event_set_json(ev, "event.type", "[\"allowed\"]");
}

/* dns.type from Suricata's "type": query/answer (EVE v1, v2), request/response (v3). */
static void suricata_dns(vg_event *ev, int dns)
{
    vg_value type = vg_df_member(ev, dns, "type");
    set_dns(ev, dns, &suricata_dns_keys);
    if (vg_df_is(type, "query") || vg_df_is(type, "request"))
        vg_event_set_cstr(ev, "dns.type", "query");
    else if (vg_df_is(type, "answer") || vg_df_is(type, "response"))
        vg_event_set_cstr(ev, "dns.type", "answer");
}

/* "TLS 1.2" to tls.version "1.2" and tls.version_protocol "tls"; "SSLv3" to "3.0", "ssl". */
static void suricata_tls_version(vg_event *ev, vg_value v)
{
    if (v.type != VG_JSON_STRING || (v.flags & VG_JSON_ESCAPED))
        return;
    if (v.len > 4 && memcmp(v.ptr, "TLS ", 4) == 0) {
        vg_df_str(ev, "tls.version", vg_df_slice(v, 4, v.len - 4));
        vg_event_set_cstr(ev, "tls.version_protocol", "tls");
    } else if (vg_df_is(v, "SSLv2") || vg_df_is(v, "SSLv3")) {
        vg_event_set_cstr(ev, "tls.version", v.ptr[4] == '2' ? "2.0" : "3.0");
        vg_event_set_cstr(ev, "tls.version_protocol", "ssl");
    }
}

static void suricata_tls(vg_event *ev, int tls)
{
    vg_df_str(ev, "tls.client.server_name", vg_df_member(ev, tls, "sni"));
    suricata_tls_version(ev, vg_df_member(ev, tls, "version"));
    vg_df_str(ev, "tls.client.ja3", vg_df_get(ev, tls, "ja3.hash"));
    vg_df_str(ev, "tls.server.ja3s", vg_df_get(ev, tls, "ja3s.hash"));
    vg_df_str(ev, "tls.server.subject", vg_df_member(ev, tls, "subject"));
    vg_df_str(ev, "tls.server.issuer", vg_df_member(ev, tls, "issuerdn"));
}

static void suricata_flow(const vg_decode_opts *opts, vg_event *ev, int flow)
{
    vg_time start, end;
    set_counters(ev, flow, suricata_counters_keys, COUNT(suricata_counters_keys));
    int have_start = set_time(opts, ev, "event.start", vg_df_member(ev, flow, "start"), 0, &start);
    if (set_time(opts, ev, "event.end", vg_df_member(ev, flow, "end"), 0, &end) && have_start)
        set_duration(ev, &start, &end);
}

static vg_rc suricata_decode(const vg_decode_opts *opts, vg_event *ev, vg_error *err)
{
    if (!suricata_probe(ev))
        return vg_fail(err, VG_ERR_PARSE, 0, "not a Suricata EVE record: expected \"timestamp\", "
                       "\"event_type\" and \"src_ip\" or \"flow_id\"");
    ev->decoder = "suricata";
    vg_time t;
    set_time(opts, ev, "@timestamp", vg_df_member(ev, 0, "timestamp"), 0, &t);
    set_tuple(ev, &suricata_tuple_keys);
    vg_value app = vg_df_member(ev, 0, "app_proto");
    if (!vg_df_is(app, "failed") && !vg_df_is(app, "unknown"))
        vg_df_lower(ev, "network.protocol", app);
    vg_df_str(ev, "observer.hostname", vg_df_member(ev, 0, "host"));
    vg_event_set_cstr(ev, "event.dataset", "suricata.eve");
    set_kind(ev, vg_df_member(ev, 0, "event_type"));
    int at;
    if ((at = vg_df_object(ev, 0, "alert")) >= 0)
        suricata_alert(ev, at);
    if ((at = vg_df_object(ev, 0, "dns")) >= 0)
        suricata_dns(ev, at);
    if ((at = vg_df_object(ev, 0, "http")) >= 0)
        set_http(ev, at, &suricata_http_keys);
    if ((at = vg_df_object(ev, 0, "tls")) >= 0)
        suricata_tls(ev, at);
    if ((at = vg_df_object(ev, 0, "flow")) >= 0)
        suricata_flow(opts, ev, at);
    return VG_OK;
}

/* ---- Zeek ------------------------------------------------------------------------------- */

static int zeek_probe(const vg_event *ev)
{
    return is_object(ev) && has(ev, "ts") && has(ev, "uid") && has(ev, "id.orig_h");
}

/* The log a Zeek record comes from: "_path", or inferred from its members. */
static vg_value zeek_log(const vg_event *ev)
{
    vg_value path = vg_df_member(ev, 0, "_path");
    if (path.type == VG_JSON_STRING)
        return path;
    const char *name = has(ev, "query") ? "dns" : has(ev, "method") || has(ev, "uri") ? "http"
                     : has(ev, "conn_state") ? "conn" : "";
    vg_value v = { VG_JSON_STRING, 0, (uint32_t)strlen(name), name };
    return v;
}

static void zeek_conn(vg_event *ev)
{
    vg_value duration = vg_df_member(ev, 0, "duration");
    vg_time zero = { 0, 0, 0 }, d;
    set_counters(ev, 0, zeek_counters_keys, COUNT(zeek_counters_keys));
    vg_df_lower(ev, "network.protocol", vg_df_member(ev, 0, "service"));
    if (duration.type == VG_JSON_NUMBER && vg_time_parse_epoch(duration.ptr, duration.len, &d) == 0)
        set_duration(ev, &zero, &d);  /* seconds with a fraction, like an epoch time */
}

static void zeek_http(vg_event *ev)
{
    set_http(ev, 0, &zeek_http_keys);
}

static void zeek_dns(vg_event *ev)
{
    set_dns(ev, 0, &zeek_dns_keys);
    vg_df_keyword(ev, "dns.id", vg_df_member(ev, 0, "trans_id"));
    int answered = vg_df_member(ev, 0, "answers").type == VG_JSON_ARRAY || has(ev, "rcode");
    vg_event_set_cstr(ev, "dns.type", answered ? "answer" : "query");
}

/* The Zeek logs named in event.dataset (as Elastic's Zeek module names them); the first three
 * are decoded beyond the 5-tuple. */
static const struct {
    const char *name;
    const char *dataset;
    void (*decode)(vg_event *ev);
} zeek_logs[] = {
    { "conn", "zeek.connection", zeek_conn },
    { "dns", "zeek.dns", zeek_dns },
    { "http", "zeek.http", zeek_http },
    { "dce_rpc", "zeek.dce_rpc", NULL },
    { "dhcp", "zeek.dhcp", NULL },
    { "files", "zeek.files", NULL },
    { "ftp", "zeek.ftp", NULL },
    { "kerberos", "zeek.kerberos", NULL },
    { "notice", "zeek.notice", NULL },
    { "ntlm", "zeek.ntlm", NULL },
    { "rdp", "zeek.rdp", NULL },
    { "smb_files", "zeek.smb_files", NULL },
    { "smb_mapping", "zeek.smb_mapping", NULL },
    { "smtp", "zeek.smtp", NULL },
    { "ssh", "zeek.ssh", NULL },
    { "ssl", "zeek.ssl", NULL },
    { "weird", "zeek.weird", NULL },
    { "x509", "zeek.x509", NULL },
};

static vg_rc zeek_decode(const vg_decode_opts *opts, vg_event *ev, vg_error *err)
{
    if (!zeek_probe(ev))
        return vg_fail(err, VG_ERR_PARSE, 0, "not a Zeek JSON record: expected \"ts\", \"uid\" "
                       "and \"id.orig_h\"");
    ev->decoder = "zeek";
    vg_time t;
    set_time(opts, ev, "@timestamp", vg_df_member(ev, 0, "ts"), 1, &t);
    set_tuple(ev, &zeek_tuple_keys);
    vg_value log = zeek_log(ev);
    set_kind(ev, log);
    for (size_t i = 0; i < COUNT(zeek_logs); i++) {
        if (vg_df_is(log, zeek_logs[i].name)) {
            vg_event_set_cstr(ev, "event.dataset", zeek_logs[i].dataset);
            if (zeek_logs[i].decode)
                zeek_logs[i].decode(ev);
        }
    }
    return VG_OK;
}

const vg_decoder vg_decoder_suricata = {
    "suricata", "Suricata EVE JSON (alert, dns, http, tls, flow; other event types generic)",
    1, suricata_probe, suricata_decode
};

const vg_decoder vg_decoder_zeek = {
    "zeek", "Zeek logs as JSON (conn, dns, http; other logs named, generic fields)", 1, zeek_probe, zeek_decode
};
