/*
 * test-event: decoder fields over a record, lookups, and the merged JSON serialization.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "event.h"
#include "json-write.h"

static vg_json_doc doc;
static vg_event ev;
static vg_buf out;

static int setup(void **state)
{
    (void)state;
    vg_buf_init(&out, 0);
    return vg_json_doc_init(&doc, 1024, 32) == VG_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    vg_buf_free(&out);
    vg_json_doc_free(&doc);
    return 0;
}

static void load_json(const char *s)
{
    size_t end;
    vg_error err;
    assert_int_equal(vg_json_parse(&doc, s, strlen(s), 0, &end, &err), VG_OK);
    vg_event_reset(&ev, s, strlen(s), &doc);
}

static const char *to_json(void)
{
    vg_buf_reset(&out);
    assert_int_equal(vg_event_to_json(&ev, &out), VG_OK);
    return out.data;
}

static void test_text_event_nests_fields(void **state)
{
    (void)state;
    const char *line = "x";
    vg_event_reset(&ev, line, 1, NULL);
    assert_int_equal(vg_event_set_cstr(&ev, "source.ip", "192.0.2.1"), VG_OK);
    assert_int_equal(vg_event_set_int(&ev, "source.port", 22), VG_OK);
    assert_int_equal(vg_event_set_cstr(&ev, "@timestamp", "2025-01-01T00:00:00Z"), VG_OK);
    assert_int_equal(vg_event_set_json(&ev, "event.category", "[\"authentication\"]"), VG_OK);
    assert_int_equal(vg_event_set_cstr(&ev, "event.outcome", "failure"), VG_OK);
    assert_int_equal(vg_event_set_cstr(&ev, "user.name", "a \"quoted\"\\ name\n"), VG_OK);
    assert_string_equal(to_json(),
        "{\"@timestamp\":\"2025-01-01T00:00:00Z\","
        "\"event\":{\"category\":[\"authentication\"],\"outcome\":\"failure\"},"
        "\"source\":{\"ip\":\"192.0.2.1\",\"port\":22},"
        "\"user\":{\"name\":\"a \\\"quoted\\\"\\\\ name\\n\"}}");
}

static void test_set_replaces(void **state)
{
    (void)state;
    vg_event_reset(&ev, "", 0, NULL);
    vg_event_set_cstr(&ev, "a.b", "1");
    vg_event_set_cstr(&ev, "a.b", "2");
    assert_int_equal(ev.nfields, 1);
    vg_value v = vg_event_get(&ev, "a.b");
    assert_true(vg_value_equals(&v, "2", 1));
    /* the same name at another address: the newest value wins in lookups and output */
    static char same[] = "a.b";
    vg_event_set_cstr(&ev, same, "3");
    v = vg_event_get(&ev, "a.b");
    assert_true(vg_value_equals(&v, "3", 1));
    assert_string_equal(to_json(), "{\"a\":{\"b\":\"3\"}}");
    vg_event_set_cstr(&ev, "a.b", "4");     /* set last: wins, whichever slot it lands in */
    assert_string_equal(to_json(), "{\"a\":{\"b\":\"4\"}}");
    v = vg_event_get(&ev, "a.b");
    assert_true(vg_value_equals(&v, "4", 1));
    /* many names, each set twice: replaced every time (the filter of set names never misses one) */
    static char many[48][16];
    vg_event_reset(&ev, "", 0, NULL);
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 48; i++) {
            snprintf(many[i], sizeof many[i], "n%d", i);
            vg_event_set_cstr(&ev, many[i], round ? "second" : "first");
        }
    assert_int_equal(ev.nfields, 48);
    for (int i = 0; i < 48; i++) {
        v = vg_event_get(&ev, many[i]);
        assert_true(vg_value_equals(&v, "second", 6));
    }
}

static void test_field_limit(void **state)
{
    (void)state;
    static char names[VG_EVENT_MAX_FIELDS + 1][8];
    vg_event_reset(&ev, "", 0, NULL);
    for (int i = 0; i < VG_EVENT_MAX_FIELDS; i++) {
        names[i][0] = 'f';
        names[i][1] = (char)('A' + i / 26);
        names[i][2] = (char)('a' + i % 26);
        assert_int_equal(vg_event_set_cstr(&ev, names[i], "v"), VG_OK);
    }
    assert_int_equal(vg_event_set_cstr(&ev, "one.too.many", "v"), VG_ERR_LIMIT);
    /* a name already set is replaced even when every slot is taken */
    assert_int_equal(vg_event_set_cstr(&ev, names[0], "w"), VG_OK);
    assert_int_equal(ev.nfields, VG_EVENT_MAX_FIELDS);
    vg_value v = vg_event_get(&ev, names[0]);
    assert_true(vg_value_equals(&v, "w", 1));
}

static void test_lookup_fields_then_record(void **state)
{
    (void)state;
    load_json("{\"source\":{\"ip\":\"10.0.0.1\",\"bytes\":5},\"msg\":\"hi\"}");
    vg_event_set_cstr(&ev, "source.ip", "10.9.9.9");
    vg_value v = vg_event_get(&ev, "source.ip");
    assert_true(vg_value_equals(&v, "10.9.9.9", 8));     /* the decoder's field wins */
    v = vg_event_get(&ev, "source.bytes");
    assert_int_equal(v.type, VG_JSON_NUMBER);
    v = vg_event_get(&ev, "msg");
    assert_true(vg_value_equals(&v, "hi", 2));
    v = vg_event_get(&ev, "nothing.here");
    assert_int_equal(v.type, VG_JSON_NONE);
}

static void test_merge_keeps_record_order_and_overrides(void **state)
{
    (void)state;
    load_json("{\n  \"Event\": {\"EventID\": 4625, \"Data\": [1, 2]},\n  \"host\": {\"name\": \"h\"},\n"
              "  \"@timestamp\": \"old\"\n}");
    vg_event_set_cstr(&ev, "@timestamp", "2025-01-01T00:00:00Z");
    vg_event_set_cstr(&ev, "host.hostname", "WS01");
    vg_event_set_cstr(&ev, "event.code", "4625");
    assert_string_equal(to_json(),
        "{\"Event\":{\"EventID\":4625,\"Data\":[1,2]},"
        "\"host\":{\"name\":\"h\",\"hostname\":\"WS01\"},"
        "\"@timestamp\":\"2025-01-01T00:00:00Z\","
        "\"event\":{\"code\":\"4625\"}}");
}

static void test_merge_keeps_escapes_and_dotted_keys(void **state)
{
    (void)state;
    load_json("{\"id.orig_h\":\"10.0.0.1\",\"path\":\"C:\\\\Windows\\\\x \\\"y\\\"\",\"u\":\"\\u00e9\"}");
    vg_value v = vg_event_get(&ev, "id.orig_h");
    vg_event_set(&ev, "source.ip", v);
    assert_string_equal(to_json(),
        "{\"id.orig_h\":\"10.0.0.1\",\"path\":\"C:\\\\Windows\\\\x \\\"y\\\"\",\"u\":\"\\u00e9\","
        "\"source\":{\"ip\":\"10.0.0.1\"}}");
}

static void test_group_replaces_scalar_member(void **state)
{
    (void)state;
    load_json("{\"user_agent\":\"curl/8.0\",\"x\":1}");
    vg_event_set(&ev, "user_agent.original", vg_event_get(&ev, "user_agent"));
    assert_string_equal(to_json(), "{\"user_agent\":{\"original\":\"curl/8.0\"},\"x\":1}");
}

static void test_escaped_record_key_meets_field(void **state)
{
    (void)state;
    load_json("{\"\\u0040timestamp\":\"2024-01-01T00:00:00+07:00\",\"x\":1}");
    vg_event_set_cstr(&ev, "@timestamp", "2023-12-31T17:00:00Z");
    assert_string_equal(to_json(), "{\"\\u0040timestamp\":\"2023-12-31T17:00:00Z\",\"x\":1}");
}

static void test_add_tag_keeps_tags(void **state)
{
    (void)state;
    load_json("{\"tags\": [ \"from-record\" ] }");
    assert_int_equal(vg_event_add_tag(&ev, "one"), VG_OK);
    assert_int_equal(vg_event_add_tag(&ev, "two"), VG_OK);
    assert_string_equal(to_json(), "{\"tags\":[\"from-record\",\"one\",\"two\"]}");
    load_json("{\"tags\":[]}");
    assert_int_equal(vg_event_add_tag(&ev, "only"), VG_OK);
    assert_string_equal(to_json(), "{\"tags\":[\"only\"]}");
    vg_event_reset(&ev, "", 0, NULL);
    assert_int_equal(vg_event_add_tag(&ev, "new"), VG_OK);
    assert_string_equal(to_json(), "{\"tags\":[\"new\"]}");
}

static void test_invalid_utf8_is_repaired(void **state)
{
    (void)state;
    const char line[] = "bad \xff byte and \xc3\xa9";
    vg_event_reset(&ev, line, sizeof line - 1, NULL);
    vg_event_set_str(&ev, "message", line, sizeof line - 1);
    assert_string_equal(to_json(), "{\"message\":\"bad \xef\xbf\xbd byte and \xc3\xa9\"}");
    unsigned repaired = 0;
    vg_buf_reset(&out);
    vg_jw_string(&out, "\xc3\x28\x01", 3, &repaired);
    assert_int_equal(repaired, 1);
    assert_string_equal(out.data, "\"\xef\xbf\xbd(\\u0001\"");
}

static void test_scratch_limit(void **state)
{
    (void)state;
    vg_event_reset(&ev, "", 0, NULL);
    assert_non_null(vg_event_scratch_reserve(&ev, VG_EVENT_SCRATCH - 1));
    assert_null(vg_event_scratch_reserve(&ev, 2));
    assert_non_null(vg_event_scratch_reserve(&ev, 1));
    vg_event_reset(&ev, "", 0, NULL);
    assert_int_equal(ev.scratch_used, 0);
}

static void test_value_string(void **state)
{
    (void)state;
    load_json("{\"a\":\"x\\ty\",\"n\":12}");
    char buf[8];
    vg_value v = vg_event_get(&ev, "a");
    assert_int_equal(vg_value_string(&v, buf, sizeof buf), 3);
    assert_string_equal(buf, "x\ty");
    v = vg_event_get(&ev, "n");
    assert_int_equal(vg_value_string(&v, buf, sizeof buf), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_event_nests_fields),
        cmocka_unit_test(test_set_replaces),
        cmocka_unit_test(test_field_limit),
        cmocka_unit_test(test_lookup_fields_then_record),
        cmocka_unit_test(test_merge_keeps_record_order_and_overrides),
        cmocka_unit_test(test_merge_keeps_escapes_and_dotted_keys),
        cmocka_unit_test(test_group_replaces_scalar_member),
        cmocka_unit_test(test_escaped_record_key_meets_field),
        cmocka_unit_test(test_add_tag_keeps_tags),
        cmocka_unit_test(test_invalid_utf8_is_repaired),
        cmocka_unit_test(test_scratch_limit),
        cmocka_unit_test(test_value_string),
    };
    return cmocka_run_group_tests_name("event", tests, setup, teardown);
}
