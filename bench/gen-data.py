#!/usr/bin/env python3
"""Generates benchmark input for `make bench`, deterministically (fixed seed).

  gen-data.py sysmon OUT MB   benign Sysmon-style Windows events of office workstations,
                              evtx-as-JSON nested shape (Event.System / Event.EventData), one
                              compact object per line: coherent process profiles (image, parent,
                              command line, file version data), their network connections, DNS
                              queries, file and registry writes, image loads, process ends
  gen-data.py sysmon-noisy OUT MB   the same shape with images, parents and command lines mixed
                              at random, Run-key writes and connections to any address: about
                              nine events in ten make some SigmaHQ rule fire (a stress case)
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


def sysmon_noisy_event(i):
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


# Benign office workstation activity: (image, parent image, command lines, original file name,
# description, product, company). %u is a user name, %d a number, %g a GUID.
PROFILES = [
    (r"C:\Program Files\Google\Chrome\Application\chrome.exe", r"C:\Windows\explorer.exe",
     ['"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe"',
      '"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe" --type=renderer --lang=vi '
      '--field-trial-handle=%d,i,%d --renderer-client-id=%d --mojo-platform-channel-handle=%d /prefetch:1',
      '"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe" --type=utility '
      '--utility-sub-type=network.mojom.NetworkService --lang=vi --service-sandbox-type=none /prefetch:8'],
     "chrome.exe", "Google Chrome", "Google Chrome", "Google LLC"),
    (r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe", r"C:\Windows\explorer.exe",
     ['"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe" --type=renderer '
      '--field-trial-handle=%d,i,%d --lang=vi --renderer-client-id=%d /prefetch:1'],
     "msedge.exe", "Microsoft Edge", "Microsoft Edge", "Microsoft Corporation"),
    (r"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE", r"C:\Windows\explorer.exe",
     ['"C:\\Program Files\\Microsoft Office\\Root\\Office16\\WINWORD.EXE" /n '
      '"C:\\Users\\%u\\Documents\\Bao cao thang %d.docx" /o ""'],
     "WinWord.exe", "Microsoft Word", "Microsoft Office", "Microsoft Corporation"),
    (r"C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE", r"C:\Windows\explorer.exe",
     ['"C:\\Program Files\\Microsoft Office\\Root\\Office16\\EXCEL.EXE" '
      '"C:\\Users\\%u\\Documents\\Ke hoach %d.xlsx"'],
     "Excel.exe", "Microsoft Excel", "Microsoft Office", "Microsoft Corporation"),
    (r"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE", r"C:\Windows\explorer.exe",
     ['"C:\\Program Files\\Microsoft Office\\Root\\Office16\\OUTLOOK.EXE"'],
     "Outlook.exe", "Microsoft Outlook", "Microsoft Office", "Microsoft Corporation"),
    (r"C:\Windows\System32\svchost.exe", r"C:\Windows\System32\services.exe",
     ["C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule",
      "C:\\Windows\\system32\\svchost.exe -k LocalServiceNetworkRestricted -p -s Dhcp",
      "C:\\Windows\\System32\\svchost.exe -k NetworkService -p -s Dnscache",
      "C:\\Windows\\system32\\svchost.exe -k LocalSystemNetworkRestricted -p -s SysMain",
      "C:\\Windows\\system32\\svchost.exe -k wsappx -p -s AppXSvc"],
     "svchost.exe", "Host Process for Windows Services", "Microsoft® Windows® Operating System",
     "Microsoft Corporation"),
    (r"C:\Windows\System32\taskhostw.exe", r"C:\Windows\System32\svchost.exe",
     ["taskhostw.exe {%g}", "taskhostw.exe Install $(Arg0)"],
     "taskhostw.exe", "Host Process for Windows Tasks", "Microsoft® Windows® Operating System",
     "Microsoft Corporation"),
    (r"C:\Windows\System32\RuntimeBroker.exe", r"C:\Windows\System32\svchost.exe",
     ["C:\\Windows\\System32\\RuntimeBroker.exe -Embedding"],
     "RuntimeBroker.exe", "Runtime Broker", "Microsoft® Windows® Operating System", "Microsoft Corporation"),
    (r"C:\Windows\System32\SearchProtocolHost.exe", r"C:\Windows\System32\SearchIndexer.exe",
     ['"C:\\Windows\\system32\\SearchProtocolHost.exe" Global\\UsGthrFltPipeMssGthrPipe%d '
      'Global\\UsGthrCtrlFltPipeMssGthrPipe%d 1 -2147483646 "Software\\Microsoft\\Windows Search" '
      '"Mozilla/4.0 (compatible; MSIE 6.0; Windows NT; MS Search 4.0 Robot)" '
      '"C:\\ProgramData\\Microsoft\\Search\\Data\\Temp\\usgthrsvc" "DownLevelDaemon"'],
     "SearchProtocolHost.exe", "Microsoft Windows Search Protocol Host",
     "Microsoft® Windows® Operating System", "Microsoft Corporation"),
    (r"C:\Windows\System32\backgroundTaskHost.exe", r"C:\Windows\System32\svchost.exe",
     ['"C:\\Windows\\system32\\backgroundTaskHost.exe" -ServerName:BackgroundTaskHost.WebAccountProvider'],
     "backgroundTaskHost.exe", "Background Task Host", "Microsoft® Windows® Operating System",
     "Microsoft Corporation"),
    (r"C:\Windows\System32\notepad.exe", r"C:\Windows\explorer.exe",
     ['"C:\\Windows\\system32\\NOTEPAD.EXE" C:\\Users\\%u\\Desktop\\ghi chu %d.txt'],
     "NOTEPAD.EXE", "Notepad", "Microsoft® Windows® Operating System", "Microsoft Corporation"),
    (r"C:\Users\%u\AppData\Local\Microsoft\Teams\current\Teams.exe", r"C:\Windows\explorer.exe",
     ['"C:\\Users\\%u\\AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe" --type=renderer '
      '--autoplay-policy=no-user-gesture-required --lang=vi --device-scale-factor=1 --num-raster-threads=2'],
     "Teams.exe", "Microsoft Teams", "Microsoft Teams", "Microsoft Corporation"),
    (r"C:\Program Files\Microsoft OneDrive\OneDrive.exe", r"C:\Windows\explorer.exe",
     ['"C:\\Program Files\\Microsoft OneDrive\\OneDrive.exe" /background'],
     "OneDrive.exe", "Microsoft OneDrive", "Microsoft OneDrive", "Microsoft Corporation"),
    (r"C:\Windows\System32\dllhost.exe", r"C:\Windows\System32\svchost.exe",
     ["C:\\Windows\\system32\\DllHost.exe /Processid:{%g}"],
     "dllhost.exe", "COM Surrogate", "Microsoft® Windows® Operating System", "Microsoft Corporation"),
]
NET_PROFILES = [p for p in PROFILES if p[3] in ("chrome.exe", "msedge.exe", "Teams.exe", "OneDrive.exe",
                                                  "svchost.exe")]
DOMAINS = ["www.google.com", "mail.agency.gov.vn", "portal.baohiemxahoi.gov.vn", "outlook.office365.com",
           "teams.microsoft.com", "update.googleapis.com", "vnexpress.net", "dichvucong.gov.vn",
           "login.microsoftonline.com", "clients2.google.com", "www.bing.com", "onedrive.live.com"]
DLLS = ["ntdll.dll", "kernel32.dll", "KernelBase.dll", "user32.dll", "advapi32.dll", "msvcrt.dll",
        "combase.dll", "ole32.dll", "shell32.dll", "crypt32.dll", "winhttp.dll", "ws2_32.dll"]


def fill(text, user):
    out = text.replace("%u", user)
    while "%d" in out:
        out = out.replace("%d", str(R.randrange(1, 99999)), 1)
    while "%g" in out:
        out = out.replace("%g", guid()[1:-1], 1)
    return out


def sysmon_event(i):
    t = "2026-11-%02dT%02d:%02d:%02d.%06dZ" % (1 + i % 28, R.randrange(7, 19), R.randrange(60),
                                              R.randrange(60), R.randrange(1000000))
    host = R.choice(HOSTS[:-3]) + ".agency.gov.vn"
    uname = R.choice(USERS[1:10])
    user = "AGENCY\\" + uname
    kind = R.random()
    net = 0.30 <= kind < 0.60      # connections and DNS queries come from programs that make them
    img, parent, cmds, ofn, desc, product, company = R.choice(NET_PROFILES if net else PROFILES)
    image = fill(img, uname)
    base = {"RuleName": "-", "UtcTime": t[:23].replace("T", " "), "ProcessGuid": guid(),
            "ProcessId": R.randrange(100, 60000), "Image": image}
    if kind < 0.30:
        eid = 1
        data = dict(base, FileVersion="10.0.19041.%d" % R.randrange(1, 4000), Description=desc, Product=product,
                    Company=company, OriginalFileName=ofn, CommandLine=fill(R.choice(cmds), uname),
                    CurrentDirectory="C:\\Users\\%s\\" % uname if parent.endswith("explorer.exe")
                    else "C:\\Windows\\system32\\",
                    User=user if parent.endswith("explorer.exe") else "NT AUTHORITY\\SYSTEM",
                    LogonGuid=guid(), LogonId="0x%X" % R.getrandbits(24), TerminalSessionId=1,
                    IntegrityLevel="Medium" if parent.endswith("explorer.exe") else "System",
                    Hashes="SHA1=%s,MD5=%s,SHA256=%s,IMPHASH=%s" % (hexs(40), hexs(32), hexs(64), hexs(32)),
                    ParentProcessGuid=guid(), ParentProcessId=R.randrange(100, 60000), ParentImage=parent,
                    ParentCommandLine=parent if not parent.endswith("services.exe") else "C:\\Windows\\system32\\services.exe",
                    ParentUser=user)
    elif kind < 0.45:
        eid = 3
        data = dict(base, User=user, Protocol="tcp", Initiated=True, SourceIsIpv6=False, SourceIp=ip(),
                    SourceHostname=host, SourcePort=R.randrange(49152, 65535), SourcePortName="-",
                    DestinationIsIpv6=False,
                    DestinationIp="%d.%d.%d.%d" % (R.choice([142, 172, 20, 40, 52, 203]), R.randrange(256),
                                                   R.randrange(256), R.randrange(1, 255)),
                    DestinationHostname=R.choice(DOMAINS), DestinationPort=443, DestinationPortName="https")
    elif kind < 0.60:
        eid = 22
        data = dict(base, QueryName=R.choice(DOMAINS), QueryStatus="0",
                    QueryResults="::ffff:%d.%d.%d.%d;" % (142, R.randrange(256), R.randrange(256), R.randrange(256)),
                    User=user)
    elif kind < 0.72:
        eid = 11
        data = dict(base, TargetFilename=R.choice([
            "C:\\Users\\%s\\AppData\\Local\\Google\\Chrome\\User Data\\Default\\Cache\\Cache_Data\\f_%s",
            "C:\\Users\\%s\\AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.Word\\~WRS{%s}.tmp",
            "C:\\Users\\%s\\Documents\\~$ao cao %s.docx"]) % (uname, hexs(6)),
            CreationUtcTime=t[:23].replace("T", " "), User=user)
    elif kind < 0.82:
        eid = 13
        data = dict(base, EventType="SetValue", TargetObject=R.choice([
            "HKU\\S-1-5-21-%d-%d-%d-1001\\Software\\Microsoft\\Office\\16.0\\Word\\Reading Locations\\Document 0\\Datetime",
            "HKU\\S-1-5-21-%d-%d-%d-1001\\Software\\Google\\Chrome\\PreferenceMACs\\Default\\homepage",
            "HKLM\\System\\CurrentControlSet\\Services\\bam\\State\\UserSettings\\S-1-5-21-%d-%d-%d-1001\\SequenceNumber"])
            % (R.randrange(10**9), R.randrange(10**9), R.randrange(10**9)),
            Details="DWORD (0x%08x)" % R.getrandbits(32), User=user)
    elif kind < 0.92:
        eid = 7
        dll = R.choice(DLLS)
        data = dict(base, ImageLoaded="C:\\Windows\\System32\\%s" % dll, FileVersion="10.0.19041.%d" % R.randrange(4000),
                    Description="Windows library", Product="Microsoft® Windows® Operating System",
                    Company="Microsoft Corporation", OriginalFileName=dll,
                    Hashes="SHA1=%s,MD5=%s,SHA256=%s,IMPHASH=%s" % (hexs(40), hexs(32), hexs(64), hexs(32)),
                    Signed="true", Signature="Microsoft Windows", SignatureStatus="Valid", User=user)
    else:
        eid = 5
        data = dict(base, User=user)
    return {"Event": {"#attributes": {"xmlns": "http://schemas.microsoft.com/win/2004/08/events/event"},
                      "System": system(eid, eid, 1000 + i, t, host), "EventData": data}}


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
    if len(sys.argv) != 4 or sys.argv[1] not in ("sysmon", "sysmon-noisy", "syslog"):
        sys.exit(__doc__)
    kind, out, mb = sys.argv[1], sys.argv[2], float(sys.argv[3])
    limit = int(mb * 1e6)
    size = 0
    i = 0
    with open(out, "w", encoding="utf-8") as f:
        while size < limit:
            if kind.startswith("sysmon"):
                ev = sysmon_event(i) if kind == "sysmon" else sysmon_noisy_event(i)
                line = json.dumps(ev, separators=(",", ":"), ensure_ascii=False)
            else:
                line = syslog_line(i)
            f.write(line)
            f.write("\n")
            size += len(line.encode()) + 1
            i += 1
    print("%s: %d records, %.1f MB" % (out, i, size / 1e6))


if __name__ == "__main__":
    main()
