#!/usr/bin/env python3
"""The command line and the table's layout, against real sockets.

Run: test_cli.py SOCKSCOPE. Makes its own network namespace (netns.py).
"""
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time

import netns

netns.enter()
SOCKSCOPE = sys.argv[1]
NLMSG_ERROR, NLMSG_DONE = 2, 3
HDR = 16  # nlmsghdr; inet_diag_msg follows: family, state, ...
WQUEUE = HDR + 60  # inet_diag_msg.idiag_wqueue
LONG6 = "2001:db8:1:2:3:4:5:6"  # almost the longest IPv6 text there is


def big_send_q_pair():
    """An ESTABLISHED pair on a long IPv6 address whose sender holds a
    large Send-Q: the peer reads nothing through a small receive buffer."""
    netns.add_addr6(LONG6)
    lst = socket.socket(socket.AF_INET6)
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    lst.bind((LONG6, 65000))
    lst.listen(1)
    cli = socket.socket(socket.AF_INET6)
    cli.setsockopt(socket.SOL_SOCKET, 32, 16 << 20)  # SO_SNDBUFFORCE
    cli.connect((LONG6, 65000))
    srv, _ = lst.accept()
    cli.setblocking(False)
    chunk = b"x" * 65536
    try:
        for _ in range(1024):
            cli.send(chunk)
    except BlockingIOError:
        pass
    time.sleep(0.2)
    return [lst, cli, srv]


def time_wait():
    lst = socket.socket()
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(("127.0.0.1", 8080))
    lst.listen(4)
    c = socket.create_connection(("127.0.0.1", 8080))
    s, _ = lst.accept()
    c.close()  # the client closes first: its side ends in TIME_WAIT
    time.sleep(0.05)
    s.close()
    lst.close()
    time.sleep(0.1)


def word_starts(line):
    starts, prev = [], " "
    for i, ch in enumerate(line):
        if ch != " " and prev == " ":
            starts.append(i)
        prev = ch
    return starts


def check_aligned(lines, words, what):
    """Each line's first `words` words start where the first line's do."""
    want = word_starts(lines[0])[:words]
    bad = [ln for ln in lines if word_starts(ln)[:words] != want]
    netns.check(len(want) == words and not bad,
                f"{what}: {len(bad)} of {len(lines)} rows out of line, "
                f"first: {bad[:1]!r} against {lines[0]!r}")


def test_wide_rows_last_stay_aligned():
    """5,000 TIME_WAIT rows, then the widest: ESTABLISHED on a long IPv6
    address with a 7-digit Send-Q (real) and one with a 10-digit one."""
    held = big_send_q_pair()
    time_wait()
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "dump")
        netns.run([SOCKSCOPE, "-t", "state", "time-wait", "state",
                   "established", "--save", path])
        msgs = list(netns.nl_messages(open(path, "rb").read()))
        rows = [m for t, m in msgs if t not in (NLMSG_ERROR, NLMSG_DONE)]
        tw = [m for m in rows if m[HDR + 1] == 6]
        est = [m for m in rows if m[HDR + 1] == 1]
        done = next(m for t, m in msgs if t == NLMSG_DONE)
        sendq = max(struct.unpack_from("<I", m, WQUEUE)[0] for m in est)
        netns.check(len(tw) == 1 and len(est) == 2 and sendq >= 1000000,
                    f"real sockets: 1 TIME_WAIT, 2 ESTABLISHED, a 7-digit "
                    f"Send-Q: {len(tw)} {len(est)} {sendq}")
        top = bytearray(est[0])
        struct.pack_into("<I", top, WQUEUE, 0xFFFFFFFF)
        with open(path, "wb") as f:
            f.write(tw[0] * 5000 + b"".join(est) + bytes(top) + done)
        for args, skip in ((["-t"], 1), (["-tH"], 0), (["-tn"], 1),
                           (["-te"], 1)):
            out = netns.run([SOCKSCOPE, *args, "-a", "--load", path])
            lines = out.stdout.splitlines()[skip:]
            netns.check(len(lines) == 5003,
                        f"{args}: 5,003 rows, got {len(lines)}")
            check_aligned(lines, 5, f"{args} --load")
            netns.check("4294967295" in lines[-1] and LONG6 in lines[-1],
                        f"{args}: the widest row last: {lines[-1]!r}")
    for s in held:
        s.close()


def other_netns():
    """A process in a namespace of its own, with a listener on 4444: its
    /proc/PID/ns/net is a -N PATH."""
    code = ("import socket, sys; s = socket.socket(); "
            "s.bind(('127.0.0.1', 4444)); s.listen(); print('ready', "
            "flush=True); sys.stdin.read()")
    p = subprocess.Popen(["unshare", "-n", sys.executable, "-c",
                          "import subprocess; subprocess.run(['ip', 'link',"
                          " 'set', 'lo', 'up']); " + code],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         text=True)
    netns.check(p.stdout.readline().strip() == "ready", "helper namespace")
    return p


def test_options_before_command():
    helper = other_netns()
    path = f"/proc/{helper.pid}/ns/net"
    try:
        # Less the host-wide allocation counters, which move meanwhile.
        after = json.loads(netns.run([SOCKSCOPE, "summary", "-N", path,
                                      "-j"]).stdout)
        after.pop("kernel")
        for args in (["-N", path, "summary", "-j"],
                     ["-j", "--net", path, "summary"],
                     [f"--net={path}", "-j", "summary"],
                     ["-tuN", path, "-j", "summary"]):
            r = netns.run([SOCKSCOPE, *args], check_rc=None)
            got = json.loads(r.stdout) if r.returncode == 0 else {}
            got.pop("kernel", None)
            netns.check(got == after,
                        f"{args}: as 'summary {' '.join(args)}': "
                        f"{r.returncode} {r.stderr!r}")
        there = after["tcp"]["states"]["LISTEN"]["total"]
        netns.check(there == 1, f"summary -N PATH counts its listener: "
                    f"{after}")
        with tempfile.NamedTemporaryFile("w", suffix=".flt") as f:
            f.write("sport = :4444\n")
            f.flush()
            for args in (["-N", path, "-F", f.name, "-tl", "list"],
                         ["-tlN", path, "list", "-F", f.name]):
                r = netns.run([SOCKSCOPE, *args])
                netns.check("127.0.0.1:4444" in r.stdout and
                            len(r.stdout.splitlines()) == 2,
                            f"{args}: the one listener there: {r.stdout!r}")
            r = netns.run([SOCKSCOPE, "-tl", "-N", path, "-F", f.name,
                           "top", "-b", "--iterations", "1"])
            netns.check("127.0.0.1:4444" in r.stdout, f"-N .. top: {r.stdout}")
    finally:
        helper.stdin.close()
        helper.wait()
    r = netns.run([SOCKSCOPE, "--all-netns", "kill", "state", "listening"],
                  check_rc=2)
    netns.check(r.stderr.startswith("sockscope: --all-netns applies to list")
                and r.stdout == "",
                f"--all-netns before kill: the option's own error: "
                f"{r.stderr!r}")
    r = netns.run([SOCKSCOPE, "-t", "state", "listening", "summary"],
                  check_rc=2)
    netns.check("a command comes before the filter" in r.stderr and
                r.stderr.count("\n") == 1,
                f"a command after filter words: said plainly: {r.stderr!r}")
    r = netns.run([SOCKSCOPE, "-s", "kill", "state", "listening"],
                  check_rc=2)
    netns.check("-s" in r.stderr and r.stdout == "",
                f"-s with another command: refused: {r.stderr!r}")


def test_top_takes_list_letters():
    held = []
    lst = socket.socket()
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(("127.0.0.1", 8080))
    lst.listen(4)
    l6 = socket.socket(socket.AF_INET6)
    l6.bind(("::1", 8081))
    l6.listen(4)
    held += [lst, l6]
    r = netns.run([SOCKSCOPE, "top", "-tan", "-b", "--iterations", "1"])
    netns.check("127.0.0.1:8080" in r.stdout and r.stderr == "",
                f"top -tan: numeric ports: {r.stdout!r} {r.stderr!r}")
    r = netns.run([SOCKSCOPE, "top", "-tl", "-4", "-b", "--iterations",
                   "1"])
    netns.check(":8080" in r.stdout and "[::1]" not in r.stdout,
                f"top -tl -4: IPv4 listeners only: {r.stdout!r}")
    if os.path.exists("/etc/services"):
        netns.check("127.0.0.1:http-alt" in r.stdout,
                    f"top without -n: service names: {r.stdout!r}")
    r = netns.run([SOCKSCOPE, "top", "-b", "-n", "1"], check_rc=2)
    netns.check("--iterations" in r.stderr and r.stderr.count("\n") == 1,
                f"top -n 1: points at --iterations: {r.stderr!r}")
    for s in held:
        s.close()


def test_usage_errors_name_the_program():
    for args, what in ((["-Z"], "'-Z' is unknown"),
                       (["--bogus"], "'--bogus' is unknown"),
                       (["-N"], "'-N' needs a value"),
                       (["--net"], "'--net' needs a value"),
                       (["--tcp=1"], "'--tcp' takes no value"),
                       (["--tcp", "-Za"], "'-Z' is unknown"),
                       (["top", "-Q"], "'-Q' is unknown"),
                       (["top", "--iterations"], "'--iterations' needs"),
                       (["kill", "-Q"], "'-Q' is unknown"),
                       (["summary", "--top"], "'--top' needs a value")):
        r = netns.run([SOCKSCOPE, *args], check_rc=2)
        netns.check(r.stderr.startswith("sockscope: ") and what in r.stderr
                    and r.stderr.count("\n") == 1 and SOCKSCOPE not in r.stderr
                    and r.stdout == "",
                    f"{args}: one line from 'sockscope:' saying {what}: "
                    f"{r.stderr!r}")
    for args in (["--\x1b[31mred"], ["--format", "x\x1b[2J"],
                 ["advise", "--interval", "\x1b]0;t\x07"]):
        r = netns.run([SOCKSCOPE, *args], check_rc=2)
        netns.check("\x1b" not in r.stderr and "\\x1b" in r.stderr,
                    f"{args}: the typed text escaped: {r.stderr!r}")


def test_load_missing_file():
    for fmt in ("table", "json", "ndjson", "prometheus"):
        r = netns.run([SOCKSCOPE, "--format", fmt, "--load",
                       "/nonexistent/dump"], check_rc=1)
        netns.check(r.stdout == "" and r.stderr.count("\n") == 1 and
                    "/nonexistent/dump" in r.stderr,
                    f"--load of a missing file, {fmt}: nothing on stdout: "
                    f"{r.stdout!r} {r.stderr!r}")


def test_interval_fractions():
    start = time.monotonic()
    r = netns.run([SOCKSCOPE, "advise", "-j", "--interval", "0.5"],
                  check_rc=None)
    took = time.monotonic() - start
    netns.check(r.returncode in (0, 3) and
                json.loads(r.stdout)["interval_s"] == 0.5 and
                0.5 <= took < 5,
                f"--interval 0.5: {r.returncode} {took:.2f}s {r.stderr!r}")
    for bad in ("abc", "0.05", "-1", "1e3", "3601", "", "0x10"):
        r = netns.run([SOCKSCOPE, "advise", "--interval", bad], check_rc=2)
        netns.check(r.stderr.count("\n") == 1 and "--interval" in r.stderr
                    and r.stdout == "",
                    f"--interval {bad!r}: one line, exit 2: {r.stderr!r}")


def test_watch_bounds():
    # A duration past what the milliseconds field holds is refused, not
    # wrapped to a few hundred milliseconds; the bound is printed whole.
    r = netns.run([SOCKSCOPE, "watch", "--duration", "4294968"], check_rc=2)
    netns.check(r.stderr.count("\n") == 1 and "4294967" in r.stderr and
                "e+" not in r.stderr,
                f"--duration past 49 days: one line, exit 2: {r.stderr!r}")
    # The kernel announces no UNIX socket closing: refused, not a silent
    # watch that never prints.
    for args in (["-x"], ["-A", "unix"], ["-f", "unix"]):
        r = netns.run([SOCKSCOPE, "watch", *args, "--duration", "1"],
                      check_rc=2)
        netns.check(r.stderr.count("\n") == 1 and "UNIX" in r.stderr,
                    f"watch {args}: refused: {r.stderr!r}")


test_wide_rows_last_stay_aligned()
test_options_before_command()
test_top_takes_list_letters()
test_usage_errors_name_the_program()
test_load_missing_file()
test_interval_fractions()
test_watch_bounds()
netns.finish("test_cli")
