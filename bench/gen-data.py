#!/usr/bin/env python3
"""Generates benchmark input for `make bench`, deterministically (fixed seed).

  gen-data.py sysmon OUT MB   Sysmon-style Windows events, evtx-as-JSON nested shape
                              (Event.System / Event.EventData), one compact object per line
  gen-data.py syslog OUT MB   syslog lines: sshd logins/failures/disconnects, PAM, cron, sudo,
                              kernel, in RFC 3164 form

Synthetic data is generated here and never committed (see ../shared/BRIEF.md).
"""
import json
import random
import sys

R = random.Random(20261121)

USERS = ["administrator", "nguyen.van.an", "tran.thi.binh", "le.hoang", "svc_backup", "pham.minh",
         "vo.thanh", "dang.quoc", "bui.lan", "do.hai", "root", "oracle", "admin", "test", "ubuntu"]
HOSTS = ["WS-HN-%03d" % i for i in range(1, 200)] + ["SRV-DC01", "SRV-FILE02", "SRV-WEB03"]
IMAGES = [r"C:\Windows\System32\svchost.exe", r"C:\Windows\System32\cmd.exe",
          r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
          r"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE",
          r"C:\Program Files (x86)\Google\Chrome\Application\chrome.exe",
          r"C:\Windows\explorer.exe", r"C:\Windows\System32\rundll32.exe",
          r"C:\Windows\System32\conhost.exe", r"C:\Users\Public\Documents\update_client.exe"]
CMDS = ["-k netsvcs -p -s Schedule", "/c dir C:\\Users", "-NoProfile -ExecutionPolicy Bypass -File C:\\Scripts\\inventory.ps1",
        "/n /dde", "--type=renderer --field-trial-handle=1844,i,1234567890", "", "shell32.dll,Control_RunDLL",
        "0xffffffff -ForceV1", "/silent /install"]


def guid():
    return "{%08X-%04X-%04X-%04X-%012X}" % (R.getrandbits(32), R.getrandbits(16), R.getrandbits(16),
                                          R.getrandbits(16), R.getrandbits(48))


def hexs(n):
    return "%0*X" % (n, R.getrandbits(4 * n))


def ip():
    return "10.%d.%d.%d" % (R.randrange(256), R.randrange(256), R.randrange(1, 255))


def system(eid, task, rid, t, host):
    return {
        "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon",
                                     "Guid": "5770385F-C22A-43E0-BF4C-06F5698FFBD9"}},
        "EventID": eid, "Version": 5, "Level": 4, "Task": task, "Opcode": 0,
        "Keywords": "0x8000000000000000",
        "TimeCreated": {"#attributes": {"SystemTime": t}},
        "EventRecordID": rid,
        "Correlation": None,
        "Execution": {"#attributes": {"ProcessID": 3004, "ThreadID": R.randrange(1000, 9000)}},
        "Channel": "Microsoft-Windows-Sysmon/Operational",
        "Computer": host,
        "Security": {"#attributes": {"UserID": "S-1-5-18"}},
    }


def sysmon_event(i):
    t = "2026-11-%02dT%02d:%02d:%02d.%06dZ" % (1 + i % 28, R.randrange(24), R.randrange(60),
                                              R.randrange(60), R.randrange(1000000))
    host = R.choice(HOSTS) + ".agency.gov.vn"
    user = "AGENCY\\" + R.choice(USERS)
    image = R.choice(IMAGES)
    kind = R.random()
    if kind < 0.45:
        eid, task = 1, 1
        data = {
            "RuleName": "-", "UtcTime": t[:23].replace("T", " "), "ProcessGuid": guid(),
            "ProcessId": R.randrange(100, 60000), "Image": image, "FileVersion": "10.0.19041.1",
            "Description": "Windows host process", "Product": "Microsoft Windows Operating System",
            "Company": "Microsoft Corporation", "OriginalFileName": image.rsplit("\\", 1)[1],
            "CommandLine": '"%s" %s' % (image, R.choice(CMDS)), "CurrentDirectory": "C:\\Windows\\system32\\",
            "User": user, "LogonGuid": guid(), "LogonId": "0x%X" % R.getrandbits(24),
            "TerminalSessionId": R.randrange(3), "IntegrityLevel": R.choice(["Medium", "High", "System"]),
            "Hashes": "SHA1=%s,MD5=%s,SHA256=%s,IMPHASH=%s" % (hexs(40), hexs(32), hexs(64), hexs(32)),
            "ParentProcessGuid": guid(), "ParentProcessId": R.randrange(100, 60000),
            "ParentImage": R.choice(IMAGES), "ParentCommandLine": R.choice(IMAGES), "ParentUser": user,
        }
    elif kind < 0.70:
        eid, task = 3, 3
        data = {
            "RuleName": "-", "UtcTime": t[:23].replace("T", " "), "ProcessGuid": guid(),
            "ProcessId": R.randrange(100, 60000), "Image": image, "User": user, "Protocol": "tcp",
            "Initiated": True, "SourceIsIpv6": False, "SourceIp": ip(), "SourceHostname": host,
            "SourcePort": R.randrange(1024, 65535), "SourcePortName": "-", "DestinationIsIpv6": False,
            "DestinationIp": "%d.%d.%d.%d" % (R.randrange(1, 224), R.randrange(256), R.randrange(256), R.randrange(256)),
            "DestinationHostname": R.choice(["portal.baohiemxahoi.gov.vn", "update.microsoft.com", "-", "cdn.example.net"]),
            "DestinationPort": R.choice([443, 80, 445, 3389, 8080]), "DestinationPortName": "https",
        }
    elif kind < 0.85:
        eid, task = 11, 11
        data = {
            "RuleName": "-", "UtcTime": t[:23].replace("T", " "), "ProcessGuid": guid(),
            "ProcessId": R.randrange(100, 60000), "Image": image,
            "TargetFilename": "C:\\Users\\%s\\AppData\\Local\\Temp\\%s.tmp" % (R.choice(USERS), hexs(8)),
            "CreationUtcTime": t[:23].replace("T", " "), "User": user,
        }
    else:
        eid, task = 13, 13
        data = {
            "RuleName": "-", "EventType": "SetValue", "UtcTime": t[:23].replace("T", " "),
            "ProcessGuid": guid(), "ProcessId": R.randrange(100, 60000), "Image": image,
            "TargetObject": "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\%s" % hexs(6),
            "Details": "DWORD (0x%08x)" % R.getrandbits(32), "User": user,
        }
    return {"Event": {"#attributes": {"xmlns": "http://schemas.microsoft.com/win/2004/08/events/event"},
                      "System": system(eid, task, 1000 + i, t, host), "EventData": data}}


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def syslog_line(i):
    stamp = "%s %2d %02d:%02d:%02d" % (MONTHS[(i // 500000) % 12], 1 + (i // 20000) % 28, R.randrange(24),
                                      R.randrange(60), R.randrange(60))
    host = R.choice(["srv-web01", "srv-db02", "gw-hn", "bastion"])
    pid = R.randrange(1000, 40000)
    src = "%d.%d.%d.%d" % (R.randrange(1, 224), R.randrange(256), R.randrange(256), R.randrange(1, 255))
    user = R.choice(USERS)
    port = R.randrange(1024, 65535)
    k = R.random()
    if k < 0.35:
        msg = "sshd[%d]: Failed password for %s%s from %s port %d ssh2" % (
            pid, R.choice(["", "invalid user "]), user, src, port)
    elif k < 0.45:
        msg = "sshd[%d]: Accepted publickey for %s from %s port %d ssh2: ED25519 SHA256:%s" % (
            pid, user, src, port, hexs(43))
    elif k < 0.55:
        msg = "sshd[%d]: Invalid user %s from %s port %d" % (pid, user, src, port)
    elif k < 0.65:
        msg = "sshd[%d]: Received disconnect from %s port %d:11: Bye Bye [preauth]" % (pid, src, port)
    elif k < 0.75:
        msg = ("sshd[%d]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh "
               "ruser= rhost=%s  user=%s") % (pid, src, user)
    elif k < 0.83:
        msg = "CRON[%d]: (root) CMD (/usr/lib/sysstat/debian-sa1 1 1)" % pid
    elif k < 0.90:
        msg = "sudo[%d]:   %s : TTY=pts/0 ; PWD=/home/%s ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx" % (
            pid, user, user)
    else:
        msg = "kernel: [%d.%06d] UFW BLOCK IN=eth0 OUT= SRC=%s DST=10.0.0.5 PROTO=TCP SPT=%d DPT=23" % (
            R.randrange(100000), R.randrange(1000000), src, port)
    return "%s %s %s" % (stamp, host, msg)


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("sysmon", "syslog"):
        sys.exit(__doc__)
    kind, out, mb = sys.argv[1], sys.argv[2], float(sys.argv[3])
    limit = int(mb * 1e6)
    size = 0
    i = 0
    with open(out, "w", encoding="utf-8") as f:
        while size < limit:
            if kind == "sysmon":
                line = json.dumps(sysmon_event(i), separators=(",", ":"), ensure_ascii=False)
            else:
                line = syslog_line(i)
            f.write(line)
            f.write("\n")
            size += len(line.encode()) + 1
            i += 1
    print("%s: %d records, %.1f MB" % (out, i, size / 1e6))


if __name__ == "__main__":
    main()
