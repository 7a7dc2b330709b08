"""Shared harness for sockscope's integration tests.

Every test runs inside a private network namespace that this module makes:
`enter()` re-executes the test under `unshare -n` (once), brings `lo` up and
returns. Without root (or without unshare) the test skips with exit 77,
unless SOCKSCOPE_TEST_NO_SKIP is set (CI sets it), which turns a skip into
a failure.

SOCKSCOPE_TEST_WRAPPER (e.g. "valgrind -q --error-exitcode=99"), when set,
is put in front of every sockscope invocation: run() does it, and tests that
start the binary some other way call wrap() or wrapper() themselves.

SOCKSCOPE_SS names the ss the tests compare with (a path, or a name looked
up on PATH; default: ss on PATH): tests call ss() for its argv, have_ss()
and ss_version(), never "ss" by name, so tests/newss.sh can run them
against an ss built from another iproute2.
"""
import json
import os
import re
import shlex
import shutil
import struct
import subprocess
import tempfile
import time
import sys

SKIP = 77
_MARK = "SOCKSCOPE_IN_TEST_NETNS"


def skip(reason):
    if os.environ.get("SOCKSCOPE_TEST_NO_SKIP"):
        print(f"FAIL (skip not allowed): {reason}", file=sys.stderr)
        sys.exit(1)
    print(f"SKIP: {reason}", file=sys.stderr)
    sys.exit(SKIP)


def enter():
    """Re-run this script in a fresh network namespace with lo up."""
    if os.environ.get(_MARK):
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        return
    if os.geteuid() != 0:
        skip("needs root to create a network namespace")
    if not shutil.which("unshare") or not shutil.which("ip"):
        skip("needs unshare(1) and ip(8)")
    env = dict(os.environ, **{_MARK: "1"})
    r = subprocess.run(["unshare", "-n", sys.executable] + sys.argv, env=env)
    sys.exit(r.returncode)


def enter_private(mark, env=None, why="needs root to create namespaces"):
    """Re-run this script in new mount, network and PID namespaces: /run a
    tmpfs of its own (the test's /run/netns), lo up, and /proc showing only
    the test's processes (--all-netns walks /proc/*/ns/net). mark names the
    environment variable that tells the re-run it is inside; env is added
    to the re-run's environment."""
    if os.environ.get(mark):
        for cmd in (["mount", "--make-rprivate", "/"],
                    ["mount", "-t", "tmpfs", "sockscope-test", "/run"],
                    ["ip", "link", "set", "lo", "up"]):
            subprocess.run(cmd, check=True)
        return
    if os.geteuid() != 0:
        skip(why)
    for tool in ("unshare", "ip", "mount"):
        if not shutil.which(tool):
            skip(f"needs {tool}")
    env = dict(os.environ, **{mark: "1"}, **(env or {}))
    r = subprocess.run(["unshare", "-m", "-n", "-p", "-f", "--mount-proc",
                        sys.executable] + sys.argv, env=env)
    sys.exit(r.returncode)


def wrapper():
    """The words of SOCKSCOPE_TEST_WRAPPER ([] when unset)."""
    return shlex.split(os.environ.get("SOCKSCOPE_TEST_WRAPPER", ""))


def wrap(argv):
    """argv with the wrapper inserted before the sockscope binary (the first
    word named sockscope), so launchers such as setpriv stay in front."""
    argv = list(argv)
    for i, word in enumerate(argv):
        if os.path.basename(str(word)) == "sockscope":
            return argv[:i] + wrapper() + argv[i:]
    return argv


def ss_path():
    """The ss to compare with, as an absolute path: SOCKSCOPE_SS, else ss
    on PATH; None when there is no ss. A SOCKSCOPE_SS that names nothing
    runnable fails the test: a comparison that was asked for must not turn
    into a skip."""
    want = os.environ.get("SOCKSCOPE_SS")
    found = shutil.which(want or "ss")
    if want and not found:
        fail(f"SOCKSCOPE_SS={want}: no such executable")
    return os.path.abspath(found) if found else None


def have_ss():
    return ss_path() is not None


def ss(*args):
    """argv running the ss of ss_path() with args (plain "ss" when there
    is none, so a test that needs it fails as it did)."""
    return [ss_path() or "ss", *args]


def ss_version():
    """ss -V's iproute2 version as a tuple: "ss utility, iproute2-7.1.0"
    is (7, 1, 0). Older releases named a snapshot date ("iproute2-ss200127"):
    (0,), older than any numbered one."""
    out = subprocess.run(ss("-V"), capture_output=True, text=True).stdout
    m = re.search(r"iproute2-(\d+)\.(\d+)(?:\.(\d+))?", out)
    if m:
        return tuple(int(g or 0) for g in m.groups())
    if "iproute2-ss" in out:
        return (0,)
    fail(f"{ss_path()} -V: no iproute2 version in {out!r}")


def ss_extra_states(args):
    """The states ss lists TCP sockets in for args (an ss command line of
    options and state/exclude words) beyond those sockscope lists: words
    for sockscope's "state" to add them, [] when there are none.

    ss 6.8 (iproute2 ae447da6, TCP bound-inactive sockets) put the kernel's
    NEW_SYN_RECV and bound-inactive request bits below SS_MAX, and its
    default selection (SS_CONN) and the groups "connected", "synchronized"
    and "big" are SS_ALL minus some states: since then they ask for those
    bits too. Beyond sockscope's rows, the default and "big" list the
    SYN_RECV request sockets, the default, "connected" and "synchronized"
    the bound-inactive TCP sockets (as UNCONN), though ss's man page still
    says -B's sockets are "omitted by default" and SS_CONN leaves SYN_RECV
    out by name. sockscope keeps the selection ss documents (and 6.1
    made); -a, -l, exclude, "all" and the single states select the same
    in every version."""
    if ss_version() < (6, 8):
        return []
    states = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "state"]
    letters = "".join(a[1:] for a in args
                      if a.startswith("-") and not a.startswith("--"))
    if "exclude" in args:
        # ss's exclude starts from SS_ALL, as sockscope's does.
        if states:
            fail(f"ss_extra_states: {args}: state and exclude together")
        return []
    if not states:
        return [] if "a" in letters or "l" in letters else [
            "syn-recv", "bound-inactive"]
    # A state word replaces -a and -l, in both.
    extra = {"connected": ["bound-inactive"],
             "synchronized": ["bound-inactive"], "big": ["syn-recv"]}
    return sorted({w for st in states for w in extra.get(st, [])})


class Output:
    """A file a running child writes its stdout or stderr to, read as it
    grows without moving the offset the child writes at: the two share
    one open file, so a seek(0) and read() raced with the child's next
    write, which then landed at the start of the file (a row written over
    an earlier one: "Extra data" from the JSON decoder, now and then)."""

    def __init__(self):
        self.f = tempfile.TemporaryFile()

    def fileno(self):
        return self.f.fileno()

    def text(self):
        fd = self.f.fileno()
        return os.pread(fd, os.fstat(fd).st_size, 0).decode()


def run(argv, check_rc=0, stdin=None, wrapped=True):
    """Run a command (sockscope wrapped, see wrap(); wrapped=False when
    sockscope is only an argument); fail unless it exits with check_rc."""
    if wrapped:
        argv = wrap(argv)
    r = subprocess.run(argv, capture_output=True, text=True, input=stdin)
    if check_rc is not None and r.returncode != check_rc:
        fail(f"{argv} exited {r.returncode}, expected {check_rc}\n"
             f"stdout: {r.stdout}\nstderr: {r.stderr}")
    return r


def add_addr6(addr, dev="lo"):
    """Add an IPv6 address (no DAD) and wait until it can be used: the
    kernel inserts its local route from a workqueue, so a connect() right
    after `ip addr add` can fail with ENETUNREACH on a loaded machine."""
    run(["ip", "-6", "addr", "add", f"{addr}/128", "dev", dev, "nodad"],
        wrapped=False)
    end = time.time() + 10
    while time.time() < end:
        r = subprocess.run(["ip", "-6", "route", "show", "table", "local",
                            addr], capture_output=True, text=True)
        if r.stdout.strip():
            return
        time.sleep(0.05)
    fail(f"the local route of {addr} did not appear in 10 s")


def sockscope_json(binary, *args):
    return json.loads(run([binary, "-j", *args]).stdout)


failures = []
_checks = [0]


def nl_messages(data):
    """(type, bytes) of each netlink message in data (a --save file or a
    receive buffer), up to the first with a length shorter than its
    header."""
    off = 0
    while off + 16 <= len(data):
        mlen, mtype = struct.unpack_from("<IH", data, off)
        if mlen < 16:
            break
        yield mtype, data[off:off + mlen]
        off += mlen


def check(cond, what):
    """Record an expectation; a failed one is reported, the test goes on."""
    _checks[0] += 1
    if not cond:
        failures.append(what)
        print(f"not ok: {what}", file=sys.stderr)
    return cond


def fail(what):
    print(f"FAIL: {what}", file=sys.stderr)
    sys.exit(1)


def finish(name):
    """Exit 1 if any check failed (or none ran); print the closing line."""
    if _checks[0] == 0:
        fail(f"{name}: no checks ran")
    passed = _checks[0] - len(failures)
    print(f"{name}: {passed} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)
