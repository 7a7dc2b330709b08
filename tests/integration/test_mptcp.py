#!/usr/bin/env python3
"""MPTCP sockets (-M) against real ones, compared with ss -M.

Run: test_mptcp.py SOCKSCOPE. Makes its own network namespace (netns.py)
with net.mptcp.enabled=1: a listener of each family and one connection on
loopback, whose TCP subflows are listed by -t.
"""
import os
import re
import socket
import subprocess
import sys

import netns

netns.enter()
SOCKSCOPE = sys.argv[1]
IPPROTO_MPTCP = 262
PORT4, PORT6 = 18080, 19090
SS_STATE = {"ESTAB": "ESTABLISHED", "LISTEN": "LISTEN", "UNCONN": "UNCONN"}


def make_sockets():
    subprocess.run(["sysctl", "-q", "net.mptcp.enabled=1"], check=False)
    try:
        lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_MPTCP)
    except OSError as e:
        netns.skip(f"no MPTCP sockets here: {e}")
    held = {"lst": lst}
    lst.bind(("127.0.0.1", PORT4))
    lst.listen(5)
    cli = socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_MPTCP)
    cli.connect(("127.0.0.1", PORT4))
    srv, _ = lst.accept()
    cli.send(b"hello")
    l6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM, IPPROTO_MPTCP)
    l6.bind(("::1", PORT6))
    l6.listen(1)
    held.update(cli=cli, srv=srv, l6=l6)
    return held


def norm(text):
    """(addr, port) of an endpoint, wildcards as '*'."""
    addr, _, port = text.rpartition(":")
    addr = addr.strip("[]")
    return ("*" if addr in ("*", "0.0.0.0", "::") else addr,
            0 if port == "*" else int(port))


def table(argv, one=None):
    """(netid, state, local, peer) of each row of a table listing."""
    out = netns.run(argv, wrapped=argv[0] == SOCKSCOPE).stdout
    rows = []
    for line in out.splitlines():
        f = line.split()
        if one:
            f = [one] + f
        if f[0] not in ("tcp", "mptcp"):
            continue
        if f[1].isdigit():  # ss: one state selected, no State column
            f = f[:1] + ["ESTAB"] + f[1:]
        rows.append((f[0], SS_STATE.get(f[1], f[1]), norm(f[4]),
                     norm(f[5])))
    return sorted(rows)


def test_same_as_ss():
    if not netns.have_ss():
        netns.skip("ss is not installed")
    for args, one in ((["-M", "-a"], "mptcp"), (["-M"], "mptcp"),
                      (["--mptcp", "-l"], "mptcp"),
                      (["-A", "mptcp", "-a"], "mptcp"),
                      (["-A", "mptcp,tcp", "-a"], None),
                      (["-M", "-a", "sport", "=", f":{PORT4}"], "mptcp")):
        got = table([SOCKSCOPE, "-Hn", *args], one)
        want = table(netns.ss("-Hn", *args), one)
        netns.check(got and got == want,
                    f"{args}: rows as ss: ours={got} ss={want}")
    # The queues as ss reads them (the server holds the unread data).
    def queues(argv):
        out = netns.run(argv, wrapped=argv[0] == SOCKSCOPE).stdout
        return sorted(tuple(line.split()[1:5]) for line in
                      out.splitlines() if line.startswith("ESTAB"))
    got = [q for q in queues([SOCKSCOPE, "-Hn", "-M"])]
    want = [q for q in queues(netns.ss("-Hn", "-M"))]
    netns.check(got and got == want, f"queues as ss: {got} vs {want}")


def test_json_and_subflows(held):
    rows = ours("-Ma")
    ino = {o["inode"]: o for o in rows}
    srv = ino.get(os.fstat(held["srv"].fileno()).st_ino, {})
    netns.check(srv.get("netid") == "mptcp" and srv.get("family") == "inet"
                and srv.get("state") == "ESTABLISHED" and
                srv.get("local") == {"addr": "127.0.0.1", "port": PORT4},
                f"the accepted MPTCP socket: {srv}")
    l6 = ino.get(os.fstat(held["l6"].fileno()).st_ino, {})
    netns.check(l6.get("family") == "inet6" and l6.get("state") == "LISTEN"
                and l6.get("send_q") == 1, f"the IPv6 listener: {l6}")
    netns.check(len(rows) == 4, f"four MPTCP sockets: {rows}")
    # The subflows are TCP sockets whose upper layer is mptcp.
    subs = [o for o in ours("-ti", "sport", "=", f":{PORT4}", "or",
                            "dport", "=", f":{PORT4}")
            if o["state"] == "ESTABLISHED"]
    netns.check(len(subs) == 2 and all(o["netid"] == "tcp" and
                                       o.get("tcp_info", {}).get("ulp")
                                       == "mptcp" for o in subs),
                f"two TCP subflows with ulp mptcp: {subs}")
    out = netns.run([SOCKSCOPE, "-ti"]).stdout
    netns.check(out.count("tcp-ulp-mptcp") == 2,
                f"-ti names the subflows' ulp as ss does: {out}")
    netns.check(not any(o["netid"] == "mptcp" for o in ours("-a")),
                "no MPTCP rows by default")
    netns.check(sum(o["netid"] == "mptcp" for o in ours("-A", "all", "-a")) == 4,
                "-A all includes MPTCP")


def ours(*args):
    return netns.sockscope_json(SOCKSCOPE, *args)


def test_processes(held):
    me = os.getpid()
    out = netns.run([SOCKSCOPE, "-Mp"]).stdout
    fds = sorted(re.findall(rf'users:\(\("python3",pid={me},fd=(\d+)\)\)',
                            out))
    want = sorted(str(held[k].fileno()) for k in ("cli", "srv"))
    netns.check(fds == want, f"-Mp owners: {fds} vs {want}: {out}")
    if netns.have_ss():
        def procs(argv):
            o = netns.run(argv, wrapped=argv[0] == SOCKSCOPE).stdout
            return sorted(re.findall(r'users:\(\(.*?\)\)', o))
        netns.check(procs([SOCKSCOPE, "-HMpa"]) == procs(netns.ss("-HMpa")),
                    "-p owners as ss")


def test_service_names():
    """Without -n an MPTCP port is named as a TCP one is (/etc/services'
    tcp entries): https (tcp and udp), shell (514/tcp; 514/udp is
    syslog), 123 (ntp is udp only); as ss -A mptcp,tcp names them (ss -M
    alone looks a port up under any protocol: 123 would be ntp)."""
    held = []
    for port in (443, 514, 123):
        for host, proto in (("127.0.0.1", IPPROTO_MPTCP), ("127.0.0.2", 0)):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, port))
            s.listen(1)
            held.append(s)

    def names(argv):
        out = netns.run(argv, wrapped=argv[0] == SOCKSCOPE).stdout
        # An MPTCP listener's own TCP listener (127.0.0.1) left out.
        return sorted((f[0], f[4]) for f in map(str.split, out.splitlines())
                      if f and (f[0], f[4].split(":")[0]) in
                      (("mptcp", "127.0.0.1"), ("tcp", "127.0.0.2")) and
                      f[4] != f"127.0.0.1:{PORT4}")

    got = names([SOCKSCOPE, "-H", "-l", "-A", "mptcp,tcp"])
    want = {("mptcp", f"127.0.0.1:{n}") for n in ("https", "shell", "123")}
    want |= {("tcp", f"127.0.0.2:{n}") for n in ("https", "shell", "123")}
    netns.check(set(got) == want and len(got) == 6,
                f"MPTCP ports named as TCP's: {got}")
    out = netns.run([SOCKSCOPE, "-H", "-Ml"]).stdout
    mp = sorted(f[3] for f in map(str.split, out.splitlines())
                if f and f[0] == "LISTEN" and f[3].startswith("127.0.0.1:")
                and f[3] != f"127.0.0.1:{PORT4}")
    netns.check(mp == sorted(x[1] for x in want if x[0] == "mptcp"),
                f"-M alone names them the same: {mp}")
    if netns.have_ss():
        theirs = names(netns.ss("-H", "-l", "-A", "mptcp,tcp"))
        netns.check(got == theirs, f"as ss -A mptcp,tcp: {got} vs {theirs}")
    for s in held:
        s.close()


def test_summary_and_kill():
    s = ours("summary", "-M")
    netns.check(s.get("tables") == {"mptcp": 4} and s.get("total") == 4 and
                "tcp" not in s,
                f"summary counts MPTCP apart from TCP: {s.get('tables')}")
    r = netns.run([SOCKSCOPE, "kill", "-M"], check_rc=2)
    netns.check("mptcp sockets" in r.stderr and "cannot destroy" in r.stderr,
                f"kill refuses MPTCP: {r.stderr!r}")
    # top lists them (one table: no NETID), as the listing does.
    out = netns.run([SOCKSCOPE, "top", "-b", "--iterations", "1", "-A",
                     "mptcp"]).stdout
    netns.check(f"127.0.0.1:{PORT4} " in out and f"[::1]:{PORT6} " in out
                and len(re.findall(r"^(LISTEN|ESTABLISHED) +\S+:\d+ ", out,
                                   re.M)) == 4,
                f"top -A mptcp lists the MPTCP sockets: {out}")


def main():
    held = make_sockets()
    test_same_as_ss()
    test_json_and_subflows(held)
    test_processes(held)
    test_service_names()
    test_summary_and_kill()
    netns.finish("mptcp")


main()
