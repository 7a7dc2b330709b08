#!/usr/bin/env python3
"""The core lister against real sockets, compared with ss where installed.

Run: test_list.py SOCKSCOPE. Makes its own network namespace (netns.py).
"""
import json
import os
import resource
import shlex
import socket
import subprocess
import sys
import tempfile
import time

import netns

netns.enter()
SOCKSCOPE = sys.argv[1]
SS_STATE = {
    "ESTAB": "ESTABLISHED", "SYN-SENT": "SYN_SENT", "SYN-RECV": "SYN_RECV",
    "FIN-WAIT-1": "FIN_WAIT1", "FIN-WAIT-2": "FIN_WAIT2",
    "TIME-WAIT": "TIME_WAIT", "UNCONN": "UNCONN", "CLOSE-WAIT": "CLOSE_WAIT",
    "LAST-ACK": "LAST_ACK", "LISTEN": "LISTEN", "CLOSING": "CLOSING",
}


def make_sockets():
    """Sockets the test holds: returned so they stay open."""
    held = []
    lst = socket.socket()
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(("127.0.0.1", 8080))
    lst.listen(16)
    cli = socket.create_connection(("127.0.0.1", 8080))
    srv, _ = lst.accept()
    # A second connection closed client-first leaves a TIME_WAIT.
    c2 = socket.create_connection(("127.0.0.1", 8080))
    s2, _ = lst.accept()
    c2.close()
    time.sleep(0.05)
    s2.close()
    l6 = socket.socket(socket.AF_INET6)
    l6.bind(("::1", 2222))
    l6.listen(5)
    c6 = socket.create_connection(("::1", 2222))
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 5353))
    uc = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    uc.connect(("127.0.0.1", 5353))
    u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u6.bind(("::1", 5300))
    # Bound, never listening or connected: "bound-inactive" (Linux >= 6.8).
    bound = socket.socket()
    bound.bind(("127.0.0.1", 7777))
    held += [lst, cli, srv, l6, c6, u, uc, u6, bound]
    time.sleep(0.1)
    return held


def norm_addr(a):
    return "*" if a in ("0.0.0.0", "::", "*") else a


def key_json(o):
    return (o["netid"], o["state"], norm_addr(o["local"]["addr"]),
            o["local"]["port"], norm_addr(o["peer"]["addr"]),
            o["peer"]["port"])


def split_endpoint(text):
    addr, _, port = text.rpartition(":")
    addr = addr.strip("[]").split("%")[0]
    return norm_addr(addr), 0 if port == "*" else int(port)


def single_state(args):
    """The one state ss selected, when it printed no State column."""
    names = {"time-wait": "TIME-WAIT", "listening": "LISTEN",
             "established": "ESTAB"}
    if "state" in args:
        return names[args[args.index("state") + 1]]
    # Plain -u: ss (and sockscope) select connected UDP only.
    return "ESTAB"


def ss_rows(args):
    """ss -n output as the same keys as key_json()."""
    letters = "".join(a[1:] for a in args if a.startswith("-"))
    protos = [p for p in "tu" if p in letters]
    if not protos:
        # Plain ss lists every kind of socket; sockscope's default is -tu.
        args, protos = ["-tu", *args], ["t", "u"]
    out = netns.run(netns.ss("-nH", *args)).stdout
    rows = set()
    for line in out.splitlines():
        f = line.split()
        if len(protos) == 2:
            netid, f = f[0], f[1:]
        else:
            # ss omits Netid when one protocol is listed.
            netid = "tcp" if protos == ["t"] else "udp"
        if f[0].isdigit():
            # ss drops the State column when the filter names one state.
            f = [single_state(args)] + f
        state = SS_STATE[f[0]]
        if netid == "tcp" and state == "UNCONN":
            # ss names every CLOSE socket UNCONN; sockscope a TCP one CLOSE.
            state = "CLOSE"
        la, lp = split_endpoint(f[3])
        ra, rp = split_endpoint(f[4])
        rows.add((netid, state, la, lp, ra, rp))
    return rows


BOUND_INACTIVE = ("tcp", "CLOSE", "127.0.0.1", 7777, "*", 0)


def kernel_at_least(major, minor):
    rel = os.uname().release.split("-")[0].split(".")
    return (int(rel[0]), int(rel[1])) >= (major, minor)


def ss_asks_bound_inactive():
    """ss before 6.8 never asks for bound-inactive sockets."""
    return netns.ss_version() >= (6, 8)


def ours(args):
    """The rows ss lists for args, as sockscope lists them: what ss asks
    the kernel for differs by version (netns.ss_extra_states())."""
    rows = {key_json(o) for o in netns.sockscope_json(SOCKSCOPE, "-n", *args)}
    if not ss_asks_bound_inactive():
        rows.discard(BOUND_INACTIVE)
    extra = netns.ss_extra_states(args)
    if extra:
        opts = [a for a in args if a.startswith("-")]
        words = [w for st in extra for w in ("state", st)]
        rows |= {key_json(o) for o in netns.sockscope_json(
            SOCKSCOPE, "-n", *opts, *words)}
    return rows


def test_reports_each_socket():
    got = netns.sockscope_json(SOCKSCOPE, "-tuan")
    keys = {key_json(o) for o in got}
    want = [
        ("tcp", "LISTEN", "127.0.0.1", 8080, "*", 0),
        ("tcp", "TIME_WAIT", "127.0.0.1", None, "127.0.0.1", 8080),
        ("tcp", "ESTABLISHED", "127.0.0.1", 8080, "127.0.0.1", None),
        ("tcp", "LISTEN", "::1", 2222, "*", 0),
        ("tcp", "ESTABLISHED", "::1", None, "::1", 2222),
        ("udp", "UNCONN", "127.0.0.1", 5353, "*", 0),
        ("udp", "ESTABLISHED", "127.0.0.1", None, "127.0.0.1", 5353),
        ("udp", "UNCONN", "::1", 5300, "*", 0),
    ]
    for w in want:
        hit = [k for k in keys
               if all(x is None or x == y for x, y in zip(w, k))]
        netns.check(len(hit) == 1, f"exactly one socket like {w}, got {hit}")
    lst = [o for o in got if o["state"] == "LISTEN" and
           o["local"]["port"] == 8080][0]
    netns.check(lst["send_q"] == 16, "LISTEN Send-Q is the backlog")
    netns.check(lst["state_code"] == 10, "LISTEN state_code 10")
    netns.check(lst["family"] == "inet" and lst["inode"] > 0,
                "family and inode present")
    tw = [o for o in got if o["state"] == "TIME_WAIT"][0]
    netns.check(tw["state_code"] == 6, "TIME_WAIT state_code 6")


def test_bound_inactive():
    keys = {key_json(o) for o in netns.sockscope_json(SOCKSCOPE, "-ta")}
    if kernel_at_least(6, 8):
        netns.check(BOUND_INACTIVE in keys, "-a shows a bound-inactive "
                    f"TCP socket as CLOSE on Linux >= 6.8: {sorted(keys)}")
    else:
        netns.check(BOUND_INACTIVE not in keys, "absent before Linux 6.8")
    keys = {key_json(o) for o in netns.sockscope_json(SOCKSCOPE, "-t")}
    netns.check(BOUND_INACTIVE not in keys, "not in the default selection")


def test_same_selection_as_ss():
    if not netns.have_ss():
        netns.skip("ss is not installed")
    cases = [[], ["-l"], ["-a"], ["-t"], ["-u"], ["-ta"], ["-ua"], ["-tl"],
             ["-4"], ["-6a"], ["-ua6"], ["-ta", "state", "time-wait"],
             ["-a", "state", "listening"], ["-ta", "exclude", "established"],
             ["-t", "state", "connected"], ["-ta", "state", "bucket"],
             ["-ta", "state", "big"], ["-ua", "state", "established"]]
    for args in cases:
        want = ss_rows(args)
        got = ours(args)
        netns.check(got == want, f"{args}: sockscope {sorted(got)} "
                    f"!= ss {sorted(want)}")


def test_table_output():
    out = netns.run([SOCKSCOPE, "-tn"]).stdout.splitlines()
    netns.check(out[0].split()[:4] == ["State", "Recv-Q", "Send-Q", "Local"],
                f"header without Netid for one protocol: {out[0]!r}")
    netns.check(any("[::1]:2222" in line for line in out),
                "IPv6 in brackets")
    out = netns.run([SOCKSCOPE, "-tuanH"]).stdout.splitlines()
    netns.check(all(not line.startswith("Netid") for line in out), "-H")
    netns.check(any(line.startswith("udp ") and "UNCONN" in line
                    for line in out), "UNCONN for bound UDP")
    named = netns.run([SOCKSCOPE, "-tl"]).stdout
    if os.path.exists("/etc/services"):
        netns.check("127.0.0.1:http-alt" in named,
                    f"service name for 8080 without -n: {named}")


def test_ndjson():
    out = netns.run([SOCKSCOPE, "-tuan", "--format", "ndjson"]).stdout
    objs = [json.loads(line) for line in out.splitlines()]
    netns.check(len(objs) == len(netns.sockscope_json(SOCKSCOPE, "-tuan")),
                "ndjson and json list the same sockets")


def test_save_load_round_trip():
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "dump")
        live = netns.run([SOCKSCOPE, "-tuan", "-j", "--save", path]).stdout
        loaded = netns.run([SOCKSCOPE, "-tuan", "-j", "--load", path]).stdout
        netns.check(live == loaded, "--load gives the live JSON")
        only_udp = netns.sockscope_json(SOCKSCOPE, "-ua", "--load", path)
        netns.check(only_udp and all(o["netid"] == "udp" for o in only_udp),
                    "--load applies -u")
        # Against the dump's own rows: its TIME_WAIT socket may have
        # ended (60 s) before a slow run (valgrind) saved it.
        saved = json.loads(loaded)
        for state, word in (("TIME_WAIT", "time-wait"),
                            ("LISTEN", "listening")):
            got = netns.sockscope_json(SOCKSCOPE, "--load", path, "state",
                                       word)
            want = [o for o in saved if o["state"] == state]
            netns.check(got == want and (want or state != "LISTEN"),
                        f"--load applies state {word}: {got} vs {want}")
        if netns.have_ss():
            ssd = os.path.join(d, "ss.dump")
            # The TIME_WAIT made at the start may end (60 s) between the
            # two reads on a slow run (valgrind): the pair is read again
            # then; a wrong load differs every time.
            for _ in range(3):
                netns.run(netns.ss("-tan", "-D", ssd))
                a = netns.sockscope_json(SOCKSCOPE, "-tan", "--load", ssd)
                b = netns.sockscope_json(SOCKSCOPE, "-tan")
                # ss walks the families one after the other, sockscope
                # both at once: the same sockets in another hash order.
                if not ss_asks_bound_inactive():
                    b = [o for o in b if key_json(o) != BOUND_INACTIVE]
                a.sort(key=key_json)
                b.sort(key=key_json)
                if a == b:
                    break
            netns.check(a == b, f"an ss -D file loads as TCP: {a} != {b}")
        data = open(path, "rb").read()
        with open(path, "wb") as f:
            f.write(data[:len(data) // 2 + 3])
        r = netns.run([SOCKSCOPE, "--load", path], check_rc=1)
        netns.check("offset" in r.stderr and r.stderr.count("\n") == 1,
                    f"truncated dump: one line naming the offset: "
                    f"{r.stderr!r}")
        r = netns.run([SOCKSCOPE, "--load", os.path.join(d, "nope")],
                      check_rc=1)
        netns.check("nope" in r.stderr, "missing file is named")


def test_usage_errors():
    for args, what in ((["--bogus"], "bogus"), (["-Z"], "Z"),
                       (["state", "time-waiting"], "time-waiting"),
                       (["state"], "state"),
                       (["--format", "xml"], "xml"),
                       (["--save", "a", "--load", "b"], "--load")):
        r = netns.run([SOCKSCOPE, *args], check_rc=2)
        netns.check(what in r.stderr and r.stdout == "",
                    f"{args}: exit 2 naming {what!r}: {r.stderr!r}")
    r = netns.run([SOCKSCOPE, "state", "bogus"], check_rc=2)
    netns.check(r.stderr.strip() ==
                "sockscope: filter: unknown state 'bogus' (word 2)",
                f"filter error names word and position: {r.stderr!r}")


def test_closed_pipe():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 12000), hard))
    many = []
    # ~800 KB of table: EPIPE must hit in mid-stream, not at the last flush.
    for _ in range(11000):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        many.append(s)
    r = subprocess.run(["bash", "-c", f"set -o pipefail; {shlex.join(netns.wrap([SOCKSCOPE]))} -ua |"
                        " head -1 >/dev/null; echo ${PIPESTATUS[0]}"],
                       capture_output=True, text=True)
    netns.check(r.stdout.strip() == "0" and r.stderr == "",
                f"| head -1 ends quietly with 0: {r.stdout!r} {r.stderr!r}")
    for s in many:
        s.close()


held = make_sockets()
test_reports_each_socket()
test_bound_inactive()
test_same_selection_as_ss()
test_table_output()
test_ndjson()
test_save_load_round_trip()
test_usage_errors()
test_closed_pipe()
netns.finish("test_list")
