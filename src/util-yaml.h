/*
 * util-yaml: loading a small YAML configuration file whole with libyaml's document API, and
 * reading its nodes with errors that name the file and line ("FILE:LINE: reason"). For
 * configuration files bounded in size by their caller; every mapping is checked for
 * duplicate keys when it is read with vg_yaml_each.
 */
#ifndef VIGIL_UTIL_YAML_H
#define VIGIL_UTIL_YAML_H

#include <stddef.h>
#include <yaml.h>

#include "util-error.h"

typedef struct vg_yaml {
    yaml_document_t doc;
    const char *name;           /* the file name in messages */
    vg_error *err;
    int loaded;
} vg_yaml;

/* Loads the first YAML document of text[0..len) named name. */
vg_rc vg_yaml_load(vg_yaml *y, const char *text, size_t len, const char *name, vg_error *err);

/* Frees the document. */
void vg_yaml_free(vg_yaml *y);

/* The root node (NULL for an empty document). */
yaml_node_t *vg_yaml_root(vg_yaml *y);

/* Node number id of the document. */
yaml_node_t *vg_yaml_node(vg_yaml *y, int id);

/* Line of a node (1-based). */
unsigned vg_yaml_line(const yaml_node_t *n);

/* Sets the error to "NAME:LINE: reason" at node n; returns VG_ERR_PARSE. */
vg_rc vg_yaml_fail(vg_yaml *y, const yaml_node_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The text of a scalar node (NUL-terminated), or NULL if n is not a scalar. */
const char *vg_yaml_scalar(const yaml_node_t *n, size_t *len);

/* A non-empty scalar without NUL bytes into *s; else an error naming what. */
vg_rc vg_yaml_string(vg_yaml *y, const yaml_node_t *n, const char *what, const char **s);

/* A decimal number from 0 to max (at most 4294967295) into *out; else an error naming what. */
vg_rc vg_yaml_uint(vg_yaml *y, const yaml_node_t *n, const char *what, unsigned max, unsigned *out);

/* true/yes or false/no into *out; else an error naming what. */
vg_rc vg_yaml_bool(vg_yaml *y, const yaml_node_t *n, const char *what, int *out);

/* Calls fn for each key of mapping n (what names it in errors); keys must be scalars and
 * unique. A non-OK return of fn stops and is returned. */
vg_rc vg_yaml_each(vg_yaml *y, yaml_node_t *n, const char *what,
                   vg_rc (*fn)(void *ctx, const char *key, yaml_node_t *value), void *ctx);

/* The items of sequence n, or of a single scalar as a one-item list: calls fn for each. */
vg_rc vg_yaml_items(vg_yaml *y, yaml_node_t *n, const char *what, vg_rc (*fn)(void *ctx, yaml_node_t *item),
                    void *ctx);

#endif
