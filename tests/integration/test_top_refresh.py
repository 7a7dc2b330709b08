#!/usr/bin/env python3
"""`sockscope top` on the listing's pipeline, refresh by refresh: a filter
expression narrows the rows, not the meters; --rows; --load replays a
saved dump; the process map is kept between refreshes (a process whose
fds did not change is not read again), observed with strace(1). Apart
from test_top.py, whose sockets must outlive its long tmux session.

Run: test_top_refresh.py SOCKSCOPE. Makes its own network namespace.
"""
import os
import re
import shutil
import socket
import sys
import tempfile
import time

import netns
from topfix import make_sockets, meter, table_rows

netns.enter()
SOCKSCOPE = sys.argv[1]
if not shutil.which("strace"):
    netns.skip("needs strace")
TMPDIR = tempfile.mkdtemp(prefix="sockscope-top-refresh-")
FD_DIR = re.compile(r'openat\(\d+, "(\d+)/fd", [^)]*O_DIRECTORY')


def check_pressure(text, how):
    """The busiest tuple: both client sockets go to 127.0.0.1:8080."""
    netns.check(re.search(r"worst tuple 2 of \d+ ports .*127\.0\.0\.1 -> "
                          r"127\.0\.0\.1:8080$", text, re.M),
                f"{how}: the worst tuple, 2 sockets:\n{text}")


def check_pipeline():
    """top reads through the listing's pipeline: a filter expression
    selects the rows (in the kernel) while the meters still count every
    socket; the RTT column has the connected sockets' figures."""
    r = netns.run([SOCKSCOPE, "top", "-b", "--iterations", "1",
                   "dport", "=", "8080"])
    _, rows = table_rows(r.stdout)
    states = sorted(row.split()[0] for row in rows)
    netns.check(states == ["ESTABLISHED", "TIME_WAIT"],
                f"dport = 8080: the two client sockets only: {rows}")
    netns.check(meter(r.stdout, "LISTEN") == 1 and
                meter(r.stdout, "ESTABLISHED") == 2 and
                meter(r.stdout, "TIME_WAIT") == 1,
                f"a filter expression leaves the meters whole: {r.stdout}")
    check_pressure(r.stdout, "batch, expression filter")
    est = [row for row in rows if row.startswith("ESTABLISHED")]
    netns.check(est and re.search(r"\b\d+\.\dms\b", est[0]),
                f"batch: the RTT of an ESTABLISHED socket: {rows}")
    netns.check(r.stderr == "", f"nothing on stderr: {r.stderr}")
    # --rows: the first rows of the same order, each connected one with
    # its RTT (asked for row by row: the dump carried no tcp_info).
    full = netns.run([SOCKSCOPE, "top", "-b", "--iterations", "1"])
    part = netns.run([SOCKSCOPE, "top", "-b", "--iterations", "1",
                      "--rows", "2"])
    _, every = table_rows(full.stdout)
    _, first = table_rows(part.stdout)
    netns.check([r.split()[:3] for r in first] ==
                [r.split()[:3] for r in every[:2]] and len(every) == 4,
                f"--rows 2: the first two rows: {first} of {every}")
    netns.check(all(re.search(r"\b\d+\.\dms\b", r) for r in first
                    if r.startswith("ESTAB")) and
                any(r.startswith("ESTAB") for r in first),
                f"--rows: the rows shown have their RTT: {first}")
    r = netns.run([SOCKSCOPE, "top", "-b", "--rows", "0"], check_rc=2)
    netns.check("--rows" in r.stderr, f"--rows 0 is refused: {r.stderr}")


def check_load():
    """--load replays what the listing saved, every refresh: sockets made
    or closed since do not show; the filter applies to the replay."""
    path = os.path.join(TMPDIR, "dump")
    netns.run([SOCKSCOPE, "-tan", "--save", path])
    extra = socket.socket()
    extra.bind(("127.0.0.1", 9099))
    extra.listen(1)
    try:
        r = netns.run([SOCKSCOPE, "top", "-b", "--iterations", "2", "-d",
                       "0.1", "--load", path])
        _, rows = table_rows(r.stdout)
        states = sorted(row.split()[0] for row in rows)
        netns.check(states == ["ESTABLISHED", "ESTABLISHED", "LISTEN",
                               "TIME_WAIT"],
                    f"--load: the saved sockets: {r.stdout}")
        netns.check(":9099" not in r.stdout,
                    "--load: a socket made after the save is not shown")
        netns.check(r.stdout.count("sockscope top - ") == 2 and
                    meter(r.stdout, "ESTABLISHED") == 2,
                    f"--load: each refresh replays the file: {r.stdout}")
        r = netns.run([SOCKSCOPE, "top", "-b", "--iterations", "1",
                       "--load", path, "state", "listening"])
        _, rows = table_rows(r.stdout)
        netns.check(len(rows) == 1 and rows[0].startswith("LISTEN"),
                    f"--load with a filter: {rows}")
    finally:
        extra.close()
    r = netns.run([SOCKSCOPE, "top", "-b", "--load", path + ".none"],
                  check_rc=1)
    netns.check(r.stderr.count("\n") == 1 and ".none" in r.stderr and
                r.stdout == "", f"--load of no file: one line: {r.stderr}")
    r = netns.run([SOCKSCOPE, "top", "-b", "--save", path], check_rc=2)
    netns.check("--save" in r.stderr, f"top --save is refused: {r.stderr}")


def run_traced(trace, iterations):
    netns.run(["strace", "-f", "-qq", "-e", "trace=openat", "-o", trace] +
              netns.wrap([SOCKSCOPE, "top", "-b", "-p", "--iterations",
                          str(iterations), "-d", "0.1"]), wrapped=False)


def walks(iterations):
    """The pids whose fd directory top -p opened, with how many times."""
    trace = os.path.join(TMPDIR, f"trace{iterations}")
    # LeakSanitizer cannot run under ptrace (an ASan build under strace):
    # the other runs look for leaks.
    asan = os.environ.get("ASAN_OPTIONS")
    os.environ["ASAN_OPTIONS"] = ":".join(filter(None, [asan,
                                                        "detect_leaks=0"]))
    try:
        run_traced(trace, iterations)
    finally:
        if asan is None:
            del os.environ["ASAN_OPTIONS"]
        else:
            os.environ["ASAN_OPTIONS"] = asan
    seen = {}
    with open(trace) as f:
        for line in f:
            m = FD_DIR.search(line)
            if m:
                seen[m.group(1)] = seen.get(m.group(1), 0) + 1
    return seen


def check_map_kept():
    me = str(os.getpid())
    one = walks(1)
    netns.check(one.get(me) == 1,
                f"one refresh reads this process's fds once: {one.get(me)}")
    four = walks(4)
    netns.check(four.get(me) == 1,
                "four refreshes read this unchanged process's fds once, "
                f"not at each refresh: {four.get(me)}")
    # New processes are read as they come: the machine's other work
    # starts some, so no bound on the total here.
    netns.check(len(four) >= len(one) // 2,
                f"the first refresh reads every process: {len(four)}")


held = make_sockets()
try:
    check_pipeline()
    check_load()
    check_map_kept()
finally:
    for s in held:
        s.close()
    shutil.rmtree(TMPDIR, ignore_errors=True)
netns.finish("integration-top-refresh")
