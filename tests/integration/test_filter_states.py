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
import shutil
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
    r = subprocess.run(["ss", "-tanH", *args], capture_output=True, text=True)
    if r.returncode:
        return None
    rows = set()
    for line in r.stdout.splitlines():
        f = line.split()
        rows.add(endpoint(f[-2]) + endpoint(f[-1]))
    return rows


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
    for (state, _), o in sorted(picked.items()):
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
            r = netns.run([SOCKSCOPE, "-tan", "-j", *args])
            got = {key(s) for s in json.loads(r.stdout)}
            want = {key(s) for s in socks if oracle(s)}
            netns.check(got == want and r.stderr == "",
                        f"{state}: {text!r}: only ours {sorted(got - want)}"
                        f", missing {sorted(want - got)}")
            netns.check((key(o) in got) != text.startswith("not"),
                        f"{state}: {text!r} decides the {state} socket")
            if shutil.which("ss"):
                theirs = ss_keys(args)
                mine = {k[1:] for k in got}
                netns.check(theirs == mine, f"{state}: {text!r}: ss "
                            f"{sorted(theirs or [])}")
finally:
    holder.stdin.close()
    rc = holder.wait(timeout=10)
netns.check(rc == 0, f"sockstates exited 0 (got {rc})")
netns.finish("test_filter_states")
