/*
 * json-write: serialization helpers that append JSON to a vg_buf. Strings from text input are
 * escaped as JSON requires; bytes that are not valid UTF-8 are written as U+FFFD and counted,
 * so output is always valid JSON and the caller can say that a value was repaired.
 */
#ifndef VIGIL_JSON_WRITE_H
#define VIGIL_JSON_WRITE_H

#include <stddef.h>

#include "json-scan.h"
#include "util-buf.h"

/* Appends s[0..n) as a quoted JSON string; *repaired (if not NULL) is increased by the number
 * of invalid UTF-8 sequences replaced with U+FFFD. */
vg_rc vg_jw_string(vg_buf *b, const char *s, size_t n, unsigned *repaired);

/* Appends a typed value: strings quoted (raw escaped content copied as is; plain text, flag
 * VG_VALUE_PLAIN, escaped as JSON requires), numbers and
 * literals verbatim, containers as their JSON text compacted (whitespace outside strings
 * removed). */
vg_rc vg_jw_value(vg_buf *b, const vg_value *v);

/* Appends token i of doc and its children in compact form. */
vg_rc vg_jw_token(vg_buf *b, const vg_json_doc *doc, uint32_t i);

#endif
