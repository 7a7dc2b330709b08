#!/usr/bin/env python3
"""Every TCP state, both families, UDP bound and connected: sockscope must
report each socket sockstates holds, with the right state, addresses and
ports, and (where ss is installed) select exactly what ss selects.

Run: test_states.py SOCKSCOPE SOCKSTATES.
"""
import subprocess
import sys

import netns

netns.enter()
SOCKSCOPE, SOCKSTATES = sys.argv[1], sys.argv[2]
SS_STATE = {
    "ESTAB": "ESTABLISHED", "SYN-SENT": "SYN_SENT", "SYN-RECV": "SYN_RECV",
    "FIN-WAIT-1": "FIN_WAIT1", "FIN-WAIT-2": "FIN_WAIT2",
    "TIME-WAIT": "TIME_WAIT", "UNCONN": "UNCONN", "CLOSE-WAIT": "CLOSE_WAIT",
    "LAST-ACK": "LAST_ACK", "LISTEN": "LISTEN", "CLOSING": "CLOSING",
}
ALL_TCP = {"LISTEN", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT1",
           "FIN_WAIT2", "CLOSE_WAIT", "LAST_ACK", "CLOSING", "TIME_WAIT"}
CODES = {"ESTABLISHED": 1, "SYN_SENT": 2, "SYN_RECV": (3, 12),
         "FIN_WAIT1": 4, "FIN_WAIT2": 5, "TIME_WAIT": 6, "CLOSE_WAIT": 8,
         "LAST_ACK": 9, "LISTEN": 10, "CLOSING": 11, "UNCONN": 7}


def wild(a):
    return "*" if a in ("0.0.0.0", "::", "*") else a


def start_holder():
    p = subprocess.Popen([SOCKSTATES, "--count", "3"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    truth = set()
    for line in p.stdout:
        line = line.strip()
        if line == "READY":
            return p, truth
        proto, state, la, lp, ra, rp = line.split("\t")
        truth.add((proto, state, la, int(lp), wild(ra), int(rp)))
    netns.fail(f"sockstates exited {p.wait()} before READY")


def key(o):
    return (o["netid"], o["state"], o["local"]["addr"], o["local"]["port"],
            wild(o["peer"]["addr"]), o["peer"]["port"])


def split_endpoint(text):
    addr, _, port = text.rpartition(":")
    return wild(addr.strip("[]")), 0 if port == "*" else int(port)


def ss_selection(args):
    out = netns.run(netns.ss("-nH", "-tu", *args)).stdout
    rows = set()
    for line in out.splitlines():
        f = line.split()
        la, lp = split_endpoint(f[4])
        ra, rp = split_endpoint(f[5])
        rows.add((f[0], SS_STATE[f[1]], la, lp, ra, rp))
    return rows


holder, truth = start_holder()
try:
    got_objs = netns.sockscope_json(SOCKSCOPE, "-tuan")
    got = {key(o) for o in got_objs}
    for t in sorted(truth):
        netns.check(t in got, f"sockscope -tuan reports {t}")
    netns.check(got == truth, "nothing but the held sockets: extra "
                f"{sorted(got - truth)}")
    seen = {(k[0], k[1], ":" in k[2]) for k in got}
    for fam6 in (False, True):
        for st in ALL_TCP:
            netns.check(("tcp", st, fam6) in seen,
                        f"{st} present for {'IPv6' if fam6 else 'IPv4'}")
        netns.check(("udp", "UNCONN", fam6) in seen, "UDP unconnected")
        netns.check(("udp", "ESTABLISHED", fam6) in seen, "UDP connected")
    for o in got_objs:
        want = CODES[o["state"]]
        ok = o["state_code"] in want if isinstance(want, tuple) \
            else o["state_code"] == want
        netns.check(ok, f"{o['state']} has state_code {o['state_code']}")
        netns.check(o["family"] == ("inet6" if ":" in o["local"]["addr"]
                                    else "inet"), f"family of {key(o)}")

    # Each state alone through the filter, in ss and documented spelling.
    for st in sorted(ALL_TCP):
        for name in (st, st.lower().replace("_", "-").replace("wait1",
                     "wait-1").replace("wait2", "wait-2")):
            sel = {key(o) for o in netns.sockscope_json(
                SOCKSCOPE, "-tn", "state", name)}
            want = {t for t in truth if t[0] == "tcp" and t[1] == st}
            netns.check(sel == want, f"state {name}: {sorted(sel)}")

    # The text table says the same as JSON.
    table = netns.run([SOCKSCOPE, "-tuanH"]).stdout.split("\n")
    states = sorted(line.split()[1] for line in table if line)
    netns.check(states == sorted(k[1] for k in got),
                "table rows carry the same states as JSON")

    if netns.have_ss():
        for args in ([], ["-a"], ["-l"], ["-4a"], ["-6a"],
                     ["-a", "exclude", "time-wait"]):
            mine = {key(o) for o in netns.sockscope_json(SOCKSCOPE, "-tun",
                                                         *args)}
            # What a newer ss asks the kernel for beyond sockscope.
            extra = netns.ss_extra_states(["-tu", *args])
            if extra:
                words = [w for st in extra for w in ("state", st)]
                mine |= {key(o) for o in netns.sockscope_json(
                    SOCKSCOPE, "-tun", *[a for a in args if a[0] == "-"],
                    *words)}
            theirs = ss_selection(args)
            netns.check(mine == theirs, f"{args}: same as ss: only ours "
                        f"{sorted(mine - theirs)}, only ss "
                        f"{sorted(theirs - mine)}")
    else:
        netns.skip("ss is not installed: cannot compare")
finally:
    holder.stdin.close()
    rc = holder.wait(timeout=10)
netns.check(rc == 0, f"sockstates cleaned up and exited 0 (got {rc})")
netns.finish("test_states")
