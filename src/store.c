/*
 * store: the daemon's embedded SQLite store (see store.h and docs/store.md): opening in WAL
 * mode with the pragmas the exactly-once rule needs, versioned schema migrations, units, the
 * spool watermark, batch commits and the offsets of followed files. Queries, retention and
 * counts are in store-query.c.
 *
 * The main structure is struct vg_store (store-internal.h): one SQLite connection and every
 * statement prepared once at open, then bound and reset on each call. SQL text is constant:
 * the migrations and pragmas run as fixed text, everything that carries data is a bound
 * parameter of a prepared statement.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store-internal.h"
#include "util-datadir.h"
#include "util-mem.h"
#include "util-time.h"

#define BUSY_TIMEOUT_MS 5000            /* waits for another connection's write lock */
#define MAX_UNIT_NAME 256               /* limit: bytes of a unit name */
#define MAX_TALLY 64                    /* distinct (unit, kind) alert counts kept per flush */

/* Migration N takes a file from schema version N - 1 to N; each runs in one transaction and
 * ends by setting user_version. Never edit one that has shipped: add the next. */
static const char *const migrations[] = {
    NULL,
    /* 1: the first schema (docs/store.md describes every column) */
    "CREATE TABLE units (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL UNIQUE,\n"
    "  created INTEGER NOT NULL\n"
    ") STRICT;\n"
    "CREATE TABLE sources (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL UNIQUE,\n"
    "  unit INTEGER NOT NULL REFERENCES units (id),\n"
    "  kind TEXT NOT NULL\n"
    ") STRICT;\n"
    "CREATE TABLE alerts (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  event_seq INTEGER NOT NULL,\n"
    "  idx INTEGER NOT NULL,\n"
    "  unit INTEGER NOT NULL,\n"
    "  event_time_ms INTEGER NOT NULL,\n"
    "  created_ms INTEGER NOT NULL,\n"
    "  kind TEXT NOT NULL,\n"
    "  rule_id TEXT,\n"
    "  rule_name TEXT,\n"
    "  level TEXT,\n"
    "  host TEXT,\n"
    "  indicator TEXT,\n"
    "  json TEXT NOT NULL,\n"
    "  UNIQUE (event_seq, idx)\n"
    ") STRICT;\n"
    "CREATE INDEX alerts_time ON alerts (event_time_ms);\n"
    "CREATE INDEX alerts_unit_time ON alerts (unit, event_time_ms);\n"
    "CREATE INDEX alerts_rule_time ON alerts (rule_id, event_time_ms);\n"
    "CREATE INDEX alerts_rule_name_time ON alerts (rule_name, event_time_ms);\n"
    "CREATE INDEX alerts_host_time ON alerts (host, event_time_ms);\n"
    "CREATE INDEX alerts_indicator_time ON alerts (indicator, event_time_ms)\n"
    "  WHERE indicator IS NOT NULL;\n"
    "CREATE TABLE counters (\n"
    "  day TEXT NOT NULL,\n"
    "  unit INTEGER NOT NULL,\n"
    "  name TEXT NOT NULL,\n"
    "  value INTEGER NOT NULL,\n"
    "  PRIMARY KEY (day, unit, name)\n"
    ") STRICT, WITHOUT ROWID;\n"
    "CREATE TABLE file_offsets (\n"
    "  path TEXT PRIMARY KEY,\n"
    "  dev INTEGER NOT NULL,\n"
    "  ino INTEGER NOT NULL,\n"
    "  \"offset\" INTEGER NOT NULL\n"
    ") STRICT, WITHOUT ROWID;\n"
    "CREATE TABLE meta (\n"
    "  key TEXT PRIMARY KEY,\n"
    "  value ANY\n"
    ") STRICT, WITHOUT ROWID;\n"
    "INSERT INTO meta (key, value) VALUES ('spool_watermark', 0);\n"
    "PRAGMA user_version = 1;\n",
    /* 2: the rule, rule name and host indexes leave out alerts without that value (intel
     * alerts have no rule name, syslog events often no host): an absent value costs no index
     * entry, and `= ?` queries still use them (docs/store.md, "Speed") */
    "DROP INDEX alerts_rule_time;\n"
    "DROP INDEX alerts_rule_name_time;\n"
    "DROP INDEX alerts_host_time;\n"
    "CREATE INDEX alerts_rule_time ON alerts (rule_id, event_time_ms) WHERE rule_id IS NOT NULL;\n"
    "CREATE INDEX alerts_rule_name_time ON alerts (rule_name, event_time_ms) WHERE rule_name IS NOT NULL;\n"
    "CREATE INDEX alerts_host_time ON alerts (host, event_time_ms) WHERE host IS NOT NULL;\n"
    "PRAGMA user_version = 2;\n",
    /* 3: the host and indicator indexes lead with the alert's band (id >> VG_STORE_BAND_SHIFT):
     * a value with many alerts gets them at one place per band instead of one per value, so the
     * entries a commit adds fall into the newest band's few pages, not into a random page of a
     * large index per alert (docs/store.md, "Bands") */
    "DROP INDEX alerts_host_time;\n"
    "DROP INDEX alerts_indicator_time;\n"
    "CREATE INDEX alerts_host_band ON alerts ((id >> " VG_STORE_BAND_SHIFT_TEXT "), host, event_time_ms)"
    " WHERE host IS NOT NULL;\n"
    "CREATE INDEX alerts_indicator_band ON alerts ((id >> " VG_STORE_BAND_SHIFT_TEXT "), indicator, event_time_ms)"
    " WHERE indicator IS NOT NULL;\n"
    "PRAGMA user_version = 3;\n",
};

_Static_assert(sizeof migrations / sizeof migrations[0] == VG_STORE_SCHEMA_VERSION + 1,
               "VG_STORE_SCHEMA_VERSION must be the number of the last migration");

static const char *const statements[VG_ST_COUNT] = {
    [VG_ST_BEGIN] = "BEGIN IMMEDIATE",
    [VG_ST_COMMIT] = "COMMIT",
    [VG_ST_ROLLBACK] = "ROLLBACK",
    [VG_ST_WM_GET] = "SELECT value FROM meta WHERE key = 'spool_watermark'",
    [VG_ST_WM_SET] = "UPDATE meta SET value = ?1 WHERE key = 'spool_watermark'",
    [VG_ST_ALERT_INSERT] =
        "INSERT OR IGNORE INTO alerts (event_seq, idx, unit, event_time_ms, created_ms, kind,"
        " rule_id, rule_name, level, host, indicator, json)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    [VG_ST_COUNTER_ADD] =
        "INSERT INTO counters (day, unit, name, value) VALUES (?1, ?2, ?3 || ?4, ?5)"
        " ON CONFLICT (day, unit, name) DO UPDATE SET value = value + excluded.value",
    [VG_ST_UNIT_GET] = "SELECT id FROM units WHERE name = ?1",
    [VG_ST_UNIT_INSERT] = "INSERT INTO units (name, created) VALUES (?1, ?2)",
    [VG_ST_OFFSET_GET] = "SELECT \"offset\" FROM file_offsets WHERE path = ?1 AND dev = ?2 AND ino = ?3",
    [VG_ST_OFFSET_POS] = "SELECT dev, ino, \"offset\" FROM file_offsets WHERE path = ?1",
    [VG_ST_OFFSET_SET] =
        "INSERT INTO file_offsets (path, dev, ino, \"offset\") VALUES (?1, ?2, ?3, ?4)"
        " ON CONFLICT (path) DO UPDATE SET dev = excluded.dev, ino = excluded.ino,"
        " \"offset\" = excluded.\"offset\"",
    [VG_ST_COUNT_ALL] = "SELECT count(*) FROM alerts",
    [VG_ST_COUNT_KIND] = "SELECT count(*) FROM alerts WHERE kind = ?1",
    /* by the time the alert was stored (ids grow with it: the oldest come first) */
    [VG_ST_DELETE_AGED] =
        "DELETE FROM alerts WHERE id IN (SELECT id FROM alerts WHERE created_ms < ?1 ORDER BY id LIMIT ?2)",
    [VG_ST_DELETE_OLDEST] = "DELETE FROM alerts WHERE id IN (SELECT id FROM alerts ORDER BY id LIMIT ?1)",
    [VG_ST_INCREMENTAL_VACUUM] = "PRAGMA incremental_vacuum",
    [VG_ST_PAGE_COUNT] = "PRAGMA page_count",
    [VG_ST_FREELIST_COUNT] = "PRAGMA freelist_count",
    [VG_ST_PAGE_SIZE] = "PRAGMA page_size",
    /* two subqueries: each of min() and max() alone is one seek, together a scan */
    [VG_ST_ID_RANGE] = "SELECT (SELECT min(id) FROM alerts), (SELECT max(id) FROM alerts)",
    [VG_ST_ALERT_BY_ID] = VG_STORE_ROW_SELECT " WHERE a.id = ?1",
};

static vg_rc map_code(int code)
{
    switch (code & 0xff) {
    case SQLITE_NOMEM: return VG_ERR_NOMEM;
    case SQLITE_NOTADB: case SQLITE_CORRUPT: case SQLITE_FORMAT: return VG_ERR_PARSE;
    case SQLITE_TOOBIG: case SQLITE_FULL: return VG_ERR_LIMIT;
    case SQLITE_CONSTRAINT: case SQLITE_MISMATCH: case SQLITE_RANGE: case SQLITE_MISUSE: return VG_ERR_USAGE;
    default: return VG_ERR_IO;
    }
}

vg_rc vg_store_db_fail(vg_store *st, const char *what, vg_error *err)
{
    int code = sqlite3_extended_errcode(st->db);
    return vg_fail(err, map_code(code), 0, "%s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
}

vg_rc vg_store_run(vg_store *st, sqlite3_stmt *s, const char *what, vg_error *err)
{
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        ;
    vg_rc r = rc == SQLITE_DONE ? VG_OK : vg_store_db_fail(st, what, err);
    sqlite3_reset(s);
    return r;
}

vg_rc vg_store_int(vg_store *st, sqlite3_stmt *s, const char *what, int64_t *v, vg_error *err)
{
    int rc = sqlite3_step(s);
    *v = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    vg_rc r = rc == SQLITE_ROW || rc == SQLITE_DONE ? VG_OK : vg_store_db_fail(st, what, err);
    sqlite3_reset(s);
    return r;
}

/* Runs constant SQL text (pragmas, migrations): no data is ever part of it. */
static vg_rc exec_fixed(vg_store *st, const char *sql, const char *what, vg_error *err)
{
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return vg_store_db_fail(st, what, err);
    return VG_OK;
}

/* A fixed pragma with one integer answer. */
static vg_rc pragma_int(vg_store *st, const char *sql, const char *what, int64_t *v, vg_error *err)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return vg_store_db_fail(st, what, err);
    vg_rc rc = vg_store_int(st, s, what, v, err);
    sqlite3_finalize(s);
    return rc;
}

/* Sets WAL mode; a file that cannot be switched (a read-only file system) is an error. */
static vg_rc set_wal(vg_store *st, vg_error *err)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &s, NULL) != SQLITE_OK)
        return vg_store_db_fail(st, "setting WAL mode", err);
    int rc = sqlite3_step(s);
    vg_rc r = VG_OK;
    if (rc != SQLITE_ROW)
        r = vg_store_db_fail(st, "setting WAL mode", err);
    else if (strcmp((const char *)sqlite3_column_text(s, 0), "wal") != 0)
        r = vg_fail(err, VG_ERR_IO, 0, "%s: cannot use WAL mode (journal mode stays %s)", st->path,
                    (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return r;
}

/* Pragmas of a writable store. page_size and auto_vacuum take effect only on a new, empty file
 * (they must precede the first table), which is when migration 1 is about to run. 8 KiB
 * pages and a checkpoint every 4,000 pages (32 MiB of WAL) took the CPU of a 1,000-alert
 * commit from about 18 ms to 12-15 ms against 4 KiB pages and 1,000 (docs/store.md, "Speed"). */
static vg_rc writer_pragmas(vg_store *st, vg_error *err)
{
    vg_rc rc = exec_fixed(st, "PRAGMA page_size = 8192; PRAGMA auto_vacuum = INCREMENTAL", "setting auto_vacuum", err);
    if (!rc)
        rc = set_wal(st, err);
    if (!rc)
        rc = exec_fixed(st,
                        "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
                        " PRAGMA journal_size_limit = 67108864; PRAGMA cache_size = -65536;"
                        " PRAGMA wal_autocheckpoint = 4000",
                        "setting pragmas", err);
    return rc;
}

/* Runs the migrations after the file's version, each in its own transaction. */
static vg_rc migrate(vg_store *st, vg_error *err)
{
    const int newest = (int)(sizeof migrations / sizeof migrations[0]) - 1;
    for (int v = st->version + 1; v <= newest; v++) {
        vg_rc rc = exec_fixed(st, "BEGIN IMMEDIATE", "starting a migration", err);
        int64_t now = 0;
        if (!rc)
            rc = pragma_int(st, "PRAGMA user_version", "reading the schema version", &now, err);
        if (!rc && now >= v) {     /* another process migrated meanwhile */
            if ((rc = exec_fixed(st, "ROLLBACK", "ending a migration", err)) != VG_OK)
                return rc;
            st->version = v;
            continue;
        }
        if (!rc)
            rc = exec_fixed(st, migrations[v], "migrating the schema", err);
        if (!rc)
            rc = exec_fixed(st, "COMMIT", "committing a migration", err);
        if (rc) {
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
            return rc;
        }
        st->version = v;
    }
    return VG_OK;
}

static vg_rc check_version(vg_store *st, vg_error *err)
{
    int64_t v = 0;
    vg_rc rc = pragma_int(st, "PRAGMA user_version", "reading the schema version", &v, err);
    if (rc)
        return rc;
    if (v > VG_STORE_SCHEMA_VERSION || v < 0)
        return vg_fail(err, VG_ERR_UNSUPPORTED, 0,
                       "%s: schema version %lld is newer than this vigil knows (%d): use a newer vigil",
                       st->path, (long long)v, VG_STORE_SCHEMA_VERSION);
    st->version = (int)v;
    return VG_OK;
}

static vg_rc prepare_all(vg_store *st, vg_error *err)
{
    for (int i = 0; i < VG_ST_COUNT; i++)
        if (sqlite3_prepare_v3(st->db, statements[i], -1, SQLITE_PREPARE_PERSISTENT, &st->st[i], NULL) != SQLITE_OK)
            return vg_store_db_fail(st, "preparing statements", err);
    return VG_OK;
}

/* Allocates the handle and opens the connection with flags. */
static vg_rc connect(vg_store **out, const char *path, int flags, vg_error *err)
{
    vg_store *st = vg_calloc(1, sizeof *st);
    if (!st || !(st->path = vg_strndup(path, strlen(path)))) {
        vg_free(st);
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory opening %s", path);
    }
    *out = st;
    st->readonly = (flags & SQLITE_OPEN_READONLY) != 0;
    if (sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        if (!st->db)
            return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory opening %s", path);
        return vg_store_db_fail(st, "cannot open", err);
    }
    sqlite3_extended_result_codes(st->db, 1);
    sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
    return VG_OK;
}

/* Creates the file with mode 0600 if it does not exist (SQLite would use 0644 less umask;
 * the -wal and -shm files take the main file's mode). */
static vg_rc create_private(const char *path, vg_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        close(fd);
        return VG_OK;
    }
    if (errno == EEXIST)
        return VG_OK;
    return vg_fail(err, VG_ERR_IO, 0, "%s: cannot create: %s", path, strerror(errno));
}

/* The end of both opens: prepares the statements and hands st out, or closes it on failure. */
static vg_rc finish_open(vg_store *st, vg_rc rc, vg_store **out, vg_error *err)
{
    if (!rc)
        rc = prepare_all(st, err);
    if (rc) {
        vg_store_close(st);
        return rc;
    }
    *out = st;
    return VG_OK;
}

vg_rc vg_store_open(vg_store **out, const char *path, vg_error *err)
{
    *out = NULL;
    vg_store *st = NULL;
    vg_rc rc = create_private(path, err);
    if (!rc)
        rc = connect(&st, path, SQLITE_OPEN_READWRITE, err);
    if (!rc)
        rc = check_version(st, err);
    if (!rc)
        rc = writer_pragmas(st, err);
    if (!rc)
        rc = migrate(st, err);
    return finish_open(st, rc, out, err);
}

vg_rc vg_store_open_readonly(vg_store **out, const char *path, vg_error *err)
{
    *out = NULL;
    struct stat sb;
    if (stat(path, &sb) != 0)
        return vg_fail(err, errno == ENOENT ? VG_ERR_NOTFOUND : VG_ERR_IO, 0, "%s: %s", path, strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return vg_fail(err, VG_ERR_IO, 0, "%s: not a regular file", path);
    vg_store *st = NULL;
    vg_rc rc = connect(&st, path, SQLITE_OPEN_READONLY, err);
    if (!rc)
        rc = check_version(st, err);
    if (!rc && st->version < VG_STORE_SCHEMA_VERSION)
        rc = st->version == 0
            ? vg_fail(err, VG_ERR_UNSUPPORTED, 0, "%s: not a Vigil store (no schema)", path)
            : vg_fail(err, VG_ERR_UNSUPPORTED, 0, "%s: schema version %d is older than this vigil's (%d): "
                      "open it once with vigil serve to migrate it", path, st->version, VG_STORE_SCHEMA_VERSION);
    if (!rc)
        rc = exec_fixed(st, "PRAGMA query_only = ON", "setting pragmas", err);
    return finish_open(st, rc, out, err);
}

void vg_store_close(vg_store *st)
{
    if (!st)
        return;
    vg_store_query_free(st);
    for (int i = 0; i < VG_ST_COUNT; i++)
        sqlite3_finalize(st->st[i]);
    sqlite3_close(st->db);
    vg_free(st->path);
    vg_free(st);
}

int vg_store_schema_version(vg_store *st)
{
    return st->version;
}

vg_rc vg_store_default_path(char *buf, size_t cap, vg_error *err)
{
    return vg_data_path(VG_STORE_FILE, buf, cap, err);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void bind_opt_text(sqlite3_stmt *s, int i, const char *text)
{
    if (text && text[0])
        sqlite3_bind_text(s, i, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

vg_rc vg_store_unit(vg_store *st, const char *name, uint32_t *id, vg_error *err)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > MAX_UNIT_NAME)
        return vg_fail(err, VG_ERR_USAGE, 0, "a unit name has 1 to %d bytes", MAX_UNIT_NAME);
    sqlite3_stmt *get = st->st[VG_ST_UNIT_GET], *ins = st->st[VG_ST_UNIT_INSERT];
    int64_t v = 0;
    sqlite3_bind_text(get, 1, name, (int)n, SQLITE_STATIC);
    vg_rc rc = vg_store_int(st, get, "looking a unit up", &v, err);
    if (!rc && v == 0) {
        sqlite3_bind_text(ins, 1, name, (int)n, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 2, now_ms());
        rc = vg_store_run(st, ins, "adding a unit", err);
        v = rc ? 0 : sqlite3_last_insert_rowid(st->db);
    }
    if (!rc && (v <= 0 || v > UINT32_MAX))
        rc = vg_fail(err, VG_ERR_LIMIT, 0, "%s: unit id %lld out of range", st->path, (long long)v);
    if (!rc)
        *id = (uint32_t)v;
    return rc;
}

vg_rc vg_store_watermark(vg_store *st, uint64_t *seq, vg_error *err)
{
    int64_t v = 0;
    vg_rc rc = vg_store_int(st, st->st[VG_ST_WM_GET], "reading the watermark", &v, err);
    *seq = rc ? 0 : (uint64_t)v;
    return rc;
}

/* Alerts counted per (unit, kind) during a commit, added to the counters at its end. */
typedef struct tally {
    uint32_t unit;
    const char *kind;
    uint64_t n;
} tally;

typedef struct commit_ctx {
    vg_store *st;
    const vg_store_batch *b;
    char day[16];
    tally t[MAX_TALLY];
    size_t nt;
} commit_ctx;

static vg_rc counter_add(commit_ctx *c, uint32_t unit, const char *name, const char *suffix, uint64_t v,
                         vg_error *err)
{
    if (v == 0)
        return VG_OK;
    sqlite3_stmt *s = c->st->st[VG_ST_COUNTER_ADD];
    sqlite3_bind_text(s, 1, c->day, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, unit);
    sqlite3_bind_text(s, 3, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, suffix, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, (int64_t)v);
    return vg_store_run(c->st, s, "adding to the counters", err);
}

/* Adds the tallied alerts to the counters, per unit and for unit 0 (all units). */
static vg_rc flush_tally(commit_ctx *c, vg_error *err)
{
    vg_rc rc = VG_OK;
    for (size_t i = 0; i < c->nt && !rc; i++) {
        rc = counter_add(c, c->t[i].unit, "alerts.", c->t[i].kind, c->t[i].n, err);
        if (!rc && c->t[i].unit != 0)
            rc = counter_add(c, 0, "alerts.", c->t[i].kind, c->t[i].n, err);
    }
    c->nt = 0;
    return rc;
}

static vg_rc count_alert(commit_ctx *c, const vg_store_alert *a, vg_error *err)
{
    for (size_t i = 0; i < c->nt; i++)
        if (c->t[i].unit == a->unit && strcmp(c->t[i].kind, a->kind) == 0) {
            c->t[i].n++;
            return VG_OK;
        }
    if (c->nt == MAX_TALLY) {
        vg_rc rc = flush_tally(c, err);
        if (rc)
            return rc;
    }
    c->t[c->nt++] = (tally){ a->unit, a->kind, 1 };
    return VG_OK;
}

static vg_rc check_alert(const vg_store_batch *b, const vg_store_alert *a, vg_error *err)
{
    if (a->event_seq < b->first_seq || a->event_seq > b->last_seq)
        return vg_fail(err, VG_ERR_USAGE, 0, "alert of spool record %llu outside the batch %llu..%llu",
                       (unsigned long long)a->event_seq, (unsigned long long)b->first_seq,
                       (unsigned long long)b->last_seq);
    if (!a->kind || !a->kind[0] || !a->json || a->json_len == 0 || a->json_len > INT_MAX)
        return vg_fail(err, VG_ERR_USAGE, 0, "alert %llu/%u: kind and JSON (under 2 GiB) are required",
                       (unsigned long long)a->event_seq, a->idx);
    if (memchr(a->json, 0, a->json_len))
        return vg_fail(err, VG_ERR_USAGE, 0, "alert %llu/%u: the JSON holds a NUL byte",
                       (unsigned long long)a->event_seq, a->idx);
    return VG_OK;
}

/* Inserts one alert (ignored when (event_seq, idx) is stored already) and counts it if new. */
static vg_rc insert_alert(commit_ctx *c, const vg_store_alert *a, vg_error *err)
{
    vg_rc rc = check_alert(c->b, a, err);
    if (rc)
        return rc;
    sqlite3_stmt *s = c->st->st[VG_ST_ALERT_INSERT];
    sqlite3_bind_int64(s, 1, (int64_t)a->event_seq);
    sqlite3_bind_int64(s, 2, a->idx);
    sqlite3_bind_int64(s, 3, a->unit);
    sqlite3_bind_int64(s, 4, a->event_time_ms);
    sqlite3_bind_int64(s, 5, a->created_ms);
    sqlite3_bind_text(s, 6, a->kind, -1, SQLITE_STATIC);
    bind_opt_text(s, 7, a->rule_id);
    bind_opt_text(s, 8, a->rule_name);
    bind_opt_text(s, 9, a->level);
    bind_opt_text(s, 10, a->host);
    bind_opt_text(s, 11, a->indicator);
    sqlite3_bind_text(s, 12, a->json, (int)a->json_len, SQLITE_STATIC);
    rc = vg_store_run(c->st, s, "storing an alert", err);
    if (!rc && sqlite3_changes(c->st->db) == 1)
        rc = count_alert(c, a, err);
    return rc;
}

/* The body of a commit, inside its transaction: alerts, counters, watermark. */
static vg_rc commit_body(commit_ctx *c, uint64_t wm, vg_error *err)
{
    const vg_store_batch *b = c->b;
    vg_rc rc = VG_OK;
    for (size_t i = 0; i < b->nalerts && !rc; i++)
        if (b->alerts[i].event_seq > wm)    /* records up to wm were committed (maybe since aged out) */
            rc = insert_alert(c, &b->alerts[i], err);
    if (!rc)
        rc = flush_tally(c, err);
    if (!rc)
        rc = counter_add(c, 0, "events", "", b->events, err);
    if (!rc)
        rc = counter_add(c, 0, "rejected", "", b->rejected, err);
    if (!rc) {
        sqlite3_stmt *s = c->st->st[VG_ST_WM_SET];
        sqlite3_bind_int64(s, 1, (int64_t)b->last_seq);
        rc = vg_store_run(c->st, s, "moving the watermark", err);
    }
    return rc;
}

/* The UTC day of ms since the epoch as YYYY-MM-DD. */
static void utc_day(int64_t ms, char out[16])
{
    int64_t sec = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    int y, mo, d, h, mi, s;
    vg_time_to_civil(sec, &y, &mo, &d, &h, &mi, &s);
    snprintf(out, 16, "%04d-%02d-%02d", y, mo, d);
}

vg_rc vg_store_commit(vg_store *st, const vg_store_batch *b, vg_error *err)
{
    if (st->readonly)
        return vg_fail(err, VG_ERR_USAGE, 0, "%s: opened read-only", st->path);
    if (b->first_seq == 0 || b->last_seq < b->first_seq || b->last_seq > INT64_MAX || (b->nalerts && !b->alerts))
        return vg_fail(err, VG_ERR_USAGE, 0, "a batch needs 1 <= first_seq <= last_seq < 2^63");
    static commit_ctx zero;
    commit_ctx c = zero;
    c.st = st;
    c.b = b;
    utc_day(b->day_ms, c.day);
    vg_rc rc = vg_store_run(st, st->st[VG_ST_BEGIN], "starting a commit", err);
    if (rc)
        return rc;
    uint64_t wm = 0;
    rc = vg_store_watermark(st, &wm, err);
    if (!rc && b->last_seq <= wm)           /* committed before: nothing to do */
        return vg_store_run(st, st->st[VG_ST_ROLLBACK], "ending a commit", err);
    if (!rc)
        rc = commit_body(&c, wm, err);
    for (size_t i = 0; !rc && i < b->nfiles; i++) /* positions of followed files: in the same transaction */
        rc = vg_store_set_file_offset(st, b->files[i].path, b->files[i].dev, b->files[i].ino, b->files[i].offset, err);
    if (!rc)
        rc = vg_store_run(st, st->st[VG_ST_COMMIT], "committing", err);
    if (rc && !sqlite3_get_autocommit(st->db))
        vg_store_run(st, st->st[VG_ST_ROLLBACK], "rolling back", NULL);
    return rc;
}

vg_rc vg_store_file_offset(vg_store *st, const char *path, uint64_t dev, uint64_t ino, uint64_t *offset,
                           vg_error *err)
{
    sqlite3_stmt *s = st->st[VG_ST_OFFSET_GET];
    int64_t v = 0;
    sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, (int64_t)dev);
    sqlite3_bind_int64(s, 3, (int64_t)ino);
    vg_rc rc = vg_store_int(st, s, "reading a file offset", &v, err);
    *offset = rc ? 0 : (uint64_t)v;
    return rc;
}

vg_rc vg_store_file_position(vg_store *st, const char *path, vg_store_file_pos *pos, vg_error *err)
{
    sqlite3_stmt *s = st->st[VG_ST_OFFSET_POS];
    sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
    int r = sqlite3_step(s);
    vg_rc rc = r == SQLITE_ROW ? VG_OK : r == SQLITE_DONE ? VG_ERR_NOTFOUND : vg_store_db_fail(st, "reading a file position", err);
    *pos = (vg_store_file_pos){ path, 0, 0, 0 };
    if (r == SQLITE_ROW)
        *pos = (vg_store_file_pos){ path, (uint64_t)sqlite3_column_int64(s, 0), (uint64_t)sqlite3_column_int64(s, 1),
                                    (uint64_t)sqlite3_column_int64(s, 2) };
    sqlite3_reset(s);
    return rc;
}

vg_rc vg_store_set_file_offset(vg_store *st, const char *path, uint64_t dev, uint64_t ino, uint64_t offset,
                               vg_error *err)
{
    if (!path || !path[0])
        return vg_fail(err, VG_ERR_USAGE, 0, "a followed file needs a path");
    sqlite3_stmt *s = st->st[VG_ST_OFFSET_SET];
    sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, (int64_t)dev);
    sqlite3_bind_int64(s, 3, (int64_t)ino);
    sqlite3_bind_int64(s, 4, (int64_t)offset);
    return vg_store_run(st, s, "saving a file offset", err);
}
