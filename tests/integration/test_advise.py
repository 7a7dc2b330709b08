#!/usr/bin/env python3
"""advise against real trouble, each scenario in its own network namespace
with its own sysctls:
  close-wait  a server that never closes accepted connections
  overflow    a listener with backlog 1 flooded, never accepting
  buckets     tcp_max_tw_buckets below the TIME_WAIT load
  unprivileged  run as nobody over a fixture tree with an unreadable file
  quiet       a healthy namespace: no advice, exit 0
  tw-reuse    TIME_WAIT to loopback that connect() reuses (tcp_tw_reuse=2)
  no-ports    ip_local_reserved_ports covering the whole range
  backlog0    listen(0) with one queued connection
  syn-queue   SYN_RECV (final ACKs dropped by nft) against each backlog
  autobound   listeners on a kernel-picked port are not port-overlap
  cw-client   a client leaking CLOSE_WAIT towards one server
  half-close  shutdown(SHUT_WR) towards a peer that leaks CLOSE_WAIT
  syn-sent-local  SYN_SENT piling up on a full local accept queue
  folklore    the sysctl.d/sysctl.conf audit over a fixture tree
  zero-window peers that stop reading: their window probes are answered,
              so they are alive, not dead
Usage: test_advise.py SOCKSCOPE [SCENARIO]"""
import errno
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
import tcpload  # noqa: E402


def advise(binary, *args, rc=3):
    r = netns.run([binary, "advise", "-j", *args], check_rc=rc)
    rep = json.loads(r.stdout)
    return {a["rule"]: a for a in rep["advice"]}, rep


def no_recycle(rep):
    acts = [x for a in rep["advice"] for x in a["actions"]]
    netns.check(not any("tcp_tw_recycle" in x for x in acts),
                f"no action names tcp_tw_recycle: {acts}")


def close_wait(binary):
    srv = socket.socket()
    srv.bind(("127.0.0.1", 9000))
    srv.listen(512)
    held = []
    t = threading.Thread(target=lambda: [held.append(srv.accept()[0])
                                         for _ in range(150)], daemon=True)
    t.start()
    tcpload.client_close_first(9000, 150)
    t.join(10)
    time.sleep(0.2)
    fired, rep = advise(binary, "--interval", "1")
    cw = fired.get("close-wait-leak")
    if netns.check(cw is not None, f"close-wait-leak fires: {list(fired)}"):
        netns.check(cw["severity"] == "warning", f"150 is a warning: {cw}")
        netns.check(cw.get("subject") == "local port 9000",
                    f"names where they are: {cw}")
        netns.check(cw["evidence"]["close_wait_here"] == 150 and
                    cw["evidence"]["persisting"] == 150, f"evidence: {cw}")
        netns.check(any("sockscope kill state close-wait sport = :9000" in a
                        for a in cw["actions"]), f"actions: {cw}")
        netns.check(any("close()" in a for a in cw["actions"]),
                    "the fix is in the application")
        netns.check(cw["source"].startswith("https://"), "source")
    # The clients' FIN_WAIT2 are orphans: the kernel times them out.
    netns.check("fin-wait2-stuck" not in fired, "orphaned FIN_WAIT2 is fine")
    no_recycle(rep)
    # With -p the owning process is named: this test holds the sockets.
    comm = open("/proc/self/comm").read().strip()
    fired, rep = advise(binary, "--interval", "0", "-p")
    cw = fired.get("close-wait-leak", {})
    netns.check(cw.get("subject") == f"{comm}[{os.getpid()}]" and
                cw.get("evidence", {}).get("pid") == os.getpid(),
                f"-p names the leaking process: {cw}")
    for c in held:
        c.close()


def overflow(binary):
    srv = socket.socket()
    srv.bind(("127.0.0.1", 9100))
    srv.listen(1)
    clients = []
    for _ in range(20):
        c = socket.socket()
        c.setblocking(False)
        c.connect_ex(("127.0.0.1", 9100))
        clients.append(c)
    time.sleep(0.5)
    s = json.loads(netns.run([binary, "-s", "-j", "-t"]).stdout)
    lst = s["listeners"][0]
    netns.check(lst["local"] == {"addr": "127.0.0.1", "port": 9100} and
                lst["send_q"] == 1 and lst["recv_q"] >= 2,
                f"summary shows the full queue: {lst}")
    fired, rep = advise(binary, "--interval", "2")
    with open("/proc/net/netstat") as f:
        lines = f.read().splitlines()
    names, vals = lines[0].split(), lines[1].split()
    kernel = int(vals[names.index("ListenOverflows")])
    ao = fired.get("accept-overflow")
    if netns.check(ao is not None, f"accept-overflow fires: {list(fired)}"):
        ev = ao["evidence"]
        netns.check(ao["severity"] in ("warning", "critical"), f"{ao}")
        netns.check(ao.get("subject") == "127.0.0.1:9100", f"listener: {ao}")
        netns.check(0 < ev["ListenOverflows"] <= kernel,
                    f"quotes ListenOverflows ({kernel}): {ev}")
        netns.check("ListenOverflows" in ao["message"], ao["message"])
        netns.check(ev["recv_q"] >= ev["send_q"] == 1, f"queue: {ev}")
        acts = " | ".join(ao["actions"])
        # A backlog of 1 is the application's, not somaxconn's cap.
        netns.check("net.core.somaxconn" not in acts and
                    "listen() backlog of 127.0.0.1:9100" in acts and
                    "SO_REUSEPORT" in acts and
                    "tcp_abort_on_overflow=0" in acts, acts)
    # With -p the listener's process is named.
    comm = open("/proc/self/comm").read().strip()
    fired, rep = advise(binary, "--interval", "0", "-p")
    ao = fired.get("accept-overflow", {})
    netns.check(f"({comm}[{os.getpid()}])" in " ".join(ao.get("actions", []))
                and ao.get("evidence", {}).get("pid") == os.getpid(),
                f"-p names the listener's process: {ao}")
    netns.check("rose by 0" not in ao.get("message", ""), f"{ao}")
    # Capped by somaxconn: then, and only then, raise it and restart.
    tcpload.set_sysctl("net.core.somaxconn", 2)
    srv2 = socket.socket()
    srv2.bind(("127.0.0.1", 9101))
    srv2.listen(64)
    more = []
    for _ in range(8):
        c = socket.socket()
        c.setblocking(False)
        c.connect_ex(("127.0.0.1", 9101))
        more.append(c)
    time.sleep(0.3)
    srv.close()
    fired, rep = advise(binary, "--interval", "0")
    ao = fired.get("accept-overflow", {})
    acts = " | ".join(ao.get("actions", []))
    netns.check(ao.get("subject") == "127.0.0.1:9101" and
                "sysctl -w net.core.somaxconn=" in acts and
                "then restart the service" in acts,
                f"capped by somaxconn: {ao}")
    for c in more:
        c.close()
    no_recycle(rep)
    for c in clients:
        c.close()


def isolated(argv):
    """argv in a private mount namespace where the sysctl.d directories
    and /etc/sysctl.conf are empty: the host's own tuning stays out."""
    script = ('for d in /etc/sysctl.d /run/sysctl.d /usr/local/lib/sysctl.d '
              '/usr/lib/sysctl.d /lib/sysctl.d; do [ -d "$d" ] && '
              'mount -t tmpfs none "$d"; done; [ -e /etc/sysctl.conf ] && '
              'mount --bind /dev/null /etc/sysctl.conf; exec "$@"')
    return ["unshare", "-m", "--propagation", "private", "sh", "-c", script,
            "sh", *netns.wrap(argv)]


def quiet(binary):
    """A healthy namespace: a listener, a few connections, nothing else."""
    server = tcpload.ClosingServer(8443)
    held = [socket.create_connection(("127.0.0.1", 8443)) for _ in range(5)]
    time.sleep(0.2)
    r = netns.run(isolated([binary, "advise", "-j", "--interval", "1"]),
                  check_rc=0, wrapped=False)
    rep = json.loads(r.stdout)
    netns.check(rep["advice"] == [] and rep["worst"] == "none",
                f"no advice on a healthy host: {rep['advice']}")
    r = netns.run(isolated([binary, "advise", "--interval", "0"]),
                  check_rc=0, wrapped=False)
    netns.check("no advice: every rule passed" in r.stdout, r.stdout)
    for c in held:
        c.close()
    server.close()


def tw_reuse(binary):
    """README's example: TIME_WAIT to loopback with the default
    tcp_tw_reuse=2. connect() takes them over: no pressure, no failure."""
    netns.check(tcpload.get_sysctl("net.ipv4.tcp_tw_reuse") == "2" and
                tcpload.get_sysctl("net.ipv4.tcp_timestamps") == "1",
                "namespace defaults: tcp_tw_reuse=2, timestamps on")
    tcpload.set_sysctl("net.ipv4.ip_local_port_range", "40000 40999")
    server = tcpload.ClosingServer(8080)
    tcpload.client_close_first(8080, 700)
    tcpload.wait_time_wait(700)
    netns.check(tcpload.wait_settled(), "all closes have settled")
    time.sleep(1.3)  # older than tcp_tw_reuse_delay (1000 ms)
    fired, rep = advise(binary, "--interval", "0", rc=0)
    netns.check("tuple-pressure" not in fired,
                f"reusable TIME_WAIT is no pressure: {fired.get('tuple-pressure')}")
    # The kernel agrees: 900 more connections fit in 1000 ports.
    done = tcpload.client_close_first(8080, 900)
    netns.check(done == 900, f"connect() reused TIME_WAIT tuples: {done}")
    # Without reuse the same TIME_WAIT holds the ports for 60 s.
    tcpload.set_sysctl("net.ipv4.tcp_tw_reuse", 0)
    fired, rep = advise(binary, "--interval", "0")
    tp = fired.get("tuple-pressure")
    if netns.check(tp is not None, f"tuple-pressure fires: {list(fired)}"):
        ev = tp["evidence"]
        netns.check(tp["severity"] == "critical" and
                    ev["time_wait_reusable"] == 0 and
                    ev["port_hold_seconds"] == 60 and
                    abs(ev["max_new_connections_per_second"] - 1000 / 60)
                    < 0.01, f"{tp}")
    server.close()


def no_ports(binary):
    """Zero usable ephemeral ports is a value: critical, and in Prometheus."""
    tcpload.set_sysctl("net.ipv4.ip_local_port_range", "40000 40009")
    tcpload.set_sysctl("net.ipv4.ip_local_reserved_ports", "40000-40009")
    srv = socket.socket()
    srv.bind(("127.0.0.1", 9000))
    srv.listen(8)
    c = socket.socket()
    err = c.connect_ex(("127.0.0.1", 9000))
    netns.check(err == errno.EADDRNOTAVAIL,
                f"the kernel has no port to give: {os.strerror(err)}")
    fired, rep = advise(binary, "--interval", "0")
    tp = fired.get("tuple-pressure", {})
    netns.check(tp.get("severity") == "critical" and
                tp["evidence"]["usable_ports"] == 0 and
                "EADDRNOTAVAIL" in tp["message"], f"critical: {tp}")
    prom = netns.run([binary, "advise", "--interval", "0", "--format",
                      "prometheus"], check_rc=3).stdout
    netns.check("sockscope_ephemeral_ports_usable 0\n" in prom and
                "sockscope_ephemeral_ports_max_tuple_ratio 1.0" in prom,
                "the metric says 0, not nothing")
    # summary says it too, in the table and in JSON.
    table = netns.run([binary, "summary"]).stdout
    netns.check("usable ephemeral ports: 0 (" in table,
                f"summary's table says 0 usable ports: {table!r}")
    eph = json.loads(netns.run([binary, "summary", "-j"]).stdout).get(
        "ephemeral_ports", {})
    netns.check(eph.get("usable") == 0 and
                eph.get("max_new_connections_per_second") == 0,
                f"summary -j says 0 usable ports: {eph}")
    c.close()
    srv.close()


def backlog0(binary):
    """listen(0) holds one connection: with it queued the queue is full."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 9150))
    srv.listen(0)
    c = socket.create_connection(("127.0.0.1", 9150))
    time.sleep(0.2)
    s = json.loads(netns.run([binary, "-s", "-j", "-t"]).stdout)
    lst = [x for x in s["listeners"] if x["local"]["port"] == 9150]
    netns.check(lst and lst[0]["recv_q"] == 1 and lst[0]["send_q"] == 0 and
                lst[0]["fill"] >= 1, f"a full queue is full: {lst}")
    fired, rep = advise(binary, "--interval", "0")
    ao = fired.get("accept-overflow", {})
    netns.check(ao.get("subject") == "127.0.0.1:9150" and
                ao.get("severity") == "warning", f"advice: {ao}")
    c.close()
    srv.close()


def nft(rules):
    if not shutil.which("nft"):
        netns.skip("needs nft(8)")
    subprocess.run(["nft", "-f", "-"], input=rules, text=True, check=True)


def syn_queue(binary):
    """SYN_RECV against each listener's own backlog. The final ACKs of
    the handshakes are dropped, so the requests stay in the SYN queue."""
    nft("table inet t {\n chain out {\n"
        "  type filter hook output priority 0;\n"
        "  tcp dport { 9300, 9301 } tcp flags & (syn | ack | fin | rst) == "
        "ack drop\n }\n}\n")
    tcpload.set_sysctl("net.ipv4.tcp_max_syn_backlog", 128)
    big = socket.socket()
    big.bind(("127.0.0.1", 9300))
    big.listen(4096)
    small = socket.socket()
    small.bind(("127.0.0.1", 9301))
    small.listen(8)
    clients = []
    for port, n in ((9300, 150), (9301, 7)):
        for _ in range(n):
            c = socket.socket()
            c.setblocking(False)
            c.connect_ex(("127.0.0.1", port))
            clients.append(c)
    time.sleep(0.5)
    # syncookies=1 (the default) and nothing dropped: no warning, and
    # tcp_max_syn_backlog, under the 150 SYN_RECV, is not the limit.
    fired, rep = advise(binary, "--interval", "1", rc=0)
    sq = fired.get("syn-queue")
    if netns.check(sq is not None, f"syn-queue notes it: {list(fired)}"):
        netns.check(sq["severity"] == "info" and
                    sq.get("subject") == "127.0.0.1:9301" and
                    sq["evidence"]["listener_syn_recv"] == 7 and
                    sq["evidence"]["listener_backlog"] == 8, f"{sq}")
        netns.check(not any("tcp_max_syn_backlog" in a
                            for a in sq["actions"]), f"{sq['actions']}")
    tcpload.set_sysctl("net.ipv4.tcp_syncookies", 0)
    fired, rep = advise(binary, "--interval", "0")
    sq = fired.get("syn-queue", {})
    netns.check(sq.get("severity") == "warning" and
                any("tcp_max_syn_backlog (now 128)" in a
                    for a in sq.get("actions", [])), f"cookies off: {sq}")
    for c in clients:
        c.close()


def autobound(binary):
    """A listener on a kernel-picked port (bind to port 0) reserves
    nothing: it is no port-overlap. A chosen port inside the range is."""
    lo, hi = map(int, tcpload.get_sysctl(
        "net.ipv4.ip_local_port_range").split())
    auto = socket.socket()
    auto.bind(("127.0.0.1", 0))
    auto.listen(8)
    port = auto.getsockname()[1]
    netns.check(lo <= port <= hi, f"autobound port {port} in range")
    fired, rep = advise(binary, "--interval", "0", rc=0)
    netns.check("port-overlap" not in fired, f"{fired.get('port-overlap')}")
    chosen = socket.socket()
    chosen.bind(("127.0.0.1", lo + 7 if lo + 7 != port else lo + 8))
    chosen.listen(8)
    fired, rep = advise(binary, "--interval", "0")
    po = fired.get("port-overlap", {})
    netns.check(po.get("evidence", {}).get("listening_ports_in_range") == 1
                and po["evidence"]["port"] == chosen.getsockname()[1],
                f"the chosen port only: {po}")
    auto.close()
    chosen.close()


class ServerClosesFirst:
    """Accepts and closes every connection at once (the client's socket
    then sits in CLOSE_WAIT until the client close()s it)."""

    def __init__(self, port):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(512)
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.stop = False
        self.thread.start()

    def _loop(self):
        self.sock.settimeout(0.1)
        while not self.stop:
            try:
                self.sock.accept()[0].close()
            except socket.timeout:
                pass

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


def cw_client(binary):
    """A client that never closes: 120 CLOSE_WAIT, each on its own
    ephemeral port, all towards one server."""
    server = ServerClosesFirst(9400)
    held = [socket.create_connection(("127.0.0.1", 9400))
            for _ in range(120)]
    time.sleep(0.5)
    fired, rep = advise(binary, "--interval", "0")
    cw = fired.get("close-wait-leak")
    if netns.check(cw is not None, f"close-wait-leak fires: {list(fired)}"):
        netns.check(cw.get("subject") == "peer 127.0.0.1:9400" and
                    cw["evidence"]["close_wait_here"] == 120,
                    f"grouped by peer, exact count: {cw}")
        netns.check(any("sockscope kill state close-wait dst "
                        "127.0.0.1:9400" in a for a in cw["actions"]),
                    f"scoped kill: {cw['actions']}")
        netns.check(not any(a.startswith("sockscope kill state close-wait "
                                         "frees") for a in cw["actions"]),
                    "never a bare state")
    comm = open("/proc/self/comm").read().strip()
    fired, rep = advise(binary, "--interval", "0", "-p")
    cw = fired.get("close-wait-leak", {})
    netns.check(cw.get("subject") == f"{comm}[{os.getpid()}]" and
                any(f"close-wait pid = {os.getpid()}" in a
                    for a in cw.get("actions", [])),
                f"-p: per process, kill scoped to its pid: {cw}")
    for c in held:
        c.close()
    server.close()


def half_close(binary):
    """shutdown(SHUT_WR) waits in FIN_WAIT2 for a peer that never closes:
    the peer's CLOSE_WAIT is the leak, and advise says so."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 9500))
    srv.listen(512)
    clients, accepted = [], []
    for _ in range(120):
        c = socket.create_connection(("127.0.0.1", 9500))
        accepted.append(srv.accept()[0])
        c.shutdown(socket.SHUT_WR)
        clients.append(c)
    time.sleep(0.5)
    fired, rep = advise(binary, "--interval", "0")
    fw = fired.get("fin-wait2-stuck")
    if netns.check(fw is not None, f"fin-wait2-stuck fires: {list(fired)}"):
        acts = " | ".join(fw["actions"])
        netns.check("half-close waits here for a peer that never close()s"
                    in acts and "this host holds some" in acts, acts)
        netns.check("sockscope kill state fin-wait-2 dst 127.0.0.1" in acts,
                    f"scoped kill: {acts}")
    netns.check(fired.get("close-wait-leak", {}).get("subject") ==
                "local port 9500", "the peer's leak is named too")
    for c in clients + accepted:
        c.close()
    srv.close()


def syn_sent_local(binary):
    """SYN_SENT towards a local listener whose accept queue is full: the
    queue drops the SYNs, the network is fine."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 9600))
    srv.listen(0)
    clients = []
    for _ in range(14):
        c = socket.socket()
        c.setblocking(False)
        c.connect_ex(("127.0.0.1", 9600))
        clients.append(c)
    time.sleep(0.5)
    fired, rep = advise(binary, "--interval", "0")
    ss = fired.get("syn-sent-pile", {})
    netns.check("listener 127.0.0.1:9600 has a full accept queue" in
                ss.get("message", "") and "unreachable" not in
                ss.get("message", ""), f"blames the queue: {ss}")
    for c in clients:
        c.close()
    srv.close()


def folklore(binary):
    """The sysctl.d audit over a fixture tree: every folklore line with
    file:line, printed escaped."""
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                        "fixtures", "advice-folklore")
    fired, rep = advise(binary, "--interval", "0", "--root", root)
    sf = fired.get("sysctl-folklore")
    if netns.check(sf is not None, f"sysctl-folklore fires: {list(fired)}"):
        acts = sf["actions"]
        netns.check(len(acts) == 10 and sf["evidence"]["lines"] == 10,
                    f"every line: {acts}")
        netns.check(any(a.startswith("/etc/sysctl.d/90-tuning.conf:3: "
                                     "net.ipv4.tcp_fin_timeout = 15")
                        for a in acts), f"{acts}")
    r = netns.run([binary, "advise", "--interval", "0", "--root", root],
                  check_rc=3)
    netns.check("\x1b" not in r.stdout and "\a" not in r.stdout,
                "file contents are printed escaped")
    netns.check("/etc/sysctl.conf:4: net.ipv4.tcp_fin_timeout = 30" in
                r.stdout, r.stdout)


def zero_window(binary):
    """Window probes that are answered reset their count (RFC 1122
    4.2.2.17, tcp_ack()): a live peer that does not read, not a dead one.
    (Unanswered probes, the dead case, take minutes of backoff: the unit
    test covers them.)"""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    srv.bind(("127.0.0.1", 9700))
    srv.listen(64)
    pairs = []
    for _ in range(12):
        c = socket.create_connection(("127.0.0.1", 9700))
        pairs.append((c, srv.accept()[0]))
        c.setblocking(False)
        try:
            while True:
                c.send(b"x" * 65536)
        except BlockingIOError:
            pass
    time.sleep(1.0)
    fired, rep = advise(binary, "--interval", "0", rc=0)
    dp = fired.get("dead-peer", {})
    netns.check("alive but do not read" in dp.get("message", "") and
                dp["evidence"]["zero_window_live_peer"] >= 10 and
                dp["evidence"]["sockets"] == 0, f"live peers: {dp}")
    for c, a in pairs:
        c.close()
        a.close()
    srv.close()


def buckets(binary):
    tcpload.set_sysctl("net.ipv4.tcp_max_tw_buckets", 100)
    tcpload.set_sysctl("net.ipv4.tcp_rfc1337", 1)
    server = tcpload.ClosingServer(8081)
    tcpload.client_close_first(8081, 400)
    tcpload.wait_time_wait(100)
    # Closes still in flight could enter TIME_WAIT during the dump.
    netns.check(tcpload.wait_settled(), "all closes have settled")
    fired, rep = advise(binary, "--interval", "0")
    tb = fired.get("tw-buckets")
    if netns.check(tb is not None, f"tw-buckets fires: {list(fired)}"):
        netns.check(tb["severity"] == "warning", f"at the limit: {tb}")
        netns.check(tb["evidence"]["tcp_max_tw_buckets"] == 100, f"{tb}")
        netns.check(80 <= tb["evidence"]["time_wait"] <= 100, f"{tb}")
        netns.check(tb["evidence"]["TCPTimeWaitOverflow"] >= 250,
                    f"the kernel counted the overflow: {tb}")
    churn = tcpload.Churn(8081)
    fired, rep = advise(binary, "--interval", "2")
    churn.close()
    tb = fired.get("tw-buckets")
    if netns.check(tb is not None, f"tw-buckets fires: {list(fired)}"):
        netns.check(tb["severity"] == "critical", f"rising overflow: {tb}")
        netns.check(tb["evidence"]["TCPTimeWaitOverflow_per_minute"] > 0,
                    f"{tb}")
        act = [a for a in tb["actions"]
               if a.startswith("sysctl -w net.ipv4.tcp_max_tw_buckets=")]
        netns.check(act and int(act[0].split("=")[1].split()[0]) > 100,
                    f"raise it, never lower: {tb['actions']}")
    no_recycle(rep)
    prom = netns.run([binary, "advise", "--interval", "0", "--format",
                      "prometheus"], check_rc=3).stdout
    netns.check('sockscope_advice_severity{rule="tw-buckets"} 2'
                in prom, "prometheus advice severity: 2, warning")
    if shutil.which("promtool"):
        r = subprocess.run(["promtool", "check", "metrics"], input=prom,
                           capture_output=True, text=True)
        netns.check(r.returncode == 0, f"promtool: {r.stdout}{r.stderr}")
    server.close()


def unprivileged(binary):
    """Without root: read what it can, name once what it could not."""
    if not shutil.which("setpriv"):
        netns.skip("needs setpriv(1)")
    fixtures = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "..", "fixtures", "advice-base")
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        root = os.path.join(tmp, "root")
        shutil.copytree(fixtures, root)
        hidden = os.path.join(root, "proc/sys/net/ipv4/tcp_max_tw_buckets")
        os.chmod(hidden, 0)
        exe = os.path.join(tmp, "sockscope")
        shutil.copy(binary, exe)
        os.chmod(exe, 0o755)
        r = netns.run(["setpriv", "--reuid=65534", "--regid=65534",
                       "--clear-groups", exe, "advise", "-j", "--interval",
                       "0", "--root", root], check_rc=0)
        lines = [x for x in r.stderr.splitlines() if x]
        netns.check(len(lines) == 1 and "tcp_max_tw_buckets" in lines[0]
                    and "Permission denied" in lines[0],
                    f"one line names the unreadable file: {r.stderr!r}")
        rep = json.loads(r.stdout)
        netns.check("tcp_max_tw_buckets" in rep.get("unreadable", ""),
                    f"JSON says it too: {rep.get('unreadable')}")
        netns.check(rep["kernel"] == "6.18.0-test", "the rest was read")


SCENARIOS = {"close-wait": close_wait, "overflow": overflow,
             "buckets": buckets, "unprivileged": unprivileged,
             "quiet": quiet, "tw-reuse": tw_reuse, "no-ports": no_ports,
             "backlog0": backlog0, "syn-queue": syn_queue,
             "autobound": autobound, "cw-client": cw_client,
             "half-close": half_close, "syn-sent-local": syn_sent_local,
             "folklore": folklore, "zero-window": zero_window}


def main():
    binary = sys.argv[1]
    if len(sys.argv) > 2:
        netns.enter()
        SCENARIOS[sys.argv[2]](binary)
        netns.finish("advise " + sys.argv[2])
    # One fresh namespace per scenario: no leftovers between them.
    for name in SCENARIOS:
        r = subprocess.run([sys.executable, os.path.abspath(__file__),
                            binary, name])
        if r.returncode == netns.SKIP:
            sys.exit(netns.SKIP)
        netns.check(r.returncode == 0, f"scenario {name}")
    netns.finish("advise")


if __name__ == "__main__":
    main()
