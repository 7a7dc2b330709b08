#!/usr/bin/env python3
"""Compiled filters on sockets in every TCP state, both families.

The kernel runs the filter on full sockets and also on TIME_WAIT and
request (SYN_RECV) sockets, which carry less; for sockets that sockstates
holds in each state, port and address expressions must select exactly the
matching sockets, their negations exactly the rest, and (with ss installed)
the same as `ss -tan FILTER`.

Run: test_filter_states.py SOCKSCOPE SOCKSTATES.
"""
import json
import os
import socket
import subprocess
import sys

import netns

netns.enter()
SOCKSCOPE, SOCKSTATES = sys.argv[1], sys.argv[2]


def start_holder():
    p = subprocess.Popen([SOCKSTATES, "--count", "2", "--base-port", "21000",
                          "--states", "LISTEN,SYN_SENT,SYN_RECV,ESTABLISHED,"
                          "FIN_WAIT1,FIN_WAIT2,CLOSE_WAIT,LAST_ACK,CLOSING,"
                          "TIME_WAIT"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         text=True)
    for line in p.stdout:
        if line.strip() == "READY":
            return p
    netns.fail(f"sockstates exited {p.wait()} before READY")


def key(o):
    return (o["state"], o["local"]["addr"], o["local"]["port"],
            o["peer"]["addr"], o["peer"]["port"])


def endpoint(text):
    addr, _, port = text.rpartition(":")
    addr = addr.split("%")[0].strip("[]")
    return ("::" if addr == "*" else addr), (0 if port == "*" else int(port))


def ss_keys(args):
    r = subprocess.run(netns.ss("-tanH", *args), capture_output=True,
                       text=True)
    if r.returncode:
        return None
    rows = set()
    for line in r.stdout.splitlines():
        f = line.split()
        rows.add(endpoint(f[-2]) + endpoint(f[-1]))
    return rows


def live_time_wait():
    """The TIME_WAIT sockets the kernel still holds, as ss lists them:
    (local addr, port, peer addr, port)."""
    r = subprocess.run(netns.ss("-tanH", "state", "time-wait"),
                       capture_output=True, text=True, check=True)
    return {endpoint(f[-2]) + endpoint(f[-1])
            for f in (line.split() for line in r.stdout.splitlines())}


def host(addr, port):
    return f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}"


holder = start_holder()
try:
    socks = netns.sockscope_json(SOCKSCOPE, "-tan")
    states = {o["state"] for o in socks}
    netns.check({"TIME_WAIT", "SYN_RECV", "ESTABLISHED", "LISTEN"} <= states,
                f"sockstates made every state: {sorted(states)}")
    picked = {}
    for o in socks:
        fam = ":" in o["local"]["addr"]
        picked.setdefault((o["state"], fam), o)
    # TIME_WAIT lasts 60 s from the holder's start and a slow run (under
    # valgrind) takes longer than that over every state: its own checks
    # come first, and the rest expect a TIME_WAIT socket only while ss
    # still sees it (the kernel ending it is no filter's doing).
    order = sorted(picked.items(), key=lambda kv: (kv[0][0] != "TIME_WAIT",
                                                    kv[0]))
    for (state, _), o in order:
        lp, rp = o["local"]["port"], o["peer"]["port"]
        la = o["local"]["addr"]
        exprs = [
            (f"sport = :{lp} and dport = :{rp}",
             lambda s: s["local"]["port"] == lp and s["peer"]["port"] == rp),
            (f"src {host(la, lp)}",
             lambda s: s["local"]["addr"] == la and s["local"]["port"] == lp),
            (f"not ( sport = :{lp} or dport = :{lp} )",
             lambda s: lp not in (s["local"]["port"], s["peer"]["port"])),
            (f"dport >= :{rp} and dport <= :{rp}",
             lambda s: s["peer"]["port"] == rp),
        ]
        for text, oracle in exprs:
            args = text.split()
            for _ in range(3):
                tw_before = live_time_wait()
                r = netns.run([SOCKSCOPE, "-tan", "-j", *args])
                tw_after = live_time_wait()
                got = {key(s) for s in json.loads(r.stdout)}
                # A TIME_WAIT that ended during the run may or may not
                # be listed: read again then (it happens once a minute).
                if tw_before == tw_after:
                    break
            want = {key(s) for s in socks if oracle(s) and
                    (s["state"] != "TIME_WAIT" or key(s)[1:] in tw_after)}
            netns.check(got == want and r.stderr == "",
                        f"{state}: {text!r}: only ours {sorted(got - want)}"
                        f", missing {sorted(want - got)}")
            netns.check((key(o) in got) != text.startswith("not"),
                        f"{state}: {text!r} decides the {state} socket")
            if netns.have_ss():
                theirs = ss_keys(args)
                mine = {k[1:] for k in got}
                netns.check(theirs == mine, f"{state}: {text!r}: ss "
                            f"{sorted(theirs or [])}")
finally:
    holder.stdin.close()
    rc = holder.wait(timeout=10)
netns.check(rc == 0, f"sockstates exited 0 (got {rc})")


def kernel_at_least(major, minor):
    rel = os.uname().release.split(".")
    return (int(rel[0]), int(rel[1].split("-")[0])) >= (major, minor)


def top_ports(args):
    """Local ports of the rows `top -b` prints once."""
    r = netns.run([SOCKSCOPE, "top", "-b", "--iterations", "1", *args])
    lines = r.stdout.splitlines()
    head = [i for i, line in enumerate(lines) if line.startswith("STATE")]
    ports = set()
    for line in lines[head[0] + 1:] if head else []:
        f = line.split()
        if len(f) < 3 or ":" not in f[1]:
            break
        ports.add((f[0], int(f[1].rpartition(":")[2])))
    return ports


def test_bound_inactive():
    """state close / bound-inactive select the bound-only TCP sockets that
    -a shows as CLOSE; -l and top -l leave them out."""
    bound4 = socket.socket()
    bound4.bind(("127.0.0.1", 0))
    bound6 = socket.socket(socket.AF_INET6)
    bound6.bind(("::1", 0))
    lis = socket.socket()
    lis.bind(("127.0.0.1", 0))
    lis.listen()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    ports = {bound4.getsockname()[1], bound6.getsockname()[1]}
    lport, uport = lis.getsockname()[1], udp.getsockname()[1]
    try:
        if not kernel_at_least(6, 8):
            r = netns.run([SOCKSCOPE, "-tn", "state", "bound-inactive"])
            netns.check("needs 6.8" in r.stderr,
                        f"old kernel: a note on stderr: {r.stderr!r}")
            return
        allp = {(o["state"], o["local"]["port"])
                for o in netns.sockscope_json(SOCKSCOPE, "-tan")}
        netns.check({("CLOSE", p) for p in ports} <= allp,
                    f"-a lists the bound sockets as CLOSE: {sorted(allp)}")
        for word in ("close", "closed", "bound-inactive", "CLOSE"):
            r = netns.run([SOCKSCOPE, "-tnj", "state", word])
            got = {(o["state"], o["local"]["port"])
                   for o in json.loads(r.stdout)}
            netns.check(got == {("CLOSE", p) for p in ports}
                        and r.stderr == "",
                        f"state {word}: exactly the bound sockets: {got}")
        got = {(o["netid"], o["local"]["port"]) for o in
               netns.sockscope_json(SOCKSCOPE, "-n", "state", "close")}
        netns.check(got == {("tcp", p) for p in ports} | {("udp", uport)},
                    f"state close: TCP bound and UDP unconnected: {got}")
        got = {o["local"]["port"] for o in
               netns.sockscope_json(SOCKSCOPE, "-tn", "exclude", "close",
                                    "exclude", "listening")}
        netns.check(not got & ports, f"exclude close drops them: {got}")
        lst = {(o["state"] if o["netid"] == "tcp" else "UNCONN",
                o["local"]["port"])
               for o in netns.sockscope_json(SOCKSCOPE, "-ln")}
        netns.check(("LISTEN", lport) in lst and ("UNCONN", uport) in lst
                    and not {p for _, p in lst} & ports,
                    f"-l: the listener and UDP, no bound-only: {lst}")
        top = top_ports(["-l"])
        netns.check(top == lst, f"top -l shows what -l does: {top} vs {lst}")
    finally:
        for s in (bound4, bound6, lis, udp):
            s.close()


test_bound_inactive()
netns.finish("test_filter_states")
