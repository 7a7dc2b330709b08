#!/usr/bin/env python3
"""The Prometheus output keeps its contract (sockscope(8), PROMETHEUS):

- every metric emitted is documented in the man page with its type, and
  every documented metric is emitted by the listing, summary or advise;
- every state of every listed protocol and family is present, 0 when empty;
- advice severity is the sample's value (0-3) under the one label rule,
  one series per rule, agreeing with advise's JSON;
- nothing node_exporter's default collectors export is written again;
- per-listener series exist for every listener, 0 included, and a
  listener with backlog 0 and a queued connection is full;
- promtool check metrics accepts every output.
Usage: test_prometheus.py SOCKSCOPE SOURCE_ROOT"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402

binary, root = sys.argv[1], sys.argv[2]

# node_exporter exports these (sockstat collector, netstat collector's
# default fields); a sockscope metric that carries them is a duplicate.
DUPLICATES = ("inuse", "listen_overflows", "listen_drops", "active_opens",
              "passive_opens", "retrans", "orphan_sockets", "memory_bytes",
              "kernel_tcp_sockets")


def samples(text):
    """{name: type} from # TYPE lines, [(name, labels dict, value)]."""
    types = dict(re.findall(r"^# TYPE (\S+) (\S+)$", text, re.M))
    out = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r'^([a-z_]+)(?:\{(.*)\})? (\S+)$', line)
        netns.check(m, f"a well-formed sample: {line!r}")
        if not m:
            continue
        labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        out.append((m.group(1), labels, float(m.group(3))))
    return types, out


def documented():
    """{name: type} from the man page's PROMETHEUS section."""
    scd = open(f"{root}/man/sockscope.8.d/50-summary.scd").read()
    sec = scd[scd.index("# PROMETHEUS"):scd.index("## Textfile collector")]
    docs = {}
    for line in sec.splitlines():
        if not line.startswith("*sockscope_"):
            continue
        kind = re.search(r"\((gauge|counters?)[,)]", line)
        netns.check(kind, f"the man page gives a type: {line!r}")
        for name in re.findall(r"\*(sockscope_[a-z_]+)", line):
            docs[name] = "counter" if kind and kind.group(1).startswith(
                "counter") else "gauge"
    return docs


def promtool_ok(text, what):
    if not shutil.which("promtool"):
        netns.skip("promtool (Debian package prometheus) is not installed")
    r = subprocess.run(["promtool", "check", "metrics"], input=text,
                       capture_output=True, text=True)
    netns.check(r.returncode == 0,
                f"promtool check metrics on {what}: {r.stdout}{r.stderr}")


def check_unix():
    """UNIX tables: every state of every type, counts as the listing's."""
    a, b = socket.socketpair()
    lst = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    lst.bind("\0sockscope-prom-listener")
    lst.listen(4)
    dg = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    dg.bind("\0sockscope-prom-dgram")
    text = netns.run([binary, "-xa", "--format", "prometheus"]).stdout
    promtool_ok(text, "list -xa")
    got = {(lb["netid"], lb["state"]): v
           for n, lb, v in samples(text)[1]
           if n == "sockscope_selected_sockets" and lb["family"] == "unix"}
    netns.check(len(got) == 3 * 4, f"3 UNIX types x 4 states: {got}")
    want = {}
    for row in netns.sockscope_json(binary, "-xa"):
        key = (row["netid"], {"ESTAB": "established", "LISTEN": "listen",
                              "UNCONN": "unconn"}.get(row["state"],
                                                       row["state"].lower()))
        want[key] = want.get(key, 0) + 1
    netns.check(all(got.get(k) == v for k, v in want.items()) and
                sum(got.values()) == sum(want.values()) and want,
                f"UNIX counts as -xa -j lists them: {got} vs {want}")
    netns.check(got.get(("u_str", "listen")) == 1 and
                got.get(("u_dgr", "unconn"), 0) >= 1 and
                got.get(("u_seq", "established")) == 0,
                f"a listener, a bound dgram, an empty type at 0: {got}")
    text = netns.run([binary, "summary", "-x", "--format",
                      "prometheus"]).stdout
    promtool_ok(text, "summary -x")
    names = {(n, lb.get("netid")) for n, lb, _ in samples(text)[1]}
    netns.check(("sockscope_sockets", "u_str") in names and
                ("sockscope_sockets", "tcp") not in names,
                f"summary -x writes the UNIX tables read, not TCP: {names}")
    for s in (a, b, lst, dg):
        s.close()


def check_other_tables():
    """Rows of the other families are never counted as TCP or UDP: a
    NETLINK_XFRM socket's protocol is 6, a PACKET dgram's type 2."""
    xfrm = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 6)
    xfrm.bind((0, 0))
    pkt = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, 0)
    text = netns.run([binary, "-a", "-A", "inet,unix,netlink,packet",
                      "--format", "prometheus"]).stdout
    got = {}
    for n, lb, v in samples(text)[1]:
        if n == "sockscope_selected_sockets":
            got[lb["netid"]] = got.get(lb["netid"], 0) + v
    want = {}
    for row in netns.sockscope_json(binary, "-a", "-A", "inet,unix"):
        want[row["netid"]] = want.get(row["netid"], 0) + 1
    netns.check(all(got.get(k, 0) == want.get(k, 0) for k in got) and
                any(r["netid"] == "nl" and r["local"]["protocol"] == 6
                    for r in netns.sockscope_json(binary, "-a", "-A",
                                                  "netlink")),
                f"the series count inet and UNIX rows only: {got} vs "
                f"{want}")
    xfrm.close()
    pkt.close()


def check_listed_tables():
    """The listing counts PACKET, NETLINK, MPTCP and RAW sockets too:
    sockscope_selected_table_sockets{table}, each as the listing of that
    table has rows, 0 when empty."""
    subprocess.run(["sysctl", "-q", "net.mptcp.enabled=1"], check=False)
    try:
        mp = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
    except OSError as e:
        netns.skip(f"no MPTCP sockets here: {e}")
    mp.bind(("127.0.0.1", 7010))
    mp.listen(1)
    held = [mp,
            socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0),
            socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, 0),
            socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, 0),
            socket.socket(socket.AF_INET, socket.SOCK_RAW,
                          socket.IPPROTO_ICMP),
            socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)]
    held[-1].bind((0, 0))
    tables = ("packet_raw", "packet_dgram", "netlink", "mptcp", "raw")
    text = netns.run([binary, "-a", "-A", ",".join(tables), "--format",
                      "prometheus"]).stdout
    promtool_ok(text, "list -A packet,netlink,mptcp,raw")
    got = {lb["table"]: v for n, lb, v in samples(text)[1]
           if n == "sockscope_selected_table_sockets"}
    want = {t: len(netns.sockscope_json(binary, "-a", "-A", t))
            for t in tables}
    netns.check(got == want and want["packet_raw"] == 1 and
                want["packet_dgram"] == 2 and want["mptcp"] == 1 and
                want["raw"] == 1 and want["netlink"] >= 1,
                f"a series per table, as the listing counts: {got} vs "
                f"{want}")
    text = netns.run([binary, "-l", "-A", "mptcp", "--format",
                      "prometheus"]).stdout
    got = {lb["table"]: v for n, lb, v in samples(text)[1]
           if n == "sockscope_selected_table_sockets"}
    netns.check(got == {"mptcp": 1},
                f"only the tables selected: {got}")
    text = netns.run([binary, "-a", "-A", "packet", "--format",
                      "prometheus", "dev", "lo"]).stdout
    got = {lb["table"]: v for n, lb, v in samples(text)[1]
           if n == "sockscope_selected_table_sockets"}
    netns.check(got == {"packet_raw": 0, "packet_dgram": 0},
                f"an empty table (filter dev lo) is 0, not absent: {got}")
    for s in held:
        s.close()


def main():
    netns.enter()
    check_other_tables()
    check_listed_tables()
    # A listener with backlog 0 and one queued connection (full), another
    # with room, connections from ephemeral ports to one destination (a
    # tuple), and a UDP socket.
    full = socket.socket()
    full.bind(("127.0.0.1", 7001))
    full.listen(0)
    queued = socket.create_connection(("127.0.0.1", 7001))
    roomy = socket.socket()
    roomy.bind(("127.0.0.1", 7002))
    roomy.listen(16)
    clients = [socket.create_connection(("127.0.0.1", 7002))
               for _ in range(5)]
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 5353))

    outs = {
        "list": netns.run([binary, "-t4", "--format", "prometheus"]).stdout,
        "list -A all": netns.run([binary, "-a", "-A", "all", "--format",
                                  "prometheus"]).stdout,
        "summary": netns.run([binary, "summary", "--format",
                              "prometheus"]).stdout,
        # The tables beyond TCP, UDP and UNIX (sockscope_table_sockets).
        "summary -0": netns.run([binary, "summary", "-0", "-A", "netlink",
                                 "--format", "prometheus"]).stdout,
        "advise": netns.run([binary, "advise", "--interval", "0", "--format",
                             "prometheus"], check_rc=None).stdout,
        # Every namespace (issue 19), in a PID namespace of its own: its
        # /proc shows no process of the host's, so no namespace either.
        "summary --all-netns": netns.run([
            "unshare", "-p", "-f", "--mount-proc", binary, "summary",
            "--all-netns", "--format", "prometheus"]).stdout,
        # tcp_max_orphans is host-wide: a namespace has no file for it,
        # the fixture tree has.
        "summary --root": netns.run([
            binary, "summary", "--root",
            f"{root}/tests/fixtures/advice-base", "--format",
            "prometheus"]).stdout,
    }
    docs = documented()
    netns.check(len(docs) >= 15, f"the man page documents the metrics: "
                f"{sorted(docs)}")
    emitted = {}
    parsed = {}
    for what, text in outs.items():
        promtool_ok(text, what)
        types, ss = samples(text)
        parsed[what] = ss
        for name, kind in types.items():
            emitted[name] = kind
            netns.check(docs.get(name) == kind,
                        f"{what}: {name} ({kind}) is documented as such: "
                        f"{docs.get(name)}")
        for name, _, _ in ss:
            netns.check(name in types, f"{what}: {name} has a # TYPE line")
    for name in docs:
        netns.check(name in emitted, f"documented {name} is emitted")
    for name in emitted:
        netns.check(not any(d in name for d in DUPLICATES),
                    f"{name} does not repeat node_exporter")

    # Every state, 0 included: 11 TCP states and 2 UDP ones per family.
    socks = [(lb, v) for n, lb, v in parsed["summary"]
             if n == "sockscope_sockets"]
    netns.check(len(socks) == 2 * 11 + 2 * 2,
                f"every protocol/family/state present: {len(socks)}")
    netns.check(all(set(lb) == {"netid", "family", "state"}
                    for lb, _ in socks), "fixed label set")
    zero = [lb for lb, v in socks
            if lb["netid"] == "tcp" and lb["state"] == "closing"]
    netns.check(zero and all(v == 0 for lb, v in socks
                             if lb["state"] == "closing"),
                f"an empty state is 0: {zero}")
    est = sum(v for lb, v in socks if lb["netid"] == "tcp"
              and lb["family"] == "inet" and lb["state"] == "established")
    netns.check(est == 12, f"12 ESTABLISHED (6 pairs): {est}")
    sel = [(lb, v) for n, lb, v in parsed["list"]
           if n == "sockscope_selected_sockets"]
    netns.check(len(sel) == 11 and all(lb["family"] == "inet" and
                                       lb["netid"] == "tcp" for lb, _ in sel),
                f"-t4: the 11 TCP states of inet only: {sel}")
    netns.check("sockscope_sockets" not in {n for n, _, _ in parsed["list"]},
                "the listing's selection has its own name")

    # Severity as a value, one series per rule.
    rep = json.loads(netns.run([binary, "advise", "--interval", "0", "-j"],
                               check_rc=None).stdout)
    sev = {"none": 0, "info": 1, "warning": 2, "critical": 3}
    fired = {}
    for a in rep["advice"]:
        fired[a["rule"]] = max(fired.get(a["rule"], 0), sev[a["severity"]])
    adv = [(lb, v) for n, lb, v in parsed["advise"]
           if n == "sockscope_advice_severity"]
    netns.check(len(adv) >= 15 and all(set(lb) == {"rule"} for lb, _ in adv),
                f"one series per rule, label rule only: {adv}")
    netns.check(len({lb["rule"] for lb, _ in adv}) == len(adv),
                "each rule once")
    for lb, v in adv:
        netns.check(v == fired.get(lb["rule"], 0),
                    f"{lb['rule']}: severity {v} = advise -j's "
                    f"{fired.get(lb['rule'], 0)}")

    # Listeners: every one, the full one at 1.
    fill = {lb["port"]: v for n, lb, v in parsed["summary"]
            if n == "sockscope_listen_queue_fill_ratio"}
    netns.check(fill.get("7001") == 1.0,
                f"backlog 0 with a queued connection is full: {fill}")
    netns.check(abs(fill.get("7002", 0) - 5 / 17) < 1e-6,
                f"5 queued where 16 + 1 fit: {fill}")
    for _ in clients:
        roomy.accept()[0].close()
    again = samples(netns.run([binary, "summary", "--format",
                               "prometheus"]).stdout)[1]
    fill = {lb["port"]: v for n, lb, v in again
            if n == "sockscope_listen_queue_fill_ratio"}
    netns.check(fill.get("7002") == 0.0,
                f"an empty queue is still there, at 0: {fill}")
    tup = [lb for n, lb, v in parsed["summary"]
           if n == "sockscope_tuple_ports_ratio" and v > 0]
    netns.check(any(lb["dst"] == "127.0.0.1" and lb["port"] == "7002"
                    for lb in tup), f"the tuple to :7002 is there: {tup}")

    check_unix()
    for s in clients + [queued, full, roomy, udp]:
        s.close()
    netns.finish("prometheus")


if __name__ == "__main__":
    main()
