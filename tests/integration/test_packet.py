#!/usr/bin/env python3
"""PACKET sockets (-0) against real ones, compared with ss -0.

Run: test_packet.py SOCKSCOPE. Makes its own network namespace (netns.py):
packet_diag lists the sockets of the caller's namespace only, so the rows
are exactly the ones made here.
"""
import os
import re
import socket
import sys

import netns

netns.enter()
SOCKSCOPE = sys.argv[1]
ETH_P_ALL, ETH_P_IP, ETH_P_IPV6 = 0x0003, 0x0800, 0x86DD


def make_sockets():
    """Both types, bound to lo and unbound, several EtherTypes."""
    held = {}
    held["raw_all"] = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                    socket.htons(ETH_P_ALL))
    held["dgr_ip_lo"] = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM,
                                      socket.htons(ETH_P_IP))
    held["dgr_ip_lo"].bind(("lo", ETH_P_IP))
    held["raw_none"] = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    held["dgr_v6_lo"] = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM,
                                      socket.htons(ETH_P_IPV6))
    held["dgr_v6_lo"].bind(("lo", ETH_P_IPV6))
    held["raw_odd"] = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                    socket.htons(0x1234))
    held["raw_ip_lo"] = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                      socket.htons(ETH_P_IP))
    held["raw_ip_lo"].bind(("lo", ETH_P_IP))
    # Traffic on lo, never read: the IP sockets on lo queue it (Recv-Q).
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(3):
        u.sendto(b"z" * 200, ("127.0.0.1", 9))
    u.close()
    return held


def inode(s):
    return os.fstat(s.fileno()).st_ino


def ours(*args):
    return netns.sockscope_json(SOCKSCOPE, *args)


def table_rows(argv, one=None):
    """(netid, state, recv_q, send_q, local, peer) of each p_* row."""
    rows = []
    for line in netns.run(argv, wrapped=argv[0] == SOCKSCOPE).stdout \
            .splitlines():
        f = line.split()
        if one:  # ss leaves Netid out when one table shows
            f = [one] + f
        if not f or f[0] not in ("p_raw", "p_dgr"):
            continue
        # ss leaves State out when the selection has one state only.
        if f[1] != "UNCONN":
            f = f[:1] + ["UNCONN"] + f[1:]
        rows.append((f[0], f[1], int(f[2]), int(f[3]), f[4], f[5]))
    return sorted(rows)


def test_same_as_ss():
    if not netns.have_ss():
        netns.skip("ss is not installed")
    for args in (["-0", "-a"], ["-0"], ["-0", "-l"], ["-0", "-an"],
                 ["--packet", "-a"], ["-f", "link", "-a"],
                 ["-A", "packet", "-a"]):
        got = table_rows([SOCKSCOPE, "-H", *args])
        want = table_rows(netns.ss("-H", *args))
        netns.check(got and got == want,
                    f"{args}: rows as ss: ours={got} ss={want}")
    # Port conditions compare the interface index (dport: 0), as ss's.
    for cond in (["sport", "=", ":0"], ["sport", "=", ":1"],
                 ["sport", ">", ":0"], ["dport", "=", ":0"],
                 ["dport", ">", ":0"], ["sport", "!=", ":1"]):
        got = table_rows([SOCKSCOPE, "-H", "-0a", *cond], None)
        want = table_rows(netns.ss("-H", "-0a", *cond), None)
        netns.check(got == want and (got or cond[1] == ">"),
                    f"-0a {cond}: rows as ss: ours={got} ss={want}")
    # ss (6.1 to 7.1) lists both types for either -A name (it never checks
    # the type); sockscope lists the one named: ss -0's rows of that type.
    both = table_rows(netns.ss("-H", "-0a"))
    for query, netid in (("packet_raw", "p_raw"), ("packet_dgram", "p_dgr")):
        got = table_rows([SOCKSCOPE, "-H", "-A", query, "-a"], netid)
        want = [r for r in both if r[0] == netid]
        netns.check(got and got == want,
                    f"-A {query}: ss -0's {netid} rows: {got} vs {want}")
    # Recv-Q is the queued memory: the bound IP sockets saw the traffic.
    q = [r for r in table_rows([SOCKSCOPE, "-H", "-0a"]) if r[4] == "ip:lo"]
    netns.check(len(q) == 2 and all(r[2] > 0 for r in q),
                f"Recv-Q of the sockets that queued packets: {q}")


def test_json(held):
    rows = {o["inode"]: o for o in ours("-0a")}
    netns.check(set(rows) == {inode(s) for s in held.values()},
                f"-0a lists exactly the packet sockets: {sorted(rows)}")
    d = rows.get(inode(held["dgr_ip_lo"]), {})
    netns.check(d.get("netid") == "p_dgr" and d.get("family") == "packet"
                and d.get("state") == "UNCONN" and d.get("dev") == "lo"
                and d.get("ifindex") == socket.if_nametoindex("lo")
                and d.get("local") == {"ethertype": ETH_P_IP, "proto": "ip"},
                f"a dgram socket bound to lo: {d}")
    r = rows.get(inode(held["raw_all"]), {})
    netns.check(r.get("netid") == "p_raw" and "dev" not in r and
                r.get("local") == {"ethertype": ETH_P_ALL, "proto": "*"},
                f"an unbound ETH_P_ALL raw socket: {r}")
    o = rows.get(inode(held["raw_odd"]), {})
    netns.check(o.get("local") == {"ethertype": 0x1234, "proto": "[4660]"},
                f"an unnamed EtherType: {o}")
    # Default selection stays TCP and UDP: no packet row without -0.
    netns.check(not any(x["family"] == "packet" for x in ours("-a")),
                "no packet rows by default")
    netns.check(any(x["family"] == "packet" for x in ours("-A", "all")),
                "-A all includes the packet tables")
    netns.check(not any(x["family"] == "packet"
                        for x in ours("-0", "state", "established")),
                "packet sockets are never established")
    netns.check({x["inode"] for x in ours("-0a", "pid", str(os.getpid()))}
                == set(rows), "the owner predicates work on packet sockets")
    netns.check(ours("-0a", "src", "127.0.0.1") == [],
                "an inet address selects no packet socket")


def test_processes(held):
    me = os.getpid()
    rows = {o["inode"]: o for o in ours("-0ap")}
    for name, s in held.items():
        o = rows.get(inode(s), {})
        netns.check(o.get("process") == [{"name": "python3", "pid": me,
                                          "fd": s.fileno()}]
                    or any(p["pid"] == me and p["fd"] == s.fileno()
                           for p in o.get("process", [])),
                    f"{name}: its owner: {o.get('process')}")
    if netns.have_ss():
        def procs(argv):
            out = netns.run(argv, wrapped=argv[0] == SOCKSCOPE).stdout
            return sorted(re.findall(r'users:\(\(.*?\)\)', out))

        got = procs([SOCKSCOPE, "-H", "-0ap"])
        netns.check(got and got == procs(netns.ss("-H", "-0ap")),
                    f"-p owners as ss: {got}")


def test_summary_and_kill():
    s = ours("summary", "-0")
    netns.check(s.get("tables") == {"packet_raw": 4, "packet_dgram": 2},
                f"summary counts each packet table: {s.get('tables')}")
    prom = netns.run([SOCKSCOPE, "summary", "-0", "--format",
                      "prometheus"]).stdout
    netns.check('sockscope_table_sockets{table="packet_raw"} 4\n' in prom and
                'sockscope_table_sockets{table="packet_dgram"} 2\n' in prom,
                f"Prometheus: a series per packet table: {prom}")
    out = netns.run([SOCKSCOPE, "summary", "-A", "packet_dgram"]).stdout
    netns.check(re.search(r"^packet_dgram +2$", out, re.M) is not None,
                f"summary's table line: {out}")
    r = netns.run([SOCKSCOPE, "kill", "-0"], check_rc=2)
    netns.check("packet sockets" in r.stderr and "cannot destroy" in
                r.stderr and len(r.stderr.splitlines()) == 1,
                f"kill refuses packet sockets in one line: {r.stderr!r}")
    r = netns.run([SOCKSCOPE, "watch", "-A", "packet"], check_rc=2)
    netns.check("the kernel reports no PACKET socket closing" in r.stderr,
                f"watch refuses packet sockets: {r.stderr!r}")
    # top lists them, as the listing (test_top_families.py compares).
    out = netns.run([SOCKSCOPE, "top", "-b", "--iterations", "1", "-A",
                     "packet"]).stdout
    netids = [line.split()[0] for line in out.splitlines()
              if line.startswith(("p_raw ", "p_dgr "))]
    netns.check(sorted(netids) == ["p_dgr"] * 2 + ["p_raw"] * 4,
                f"top -A packet lists the packet sockets: {out}")


def test_save_load(held):
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"),
                        f"sockscope-packet-{os.getpid()}.dump")
    try:
        live = netns.run([SOCKSCOPE, "-0a", "--save", path]).stdout
        loaded = netns.run([SOCKSCOPE, "-0a", "--load", path]).stdout
        netns.check(live == loaded and "ip:lo" in loaded,
                    f"--load shows what --save saw: {loaded}")
    finally:
        if os.path.exists(path):
            os.unlink(path)
    del held


def main():
    held = make_sockets()
    test_same_as_ss()
    test_json(held)
    test_processes(held)
    test_summary_and_kill()
    test_save_load(held)
    netns.finish("packet")


main()
