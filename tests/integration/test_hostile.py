#!/usr/bin/env python3
"""What a hostile user controls (process names, cgroup names, the host name,
files planted where root saves or loads, closed descriptors, FIFOs, a full
disk, a low descriptor limit) against real sockets in a private network and
mount namespace. argv[1] is the sockscope binary.

Every sockscope run has a timeout: a FIFO that blocks it fails the test
instead of hanging it."""
import ctypes
import json
import os
import resource
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
from netns import check  # noqa: E402

TIMEOUT = 20
# Prerequisites found missing: the rest runs, then the test skips.
MISSING = []
CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000


def unshare(flags):
    """os.unshare() arrived in Python 3.12: libc's, through ctypes."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(flags):
        raise OSError(ctypes.get_errno(), "unshare")

# Holds one listening socket on a chosen fd under a chosen name, set with
# prctl(PR_SET_NAME) from raw bytes (hex), after joining a cgroup v2
# directory if one is given (the socket is tagged with the cgroup its
# creator is in); says "ready" and waits for its stdin to close.
HOLDER = r"""
import ctypes, os, socket, sys
port, fd, name, cg = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
if cg:
    with open(os.path.join(os.fsencode(bytes.fromhex(cg)), b"cgroup.procs"), "w") as f:
        f.write(str(os.getpid()))
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen()
os.dup2(s.fileno(), fd)
s.close()
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(15, ctypes.c_char_p(bytes.fromhex(name)), 0, 0, 0):
    sys.exit("prctl(PR_SET_NAME) failed")
print("ready", flush=True)
sys.stdin.read()
"""


class Holder:
    def __init__(self, port, fd, name, cgroup=b""):
        self.p = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(port), str(fd), name.hex(),
             cgroup.hex()], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True)
        self.pid = self.p.pid
        if self.p.stdout.readline().strip() != "ready":
            netns.fail(f"holder on port {port} did not start")

    def stop(self):
        self.p.stdin.close()
        self.p.wait(timeout=10)


def sockscope(binary, args, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("timeout", TIMEOUT)
    try:
        return subprocess.run(netns.wrap([binary, *args]), **kw)
    except subprocess.TimeoutExpired:
        netns.fail(f"{' '.join(args)}: still running after {TIMEOUT} s "
                   "(blocked)")


def one_line(r, what, *words):
    """Exit 1 and one stderr line holding every word."""
    err = r.stderr.decode(errors="replace") if isinstance(
        r.stderr, bytes) else r.stderr
    lines = err.splitlines()
    check(r.returncode == 1 and len(lines) == 1 and
          lines[0].startswith("sockscope: ") and
          all(w in lines[0] for w in words),
          f"{what}: exit 1 and one line with {words}: "
          f"exit {r.returncode}, {err!r}")


def decoded(s):
    """A JSON string from sockscope back to the raw bytes (surrogateescape
    for bytes that are not UTF-8)."""
    return s.encode("utf-8", "surrogateescape")


def no_controls(raw):
    """Printable ASCII and newlines only: nothing a terminal acts on."""
    return all(0x20 <= b < 0x7f or b == 0x0a for b in raw)


def test_process_names(binary):
    # A name that closes the quotes and forges a second owner, and one
    # with ESC, a literal backslash-x and a byte that is not UTF-8.
    forge = b'sshd",pid=1),("'
    mixed = b"a\x1b[2J\\xffb\xff"
    h1 = Holder(7101, 41, forge)
    h2 = Holder(7102, 42, mixed)
    try:
        r = sockscope(binary, ["-tlnp", "sport", "=", ":7101"])
        want = b'users:(("sshd\\",pid=1),(\\"",pid=%d,fd=41))' % h1.pid
        check(r.returncode == 0 and want in r.stdout,
              f"users:((: the quote is escaped: {r.stdout!r}")
        r = sockscope(binary, ["-tlnp", "sport", "=", ":7102"])
        want = b'users:(("a\\x1b[2J\\\\xffb\\xff",pid=%d,fd=42))' % h2.pid
        check(want in r.stdout and no_controls(r.stdout),
              f"-p table: ESC, backslash-x and 0xff told apart: {r.stdout!r}")
        for fmt in (["-j"], ["--format", "ndjson"]):
            r = sockscope(binary, [*fmt, "-tlnp", "sport", "=", ":7102"])
            check(no_controls(r.stdout), f"{fmt}: only ASCII: {r.stdout!r}")
            text = r.stdout.decode()
            rows = json.loads(text) if fmt == ["-j"] else [
                json.loads(x) for x in text.splitlines()]
            names = [decoded(p["name"]) for s in rows for p in s["process"]]
            check(names == [mixed], f"{fmt}: the name decodes to its bytes "
                  f"exactly: {names}")
        r = sockscope(binary, ["summary", "-p"])
        check(r.returncode == 0 and b"a\\x1b[2J\\\\xffb\\xff" in r.stdout
              and no_controls(r.stdout), f"summary -p: {r.stdout!r}")
        line = [x for x in r.stdout.splitlines() if x.startswith(b"a\\x1b")]
        check(len(line) == 1 and line[0][24:25] == b" " and
              line[0][len(b"a\\x1b[2J\\\\xffb\\xff"):24].strip() == b"",
              f"summary -p: the column padded on the escaped width: {line}")
        r = sockscope(binary, ["summary", "-p", "-j"])
        names = [decoded(o["name"]) for o in json.loads(r.stdout)
                 .get("processes", [])] if r.returncode == 0 else []
        check(mixed in names and no_controls(r.stdout),
              f"summary -p -j: names decode to their bytes: {names}")
        # top's column is narrower than the escaped name.
        r = sockscope(binary, ["top", "-b", "--iterations", "1", "-p"])
        check(r.returncode == 0 and no_controls(r.stdout) and
              b"a\\x1b[2J\\\\xff" in r.stdout,
              f"top -b -p: the name escaped: {r.stdout!r}")
    finally:
        h1.stop()
        h2.stop()


def ss_name(raw):
    """A process name as ss prints it inside users:((: every version reads
    /proc/PID/stat's name up to its first ')' (fscanf "%[^)]"); ss 7.0
    (iproute2 bb647e93, procps's escape_str(); ss sets no locale, so its
    esc_all()) turns a control byte and DEL into '.' and a byte past 0x7f
    into '?', quotes and backslashes left as they are; ss before 7.0
    prints the bytes. Either is lossy or ambiguous: sockscope's form is
    neither."""
    raw = raw.split(b")")[0]
    if netns.ss_version() < (7, 0):
        return raw
    return bytes(b"."[0] if b < 0x20 or b == 0x7f else
                 b"?"[0] if b > 0x7f else b for b in raw)


def test_names_as_ss(binary):
    """sockscope and ss name the same owner of the same socket: sockscope
    escaped (its JSON decodes to the name's bytes), ss in its version's
    form."""
    if not netns.have_ss():
        MISSING.append("ss (owner names as ss prints them)")
        return
    for port, fd, raw in ((7103, 44, b'sshd",pid=1),("'),
                          (7104, 45, b"a\x1b[2J\\xffb\xff\x7f")):
        h = Holder(port, fd, raw)
        try:
            r = sockscope(binary, ["-jtlnp", "sport", "=", f":{port}"])
            rows = json.loads(r.stdout) if r.returncode == 0 else []
            owners = [(decoded(p["name"]), p["pid"], p["fd"])
                      for o in rows for p in o.get("process", [])]
            check(owners == [(raw, h.pid, fd)],
                  f"{raw!r}: sockscope's owner: {owners}")
            theirs = subprocess.run(
                netns.ss("-tlnpH", "sport", "=", f":{port}"),
                capture_output=True, timeout=TIMEOUT).stdout
            want = b'users:(("%s",pid=%d,fd=%d))' % (ss_name(raw), h.pid, fd)
            check(want in theirs, f"{raw!r}: ss {netns.ss_version()} "
                  f"prints {want!r}: {theirs!r}")
        finally:
            h.stop()


def test_top_interactive_low_fds(binary, tmp):
    """The screen cannot carry a notice on stderr: the interactive view says
    what it lacked once the terminal is restored, on exit."""
    if netns.wrapper():
        print("interactive top under RLIMIT_NOFILE 6: skipped under "
              "SOCKSCOPE_TEST_WRAPPER")
        return
    if not shutil.which("tmux"):
        MISSING.append("tmux (interactive top under a low descriptor limit)")
        return
    tm = ["tmux", "-S", os.path.join(tmp, "tmux.sock")]
    subprocess.run([*tm, "new-session", "-d", "-s", "t", "-x", "120", "-y",
                    "40", "bash --norc --noprofile"], check=True)
    h = Holder(7302, 45, b"ttyholder")
    try:
        def screen():
            return subprocess.run([*tm, "capture-pane", "-p", "-t", "t"],
                                  capture_output=True, text=True).stdout

        def wait_for(what):
            """A line starting with what (the command line itself holds
            "echo EXIT=$?": only a line of its own counts)."""
            end = time.monotonic() + TIMEOUT
            while time.monotonic() < end:
                text = screen()
                if any(x.startswith(what) for x in text.splitlines()):
                    return text
                time.sleep(0.1)
            netns.fail(f"interactive top: no {what!r} on screen:\n{screen()}")
        cmd = (f"(ulimit -n 6; exec {shlex.quote(os.path.abspath(binary))} "
               "top -p -d 0.3); echo EXIT=$?")
        wait_for("bash")
        subprocess.run([*tm, "send-keys", "-t", "t", "-l", cmd], check=True)
        subprocess.run([*tm, "send-keys", "-t", "t", "Enter"], check=True)
        wait_for("F1 Help")
        subprocess.run([*tm, "send-keys", "-t", "t", "q"], check=True)
        text = wait_for("EXIT=")
        lines = [x for x in text.splitlines() if x.startswith("sockscope:")]
        check("EXIT=0" in text and len(lines) == 1 and
              "Too many open files: no process names" in lines[0],
              f"interactive top under 6 descriptors: one line on exit: "
              f"{text!r}")
    finally:
        h.stop()
        subprocess.run([*tm, "kill-server"], check=False)


def cgroup2_mount():
    for d in ("/sys/fs/cgroup", "/sys/fs/cgroup/unified"):
        try:
            if os.statvfs(d) and open("/proc/self/mounts").read().count(
                    f" {d} cgroup2 "):
                return d
        except OSError:
            pass
    return None


def test_cgroup_names(binary):
    mnt = cgroup2_mount()
    if not mnt:
        MISSING.append("a cgroup v2 mount at /sys/fs/cgroup(/unified)")
        return
    top = os.path.join(mnt, f"sockscope-test-{os.getpid()}").encode()
    evil = b'ev\x1b]0;owned\x07"\\x2d\xff'
    path = os.path.join(top, evil)
    os.mkdir(top)
    os.mkdir(path)
    h = None
    try:
        h = Holder(7201, 43, b"cgholder", path)
        shown = b"/" + os.path.relpath(path, mnt.encode())
        r = sockscope(binary, ["-tlne", "sport", "=", ":7201"])
        want = b"cgroup:" + shown.replace(
            evil, b'ev\\x1b]0;owned\\x07"\\\\x2d\\xff')
        check(r.returncode == 0 and no_controls(r.stdout) and
              (want + b" " in r.stdout or want + b"\n" in r.stdout),
              f"-e table: the cgroup name escaped ({want!r}): {r.stdout!r}")
        r = sockscope(binary, ["-j", "-tlne", "sport", "=", ":7201"])
        rows = json.loads(r.stdout)
        check(no_controls(r.stdout) and len(rows) == 1 and
              decoded(rows[0].get("cgroup", "")) == shown,
              f"-e json: the cgroup path decodes to its bytes: {rows}")
    finally:
        if h:
            with open(os.path.join(mnt.encode(), b"cgroup.procs"), "w") as f:
                try:
                    f.write(str(h.pid))
                except OSError:
                    pass
            h.stop()
        os.rmdir(path)
        os.rmdir(top)


def test_host_name(binary):
    def hostile_uts():
        unshare(CLONE_NEWUTS)
        socket.sethostname(b"h\x1b]0;owned\x07\x1b[2J")
    r = sockscope(binary, ["top", "-b", "--iterations", "1"], preexec_fn=hostile_uts)
    check(r.returncode == 0 and no_controls(r.stdout) and
          b"sockscope top - h\\x1b]0;owned\\x07\\x1b[2J  kernel" in r.stdout,
          f"top -b: the host name escaped: {r.stdout[:300]!r}")


def test_kernel_release(binary, tmp):
    root = os.path.join(tmp, "root")
    os.makedirs(os.path.join(root, "proc/sys/kernel"))
    with open(os.path.join(root, "proc/sys/kernel/osrelease"), "wb") as f:
        f.write(b"6.1\x1b]0;owned\x07\n")
    r = sockscope(binary, ["advise", "--root", root])
    check(b"kernel 6.1\\x1b]0;owned\\x07;" in r.stdout and
          no_controls(r.stdout),
          f"advise: the release string escaped: {r.stdout[:300]!r}")


def test_service_names(binary, tmp):
    """Port names come from /etc/services: one with ESC in it is left out
    (the port prints as a number), a plain one still shows."""
    fake = os.path.join(tmp, "services")
    with open(fake, "wb") as f:
        f.write(b"ev\x1b[2Jil 7401/tcp\nplainsvc 7402/tcp\n")
    subprocess.run(["mount", "--bind", fake, "/etc/services"], check=True)
    socks = []
    try:
        for port in (7401, 7402):
            s = socket.socket()
            s.bind(("127.0.0.1", port))
            s.listen()
            socks.append(s)
        r = sockscope(binary, ["-tl", "sport", ">=", ":7401", "and", "sport",
                               "<=", ":7402"])
        check(r.returncode == 0 and no_controls(r.stdout) and
              b"127.0.0.1:7401 " in r.stdout and
              b"127.0.0.1:plainsvc " in r.stdout,
              f"service names: the hostile one left out: {r.stdout!r}")
    finally:
        for s in socks:
            s.close()
        subprocess.run(["umount", "/etc/services"], check=True)


def test_save_symlink(binary, tmp):
    target = os.path.join(tmp, "important")
    with open(target, "w") as f:
        f.write("precious\n")
    link = os.path.join(tmp, "x.dump")
    os.symlink(target, link)
    r = sockscope(binary, ["-tan", "--save", link], text=True)
    one_line(r, "--save to a symlink", link, "symbolic link")
    check(open(target).read() == "precious\n" and os.path.islink(link),
          "--save to a symlink: neither the link nor its target changed")
    fifo = os.path.join(tmp, "fifo.dump")
    os.mkfifo(fifo)
    r = sockscope(binary, ["-tan", "--save", fifo], text=True)
    one_line(r, "--save to a FIFO", fifo, "not a regular file")
    # A regular file is replaced whole, by a new file (rename).
    dump = os.path.join(tmp, "ok.dump")
    with open(dump, "w") as f:
        f.write("old")
    ino = os.stat(dump).st_ino
    r = sockscope(binary, ["-tan", "--save", dump])
    check(r.returncode == 0 and os.stat(dump).st_ino != ino and
          (os.stat(dump).st_mode & 0o777) == 0o644 & ~0o022,
          f"--save over a file: a new 0644 file: {r.stderr!r}")
    r = sockscope(binary, ["--load", dump, "-tan"])
    check(r.returncode == 0, f"--load of the saved file: {r.stderr!r}")
    left = [n for n in os.listdir(tmp) if n.startswith(".sockscope")]
    check(not left, f"--save: no temporary file left: {left}")


def private_mounts():
    unshare(CLONE_NEWNS)
    subprocess.run(["mount", "--make-rprivate", "/"], check=True)


def test_save_full_disk(binary, tmp):
    mnt = os.path.join(tmp, "small")
    os.mkdir(mnt)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "small", mnt],
                   check=True)
    try:
        dump = os.path.join(mnt, "x.dump")
        with open(dump, "w") as f:
            f.write("OLD")
        # Leave about 8 KiB free: 300 listeners need more than that.
        with open(os.path.join(mnt, "filler"), "wb") as f:
            st = os.statvfs(mnt)
            f.write(b"x" * (st.f_bavail * st.f_frsize - 8192))
        socks = []
        for i in range(300):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            s.listen()
            socks.append(s)
        r = sockscope(binary, ["-tln", "--save", dump], text=True)
        one_line(r, "--save on a full disk", dump, "No space left on device")
        check("netlink" not in r.stderr, f"the disk is not netlink's "
              f"fault: {r.stderr!r}")
        rows = [x for x in r.stdout.splitlines()[1:] if "LISTEN" in x]
        check(len(rows) >= 300, f"--save on a full disk: the listing is "
              f"complete anyway: {len(rows)} rows")
        check(open(dump, "rb").read() == b"OLD",
              "--save on a full disk: the old file is kept")
        left = [n for n in os.listdir(mnt) if n.startswith(".sockscope")]
        check(not left, f"--save on a full disk: no temporary file: {left}")
        for s in socks:
            s.close()
    finally:
        subprocess.run(["umount", mnt], check=True)


def fd_target(pid, fd):
    try:
        return os.readlink(f"/proc/{pid}/fd/{fd}")
    except OSError as e:
        return repr(e)


def test_closed_std_fds(binary, tmp):
    # 2>&-: a warning (-p cannot read /proc under an empty root) went into
    # the --save file, which had descriptor 2.
    empty = os.path.join(tmp, "empty")
    os.mkdir(empty)
    dump = os.path.join(tmp, "fd2.dump")
    # Not through a wrapper: valgrind cannot start with descriptor 2
    # closed (exit 127). The plain and ASan runs check it.
    r = subprocess.run([binary, "-tanp", "--root", empty, "--save", dump],
                       stdout=subprocess.PIPE, timeout=TIMEOUT,
                       preexec_fn=lambda: os.close(2))
    check(r.returncode == 0, f"2>&-: exit {r.returncode}")
    r = sockscope(binary, ["--load", dump, "-tan"])
    check(r.returncode == 0 and r.stderr == b"",
          f"2>&-: the saved dump holds no warning text: {r.stderr!r}")
    # >&- and <&-: top -b would write into its own netlink socket. A
    # wrapper (valgrind) opens descriptors of its own first: not then.
    if netns.wrapper():
        print("<&- >&-: skipped under SOCKSCOPE_TEST_WRAPPER")
        return
    def close01():
        os.close(0)
        os.close(1)
    p = subprocess.Popen(netns.wrap([binary, "top", "-b", "--iterations", "2", "-d",
                                     "1"]), stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, preexec_fn=close01)
    time.sleep(0.5)
    targets = [fd_target(p.pid, 0), fd_target(p.pid, 1)]
    _, err = p.communicate(timeout=TIMEOUT)
    check(p.returncode == 0 and err == b"" and
          targets == ["/dev/null", "/dev/null"],
          f"<&- >&-: top -b exits 0 with stdin and stdout on /dev/null: "
          f"exit {p.returncode}, {targets}, {err!r}")


def test_fifos(binary, tmp):
    fifo = os.path.join(tmp, "fifo")
    os.mkfifo(fifo)
    for args, words in ((["--load", fifo], ("--load", "not a regular file")),
                        (["-F", fifo], ("-F", "not a regular file")),
                        (["-N", fifo, "-tan"], ("-N", "not a network"))):
        r = sockscope(binary, args, text=True)
        if args[0] == "-F":
            lines = r.stderr.splitlines()
            check(r.returncode == 2 and len(lines) == 1 and
                  all(w in lines[0] for w in words),
                  f"-F FIFO: exit 2, one line: {r.returncode} {r.stderr!r}")
        else:
            one_line(r, f"{args[0]} FIFO", fifo, *words)
    # -F - reads stdin, a pipe: still fine.
    r = sockscope(binary, ["-F", "-", "-tln"], input=b"state listening")
    check(r.returncode == 0, f"-F - from a pipe: {r.stderr!r}")
    # A FIFO planted in /run/netns: -N NAME and --all-netns.
    os.makedirs("/run/netns", exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "runnetns", "/run/netns"],
                   check=True)
    try:
        os.mkfifo("/run/netns/trap")
        r = sockscope(binary, ["-N", "trap", "-tan"], text=True)
        one_line(r, "-N NAME of a FIFO", "trap", "not a network namespace")
        r = sockscope(binary, ["--all-netns", "-tln"], text=True)
        check(r.returncode in (0, 1) and "trap" not in r.stdout,
              f"--all-netns with a FIFO in /run/netns ends and lists no "
              f"rows for it: {r.returncode} {r.stderr!r}")
    finally:
        subprocess.run(["umount", "/run/netns"], check=True)


def test_top_low_fds(binary):
    """As the listing says what -p could not read, top -b says what it
    shows without; the unlimited run says nothing. Not under a wrapper:
    valgrind cannot start below ~10 descriptors (see test_limits.py)."""
    if netns.wrapper():
        print("top -b under RLIMIT_NOFILE 4, 5: skipped under "
              "SOCKSCOPE_TEST_WRAPPER")
        return
    h = Holder(7301, 44, b"fdholder")
    try:
        r = sockscope(binary, ["top", "-b", "--iterations", "1", "-p"])
        check(r.returncode == 0 and r.stderr == b"",
              f"top -b -p unlimited: no notice: {r.stderr!r}")
        def nofile(n):
            return lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))
        r = sockscope(binary, ["top", "-b", "--iterations", "1", "-p"],
                      preexec_fn=nofile(4), text=True)
        lines = r.stderr.splitlines()
        check(r.returncode == 0 and len(lines) == 1 and
              all(w in lines[0] for w in ("Too many open files",
                                          "no process names",
                                          "no counters line",
                                          "no orphan count")),
              f"top -b under 4 descriptors names what is missing: "
              f"{r.stderr!r}")
        check("new connections" not in r.stdout,
              "top -b under 4 descriptors: the counters line is missing "
              "indeed (the notice is not a false alarm)")
        r = sockscope(binary, ["top", "-b", "--iterations", "2", "-d", "1", "-p"],
                      preexec_fn=nofile(5), text=True)
        lines = r.stderr.splitlines()
        check(len(lines) == 1 and "no process names" in lines[0],
              f"top -b -n 2: each kind told once: {r.stderr!r}")
    finally:
        h.stop()


def test_root_paths(binary, tmp):
    """--root, --load, --save and -F name directories anyone may have
    named: every warning that prints one (or a file found under it)
    prints it escaped, one line each, no byte a terminal acts on."""
    root = os.path.join(tmp, "root-\x1b[31mred\n\x07x")
    os.makedirs(root)
    with open(os.path.join(root, "filter"), "w") as f:
        f.write("state bogus\n")
    with open(os.path.join(root, "dump"), "w") as f:
        f.write("garbage")
    shown = b"root-\\x1b[31mred\\x0a\\x07x"
    runs = [["-tanp", "--root", root],       # -p: /proc under root
            ["-ta", "--root", root, "pid", "1"],  # the owner filter
            ["-w", "--root", root],          # RAW from root/proc/net/raw
            ["summary", "-p", "--root", root],  # files under root
            ["watch", "-p", "--duration", "0.2", "--root", root],
            ["advise", "--interval", "0", "--root", root],
            ["--load", os.path.join(root, "missing")],
            ["--load", os.path.join(root, "dump")],
            ["-t", "--save", os.path.join(root, "no/such")],
            ["-F", os.path.join(root, "missing")],
            ["-F", os.path.join(root, "filter")],
            ["explain", "port", ":22", "-j", "-p", "--root", root]]
    # Where /proc under root is missing, each says who could not read it,
    # why, and what the output lacks for it (proc_map_build_said()).
    gone = (b"cannot read /proc under " + os.fsencode(tmp) + b"/" + shown +
            b": No such file or directory")
    proc_said = {"-tanp": b"-p: " + gone + b"; no processes shown",
                 "pid": b"filter: pid, comm: " + gone + b"\n",
                 "summary": b"-p: " + gone + b"; no processes named",
                 "watch": b"-p: " + gone + b"; no processes shown",
                 "explain": b"explain: " + gone + b"; no owners"}
    for args in runs:
        said = proc_said.get("pid" if "pid" in args else args[0])
        if args[0] == "-w" and b"raw_diag" not in sockscope(
                binary, ["-w", "--root", "/nonexistent"]).stderr:
            continue  # the kernel has raw_diag: /proc/net/raw is not read
        r = sockscope(binary, args)
        check(shown in r.stderr and no_controls(r.stderr) and
              r.returncode in (0, 1, 2),
              f"{args[0]} ... {args[-1]!r}: the path escaped on stderr: "
              f"exit {r.returncode}, {r.stderr!r}")
        if said:
            check(said in r.stderr,
                  f"{args[0]} ... {args[-1]!r}: says {said!r}: {r.stderr!r}")


def main():
    netns.enter()
    private_mounts()
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="sockscope-hostile-") as tmp:
        test_process_names(binary)
        test_names_as_ss(binary)
        test_host_name(binary)
        test_kernel_release(binary, tmp)
        test_service_names(binary, tmp)
        test_save_symlink(binary, tmp)
        test_save_full_disk(binary, tmp)
        test_closed_std_fds(binary, tmp)
        test_fifos(binary, tmp)
        test_top_low_fds(binary)
        test_top_interactive_low_fds(binary, tmp)
        test_cgroup_names(binary)
        test_root_paths(binary, tmp)
    if MISSING and not netns.failures:
        netns.skip("needs " + ", ".join(MISSING))
    netns.finish("hostile")


if __name__ == "__main__":
    main()
