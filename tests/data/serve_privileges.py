#!/usr/bin/env python3
"""serve-privileges: vigil serve started as root with `user: nobody` binds a port below 1024,
then runs as nobody (every uid and gid of the process), owns its data directory, and still
receives and stores. Started by another user, it says that privileges stay as they are and
works the same (that case is what this script checks when it does not run as root).

Usage: serve_privileges.py VIGIL
"""
import json
import os
import pwd
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile

from serve_common import FAILS, fail, free_port, one_address_snapshot, sshd_line, start_daemon, wait_stored

VIGIL = sys.argv[1]
IP = "203.0.113.31"


def low_port():
    """A free TCP port below 1024 (we are root when this is called)."""
    for port in range(1000, 1024):
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            s.close()
    return None


def ids_of(pid):
    with open("/proc/%d/status" % pid) as f:
        st = dict(l.split(":", 1) for l in f if ":" in l)
    return [int(x) for x in st["Uid"].split()], [int(x) for x in st["Gid"].split()]


def main():
    root = os.geteuid() == 0
    tmp = tempfile.mkdtemp(prefix="vigil-serve-priv-")
    os.chmod(tmp, 0o755)    # the unprivileged user must reach its data directory
    snap = one_address_snapshot(VIGIL, tmp, IP)
    tcp = low_port() if root else free_port()
    api = free_port()
    conf = os.path.join(tmp, "vigil.yml")
    with open(conf, "w") as f:
        f.write(f"""data_dir: {tmp}/data
user: nobody
spool: {{sync: never}}
detection: {{workers: 1, intel: {snap}}}
api: {{listen: "127.0.0.1:{api}"}}
listeners: [{{name: tcp, type: tcp, listen: "127.0.0.1:{tcp}"}}]
""")
    log = os.path.join(tmp, "serve.log")
    p = start_daemon(VIGIL, conf, open(log, "w"), api)
    uids, gids = ids_of(p.pid)
    with socket.create_connection(("127.0.0.1", tcp)) as s:
        s.sendall((sshd_line("p1", IP) + "\n").encode())
    wait_stored(api, 1, 60)
    p.send_signal(signal.SIGTERM)
    if p.wait(timeout=60) != 0:
        fail("vigil serve exited with %d" % p.returncode)
    text = open(log).read()
    db = os.path.join(tmp, "data/vigil.db")
    con = sqlite3.connect(db)
    names = [json.loads(j)["event"]["user"]["name"] for (j,) in con.execute("select json from alerts")]
    con.close()
    if names != ["p1"]:
        fail("stored %s, expected the one line sent" % names)
    if root:
        nobody = pwd.getpwnam("nobody")
        if uids != [nobody.pw_uid] * 4 or gids != [nobody.pw_gid] * 4:
            fail("running as uid %s gid %s, not nobody (%d/%d)" % (uids, gids, nobody.pw_uid, nobody.pw_gid))
        if os.stat(os.path.join(tmp, "data")).st_uid != nobody.pw_uid or os.stat(db).st_uid != nobody.pw_uid:
            fail("the data directory or the store is not nobody's")
        if "running as user nobody" not in text:
            fail("the log does not say which user it runs as")
        print("bound 127.0.0.1:%d as root, then ran as nobody (uid %d, gid %d, every one of them), stored what it "
              "received in a data directory of its own" % (tcp, nobody.pw_uid, nobody.pw_gid))
    else:
        if "privileges stay as they are" not in text:
            fail("not root: the log does not say that privileges stay as they are")
        print("not root: privileges stay as they are (said in the log); stored what it received")
    if FAILS:
        print(text[-3000:])
        return 1
    subprocess.run(["rm", "-rf", tmp])
    return 0


if __name__ == "__main__":
    sys.exit(main())
