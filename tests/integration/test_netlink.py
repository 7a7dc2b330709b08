#!/usr/bin/env python3
"""NETLINK sockets (-A netlink, -f netlink) against real ones, compared
with ss -A netlink.

Run: test_netlink.py SOCKSCOPE. Makes its own network namespace (netns.py):
netlink_diag lists the sockets of the caller's namespace only (the kernel's
own ones there included).
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile

import netns

netns.enter()
SOCKSCOPE = sys.argv[1]
ROUTE, SOCK_DIAG, AUDIT, UEVENT, GENERIC = 0, 4, 9, 15, 16
PORT = 0x5C5C  # an explicit port id for the connected socket


def make_sockets():
    held = {}
    held["rtnl"] = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, ROUTE)
    held["rtnl"].bind((0, 0))  # autobound: the process id
    held["genl1"] = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  GENERIC)
    held["genl1"].bind((0, 0))
    held["genl"] = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, GENERIC)
    held["genl"].bind((0, 0))  # the second: a negative port id
    held["uevent"] = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM,
                                   UEVENT)
    held["uevent"].bind((0, 1))
    held["diag"] = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                 SOCK_DIAG)
    held["diag"].bind((PORT, 0))
    held["diag"].connect((0, 0))
    held["audit"] = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, AUDIT)
    held["audit"].bind((PORT + 1, 0))
    return held


def inode(s):
    return os.fstat(s.fileno()).st_ino


def ours(*args):
    return netns.sockscope_json(SOCKSCOPE, *args)


def rows(argv):
    """(state, recv_q, send_q, local, peer) of each row, without the sock_diag
    sockets of the listing tools themselves (their queues change)."""
    out = netns.run(argv, wrapped=argv[0] == SOCKSCOPE).stdout
    got = []
    for line in out.splitlines():
        f = line.split()
        if f and f[0] == "nl":
            f = f[1:]
        # ss leaves State out when the selection has one state only.
        if f and f[0].isdigit():
            f = ["UNCONN"] + f
        if len(f) < 5 or f[0] != "UNCONN":
            continue
        if re.match(r"(tcpdiag|4):", f[3]) and str(PORT) not in f[3]:
            continue
        got.append((f[0], int(f[1]), int(f[2]), f[3], f[4]))
    return sorted(got)


def test_same_as_ss(held):
    if not netns.have_ss():
        netns.skip("ss is not installed")
    for args in (["-A", "netlink", "-a"], ["-f", "netlink"],
                 ["-f", "netlink", "-l"], ["-A", "netlink", "-an"]):
        got = rows([SOCKSCOPE, "-H", *args])
        want = rows(netns.ss("-H", *args))
        netns.check(got and got == want,
                    f"{args}: rows as ss: ours={got} ss={want}")
    # Port conditions compare the port id (dport: -1), as ss's do.
    for cond in (["sport", "=", ":0"], ["sport", ">", ":0"],
                 ["dport", "<", ":0"], ["dport", "=", ":0"],
                 ["sport", "=", f":{os.getpid()}"], ["sport", "!=", ":0"]):
        got = rows([SOCKSCOPE, "-H", "-A", "netlink", "-a", *cond])
        want = rows(netns.ss("-H", "-A", "netlink", "-a", *cond))
        netns.check(got == want and (got or cond[0] == "dport"),
                    f"{cond}: rows as ss: ours={got} ss={want}")
    # ss (6.1 to 7.1) lists none for -A netlink without -a (its default
    # states come from -f only); sockscope lists them as for -f netlink.
    me = os.getpid()
    got = rows([SOCKSCOPE, "-H", "-A", "netlink"])
    netns.check(got == rows([SOCKSCOPE, "-H", "-f", "netlink"]),
                "-A netlink lists what -f netlink lists")
    for text in (f"rtnl:python3/{me}", "rtnl:kernel", "uevent:kernel",
                 f"tcpdiag:{PORT}"):
        netns.check(any(r[3] == text for r in got), f"a {text} row: {got}")
    netns.check(any(r[3] == f"tcpdiag:{PORT}" and r[4] == "0:0"
                    for r in got), f"a connected socket's peer: {got}")
    del held


def table_rows(argv):
    """(netid, local, peer) of each row, the listing tools' own sock_diag
    sockets left out."""
    out = netns.run(argv, wrapped=argv[0] == SOCKSCOPE).stdout
    got = []
    for line in out.splitlines():
        f = line.split()
        if len(f) < 6 or re.match(r"(tcpdiag|4):", f[4]) and \
                str(PORT) not in f[4]:
            continue
        # A listener's peer: sockscope writes "*:*" where ss writes the
        # wildcard address of its family (a difference of its own).
        got.append((f[0], f[4], re.sub(r"^(0\.0\.0\.0|\[::\]):\*$", "*:*",
                                       f[5])))
    return sorted(got)


def test_table_and_family(held):
    """-t -f netlink lists TCP and NETLINK sockets, as ss does (its
    filter_merge_defaults: a family named without its tables adds them);
    -t -6 -f netlink the IPv6 TCP ones only and NETLINK."""
    if not netns.have_ss():
        netns.skip("ss is not installed")
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen()
    cli = socket.create_connection(lst.getsockname())
    srv, _ = lst.accept()
    try:
        for args in (["-t", "-f", "netlink"], ["-ta", "-f", "netlink"],
                     ["-t", "-6", "-f", "netlink"],
                     ["-f", "netlink", "-t", "-n"]):
            got = table_rows([SOCKSCOPE, "-H", *args])
            want = table_rows(netns.ss("-H", *args))
            netids = {r[0] for r in got}
            netns.check(got == want and "nl" in netids and
                        ("tcp" in netids) == ("-6" not in args),
                        f"{args}: rows as ss: ours={got} ss={want}")
    finally:
        for s in (cli, srv, lst):
            s.close()
    del held


def test_predicates_as_ss(held):
    """A predicate a family has no notion of is false for its rows, and
    autobound is each family's own, as in ss: the same rows for UNIX,
    PACKET and NETLINK sockets."""
    if not netns.have_ss():
        netns.skip("ss is not installed")
    tmp = tempfile.mkdtemp()
    pair = socket.socketpair()
    named = socket.socket(socket.AF_UNIX)
    named.bind(os.path.join(tmp, "n.sock"))
    named.listen()
    auto = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    auto.bind("")  # autobind: "@" and five hex digits
    pkts = [socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0),
            socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM,
                          socket.htons(0x0800))]
    try:
        for table in (["-xa"], ["-0a"], ["-A", "netlink", "-a"]):
            for cond in (["autobound"], ["not", "autobound"],
                         ["dport", "=", ":80"], ["src", "127.0.0.1"],
                         ["not", "src", "127.0.0.1"], ["src", "*"],
                         ["dev", "0"], ["fwmark", "0"]):
                if table == ["-0a"] and "127.0.0.1" in cond:
                    continue  # ss -0 reads no IPv4 address (below)
                argv = ["-H", *table, *cond]
                # sockscope spells ESTABLISHED out (ss: ESTAB)
                got = sorted(" ".join(line.split()).replace(
                    "ESTABLISHED", "ESTAB") for line in netns.run(
                    [SOCKSCOPE, *argv]).stdout.splitlines()
                    if "tcpdiag" not in line)
                want = sorted(" ".join(line.split()) for line in netns.run(
                    netns.ss(*argv), wrapped=False).stdout.splitlines()
                    if "tcpdiag" not in line)
                netns.check(got == want,
                            f"{argv}: rows as ss: ours={got} ss={want}")
        none = netns.run([SOCKSCOPE, "-H", "-0a", "src", "127.0.0.1"]).stdout
        every = netns.run([SOCKSCOPE, "-H", "-0a", "not", "src",
                           "127.0.0.1"]).stdout
        netns.check(none == "" and len(every.splitlines()) == 2,
                    f"-0: an address matches no packet socket: {none!r} "
                    f"{every!r}")
        auto_rows = netns.run([SOCKSCOPE, "-H", "-xa", "autobound"]).stdout
        netns.check(re.search(r"@[0-9a-f]{5} ", auto_rows) is not None and
                    "n.sock" not in auto_rows,
                    f"autobound: the autobind name, not the path: "
                    f"{auto_rows}")
    finally:
        for s in (*pair, named, auto, *pkts):
            s.close()
        shutil.rmtree(tmp)
    del held


def test_json(held):
    me = os.getpid()
    by_ino = {o["inode"]: o for o in ours("-A", "netlink")}
    r = by_ino.get(inode(held["rtnl"]), {})
    netns.check(r.get("netid") == "nl" and r.get("family") == "netlink" and
                r.get("state") == "UNCONN" and
                r.get("local") == {"protocol": 0, "proto": "rtnl",
                                   "portid": me} and "peer" not in r,
                f"an rtnl socket: {r}")
    g = by_ino.get(inode(held["genl"]), {})
    netns.check(g.get("local", {}).get("portid", 0) < 0,
                f"a second autobound port id is negative: {g}")
    d = by_ino.get(inode(held["diag"]), {})
    netns.check(d.get("local", {}).get("portid") == PORT and
                d.get("peer") == {"group": 0, "portid": 0},
                f"a connected sock_diag socket: {d}")
    a = by_ino.get(inode(held["audit"]), {})
    # XFRM is protocol 6: still UNCONN, not TCP's CLOSE.
    netns.check(all(o["state"] == "UNCONN" for o in by_ino.values()),
                "every netlink socket is UNCONN")
    netns.check(a.get("local", {}).get("proto") == "audit", f"audit: {a}")
    kernel = [o for o in by_ino.values() if o["local"]["portid"] == 0]
    netns.check(len(kernel) >= 3, f"the kernel's sockets: {kernel}")
    netns.check(not any(o["family"] == "netlink" for o in ours("-a")),
                "no netlink rows by default")
    netns.check(any(o["family"] == "netlink" for o in ours("-A", "all")),
                "-A all includes netlink")
    mine = {o["inode"] for o in ours("-A", "netlink", "pid", str(me))}
    netns.check(mine == {inode(s) for s in held.values()},
                f"pid selects this process's netlink sockets: {mine}")


def test_processes(held):
    me = os.getpid()
    out = netns.run([SOCKSCOPE, "-A", "netlink", "-p"]).stdout
    fd = held["rtnl"].fileno()
    netns.check(re.search(rf'rtnl:python3/{me} .*users:\(\("python3",'
                          rf'pid={me},fd={fd}\)\)', out) is not None,
                f"-p: the owner (beyond ss, which shows none): {out}")


def test_summary_kill_numeric():
    s = ours("summary", "-A", "netlink")
    n = len(ours("-A", "netlink"))
    netns.check(abs(s.get("tables", {}).get("netlink", -99) - n) <= 1,
                f"summary counts the netlink table: {s.get('tables')} ~ {n}")
    # The total and the headline count the selected table, not TCP+UDP.
    netns.check(s.get("total") == s.get("tables", {}).get("netlink") and
                "tcp" not in s, f"summary's total is the netlink table's: "
                f"{s.get('total')} vs {s.get('tables')}")
    out = netns.run([SOCKSCOPE, "summary", "-A", "netlink"]).stdout
    m = re.match(r"Sockets: (\d+) \(netlink (\d+)\)\n", out)
    netns.check(m is not None and m[1] == m[2] and abs(int(m[1]) - n) <= 1,
                f"the headline counts the netlink table: {out[:80]!r} ~ {n}")
    # No section about TCP and UDP (nor UNIX's listeners) without them.
    netns.check(not re.search(r"^(Kernel totals|Listening|Remote host|"
                              r"TIME_WAIT per)", out, re.M) and
                not {"kernel", "listeners", "unix_listeners",
                     "remote_hosts", "time_wait_tuples"} & set(s),
                f"summary -A netlink: no TCP/UDP sections: {out} {s}")
    r = netns.run([SOCKSCOPE, "kill", "-A", "netlink"], check_rc=2)
    netns.check("netlink sockets" in r.stderr and "cannot destroy" in
                r.stderr, f"kill refuses netlink sockets: {r.stderr!r}")
    out = netns.run([SOCKSCOPE, "-f", "netlink", "-n"]).stdout
    netns.check(re.search(rf"\b4:{PORT}\s+0:0\b", out) is not None and
                "kernel" not in out, f"-n: numbers only: {out}")


def test_hostile_comm():
    """A process name is printed escaped."""
    code = ("import socket,sys\n"
            "open('/proc/self/comm','w').write('e\\x1bv')\n"
            "s=socket.socket(socket.AF_NETLINK,socket.SOCK_RAW,0)\n"
            "s.bind((0,0))\n"
            "print('ready',flush=True)\n"
            "sys.stdin.read()\n")
    child = subprocess.Popen([sys.executable, "-c", code],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True)
    try:
        netns.check(child.stdout.readline().strip() == "ready",
                    "the child made its socket")
        out = netns.run([SOCKSCOPE, "-A", "netlink"]).stdout
        netns.check(f"rtnl:e\\x1bv/{child.pid}" in out and "\x1b" not in out,
                    f"a process name is escaped: {out!r}")
    finally:
        child.stdin.close()
        child.wait()


def test_save_load():
    me = os.getpid()
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"),
                        f"sockscope-netlink-{me}.dump")
    try:
        netns.run([SOCKSCOPE, "-A", "netlink", "--save", path])
        out = netns.run([SOCKSCOPE, "-A", "netlink", "--load", path]).stdout
        netns.check(f"rtnl:{me} " in out and "python3/" not in out and
                    "rtnl:kernel" in out,
                    f"--load: port ids, no live process names: {out}")
    finally:
        if os.path.exists(path):
            os.unlink(path)


def main():
    held = make_sockets()
    test_same_as_ss(held)
    test_table_and_family(held)
    test_predicates_as_ss(held)
    test_json(held)
    test_processes(held)
    test_summary_kill_numeric()
    test_hostile_comm()
    test_save_load()
    netns.finish("netlink")


main()
