#!/usr/bin/env python3
"""--all-netns over many namespaces (issue 19's performance): the dumps of
every namespace are received ahead on worker threads (netns_prefetch.h) and
handed on in namespace order, so the listing must be exactly the sequential
one: each namespace's rows, as `-N NAME` lists them there, in the order of
the labels, the same on every run, with and without a filter, in table and
JSON; and byte for byte the listing of one namespace after the other
(SOCKSCOPE_NETNS_THREADS=0) whatever the number of threads. argv[1] is the
sockscope binary.

The test runs under `unshare -m -n -p -f --mount-proc`: a private /run (a
tmpfs) for the namespaces' names and a /proc of its own processes, so
--all-netns sees the namespaces made here and nothing of the host's."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
from netns import check, run  # noqa: E402

_MARK = "SOCKSCOPE_ALL_NETNS_MANY_PRIVATE"
# More namespaces than the workers' window (4 per thread, at most 4
# threads): the caller waits on some, the workers on others.
COUNT = 20
BASE = 41000
# One namespace whose dump is larger than a prefetch keeps in memory
# (1 MiB, ~7,000 sockets): the rest is read on from its socket.
BIG_PAIRS = 5000

# Per namespace file given: lo up is done by ip; i+1 listeners on
# BASE+10*i.., an ESTABLISHED pair on every third, a bound socket that
# neither listens nor connects on every other; says "ready", waits for
# stdin to close.
HOLDER = r"""
import ctypes, os, resource, socket, sys
libc = ctypes.CDLL(None, use_errno=True)
base, pairs, big = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
held = []
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
fd = os.open(big, os.O_RDONLY)
assert libc.setns(fd, 0x40000000) == 0, ctypes.get_errno()
os.close(fd)
lst = socket.socket()
lst.bind(("127.0.0.1", base - 1))
lst.listen(4096)
held.append(lst)
for k in range(pairs):
    held.append(socket.create_connection(("127.0.0.1", base - 1)))
    held.append(lst.accept()[0])
for i, path in enumerate(sys.argv[4:]):
    fd = os.open(path, os.O_RDONLY)
    assert libc.setns(fd, 0x40000000) == 0, ctypes.get_errno()
    os.close(fd)
    for j in range(i % 4 + 1):
        s = socket.socket()
        s.bind(("127.0.0.1", base + 10 * i + j))
        s.listen()
        held.append(s)
    if i % 3 == 0:
        c = socket.create_connection(("127.0.0.1", base + 10 * i))
        a, _ = held[-(i % 4 + 1)].accept()
        held += [c, a]
    if i % 2 == 0:
        b = socket.socket()
        b.bind(("127.0.0.1", base + 10 * i + 9))
        held.append(b)
print("ready", flush=True)
sys.stdin.read()
"""


def enter():
    netns.enter_private(_MARK)


def setup():
    names = [f"many{i:02d}" for i in range(COUNT)] + ["manybig"]
    for n in names:
        subprocess.run(["ip", "netns", "add", n], check=True)
        subprocess.run(["ip", "-n", n, "link", "set", "lo", "up"],
                       check=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(BASE), str(BIG_PAIRS),
         "/run/netns/manybig"] +
        [f"/run/netns/{n}" for n in names[:COUNT]],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    if holder.stdout.readline().strip() != "ready":
        netns.fail("the holder did not get ready")
    return names, holder


def rows(binary, *args):
    """The rows, without the header; columns are padded to the widest
    cell of a batch, so spaces are compared as one."""
    out = run([binary, "-H", *args]).stdout
    return [" ".join(r.split()) for r in out.splitlines()]


def expected_rows(binary, names, *args):
    """The sequential listing: the current namespace, then -N of each."""
    want = rows(binary, *args)
    for n in sorted(names):
        want += rows(binary, "-N", n, *args)
    return want


def test_table(binary, names):
    for args in (["-tan"], ["-tn", f"sport >= :{BASE + 100}"]):
        seq = expected_rows(binary, names, *args)
        got = rows(binary, "--all-netns", *args)
        check(got == seq, f"--all-netns {args} is -N of each namespace "
              f"in label order:\n" + "\n".join(got) + "\nvs\n" +
              "\n".join(seq))
        again = rows(binary, "--all-netns", *args)
        check(again == got, f"--all-netns {args}: the same twice")
    # The rows are each namespace's own, not an empty listing twice.
    got = rows(binary, "--all-netns", "-tln")
    for i, n in enumerate(names[:COUNT]):
        mine = [r for r in got if r.split()[0] == n]
        ports = sorted(int(r.split()[4].rsplit(":", 1)[1]) for r in mine)
        check(ports == [BASE + 10 * i + j for j in range(i % 4 + 1)],
              f"{n}: its listeners, {ports}")


def test_json(binary, names):
    doc = json.loads(run([binary, "--all-netns", "-j", "-tan"]).stdout)
    labels = [r["netns"]["label"] for r in doc if r.get("netns")]
    check(labels == sorted(labels), "JSON rows in label order")
    big = [r for r in doc if r.get("netns", {}).get("label") == "manybig"]
    check(len(big) == 2 * BIG_PAIRS + 1,
          f"manybig: {len(big)} JSON rows, want {2 * BIG_PAIRS + 1}")
    for i, n in enumerate(names[:COUNT]):
        want = (i % 4 + 1) + (2 if i % 3 == 0 else 0)
        have = [r for r in doc if r.get("netns", {}).get("label") == n
                and r["state"] != "CLOSE"]
        check(len(have) == want, f"{n}: {len(have)} JSON rows, want {want}")


def threaded(binary, threads, *args, trace=None):
    """sockscope --all-netns args with SOCKSCOPE_NETNS_THREADS=threads
    (None: unset): (exit status, stdout, stderr), bytes. trace: a file
    for strace's log of the threads started and the namespaces entered."""
    env = dict(os.environ)
    env.pop("SOCKSCOPE_NETNS_THREADS", None)
    if threads is not None:
        env["SOCKSCOPE_NETNS_THREADS"] = str(threads)
    argv = [binary, "--all-netns", *args]
    if trace:
        # LeakSanitizer cannot run under ptrace.
        asan = env.get("ASAN_OPTIONS", "")
        env["ASAN_OPTIONS"] = asan + (":" if asan else "") + "detect_leaks=0"
        argv = ["strace", "-f", "-qq", "-o", trace, "-e",
                "trace=clone,clone3,setns", *argv]
    r = subprocess.run(netns.wrap(argv), capture_output=True, env=env)
    return r.returncode, r.stdout, r.stderr


def test_threads(binary):
    """The prefetch's output is the sequential walk's, byte for byte, on
    any number of threads; and the variable does set them (strace)."""
    for args in (["-tan"], ["-tn", f"sport >= :{BASE + 100}"],
                 ["-tan", "-j"], ["-tln", "--format", "prometheus"]):
        seq = threaded(binary, 0, *args)
        check(seq[0] == 0 and seq[1].count(b"\n") > COUNT,
              f"{args} sequential: {seq[0]} {seq[2]!r}")
        for threads in (1, 2, 4, None):
            got = threaded(binary, threads, *args)
            check(got == seq, f"--all-netns {args}: "
                  f"SOCKSCOPE_NETNS_THREADS={threads} is byte for byte the "
                  f"sequential listing: exit {got[0]} vs {seq[0]}, "
                  f"{len(got[1])} vs {len(seq[1])} bytes, stderr "
                  f"{got[2]!r} vs {seq[2]!r}")
    r = threaded(binary, "x", "-tan")
    check(r[0] == 2 and not r[1] and b"SOCKSCOPE_NETNS_THREADS: 'x' is not "
          b"a number from 0 to 4" in r[2], f"a bad value: {r}")
    if not shutil.which("strace"):
        netns.skip("needs strace(1) to count the prefetch's threads")
    seen = {}
    for threads in (0, 1, 2, 4):
        with tempfile.NamedTemporaryFile("r") as t:
            threaded(binary, threads, "-tan", trace=t.name)
            log = t.read()
        seen[threads] = (log.count("CLONE_THREAD"), log.count("setns("))
    # Workers: one more thread each; the prefetch's pass enters every
    # namespace once more (to open its socket there); 0 has no such pass.
    check(seen[2][0] - seen[1][0] == 1 and seen[4][0] - seen[1][0] == 3 and
          seen[1][1] == seen[2][1] == seen[4][1] > seen[0][1],
          f"threads started and setns calls by SOCKSCOPE_NETNS_THREADS: "
          f"{seen}")


def main():
    binary = os.path.abspath(sys.argv[1])
    enter()
    names, holder = setup()
    try:
        test_table(binary, names)
        test_json(binary, names)
        test_threads(binary)
    finally:
        holder.stdin.close()
        holder.wait()
    netns.finish("all-netns-many")


if __name__ == "__main__":
    main()
