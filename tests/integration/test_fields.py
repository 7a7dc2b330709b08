#!/usr/bin/env python3
"""The field registry's added column: top -e shows each socket's inode
(INODE, the number in /proc/PID/fd's socket:[N]), the one JSON has had.

Run: test_fields.py SOCKSCOPE. Makes its own network namespace
(netns.py); batch mode, no terminal.
"""
import os
import sys

import netns
from topfix import make_sockets, table_rows

netns.enter()
SOCKSCOPE = sys.argv[1]


def inode(sock):
    return os.fstat(sock.fileno()).st_ino


def batch(*args):
    r = netns.run([SOCKSCOPE, "top", "-b", "--iterations", "1", "-n",
                   *args])
    netns.check(r.stderr == "", f"top -b {args}: nothing on stderr: "
                f"{r.stderr}")
    return table_rows(r.stdout)


def check_top_inode(held):
    title, rows = batch("-e")
    cols = title.split()
    netns.check(cols[-2:] == ["UID", "INODE"],
                f"-e: INODE is the last column, after UID: {title!r}")
    seen = {}
    for row in rows:
        f = row.split()
        port = int(f[1].rsplit(":", 1)[1])
        seen.setdefault(port, set()).add(int(f[-1]))
        # Right-aligned: the number ends where the title does.
        netns.check(len(row) == len(title.rstrip("^v")),
                    f"INODE right-aligned under its title: {row!r}")
    for sock in held:
        port = sock.getsockname()[1]
        netns.check(inode(sock) in seen.get(port, ()),
                    f"the socket on :{port} shows inode {inode(sock)}: "
                    f"{rows}")
    # JSON's inode and top's agree: one getter.
    rows_json = netns.sockscope_json(SOCKSCOPE, "-tan")
    for s in rows_json:
        if s["state"] == "LISTEN":
            netns.check(s["inode"] == inode(held[0]),
                        f"JSON inode of the listener: {s}")
    title, _ = batch()
    netns.check("INODE" not in title and title.split()[-1].startswith("UID"),
                f"without -e no INODE column: {title!r}")


held = make_sockets()
check_top_inode(held)
netns.finish("integration-fields")
