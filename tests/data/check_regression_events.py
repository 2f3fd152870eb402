#!/usr/bin/env python3
"""Checks `vigil decode` on the Sigma regression events (Windows evtx converted to JSON).

For every .json file under the directory given: vigil must exit 0 and print one event per
JSON text of the file (counted here independently with json.JSONDecoder.raw_decode); each
output event must contain its input object unchanged (every top-level member equal as parsed
values), add only ECS top-level names, and carry the normalized fields this script derives
from the input on its own (timestamp arithmetic, path and hash splitting are redone here).

Usage: check_regression_events.py VIGIL DIR
Prints totals; exits 1 listing every mismatch.
"""
import datetime
import json
import os
import re
import subprocess
import sys

ECS_ROOTS = {"@timestamp", "event", "host", "winlog", "user", "group", "process", "file",
             "registry", "rule", "source", "destination", "network", "dns"}

SYSMON = "Microsoft-Windows-Sysmon"
DEFENDER = "Microsoft-Windows-Windows Defender"
SECURITY = "Microsoft-Windows-Security-Auditing"

# (provider, event id) -> (event.category, event.type, event.kind); anything else: kind only
CATEGORIES = {
    (SYSMON, 1): (["process"], ["start"], "event"),
    (SYSMON, 3): (["network"], ["connection", "start"], "event"),
    (SYSMON, 7): (["process"], ["change"], "event"),
    (SYSMON, 10): (["process"], ["access"], "event"),
    (SYSMON, 11): (["file"], ["creation"], "event"),
    (SYSMON, 12): (["configuration", "registry"], ["change"], "event"),
    (SYSMON, 13): (["configuration", "registry"], ["change"], "event"),
    (SYSMON, 22): (["network"], ["protocol", "info"], "event"),
    (SECURITY, 4624): (["authentication"], ["start"], "event"),
    (SECURITY, 4625): (["authentication"], ["start"], "event"),
    (SECURITY, 4648): (["authentication"], ["start"], "event"),
    (SECURITY, 4688): (["process"], ["start"], "event"),
}
for _id in (1116, 1117, 1118, 1119):
    CATEGORIES[(DEFENDER, _id)] = (["malware"], ["info"], "alert")


def json_texts(text):
    """The JSON texts of a file, in order."""
    dec = json.JSONDecoder()
    out, i = [], 0
    while True:
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        if i >= len(text):
            return out
        obj, i = dec.raw_decode(text, i)
        out.append(obj)


TIME_RE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$")


def rfc3339_utc(s):
    """s as RFC 3339 UTC, keeping the digits of its fraction (at most 9)."""
    m = TIME_RE.match(s)
    if not m:
        return None
    y, mo, d, h, mi, sec, frac, zone = m.groups()
    t = datetime.datetime(int(y), int(mo), int(d), int(h), int(mi), int(sec))
    if zone and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        z = zone[1:].replace(":", "")
        t -= sign * datetime.timedelta(hours=int(z[:2]), minutes=int(z[2:]))
    out = t.strftime("%Y-%m-%dT%H:%M:%S")
    if frac:
        out += "." + frac[:9]
    return out + "Z"


def get(obj, path):
    """The value at a dotted path of nested objects, or KeyError."""
    for part in path.split("."):
        if not isinstance(obj, dict) or part not in obj:
            raise KeyError(path)
        obj = obj[part]
    return obj


def split_user(s):
    """'DOMAIN\\user' -> (user, domain)."""
    if "\\" in s:
        domain, user = s.split("\\", 1)
        return user, domain
    return s, None


def base_name(path):
    return path.rsplit("\\", 1)[-1]


def hashes(s):
    """Sysmon Hashes -> {algorithm: value}."""
    out = {}
    for item in s.split(","):
        algo, _, value = item.partition("=")
        if value:
            out[algo.upper()] = value
    return out


def expected_fields(event):
    """The normalized fields the decoder must set for one evtx event: {path: value or None},
    None meaning the field must be absent."""
    system, data = event["System"], event.get("EventData") or {}
    provider = system["Provider"]["#attributes"]["Name"]
    eid = system["EventID"]
    if isinstance(eid, dict):
        eid = eid["#text"]
    want = {
        "@timestamp": rfc3339_utc(system["TimeCreated"]["#attributes"]["SystemTime"]),
        "host.hostname": system["Computer"],
        "event.code": str(eid),
        "event.provider": provider,
        "winlog.channel": system["Channel"],
    }
    cat = CATEGORIES.get((provider, int(eid)))
    if cat:
        want["event.category"], want["event.type"], want["event.kind"] = cat
    else:
        want["event.kind"] = "event"
        want["event.category"] = None

    def put(field, key, conv=lambda v: v):
        if key in data and data[key] not in ("", "-"):
            want[field] = conv(data[key])

    def put_user(key):
        if key in data:
            user, domain = split_user(data[key])
            want["user.name"] = user
            if domain is not None:
                want["user.domain"] = domain

    if provider == SYSMON:
        put("process.executable", "Image")
        put("process.name", "Image", base_name)
        put("process.pid", "ProcessId")
        put("process.entity_id", "ProcessGuid")
        put_user("User")
        if eid == 1:
            put("process.command_line", "CommandLine")
            put("process.working_directory", "CurrentDirectory")
            put("process.parent.executable", "ParentImage")
            put("process.parent.name", "ParentImage", base_name)
            put("process.parent.command_line", "ParentCommandLine")
            put("process.parent.pid", "ParentProcessId")
            put("process.pe.original_file_name", "OriginalFileName")
        if eid == 10:
            put("process.executable", "SourceImage")
            put("process.pid", "SourceProcessId")
            put_user("SourceUser")
        if "Hashes" in data:
            h = hashes(data["Hashes"])
            for algo in ("MD5", "SHA1", "SHA256"):
                want["file.hash." + algo.lower()] = h.get(algo)
            want["process.pe.imphash" if eid == 1 else "file.pe.imphash"] = h.get("IMPHASH")
        put("file.path", "TargetFilename")
        put("file.path", "ImageLoaded")
        put("file.name", "TargetFilename", base_name)
        put("file.name", "ImageLoaded", base_name)
        if "TargetObject" in data:
            target = data["TargetObject"]
            want["registry.path"] = target
            hive, _, rest = target.partition("\\")
            want["registry.hive"] = hive
            if eid == 13 or data.get("EventType", "").endswith("Value"):
                key, _, value = rest.rpartition("\\")
                want["registry.key"], want["registry.value"] = key, value
            else:
                want["registry.key"], want["registry.value"] = rest, None
    elif provider == DEFENDER:
        put("rule.name", "Threat Name")
        put("rule.id", "Threat ID")
        put("rule.category", "Category Name")
        put("event.severity", "Severity ID", int)
        put("process.executable", "Process Name")
        put_user("Detection User")
        path = data.get("Path", "")
        if path.startswith("file:_"):
            want["file.path"] = path[len("file:_"):].split(";")[0]
            want["file.name"] = base_name(want["file.path"])
    elif provider == SECURITY and eid in (4624, 4625, 4648):
        put("user.name", "TargetUserName")
        put("user.domain", "TargetDomainName")
        put("process.executable", "ProcessName")
        want["source.ip"] = None if data.get("IpAddress") in (None, "-") else data["IpAddress"]
    elif provider == SECURITY:
        put("user.name", "SubjectUserName")
        put("user.domain", "SubjectDomainName")
        put("user.id", "SubjectUserSid")
    return want


def check_event(name, index, inp, out, problems):
    """Compares one output event with its input; returns the number of fields checked."""
    checked = 0
    where = "%s: event %d" % (name, index + 1)
    for key, value in inp.items():
        checked += 1
        if out.get(key) != value:
            problems.append("%s: input member %r changed or missing" % (where, key))
    for key in out:
        if key not in inp and key not in ECS_ROOTS:
            problems.append("%s: unexpected top-level member %r" % (where, key))
    for path, value in expected_fields(inp["Event"]).items():
        checked += 1
        try:
            got = get(out, path)
        except KeyError:
            got = None
        if got != value:
            problems.append("%s: %s is %r, expected %r" % (where, path, got, value))
    return checked


def main():
    vigil, root = sys.argv[1], sys.argv[2]
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f.endswith(".json"))
    problems, events, checked = [], 0, 0
    for path in files:
        name = os.path.relpath(path, root)
        with open(path, encoding="utf-8") as f:
            inputs = json_texts(f.read())
        run = subprocess.run([vigil, "decode", path], capture_output=True, text=True, check=False)
        if run.returncode != 0:
            problems.append("%s: vigil exited %d: %s" % (name, run.returncode, run.stderr.strip()))
            continue
        outputs = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
        if len(outputs) != len(inputs):
            problems.append("%s: %d events out, %d JSON texts in" % (name, len(outputs), len(inputs)))
            continue
        for i, (inp, out) in enumerate(zip(inputs, outputs)):
            checked += check_event(name, i, inp, out, problems)
        events += len(inputs)
    print("files %d, events %d, fields checked %d, mismatches %d" % (len(files), events, checked, len(problems)))
    for p in problems[:100]:
        print("  " + p)
    if len(problems) > 100:
        print("  ... and %d more" % (len(problems) - 100))
    return 1 if problems or not files else 0


if __name__ == "__main__":
    sys.exit(main())
