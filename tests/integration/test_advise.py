#!/usr/bin/env python3
"""advise against real trouble, each scenario in its own network namespace
with its own sysctls:
  close-wait  a server that never closes accepted connections
  overflow    a listener with backlog 1 flooded, never accepting
  buckets     tcp_max_tw_buckets below the TIME_WAIT load
  unprivileged  run as nobody over a fixture tree with an unreadable file
Usage: test_advise.py SOCKSCOPE [SCENARIO]"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
import tcpload  # noqa: E402


def advise(binary, *args, rc=3):
    r = netns.run([binary, "advise", "-j", *args], check_rc=rc)
    rep = json.loads(r.stdout)
    return {a["rule"]: a for a in rep["advice"]}, rep


def no_recycle(rep):
    acts = [x for a in rep["advice"] for x in a["actions"]]
    netns.check(not any("tcp_tw_recycle" in x for x in acts),
                f"no action names tcp_tw_recycle: {acts}")


def close_wait(binary):
    srv = socket.socket()
    srv.bind(("127.0.0.1", 9000))
    srv.listen(512)
    held = []
    t = threading.Thread(target=lambda: [held.append(srv.accept()[0])
                                         for _ in range(150)], daemon=True)
    t.start()
    tcpload.client_close_first(9000, 150)
    t.join(10)
    time.sleep(0.2)
    fired, rep = advise(binary, "--interval", "1")
    cw = fired.get("close-wait-leak")
    if netns.check(cw is not None, f"close-wait-leak fires: {list(fired)}"):
        netns.check(cw["severity"] == "warning", f"150 is a warning: {cw}")
        netns.check(cw.get("subject") == "local port 9000",
                    f"names where they are: {cw}")
        netns.check(cw["evidence"]["close_wait_here"] == 150 and
                    cw["evidence"]["persisting"] == 150, f"evidence: {cw}")
        netns.check(any("sockscope kill state close-wait sport = :9000" in a
                        for a in cw["actions"]), f"actions: {cw}")
        netns.check(any("close()" in a for a in cw["actions"]),
                    "the fix is in the application")
        netns.check(cw["source"].startswith("https://"), "source")
    # The clients' FIN_WAIT2 are orphans: the kernel times them out.
    netns.check("fin-wait2-stuck" not in fired, "orphaned FIN_WAIT2 is fine")
    no_recycle(rep)
    # With -p the owning process is named: this test holds the sockets.
    comm = open("/proc/self/comm").read().strip()
    fired, rep = advise(binary, "--interval", "0", "-p")
    cw = fired.get("close-wait-leak", {})
    netns.check(cw.get("subject") == f"{comm}[{os.getpid()}]" and
                cw.get("evidence", {}).get("pid") == os.getpid(),
                f"-p names the leaking process: {cw}")
    for c in held:
        c.close()


def overflow(binary):
    srv = socket.socket()
    srv.bind(("127.0.0.1", 9100))
    srv.listen(1)
    clients = []
    for _ in range(20):
        c = socket.socket()
        c.setblocking(False)
        c.connect_ex(("127.0.0.1", 9100))
        clients.append(c)
    time.sleep(0.5)
    s = json.loads(netns.run([binary, "-s", "-j", "-t"]).stdout)
    lst = s["listeners"][0]
    netns.check(lst["local"] == {"addr": "127.0.0.1", "port": 9100} and
                lst["send_q"] == 1 and lst["recv_q"] >= 2,
                f"summary shows the full queue: {lst}")
    fired, rep = advise(binary, "--interval", "2")
    with open("/proc/net/netstat") as f:
        lines = f.read().splitlines()
    names, vals = lines[0].split(), lines[1].split()
    kernel = int(vals[names.index("ListenOverflows")])
    ao = fired.get("accept-overflow")
    if netns.check(ao is not None, f"accept-overflow fires: {list(fired)}"):
        ev = ao["evidence"]
        netns.check(ao["severity"] in ("warning", "critical"), f"{ao}")
        netns.check(ao.get("subject") == "127.0.0.1:9100", f"listener: {ao}")
        netns.check(0 < ev["ListenOverflows"] <= kernel,
                    f"quotes ListenOverflows ({kernel}): {ev}")
        netns.check("ListenOverflows" in ao["message"], ao["message"])
        netns.check(ev["recv_q"] >= ev["send_q"] == 1, f"queue: {ev}")
        acts = " | ".join(ao["actions"])
        netns.check("net.core.somaxconn" in acts and "SO_REUSEPORT" in acts
                    and "tcp_abort_on_overflow=0" in acts, acts)
    no_recycle(rep)
    for c in clients:
        c.close()


def buckets(binary):
    tcpload.set_sysctl("net.ipv4.tcp_max_tw_buckets", 100)
    tcpload.set_sysctl("net.ipv4.tcp_rfc1337", 1)
    server = tcpload.ClosingServer(8081)
    tcpload.client_close_first(8081, 400)
    tcpload.wait_time_wait(100)
    # Closes still in flight could enter TIME_WAIT during the dump.
    netns.check(tcpload.wait_settled(), "all closes have settled")
    fired, rep = advise(binary, "--interval", "0")
    tb = fired.get("tw-buckets")
    if netns.check(tb is not None, f"tw-buckets fires: {list(fired)}"):
        netns.check(tb["severity"] == "warning", f"at the limit: {tb}")
        netns.check(tb["evidence"]["tcp_max_tw_buckets"] == 100, f"{tb}")
        netns.check(80 <= tb["evidence"]["time_wait"] <= 100, f"{tb}")
        netns.check(tb["evidence"]["TCPTimeWaitOverflow"] >= 250,
                    f"the kernel counted the overflow: {tb}")
    churn = tcpload.Churn(8081)
    fired, rep = advise(binary, "--interval", "2")
    churn.close()
    tb = fired.get("tw-buckets")
    if netns.check(tb is not None, f"tw-buckets fires: {list(fired)}"):
        netns.check(tb["severity"] == "critical", f"rising overflow: {tb}")
        netns.check(tb["evidence"]["TCPTimeWaitOverflow_per_minute"] > 0,
                    f"{tb}")
        act = [a for a in tb["actions"]
               if a.startswith("sysctl -w net.ipv4.tcp_max_tw_buckets=")]
        netns.check(act and int(act[0].split("=")[1].split()[0]) > 100,
                    f"raise it, never lower: {tb['actions']}")
    no_recycle(rep)
    prom = netns.run([binary, "advise", "--interval", "0", "--format",
                      "prometheus"], check_rc=3).stdout
    netns.check('sockscope_advice{rule="tw-buckets",severity="warning"} 1'
                in prom, "prometheus advice gauge")
    if shutil.which("promtool"):
        r = subprocess.run(["promtool", "check", "metrics"], input=prom,
                           capture_output=True, text=True)
        netns.check(r.returncode == 0, f"promtool: {r.stdout}{r.stderr}")
    server.close()


def unprivileged(binary):
    """Without root: read what it can, name once what it could not."""
    if not shutil.which("setpriv"):
        netns.skip("needs setpriv(1)")
    fixtures = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "..", "fixtures", "advice-base")
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        root = os.path.join(tmp, "root")
        shutil.copytree(fixtures, root)
        hidden = os.path.join(root, "proc/sys/net/ipv4/tcp_max_tw_buckets")
        os.chmod(hidden, 0)
        exe = os.path.join(tmp, "sockscope")
        shutil.copy(binary, exe)
        os.chmod(exe, 0o755)
        r = netns.run(["setpriv", "--reuid=65534", "--regid=65534",
                       "--clear-groups", exe, "advise", "-j", "--interval",
                       "0", "--root", root], check_rc=0)
        lines = [x for x in r.stderr.splitlines() if x]
        netns.check(len(lines) == 1 and "tcp_max_tw_buckets" in lines[0]
                    and "Permission denied" in lines[0],
                    f"one line names the unreadable file: {r.stderr!r}")
        rep = json.loads(r.stdout)
        netns.check("tcp_max_tw_buckets" in rep.get("unreadable", ""),
                    f"JSON says it too: {rep.get('unreadable')}")
        netns.check(rep["kernel"] == "6.18.0-test", "the rest was read")


SCENARIOS = {"close-wait": close_wait, "overflow": overflow,
             "buckets": buckets, "unprivileged": unprivileged}


def main():
    binary = sys.argv[1]
    if len(sys.argv) > 2:
        netns.enter()
        SCENARIOS[sys.argv[2]](binary)
        netns.finish("advise " + sys.argv[2])
    # One fresh namespace per scenario: no leftovers between them.
    for name in SCENARIOS:
        r = subprocess.run([sys.executable, os.path.abspath(__file__),
                            binary, name])
        if r.returncode == netns.SKIP:
            sys.exit(netns.SKIP)
        netns.check(r.returncode == 0, f"scenario {name}")
    netns.finish("advise")


if __name__ == "__main__":
    main()
