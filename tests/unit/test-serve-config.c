/*
 * test-serve-config: the daemon's configuration: defaults, every section, units declared
 * anywhere in the file, relative paths, source networks mapped to units (longest prefix,
 * IPv4-mapped IPv6), and errors with their line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "serve-config.h"

static vg_config *parse_ok(const char *text)
{
    vg_config *c = NULL;
    vg_error err;
    vg_error_clear(&err);
    vg_rc rc = vg_config_parse(&c, text, strlen(text), "t.yml", "/etc/vigil", &err);
    if (rc)
        fail_msg("unexpected error: %s", err.msg);
    return c;
}

static void parse_fails(const char *text, const char *want)
{
    vg_config *c = NULL;
    vg_error err;
    vg_error_clear(&err);
    assert_int_not_equal(vg_config_parse(&c, text, strlen(text), "t.yml", "/etc/vigil", &err), VG_OK);
    assert_null(c);
    if (!strstr(err.msg, want))
        fail_msg("error '%s' does not contain '%s'", err.msg, want);
}

static void test_defaults(void **state)
{
    (void)state;
    setenv("VIGIL_DATA_DIR", "/srv/vigil", 1);
    vg_config *c = NULL;
    vg_error err;
    assert_int_equal(vg_config_load(&c, NULL, &err), VG_OK);
    assert_string_equal(c->data_dir, "/srv/vigil");
    assert_string_equal(c->store_path, "/srv/vigil/vigil.db");
    assert_int_equal(c->nunits, 1);
    assert_string_equal(c->units[0].name, "default");
    assert_int_equal(c->nlisteners, 3);
    assert_int_equal(c->listeners[0].kind, VG_LISTEN_UDP);
    assert_string_equal(c->listeners[1].addr.text, "127.0.0.1:5514");
    assert_int_equal(c->listeners[2].kind, VG_LISTEN_HTTP);
    assert_int_equal(c->spool_sync, VG_SPOOL_SYNC_ALWAYS);
    assert_string_equal(c->api.text, "127.0.0.1:8515");
    vg_config_free(c);
}

static void test_sections(void **state)
{
    (void)state;
    vg_config *c = parse_ok("listeners:\n"
                            "  - {name: t, type: tcp, listen: '[::1]:6000', unit: b, framing: octet}\n"
                            "detection: {rules: [sigma, /abs/rules], workers: 3}\n"
                            "store: {path: a.db}\n"
                            "data_dir: data\n"
                            "units:\n"
                            "  - {name: a, networks: [10.0.0.0/8]}\n"
                            "  - {name: b, networks: [10.1.0.0/16, '2001:db8::/32']}\n");
    assert_int_equal(c->nunits, 2);
    assert_int_equal(c->nlisteners, 1);
    assert_int_equal(c->listeners[0].unit, 1); /* units were declared after the listener */
    assert_int_equal(c->listeners[0].framing, VG_FRAME_OCTET);
    assert_int_equal(c->listeners[0].addr.sa.ss_family, AF_INET6);
    assert_string_equal(c->rules[0], "/etc/vigil/sigma");
    assert_string_equal(c->rules[1], "/abs/rules");
    assert_string_equal(c->data_dir, "/etc/vigil/data");
    assert_string_equal(c->store_path, "/etc/vigil/data/a.db");
    assert_int_equal(c->workers, 3);
    vg_config_free(c);
}

static uint32_t unit_of4(const vg_config *c, const char *ip)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    inet_pton(AF_INET, ip, &sa.sin_addr);
    return vg_config_unit_of(c, &c->listeners[0], (const struct sockaddr *)&sa);
}

static void test_unit_of(void **state)
{
    (void)state;
    vg_config *c = parse_ok("units:\n"
                            "  - {name: hq}\n"
                            "  - {name: wide, networks: [10.0.0.0/8]}\n"
                            "  - {name: narrow, networks: [10.1.128.0/17, '2001:db8:1::/48']}\n"
                            "listeners: [{name: u, type: udp, listen: 127.0.0.1:5514}]\n");
    assert_int_equal(unit_of4(c, "192.0.2.1"), 0);  /* the listener's unit */
    assert_int_equal(unit_of4(c, "10.9.9.9"), 1);
    assert_int_equal(unit_of4(c, "10.1.128.1"), 2); /* the longest prefix wins */
    assert_int_equal(unit_of4(c, "10.1.127.255"), 1);
    struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
    inet_pton(AF_INET6, "::ffff:10.1.200.1", &s6.sin6_addr);
    assert_int_equal(vg_config_unit_of(c, &c->listeners[0], (const struct sockaddr *)&s6), 2);
    inet_pton(AF_INET6, "2001:db8:1:ffff::1", &s6.sin6_addr);
    assert_int_equal(vg_config_unit_of(c, &c->listeners[0], (const struct sockaddr *)&s6), 2);
    inet_pton(AF_INET6, "2001:db8:2::1", &s6.sin6_addr);
    assert_int_equal(vg_config_unit_of(c, &c->listeners[0], (const struct sockaddr *)&s6), 0);
    vg_config_free(c);
}

static void test_certificates(void **state)
{
    (void)state;
    vg_config *c = parse_ok("units:\n"
                            "  - {name: hq}\n"
                            "  - {name: a, certificates: [host-a1, host-a2]}\n"
                            "  - {name: b, certificates: host-b}\n");
    assert_int_equal(vg_config_unit_of_certificate(c, "host-a2"), 1);
    assert_int_equal(vg_config_unit_of_certificate(c, "host-b"), 2);
    assert_int_equal(vg_config_unit_of_certificate(c, "host-c"), -1);
    assert_int_equal(vg_config_unit_of_certificate(c, ""), -1);
    vg_config_free(c);
}

static void test_tokens(void **state)
{
    (void)state;
    vg_config *c = parse_ok("units: [{name: a}, {name: b}]\n"
                            "listeners:\n"
                            "  - name: h\n"
                            "    type: http\n"
                            "    listen: 127.0.0.1:8514\n"
                            "    unit: b\n"
                            "    tokens:\n"
                            "      - {name: s1, token_sha256: "
                            "C61382A070F74101D0674F3B0A8BC39DD772F870400FAD298628A6AC09D0E292}\n"
                            "      - {name: s2, unit: a, token_sha256: "
                            "0000000000000000000000000000000000000000000000000000000000000001}\n");
    const vg_conf_listener *l = &c->listeners[0];
    assert_int_equal(l->ntokens, 2);
    assert_int_equal(l->tokens[0].unit, 1); /* the listener's unit */
    assert_int_equal(l->tokens[1].unit, 0);
    assert_int_equal(l->tokens[0].sha256[0], 0xc6);
    assert_int_equal(l->tokens[1].sha256[31], 1);
    vg_config_free(c);
}

static void test_errors(void **state)
{
    (void)state;
    parse_fails("log:\n  level: loud\n", "t.yml:2: log level must be");
    parse_fails("listeners:\n  - {name: a, type: udp, listen: 127.0.0.1:1, unit: x}\n", "t.yml:2: unit 'x' is not declared");
    parse_fails("listeners:\n  - {name: a, type: tcp, listen: 127.0.0.1:1, tokens: [{name: x, token_sha256: "
                "0000000000000000000000000000000000000000000000000000000000000001}]}\n", "tokens are for http");
    parse_fails("listeners:\n  - {name: a, type: udp, listen: 'localhost:1'}\n", "numeric address");
    parse_fails("listeners:\n  - {name: a, type: udp, listen: 127.0.0.1:0}\n", "port from 1 to 65535");
    parse_fails("listeners:\n  - {name: a, type: udp, listen: 127.0.0.1:1}\n  - {name: a, type: tcp, listen: 127.0.0.1:2}\n",
                "used twice");
    parse_fails("units: [{name: a, networks: [10.0.0.0/33]}]\n", "not an address or a CIDR network");
    parse_fails("detection: {batch: 0}\n", "batch must be at least 1");
    parse_fails("listeners:\n  - {name: h, type: http, listen: 127.0.0.1:1, tokens: [{name: x, token_sha256: abc}]}\n",
                "64 hex digits");
    parse_fails("data_dir: [a]\n", "data_dir must be a non-empty string");
    parse_fails("a: 1\na: 2\n", "given twice");
    parse_fails("units: [{name: a, certificates: [h1]}, {name: b, certificates: [h2, h1]}]\n",
                "t.yml:1: certificate name 'h1' is given to two units");
    /* TLS options: tls and relp (RELP over TLS) take client_ca, relp only with a cert */
    parse_fails("listeners:\n  - {name: a, type: tcp, listen: 127.0.0.1:1, cert: c.pem, key: k.pem}\n",
                "cert and key are for tls, relp and http listeners");
    parse_fails("listeners:\n  - {name: a, type: relp, listen: 127.0.0.1:1, client_ca: ca.pem}\n",
                "client_ca is for tls listeners and relp listeners with a cert");
    parse_fails("listeners:\n  - {name: a, type: relp, listen: 127.0.0.1:1, cert: c.pem}\n", "cert and key go together");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_sections),
        cmocka_unit_test(test_unit_of),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_certificates),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
