#!/usr/bin/env python3
"""Socket details: -p, -o, -i, -N, --all-netns and kill, on real sockets in a
private network namespace. argv[1] is the sockscope binary."""
import errno
import json
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
from netns import check, run  # noqa: E402

EVIL = "\x1b[31mevil"

# A process that holds one listening socket on a chosen fd under a chosen
# name (set through /proc/self/comm, as prctl(PR_SET_NAME) does), says
# "ready" and waits for its stdin to close.
HOLDER = r"""
import os, socket, sys
port, fd, name = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", port))
s.listen()
os.dup2(s.fileno(), fd)
s.close()
with open("/proc/self/comm", "w") as f:
    f.write(name)
print("ready", flush=True)
sys.stdin.read()
"""


def holder(port, fd, name, prefix=()):
    p = subprocess.Popen([*prefix, sys.executable, "-c", HOLDER, str(port),
                          str(fd), name], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    if p.stdout.readline().strip() != "ready":
        netns.fail(f"holder on port {port} did not start")
    return p


def stop(p):
    p.stdin.close()
    p.wait(timeout=10)


def rows(binary, *args):
    return netns.sockscope_json(binary, *args)


def by_port(items, port):
    return [s for s in items if s["local"]["port"] == port]


def test_processes(binary):
    plain = holder(5555, 42, "sockhelper")
    evil = holder(5556, 43, EVIL)
    try:
        items = rows(binary, "-tlnp")
        mine = by_port(items, 5555)
        check(len(mine) == 1, f"-p: one listener on 5555, got {mine}")
        if mine:
            check(mine[0]["process"] == [{"name": "sockhelper",
                                          "pid": plain.pid, "fd": 42}],
                  f"-p: owner of 5555 is sockhelper/{plain.pid}/42: "
                  f"{mine[0].get('process')}")
        bad = by_port(items, 5556)
        check(len(bad) == 1 and bad[0]["process"] ==
              [{"name": EVIL, "pid": evil.pid, "fd": 43}],
              f"-p json: the escape name round-trips as data: {bad}")
        raw = subprocess.run(netns.wrap([binary, "-tlnp"]),
                             capture_output=True).stdout
        check(b"\x1b" not in raw, "-p table: no raw ESC byte on stdout")
        want = f'users:(("\\x1b[31mevil",pid={evil.pid},fd=43))'.encode()
        check(want in raw, f"-p table: escaped name shown: {raw!r}")
        want = f'users:(("sockhelper",pid={plain.pid},fd=42))'.encode()
        check(want in raw, "-p table: plain owner shown")
        check(b"Process" in raw.splitlines()[0], "-p table: Process header")
        rawj = subprocess.run(netns.wrap([binary, "-j", "-tlnp"]),
                              capture_output=True).stdout
        check(b"\x1b" not in rawj, "-p json: no raw ESC byte on stdout")
        check(all("process" not in s for s in rows(binary, "-tln")),
              "without -p there is no process block")
        test_not_root_notice(binary)
    finally:
        stop(plain)
        stop(evil)


def test_not_root_notice(binary):
    r = subprocess.run(netns.wrap(["setpriv", "--reuid=65534",
                                   "--regid=65534", "--clear-groups", binary,
                                   "-tlnp"]),
                       capture_output=True, text=True)
    check(r.returncode == 0, f"-p as nobody exits 0: {r.stderr}")
    check(r.stderr.count("only your own processes") == 1,
          f"-p as nobody: one notice: {r.stderr!r}")
    check("sockhelper" not in r.stdout,
          "-p as nobody: root's processes are not shown")


def tcp_pair(port):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen()
    cli = socket.create_connection(("127.0.0.1", port))
    acc, _ = srv.accept()
    srv.close()
    return cli, acc


def test_timewait_timer(binary):
    cli, acc = tcp_pair(6001)
    cli.close()  # the client closes first: it ends in TIME_WAIT
    acc.close()
    time.sleep(0.2)

    def timer():
        tw = [s for s in rows(binary, "-tano", "state", "time-wait")
              if s["peer"]["port"] == 6001]
        return tw[0]["timer"] if len(tw) == 1 else None

    t1 = timer()
    time.sleep(1.5)
    t2 = timer()
    check(t1 is not None and t2 is not None, "-o: the TIME_WAIT socket shows")
    if t1 and t2:
        check(t1["name"] == "timewait", f"-o: timer name timewait: {t1}")
        check(0 < t1["expires_ms"] <= 60000, f"-o: at most 60 s left: {t1}")
        check(t1["expires_ms"] - t2["expires_ms"] >= 1000,
              f"-o: the timer counts down: {t1} then {t2}")
    out = run([binary, "-tano", "state", "time-wait"]).stdout
    check("timer:(timewait," in out, f"-o table: timer text: {out}")


def test_extended_timers(binary):
    """-e implies -o, as in ss: the TIME_WAIT timer shows with -e alone."""
    cli, acc = tcp_pair(6005)
    cli.close()
    acc.close()
    time.sleep(0.2)
    tw = [s for s in rows(binary, "-tane", "state", "time-wait")
          if s["peer"]["port"] == 6005]
    check(len(tw) == 1 and tw[0].get("timer", {}).get("name") == "timewait",
          f"-e json: the timer block comes with -e: {tw}")
    out = run([binary, "-tane", "state", "time-wait"]).stdout
    check("timer:(timewait," in out, f"-e table: timer text: {out}")


def kernel_at_least(major, minor):
    rel = os.uname().release.split(".")
    return (int(rel[0]), int(rel[1].split("-")[0])) >= (major, minor)


def test_tcp_info(binary):
    cli, acc = tcp_pair(6002)
    for _ in range(20):
        cli.sendall(b"x" * 1000)
        acc.recv(4096)
        acc.sendall(b"y")
        cli.recv(1)
    with open("/proc/sys/net/ipv4/tcp_congestion_control") as f:
        cc = f.read().strip()
    try:
        mine = [s for s in rows(binary, "-tni")
                if s["local"]["port"] == 6002 or s["peer"]["port"] == 6002]
        check(len(mine) == 2, f"-i: both ends listed: {len(mine)}")
        for s in mine:
            ti = s.get("tcp_info", {})
            check(0 < ti.get("rtt_us", 0) < 1000000,
                  f"-i: plausible rtt on loopback: {ti.get('rtt_us')}")
            check(ti.get("congestion") == cc,
                  f"-i: congestion control {cc}: {ti.get('congestion')}")
            check(ti.get("snd_cwnd", 0) > 0, "-i: a congestion window")
        check(sum(s["tcp_info"]["bytes_acked"] for s in mine) >= 20000,
              "-i: the bytes sent were acknowledged")
        out = run([binary, "-tni", "state", "established"]).stdout
        check(f" {cc} " in out and " rtt:" in out,
              f"-i table: congestion control and rtt: {out}")
        check(all("tcp_info" not in s for s in rows(binary, "-tn")),
              "without -i there is no tcp_info block")
    finally:
        cli.close()
        acc.close()


def info_line(out, port):
    """The detail text of the table row whose peer port is port."""
    for line in out.splitlines():
        f = line.split()
        if len(f) > 5 and f[4].endswith(f":{port}"):
            return f[5:]
    for i, line in enumerate(lines := out.splitlines()):  # ss: next line
        f = line.split()
        if len(f) == 5 and f[4].endswith(f":{port}") and i + 1 < len(lines):
            return lines[i + 1].split()
    return None


def ss_tokens(words):
    """ss's detail words as comparable items: "key:value", flags, and
    "send"/"pacing_rate"/"delivery_rate" joined with their rate. The
    last*: times move between two runs and are left out."""
    items, skip = set(), False
    for i, w in enumerate(words):
        if skip:
            skip = False
            continue
        if w in ("send", "pacing_rate", "delivery_rate") and i + 1 < len(
                words):
            items.add(f"{w} {words[i + 1]}")
            skip = True
        elif not w.startswith(("lastsnd:", "lastrcv:", "lastack:")):
            items.add(w)
    return items


def test_tcp_info_vs_ss(binary):
    """-i on a real connection: every field ss prints, as ss prints it
    (ts/sack with -o, raw bps with -n); Linux 6.2+ fields too; no
    sentinel on a listener or a SYN_SENT socket."""
    cli, acc = tcp_pair(40123)
    for _ in range(20):
        cli.sendall(b"x" * 1000)
        acc.recv(4096)
        acc.sendall(b"y")
        cli.recv(1)
    time.sleep(0.3)
    try:
        if netns.have_ss():
            for args in (["-tnio"], ["-ti"]):
                for attempt in range(3):
                    mine = info_line(run([binary, *args]).stdout, 40123)
                    theirs = info_line(
                        run(netns.ss(*args), wrapped=False).stdout, 40123)
                    missing = ss_tokens(theirs or []) - set(mine or [])
                    joined = " ".join(mine or [])
                    missing = {m for m in missing if m not in joined}
                    if not missing:
                        break
                    time.sleep(0.2)
                check(theirs and mine and not missing,
                      f"-i {args}: what ss prints, sockscope prints: "
                      f"missing {sorted(missing)}\nss: {theirs}\n"
                      f"sockscope: {mine}")
        out = run([binary, "-tnio"]).stdout
        words = info_line(out, 40123) or []
        check("ts" in words and "sack" in words,
              f"-io: the ts and sack flags: {words}")
        if kernel_at_least(6, 2):
            check(any(w.startswith("rcv_wnd:") for w in words),
                  f"-i: rcv_wnd on Linux 6.2+: {words}")
        est = [s for s in rows(binary, "-tni")
               if s["peer"]["port"] == 40123]
        ti = est[0]["tcp_info"] if est else {}
        check("rcv_wnd" in ti and "rehash" in ti or not kernel_at_least(6, 2),
              f"-i json: rcv_wnd and rehash decoded: {sorted(ti)}")
        check("total_rto" in ti and "total_rto_time_ms" in ti
              or not kernel_at_least(6, 7),
              f"-i json: total_rto* decoded: {sorted(ti)}")
        check(ti.get("pacing_rate_bps", 0) > 0 and "send_bps" in ti,
              f"-i json: rates in bits per second: {ti}")
    finally:
        cli.close()
        acc.close()


def test_tcp_info_sentinels(binary):
    """A listener (pacing rates UINT64_MAX) and a SYN_SENT socket (min_rtt
    UINT32_MAX, no RTT sample): no sentinel in the table or JSON."""
    # a veth whose peer answers nothing; a permanent neighbour entry, so
    # the SYN is sent and retransmitted (SYN_SENT for tcp_syn_retries,
    # about two minutes) instead of failing when ARP gives up after 3 s,
    # which a slow run (valgrind) outlasts
    if run(["ip", "link", "add", "ti0", "type", "veth", "peer", "name",
            "ti1"], check_rc=None, wrapped=False).returncode:
        netns.skip("needs a veth pair for a SYN_SENT socket")
    run(["ip", "addr", "add", "10.9.9.1/24", "dev", "ti0"], wrapped=False)
    run(["ip", "link", "set", "ti0", "up"], wrapped=False)
    run(["ip", "neigh", "add", "10.9.9.2", "lladdr", "02:00:00:00:00:02",
         "dev", "ti0", "nud", "permanent"], wrapped=False)
    lis = socket.socket()
    lis.bind(("127.0.0.1", 6004))
    lis.listen()
    syn = socket.socket()
    syn.setblocking(False)
    try:
        syn.connect_ex(("10.9.9.2", 6004))
        time.sleep(0.1)
        table = run([binary, "-tani"]).stdout
        js = run([binary, "-tanij"]).stdout
        check("SYN_SENT" in table, f"a SYN_SENT socket: {table}")
        for what, text in (("table", table), ("json", js)):
            check("4294967295" not in text and "4.29497e" not in text
                  and "18446744073709551615" not in text
                  and "1.84467e" not in text and "147Ebps" not in text,
                  f"-i {what}: no kernel sentinel: {text}")
        items = json.loads(js)
        lst = [s for s in items if s["state"] == "LISTEN"]
        check(lst and "pacing_rate" not in lst[0]["tcp_info"]
              and "sacked" not in lst[0]["tcp_info"],
              f"-i json: listener without pacing rate or sacked: {lst}")
        sent = [s for s in items if s["state"] == "SYN_SENT"]
        check(sent and "min_rtt_us" not in sent[0]["tcp_info"],
              f"-i json: SYN_SENT without min_rtt: {sent}")
    finally:
        syn.close()
        lis.close()
        run(["ip", "link", "del", "ti0"], wrapped=False)


def test_netns_path(binary):
    """-N /proc/PID/ns/net of an `unshare -n` child."""
    here = holder(5557, 44, "herehelper")
    there = holder(7777, 45, "therehelper", prefix=("unshare", "-n"))
    try:
        path = f"/proc/{there.pid}/ns/net"
        items = rows(binary, "-tln", "-N", path)
        check(len(by_port(items, 7777)) == 1, f"-N PATH lists 7777: {items}")
        check(not by_port(items, 5557), "-N PATH does not list the current")
        ino = os.stat(path).st_ino
        check(all(s.get("netns") == {"inode": ino, "label": path,
                                     "kind": "path", "pid": None}
                  for s in items),
              f"-N PATH: rows tagged with the namespace: {items}")
        items = rows(binary, "-tln")
        check(by_port(items, 5557) and not by_port(items, 7777),
              "without -N: the current namespace only")
        r = run([binary, "-N", "/etc/hostname", "-tln"], check_rc=1)
        check("not a network namespace" in r.stderr,
              f"-N on a plain file: {r.stderr}")
    finally:
        stop(here)
        stop(there)


# Runs under `unshare -m` with a private /run: `ip netns add` there
# touches nothing outside this test.
NAMED = r"""
import json, os, shlex, subprocess, sys
binary, holder = sys.argv[1], sys.argv[2]
wrapper = shlex.split(os.environ.get("SOCKSCOPE_TEST_WRAPPER", ""))
subprocess.run(["mount", "--make-rprivate", "/"], check=True)
subprocess.run(["mount", "-t", "tmpfs", "sockscope-test", "/run"], check=True)
subprocess.run(["ip", "netns", "add", "sstest"], check=True)
p = subprocess.Popen(["ip", "netns", "exec", "sstest", sys.executable, "-c",
                      holder, "8888", "46", "namedhelper"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
assert p.stdout.readline().strip() == "ready"
out = {}
def grab(key, *args):
    r = subprocess.run([*wrapper, binary, *args], capture_output=True,
                       text=True)
    out[key] = {"rc": r.returncode, "stdout": r.stdout, "stderr": r.stderr}
grab("named", "-j", "-tln", "-N", "sstest")
grab("all", "-j", "-tln", "--all-netns")
grab("all_table", "-tln", "--all-netns")
grab("missing", "-tln", "-N", "nosuch")
grab("dotdot", "-tln", "-N", "..")
p.stdin.close()
p.wait()
subprocess.run(["ip", "netns", "del", "sstest"], check=True)
print(json.dumps(out))
"""


def test_netns_named(binary):
    here = holder(5558, 47, "herehelper")
    try:
        # Its own /proc too: --all-netns walks every process's namespace.
        r = run(["unshare", "-m", "-p", "-f", "--mount-proc",
                 sys.executable, "-c", NAMED, binary, HOLDER], wrapped=False)
        out = json.loads(r.stdout)
    finally:
        stop(here)
    named = json.loads(out["named"]["stdout"])
    check(len(by_port(named, 8888)) == 1 and not by_port(named, 5558),
          f"-N NAME lists the named namespace only: {named}")
    check(named and all(s.get("netns", {}).get("label") == "sstest" and
                        s["netns"]["kind"] == "named" and
                        s["netns"]["inode"] > 0 for s in named),
          f"-N NAME: rows tagged: {named}")
    every = json.loads(out["all"]["stdout"])
    check([(s["netns"]["label"], s["netns"]["kind"])
           for s in by_port(every, 8888)] == [("sstest", "named")],
          f"--all-netns: 8888 tagged sstest: {every}")
    check([(s["netns"]["label"], s["netns"]["kind"])
           for s in by_port(every, 5558)] == [("-", "current")],
          f"--all-netns: the current namespace tagged '-': {every}")
    check(by_port(named, 8888)[0]["netns"]["inode"] ==
          by_port(every, 8888)[0]["netns"]["inode"] !=
          by_port(every, 5558)[0]["netns"]["inode"],
          f"the namespaces' inodes: {named} {every}")
    table = out["all_table"]["stdout"].splitlines()
    check(table and table[0].startswith("Netns"), "--all-netns: Netns column")
    check(any(l.startswith("sstest ") and ":8888" in l for l in table),
          f"--all-netns table: {table}")
    check(any(l.startswith("- ") and ":5558" in l for l in table),
          f"--all-netns table: current namespace as '-': {table}")
    check(out["missing"]["rc"] == 1 and "nosuch" in out["missing"]["stderr"],
          f"-N nosuch fails with a message: {out['missing']}")
    check(out["dotdot"]["rc"] == 1, f"-N .. refused: {out['dotdot']}")
    check(not os.path.exists("/run/netns/sstest"),
          "the named namespace stayed private to the test")


def close_wait_pair(port):
    """Server side in CLOSE_WAIT: the client half-closed, still reads."""
    cli, acc = tcp_pair(port)
    cli.shutdown(socket.SHUT_WR)
    time.sleep(0.2)
    return cli, acc


def close_wait_ports(binary):
    return [s["local"]["port"]
            for s in rows(binary, "-tan", "state", "close-wait")]


def test_kill(binary):
    cli, acc = close_wait_pair(40123)
    try:
        r = run([binary, "kill"], check_rc=2)
        check("FILTER" in r.stderr, f"kill without filter: {r.stderr}")
        run([binary, "kill", "--yes"], check_rc=2)
        check(close_wait_ports(binary) == [40123],
              "kill without filter changed nothing")
        r = run([binary, "kill", "-n", "state", "close-wait"])
        check(":40123" in r.stdout and "would be closed" in r.stderr,
              f"kill dry run lists the socket: {r.stdout} {r.stderr}")
        check(close_wait_ports(binary) == [40123],
              "kill dry run changed nothing")
        # An expression selects too: only the server end has sport 40123.
        r = run([binary, "kill", "-j", "sport", "=", ":40123"])
        picked = json.loads(r.stdout)
        check([(s["local"]["port"], s["state"]) for s in picked] ==
              [(40123, "CLOSE_WAIT")], f"kill with an expression: {picked}")
        r = run([binary, "kill", "--yes", "-n", "-j", "state", "close-wait"])
        closed = json.loads(r.stdout)
        check([s["local"]["port"] for s in closed] == [40123],
              f"kill --yes prints the socket it closed: {r.stdout}")
        check("closed 1 socket" in r.stderr, f"kill --yes: {r.stderr}")
        check(close_wait_ports(binary) == [], "the socket is gone")
        cli.settimeout(5)
        try:
            cli.recv(10)
            check(False, "the peer sees a reset")
        except OSError as e:
            check(e.errno == errno.ECONNRESET,
                  f"the peer sees ECONNRESET: {e}")
        r = run([binary, "kill", "--yes", "state", "close-wait"])
        check("closed 0 sockets" in r.stderr, "nothing left to kill")
    finally:
        cli.close()
        acc.close()


def test_kill_eperm(binary):
    cli, acc = tcp_pair(6004)
    try:
        r = run(["setpriv", "--reuid=65534", "--regid=65534",
                 "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
                 binary, "kill", "--yes", "state", "established"],
                check_rc=1)
        check("CAP_NET_ADMIN" in r.stderr, f"kill without caps: {r.stderr}")
        check(len([s for s in rows(binary, "-tn")
                   if 6004 in (s["local"]["port"], s["peer"]["port"])]) == 2,
              "kill without caps closed nothing")
    finally:
        cli.close()
        acc.close()


def main():
    netns.enter()
    binary = sys.argv[1]
    test_processes(binary)
    test_timewait_timer(binary)
    test_extended_timers(binary)
    test_tcp_info(binary)
    test_tcp_info_vs_ss(binary)
    test_tcp_info_sentinels(binary)
    test_netns_path(binary)
    test_netns_named(binary)
    test_kill(binary)
    test_kill_eperm(binary)
    netns.finish("details")


if __name__ == "__main__":
    main()
