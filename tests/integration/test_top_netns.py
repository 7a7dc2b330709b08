#!/usr/bin/env python3
"""`sockscope top --all-netns` driven through tmux (issue 19): the NETNS
column, grouping by namespace (g) and sorting by it (<), and a kill from
top that closes the socket in the namespace of its row, not a socket of
the same port in the namespace top runs in.

Run: test_top_netns.py SOCKSCOPE. Runs in its own mount, network and PID
namespaces (netns.enter_private): --all-netns sees only the namespaces
made here. The tmux server runs on a private socket inside them.
"""
import ctypes
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import netns
import tmuxpane

netns.enter_private("SOCKSCOPE_TOP_NETNS_PRIVATE")
SOCKSCOPE = sys.argv[1]
SOCKSCOPE_CMD = shlex.join(netns.wrap([SOCKSCOPE]))
if not shutil.which("tmux"):
    netns.skip("needs tmux")
TMPDIR = tempfile.mkdtemp(prefix="sockscope-top-netns-")
PROMPT = "READY$ "
CLONE_NEWNET = 0x40000000
LIBC = ctypes.CDLL(None, use_errno=True)


PANE = tmuxpane.Pane(os.path.join(TMPDIR, "tmux.sock"))
tmux = PANE.run
screen = PANE.screen
keys = PANE.keys
literal = PANE.literal


def wait_for(pred, what, timeout=10.0):
    return PANE.wait_for(pred, what, timeout)


def table(text):
    """The title line and the rows under it, up to a blank line."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(("NETNS", "GROUP")):
            rows = []
            for row in lines[i + 1:]:
                if not row.strip():
                    break
                rows.append(row)
            return line, rows
    return "", []


def in_netns(name, fn):
    """fn() with this (single-threaded) process in /run/netns/NAME: the
    sockets it makes stay there."""
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        if LIBC.setns(fd, CLONE_NEWNET) != 0:
            netns.fail(f"setns {name}: {os.strerror(ctypes.get_errno())}")
        return fn()
    finally:
        LIBC.setns(home, CLONE_NEWNET)
        os.close(fd)
        os.close(home)


def pair(queued):
    """A listener on 127.0.0.1:8080 and one connection to it; queued bytes
    wait unread at the accepted end."""
    lst = socket.socket()
    lst.bind(("127.0.0.1", 8080))
    lst.listen(8)
    cli = socket.create_connection(("127.0.0.1", 8080))
    srv, _ = lst.accept()
    if queued:
        cli.sendall(b"x" * queued)
    return [lst, cli, srv]


def listener():
    lst = socket.socket()
    lst.bind(("127.0.0.1", 9090))
    lst.listen(8)
    return [lst]


def established(ns):
    """ESTABLISHED TCP sockets in namespace ns (None: this one)."""
    argv = ["-N", ns] if ns else []
    return len(netns.sockscope_json(SOCKSCOPE, *argv, "-tn", "state",
                                    "established"))


def start_top():
    tmux("new-session", "-d", "-s", "t", "-x", "130", "-y", "40",
         f"env PS1='{PROMPT}' bash --norc --noprofile")
    wait_for(lambda t: PROMPT.rstrip() in t, "the shell prompt")
    literal(f"{SOCKSCOPE_CMD} top --all-netns -n -d 0.3; echo EXIT=$?")
    keys("Enter")
    return wait_for(lambda t: "NETNS" in t and "F10 Quit" in t and
                    len(table(t)[1]) == 7, "top draws every namespace")


def check_column(text):
    title, rows = table(text)
    labels = sorted(r.split()[0] for r in rows)
    netns.check(title.split()[:2] == ["NETNS", "STATE^"] and
                labels == ["-"] * 3 + ["tna"] * 3 + ["tnb"],
                f"a NETNS column, each row's namespace: {title} {rows}")
    netns.check(re.search(r"^namespaces 3 \(state meters: node-wide", text,
                          re.M) and "skipped" not in text,
                f"the header counts the namespaces:\n{text}")
    netns.check(re.search(r"\bLISTEN\s+3\s", text) and
                re.search(r"\bESTABLISHED\s+4\s", text),
                f"node-wide meters: 3 listeners, 4 established:\n{text}")
    netns.check(re.search(r"worst tuple .*127\.0\.0\.1 -> 127\.0\.0\.1:8080 "
                          r"in (-|tna)(\s|$)", text, re.M),
                f"the worst tuple names its namespace:\n{text}")


def check_group():
    for _ in range(8):
        if "group: namespace" in screen():
            break
        keys("g")
        time.sleep(0.3)
    text = wait_for(lambda t: "group: namespace" in t,
                    "g reaches the grouping by namespace")
    title, rows = table(text)
    groups = {r.split()[0]: int(r.split()[1]) for r in rows}
    netns.check(title.startswith("GROUP") and
                groups == {"-": 3, "tna": 3, "tnb": 1},
                f"one group per namespace, its sockets: {groups}")
    netns.check(re.search(r"^tna\s+3\s+1000\b", text, re.M),
                f"tna's group holds the 1000 queued bytes:\n{text}")
    keys("g")
    wait_for(lambda t: "group: sockets" in t, "g goes back to sockets")


def check_sort():
    keys("<")
    text = wait_for(lambda t: table(t)[0].startswith("NETNS^"),
                    "< sorts by the NETNS column")
    labels = [r.split()[0] for r in table(text)[1]]
    netns.check(labels == ["-"] * 3 + ["tna"] * 3 + ["tnb"],
                f"rows in the namespaces' order: {labels}")


def check_kill():
    # Recv-Q, largest first: the 1000-byte socket in tna leads.
    for _ in range(4):
        if "Recv-Qv" in table(screen())[0]:
            break
        keys(">")
        time.sleep(0.3)
    text = wait_for(lambda t: "Recv-Qv" in table(t)[0],
                    "> reaches Recv-Q")
    first = table(text)[1][0].split()
    netns.check(first[0] == "tna" and "1000" in first,
                f"the queued socket of tna first: {first}")
    keys("Home")
    time.sleep(0.3)
    keys("k")
    wait_for(lambda t: "? (y/n)" in t, "k asks before closing")
    keys("y")
    wait_for(lambda t: "close: done" in t, "y closes it")
    netns.check(established("tna") == 0,
                "its socket (and so its peer) closed in tna")
    netns.check(established(None) == 2,
                "the same port's connection here is left alone")
    text = wait_for(lambda t: re.search(r"\bESTABLISHED\s+2\s", t),
                    "the meters follow")
    keys("q")
    wait_for(lambda t: re.search(r"^EXIT=0$", t, re.M), "q quits, exit 0")


def main():
    held = []
    for name in ("tna", "tnb"):
        subprocess.run(["ip", "netns", "add", name], check=True)
        subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"],
                       check=True)
    held += pair(0)
    held += in_netns("tna", lambda: pair(1000))
    held += in_netns("tnb", listener)
    try:
        check_column(start_top())
        check_group()
        check_sort()
        check_kill()
    finally:
        tmux("kill-server", check=False)
        for s in held:
            s.close()
        shutil.rmtree(TMPDIR, ignore_errors=True)
    netns.finish("integration-top-netns")


if __name__ == "__main__":
    main()
