#!/usr/bin/env python3
"""The command line and the table's layout, against real sockets.

Run: test_cli.py SOCKSCOPE. Makes its own network namespace (netns.py).
"""
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


def messages(data):
    off = 0
    while off + HDR <= len(data):
        mlen, mtype = struct.unpack_from("<IH", data, off)
        if mlen < HDR:
            break
        yield mtype, data[off:off + mlen]
        off += mlen


def big_send_q_pair():
    """An ESTABLISHED pair on a long IPv6 address whose sender holds a
    large Send-Q: the peer reads nothing through a small receive buffer."""
    subprocess.run(["ip", "-6", "addr", "add", LONG6 + "/128", "dev", "lo",
                    "nodad"], check=True)
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
        msgs = list(messages(open(path, "rb").read()))
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


test_wide_rows_last_stay_aligned()
netns.finish("test_cli")
