#!/usr/bin/env python3
"""`sockscope top` driven through tmux, plus --batch, against known sockets.

Run: test_top.py SOCKSCOPE. Makes its own network namespace (netns.py); the
tmux server runs on a private socket so that it lives in that namespace.
"""
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import netns
import tmuxpane
from topfix import make_sockets, meter, table_rows

netns.enter()
SOCKSCOPE = sys.argv[1]
# What the shell in tmux runs: with SOCKSCOPE_TEST_WRAPPER in front.
SOCKSCOPE_CMD = shlex.join(netns.wrap([SOCKSCOPE]))
if not shutil.which("tmux"):
    netns.skip("needs tmux")
TMPDIR = tempfile.mkdtemp(prefix="sockscope-top-")
PROMPT = "READY$ "


PANE = tmuxpane.Pane(os.path.join(TMPDIR, "tmux.sock"))
tmux = PANE.run
screen = PANE.screen
keys = PANE.keys
literal = PANE.literal


def wait_for(pred, what, timeout=5.0):
    return PANE.wait_for(pred, what, timeout)


def start_shell():
    tmux("new-session", "-d", "-s", "t", "-x", "120", "-y", "40",
         f"env PS1='{PROMPT}' bash --norc --noprofile")
    wait_for(lambda t: PROMPT.rstrip() in t, "the shell prompt")


def start_top(extra="", env=""):
    keys("clear", "Enter")
    literal(f"{env} {SOCKSCOPE_CMD} top -d 0.3 {extra}; echo EXIT=$?")
    keys("Enter")
    return wait_for(lambda t: "STATE" in t and "F10 Quit" in t,
                    "top draws its table")


def terminal_sane(how):
    # Anchored: the command line itself shows "echo EXIT=$?".
    text = wait_for(lambda t: re.search(r"^EXIT=\d+$", t, re.M),
                    f"top exits on {how}")
    netns.check(re.search(r"^EXIT=0$", text, re.M), f"top exits 0 on {how}")
    keys("clear", "Enter")
    literal("stty -a | tr ' ' '\\n' | grep -xE -- '-?(icanon|echo)'")
    keys("Enter")
    text = wait_for(lambda t: re.search(r"^-?echo$", t, re.M),
                    f"stty output after {how}")
    netns.check(re.search(r"^icanon$", text, re.M) and
                re.search(r"^echo$", text, re.M),
                f"canonical mode and echo restored after {how}:\n{text}")
    wait_for(lambda t: t.rstrip().endswith(PROMPT.rstrip()),
             f"the shell prompt is back after {how}")


def check_counts(text):
    netns.check(meter(text, "LISTEN") == 1, "header: LISTEN 1")
    netns.check(meter(text, "ESTABLISHED") == 2, "header: ESTABLISHED 2")
    netns.check(meter(text, "TIME_WAIT") == 1, "header: TIME_WAIT 1")
    _, rows = table_rows(text)
    states = sorted(r.split()[0] for r in rows)
    netns.check(states == ["ESTABLISHED", "ESTABLISHED", "LISTEN",
                           "TIME_WAIT"], f"one row per socket: {states}")


def check_filter():
    keys("/")
    wait_for(lambda t: re.search(r"^Filter:", t, re.M),
             "F3 / opens the prompt")
    literal("state time-wait")
    keys("Enter")
    text = wait_for(lambda t: "filter: state time-wait" in t and
                    len(table_rows(t)[1]) == 1,
                    "the filter is applied")
    _, rows = table_rows(text)
    netns.check(len(rows) == 1 and rows[0].startswith("TIME_WAIT"),
                f"only the TIME_WAIT row remains: {rows}")
    keys("/")
    wait_for(lambda t: "Filter: state time-wait" in t,
             "the prompt starts from the filter in force")
    keys("C-u")
    literal("state bogus")
    keys("Enter")
    text = wait_for(lambda t: "error:" in t, "an invalid filter shows")
    netns.check("bogus" in text, "the error names the bad word")
    keys("Escape")
    text = wait_for(lambda t: not re.search(r"^Filter:", t, re.M),
                    "Esc closes the prompt")
    _, rows = table_rows(text)
    netns.check("filter: state time-wait" in text and len(rows) == 1 and
                rows[0].startswith("TIME_WAIT"),
                "the previous filter stays after an invalid one")
    keys("/", "C-u", "Enter")
    wait_for(lambda t: "filter: (none)" in t and
             len(table_rows(t)[1]) == 4, "an empty filter shows all again")


def recvq_of(title, row):
    col = title.index("Recv-Q")
    return row[:col + len("Recv-Q") + 1].split()[-1]


def check_sort():
    keys(">", ">", ">")
    text = wait_for(lambda t: "Recv-Qv" in t, "> moves the sort to Recv-Q")
    title, rows = table_rows(text)
    netns.check(rows and recvq_of(title, rows[0]) == "1000",
                f"largest Recv-Q first: {rows}")
    keys("I")
    text = wait_for(lambda t: "Recv-Q^" in t, "I inverts the sort")
    title, rows = table_rows(text)
    netns.check(rows and recvq_of(title, rows[-1]) == "1000",
                f"inverted: largest Recv-Q last: {rows}")


def check_group():
    keys("g")
    text = wait_for(lambda t: "group: state" in t, "g groups by state")
    _, rows = table_rows(text)
    groups = {" ".join(r.split()[:2]): int(r.split()[2]) for r in rows}
    netns.check(groups == {"tcp ESTABLISHED": 2, "tcp LISTEN": 1,
                           "tcp TIME_WAIT": 1},
                f"state groups with counts: {groups}")
    keys("g")
    text = wait_for(lambda t: "group: local port" in t,
                    "g again groups by local port")
    netns.check(re.search(r"^tcp :8080\s+2\s+1000\b", text, re.M),
                f"port 8080 group: 2 sockets, 1000 queued:\n{text}")
    for _ in range(6):  # on round to one row per socket
        if "group: sockets" in screen():
            break
        keys("g")
        time.sleep(0.3)
    wait_for(lambda t: "group: sockets" in t, "grouping cycles back")


def check_resize():
    tmux("resize-window", "-t", "t", "-x", "60", "-y", "20")
    text = wait_for(lambda t: "UID" not in t and "STATE" in t,
                    "a narrow window drops columns")
    title, rows = table_rows(text)
    netns.check(title.split()[:3] == ["STATE", "LOCAL", "PEER"] and
                "RTT" not in title, f"narrow title keeps the left: {title}")
    netns.check(all(len(line) <= 60 for line in text.splitlines()),
                "nothing drawn past 60 columns")
    netns.check(re.search("F10 ?Quit", text.splitlines()[19]),
                "function bar on the last of 20 lines")
    tmux("resize-window", "-t", "t", "-x", "120", "-y", "40")
    wait_for(lambda t: "UID" in t, "widening brings the columns back")


COLOR_SGR = re.compile(r"\x1b\[(?:[0-9]+;)*(?:3[0-7]|4[0-7])(?:;[0-9]+)*m")


def check_colors(extra, colored):
    """Colours by role, or none with NO_COLOR / --no-color."""
    start_top(extra)
    text = tmux("capture-pane", "-p", "-e", "-t", "t").stdout
    netns.check(bool(COLOR_SGR.search(text)) == colored,
                f"colours {'on' if colored else 'off'} with '{extra}'")
    netns.check("\x1b[7m" in text or colored,
                f"monochrome roles use reverse video with '{extra}'")
    keys("q")
    terminal_sane(f"q ({extra})")


def check_advice():
    """The advice pane and the counter rates come from the advise code."""
    text = screen()
    netns.check("Advice (a hides)" in text, "the advice pane is shown")
    netns.check(re.search(r"^new connections [0-9.]+/s  retransmits "
                          r"[0-9.]+/s  ListenOverflows [0-9.]+/s", text,
                          re.M), "counter rates in the header")
    keys("a")
    wait_for(lambda t: "Advice (a hides)" not in t, "a hides the pane")
    keys("a")
    wait_for(lambda t: "Advice (a hides)" in t, "a shows it again")


def check_kill():
    """F9/k closes the selected socket after y (SOCK_DESTROY)."""
    keys("End")
    time.sleep(0.3)
    title, rows = table_rows(screen())
    netns.check(rows and recvq_of(title, rows[-1]) == "1000",
                f"End selects the last row, the 1000-byte one: {rows}")
    keys("k")
    wait_for(lambda t: "? (y/n)" in t, "k asks before closing")
    keys("n")
    text = wait_for(lambda t: "not closed" in t, "n leaves it")
    netns.check(meter(text, "ESTABLISHED") == 2, "nothing closed after n")
    keys("F9")
    wait_for(lambda t: "? (y/n)" in t, "F9 asks too")
    keys("y")
    text = wait_for(lambda t: "close: done" in t and
                    meter(t, "ESTABLISHED") == 0,
                    "y closes it; its peer is reset too")
    title, rows = table_rows(text)
    netns.check(not any(r.startswith("ESTAB") for r in rows),
                f"the closed socket's row is gone: {rows}")


def check_readonly():
    start_top("--readonly")
    text = screen()
    netns.check("F9" not in text, "--readonly: no F9 in the function bar")
    keys("k")
    text = wait_for(lambda t: "read-only (--readonly)" in t,
                    "--readonly: k only says it is read-only")
    netns.check("(y/n)" not in text, "--readonly: no question asked")
    for key in ("h", "F1"):
        keys(key)
        text = wait_for(lambda t: "sockscope top: keys" in t,
                        f"--readonly: {key} opens the help")
        netns.check(re.search(r"^\s*\(F9 k\s+off: read-only "
                              r"\(--readonly\)\)$", text, re.M) and
                    "close the tagged sockets" not in text,
                    f"--readonly: the help shows F9/k off, not active:\n"
                    f"{text}")
        keys("Escape")
        wait_for(lambda t: "sockscope top: keys" not in t and "STATE" in t,
                 "any key closes the help")
    keys("q")
    terminal_sane("q (--readonly)")


def header(text):
    return text.splitlines()[0] if text else ""


def check_pause_search_delay():
    """Space no longer pauses (it tags), z/Z do; backslash searches without
    filtering; + and - change the interval shown in the header."""
    keys("Space")
    text = wait_for(lambda t: "tagged 1" in header(t), "Space tags a row")
    netns.check("[paused]" not in header(text), "Space does not pause")
    keys("U")
    wait_for(lambda t: "tagged" not in header(t), "U untags all")
    keys("z")
    wait_for(lambda t: "[paused]" in header(t), "z pauses")
    keys("Z")
    wait_for(lambda t: "[paused]" not in header(t), "Z resumes")
    keys("\\")
    wait_for(lambda t: re.search(r"^Search:", t, re.M), "backslash prompts")
    literal("time_wait")
    keys("Enter")
    text = wait_for(lambda t: not re.search(r"^Search:", t, re.M),
                    "Enter searches")
    netns.check("filter: (none)" in text and len(table_rows(text)[1]) == 4,
                f"a search filters nothing:\n{text}")
    netns.check("not found" not in text, "the TIME_WAIT row is found")
    keys("\\", "C-u")
    literal("nowhere")
    keys("Enter")
    wait_for(lambda t: "not found: nowhere" in t, "a failed search says so")
    keys("+")
    wait_for(lambda t: "every 0.5s" in header(t), "+ lengthens the interval")
    keys("-", "-")
    wait_for(lambda t: "every 0.1s" in header(t), "- shortens it")
    keys("d")
    wait_for(lambda t: "every 0.2s" in header(t) or
             "every 0.3s" in header(t), "d cycles it")


def shown(text):
    """The table rows on a full screen: the function bar follows them."""
    return [r for r in table_rows(text)[1] if not r.startswith("F1")]


def check_sort_top(client_port):
    """On a 3-row table, a new sort shows the top of the new order, even
    when the selection was further down (htop)."""
    tmux("resize-window", "-t", "t", "-x", "120", "-y", "14")
    start_top("sport = :9090 or dport = :9090")
    wait_for(lambda t: len(shown(t)) == 3, "a 3-row table")
    keys("\\")
    literal(f"127.0.0.1:{client_port} 127.0.0.1:9090")
    keys("Enter")
    text = wait_for(lambda t: not re.search(r"^Search:", t, re.M) and
                    any(f":{client_port} " in r for r in shown(t)),
                    "the search selects the client")
    keys(">")  # STATE -> LOCAL: the client's ephemeral port sorts last
    text = wait_for(lambda t: "LOCALv" in t or "LOCAL^" in t,
                    "> sorts by LOCAL")
    rows = shown(text)
    netns.check(len(rows) == 3 and
                all(r.split()[1].endswith(":9090") for r in rows),
                f"the view shows the top of the new order: {rows}")
    keys("q")
    terminal_sane("q (sort to top)")
    tmux("resize-window", "-t", "t", "-x", "120", "-y", "40")


def check_tag_kill():
    """Two connections of their own, tagged, closed after one question."""
    lst = socket.socket()
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(("127.0.0.1", 9090))
    lst.listen(4)
    held = [lst]
    for _ in range(2):
        held.append(socket.create_connection(("127.0.0.1", 9090)))
        held.append(lst.accept()[0])
    check_sort_top(held[1].getsockname()[1])
    start_top("dport = :9090")
    text = wait_for(lambda t: len(table_rows(t)[1]) == 2, "the two clients")
    keys("Space", "Space")
    wait_for(lambda t: "tagged 2" in header(t), "two rows tagged")
    keys("k")
    text = wait_for(lambda t: "? (y/n)" in t, "k asks once for both")
    question = [ln for ln in text.splitlines() if ln.startswith("Close")]
    netns.check(question and question[0].startswith("Close 2 sockets: ") and
                question[0].count("-> 127.0.0.1:9090") == 2,
                f"the question names both:\n{text}")
    keys("y")
    text = wait_for(lambda t: "closed 2 of 2" in t and "rows: 0" in t,
                    "y closes both")
    # As htop's exited processes: a few seconds dimmed, then gone.
    _, rows = table_rows(text)
    netns.check(len(rows) == 2 and all(r.startswith("(closed) ")
                                       for r in rows),
                f"the closed sockets stay a moment, marked: {rows}")
    netns.check(re.search(r"^closed [0-9.]+/s: ESTABLISHED [0-9.]+", text,
                          re.M), f"closes/s by state:\n{text}")
    wait_for(lambda t: not table_rows(t)[1], "closed rows go after 5 s",
             timeout=10)
    keys("q")
    terminal_sane("q (tagged kill)")
    for s in held:
        s.close()


def own_sockets():
    """This process's TCP and UDP sockets in the namespace, from /proc:
    the inodes of its descriptors in /proc/net/{tcp,udp}{,6}."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            m = re.match(r"socket:\[(\d+)\]$",
                         os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            continue
        if m:
            inodes.add(m.group(1))
    n = 0
    for table in ("tcp", "tcp6", "udp", "udp6"):
        with open(f"/proc/net/{table}") as f:
            next(f)
            n += sum(1 for line in f if line.split()[9] in inodes)
    return n


def check_tag_process():
    """c tags every socket of the selected row's process and no other's
    (a child holds a listener of its own); U untags them."""
    child = subprocess.Popen(
        [sys.executable, "-c", "import socket, sys; "
         "s = socket.create_server(('127.0.0.1', 9191)); "
         "print('up', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    child.stdout.readline()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 9192))
    try:
        mine = own_sockets()
        wait_for(lambda t: ":9191 " in t and ":9192 " in t,
                 "the child's listener and our UDP socket show")
        keys("\\")
        literal("127.0.0.1:9192")
        keys("Enter")
        wait_for(lambda t: not re.search(r"^Search:", t, re.M),
                 "the search selects our UDP socket")
        keys("c")
        text = wait_for(lambda t: "tagged" in header(t),
                        "c tags the process's sockets")
        netns.check(f"tagged {mine}" in header(text) and mine >= 2,
                    f"c: tagged {mine}, this process's sockets (not the "
                    f"child's): {header(text)}")
        keys("U")
        wait_for(lambda t: "tagged" not in header(t), "U untags them")
    finally:
        u.close()
        child.stdin.close()
        child.wait(timeout=10)


def check_processes():
    """-p: grouping by process names the pid; c tags a process's sockets;
    PROCESS outlives the other optional columns on a narrow screen."""
    start_top("-p")
    for _ in range(6):
        if "group: process" in screen():
            break
        keys("g")
        time.sleep(0.3)
    text = wait_for(lambda t: "group: process" in t, "g reaches process")
    netns.check(re.search(rf"^python3? \({os.getpid()}\)\s", text, re.M),
                f"the group names name and pid {os.getpid()}:\n{text}")
    keys("F4")
    wait_for(lambda t: "group: sockets" in t, "back to sockets")
    check_tag_process()
    tmux("resize-window", "-t", "t", "-x", "60", "-y", "20")
    text = wait_for(lambda t: "UID" not in t and "STATE" in t,
                    "a narrow window with -p")
    title, _ = table_rows(text)
    netns.check("PROCESS" in title and "TIMER" not in title,
                f"-p: PROCESS stays at 60 columns: {title}")
    tmux("resize-window", "-t", "t", "-x", "120", "-y", "40")
    wait_for(lambda t: "UID" in t, "widening brings the columns back")
    keys("q")
    terminal_sane("q (-p)")


def check_dumb_terminal():
    keys("clear", "Enter")
    literal(f"TERM=dumb {SOCKSCOPE_CMD} top; echo EXIT=$?")
    keys("Enter")
    text = wait_for(lambda t: re.search(r"^EXIT=\d+$", t, re.M),
                    "top under TERM=dumb returns")
    netns.check(re.search(r"^EXIT=1$", text, re.M) and
                "cannot drive terminal type 'dumb'" in text,
                f"TERM=dumb: one-line error, exit 1:\n{text}")
    # A type terminfo does not know: the same refusal (stderr to a file,
    # to count its lines; stdin and stdout stay the terminal).
    err = os.path.join(TMPDIR, "term.err")
    keys("clear", "Enter")
    literal(f"TERM=no-such-term {SOCKSCOPE_CMD} top 2>{err}; echo EXIT=$?")
    keys("Enter")
    text = wait_for(lambda t: re.search(r"^EXIT=\d+$", t, re.M),
                    "top under TERM=no-such-term returns")
    with open(err) as f:
        said = f.read()
    netns.check(re.search(r"^EXIT=1$", text, re.M) and
                said.count("\n") == 1 and
                "cannot drive terminal type 'no-such-term'" in said,
                f"TERM=no-such-term: one-line error naming it, exit 1: "
                f"{said!r}\n{text}")


def check_interactive():
    start_shell()
    text = start_top()
    check_counts(text)
    # The rows on screen get their tcp_info one by one, after the dump.
    text = wait_for(lambda t: any(re.search(r"\b\d+\.\dms\b", r)
                                  for r in table_rows(t)[1]
                                  if r.startswith("ESTAB")),
                    "the ESTABLISHED rows show an RTT")
    check_pressure(wait_for(lambda t: "worst tuple" in t,
                            "the pressure line"), "screen")
    check_filter()
    check_sort()
    check_group()
    check_resize()
    check_pause_search_delay()
    check_advice()
    check_kill()
    keys("q")
    terminal_sane("q")
    check_readonly()
    check_tag_kill()
    check_processes()
    check_dumb_terminal()
    check_colors("", True)
    check_colors("--no-color", False)
    start_top(env="NO_COLOR=1")
    text = tmux("capture-pane", "-p", "-e", "-t", "t").stdout
    netns.check(not COLOR_SGR.search(text), "NO_COLOR=1 turns colours off")
    keys("q")
    terminal_sane("q (NO_COLOR)")
    start_top()
    keys("C-c")
    terminal_sane("Ctrl-C")
    keys("clear", "Enter")
    literal(f"sh -c 'echo $$ > {TMPDIR}/pid; exec {SOCKSCOPE_CMD} top'"
            "; echo EXIT=$?")
    keys("Enter")
    wait_for(lambda t: "F10 Quit" in t, "top started for SIGTERM")
    with open(os.path.join(TMPDIR, "pid")) as f:
        os.kill(int(f.read()), signal.SIGTERM)
    terminal_sane("SIGTERM")


def usable_ports():
    """ip_local_port_range less ip_local_reserved_ports, as the kernel."""
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        lo, hi = map(int, f.read().split())
    reserved = set()
    with open("/proc/sys/net/ipv4/ip_local_reserved_ports") as f:
        for part in filter(None, f.read().strip().split(",")):
            a, _, b = part.partition("-")
            reserved.update(range(int(a), int(b or a) + 1))
    return sum(1 for p in range(lo, hi + 1) if p not in reserved)


def check_pressure(text, how):
    """Orphans (host-wide) and the busiest tuple: both client sockets,
    the ESTABLISHED and the TIME_WAIT one, go to 127.0.0.1:8080 from
    ephemeral ports, whatever the filter shows."""
    n = usable_ports()
    m = re.search(r"^orphans \(host-wide\) \d+(?: of \d+ \[[| ]{6}\])?  "
                  rf"worst tuple 2 of {n} ports \(0\.0%\) \[\|     \] "
                  r"127\.0\.0\.1 -> 127\.0\.0\.1:8080$", text, re.M)
    netns.check(m, f"{how}: orphans and the worst tuple, 2 of {n}:\n{text}")


def check_batch():
    r = netns.run([SOCKSCOPE, "top", "--batch", "--iterations", "3", "-d", "0.1"])
    check_pressure(r.stdout, "batch")
    snaps = r.stdout.count("sockscope top - ")
    netns.check(snaps == 3, f"--batch --iterations 3 prints 3 snapshots, got {snaps}")
    netns.check(len(re.findall(r"^TIME_WAIT +127\.0\.0\.1:", r.stdout,
                               re.M)) == 3,
                "each snapshot lists the TIME_WAIT socket")
    netns.check(r.stderr == "", f"nothing on stderr: {r.stderr}")
    r = netns.run([SOCKSCOPE, "top", "-b", "--iterations", "1", "state", "listening"])
    check_pressure(r.stdout, "batch, filtered")
    _, rows = table_rows(r.stdout)
    netns.check(len(rows) == 1 and rows[0].startswith("LISTEN"),
                f"a command-line filter applies in batch: {rows}")
    ffile = os.path.join(TMPDIR, "filter")
    with open(ffile, "w") as f:
        f.write("state time-wait\n")
    r = netns.run([SOCKSCOPE, "top", "-b", "--iterations", "1", "-F", ffile])
    _, rows = table_rows(r.stdout)
    netns.check(len(rows) == 1 and rows[0].startswith("TIME_WAIT") and
                f"filter: -F {ffile}" in r.stdout,
                f"a -F filter applies and is named: {r.stdout}")
    r = netns.run([SOCKSCOPE, "top", "-b", "--iterations", "1", "-p"])
    title, rows = table_rows(r.stdout)
    owners = [r for r in rows if r.startswith(("LISTEN", "ESTAB"))]
    netns.check("PROCESS" in title and owners and
                all(" python" in r for r in owners),
                f"-p: the test's sockets are python's: {rows}")
    path = f"/proc/{os.getpid()}/ns/net"
    r = netns.run([SOCKSCOPE, "top", "-b", "--iterations", "1", "-N", path])
    netns.check(f"  netns {path}  " in r.stdout.splitlines()[0],
                f"-N: the header names the namespace: {r.stdout[:200]}")
    r = netns.run([SOCKSCOPE, "top"], check_rc=2)
    netns.check("not a terminal" in r.stderr and r.stdout == "",
                f"no terminal, no --batch: refused: {r.stderr}")
    r = netns.run([SOCKSCOPE, "top", "-b", "-d", "0.01"], check_rc=2)
    netns.check("--delay" in r.stderr, "a too short delay is refused")
    r = netns.run([SOCKSCOPE, "list", "--batch"], check_rc=2)
    netns.check("sockscope top" in r.stderr, "--batch is top's only")


held = make_sockets()
try:
    check_batch()
    check_interactive()
finally:
    tmux("kill-server", check=False)
    shutil.rmtree(TMPDIR, ignore_errors=True)
netns.finish("integration-top")
