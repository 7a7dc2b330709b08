"""Resource limits: with bench/fill's ~20,000 sockets in the namespace,
sockscope must list exactly what it lists without limits
- under RLIMIT_NOFILE 64 (also -p, whose /proc walk opens directories),
- down to RLIMIT_NOFILE 4, never a crash, a second line or a silently
  incomplete listing (-p without its owners),
- under RLIMIT_AS 64 MiB (skipped for ASan builds and under a wrapper such
  as valgrind: both need far more address space than that),
and a big listing written into a pipe that is read slowly must not grow the
process's memory: its peak RSS stays within PIPE_SLACK_KB of a listing that
prints nothing, while the output is complete.

argv[1] is sockscope, argv[2] bench/fill.
"""
import fcntl
import json
import os
import resource
import subprocess
import sys
import time

import netns

SOCKSCOPE, FILL = sys.argv[1], sys.argv[2]
ESTABLISHED, TIME_WAIT, LISTEN = 14000, 6000, 32
TOTAL = ESTABLISHED + TIME_WAIT + LISTEN
NOFILE = 64
AS_BYTES = 64 << 20
PIPE_SLACK_KB = 8 << 10
F_SETPIPE_SZ = 1031
# TIME_WAIT lasts 60 s: renew it (same 4-tuples) before it can expire.
REFRESH_AFTER = 30


class Fill:
    def __init__(self):
        self.p = subprocess.Popen(
            [FILL, "--established", str(ESTABLISHED), "--time-wait",
             str(TIME_WAIT), "--listen", str(LISTEN), "--port-base", "5000"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self._ready()

    def _ready(self):
        line = self.p.stdout.readline().strip()
        if line != "READY":
            netns.fail(f"fill: {line!r} instead of READY")
        self.at = time.monotonic()

    def fresh(self):
        """Makes sure no TIME_WAIT socket expires in the next 30 s."""
        if time.monotonic() - self.at > REFRESH_AFTER:
            self.p.stdin.write("refresh\n")
            self.p.stdin.flush()
            self._ready()

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def limit(kind, value):
    def set_limit():
        resource.setrlimit(kind, (value, value))
    return set_limit


def sockscope(args, preexec=None, what=""):
    r = subprocess.run(netns.wrap([SOCKSCOPE, *args]), capture_output=True,
                       text=True, preexec_fn=preexec)
    netns.check(r.returncode == 0 and r.stderr == "",
                f"{what} {' '.join(args)}: exit {r.returncode}: "
                f"{r.stderr[:2000]}")
    return r.stdout


def table_rows(out):
    """Data rows, whitespace-normalised and sorted (the dump order is hash
    order, and column widths follow the content)."""
    return sorted(" ".join(line.split()) for line in out.splitlines()[1:])


def json_rows(out):
    try:
        return sorted(json.dumps(o, sort_keys=True) for o in json.loads(out))
    except ValueError as e:
        netns.check(False, f"JSON does not parse: {e}")
        return []


def same(args, parse, preexec, what):
    base = parse(sockscope(args, what="no limit:"))
    got = parse(sockscope(args, preexec, what))
    netns.check(got == base and len(base) >= TOTAL,
                f"{what} {' '.join(args)}: {len(got)} rows, "
                f"{len(base)} without the limit (expected >= {TOTAL})")


def test_fd_floor(fill):
    """Down to 4 descriptors (stdio and one more): every command still
    exits 0 or 1 and either prints what it prints unlimited or says in one
    line what it could not do; -p must not drop owners or names silently.
    Not under a wrapper: valgrind keeps descriptors of its own within the
    same limit and cannot start below ~10."""
    if netns.wrapper():
        print("RLIMIT_NOFILE 4..12: sub-check skipped (SOCKSCOPE_TEST_WRAPPER"
              " needs descriptors of its own)")
        return
    fill.fresh()
    commands = (["-tanp"], ["-ta"], ["summary", "-p"],
                ["top", "-b", "--iterations", "1", "-p"])
    def lines_of(out):
        # sockstat's "alloc" and "mem" count the whole host, not this netns.
        return sorted(x for x in out.splitlines()
                      if not x.startswith("Kernel totals"))

    base = {}
    for args in commands:
        r = subprocess.run([SOCKSCOPE, *args], capture_output=True, text=True)
        base[tuple(args)] = lines_of(r.stdout)
    for n in (4, 5, 6, 8, 12):
        for args in commands:
            what = f"RLIMIT_NOFILE {n}: {' '.join(args)}"
            r = subprocess.run([SOCKSCOPE, *args], capture_output=True,
                               text=True, preexec_fn=limit(
                                   resource.RLIMIT_NOFILE, n))
            lines = r.stderr.splitlines()
            if not lines and args[0] != "top":
                netns.check(r.returncode == 0 and
                            lines_of(r.stdout) == base[tuple(args)],
                            f"{what}: exit {r.returncode}, and without a "
                            "word the output differs from the unlimited one")
            netns.check(r.returncode in (0, 1) and len(lines) <= 1 and
                        all(x.startswith("sockscope: ") for x in lines),
                        f"{what}: exit {r.returncode}: {r.stderr[:1000]!r}")


def asan_binary():
    r = subprocess.run(["ldd", SOCKSCOPE], capture_output=True, text=True)
    return "libasan" in r.stdout


def test_nofile(fill):
    fill.fresh()
    nofile = limit(resource.RLIMIT_NOFILE, NOFILE)
    same(["-tan"], table_rows, nofile, "RLIMIT_NOFILE 64:")
    same(["-tan", "-j"], json_rows, nofile, "RLIMIT_NOFILE 64:")
    # -p walks /proc/PID/fd of fill's holders: thousands of descriptors.
    same(["-tanp"], table_rows, nofile, "RLIMIT_NOFILE 64:")
    out = sockscope(["summary", "-j"], nofile, "RLIMIT_NOFILE 64:")
    try:
        tcp = json.loads(out)["tcp"]
        netns.check(tcp["total"] == TOTAL, f"summary under NOFILE: {tcp}")
    except (ValueError, KeyError) as e:
        netns.check(False, f"summary -j under RLIMIT_NOFILE: {e!r}")


def test_address_space(fill):
    if asan_binary() or netns.wrapper():
        why = "an ASan build" if asan_binary() else "SOCKSCOPE_TEST_WRAPPER"
        print(f"RLIMIT_AS 64 MiB: sub-check skipped ({why} needs more "
              "address space than that)")
        return
    fill.fresh()
    as64 = limit(resource.RLIMIT_AS, AS_BYTES)
    same(["-tan"], table_rows, as64, "RLIMIT_AS 64 MiB:")
    same(["-tan", "-j"], json_rows, as64, "RLIMIT_AS 64 MiB:")


def status_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def blocked_on_pipe(pid, timeout=60.0):
    """Waits until pid sleeps in a pipe write; False if it never does."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with open(f"/proc/{pid}/wchan") as f:
                if "pipe_write" in f.read():
                    return True
        except OSError:
            return False
        time.sleep(0.005)
    return False


def into_full_pipe(args, chunk, pause):
    """Runs sockscope with stdout into a 4 KiB pipe that is full before it
    starts, so it blocks on its first write, then drains the pipe `chunk`
    bytes at a time with `pause` s between reads. Returns (output, samples
    of VmHWM while it was blocked). VmHWM, not wait4's ru_maxrss: that also
    counts the image of this python, which the child was before exec."""
    r, w = os.pipe()
    fcntl.fcntl(w, F_SETPIPE_SZ, 4096)
    os.write(w, b"x" * 4096)
    p = subprocess.Popen(netns.wrap([SOCKSCOPE, *args]), stdout=w,
                         stderr=subprocess.PIPE)
    os.close(w)
    samples, chunks = [], []
    if netns.check(blocked_on_pipe(p.pid), f"{args}: blocks on the pipe"):
        samples.append(status_kb(p.pid, "VmHWM"))
    os.read(r, 4096)
    while b := os.read(r, chunk):
        chunks.append(b)
        hwm = status_kb(p.pid, "VmHWM") if len(chunks) % 64 == 0 else 0
        if hwm:
            samples.append(hwm)
        time.sleep(pause)
    os.close(r)
    err = p.stderr.read()
    p.wait()
    netns.check(p.returncode == 0 and not err,
                f"{' '.join(args)} into a pipe: exit {p.returncode}: {err!r}")
    return b"".join(chunks).decode(), [x for x in samples if x]


def test_slow_pipe(fill):
    _, tiny = into_full_pipe(["-tan", "sport = :1"], 65536, 0)
    tiny = max(tiny, default=0)
    netns.check(tiny > 0, "VmHWM of a tiny listing")
    for args, parse in ((["-tan"], table_rows), (["-tan", "-j"], json_rows)):
        fill.fresh()
        base = parse(sockscope(args, what="no limit:"))
        t0 = time.monotonic()
        out, samples = into_full_pipe(args, 1024, 0.002)
        took = time.monotonic() - t0
        got = parse(out)
        peak = max(samples, default=0)
        print(f"slow pipe {' '.join(args)}: {len(out)} bytes in {took:.1f} s, "
              f"{len(samples)} samples of VmHWM while blocked: "
              f"{min(samples, default=0)}..{peak} KiB "
              f"(a tiny listing: {tiny} KiB)")
        netns.check(got == base and len(got) >= TOTAL,
                    f"slow pipe {' '.join(args)}: {len(got)} rows, "
                    f"{len(base)} read fast")
        # Far more than a pipe buffer (64 KiB): sockscope blocked on it.
        netns.check(len(out) > 16 * 65536 and len(samples) > 10,
                    f"slow pipe {' '.join(args)}: only {len(out)} bytes")
        netns.check(peak - tiny <= PIPE_SLACK_KB,
                    f"slow pipe {' '.join(args)}: peak RSS {peak} KiB, "
                    f"{peak - tiny} KiB above a tiny listing")


def main():
    netns.enter()
    fill = Fill()
    try:
        test_nofile(fill)
        test_address_space(fill)
        test_fd_floor(fill)
        test_slow_pipe(fill)
    finally:
        fill.close()
    netns.finish("limits")


if __name__ == "__main__":
    main()
