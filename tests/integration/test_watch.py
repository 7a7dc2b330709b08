"""sockscope watch: every close of a scripted workload reported exactly once
(TCP and UDP, IPv4 and IPv6: the four destroy groups), with the state the
kernel reports, the bytes the workload moved and the
lifetime where the watch saw the birth; filters; owners (-p); the stop
conditions (SIGINT, SIGTERM, --count, --duration); the formats (table
through a pipe, NDJSON, Prometheus); lost events counted exactly when the
receive buffer overflows.

argv[1] is sockscope, argv[2] the churn helper (bench/watch.sh's load).
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import netns

SOCKSCOPE, CHURN = sys.argv[1], sys.argv[2]
PORT, PORT2, PROBE = 7100, 7200, 7999
TCP_CONNS = 200
CHURN_PORT, CHURN_PROCS, CHURN_UDP = 7300, 2, 1


class Watch:
    """sockscope watch running, its stdout in a file read as it grows."""

    def __init__(self, *args, env=None):
        self.out = netns.Output()
        self.err = netns.Output()
        self.p = subprocess.Popen(
            netns.wrap([SOCKSCOPE, "watch", *args]), stdout=self.out,
            stderr=self.err, env=dict(os.environ, **(env or {})))

    def text(self):
        return self.out.text()

    def wait_for(self, needle, timeout=10.0):
        """Until needle shows in the output: a row is written as it comes."""
        end = time.time() + timeout
        while time.time() < end:
            if needle in self.text():
                return True
            time.sleep(0.05)
        return False

    def ready(self):
        """Close probe sockets until one is reported: the groups are
        joined and the first dump is done. self.probes: how many."""
        self.probes = 0
        for _ in range(100):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("127.0.0.1", PROBE))
            s.close()
            self.probes += 1
            if self.wait_for(f"{PROBE}", 0.1):
                return True
        return False

    def ready_prom(self):
        """As ready(), for --format prometheus --interval 0.5: a UDP
        close shows in the next exposition."""
        self.probes = 0
        for _ in range(40):
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()
            self.probes += 1
            if self.wait_for('protocol="udp"', 0.7):
                return True
        return False

    def stop(self, sig=signal.SIGINT):
        time.sleep(0.3)  # the kernel announces destroys from a workqueue
        self.p.send_signal(sig)
        rc = self.p.wait(timeout=10)
        err = self.err.text()
        netns.check(rc == 0, f"{sig.name} ends watch with 0, got {rc}: "
                    f"{err[-2000:]}")
        return rc, self.text(), err


def events(text):
    return [json.loads(x) for x in text.splitlines() if x.strip()]


def tcp_workload(port, n, family=socket.AF_INET, host="127.0.0.1",
                 base=20000):
    """n connections closed three ways; returns {client port: (sent, got)}
    and the server's ports are the listener's."""
    ls = socket.socket(family, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((host, port))
    ls.listen(512)
    moved = {}
    for i in range(n):
        c = socket.socket(family, socket.SOCK_STREAM)
        # A port of its own: an ephemeral one a reset freed could come
        # back for a later connection and make two sockets one key.
        c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        c.bind((host, base + i))
        c.connect((host, port))
        s, _ = ls.accept()
        sent, back = b"q" * (i * 7 + 1), b"r" * (i % 50)
        c.sendall(sent)
        got = b""
        while len(got) < len(sent):
            got += s.recv(65536)
        s.sendall(back)
        got = b""
        while len(got) < len(back):
            got += c.recv(65536)
        moved[c.getsockname()[1]] = (len(sent), len(back))
        if i % 3 == 0:
            c.close()
            s.close()
        elif i % 3 == 1:
            s.close()
            c.close()
        else:  # reset: SO_LINGER 0
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         b"\x01\x00\x00\x00\x00\x00\x00\x00")
            c.close()
            s.close()
    ls.close()
    return moved


def udp_workload(family=socket.AF_INET, host="127.0.0.1", nconn=10,
                 nbound=5, base=9000):
    """nconn connected UDP sockets and nbound bound ones on host, closed once
    all are made (so no two share a port: one closed first could hand its
    port on, and the checks key the closes by port); returns their ports.
    On ::1 it is the IPv6 UDP destroy group's workload."""
    conn, bound, held = set(), set(), []
    for i in range(nconn + nbound):
        u = socket.socket(family, socket.SOCK_DGRAM)
        u.bind((host, 0))
        if i < nconn:
            u.connect((host, base + i))
            conn.add(u.getsockname()[1])
        else:
            bound.add(u.getsockname()[1])
        held.append(u)
    for u in held:
        u.close()
    return conn, bound


def in_range(v, lo, extra):
    """The kernel counts sequence space: SYN and FIN add one each."""
    return v is not None and lo <= v <= lo + extra


def every_close_once():
    # Opened before the watch: its lifetime is unknown ("?" / null).
    ls = socket.create_server(("127.0.0.1", PORT2))
    old_c = socket.create_connection(("127.0.0.1", PORT2))
    old_s, _ = ls.accept()
    w = Watch("--format", "ndjson")
    if not netns.check(w.ready(), "watch reports the probe's close"):
        w.stop()
        return
    # Opened after the start, held 1.5 s: a known lifetime.
    young_c = socket.create_connection(("127.0.0.1", PORT2))
    young_s, _ = ls.accept()
    young_port = young_c.getsockname()[1]
    # Aborted by its owner after a dump saw it: the peer comes back.
    rst_c = socket.create_connection(("127.0.0.1", PORT2))
    rst_s, _ = ls.accept()
    rst_port = rst_c.getsockname()[1]
    time.sleep(1.5)
    young_c.close()
    young_s.close()
    rst_c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     b"\x01\x00\x00\x00\x00\x00\x00\x00")
    rst_c.close()
    rst_s.close()
    old_port = old_c.getsockname()[1]
    old_c.close()
    old_s.close()
    ls.close()
    moved = tcp_workload(PORT, TCP_CONNS)
    moved6 = tcp_workload(PORT, 20, socket.AF_INET6, "::1")
    conn, bound = udp_workload()
    conn6, bound6 = udp_workload(socket.AF_INET6, "::1", 4, 3, 9100)
    rc, out, err = w.stop()
    netns.check(rc == 0, f"SIGINT ends watch with 0, got {rc}: {err}")
    evs = events(out)
    netns.check(all(e.get("event") == "close" for e in evs),
                "only close events (no loss at this rate)")
    clients, servers = {}, {}
    for e in evs:
        if e["netid"] != "tcp":
            continue
        lp, pp = e["local"]["port"], e["peer"]["port"]
        if lp == PORT and pp:
            servers.setdefault((e["family"], pp), []).append(e)
        elif lp not in (PORT, PORT2):
            clients.setdefault((e["family"], lp), []).append(e)
    for fam, table in (("inet", moved), ("inet6", moved6)):
        for i, (port, (sent, back)) in enumerate(table.items()):
            c = clients.get((fam, port), [])
            s = servers.get((fam, port), [])
            if not netns.check(len(c) == 1 and len(s) == 1,
                               f"{fam} connection {port}: client reported "
                               f"{len(c)}x, server {len(s)}x"):
                continue
            c, s = c[0], s[0]
            netns.check(c["state"] == "CLOSE" and s["state"] == "CLOSE",
                        f"{port}: TCP sockets end in CLOSE: {c} {s}")
            netns.check(in_range(s.get("bytes_received"), sent, 1) and
                        in_range(s.get("bytes_acked"), back, 2),
                        f"{port}: server bytes {s} vs {sent}/{back}")
            if i % 3 == 2:
                # SO_LINGER 0: tcp_disconnect() clears the peer and the
                # counters before the socket is freed; no dump saw this
                # one to give the peer back.
                netns.check(c["peer"]["port"] == 0 and
                            c.get("bytes_acked") == 0,
                            f"{port}: a reset client as the kernel says: {c}")
                continue
            netns.check(c["peer"]["port"] == PORT and
                        in_range(c.get("bytes_acked"), sent, 2) and
                        in_range(c.get("bytes_received"), back, 1),
                        f"{port}: client bytes {c} vs sent {sent}/{back}")
    rst = clients.get(("inet", rst_port), [])
    netns.check(len(rst) == 1 and rst[0]["peer"]["port"] == PORT2 and
                rst[0]["peer"]["addr"] == "127.0.0.1",
                f"a reset socket a dump saw keeps its peer: {rst}")
    netns.check(len(clients) == len(moved) + len(moved6) + 3,
                f"no other client closes: {len(clients)}")
    listeners = [e for e in evs if e["netid"] == "tcp" and
                 e["local"]["port"] in (PORT, PORT2) and
                 e["peer"]["port"] == 0]
    netns.check(len(listeners) == 3 and
                [e["last_state"] for e in listeners
                 if e["local"]["port"] == PORT2] == ["LISTEN"],
                f"each listener's close once, last seen LISTEN: {listeners}")
    udp = {}
    for e in evs:
        if e["netid"] == "udp":
            udp.setdefault((e["family"], e["local"]["port"]), []).append(e)
    for fam, host, cports, bports in (("inet", "127.0.0.1", conn, bound),
                                      ("inet6", "::1", conn6, bound6)):
        for ports, state in ((cports, "ESTABLISHED"), (bports, "UNCONN")):
            for p in sorted(ports):
                got = udp.get((fam, p), [])
                netns.check(len(got) == 1 and got[0]["state"] == state and
                            got[0]["local"]["addr"] == host and
                            (state == "UNCONN" or
                             got[0]["peer"]["addr"] == host),
                            f"{fam} UDP {p} closes once as {state}: {got}")
    old = clients.get(("inet", old_port), [{}])[0]
    netns.check("lifetime_ms" in old and old["lifetime_ms"] is None,
                f"a socket older than the watch has no lifetime: {old}")
    young = clients.get(("inet", young_port), [{}])[0]
    life = young.get("lifetime_ms")
    netns.check(life is not None and 1500 <= life <= 1500 + 1000 + 1500,
                f"lifetime of a 1.5 s connection, within a refresh: {young}")
    netns.check(young.get("last_state") == "ESTABLISHED",
                f"a dump saw it ESTABLISHED: {young}")


def filters():
    w = Watch("--format", "ndjson", "-t", f"dport = :{PORT2}")
    w2 = Watch("--format", "ndjson", "-u", "state", "established")
    # Readiness: a probe each filter passes, left out of the expectations.
    ls = socket.create_server(("127.0.0.1", PORT2))
    for _ in range(100):
        c = socket.socket()
        c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        c.bind(("127.0.0.1", 21999))
        c.connect(("127.0.0.1", PORT2))
        ls.accept()[0].close()
        c.close()
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 21998))
        u.connect(("127.0.0.1", 9999))
        u.close()
        if w.wait_for("21999", 0.1) and w2.wait_for("21998", 0.1):
            break
    ls.close()
    probes = (21999, 21998)
    moved = tcp_workload(PORT2, 10, base=21000)
    tcp_workload(PORT, 10, base=21100)
    conn, bound = udp_workload()
    _, out, _ = w.stop(signal.SIGTERM)
    rc2, out2, _ = w2.stop(signal.SIGTERM)
    netns.check(rc2 == 0, "SIGTERM ends watch with 0")
    evs = events(out)
    # Not the reset ones: tcp_disconnect() cleared their peer (see above).
    kept = [p for i, p in enumerate(moved) if i % 3 != 2]
    netns.check(sorted(e["local"]["port"] for e in evs
                       if e["local"]["port"] not in probes) == sorted(kept),
                f"dport filter: only the client sockets to {PORT2}: "
                f"{[(e['local'], e['peer']) for e in evs]}")
    evs2 = events(out2)
    netns.check(sorted(e["local"]["port"] for e in evs2
                       if e["local"]["port"] not in probes) == sorted(conn)
                and all(e["netid"] == "udp" for e in evs2),
                f"-u state established: only connected UDP: {evs2}")


OWNED_PROBE = 7302


def owned_ready(w):
    """As Watch.ready() for a watch filtered by this process's pid: the
    probe must live across a dump (once a second) to have an owner. A
    slow start (a loaded machine, ASan) is waited for, not raced."""
    for _ in range(30):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", OWNED_PROBE))
        time.sleep(1.1)
        s.close()
        if w.wait_for(f"{OWNED_PROBE}", 1.0):
            return True
    return False


def owners_count_table():
    # -p: the owner a dump saw; the table through a pipe, row by row.
    # Bound before both start: their first dump sees it with its owner.
    c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    c.bind(("127.0.0.1", 7300))
    w = Watch("-p", "-n")
    wp = Watch("--format", "ndjson", "-u", "pid", "=", str(os.getpid()))
    netns.check(w.ready(), "table: the probe's row shows while running")
    netns.check(owned_ready(wp), "pid filter: a socket a dump saw shows")
    c.close()
    # Born and gone between two dumps: no owner known, pid cannot match.
    brief = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    brief.bind(("127.0.0.1", 7301))
    brief.close()
    _, outp, _ = wp.stop()
    netns.check([e["local"]["port"] for e in events(outp)
                 if e["local"]["port"] != OWNED_PROBE] == [7300],
                f"pid filter: the socket a dump saw with this pid: {outp}")
    netns.check(w.wait_for(f"pid={os.getpid()}"),
                "the row for a closed socket names its owner's pid")
    rc, out, _ = w.stop()
    lines = out.splitlines()
    netns.check(rc == 0 and lines[0].startswith("TIME") and
                "PROCESS" in lines[0], f"table header: {lines[:1]}")
    row = [x for x in lines if "127.0.0.1:7300" in x]
    netns.check(len(row) == 1 and "UNCONN" in row[0] and
                f"pid={os.getpid()}" in row[0], f"table row: {row}")
    # --count: stops by itself after N rows.
    p = subprocess.Popen(netns.wrap([SOCKSCOPE, "watch", "--format",
                                     "ndjson", "--count", "3", "-u"]),
                         stdout=subprocess.PIPE, text=True)
    # Closes until it stops by itself: a slow start (valgrind) may miss
    # the first ones, which is no count's business.
    end = time.time() + 60
    while p.poll() is None and time.time() < end:
        udp_workload()
        time.sleep(0.5)
    try:
        out, _ = p.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
    netns.check(p.returncode == 0 and len(events(out)) == 3,
                f"--count 3: three rows and exit 0: {p.returncode} {out!r}")
    t = time.time()
    r = netns.run([SOCKSCOPE, "watch", "--duration", "0.5"])
    netns.check(time.time() - t < 5 and r.stdout.startswith("TIME"),
                "--duration 0.5 ends watch by itself")


def prometheus():
    w = Watch("--format", "prometheus", "--interval", "0.5")
    netns.check(w.ready_prom(), "prometheus: a probe's close is counted")
    tcp_workload(PORT, 30, base=22000)
    rc, out, _ = w.stop()
    last = out.strip().split("\n\n")[-1]
    netns.check(rc == 0 and out.count("# TYPE sockscope_watch_closes_total")
                >= 2, "an exposition per interval and one at the end")
    last += "\n"
    netns.check('sockscope_watch_closes_total{protocol="tcp",state="close"} '
                "61\n" in last, f"61 TCP closes counted (30 pairs, the "
                f"listener): {last}")
    netns.check('sockscope_watch_closes_by_peer_total{peer="127.0.0.1"} '
                '60\n' in last and '{peer="0.0.0.0"}' in last and
                "sockscope_watch_overflows_total 0\n" in last,
                f"by peer, no overflow: {last}")


def burst(w):
    """Stop the reader, close many sockets, let it go on."""
    w.p.send_signal(signal.SIGSTOP)
    for _ in range(BURST):
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()
    time.sleep(0.5)
    w.p.send_signal(signal.SIGCONT)
    time.sleep(0.5)


BURST = 400


def prom_seen(text):
    """Closes counted plus events dropped, in the last complete exposition
    (each ends with an empty line)."""
    parts = text.split("\n\n")
    if len(parts) < 2:
        return None
    last = parts[-2]
    return sum(int(x) for x in re.findall(
        r"^sockscope_watch_(?:closes|dropped_events)_total(?:\{.*\})? "
        r"(\d+)$", last, re.M))


def lost_events():
    """A receive buffer as small as the kernel allows and a burst of
    closes while the watch is stopped: the kernel drops most of them, and
    watch says exactly how many (sk_drops), so every close of the burst is
    a row or counted lost, in each format. One watch at a time: each sees
    its own probes (told apart: their port, or counted before the burst)
    and its own burst, nothing else."""
    tiny = {"SOCKSCOPE_TEST_WATCH_RCVBUF": "1"}
    w = Watch("--format", "ndjson", env=tiny)
    if netns.check(w.ready(), "ndjson: the watch runs"):
        burst(w)
    _, out, _ = w.stop()
    evs = events(out)
    rows = [e for e in evs if e.get("event") == "close" and
            e["local"]["port"] != PROBE]
    lost = [e for e in evs if "lost" in e]
    netns.check(lost and all(e["lost"] >= 1 and "time" in e for e in lost),
                f"NDJSON: lost records after the overflow: {out[-300:]}")
    netns.check(len(rows) + sum(e["lost"] for e in lost) == BURST,
                f"NDJSON: each close a row or counted lost: {len(rows)} + "
                f"{sum(e['lost'] for e in lost)} != {BURST}")

    w = Watch("-H", env=tiny)
    if netns.check(w.ready(), "table: the watch runs"):
        burst(w)
    _, out, err = w.stop()
    rows = [x for x in out.splitlines() if x.strip() and
            f":{PROBE} " not in x]
    said = re.findall(r"^sockscope: watch: (\d+) events? dropped .*"
                      r"\((\d+) so far\)$", err, re.M)
    netns.check(said and int(said[-1][1]) ==
                sum(int(n) for n, _ in said),
                f"table: stderr lines say how many, and the total: {err}")
    lost = int(said[-1][1]) if said else 0
    netns.check(len(rows) + lost == BURST,
                f"table: each close a row or counted lost: {len(rows)} + "
                f"{lost} != {BURST}")

    w = Watch("--format", "prometheus", "--interval", "0.5", env=tiny)
    before = None
    if netns.check(w.ready_prom(), "prometheus: the watch runs"):
        time.sleep(1.2)  # two more expositions: every probe counted
        before = prom_seen(w.text())
        burst(w)
    _, out, _ = w.stop()
    last = out.strip().split("\n\n")[-1]
    over = re.search(r"^sockscope_watch_overflows_total (\d+)$", last, re.M)
    drop = re.search(r"^sockscope_watch_dropped_events_total (\d+)$", last,
                     re.M)
    netns.check(over and int(over.group(1)) > 0 and drop and
                int(drop.group(1)) >= int(over.group(1)),
                f"prometheus: overflows, and the events dropped: {last}")
    after = prom_seen(out)
    netns.check(before is not None and after is not None and
                after - before == BURST,
                f"prometheus: each close counted or dropped: {after} - "
                f"{before} != {BURST}: {last}")


def tcp_opens():
    """(ActiveOpens, PassiveOpens) of this namespace, from /proc/net/snmp."""
    with open("/proc/net/snmp") as f:
        names, vals = [x.split() for x in f if x.startswith("Tcp:")]
    return (int(vals[names.index("ActiveOpens")]),
            int(vals[names.index("PassiveOpens")]))


def churn_counted():
    """bench/watch.sh's check, small: under the churn helper every closed
    socket is one row (no cookie twice), and the rows plus the events the
    kernel dropped are the kernel's count (ActiveOpens + PassiveOpens: each
    opened socket is destroyed once; plus churn's listeners), which is
    churn's own (one connection per cycle, two sockets); the UDP sockets
    of its UDP worker, and its sink, are one row each. Run first, in a
    namespace no other test has used. A churn worker killed mid-cycle left
    a socket it had not connected yet: a real close, which watch reports
    and no counter counts (the bench's one close more); churn now stops
    its workers between two cycles."""
    w = Watch("--format", "ndjson")
    if not netns.check(w.ready(), "churn: the watch runs"):
        w.stop()
        return
    a0, p0 = tcp_opens()
    p = subprocess.Popen([CHURN, "--procs", str(CHURN_PROCS), "--udp",
                          str(CHURN_UDP), "--port", str(CHURN_PORT)],
                         stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    netns.check(p.stdout.readline().strip() == "READY", "churn started")
    time.sleep(0.5)
    p.stdin.close()  # EOF: the workers stop, the last line is exact
    last = p.stdout.read().split()  # cycles C errors E seconds S udp U
    netns.check(p.wait(timeout=30) == 0, "churn exits 0")
    _, out, _ = w.stop()
    a1, p1 = tcp_opens()
    cycles, errors, udp = int(last[1]), int(last[3]), int(last[7])
    rows = [e for e in events(out) if e.get("netid") == "tcp"]
    udp_rows = [e for e in events(out) if e.get("netid") == "udp" and
                e["local"]["port"] != PROBE]
    lost = sum(e.get("lost", 0) for e in events(out))
    kernel = (a1 - a0) + (p1 - p0) + CHURN_PROCS
    netns.check(errors == 0 and cycles > 100 and udp > 100,
                f"churn: {cycles} cycles, {udp} UDP sockets, {errors} "
                f"errors")
    netns.check(a1 - a0 == cycles and p1 - p0 == cycles,
                f"churn's count is the kernel's: {cycles} cycles, "
                f"ActiveOpens +{a1 - a0}, PassiveOpens +{p1 - p0}")
    netns.check(len({e["cookie"] for e in rows + udp_rows}) ==
                len(rows) + len(udp_rows),
                f"churn: no cookie twice in {len(rows) + len(udp_rows)} rows")
    extra = [e for e in rows if e["local"]["port"] == 0]
    netns.check(len(rows) + len(udp_rows) + lost ==
                kernel + udp + CHURN_UDP,
                f"churn: {len(rows)} TCP rows + {len(udp_rows)} UDP rows + "
                f"{lost} dropped != kernel {kernel} + churn's UDP "
                f"{udp + CHURN_UDP}; never bound: {extra[:3]}")
    netns.check(lost or (len(rows) == kernel and
                         len(udp_rows) == udp + CHURN_UDP),
                f"churn: TCP rows {len(rows)} (kernel {kernel}), UDP rows "
                f"{len(udp_rows)} (churn {udp + CHURN_UDP})")


def stop_drains_queue():
    """A stop tells every close queued before it, not one batch of them:
    closes pile up while the watch is stopped (a receive buffer with room
    for all), then SIGINT comes before it reads on. Each is a row, none
    is lost."""
    w = Watch("--format", "ndjson")
    if netns.check(w.ready(), "stop: the watch runs"):
        w.p.send_signal(signal.SIGSTOP)
        for _ in range(BURST):
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()
        time.sleep(0.5)  # announced from a workqueue, after RCU
        w.p.send_signal(signal.SIGINT)  # handled first thing on SIGCONT
        w.p.send_signal(signal.SIGCONT)
    rc, out, err = w.stop()
    rows = [e for e in events(out) if e.get("event") == "close" and
            e["local"]["port"] != PROBE]
    netns.check(len(rows) == BURST and "lost" not in out,
                f"stop: {len(rows)} of {BURST} queued closes told: "
                f"{out[-300:]}")


def meminfo_unknown():
    """Without the receive queue's size (SO_MEMINFO failed: strace makes
    every getsockopt fail) the stop reads one batch and says so; exit 0."""
    if not shutil.which("strace"):
        netns.skip("needs strace(1) to fail getsockopt")
    asan = os.environ.get("ASAN_OPTIONS", "")
    asan = f"ASAN_OPTIONS={asan}{':' if asan else ''}detect_leaks=0"
    r = netns.run(["strace", "-f", "-qq", "-o", "/dev/null", "-E", asan,
                   "-e", "trace=getsockopt", "-e",
                   "inject=getsockopt:error=ENOPROTOOPT", SOCKSCOPE,
                   "watch", "-H", "--duration", "0.3"])
    netns.check(r.stderr == "sockscope: watch: the receive queue's size is "
                "unknown (Protocol not available): one batch of what it "
                "holds is read at the stop\n",
                f"SO_MEMINFO failed: said at the stop: {r.stderr!r}")


def drain_fails():
    """A receive that fails in the stop's drain ends the run with its
    error alone, exit 1: no drop count is read after it, as after one in
    the loop. strace makes every poll return at once with nothing (the
    loop never receives) and every recvfrom (the watch's only one) fail;
    the closes pile up in a tiny buffer, most dropped, so the count would
    have been told."""
    if not shutil.which("strace"):
        netns.skip("needs strace(1) to fail recvfrom")
    asan = os.environ.get("ASAN_OPTIONS", "")
    asan = f"ASAN_OPTIONS={asan}{':' if asan else ''}detect_leaks=0"
    with tempfile.NamedTemporaryFile("r") as log, \
            tempfile.TemporaryFile("w+") as err:
        p = subprocess.Popen(netns.wrap(
            ["strace", "-f", "-qq", "-o", log.name, "-E", asan, "-e",
             "trace=poll,recvfrom", "-e", "inject=poll:retval=0", "-e",
             "inject=recvfrom:error=EIO", SOCKSCOPE, "watch", "-H"]),
            stdout=subprocess.DEVNULL, stderr=err,
            env=dict(os.environ, SOCKSCOPE_TEST_WATCH_RCVBUF="1"))
        pid = None
        for _ in range(200):  # the first poll: joined and dumped
            m = re.search(r"^(\d+) +poll\(", log.read(4096), re.M)
            log.seek(0)
            if m:
                pid = int(m.group(1))
                break
            time.sleep(0.05)
        if not netns.check(pid is not None, "drain: the watch polls"):
            p.kill()
            p.wait()
            return
        for _ in range(BURST):
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()
        time.sleep(0.5)  # announced from a workqueue, after RCU
        os.kill(pid, signal.SIGINT)
        rc = p.wait(timeout=10)
        err.seek(0)
        text = err.read()
    netns.check(rc == 1 and text == "sockscope: watch: Input/output "
                "error\n", f"drain: the error alone, exit 1: {rc} {text!r}")


def usage():
    r = netns.run([SOCKSCOPE, "watch", "-j"], check_rc=2)
    netns.check("ndjson" in r.stderr, f"-j: {r.stderr}")
    r = netns.run([SOCKSCOPE, "list", "--count", "2"], check_rc=2)
    netns.check("watch" in r.stderr, f"--count outside watch: {r.stderr}")


def main():
    netns.enter()
    usage()
    meminfo_unknown()
    drain_fails()
    churn_counted()
    every_close_once()
    filters()
    owners_count_table()
    prometheus()
    stop_drains_queue()
    lost_events()
    netns.finish("test_watch")


if __name__ == "__main__":
    main()
