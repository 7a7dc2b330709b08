#!/usr/bin/env python3
"""kill closes what the options select, checks each socket again before
closing it, asks for --force before wide or listening selections, and
closes UDP sockets; top's kill question stays with its socket: on real
sockets in a private network namespace.
argv[1] is the sockscope binary.

Two checks need a window between the listing and the close that the test
controls: strace delays (or fails) kill's netlink sendto() calls, counted
from its start. kill's order is fixed: one dump request per protocol and
family (one here: -4 with one protocol), then per socket one lookup and one
SOCK_DESTROY.
"""
import errno
import json
import os
import re
import shlex
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
from netns import check, run  # noqa: E402


def rows(binary, *args):
    return netns.sockscope_json(binary, *args)


def ports(binary, *args):
    """(local port, peer port, state) of the rows a listing prints."""
    return sorted((s["local"]["port"], s["peer"]["port"], s["state"])
                  for s in rows(binary, "-n", *args))


def tcp_listener(port, family=socket.AF_INET, host="127.0.0.1"):
    srv = socket.socket(family)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, port))
    srv.listen(256)
    return srv


def tcp_pair(port):
    srv = tcp_listener(port)
    cli = socket.create_connection(("127.0.0.1", port))
    acc, _ = srv.accept()
    srv.close()
    return cli, acc


def udp_connected(family, host, lport, rport):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind((host, lport))
    s.connect((host, rport))
    return s


def strace(log, *inject):
    """The strace prefix that injects into sendto() and logs it to log, or
    a skip."""
    if not shutil.which("strace"):
        netns.skip("needs strace(1) to open a window between the listing "
                   "and the close")
    return ["strace", "-f", "-qq", "-o", log, "-e", "trace=sendto",
            "-e", "inject=sendto:" + ":".join(inject)]


def traced_env():
    """LeakSanitizer cannot run under ptrace: in a sanitizer build the
    traced run checks all but leaks (the untraced runs check those)."""
    asan = os.environ.get("ASAN_OPTIONS", "")
    return dict(os.environ, ASAN_OPTIONS=asan + (":" if asan else "") +
                "detect_leaks=0")


def wait_for_dump(log, p):
    """Until the dump request has returned (the kernel queued the first
    batch of replies within it): its line is in the strace log."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and p.poll() is None:
        with open(log) as f:
            if any("NLM_F_DUMP" in line and ") = " in line for line in f):
                return True
        time.sleep(0.01)
    return False


def test_protocol_and_family(binary):
    """-u -4 closes IPv4 UDP sockets only: not the TCP connection to the
    same port (kill forced TCP before), not IPv6 UDP."""
    cli, acc = tcp_pair(7001)
    u4 = udp_connected(socket.AF_INET, "127.0.0.1", 7101, 7001)
    u6 = udp_connected(socket.AF_INET6, "::1", 7101, 7001)
    try:
        r = run([binary, "kill", "-u", "-4", "--yes", "-n", "-j",
                 "dport", "=", ":7001"])
        check("closed 1 socket" in r.stderr and
              [(s["netid"], s["family"], s["local"]["port"])
               for s in json.loads(r.stdout)] == [("udp", "inet", 7101)],
              f"kill -u -4 closed the IPv4 udp socket: {r.stdout} "
              f"{r.stderr}")
        check(ports(binary, "-t", "dport", "=", ":7001") ==
              [(cli.getsockname()[1], 7001, "ESTABLISHED")],
              "kill -u left the TCP connection alone")
        check(ports(binary, "-u", "dport", "=", ":7001") ==
              [(7101, 7001, "ESTABLISHED")] and
              rows(binary, "-u", "dport", "=", ":7001")[0]["family"] ==
              "inet6", "the IPv4 UDP socket is no longer connected, the "
              "IPv6 one is")
        u4.setblocking(False)
        try:
            u4.recv(10)
            check(False, "the UDP application sees the abort")
        except OSError as e:
            check(e.errno == errno.ECONNABORTED,
                  f"the UDP application sees ECONNABORTED: {e}")
        # -t closes TCP only (the UDP socket on the same port stays).
        r = run([binary, "kill", "-t", "--yes", "dport", "=", ":7001"])
        check("closed 1 socket" in r.stderr and
              ports(binary, "-u", "-6", "dport", "=", ":7001") ==
              [(7101, 7001, "ESTABLISHED")] and
              ports(binary, "-t", "dport", "=", ":7001") == [],
              f"kill -t closes the TCP socket only: {r.stderr}")
    finally:
        for s in (cli, acc, u4, u6):
            s.close()


def test_recheck_state(binary):
    """state established, and the connection becomes CLOSE_WAIT between
    the listing and the close: left open, counted as skipped."""
    log = os.path.join(tempfile.mkdtemp(), "strace.log")
    open(log, "w").close()
    prefix = strace(log, "delay_enter=3000000", "when=2+")
    cli, acc = tcp_pair(7002)
    try:
        p = subprocess.Popen(
            netns.wrap([*prefix, binary, "kill", "--yes", "-t", "-4",
                        "state", "established", "sport", "=", ":7002"]),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=traced_env())
        # Listed; the lookup before the close now waits 3 s.
        listed = wait_for_dump(log, p)
        cli.shutdown(socket.SHUT_WR)
        out, err = p.communicate(timeout=60)
        check(listed and p.returncode == 0 and "skipped 1 socket" in err
              and "closed 0 sockets" in err,
              f"kill says it skipped the socket: {p.returncode} {err}")
        acc.setblocking(False)
        try:
            eof = acc.recv(10) == b""
        except OSError:
            eof = False
        check(eof and ports(binary, "-t", "state", "close-wait") ==
              [(7002, cli.getsockname()[1], "CLOSE_WAIT")],
              "the socket that left ESTABLISHED is not closed: its "
              "application reads the peer's end of file")
    finally:
        cli.close()
        acc.close()


def dry_and_refused(binary, words, want_dry, want_refused):
    """Dry run names the guard; --yes alone refuses, exit 2, one line."""
    r = run([binary, "kill", *words])
    check(all(w in r.stderr for w in want_dry),
          f"kill {words} dry run says {want_dry}: {r.stderr}")
    before = ports(binary, "-a")
    r = run([binary, "kill", "--yes", *words], check_rc=None)
    check(r.returncode == 2, f"kill --yes {words} exits 2: {r.returncode}")
    lines = r.stderr.strip().splitlines()
    check(len(lines) == 1 and "refused" in lines[0] and
          all(w in lines[0] for w in want_refused) and "--force" in lines[0],
          f"kill --yes {words} refuses in one line: {r.stderr}")
    check(r.stdout == "", f"nothing listed as closed: {r.stdout}")
    check(ports(binary, "-a") == before,
          f"kill --yes {words} closed nothing")


def test_guards(binary):
    srv = tcp_listener(7003)
    conns = []
    try:
        # 60 connections: 120 ESTABLISHED sockets.
        for _ in range(60):
            c = socket.create_connection(("127.0.0.1", 7003))
            conns.append((c, srv.accept()[0]))
        dry_and_refused(binary, ["state", "listening"],
                        ["1 socket would be closed (1 tcp LISTEN)",
                         "1 listening socket", "--yes alone will refuse"],
                        ["1 listening socket"])
        dry_and_refused(binary, ["state", "all"],
                        ["121 sockets would be closed",
                         "120 tcp ESTABLISHED", "1 tcp LISTEN",
                         "1 listening socket and 121 sockets (more than "
                         "100)"],
                        ["1 listening socket", "121 sockets"])
        dry_and_refused(binary, ["not", "(", "dport", "=", ":1", ")"],
                        ["120 sockets would be closed (120 tcp "
                         "ESTABLISHED)", "120 sockets (more than 100)"],
                        ["120 sockets (more than 100)"])
        # --force closes them.
        r = run([binary, "kill", "--yes", "--force", "not", "(", "dport",
                 "=", ":1", ")"])
        # Closing one end resets the other: that one is gone by its turn.
        closed = re.search(r"closed (\d+) sockets", r.stderr)
        gone = re.search(r"(\d+) sockets? had already gone", r.stderr)
        check(r.returncode == 0 and closed and
              int(closed[1]) + (int(gone[1]) if gone else 0) == 120 and
              "refused" not in r.stderr, f"--force: {r.stderr}")
        check(ports(binary, "-t") == [], "--force closed the connections")
        r = run([binary, "kill", "--yes", "--force", "state", "listening"])
        check("closed 1 socket" in r.stderr and
              ports(binary, "-tl") == [], f"--force closes the listener: "
              f"{r.stderr}")
        # Fewer than 101, no listener: no guard, no --force needed.
        r = run([binary, "kill", "--yes", "state", "listening"])
        check("closed 0 sockets" in r.stderr, f"nothing left: {r.stderr}")
        r = run([binary, "--force"], check_rc=2)
        check("--force belongs to 'sockscope kill'" in r.stderr,
              f"--force outside kill: {r.stderr}")
    finally:
        srv.close()
        for c, a in conns:
            c.close()
            a.close()


def test_udp_refused(binary):
    """The kernel will not close a UDP socket (EOPNOTSUPP, injected on the
    SOCK_DESTROY): kill names it, counts it, exits 1."""
    prefix = strace("/dev/null", "error=EOPNOTSUPP", "when=3")
    u = udp_connected(socket.AF_INET, "127.0.0.1", 7104, 7004)
    try:
        r = subprocess.run(netns.wrap([*prefix, binary, "kill", "-u", "-4",
                                       "--yes", "dport", "=", ":7004"]),
                           capture_output=True, text=True, env=traced_env())
        check(r.returncode == 1, f"exit 1: {r.returncode}")
        check("udp 127.0.0.1:7104 -> 127.0.0.1:7004" in r.stderr and
              "Operation not supported" in r.stderr,
              f"kill names the socket and the reason: {r.stderr}")
        check("could not close 1 of 1 socket" in r.stderr and
              "closed 0 sockets" not in r.stderr and
              ports(binary, "-u", "dport", "=", ":7004") ==
              [(7104, 7004, "ESTABLISHED")],
              f"kill counts what it could not close: {r.stderr}")
    finally:
        u.close()


class Top:
    """`sockscope top` in a detached tmux session (a private server, so it
    runs in this namespace)."""

    def __init__(self, binary, *args):
        if not shutil.which("tmux"):
            netns.skip("needs tmux")
        self.dir = tempfile.mkdtemp(prefix="sockscope-kill-")
        self.tmux = ["tmux", "-S", os.path.join(self.dir, "tmux.sock")]
        cmd = shlex.join(netns.wrap([binary, "top", "-d", "0.3", *args]))
        subprocess.run(self.tmux + ["new-session", "-d", "-s", "k", "-x",
                                    "120", "-y", "30", cmd], check=True)

    def screen(self):
        return subprocess.run(self.tmux + ["capture-pane", "-p", "-t", "k"],
                              capture_output=True, text=True).stdout

    def wait(self, pred, timeout=10.0):
        end = time.monotonic() + timeout
        text = self.screen()
        while not pred(text) and time.monotonic() < end:
            time.sleep(0.05)
            text = self.screen()
        return text

    def keys(self, *k):
        subprocess.run(self.tmux + ["send-keys", "-t", "k", *k], check=True)

    def close(self):
        subprocess.run(self.tmux + ["kill-server"], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


def reset_close(sock):
    """Close with an RST: the socket is gone at once, no FIN_WAIT."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                    struct.pack("ii", 1, 0))
    sock.close()


def asked_port(text):
    m = re.search(r"Close 127\.0\.0\.1:(\d+) -> 127\.0\.0\.1:7020\? "
                  r"\(y/n\)", text)
    return int(m[1]) if m else None


def test_top_question(binary):
    """top's y/n question is about one socket: when it goes away, the
    question goes (refreshing) or y says so (paused); y never closes the
    row that slid into its place."""
    srv = tcp_listener(7020)
    clients = {}
    accepted = []

    def connect():
        c = socket.create_connection(("127.0.0.1", 7020))
        clients[c.getsockname()[1]] = c
        accepted.append(srv.accept()[0])

    def established():
        return sorted(p for p, _, _ in ports(
            binary, "-t", "state", "established", "dport", "=", ":7020"))

    connect()
    connect()
    top = Top(binary, "state", "established", "dport", "=", ":7020")
    try:
        top.wait(lambda t: t.count(":7020") >= 2)
        top.keys("k")
        asked = asked_port(top.wait(lambda t: "(y/n)" in t))
        if asked in clients:
            reset_close(clients.pop(asked))
        text = top.wait(lambda t: "went away" in t)
        check(asked is not None and "went away" in text and
              "(y/n)" not in text,
              f"refreshing: the question goes with its socket:\n{text}")
        top.keys("y")
        time.sleep(1.0)
        check(established() == sorted(clients),
              f"y closed no other socket: {established()} {list(clients)}")
        # Paused: no refresh sees it go; the kernel's answer is shown.
        connect()
        top.wait(lambda t: t.count(":7020") >= 2)
        top.keys("Space", "k")
        asked = asked_port(top.wait(lambda t: "(y/n)" in t))
        if asked in clients:
            reset_close(clients.pop(asked))
        top.keys("y")
        text = top.wait(lambda t: "went away" in t or "close:" in t)
        check(asked is not None and "went away" in text and
              established() == sorted(clients),
              f"paused: y says the socket went away:\n{text}")
        top.keys("q")
    finally:
        top.close()
        srv.close()
        for c in list(clients.values()) + accepted:
            c.close()


def main():
    netns.enter()
    binary = sys.argv[1]
    # First: it counts every socket of the namespace.
    test_guards(binary)
    test_protocol_and_family(binary)
    test_recheck_state(binary)
    test_udp_refused(binary)
    test_top_question(binary)
    netns.finish("kill")


if __name__ == "__main__":
    main()
