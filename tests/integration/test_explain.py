#!/usr/bin/env python3
"""sockscope explain and diagram against real sockets in a private netns.

The counts explain and diagram show must equal what `sockscope -tan` and
ss(8) list; explain port must name the owners and state a bind rule the
kernel then follows; sysctl values come from this namespace or --root.

Run: test_explain.py SOCKSCOPE SOCKSTATES.
"""
import errno
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

import netns

netns.enter()
SOCKSCOPE, SOCKSTATES = sys.argv[1], sys.argv[2]
check = netns.check
SS_STATE = {
    "ESTAB": "ESTABLISHED", "SYN-SENT": "SYN_SENT", "SYN-RECV": "SYN_RECV",
    "FIN-WAIT-1": "FIN_WAIT1", "FIN-WAIT-2": "FIN_WAIT2",
    "TIME-WAIT": "TIME_WAIT", "CLOSE-WAIT": "CLOSE_WAIT",
    "LAST-ACK": "LAST_ACK", "LISTEN": "LISTEN", "CLOSING": "CLOSING",
    "UNCONN": "CLOSE",
}
STATES = ["ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
          "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING"]


def js(*args):
    return json.loads(netns.run([SOCKSCOPE, *args]).stdout)


def list_counts():
    """State -> count from `sockscope -tan -j`, the listing's own view."""
    counts = dict.fromkeys(STATES, 0)
    for o in js("-tan", "-j"):
        counts[o["state"]] += 1
    return counts


def ss_counts():
    counts = dict.fromkeys(STATES, 0)
    out = netns.run(netns.ss("-tanH"), wrapped=False).stdout
    for line in out.splitlines():
        counts[SS_STATE[line.split()[0]]] += 1
    return counts


def start_holder():
    p = subprocess.Popen([SOCKSTATES, "--count", "3"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    for line in p.stdout:
        if line.strip() == "READY":
            return p
    netns.fail(f"sockstates exited {p.wait()} before READY")


def orphaned_fin_wait2(port):
    """A client that close()d while its peer keeps its end open: an orphan
    in FIN_WAIT2 (bounded by tcp_fin_timeout). Returns the sockets to
    keep."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", port))
    srv.listen()
    cli = socket.create_connection(("127.0.0.1", port))
    peer, _ = srv.accept()
    cli.close()
    for _ in range(100):
        if any(o["state"] == "FIN_WAIT2" and o["local"]["port"] != port
               and o["inode"] == 0 for o in js("-tan", "-j", "-e")):
            return [srv, peer]
        time.sleep(0.05)
    netns.fail("no orphaned FIN_WAIT2 appeared")


def ref_counts():
    """Counts from a fast reference (ss, else the listing)."""
    return ss_counts() if netns.have_ss() else list_counts()


def within(what, got, run, states=STATES):
    """got[state] for every state lies between the reference counts taken
    just before and just after run() produced it: sockets here only expire
    (TIME_WAIT, orphans), so a slow run (valgrind) may straddle an expiry
    but never sees a count outside that range."""
    before = ref_counts()
    value = run()
    after = ref_counts()
    for st in states:
        lo, hi = sorted((before[st], after[st]))
        check(lo <= got(value, st) <= hi,
              f"{what} {st}: {got(value, st)} not within {lo}..{hi}")
    return value


def check_states():
    """explain STATE and the diagram count what the listing lists."""
    fw2 = js("explain", "fin-wait-2", "-j")["count"]
    check(fw2["orphaned"] >= 1 and fw2["total"] - fw2["orphaned"] >= 1,
          f"FIN_WAIT2 both orphaned and owned here: {fw2}")
    want = within("sockscope -tan", lambda v, st: v[st], list_counts)
    for st in STATES:
        check(want[st] > 0 or st == "CLOSE", f"sockstates made a {st}")
    rows = js("-tan", "-j", "-e")
    # One run per state (both spellings over the set): SYN_RECV and
    # SYN_SENT expire after a minute or two, slow runs (valgrind) add up.
    for i, st in enumerate(STATES):
        word = st if i % 2 else st.lower().replace("_", "-")
        got = within(f"explain {word}", lambda v, _: v["count"]["total"],
                     lambda: js("explain", word, "-j"), [st])
        check(got["name"] == st, f"explain {word} names {st}")
        owned = sum(1 for o in rows if o["state"] == st and o["inode"])
        check(got["count"]["total"] - got["count"]["orphaned"] == owned,
              f"{st}: owned sockets (with an inode) {got['count']} "
              f"== {owned}")
    diag = within("diagram", lambda v, st: {s["name"]: s["count"]
                                            for s in v["states"]}[st],
                  lambda: js("diagram", "--interval", "0", "-j"))
    check(all(e["source"] for e in diag["edges"]), "every edge has a source")
    text = within("drawn diagram", lambda v, st: drawn_counts(v)[st],
                  lambda: netns.run([SOCKSCOPE, "diagram", "--interval",
                                     "0"]).stdout)
    check(max(len(line) for line in text.splitlines()) <= 79,
          "the diagram fits 79 columns")
    within("explain TIME_WAIT (table)", lambda v, _: here_now(v),
           lambda: netns.run([SOCKSCOPE, "explain", "TIME_WAIT"]).stdout,
           ["TIME_WAIT"])


def here_now(text):
    m = re.search(r"Here now: +(\d+) ", text)
    return int(m.group(1)) if m else -1


def drawn_counts(text):
    """State -> count as drawn in the boxes ("| TIME_WAIT  3")."""
    return {("CLOSE" if k == "CLOSED" else k): int(v) for k, v in
            re.findall(r"\| ([A-Z_0-9]+) +(\d+)", text)}


def check_facts_json():
    tw = js("explain", "time-wait", "-j")
    check(tw["timer_seconds"] == 60 and tw["timer_knob"] == "none",
          "TIME_WAIT: 60 s, no knob")
    check("TCP_TIMEWAIT_LEN" in tw["timer"]["source"], "cites TCP_TIMEWAIT_LEN")
    fw2 = js("explain", "FIN_WAIT2", "-j")
    check(fw2["timer_knob"]["name"] == "net.ipv4.tcp_fin_timeout",
          "FIN_WAIT2's knob is tcp_fin_timeout")
    cw = js("explain", "close-wait", "-j")
    check(cw["timer_knob"] == "none" and "timer_seconds" not in cw,
          "CLOSE_WAIT has no timer")
    for st in STATES:
        o = js("explain", st, "-j")
        facts = [o[k] for k in ("who", "enter", "waits", "timer", "many")]
        check(all(f["text"] and f["source"] for f in facts),
              f"{st}: every fact has a source")
        check(all(m["source"] for m in o["myths"]) and o["myths"],
              f"{st}: myths carry sources")
    idx = js("explain", "-j")
    check(len(idx["states"]) == 11 and len(idx["sysctls"]) >= 19,
          "explain -j holds the whole table")


def check_sysctls():
    netns.run(["sysctl", "-qw", "net.ipv4.tcp_fin_timeout=17"], wrapped=False)
    for word in ("net.ipv4.tcp_fin_timeout", "tcp_fin_timeout",
                 "net/ipv4/tcp_fin_timeout"):
        o = js("explain", word, "-j")
        check(o["current"] == "17", f"explain {word}: value of this netns")
        check(o["bounds"] == ["FIN_WAIT2"], "fin_timeout bounds FIN_WAIT2")
        check("TIME_WAIT" in o["myths"][0]["myth"], "its myth is TIME_WAIT")
    check(js("explain", "FIN_WAIT2", "-j")["timer_knob"]["current"] == "17",
          "explain FIN_WAIT2 shows the knob's value here")
    text = netns.run([SOCKSCOPE, "explain", "tcp_fin_timeout"]).stdout
    check(re.search(r"Current: +17\n", text) is not None, "table: current")
    with tempfile.TemporaryDirectory() as root:
        def put(rel, text):
            os.makedirs(os.path.dirname(f"{root}/{rel}"), exist_ok=True)
            with open(f"{root}/{rel}", "w") as f:
                f.write(text)
        put("proc/sys/kernel/osrelease", "4.9.0-old\n")
        put("proc/sys/net/ipv4/tcp_tw_reuse", "1\n")
        put("proc/sys/net/ipv4/tcp_tw_recycle", "1\n")
        put("proc/sys/net/ipv4/ip_local_port_range", "1024\t65000\n")
        o = js("explain", "tcp_tw_reuse", "-j", "--root", root)
        check(o["default"] == "0" and o["current"] == "1",
              f"4.9 fixture: tw_reuse default 0, current 1: {o}")
        o = js("explain", "tcp_tw_recycle", "-j", "--root", root)
        check(o["exists"] and o["current"] == "1", "recycle exists on 4.9")
        o = js("explain", "ip_local_port_range", "-j", "--root", root)
        check(o["current"] == "1024 65000", "whitespace folded")
        o = js("explain", "somaxconn", "-j", "--root", root)
        check(o["default"] == "128" and "current" not in o,
              "somaxconn default 128 on 4.9, unreadable in the fixture")
        put("proc/sys/kernel/osrelease", "6.1.0\n")
        o = js("explain", "tcp_tw_recycle", "-j", "--root", root)
        check(not o["exists"] and "default" not in o,
              "recycle gone on 6.1")
        check(js("explain", "somaxconn", "-j", "--root", root)["default"]
              == "4096", "somaxconn 4096 on 6.1")
        check(js("explain", "tcp_tw_reuse", "-j", "--root", root)["default"]
              == "2", "tw_reuse default 2 on 6.1")
        put("proc/sys/net/ipv4/tcp_tw_reuse_delay", "500\n")
        text = netns.run([SOCKSCOPE, "explain", "tcp_tw_reuse_delay",
                          "--root", root]).stdout
        check("backport" in text and re.search(r"Current: +500\n", text),
              f"a sysctl present before its version is shown: {text}")
        o = js("explain", "tcp_tw_reuse_delay", "-j", "--root", root)
        check(not o["exists"] and o["current"] == "500",
              "JSON: not expected on 6.1, read anyway")


def tw_on_port(port, reuse, n=3):
    """A listener on port (SO_REUSEADDR as given) whose accepted
    connections it closes first: n TIME_WAIT sockets on local port port.
    Returns the listener, still open."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, int(reuse))
    srv.bind(("127.0.0.1", port))
    srv.listen()
    for _ in range(n):
        cli = socket.create_connection(("127.0.0.1", port))
        peer, _ = srv.accept()
        peer.close()  # the server closes first: its side gets TIME_WAIT
        time.sleep(0.02)
        cli.close()
    for _ in range(100):
        tw = [o for o in js("-tan", "-j", "state", "time-wait",
                            "sport", "=", f":{port}")]
        if len(tw) == n:
            return srv
        time.sleep(0.05)
    netns.fail(f"{n} TIME_WAIT on :{port} did not appear")


def try_bind(port, reuse):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, int(reuse))
    try:
        s.bind(("127.0.0.1", port))
        return 0
    except OSError as e:
        return e.errno
    finally:
        s.close()


def check_port():
    port = 31001
    srv = tw_on_port(port, reuse=True)
    o = js("explain", "port", f":{port}", "-j")
    check(o["counts"].get("LISTEN") == 1 and o["counts"]["TIME_WAIT"] == 3,
          f"explain port counts {o['counts']}")
    lst = [s for s in o["sockets"] if s["state"] == "LISTEN"]
    check(len(lst) == 1 and {"name": lst[0]["process"][0]["name"],
                             "pid": lst[0]["process"][0]["pid"],
                             "fd": lst[0]["process"][0]["fd"]}
          == {"name": lst[0]["process"][0]["name"], "pid": os.getpid(),
              "fd": srv.fileno()},
          f"the listener's owner is this test: {lst}")
    check(all(not s["process"] for s in o["sockets"]
              if s["state"] == "TIME_WAIT"), "TIME_WAIT has no owner")
    check("listener" in o["bind"], "a listener blocks bind()")
    check("both" in o["bind_rule"]["text"] and "inet_bind_conflict"
          in o["bind_rule"]["source"], "the SO_REUSEADDR rule and source")
    text = netns.run([SOCKSCOPE, "explain", "port", str(port)]).stdout
    check(f"127.0.0.1:{port}" in text and f"pid={os.getpid()}" in text,
          "table lists the listener with its owner")
    # The listener gone, TIME_WAIT alone holds the port: the rule holds.
    srv.close()
    o = js("explain", "port", f":{port}", "-j")
    check("no listener" in o["bind"], f"no listener now: {o['bind']}")
    check(try_bind(port, reuse=True) == 0,
          "old and new socket both set SO_REUSEADDR: bind succeeds")
    check(try_bind(port, reuse=False) == errno.EADDRINUSE,
          "the new socket without SO_REUSEADDR: EADDRINUSE")
    # Old sockets without SO_REUSEADDR: the new one alone is not enough.
    port2 = 31002
    tw_on_port(port2, reuse=False).close()
    check(try_bind(port2, reuse=True) == errno.EADDRINUSE,
          "old TIME_WAIT without SO_REUSEADDR blocks even a REUSEADDR bind")
    cmd = o["kill"].get("time_wait", "")
    if not o["kill"]["time_wait_destroyable"]:
        check(cmd.startswith("none"), "no kill offered before Linux 6.0")
        return
    check(cmd == f"sockscope kill state time-wait sport = :{port}",
          f"scoped kill command: {cmd}")
    netns.run([SOCKSCOPE, *cmd.split()[1:], "--yes"])
    check(js("explain", "port", f":{port}", "-j")["counts"].get("TIME_WAIT")
          is None, "the suggested kill destroyed the TIME_WAIT sockets")
    check(try_bind(port, reuse=False) == 0, "then a plain bind() succeeds")


def check_moves():
    """Sockets moving during diagram --interval: matched by cookie."""
    port, n = 31003, 4
    # Slow under a wrapper (valgrind): the closes must fall between the
    # two samples.
    interval = 20 if netns.wrapper() else 2
    srv = socket.socket()
    srv.bind(("127.0.0.1", port))
    srv.listen()
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
    peers = [srv.accept()[0] for _ in range(n)]
    d = subprocess.Popen(netns.wrap([SOCKSCOPE, "diagram", "--interval",
                                     str(interval),
                                     "-j", "sport", "=", f":{port}", "or",
                                     "dport", "=", f":{port}"]),
                         stdout=subprocess.PIPE, text=True)
    time.sleep(interval * 0.4)
    for c in clients:
        c.close()  # active close: the clients end in TIME_WAIT
    time.sleep(0.2)
    for p in peers:
        p.close()  # passive close: LAST_ACK, then gone
    out, _ = d.communicate(timeout=30)
    check(d.returncode == 0, "diagram --interval exits 0")
    o = json.loads(out)
    moves = {(m["from"], m["to"]): m["count"] for m in o["moves"]}
    check(moves.get(("ESTABLISHED", "TIME_WAIT")) == n,
          f"{n} clients moved ESTABLISHED -> TIME_WAIT: {moves}")
    check(moves.get(("ESTABLISHED", "gone")) == n,
          f"{n} server sockets closed: {moves}")
    st = {s["name"]: s for s in o["states"]}
    check(st["ESTABLISHED"]["delta"] == -2 * n and
          st["TIME_WAIT"]["delta"] == n, f"deltas: {st}")
    srv.close()


def check_errors():
    for args, what in ((["explain", "bogus"], "bogus"),
                       (["explain", "all"], "all"),
                       (["explain", "net.ipv4.tcp_bogus"], "tcp_bogus"),
                       (["explain", "port", ":0"], ":0"),
                       (["explain", "port", ":70000"], ":70000"),
                       (["explain", "port"], "port"),
                       (["explain", "port", "x\x1b[31m"], "x\\x1b[31m")):
        r = netns.run([SOCKSCOPE, *args], check_rc=2)
        check(len(r.stderr.splitlines()) == 1 and what in r.stderr,
              f"{args}: one line naming {what!r}: {r.stderr!r}")
        check("\x1b" not in r.stderr, "escape bytes are escaped")
        check(r.stdout == "", f"{args}: nothing on stdout")


# The longest an orphan may wait (TCP_FIN_TIMEOUT_MAX): slow runs.
netns.run(["sysctl", "-qw", "net.ipv4.tcp_fin_timeout=120"], wrapped=False)
holder = start_holder()
keep = orphaned_fin_wait2(30999)
try:
    check_states()
finally:
    holder.stdin.close()
    holder.wait()
    for s in keep:
        s.close()
check_facts_json()
check_sysctls()
check_port()
check_moves()
check_errors()
netns.finish("test_explain")
