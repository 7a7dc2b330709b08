#!/usr/bin/env python3
"""`sockscope top`'s closed rows and closes/s meter fed by the kernel's
socket destroy events (as `sockscope watch`): a connection opened and
closed between two refreshes shows as closed, with its endpoints, and is
counted by the state it ended in; a socket whose connection lives on in
TIME_WAIT did not close; events the kernel dropped are counted; without
CAP_NET_ADMIN top says once that it falls back to refresh differences.

Run: test_top_events.py SOCKSCOPE. Makes its own network namespace.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import time

import netns
from topfix import table_rows

netns.enter()
SOCKSCOPE = sys.argv[1]
PORT, CPORT, UPORT = 7400, 23456, 23457


class Top:
    """top -b running, its stdout in a file read as it grows."""

    def __init__(self, *args, env=None, pre=()):
        self.out = netns.Output()
        self.err = netns.Output()
        self.p = subprocess.Popen(
            [*pre, *netns.wrap([SOCKSCOPE, "top", "-b", "-n", *args])],
            stdout=self.out, stderr=self.err,
            env=dict(os.environ, **(env or {})))

    def text(self):
        return self.out.text()

    def frames(self):
        return [f for f in self.text().split("\nsockscope top - ")]

    def first_frame(self):
        """Until the first refresh is printed (a slow run takes long)."""
        end = time.time() + 120
        while time.time() < end and "Advice" not in self.text() and \
                self.p.poll() is None:
            time.sleep(0.05)
        return "Advice" in self.text()

    def wait(self):
        rc = self.p.wait(timeout=300)
        return rc, self.frames(), self.err.text()


def closes(frame):
    """{state: rate} from "closed T/s: STATE r ...", None when absent."""
    m = re.search(r"^closed ([0-9.]+)/s(?:: (.*?))?(?:  lost (\d+))?$",
                  frame, re.M)
    if not m:
        return None
    words = (m.group(2) or "").split()
    rates = {words[i]: float(words[i + 1]) for i in range(0, len(words), 2)}
    return float(m.group(1)), rates, int(m.group(3) or 0)


def workload():
    """Born and gone between two refreshes: a listener, a connection the
    server closes first (its side lives on in TIME_WAIT, the client's
    closes), a connected UDP socket."""
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", PORT))
    ls.listen(4)
    c = socket.socket()
    c.bind(("127.0.0.1", CPORT))
    c.connect(("127.0.0.1", PORT))
    s, _ = ls.accept()
    c.sendall(b"x" * 100)
    s.recv(100)
    s.close()
    time.sleep(0.1)
    c.close()
    ls.close()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", UPORT))
    u.connect(("127.0.0.1", 9))
    u.close()


def check_between_refreshes():
    # Several seconds between the two refreshes: the workload takes a
    # fraction of one, and no refresh sees its sockets alive.
    top = Top("--iterations", "2", "-d", "4")
    if not netns.check(top.first_frame(), "top prints its first refresh"):
        top.p.kill()
        return
    workload()
    rc, frames, err = top.wait()
    netns.check(rc == 0 and err == "", f"top -b ends well: {rc} {err}")
    if not netns.check(len(frames) == 2, f"two refreshes: {frames}"):
        return
    first, second = frames
    _, rows1 = table_rows(first)
    netns.check(not [r for r in rows1 if f":{PORT}" in r],
                f"the first refresh predates the workload: {rows1}")
    _, rows = table_rows(second)
    gone = [r.split()[:3] for r in rows if r.startswith("(closed)")]
    netns.check(["(closed)", f"127.0.0.1:{CPORT}", f"127.0.0.1:{PORT}"]
                in gone, f"the client closed between refreshes: {rows}")
    netns.check(["(closed)", f"127.0.0.1:{PORT}", "*:*"] in gone,
                f"the listener closed between refreshes: {rows}")
    netns.check(["(closed)", f"127.0.0.1:{UPORT}", "127.0.0.1:9"] in gone,
                f"the UDP socket closed between refreshes: {rows}")
    tw = [r for r in rows if r.startswith("TIME_WAIT") and
          f"127.0.0.1:{PORT} " in r and f":{CPORT}" in r]
    netns.check(len(tw) == 1 and not [
        g for g in gone if g[1] == f"127.0.0.1:{PORT}" and
        g[2] == f"127.0.0.1:{CPORT}"],
        f"the server's side lives on in TIME_WAIT, not closed: {rows}")
    netns.check(len(gone) == 3, f"no other closes: {gone}")
    c = closes(second)
    netns.check(c and set(c[1]) == {"CLOSE", "ESTABLISHED"} and
                c[1]["CLOSE"] >= c[1]["ESTABLISHED"] > 0 and
                abs(c[0] - sum(c[1].values())) < 0.15,
                f"closes/s by the state each ended in (TCP: CLOSE, "
                f"connected UDP: ESTABLISHED): {second}")


BURST = 400


def check_lost():
    """A receive buffer too small and a burst of closes while top is
    stopped: the kernel drops most events, and top's meter says exactly
    how many (sk_drops), so every close of the burst is a closed row or
    counted lost. Bound first (distinct ports: a row each), closed all at
    once."""
    top = Top("--iterations", "2", "-d", "3",
              env={"SOCKSCOPE_TEST_WATCH_RCVBUF": "1"})
    if not netns.check(top.first_frame(), "top prints its first refresh"):
        top.p.kill()
        return
    top.p.send_signal(signal.SIGSTOP)
    held = []
    for _ in range(BURST):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        held.append(u)
    ports = {u.getsockname()[1] for u in held}
    for u in held:
        u.close()
    time.sleep(0.3)
    top.p.send_signal(signal.SIGCONT)
    rc, frames, err = top.wait()
    c = closes(frames[-1])
    netns.check(rc == 0 and c and c[2] > 0,
                f"the meter says how many events were lost: {frames[-1]}")
    _, rows = table_rows(frames[-1])
    shown = [r for r in rows if r.startswith("(closed)") and
             int(r.split()[1].rsplit(":", 1)[1]) in ports]
    netns.check(c and len(shown) + c[2] == BURST,
                f"each close a closed row or counted lost: {len(shown)} + "
                f"{c and c[2]} != {BURST}: {frames[-1]}")


def check_fallback():
    """No groups (an old kernel, a refusal; a test variable stands for
    them): said once, closes from the refresh differences."""
    ls = socket.create_server(("127.0.0.1", PORT + 1))
    top = Top("--iterations", "2", "-d", "2",
              env={"SOCKSCOPE_TEST_TOP_NO_EVENTS": "1"})
    if not netns.check(top.first_frame(), "top prints its first refresh"):
        top.p.kill()
        return
    ls.close()
    rc, frames, err = top.wait()
    netns.check(rc == 0 and err.count("\n") == 1 and
                "top: Operation not permitted: closed rows from refresh "
                "differences (no socket destroy events)" in err,
                f"one line says closes come from refresh differences: {err}")
    _, rows = table_rows(frames[-1])
    netns.check([r for r in rows if r.startswith("(closed)") and
                 f":{PORT + 1} " in r],
                f"a listener a refresh saw still shows closed: {rows}")


check_between_refreshes()
check_lost()
check_fallback()
netns.finish("integration-top-events")
