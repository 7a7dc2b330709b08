#!/usr/bin/env python3
"""summary with thousands of TIME_WAIT towards one destination and a narrowed
ephemeral port range (with reserved ports): the tuple, its share of the
usable ports and the connection ceiling must be right; advise must report
port pressure with the right remedies and never tcp_tw_recycle.
Usage: test_summary.py SOCKSCOPE"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
import tcpload  # noqa: E402

SERVER_PORT = 8080
LOW, HIGH = 40000, 43999          # 4000 ports
RESERVED = "40000-40099"          # minus 100 = 3900 usable
USABLE = 3900
CONNS = 3000                      # 77 % of the usable ports: a warning


def promtool_ok(text, what):
    if not shutil.which("promtool"):
        netns.skip("promtool (Debian package prometheus) is not installed")
    r = subprocess.run(["promtool", "check", "metrics"], input=text,
                       capture_output=True, text=True)
    netns.check(r.returncode == 0,
                f"promtool check metrics on {what}: {r.stdout}{r.stderr}")


def check_summary(binary):
    s = json.loads(netns.run([binary, "summary", "-t", "-j"]).stdout)
    eph = s.get("ephemeral_ports", {})
    netns.check(eph.get("usable") == USABLE,
                f"usable ports = range minus reserved: {eph}")
    netns.check(eph.get("low") == LOW and eph.get("high") == HIGH,
                f"range read from the namespace: {eph}")
    netns.check(abs(eph.get("max_new_connections_per_second", 0)
                    - USABLE / 60) < 0.01, f"ceiling = usable/60: {eph}")
    tw = s["tcp"]["states"]["TIME_WAIT"]["total"]
    netns.check(tw == CONNS, f"TIME_WAIT state count: {tw}")
    netns.check(s["kernel"]["tcp"]["tw"] == tw,
                f"sockstat tw beside it: {s['kernel']} vs {tw}")
    tuples = s.get("time_wait_tuples", [])
    netns.check(len(tuples) == 1, f"one TIME_WAIT tuple: {tuples}")
    if tuples:
        t = tuples[0]
        netns.check(t["local"]["addr"] == "127.0.0.1", f"local: {t}")
        netns.check(t["peer"] == {"addr": "127.0.0.1", "port": SERVER_PORT},
                    f"peer: {t}")
        netns.check(t["time_wait"] == tw,
                    f"every TIME_WAIT in the one tuple ({tw}): {t}")
        netns.check(abs(t["share"] - t["sockets"] / USABLE) < 1e-6
                    and t["share"] > 0.7, f"share of usable ports: {t}")
    table = netns.run([binary, "-s", "-t"]).stdout
    netns.check("127.0.0.1:8080" in table and "usable ephemeral ports: 3900"
                in table and "65 new connections/s" in table,
                f"table shows the tuple and the ceiling:\n{table}")
    prom = netns.run([binary, "summary", "--format", "prometheus"]).stdout
    promtool_ok(prom, "summary")
    m = re.search(r'^sockscope_sockets\{netid="tcp",family="inet",'
                  r'state="time_wait"\} (\d+)$', prom, re.M)
    netns.check(m and int(m.group(1)) == tw,
                f"time_wait gauge = {tw}: {m and m.group(0)}")
    netns.check("sockscope_ephemeral_ports_usable 3900" in prom,
                "usable ports gauge")


def check_udp(binary):
    bound = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    bound.bind(("127.0.0.1", 5353))
    conn = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    conn.connect(("::1", 5353))
    u = json.loads(netns.run([binary, "-s", "-u", "-j"]).stdout)["udp"]
    netns.check(u == {"total": 2, "inet": 1, "inet6": 1, "bound": 1,
                      "connected": 1}, f"UDP bound and connected: {u}")
    bound.close()
    conn.close()


def check_advise(binary):
    r = netns.run([binary, "advise", "-j", "--interval", "0"], check_rc=3)
    rep = json.loads(r.stdout)
    fired = {a["rule"]: a for a in rep["advice"]}
    tp = fired.get("tuple-pressure")
    netns.check(tp is not None, f"tuple-pressure fires: {list(fired)}")
    if tp:
        netns.check(tp["severity"] == "warning", f"77% is a warning: {tp}")
        ev = tp["evidence"]
        netns.check(ev.get("usable_ports") == USABLE, f"evidence: {ev}")
        netns.check(abs(ev.get("max_new_connections_per_second", 0)
                        - USABLE / 60) < 0.01, f"evidence: {ev}")
        acts = " | ".join(tp["actions"])
        for want in ("IP_BIND_ADDRESS_NO_PORT", "keep-alive",
                     "sysctl -w net.ipv4.ip_local_port_range=",
                     "sysctl -w net.ipv4.tcp_tw_reuse=1"):
            netns.check(want in acts, f"remedy {want!r} in {acts}")
        netns.check(tp["source"].startswith("https://"), "source link")
    netns.check("tw-harmless" not in fired, "pressure is not harmless")
    netns.check("fin-timeout-myth" in fired,
                f"tcp_fin_timeout=30 with many TIME_WAIT: {list(fired)}")
    actions = [x for a in rep["advice"] for x in a["actions"]]
    netns.check(actions and not any("tcp_tw_recycle" in x for x in actions),
                f"no action names tcp_tw_recycle: {actions}")
    prom = netns.run([binary, "advise", "--interval", "0", "--format",
                      "prometheus"], check_rc=3).stdout
    promtool_ok(prom, "advise")
    netns.check('sockscope_advice_severity{rule="tuple-pressure"} 2'
                in prom, "advice severity gauge: 2, warning")
    lst = netns.run([binary, "-a", "--format", "prometheus"]).stdout
    promtool_ok(lst, "list")


OTHER_NS = """
import socket, subprocess, sys
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
subprocess.run(["sysctl", "-qw", "net.ipv4.ip_local_port_range=50000 50999"],
               check=True)
lst = socket.socket()
lst.bind(("127.0.0.1", 7000))
lst.listen(8)
pairs = [socket.create_connection(("127.0.0.1", 7000)) for _ in range(3)]
pairs += [lst.accept()[0] for _ in range(3)]
print("READY", flush=True)
sys.stdin.read()
"""


def check_other_netns(binary):
    """-N: counts, sysctls and advice of that namespace, not this one."""
    child = subprocess.Popen(["unshare", "-n", sys.executable, "-c",
                              OTHER_NS], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        netns.check(child.stdout.readline().strip() == "READY",
                    "the other namespace is ready")
        path = f"/proc/{child.pid}/ns/net"
        out = netns.run([binary, "summary", "-j", "-N", path]).stdout
        rep = json.loads(out)
        st = rep["tcp"]["states"]
        netns.check(st["LISTEN"]["total"] == 1 and
                    st["ESTABLISHED"]["total"] == 6 and
                    st["TIME_WAIT"]["total"] == 0,
                    f"summary -N counts the other namespace: {st}")
        eph = rep["ephemeral_ports"]
        netns.check((eph["low"], eph["high"]) == (50000, 50999),
                    f"summary -N reads that namespace's sysctls: {eph}")
        r = netns.run([binary, "advise", "-j", "--interval", "0", "-N",
                       path], check_rc=None)
        rep = json.loads(r.stdout)
        rules = [a["rule"] for a in rep["advice"]]
        netns.check(r.returncode == 0 and "tuple-pressure" not in rules,
                    f"advise -N sees none of this namespace's TIME_WAIT: "
                    f"{rules}")
        r = netns.run([binary, "summary", "-N", "no-such-ns"], check_rc=1)
        netns.check("no-such-ns" in r.stderr, "a missing namespace is named")
    finally:
        child.stdin.close()
        child.wait(timeout=10)


def main():
    binary = sys.argv[1]
    netns.enter()
    # A clean namespace: nothing to advise, exit 0.
    netns.run([binary, "advise", "--interval", "0"], check_rc=0)
    tcpload.set_sysctl("net.ipv4.ip_local_port_range", f"{LOW} {HIGH}")
    tcpload.set_sysctl("net.ipv4.ip_local_reserved_ports", RESERVED)
    tcpload.set_sysctl("net.ipv4.tcp_tw_reuse", 0)
    tcpload.set_sysctl("net.ipv4.tcp_fin_timeout", 30)
    # Under load a stray RST can end a TIME_WAIT early (RFC 1337
    # assassination); with rfc1337=1 every one lasts its 60 s.
    tcpload.set_sysctl("net.ipv4.tcp_rfc1337", 1)
    server = tcpload.ClosingServer(SERVER_PORT)
    made = tcpload.client_close_first(SERVER_PORT, CONNS)
    netns.check(made == CONNS, f"{made} of {CONNS} connections made")
    tw = tcpload.wait_time_wait(CONNS)
    netns.check(tw == CONNS, f"all {CONNS} in TIME_WAIT: {tw}")
    # A server end still in LAST_ACK leaves its hash bucket while the
    # dump walks it, which can hide a neighbour from that one dump (as
    # for ss): count only once every close has finished.
    netns.check(tcpload.wait_settled(), "every closing handshake ended")
    check_summary(binary)
    check_udp(binary)
    check_advise(binary)
    check_other_netns(binary)
    server.close()
    netns.finish("summary")


if __name__ == "__main__":
    main()
