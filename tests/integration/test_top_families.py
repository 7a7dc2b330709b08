#!/usr/bin/env python3
"""top lists every family the listing lists (-x, -0, -A netlink, -t -x):
the same sockets with the same endpoint text as `sockscope -a`.

Run: test_top_families.py SOCKSCOPE. Makes its own network namespace
(netns.py): unix_diag, packet_diag and netlink_diag list the sockets of the
caller's namespace only, so the rows are the ones made here (and the
kernel's netlink sockets, and the tools' own sock_diag ones, left out).
"""
import json
import os
import re
import shutil
import socket
import sys
import tempfile

import netns
from topfix import table_rows

netns.enter()
SOCKSCOPE = sys.argv[1]
TMP = tempfile.mkdtemp(prefix="sockscope-topfam-")
PATH = os.path.join(TMP, "srv.sock")
DPATH = os.path.join(TMP, "dg.sock")
STATES = {"ESTAB", "LISTEN", "UNCONN", "SYN-SENT", "CLOSE-WAIT", "TIME-WAIT",
          "ESTABLISHED", "SYN_SENT", "CLOSE_WAIT", "TIME_WAIT", "CLOSE",
          "FIN_WAIT1", "FIN_WAIT2", "LAST_ACK", "CLOSING", "SYN_RECV"}


def make_sockets():
    """UNIX stream and dgram, by path and abstract name; a packet socket;
    a netlink socket; a TCP listener. Returned so they stay open."""
    held = []
    lst = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    lst.bind(PATH)
    lst.listen(4)
    cli = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    cli.connect(PATH)
    srv, _ = lst.accept()
    alst = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    alst.bind("\0sockscope-topfam")
    alst.listen(2)
    dg = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    dg.bind(DPATH)
    dc = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    dc.connect(DPATH)
    dc.send(b"q" * 10)  # queued at dg
    ab = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    ab.bind("\0sockscope-topfam-dgram")
    held += [lst, cli, srv, alst, dg, dc, ab]
    held.append(socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                              socket.htons(0x0003)))
    nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)  # rtnl
    nl.bind((0, 0))
    held.append(nl)
    tcp = socket.socket()
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(1)
    held.append(tcp)
    return held


def own_diag(local):
    """A listing tool's own netlink socket (sock_diag, rtnl for names):
    its port id is its pid, another each run."""
    m = re.search(r"/(\d+)$", local)
    return (m and int(m.group(1)) != os.getpid()) or (
        re.match(r"(tcpdiag|4):", local) and not local.endswith(":kernel"))


def endpoints(f, i, unix):
    """(local, peer) from tokens f at i: a UNIX endpoint is two tokens
    (name and inode, as ss), the others one."""
    n = 2 if unix else 1
    return " ".join(f[i:i + n]), " ".join(f[i + n:i + 2 * n])


def list_rows(args):
    """(local, peer, recv_q, send_q) of each row of `sockscope -H ARGS`:
    [Netid] [State] Recv-Q Send-Q Local Peer."""
    out = netns.run([SOCKSCOPE, "-H", *args]).stdout
    rows = []
    for line in out.splitlines():
        f = line.split()
        i = next(k for k in range(len(f) - 1)
                 if f[k].isdigit() and f[k + 1].isdigit())
        unix = f[0].startswith("u_")
        local, peer = endpoints(f, i + 2, unix)
        if not own_diag(local):
            rows.append((local, peer, int(f[i]), int(f[i + 1])))
    return sorted(rows)


def top_rows(args):
    """The same of each row of `sockscope top -b --iterations 1 ARGS`:
    [NETID] STATE LOCAL PEER Recv-Q Send-Q ...; and the title, the
    netids."""
    r = netns.run([SOCKSCOPE, "top", "-b", "--iterations", "1", *args])
    title, lines = table_rows(r.stdout)
    rows, netids = [], set()
    netns.check(title != "", f"top {args}: a table: {r.stdout!r}")
    for line in lines:
        f = line.split()
        i = 1 if f[0] in STATES else 2
        if i == 2:
            netids.add(f[0])
        unix = f[0].startswith("u_")
        local, peer = endpoints(f, i, unix)
        q = i + (4 if unix else 2)
        if not own_diag(local):
            rows.append((local, peer, int(f[q]), int(f[q + 1])))
    return title, sorted(rows), netids


def test_same_as_listing():
    for top_args, list_args, what in (
            (["-x"], ["-xa"], "UNIX"),
            (["-0"], ["-0a"], "PACKET"),
            (["--packet"], ["-0a"], "PACKET (--packet)"),
            (["-A", "netlink"], ["-A", "netlink", "-a"], "NETLINK"),
            (["-f", "unix"], ["-f", "unix", "-a"], "UNIX (-f unix)")):
        title, got, netids = top_rows(top_args)
        want = list_rows(list_args)
        netns.check(got and got == want,
                    f"top {top_args} lists the {what} sockets of the "
                    f"listing, same text: top={got} list={want}")
        # The listing's Netid rule: shown when more than one table shows.
        if what.startswith(("UNIX", "PACKET")):
            netns.check(title.startswith("NETID") and netids,
                        f"top {top_args}: the NETID column: {title!r}")
    _, got, _ = top_rows(["-x"])
    for text in (f"{PATH} ", f"{DPATH} ", "@sockscope-topfam ",
                 "@sockscope-topfam-dgram "):
        netns.check(any(r[0].startswith(text) for r in got),
                    f"top -x shows the name {text!r}: {got}")
    netns.check(any(r[0].startswith(DPATH) and r[2] > 0 for r in got),
                f"top -x: the dgram socket's queue: {got}")


def test_tcp_and_unix(tcp_port):
    r = netns.run([SOCKSCOPE, "top", "-b", "--iterations", "1", "-t", "-x"])
    title, lines = table_rows(r.stdout)
    netids = {line.split()[0] for line in lines}
    netns.check(title.startswith("NETID") and "tcp" in netids and
                "u_str" in netids and "u_dgr" in netids,
                f"top -t -x: TCP and UNIX rows, by NETID: {r.stdout}")
    netns.check(any(f"127.0.0.1:{tcp_port}" in line for line in lines) and
                any(PATH in line for line in lines),
                f"top -t -x: the TCP listener and the UNIX one: {lines}")
    # The header counts every socket listed; the meters stay TCP's.
    m = re.search(r"sockets (\d+)", r.stdout)
    netns.check(m and int(m.group(1)) >= len(lines),
                f"top -t -x: the header counts every row: {r.stdout[:300]}")
    # Every family at once, with the optional columns and a filter.
    for extra in (["-e"], ["-p"], ["-n"], ["state", "listening"]):
        netns.run([SOCKSCOPE, "top", "-b", "--iterations", "1", "-t", "-x",
                   "-0", "-A", "netlink", *extra])


def listed_counts(args):
    """{netid: {state: n}} of `sockscope -a ARGS --json`."""
    counts = {}
    for row in json.loads(netns.run([SOCKSCOPE, "-a", "--json",
                                     *args]).stdout):
        by_state = counts.setdefault(row["netid"], {})
        by_state[row["state"]] = by_state.get(row["state"], 0) + 1
    return counts


def tables_line(args):
    """The header of `sockscope top -b --iterations 1 ARGS`, and its
    per-table line as {netid: (n, {state: n})}."""
    r = netns.run([SOCKSCOPE, "top", "-b", "--iterations", "1", *args])
    head = r.stdout.split("\nNETID", 1)[0]
    m = re.search(r"^tables: (.*)$", head, re.M)
    netns.check(m, f"top {args}: a per-table line: {head}")
    got = {}
    for name, n, states in re.findall(r"(\w+) (\d+)(?: \(([^)]*)\))?",
                                      m.group(1) if m else ""):
        pairs = states.split()
        got[name] = (int(n), {pairs[i]: int(pairs[i + 1])
                              for i in range(0, len(pairs), 2)})
    return head, got


def test_table_counts():
    """The header's per-table line counts what the listing lists (-a),
    each table and, for UNIX, each state; a filter or -l narrows the rows
    only; TCP's meters show only when TCP is listed."""
    want = listed_counts(["-x"])
    for args in (["-x"], ["-x", "src", PATH], ["-x", "-l"]):
        head, got = tables_line(args)
        for name in ("u_str", "u_dgr", "u_seq"):
            states = want.get(name, {})
            netns.check(got.get(name, (None,))[0] == sum(states.values()),
                        f"top {args}: {name} counts the listing's: "
                        f"{got} {want}")
            if states:
                netns.check(got.get(name, (0, {}))[1] == states,
                            f"top {args}: {name}'s states are the "
                            f"listing's: {got} {want}")
        netns.check(not re.search(r"^(LISTEN |new connections|orphans)",
                                  head, re.M),
                    f"top {args}: no TCP meter lines: {head}")
    netns.check(want.get("u_str", {}).get("LISTEN") == 2 and
                want.get("u_dgr", {}).get("UNCONN"),
                f"the listing has this test's sockets: {want}")
    want.update(listed_counts(["-t"]))
    head, got = tables_line(["-t", "-x"])
    netns.check(got.get("tcp", (None,))[0] == sum(want["tcp"].values()) and
                got.get("u_str", (None,))[0] ==
                sum(want["u_str"].values()),
                f"top -t -x: tcp and UNIX counts are the listing's: "
                f"{got} {want}")
    netns.check(re.search(r"^LISTEN +1 ", head, re.M),
                f"top -t -x: TCP's meters: {head}")


def test_options():
    """The listing's letters and names, from the family registry."""
    for args in (["-x"], ["--unix"], ["-0"], ["--packet"], ["-w"],
                 ["--raw"], ["-M"], ["--mptcp"], ["-A", "unix"],
                 ["-A", "all"], ["-f", "netlink"], ["-f", "link"]):
        r = netns.run([SOCKSCOPE, "top", "-b", "--iterations", "1", *args],
                      check_rc=None)
        # MPTCP and RAW may lack their diag module here: a notice, the
        # run still goes.
        netns.check(r.returncode == 0 and "is unknown" not in r.stderr,
                    f"top {args} is accepted: rc {r.returncode} "
                    f"{r.stderr!r}")


held = make_sockets()
try:
    test_same_as_listing()
    test_tcp_and_unix(held[-1].getsockname()[1])
    test_table_counts()
    test_options()
finally:
    for s in held:
        s.close()
    shutil.rmtree(TMP, ignore_errors=True)
netns.finish("test_top_families")
