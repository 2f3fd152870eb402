/*
 * decode-windows: Windows event log records as JSON, in the three shapes they reach Vigil in.
 *
 *   evtx   {"Event":{"System":{"Provider":{"#attributes":{"Name":P}},"EventID":N,
 *           "TimeCreated":{"#attributes":{"SystemTime":T}},"Channel":C,"Computer":H,...},
 *           "EventData":{"Name":value,...}}}
 *          evtx files converted to JSON (evtx_dump and the like). Also read: "@Name" style
 *          attributes (xmltodict), EventID as {"#text":N,"#attributes":{"Qualifiers":..}},
 *          EventData as {"Data":[{"#attributes":{"Name":"X"},"#text":"v"},...]}, and the
 *          first element of UserData when there is no EventData (1102 log cleared).
 *   nxlog  {"EventTime":"2026-01-02 03:04:05","Hostname":H,"EventID":N,"SourceName":P,
 *           "Channel":C,"TargetUserName":..,...}: NXLog im_msvistalog, event data at the top
 *          level (or in an "EventData" object). EventTime has no zone: read in --timezone.
 *   beats  {"@timestamp":T,"winlog":{"channel":C,"event_id":N,"provider_name":P,
 *           "computer_name":H,"event_data":{...}},...}: Winlogbeat and Elastic Agent.
 *
 * Each shape is read into one win_rec (the System values and the token of the container that
 * holds the event data); from there the shapes are decoded alike:
 *   - every event: @timestamp, host.hostname (Computer), event.code (EventID, as a string),
 *     event.provider, winlog.channel, event.kind, and event.dataset for the three sources;
 *   - the event id within its source (Security, Sysmon, Windows Defender) picks a row of
 *     win_events: event.category, event.type, event.action (Winlogbeat's names), event.outcome,
 *     event.kind, and which groups of rows of the mapping table apply;
 *   - win_fields, the one mapping table, maps event data names (TargetUserName, Image,
 *     Hashes...) to ECS fields with a conversion: copy, IP, port, pid (decimal or 0x hex),
 *     DOMAIN\user split, Sysmon Hashes split, registry path split, Defender "file:_" path.
 *
 * Of the Beats "winlog.*" names only winlog.channel (ECS has no field for the channel) and
 * winlog.logon.type (Beats' names for logon types) are set; the rest of the event data stays
 * where it is in the original object, which is kept. Values are slices of the record.
 */
#include "decode.h"

#include <pthread.h>
#include <string.h>

#include "decode-fields.h"
#include "decode-text.h"
#include "util-hash.h"

typedef enum win_shape { SHAPE_NONE, SHAPE_EVTX, SHAPE_BEATS, SHAPE_NXLOG } win_shape;

/* One Windows event, whatever its shape. */
typedef struct win_rec {
    vg_value time, code, provider, channel, computer;
    long id;        /* EventID, or -1 if missing or not a number */
    int data;       /* token of the event data container, or -1 */
    int list;       /* 1: data holds Data elements (an array of them, or a single one) */
    int maybe_list; /* 1: data is an evtx EventData whose first Data member, when it is an array
                       or a Data element, holds the data instead (map_fields' walk decides) */
} win_rec;

typedef enum win_source { SRC_OTHER, SRC_SECURITY, SRC_SYSMON, SRC_DEFENDER } win_source;

/* Groups of rows of win_fields; each row of win_events says which apply. */
enum {
    R_LOGON = 1u << 0,        /* Security logon/logoff: Target* is the account logging on */
    R_SUBJECT = 1u << 1,      /* Security: Subject* is the acting account */
    R_ACCOUNT = 1u << 2,      /* Security account management: Target* is the account */
    R_GROUP = 1u << 3,        /* Security group membership: Target* is the group */
    R_PROCESS = 1u << 4,      /* Security 4688 process creation */
    R_SYSMON = 1u << 5,       /* every Sysmon event */
    R_SYSMON_PROC = 1u << 6,  /* Sysmon 1: Hashes and names are the new process image's */
    R_SYSMON_FILE = 1u << 7,  /* other Sysmon events: Hashes and names are a file's */
    R_DEFENDER = 1u << 8      /* Windows Defender detections */
};

typedef enum win_conv {
    C_STR,          /* string as is */
    C_KEYWORD,      /* string or number, as a string */
    C_LOWER,        /* string, lowercased */
    C_UINT,         /* non-negative integer (number or decimal string) */
    C_PID,          /* process id, decimal or "0x" hexadecimal; 0 is none */
    C_SID,          /* security identifier; the NULL SID S-1-0-0 is none */
    C_PORT,         /* port 1-65535 */
    C_IP,           /* IPv4/IPv6 address, else unset */
    C_EXE,          /* path of an executable; ecs2 gets its base name */
    C_USER,         /* "DOMAIN\user": ecs gets user, ecs2 the domain */
    C_LOGON_TYPE,   /* logon type number to its name */
    C_HASHES,       /* "SHA1=..,MD5=..,SHA256=..,IMPHASH=..": file.hash.*, ecs2 the imphash */
    C_REGISTRY,     /* registry.path plus hive, key and (for value events) value */
    C_DEFENDER_PATH /* "file:_C:\x.exe; process:_pid:.." to the file path */
} win_conv;

typedef struct win_field {
    const char *name;   /* event data name */
    const char *ecs;    /* ECS field */
    const char *ecs2;   /* second ECS field some conversions set, or NULL */
    uint16_t rows;      /* R_* groups that use this row */
    uint8_t conv;       /* win_conv */
} win_field;

/* The mapping table: Windows event data name to ECS field, per group of events. */
static const win_field win_fields[] = {
    /* Security logon and logoff (4624, 4625, 4634, 4647, 4648) */
    { "TargetUserName", "user.name", NULL, R_LOGON, C_STR },
    { "TargetDomainName", "user.domain", NULL, R_LOGON, C_STR },
    { "TargetUserSid", "user.id", NULL, R_LOGON, C_SID },
    { "IpAddress", "source.ip", NULL, R_LOGON, C_IP },
    { "IpPort", "source.port", NULL, R_LOGON, C_PORT },
    { "WorkstationName", "source.domain", NULL, R_LOGON, C_STR },
    { "LogonType", "winlog.logon.type", NULL, R_LOGON, C_LOGON_TYPE },
    { "ProcessName", "process.executable", "process.name", R_LOGON, C_EXE },
    { "ProcessId", "process.pid", NULL, R_LOGON, C_PID },
    /* Security: the acting account (4672, 4688, account and group management, 1102) */
    { "SubjectUserName", "user.name", NULL, R_SUBJECT, C_STR },
    { "SubjectDomainName", "user.domain", NULL, R_SUBJECT, C_STR },
    { "SubjectUserSid", "user.id", NULL, R_SUBJECT, C_SID },
    /* Security account management (4720-4726, 4738, 4740) */
    { "TargetUserName", "user.target.name", NULL, R_ACCOUNT, C_STR },
    { "TargetDomainName", "user.target.domain", NULL, R_ACCOUNT, C_STR },
    { "TargetSid", "user.target.id", NULL, R_ACCOUNT, C_SID },
    /* Security group membership (4728, 4729, 4732, 4733, 4756, 4757) */
    { "TargetUserName", "group.name", NULL, R_GROUP, C_STR },
    { "TargetDomainName", "group.domain", NULL, R_GROUP, C_STR },
    { "TargetSid", "group.id", NULL, R_GROUP, C_SID },
    { "MemberSid", "user.target.id", NULL, R_GROUP, C_SID },
    /* Security 4688 process creation */
    { "NewProcessName", "process.executable", "process.name", R_PROCESS, C_EXE },
    { "NewProcessId", "process.pid", NULL, R_PROCESS, C_PID },
    { "CommandLine", "process.command_line", NULL, R_PROCESS | R_SYSMON, C_STR },
    { "ParentProcessName", "process.parent.executable", "process.parent.name", R_PROCESS, C_EXE },
    { "ProcessId", "process.parent.pid", NULL, R_PROCESS, C_PID },
    /* Sysmon */
    { "Image", "process.executable", "process.name", R_SYSMON, C_EXE },
    { "ProcessId", "process.pid", NULL, R_SYSMON, C_PID },
    { "ProcessGuid", "process.entity_id", NULL, R_SYSMON, C_STR },
    { "CurrentDirectory", "process.working_directory", NULL, R_SYSMON, C_STR },
    { "User", "user.name", "user.domain", R_SYSMON, C_USER },
    { "ParentImage", "process.parent.executable", "process.parent.name", R_SYSMON, C_EXE },
    { "ParentCommandLine", "process.parent.command_line", NULL, R_SYSMON, C_STR },
    { "ParentProcessId", "process.parent.pid", NULL, R_SYSMON, C_PID },
    { "ParentProcessGuid", "process.parent.entity_id", NULL, R_SYSMON, C_STR },
    { "OriginalFileName", "process.pe.original_file_name", NULL, R_SYSMON_PROC, C_STR },
    { "Hashes", "process.pe.imphash", NULL, R_SYSMON_PROC, C_HASHES },
    { "OriginalFileName", "file.pe.original_file_name", NULL, R_SYSMON_FILE, C_STR },
    { "Hashes", "file.pe.imphash", NULL, R_SYSMON_FILE, C_HASHES },
    { "SourceImage", "process.executable", "process.name", R_SYSMON, C_EXE },      /* 8, 10 */
    { "SourceProcessId", "process.pid", NULL, R_SYSMON, C_PID },
    { "SourceProcessGUID", "process.entity_id", NULL, R_SYSMON, C_STR },
    { "SourceUser", "user.name", "user.domain", R_SYSMON, C_USER },
    { "SourceIp", "source.ip", NULL, R_SYSMON, C_IP },                              /* 3 */
    { "SourcePort", "source.port", NULL, R_SYSMON, C_PORT },
    { "SourceHostname", "source.domain", NULL, R_SYSMON, C_STR },
    { "DestinationIp", "destination.ip", NULL, R_SYSMON, C_IP },
    { "DestinationPort", "destination.port", NULL, R_SYSMON, C_PORT },
    { "DestinationHostname", "destination.domain", NULL, R_SYSMON, C_STR },
    { "Protocol", "network.transport", NULL, R_SYSMON, C_LOWER },
    { "ImageLoaded", "file.path", "file.name", R_SYSMON, C_EXE },                   /* 6, 7 */
    { "TargetFilename", "file.path", "file.name", R_SYSMON, C_EXE },                /* 11, 23 */
    { "TargetObject", "registry.path", NULL, R_SYSMON, C_REGISTRY },                /* 12-14 */
    { "QueryName", "dns.question.name", NULL, R_SYSMON, C_STR },                    /* 22 */
    /* Windows Defender detections (1116-1119) */
    { "Threat Name", "rule.name", NULL, R_DEFENDER, C_STR },
    { "Threat ID", "rule.id", NULL, R_DEFENDER, C_KEYWORD },
    { "Category Name", "rule.category", NULL, R_DEFENDER, C_STR },
    { "Severity ID", "event.severity", NULL, R_DEFENDER, C_UINT },
    { "Path", "file.path", "file.name", R_DEFENDER, C_DEFENDER_PATH },
    { "Process Name", "process.executable", "process.name", R_DEFENDER, C_EXE },
    { "Detection User", "user.name", "user.domain", R_DEFENDER, C_USER },
};

typedef struct win_event {
    uint8_t source;         /* win_source */
    uint16_t id;
    uint16_t rows;          /* R_* groups of win_fields that apply */
    const char *kind;       /* event.kind */
    const char *category;   /* event.category (JSON array) */
    const char *type;       /* event.type (JSON array) */
    const char *action;     /* event.action */
    const char *outcome;    /* event.outcome, or NULL */
} win_event;

#define A(...) "[" #__VA_ARGS__ "]"     /* A("iam","admin") is the JSON text ["iam","admin"] */
#define AUTH A("authentication")
#define IAM A("iam")
#define REGISTRY A("configuration","registry")
#define SYSMON_FILE (R_SYSMON | R_SYSMON_FILE)
#define SEC(id, rows, category, type, action, outcome) \
    { SRC_SECURITY, id, rows, "event", category, type, action, outcome }
#define SYS(id, rows, category, type, action) \
    { SRC_SYSMON, id, rows, "event", category, type, action, NULL }
#define DEF(id, action, outcome) \
    { SRC_DEFENDER, id, R_DEFENDER, "alert", A("malware"), A("info"), action, outcome }

/* Known events: what they are and which mapping rows apply. Actions are the names Winlogbeat
 * gives (Security: its own; Sysmon: the task name), so Beats records keep theirs. */
static const win_event win_events[] = {
    SEC(4624, R_LOGON, AUTH, A("start"), "logged-in", "success"),
    SEC(4625, R_LOGON, AUTH, A("start"), "logon-failed", "failure"),
    SEC(4634, R_LOGON, AUTH, A("end"), "logged-out", "success"),
    SEC(4647, R_LOGON, AUTH, A("end"), "logged-out", "success"),
    SEC(4648, R_LOGON, AUTH, A("start"), "logged-in-explicit", "success"),
    SEC(4672, R_SUBJECT, IAM, A("admin"), "logged-in-special", "success"),
    SEC(4688, R_SUBJECT | R_PROCESS, A("process"), A("start"), "created-process", "success"),
    SEC(4720, R_SUBJECT | R_ACCOUNT, IAM, A("user","creation"), "added-user-account", "success"),
    SEC(4722, R_SUBJECT | R_ACCOUNT, IAM, A("user","change"), "enabled-user-account", "success"),
    SEC(4723, R_SUBJECT | R_ACCOUNT, IAM, A("user","change"), "changed-password", NULL),
    SEC(4724, R_SUBJECT | R_ACCOUNT, IAM, A("user","change"), "reset-password", NULL),
    SEC(4725, R_SUBJECT | R_ACCOUNT, IAM, A("user","change"), "disabled-user-account", "success"),
    SEC(4726, R_SUBJECT | R_ACCOUNT, IAM, A("user","deletion"), "deleted-user-account", "success"),
    SEC(4738, R_SUBJECT | R_ACCOUNT, IAM, A("user","change"), "modified-user-account", "success"),
    SEC(4740, R_SUBJECT | R_ACCOUNT, IAM, A("user","change"), "locked-out-user-account", "success"),
    SEC(4728, R_SUBJECT | R_GROUP, IAM, A("group","change"), "added-member-to-group", "success"),
    SEC(4732, R_SUBJECT | R_GROUP, IAM, A("group","change"), "added-member-to-group", "success"),
    SEC(4756, R_SUBJECT | R_GROUP, IAM, A("group","change"), "added-member-to-group", "success"),
    SEC(4729, R_SUBJECT | R_GROUP, IAM, A("group","change"), "removed-member-from-group", "success"),
    SEC(4733, R_SUBJECT | R_GROUP, IAM, A("group","change"), "removed-member-from-group", "success"),
    SEC(4757, R_SUBJECT | R_GROUP, IAM, A("group","change"), "removed-member-from-group", "success"),
    SEC(1102, R_SUBJECT, IAM, A("admin","change"), "audit-log-cleared", "success"),
    SYS(1, R_SYSMON | R_SYSMON_PROC, A("process"), A("start"),
        "Process Create (rule: ProcessCreate)"),
    SYS(3, SYSMON_FILE, A("network"), A("connection","start"),
        "Network connection detected (rule: NetworkConnect)"),
    SYS(5, SYSMON_FILE, A("process"), A("end"),
        "Process terminated (rule: ProcessTerminate)"),
    SYS(6, SYSMON_FILE, A("driver"), A("start"),
        "Driver loaded (rule: DriverLoad)"),
    SYS(7, SYSMON_FILE, A("process"), A("change"),
        "Image loaded (rule: ImageLoad)"),
    SYS(8, SYSMON_FILE, A("process"), A("change"),
        "CreateRemoteThread detected (rule: CreateRemoteThread)"),
    SYS(10, SYSMON_FILE, A("process"), A("access"),
        "Process accessed (rule: ProcessAccess)"),
    SYS(11, SYSMON_FILE, A("file"), A("creation"),
        "File created (rule: FileCreate)"),
    SYS(12, SYSMON_FILE, REGISTRY, A("change"),
        "Registry object added or deleted (rule: RegistryEvent)"),
    SYS(13, SYSMON_FILE, REGISTRY, A("change"),
        "Registry value set (rule: RegistryEvent)"),
    SYS(14, SYSMON_FILE, REGISTRY, A("change"),
        "Registry object renamed (rule: RegistryEvent)"),
    SYS(15, SYSMON_FILE, A("file"), A("creation"),
        "File stream created (rule: FileCreateStreamHash)"),
    SYS(22, SYSMON_FILE, A("network"), A("protocol","info"),
        "Dns query (rule: DnsQuery)"),
    SYS(23, SYSMON_FILE, A("file"), A("deletion"),
        "File Delete archived (rule: FileDelete)"),
    SYS(26, SYSMON_FILE, A("file"), A("deletion"),
        "File Delete logged (rule: FileDeleteDetected)"),
    DEF(1116, "malware-detected", NULL),
    DEF(1117, "malware-action-taken", "success"),
    DEF(1118, "malware-action-failed", "failure"),
    DEF(1119, "malware-action-critically-failed", "failure"),
};

/* Rows that apply to events of a source that win_events does not list. */
static const uint16_t default_rows[] = {
    [SRC_OTHER] = 0, [SRC_SECURITY] = R_SUBJECT, [SRC_SYSMON] = SYSMON_FILE, [SRC_DEFENDER] = 0
};

/* Sources by provider name or channel, and their event.dataset. */
static const struct {
    win_source source;
    const char *provider;
    const char *channel;
    const char *dataset;
} win_sources[] = {
    { SRC_SECURITY, "Microsoft-Windows-Security-Auditing", "Security", "windows.security" },
    { SRC_SYSMON, "Microsoft-Windows-Sysmon",
      "Microsoft-Windows-Sysmon/Operational", "windows.sysmon" },
    { SRC_DEFENDER, "Microsoft-Windows-Windows Defender",
      "Microsoft-Windows-Windows Defender/Operational", "windows.defender" },
};

/* Names Beats gives to logon types (index: LogonType). */
static const char *const logon_types[] = {
    [2] = "Interactive", [3] = "Network", [4] = "Batch", [5] = "Service", [7] = "Unlock",
    [8] = "NetworkCleartext", [9] = "NewCredentials", [10] = "RemoteInteractive",
    [11] = "CachedInteractive", [12] = "CachedRemoteInteractive", [13] = "CachedUnlock"
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the three shapes ------------------------------------------------------------------- */

static int has_member(const vg_event *ev, const char *key)
{
    return vg_json_member(ev->doc, 0, key, strlen(key)) >= 0;
}

/* The object that is member key[0..n) of object token at, or -1: a lookup by name, which is
 * what vg_df_object's lookup by path is for a path without dots, at less cost on the path
 * every record takes (vg_df_object here: 166 instructions more per Sysmon event). */
static int object_member(const vg_event *ev, int at, const char *key, size_t n)
{
    int i = at >= 0 ? vg_json_member(ev->doc, (uint32_t)at, key, n) : -1;
    return i >= 0 && ev->doc->toks[i].type == VG_JSON_OBJECT ? i : -1;
}

/* The shape of a record, and for the evtx shape its Event and System objects. */
typedef struct win_where {
    win_shape shape;
    int event, sys;
} win_where;

static win_where where_of(const vg_event *ev)
{
    win_where at = { SHAPE_NONE, -1, -1 };
    if (!ev->doc || ev->doc->ntoks == 0 || ev->doc->toks[0].type != VG_JSON_OBJECT)
        return at;
    int e = object_member(ev, 0, "Event", 5), sys = object_member(ev, e, "System", 6);
    if (sys >= 0)
        at = (win_where){ SHAPE_EVTX, e, sys };
    else if (vg_df_object(ev, 0, "winlog") >= 0)
        at.shape = SHAPE_BEATS;
    else if (has_member(ev, "EventID") && (has_member(ev, "SourceName") || has_member(ev, "Channel")))
        at.shape = SHAPE_NXLOG;
    return at;
}

/* The value at path a under token at, else at path b. */
static vg_value first_of(const vg_event *ev, int at, const char *a, const char *b)
{
    vg_value v = vg_df_get(ev, at, a);
    return v.type != VG_JSON_NONE ? v : vg_df_get(ev, at, b);
}

/* Is object token el a Data element ({"#attributes":{"Name":..},"#text":..} or "@Name")? */
static int is_element(const vg_event *ev, int el)
{
    return vg_df_object(ev, el, "#attributes") >= 0 ||
           vg_df_member(ev, el, "@Name").type != VG_JSON_NONE;
}

/* Points w->data at an evtx EventData (or the first element of UserData); whether its Data
 * member holds the data instead is left to map_fields' walk of its members. */
static void evtx_data(const vg_event *ev, int event, win_rec *w)
{
    const vg_json_tok *toks = ev->doc->toks;
    int d = object_member(ev, event, "EventData", 9);
    if (d < 0) {
        int u = object_member(ev, event, "UserData", 8);
        if (u >= 0 && (uint32_t)u + 2 < toks[u].next && toks[u + 2].type == VG_JSON_OBJECT)
            d = u + 2;
    }
    w->data = d;
    w->maybe_list = d >= 0;
}

/* Does value token v hold Data elements: an array of them, or a single one? */
static int data_elements(const vg_event *ev, int v)
{
    const vg_json_tok *t = &ev->doc->toks[v];
    return t->type == VG_JSON_ARRAY || (t->type == VG_JSON_OBJECT && is_element(ev, v));
}

enum { SYS_ID, SYS_PROVIDER, SYS_TIME, SYS_CHANNEL, SYS_COMPUTER, SYS_N };

/* Is the unescaped key token k the name s[0..n)? */
static int key_is(const vg_json_doc *doc, const vg_json_tok *k, const char *s, size_t n)
{
    return k->len == n && memcmp(doc->text + k->start, s, n) == 0;
}

/* Does unescaped key token k start with name s[0..n) and a dot, as a path lookup of a path
 * under s could take it? */
static int key_under(const vg_json_doc *doc, const vg_json_tok *k, const char *s, size_t n)
{
    return k->len > n && doc->text[k->start + n] == '.' && memcmp(doc->text + k->start, s, n) == 0;
}

/* The System members read_evtx reads, in one walk instead of a walk per lookup: m[SYS_*] is
 * the value token of the first member of that name (as vg_json_member finds it), or -1.
 * Returns 0 when one walk cannot stand for the lookups: an escaped key (they compare keys
 * decoded), or a key "Provider.x" or "TimeCreated.x" (a lookup by path may take it). */
static int system_members(const vg_event *ev, int sys, int *m)
{
    const vg_json_doc *doc = ev->doc;
    const vg_json_tok *t = doc->toks;
    for (int i = 0; i < SYS_N; i++)
        m[i] = -1;
    for (uint32_t k = (uint32_t)sys + 1; k < t[sys].next; k = t[k + 1].next) {
        if (t[k].flags & VG_JSON_ESCAPED)
            return 0;
        int which = -1;
        switch (t[k].len ? doc->text[t[k].start] : 0) {    /* the first byte picks the candidates */
        case 'E':
            which = key_is(doc, &t[k], "EventID", 7) ? SYS_ID : -1;
            break;
        case 'P':
            if (key_under(doc, &t[k], "Provider", 8))
                return 0;
            which = key_is(doc, &t[k], "Provider", 8) ? SYS_PROVIDER : -1;
            break;
        case 'T':
            if (key_under(doc, &t[k], "TimeCreated", 11))
                return 0;
            which = key_is(doc, &t[k], "TimeCreated", 11) ? SYS_TIME : -1;
            break;
        case 'C':
            which = key_is(doc, &t[k], "Channel", 7) ? SYS_CHANNEL
                    : key_is(doc, &t[k], "Computer", 8) ? SYS_COMPUTER
                                                        : -1;
            break;
        default:
            break;
        }
        if (which >= 0 && m[which] < 0)
            m[which] = (int)k + 1;
    }
    return 1;
}

static void read_evtx(const vg_event *ev, const win_where *at, win_rec *w)
{
    int m[SYS_N], sys = at->sys, walked = system_members(ev, sys, m);
    if (!walked) {      /* the lookups by name the walk stands for */
        m[SYS_ID] = vg_json_member(ev->doc, (uint32_t)sys, "EventID", 7);
        m[SYS_CHANNEL] = vg_json_member(ev->doc, (uint32_t)sys, "Channel", 7);
        m[SYS_COMPUTER] = vg_json_member(ev->doc, (uint32_t)sys, "Computer", 8);
    }
    const vg_json_tok *t = ev->doc->toks;
    int id = m[SYS_ID] >= 0 && t[m[SYS_ID]].type == VG_JSON_OBJECT ? m[SYS_ID] : -1;
    w->code = id >= 0 ? vg_df_member(ev, id, "#text") : vg_df_at(ev, m[SYS_ID]);
    w->channel = vg_df_at(ev, m[SYS_CHANNEL]);
    w->computer = vg_df_at(ev, m[SYS_COMPUTER]);
    if (walked) {
        w->provider = first_of(ev, m[SYS_PROVIDER], "#attributes.Name", "@Name");
        w->time = first_of(ev, m[SYS_TIME], "#attributes.SystemTime", "@SystemTime");
    } else {            /* by path, as a dotted key may stand for part of one */
        w->provider = first_of(ev, sys, "Provider.#attributes.Name", "Provider.@Name");
        w->time = first_of(ev, sys, "TimeCreated.#attributes.SystemTime", "TimeCreated.@SystemTime");
    }
    evtx_data(ev, at->event, w);
}

static void read_beats(const vg_event *ev, const win_where *at, win_rec *w)
{
    (void)at;
    int wl = vg_df_object(ev, 0, "winlog");
    w->time = vg_df_member(ev, 0, "@timestamp");
    w->code = vg_df_member(ev, wl, "event_id");
    w->provider = vg_df_member(ev, wl, "provider_name");
    w->channel = vg_df_member(ev, wl, "channel");
    w->computer = vg_df_member(ev, wl, "computer_name");
    w->data = vg_df_object(ev, wl, "event_data");
    if (w->data < 0)
        w->data = vg_df_object(ev, wl, "user_data");
}

static void read_nxlog(const vg_event *ev, const win_where *at, win_rec *w)
{
    (void)at;
    w->time = vg_df_member(ev, 0, "EventTime");
    w->code = vg_df_member(ev, 0, "EventID");
    w->provider = first_of(ev, 0, "SourceName", "ProviderName");
    w->channel = vg_df_member(ev, 0, "Channel");
    w->computer = vg_df_member(ev, 0, "Hostname");
    w->data = vg_df_object(ev, 0, "EventData");
    if (w->data < 0)
        w->data = 0;
}

/* Reads ev's record into w; returns 0, or -1 if it has none of the three shapes. */
static int read_rec(const vg_event *ev, win_rec *w)
{
    static void (*const readers[])(const vg_event *, const win_where *, win_rec *) = {
        [SHAPE_EVTX] = read_evtx, [SHAPE_BEATS] = read_beats, [SHAPE_NXLOG] = read_nxlog
    };
    win_where at = where_of(ev);
    if (at.shape == SHAPE_NONE)
        return -1;
    memset(w, 0, sizeof *w);
    w->data = -1;
    readers[at.shape](ev, &at, w);
    uint64_t id;
    w->id = vg_df_to_uint(w->code, 0, &id) == 0 && id <= 65535 ? (long)id : -1;
    return 0;
}

/* The event data value named name, or an absent value. */
static vg_value data_get(const vg_event *ev, const win_rec *w, const char *name)
{
    vg_value none = { VG_JSON_NONE, 0, 0, NULL };
    if (!w->list)
        return vg_df_member(ev, w->data, name);
    const vg_json_tok *toks = ev->doc->toks;
    uint32_t first = (uint32_t)w->data, end = toks[first].next;
    if (toks[first].type == VG_JSON_ARRAY)
        first++;
    else
        end = first + 1;    /* a single element */
    for (uint32_t el = first; el < end; el = toks[el].next) {
        if (toks[el].type != VG_JSON_OBJECT)
            continue;
        vg_value n = first_of(ev, (int)el, "#attributes.Name", "@Name");
        if (vg_value_equals(&n, name, strlen(name)))
            return vg_df_member(ev, (int)el, "#text");
    }
    return none;
}

/* ---- conversions ------------------------------------------------------------------------ */

/* Offset of the first escaped backslash of raw string v, or -1. Backslashes are always
 * escaped in JSON, so a path separator is "\\" in v. */
static long first_backslash(vg_value v)
{
    if (!(v.flags & VG_JSON_ESCAPED))
        return -1;
    for (size_t i = 0; i + 1 < v.len; i++) {
        if (v.ptr[i] != '\\')
            continue;
        if (v.ptr[i + 1] == '\\')
            return (long)i;
        i += v.ptr[i + 1] == 'u' ? 5 : 1;   /* skip the rest of the escape */
    }
    return -1;
}

/* Offset of the last escaped backslash of raw string v at or after from (an escape boundary),
 * or -1, searched from the end. A run of backslash bytes starts an escape (a byte before it
 * that is not a backslash ends a character or an escape), so its escaped backslashes are the
 * pairs at its even offsets; an odd run ends with the escape of the byte after it; a run with
 * no pair sends the search to the bytes before it. */
static long last_backslash(vg_value v, size_t from)
{
    if (!(v.flags & VG_JSON_ESCAPED) || v.len < from)
        return -1;
    const char *s = v.ptr + from;
    size_t n = v.len - from;
    for (const char *b; n >= 2 && (b = memrchr(s, '\\', n)) != NULL;) {
        size_t end = (size_t)(b - s) + 1, start = end - 1;
        while (start > 0 && s[start - 1] == '\\')
            start--;
        if (end - start >= 2)
            return (long)(from + start + ((end - start) / 2 - 1) * 2);
        n = start;
    }
    return -1;
}

/* Sets field to the part of v after its last backslash (a base name). */
static void set_base_name(vg_event *ev, const char *field, vg_value v)
{
    long sep = last_backslash(v, 0);
    size_t off = sep < 0 ? 0 : (size_t)sep + 2;
    if (off < v.len)
        vg_df_str(ev, field, vg_df_slice(v, off, v.len - off));
}

/* "DOMAIN\user": sets name to user and domain_field to DOMAIN (no backslash: name only). */
static void set_user(vg_event *ev, const char *name, const char *domain_field, vg_value v)
{
    if (v.type != VG_JSON_STRING || !vg_df_present(v))
        return;
    long sep = first_backslash(v);
    if (sep < 0) {
        vg_df_str(ev, name, v);
        return;
    }
    size_t at = (size_t)sep;
    vg_df_str(ev, domain_field, vg_df_slice(v, 0, at));
    vg_df_str(ev, name, vg_df_slice(v, at + 2, v.len - at - 2));
}

/* Sysmon Hashes "SHA1=..,MD5=..,SHA256=..,IMPHASH=..": slices into file.hash.* and imphash. */
static void set_hashes(vg_event *ev, const char *imphash_field, vg_value v)
{
    static const struct { const char *algo; const char *field; } algos[] = {
        { "MD5", "file.hash.md5" }, { "SHA1", "file.hash.sha1" },
        { "SHA256", "file.hash.sha256" }, { "IMPHASH", NULL },
    };
    if (v.type != VG_JSON_STRING)
        return;
    const char *p = v.ptr, *end = v.ptr + v.len;
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *item_end = comma ? comma : end;
        const char *eq = memchr(p, '=', (size_t)(item_end - p));
        if (eq && vg_text_hex(eq + 1, (size_t)(item_end - eq - 1))) {
            vg_value algo = { VG_JSON_STRING, 0, (uint32_t)(eq - p), p };
            for (size_t i = 0; i < COUNT(algos); i++)
                if (vg_df_is(algo, algos[i].algo))
                    vg_event_set_str(ev, algos[i].field ? algos[i].field : imphash_field,
                                     eq + 1, (size_t)(item_end - eq - 1));
        }
        p = comma ? comma + 1 : end;
    }
}

/* Sysmon TargetObject "HKLM\SOFTWARE\...\Name": registry.path, .hive, .key and, when the
 * event is about a value (13, or an EventType ending in "Value"), registry.value. */
static void set_registry(vg_event *ev, const win_rec *w, vg_value v)
{
    if (!vg_df_str(ev, "registry.path", v))
        return;
    vg_value type = data_get(ev, w, "EventType");
    int value = w->id == 13 || (type.type == VG_JSON_STRING && type.len >= 5 &&
                                memcmp(type.ptr + type.len - 5, "Value", 5) == 0);
    long hive = first_backslash(v);
    if (hive < 0)
        return;
    size_t key = (size_t)hive + 2, key_end = v.len;
    long last = last_backslash(v, key);
    if (value && last >= 0) {
        key_end = (size_t)last;
        vg_df_str(ev, "registry.value", vg_df_slice(v, key_end + 2, v.len - key_end - 2));
    }
    vg_df_str(ev, "registry.hive", vg_df_slice(v, 0, (size_t)hive));
    vg_df_str(ev, "registry.key", vg_df_slice(v, key, key_end - key));
}

/* Defender Path "file:_C:\x.exe" (maybe followed by "; other:_resource") to the file path. */
static void set_defender_path(vg_event *ev, const win_field *f, vg_value v)
{
    static const char *const prefixes[] = { "file:_", "containerfile:_" };
    if (v.type != VG_JSON_STRING)
        return;
    for (size_t i = 0; i < COUNT(prefixes); i++) {
        size_t n = strlen(prefixes[i]);
        if (v.len <= n || memcmp(v.ptr, prefixes[i], n) != 0)
            continue;
        const char *semi = memchr(v.ptr + n, ';', v.len - n);
        size_t end = semi ? (size_t)(semi - v.ptr) : v.len;
        vg_value path = vg_df_slice(v, n, end - n);
        if (vg_df_str(ev, f->ecs, path))
            set_base_name(ev, f->ecs2, path);
        return;
    }
}

/* Process ids are decimal (Sysmon) or "0x" hex (Security); 0 means "no process". */
static void set_pid(vg_event *ev, const char *name, vg_value v)
{
    uint64_t x;
    if (vg_df_to_uint(v, 1, &x) != 0 || x == 0)
        return;
    if (!vg_df_uint(ev, name, v))
        vg_event_set_int(ev, name, (long long)x);
}

/* Sets a security identifier, except the NULL SID Windows writes when there is none. */
static void set_sid(vg_event *ev, const char *name, vg_value v)
{
    if (!vg_df_is(v, "S-1-0-0"))
        vg_df_str(ev, name, v);
}

static void set_logon_type(vg_event *ev, const char *name, vg_value v)
{
    uint64_t x;
    if (vg_df_to_uint(v, 0, &x) == 0 && x < COUNT(logon_types) && logon_types[x])
        vg_event_set_cstr(ev, name, logon_types[x]);
}

/* Applies one row of the mapping table to value v. */
static void convert(vg_event *ev, const win_rec *w, const win_field *f, vg_value v)
{
    switch ((win_conv)f->conv) {
    case C_STR: vg_df_str(ev, f->ecs, v); break;
    case C_KEYWORD: vg_df_keyword(ev, f->ecs, v); break;
    case C_LOWER: vg_df_lower(ev, f->ecs, v); break;
    case C_UINT: vg_df_uint(ev, f->ecs, v); break;
    case C_PID: set_pid(ev, f->ecs, v); break;
    case C_SID: set_sid(ev, f->ecs, v); break;
    case C_PORT: vg_df_port(ev, f->ecs, v); break;
    case C_IP: vg_df_ip(ev, f->ecs, v); break;
    case C_EXE:
        if (vg_df_str(ev, f->ecs, v))
            set_base_name(ev, f->ecs2, v);
        break;
    case C_USER: set_user(ev, f->ecs, f->ecs2, v); break;
    case C_LOGON_TYPE: set_logon_type(ev, f->ecs, v); break;
    case C_HASHES: set_hashes(ev, f->ecs, v); break;
    case C_REGISTRY: set_registry(ev, w, v); break;
    case C_DEFENDER_PATH: set_defender_path(ev, f, v); break;
    }
}

/* ---- the decoder ------------------------------------------------------------------------ */

/* The source of w (Security, Sysmon, Defender) by channel or provider; sets event.dataset. */
static win_source source_of(vg_event *ev, const win_rec *w)
{
    for (size_t i = 0; i < COUNT(win_sources); i++) {
        if (vg_df_is(w->channel, win_sources[i].channel) ||
            vg_df_is(w->provider, win_sources[i].provider)) {
            vg_event_set_cstr(ev, "event.dataset", win_sources[i].dataset);
            return win_sources[i].source;
        }
    }
    return SRC_OTHER;
}

/* The fields every Windows event has. */
static void set_common(const vg_decode_opts *opts, vg_event *ev, const win_rec *w)
{
    vg_time t;
    if (vg_df_to_time(opts, w->time, 0, &t) == 0)
        vg_df_set_time(ev, "@timestamp", &t);
    vg_df_str(ev, "host.hostname", w->computer);
    if (w->id >= 0)
        vg_df_keyword(ev, "event.code", w->code);
    vg_df_str(ev, "event.provider", w->provider);
    vg_df_str(ev, "winlog.channel", w->channel);
}

static void set_categorization(vg_event *ev, const win_event *e)
{
    vg_event_set_cstr(ev, "event.kind", e ? e->kind : "event");
    if (!e)
        return;
    vg_event_set_json(ev, "event.category", e->category);
    vg_event_set_json(ev, "event.type", e->type);
    vg_event_set_cstr(ev, "event.action", e->action);
    if (e->outcome)
        vg_event_set_cstr(ev, "event.outcome", e->outcome);
}

/* ---- mapping the event data ------------------------------------------------------------ */

#define WIN_NAME_MAX 64     /* longest event data name worth comparing (table names are shorter) */

/* An index of win_fields by event data name, built once: each name the record has is looked
 * up in it instead of searching the record once per table row. Open addressing; every slot
 * holds the first row (in table order) of one distinct name, rows_named[] chains the rest. */
#define WIN_SLOTS 256       /* power of two, several times the number of distinct names */
_Static_assert(COUNT(win_fields) * 2 < WIN_SLOTS, "the name index needs free slots");
static int16_t slot_row[WIN_SLOTS];
static int16_t next_same_name[COUNT(win_fields)];
static uint8_t name_len[COUNT(win_fields)];
static pthread_once_t index_once = PTHREAD_ONCE_INIT;

/* An index of win_events by (source, EventID), built with the other: the first row of each. */
#define WIN_EVENT_SLOTS 256
_Static_assert(COUNT(win_events) * 2 < WIN_EVENT_SLOTS, "the event index needs free slots");
static int16_t event_row[WIN_EVENT_SLOTS];

/* Slot of (src, id): the one holding its row, or the empty one where it would go. */
static size_t event_slot_of(unsigned src, long id)
{
    size_t i = (size_t)(((uint64_t)id * 0x9E3779B97F4A7C15ull + src) >> 56) & (WIN_EVENT_SLOTS - 1);
    while (event_row[i] >= 0 && !(win_events[event_row[i]].source == src && win_events[event_row[i]].id == id))
        i = (i + 1) & (WIN_EVENT_SLOTS - 1);
    return i;
}

/* Slot of name[0..n): the one holding it, or the empty one where it would go. */
static size_t slot_of(const char *name, size_t n)
{
    uint32_t h = vg_name_hash(name, n);      /* O(1) per key; a match is confirmed with memcmp */
    size_t i = (h ^ h >> 8) & (WIN_SLOTS - 1);
    while (slot_row[i] >= 0) {
        int16_t r = slot_row[i];
        if (name_len[r] == n && memcmp(win_fields[r].name, name, n) == 0)
            break;
        i = (i + 1) & (WIN_SLOTS - 1);
    }
    return i;
}

static void build_index(void)
{
    memset(event_row, 0xff, sizeof event_row);
    for (size_t r = 0; r < COUNT(win_events); r++) {
        size_t i = event_slot_of(win_events[r].source, win_events[r].id);
        if (event_row[i] < 0)       /* the first row of a (source, id), as a search in order finds */
            event_row[i] = (int16_t)r;
    }
    memset(slot_row, 0xff, sizeof slot_row);
    for (size_t r = 0; r < COUNT(win_fields); r++) {
        name_len[r] = (uint8_t)strlen(win_fields[r].name);
        next_same_name[r] = -1;
    }
    for (size_t r = COUNT(win_fields); r-- > 0;) {     /* backwards: chains in table order */
        size_t i = slot_of(win_fields[r].name, name_len[r]);
        next_same_name[r] = slot_row[i];
        slot_row[i] = (int16_t)r;
    }
}

/* The row of win_events for EventID id of source src, or NULL. */
static const win_event *find_event(win_source src, long id)
{
    if (id < 0 || id > 65535)
        return NULL;
    pthread_once(&index_once, build_index);
    int16_t r = event_row[event_slot_of(src, id)];
    return r >= 0 ? &win_events[r] : NULL;
}

/* Records value v for every row of the given groups named by the string n (first occurrence
 * of a name wins, as a lookup by name would find it). */
static void note_value(vg_value n, vg_value v, unsigned rows, vg_value *hits, uint64_t *found)
{
    char buf[WIN_NAME_MAX];
    if (n.type != VG_JSON_STRING)
        return;
    const char *name = n.ptr;
    size_t len = n.len;
    if (n.flags & VG_JSON_ESCAPED) {
        if (len > sizeof buf)
            return;
        len = vg_json_unescape(n.ptr, n.len, buf);
        name = buf;
    }
    if (len == 0 || len >= 256)
        return;
    for (int16_t r = slot_row[slot_of(name, len)]; r >= 0; r = next_same_name[r]) {
        if ((win_fields[r].rows & rows) && !(found[r / 64] >> (r % 64) & 1)) {
            found[r / 64] |= 1ull << (r % 64);
            hits[r] = v;
        }
    }
}

/* One pass over the event data (members of an object, or Data elements), then the conversions
 * in table order, so the result is the same as looking each row's name up in turn. In an evtx
 * EventData, the first member named Data, when it holds Data elements, holds the data instead:
 * the pass over the members starts again on them (a lookup of Data before the pass would be a
 * walk of the members of its own). */
static void map_fields(vg_event *ev, win_rec *w, unsigned rows)
{
    if (!rows || w->data < 0)
        return;
    pthread_once(&index_once, build_index);
    vg_value hits[COUNT(win_fields)];
    uint64_t found[(COUNT(win_fields) + 63) / 64] = { 0 };     /* a bit per row */
    const vg_json_tok *toks = ev->doc->toks;
    uint32_t first = (uint32_t)w->data, end = toks[first].next;
    if (!w->list) {
        for (uint32_t k = first + 1; k < end; k = toks[k + 1].next) {
            vg_value name = vg_json_value(ev->doc, k);
            if (w->maybe_list && (name.len == 4 || (name.flags & VG_JSON_ESCAPED)) &&
                vg_value_equals(&name, "Data", 4)) {
                w->maybe_list = 0;      /* the first Data member decides */
                if (data_elements(ev, (int)k + 1)) {
                    w->data = (int)k + 1;
                    w->list = 1;
                    memset(found, 0, sizeof found);
                    first = (uint32_t)w->data;
                    end = toks[first].next;
                    break;
                }
            }
            note_value(name, vg_json_value(ev->doc, k + 1), rows, hits, found);
        }
    }
    if (w->list) {
        if (toks[first].type == VG_JSON_ARRAY)
            first++;
        else
            end = first + 1;    /* a single element */
        for (uint32_t el = first; el < end; el = toks[el].next)
            if (toks[el].type == VG_JSON_OBJECT)
                note_value(first_of(ev, (int)el, "#attributes.Name", "@Name"),
                           vg_df_member(ev, (int)el, "#text"), rows, hits, found);
    }
    for (size_t k = 0; k < COUNT(found); k++)
        for (uint64_t x = found[k]; x; x &= x - 1) {   /* the rows found, in table order */
            size_t i = k * 64 + (size_t)__builtin_ctzll(x);
            if (hits[i].type != VG_JSON_NONE)
                convert(ev, w, &win_fields[i], hits[i]);
        }
}

static int windows_probe(const vg_event *ev)
{
    return where_of(ev).shape != SHAPE_NONE;
}

static vg_rc windows_decode(const vg_decode_opts *opts, vg_event *ev, vg_error *err)
{
    win_rec w;
    if (read_rec(ev, &w) != 0)
        return vg_fail(err, VG_ERR_PARSE, 0, "not a Windows event: expected an \"Event\" object "
                       "with \"System\" (evtx as JSON), a \"winlog\" object (Winlogbeat) or "
                       "\"EventID\" with \"SourceName\" or \"Channel\" (NXLog)");
    ev->decoder = "windows";
    win_source src = source_of(ev, &w);
    const win_event *e = find_event(src, w.id);
    set_common(opts, ev, &w);
    set_categorization(ev, e);
    map_fields(ev, &w, e ? e->rows : default_rows[src]);
    return VG_OK;
}

const vg_decoder vg_decoder_windows = {
    "windows", "Windows events as JSON: evtx converted to JSON, NXLog, Winlogbeat/Elastic Agent",
    1, windows_probe, windows_decode
};
