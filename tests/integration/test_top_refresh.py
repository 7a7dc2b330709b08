#!/usr/bin/env python3
"""`sockscope top` at scale, refresh by refresh: the process map is kept
between refreshes (a process whose fds did not change is not read again),
observed with strace(1).

Run: test_top_refresh.py SOCKSCOPE. Makes its own network namespace.
"""
import os
import re
import shutil
import socket
import sys
import tempfile

import netns

netns.enter()
SOCKSCOPE = sys.argv[1]
if not shutil.which("strace"):
    netns.skip("needs strace")
TMPDIR = tempfile.mkdtemp(prefix="sockscope-top-refresh-")
# LeakSanitizer cannot run under ptrace (an ASan build under strace):
# leaks are looked for by every other test.
os.environ["ASAN_OPTIONS"] = ":".join(
    filter(None, [os.environ.get("ASAN_OPTIONS"), "detect_leaks=0"]))
FD_DIR = re.compile(r'openat\(\d+, "(\d+)/fd", [^)]*O_DIRECTORY')


def walks(iterations):
    """The pids whose fd directory top -p opened, with how many times."""
    trace = os.path.join(TMPDIR, f"trace{iterations}")
    netns.run(["strace", "-f", "-qq", "-e", "trace=openat", "-o", trace] +
              netns.wrap([SOCKSCOPE, "top", "-b", "-p", "--iterations",
                          str(iterations), "-d", "0.1"]), wrapped=False)
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


lst = socket.socket()
lst.bind(("127.0.0.1", 8081))
lst.listen(1)
try:
    check_map_kept()
finally:
    lst.close()
    shutil.rmtree(TMPDIR, ignore_errors=True)
netns.finish("integration-top-refresh")
