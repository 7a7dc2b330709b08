"""Listings under churn: while the churn helper opens and closes thousands
of loopback connections per second (half of them leaving TIME_WAIT sockets
that the next connect recycles), sockscope lists repeatedly, in every
format. Each run must exit 0 with no sanitizer or valgrind report, print only
well-formed rows, and show every long-lived socket (listeners and
ESTABLISHED pairs held by this script for the whole test) exactly once.

argv[1] is sockscope, argv[2] the churn helper.
"""
import ipaddress
import json
import os
import resource
import socket
import subprocess
import sys
import time

import netns

SOCKSCOPE, CHURN = sys.argv[1], sys.argv[2]
STATES = {"ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
          "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING"}
V4_LISTEN = range(6000, 6016)
V6_LISTEN = range(6100, 6104)
V4_PAIRS, V6_PAIRS = 240, 40
CHURN_PORT = 7000
MIN_RATE = 1000
ROUNDS = 9
SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error:",
                   "UndefinedBehaviorSanitizer", "==ERROR", "Memcheck")


def wildcard(addr):
    return addr in ("*", "0.0.0.0", "::")


def key(laddr, lport, paddr, pport):
    """One socket's identity, the same whichever format it came from."""
    local = "*" if wildcard(laddr) else str(ipaddress.ip_address(laddr))
    peer = "*" if wildcard(paddr) else str(ipaddress.ip_address(paddr))
    return (local, port(lport), peer, port(pport))


def port(p):
    """Port 0 prints as '*' in the table, on either side: a socket the
    kernel caught while it was being closed shows CLOSE with both ports 0."""
    return 0 if p == "*" else int(p)


def hold_sockets():
    """Listeners and ESTABLISHED pairs that live as long as this script."""
    held, expect = [], {}
    for port in V4_LISTEN:
        s = socket.create_server(("127.0.0.1", port), backlog=256)
        held.append(s)
        expect[key("127.0.0.1", port, "*", 0)] = "LISTEN"
    for port in V6_LISTEN:
        s = socket.create_server(("::1", port), family=socket.AF_INET6,
                                 backlog=256)
        held.append(s)
        expect[key("::1", port, "*", 0)] = "LISTEN"
    plan = [(socket.AF_INET, "127.0.0.2", 20000 + i, "127.0.0.1",
             V4_LISTEN[i % len(V4_LISTEN)]) for i in range(V4_PAIRS)]
    plan += [(socket.AF_INET6, "::1", 21000 + i, "::1",
              V6_LISTEN[i % len(V6_LISTEN)]) for i in range(V6_PAIRS)]
    listeners = {s.getsockname()[1]: s for s in held}
    for fam, caddr, cport, saddr, sport in plan:
        c = socket.socket(fam, socket.SOCK_STREAM)
        c.bind((caddr, cport))
        c.connect((saddr, sport))
        a, _ = listeners[sport].accept()
        held += [c, a]
        expect[key(caddr, cport, saddr, sport)] = "ESTABLISHED"
        expect[key(saddr, sport, caddr, cport)] = "ESTABLISHED"
    return held, expect


def split_endpoint(text):
    """'1.2.3.4:80', '[::1]:80' or '*:*' -> (addr, port); ValueError if bad."""
    if text.startswith("["):
        addr, _, port = text[1:].rpartition("]:")
    else:
        addr, _, port = text.rpartition(":")
    if not wildcard(addr):
        ipaddress.ip_address(addr)
    if port != "*" and not 0 <= int(port) <= 65535:
        raise ValueError(f"port {port}")
    return addr, port


def table_rows(out, what):
    """[(key, state)] from -tan output; checks every line's shape."""
    lines = out.splitlines()
    netns.check(lines and lines[0].split()[0] == "State", f"{what}: header")
    rows = []
    for line in lines[1:]:
        f = line.split()
        try:
            if len(f) != 5 or f[0] not in STATES:
                raise ValueError("columns/state")
            int(f[1]), int(f[2])
            laddr, lport = split_endpoint(f[3])
            paddr, pport = split_endpoint(f[4])
            rows.append((key(laddr, lport, paddr, pport), f[0]))
        except ValueError as e:
            netns.check(False, f"{what}: malformed row {line!r} ({e})")
    return rows


def object_row(o, what):
    try:
        if o["state"] not in STATES or o["netid"] != "tcp":
            raise ValueError("state/netid")
        for end in (o["local"], o["peer"]):
            ipaddress.ip_address(end["addr"])
            if not 0 <= int(end["port"]) <= 65535:
                raise ValueError("port")
        return (key(o["local"]["addr"], o["local"]["port"],
                    o["peer"]["addr"], o["peer"]["port"]), o["state"])
    except (KeyError, TypeError, ValueError) as e:
        netns.check(False, f"{what}: malformed object {o!r} ({e!r})")
        return None


def json_rows(out, what):
    try:
        objs = json.loads(out)
    except ValueError as e:
        netns.check(False, f"{what}: JSON does not parse: {e}")
        return []
    return [r for r in (object_row(o, what) for o in objs) if r]


def ndjson_rows(out, what):
    rows = []
    for line in out.splitlines():
        try:
            r = object_row(json.loads(line), what)
        except ValueError as e:
            netns.check(False, f"{what}: NDJSON line does not parse: {e}")
            continue
        if r:
            rows.append(r)
    return rows


RUNS = [0]


def run(args, what):
    RUNS[0] += 1
    r = subprocess.run(netns.wrap([SOCKSCOPE, *args]), capture_output=True,
                       text=True)
    netns.check(r.returncode == 0, f"{what}: exit {r.returncode}: {r.stderr}")
    bad = [m for m in SANITIZER_MARKS if m in r.stderr]
    netns.check(not bad, f"{what}: sanitizer/valgrind report:\n{r.stderr}")
    if r.stderr and not bad:
        print(f"{what}: stderr: {r.stderr.strip()}", file=sys.stderr)
    return r.stdout


def exactly_once(rows, expect, what):
    """Every long-lived socket appears once, in its state."""
    seen = {}
    for k, state in rows:
        if k in expect:
            seen.setdefault(k, []).append(state)
    bad = {k: seen.get(k, []) for k, state in expect.items()
           if seen.get(k) != [state]}
    netns.check(not bad, f"{what}: long-lived sockets not seen exactly once "
                f"({len(bad)} of {len(expect)}), e.g. "
                f"{list(bad.items())[:5]}")


def list_round(expect, n, stats):
    """One run of each listing; returns how many TIME_WAIT rows it saw."""
    tw = 0
    for args, parse in ((["-tan"], table_rows), (["-tan", "-j"], json_rows),
                        (["-ta", "--format", "ndjson"], ndjson_rows)):
        what = f"round {n}: {' '.join(args)}"
        rows = parse(run(args, what), what)
        exactly_once(rows, expect, what)
        tw += sum(1 for _, s in rows if s == "TIME_WAIT")
        stats["rows"] += len(rows)
    summary = run(["summary", "-j"], f"round {n}: summary -j")
    try:
        st = json.loads(summary)["tcp"]["states"]
        netns.check(st["LISTEN"]["total"] == len(V4_LISTEN) + len(V6_LISTEN) + 1,
                    f"round {n}: summary LISTEN {st['LISTEN']}")
        netns.check(st["ESTABLISHED"]["total"] >= 2 * (V4_PAIRS + V6_PAIRS),
                    f"round {n}: summary ESTABLISHED {st['ESTABLISHED']}")
    except (ValueError, KeyError, TypeError) as e:
        netns.check(False, f"round {n}: summary -j: {e!r}: {summary[:200]}")
    return tw


def details_round(expect, n):
    """Extensions (-eomi) and the /proc walk (-p) race with dying sockets
    and closing descriptors: the churn helper closes its fds all the time."""
    what = f"round {n}: -tan -j -eomi"
    exactly_once(json_rows(run(["-tan", "-j", "-eomi"], what), what), expect,
                 what)
    if n % 3:
        return
    what = f"round {n}: -tanp -j"
    out = run(["-tanp", "-j"], what)
    rows = json_rows(out, what)
    exactly_once(rows, expect, what)
    try:
        mine = [o for o in json.loads(out) if object_row(o, what)[0] in expect]
    except (ValueError, TypeError):
        mine = []
    pid = os.getpid()
    netns.check(mine and all(pid in [x["pid"] for x in o.get("process", [])]
                             for o in mine),
                f"{what}: long-lived sockets without this process")


def filtered_round(expect, n):
    """Filters under churn: exact for the long-lived, sane for the churn."""
    port = V4_LISTEN[n % len(V4_LISTEN)]
    what = f"round {n}: state established ( sport = :{port} )"
    rows = json_rows(run(["-tan", "-j", "state", "established",
                          f"( sport = :{port} )"], what), what)
    want = {k for k, s in expect.items() if s == "ESTABLISHED" and k[1] == port}
    netns.check(sorted(k for k, _ in rows) == sorted(want),
                f"{what}: got {len(rows)} rows, want exactly {len(want)}")
    # Churn sockets die between the kernel's state check and the row it
    # sends (they show up as CLOSE): those rows must not be printed.
    what = f"round {n}: state established"
    rows = table_rows(run(["-tan", "state", "established"], what), what)
    bad = [(k, s) for k, s in rows if s != "ESTABLISHED"]
    netns.check(not bad, f"{what}: rows in other states: {bad[:5]}")
    exactly_once(rows, {k: s for k, s in expect.items()
                        if s == "ESTABLISHED"}, what)
    what = f"round {n}: state time-wait"
    rows = table_rows(run(["-tan", "state", "time-wait"], what), what)
    netns.check(all(s == "TIME_WAIT" for _, s in rows), f"{what}: other states")
    what = f"round {n}: dport = :{CHURN_PORT}"
    rows = table_rows(run(["-tan", f"dport = :{CHURN_PORT}"], what), what)
    bad = [(k, s) for k, s in rows if k[3] != CHURN_PORT]
    netns.check(not bad, f"{what}: rows with another peer port: {bad[:5]}")


def churn_stat(p):
    p.stdin.write("\n")
    p.stdin.flush()
    f = p.stdout.readline().split()  # cycles C errors E seconds S
    return int(f[1]), int(f[3]), float(f[5])


def main():
    netns.enter()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    held, expect = hold_sockets()
    p = subprocess.Popen([CHURN, "--port", str(CHURN_PORT)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         text=True)
    try:
        netns.check(p.stdout.readline().strip() == "READY", "churn started")
        time.sleep(0.5)  # let TIME_WAIT sockets build up
        c0, e0, t0 = churn_stat(p)
        stats = {"rows": 0}
        tw = 0
        for n in range(ROUNDS):
            tw += list_round(expect, n, stats)
            filtered_round(expect, n)
            details_round(expect, n)
        c1, e1, t1 = churn_stat(p)
    finally:
        p.stdin.close()
        p.wait()
    rate = (c1 - c0) / (t1 - t0)
    print(f"churn: {c1 - c0} connect/accept/close cycles in {t1 - t0:.1f} s "
          f"while listing = {rate:.0f}/s ({e1 - e0} failed cycles); "
          f"{RUNS[0]} listings, {stats['rows']} rows, {tw} TIME_WAIT rows; "
          f"{len(expect)} long-lived sockets")
    netns.check(rate >= MIN_RATE, f"churn rate {rate:.0f}/s < {MIN_RATE}/s: "
                "the test did not churn")
    netns.check(e1 - e0 <= (c1 - c0) // 100, f"churn: {e1 - e0} failed cycles")
    netns.check(tw > 0, "no TIME_WAIT socket seen under churn")
    for s in held:
        s.close()
    netns.finish("churn")


if __name__ == "__main__":
    main()
