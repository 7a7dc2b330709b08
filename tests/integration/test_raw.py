#!/usr/bin/env python3
"""RAW sockets (-w) against real ones, compared with ss -w.

Run: test_raw.py SOCKSCOPE. Makes its own network namespace (netns.py).
Without raw_diag in the kernel both tools read /proc/net/raw{,6}; the rows
must agree either way.
"""
import os
import re
import socket
import sys
import tempfile

import netns

netns.enter()
SOCKSCOPE = sys.argv[1]
SS_STATE = {"ESTAB": "ESTABLISHED", "UNCONN": "UNCONN"}


def make_sockets():
    held = {}
    held["icmp"] = socket.socket(socket.AF_INET, socket.SOCK_RAW,
                                 socket.IPPROTO_ICMP)
    held["icmp_lo"] = socket.socket(socket.AF_INET, socket.SOCK_RAW,
                                    socket.IPPROTO_ICMP)
    held["icmp_lo"].bind(("127.0.0.1", 0))
    held["icmp6"] = socket.socket(socket.AF_INET6, socket.SOCK_RAW,
                                  socket.IPPROTO_ICMPV6)
    held["conn"] = socket.socket(socket.AF_INET, socket.SOCK_RAW, 253)
    held["conn"].connect(("127.0.0.2", 0))
    held["six"] = socket.socket(socket.AF_INET6, socket.SOCK_RAW, 253)
    held["six"].bind(("::1", 0))
    # An echo request on lo: both ICMP sockets queue it (Recv-Q).
    held["icmp"].sendto(b"\x08\x00\xf7\xff\x00\x00\x00\x00",
                        ("127.0.0.1", 0))
    return held


def norm(text):
    addr, _, port = text.rpartition(":")
    addr = addr.strip("[]")
    return ("*" if addr in ("*", "0.0.0.0", "::") else addr, port)


def table(argv):
    """(state, recv_q, send_q, local, peer) of each row."""
    out = netns.run(argv, wrapped=argv[0] == SOCKSCOPE).stdout
    rows = []
    for line in out.splitlines():
        f = line.split()
        if f and f[0] == "raw":
            f = f[1:]
        if f and f[0].isdigit():  # ss: one state selected, no State column
            f = ["ESTAB"] + f
        rows.append((SS_STATE.get(f[0], f[0]), int(f[1]), int(f[2]),
                     norm(f[3]), norm(f[4])))
    return sorted(rows)


def ours(*args):
    return netns.sockscope_json(SOCKSCOPE, *args)


def inode(s):
    return os.fstat(s.fileno()).st_ino


def test_same_as_ss():
    if not netns.have_ss():
        netns.skip("ss is not installed")
    for args in (["-w", "-a"], ["-w"], ["--raw", "-l"], ["-A", "raw", "-a"],
                 ["-wan"], ["-w", "-a", "-4"], ["-w", "-a", "-6"],
                 ["-w", "-a", "dst", "127.0.0.2"]):
        got = table([SOCKSCOPE, "-H", *args])
        want = table(netns.ss("-H", *args))
        netns.check(got and got == want,
                    f"{args}: rows as ss: ours={got} ss={want}")
    got = table([SOCKSCOPE, "-H", "-wa"])
    netns.check(("ESTABLISHED", 0, 0, ("127.0.0.1", "ipproto-253"),
                 ("127.0.0.2", "*")) in got and
                any(r[3] == ("127.0.0.1", "icmp") and r[1] > 0 for r in got),
                f"protocol names as ports, queued bytes: {got}")


def test_json(held):
    rows = {o["inode"]: o for o in ours("-wa")}
    netns.check(set(rows) == {inode(s) for s in held.values()},
                f"-wa lists exactly the RAW sockets: {rows}")
    c = rows.get(inode(held["conn"]), {})
    netns.check(c.get("netid") == "raw" and c.get("family") == "inet" and
                c.get("state") == "ESTABLISHED" and
                c.get("local") == {"addr": "127.0.0.1", "port": 253} and
                c.get("peer") == {"addr": "127.0.0.2", "port": 0},
                f"a connected RAW socket: {c}")
    s = rows.get(inode(held["six"]), {})
    netns.check(s.get("family") == "inet6" and
                s.get("local") == {"addr": "::1", "port": 253},
                f"an IPv6 RAW socket: {s}")
    netns.check(not any(o["netid"] == "raw" for o in ours("-a")),
                "no RAW rows by default")
    me = os.getpid()
    out = netns.run([SOCKSCOPE, "-wap"]).stdout
    fds = sorted(int(x) for x in
                 re.findall(rf'users:\(\("python3",pid={me},fd=(\d+)\)\)',
                            out))
    netns.check(fds == sorted(s.fileno() for s in held.values()),
                f"-p owners: {out}")


def test_summary_kill_save():
    s = ours("summary", "-w")
    netns.check(s.get("tables") == {"raw": 5},
                f"summary counts the RAW table: {s.get('tables')}")
    r = netns.run([SOCKSCOPE, "kill", "-w"], check_rc=2)
    netns.check("raw sockets" in r.stderr, f"kill refuses RAW: {r.stderr!r}")
    with tempfile.TemporaryDirectory() as d:
        r = netns.run([SOCKSCOPE, "-wa", "--save", os.path.join(d, "f")])
        proc = "--save: RAW sockets read from /proc/net/raw" in r.stderr
        loaded = netns.run([SOCKSCOPE, "-wa", "--load",
                            os.path.join(d, "f")]).stdout
        # Without raw_diag the rows come from /proc: not in the file, said.
        netns.check((proc and "ipproto-253" not in loaded) or
                    (not proc and "ipproto-253" in loaded),
                    f"--save keeps RAW rows or says why not: {r.stderr!r}")
        # Neither raw_diag nor a readable /proc/net/raw: one notice.
        r = netns.run([SOCKSCOPE, "-wa", "--root", d])
        if proc:
            netns.check(r.stderr.count("\n") == 1 and
                        "raw: the kernel has no raw_diag" in r.stderr and
                        f"{d}/proc/net/raw cannot be read" in r.stderr,
                        f"the notice when neither: {r.stderr!r}")
        else:
            netns.check("ipproto-253" in r.stdout, "raw_diag rows")


def main():
    held = make_sockets()
    test_same_as_ss()
    test_json(held)
    test_summary_kill_save()
    netns.finish("raw")


main()
