#!/usr/bin/env python3
"""Filter expressions over real sockets in a private network namespace.

Sockets on 127.0.0.1, 127.0.0.2, 10.9.0.1, ::1, fd00::1 and a dual-stack
listener that accepts IPv4 clients (v4-mapped IPv6 sockets); some bound to a
device, some marked, some on ports the kernel chose. For every expression
the selection of `sockscope -tan -j FILTER` (kernel bytecode) must equal an
oracle written here, the selection from a saved dump (`--load`: the
userspace matcher) must be the same, and where ss is installed, `ss -tan
FILTER` must select the same sockets unless the expression mixes and/or
without parentheses (ss evaluates those left to right; sockscope says so in
a note). The owner predicates (uid, pid, comm) run over sockets held by
child processes with names and uids of their own, in list, summary, kill
and top.
"""
import ctypes
import ipaddress
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402

with open("/proc/sys/net/ipv4/ip_local_port_range") as _f:
    EPHEMERAL = tuple(int(x) for x in _f.read().split())

SO_MARK = 36
SO_BINDTODEVICE = 25

LISTEN = [("127.0.0.1", 2000), ("127.0.0.2", 2001), ("10.9.0.1", 2002),
          ("::1", 2003), ("fd00::1", 2004), ("0.0.0.0", 2005), ("::", 2006)]

# (client bind address, bind port or 0, server, server port, options)
CLIENTS = [
    ("127.0.0.1", 0, "127.0.0.1", 2000, {}),
    ("127.0.0.2", 3001, "127.0.0.1", 2000, {}),
    ("127.0.0.1", 3010, "127.0.0.1", 2000, {"dev": "lo"}),
    ("127.0.0.1", 3011, "127.0.0.1", 2000, {"mark": 0x10}),
    ("127.0.0.1", 3012, "127.0.0.2", 2001, {"mark": 0x13}),
    ("10.9.0.1", 0, "10.9.0.1", 2002, {}),
    ("::1", 0, "::1", 2003, {}),
    ("fd00::1", 3004, "fd00::1", 2004, {}),
    ("::1", 3005, "fd00::1", 2004, {"mark": 0x10}),
    ("127.0.0.2", 3006, "127.0.0.1", 2005, {}),
    ("127.0.0.1", 0, "127.0.0.1", 2006, {}),      # accepted as ::ffff:
    ("127.0.0.2", 3007, "127.0.0.2", 2006, {}),   # ditto
]


def setup():
    netns.run(["ip", "addr", "add", "10.9.0.1/32", "dev", "lo"])
    netns.add_addr6("fd00::1")
    keep, props = [], {}
    for addr, port in LISTEN:
        fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if addr == "::":
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.bind((addr, port))
        s.listen(16)
        keep.append(s)
    for caddr, cport, saddr, sport, opt in CLIENTS:
        fam = socket.AF_INET6 if ":" in caddr else socket.AF_INET
        c = socket.socket(fam, socket.SOCK_STREAM)
        if "dev" in opt:
            c.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE,
                         opt["dev"].encode())
        if "mark" in opt:
            c.setsockopt(socket.SOL_SOCKET, SO_MARK, opt["mark"])
        c.bind((caddr, cport))
        c.connect((saddr, sport))
        port = c.getsockname()[1]
        props[port] = dict(opt, auto=cport == 0)
        keep.append(c)
    for s in keep[:len(LISTEN)]:
        s.setblocking(False)
        try:
            while True:
                keep.append(s.accept()[0])
        except BlockingIOError:
            pass
    return keep, props


class Sock:
    """One socket as the oracle sees it."""

    def __init__(self, j, props):
        self.state = j["state"]
        self.laddr = j["local"]["addr"]
        self.lport = j["local"]["port"]
        self.raddr = j["peer"]["addr"]
        self.rport = j["peer"]["port"]
        self.client = self.state != "LISTEN" and self.lport in props
        p = props.get(self.lport, {}) if self.client else {}
        self.dev = p.get("dev")
        self.mark = p.get("mark", 0)
        # ss's autobound: the port was the kernel's choice (the bind lock
        # is off) and lies in the ephemeral range; accepted sockets have
        # no bind lock but a listener's port.
        lo, hi = EPHEMERAL
        self.auto = p.get("auto", False) and lo <= self.lport <= hi
        self.v6 = ":" in self.laddr

    def key(self):
        return (self.laddr, self.lport, self.raddr, self.rport)


def in_net(addr, net):
    """The kernel's rule: an IPv4 network also matches v4-mapped IPv6."""
    a = ipaddress.ip_address(addr)
    n = ipaddress.ip_network(net, strict=False)
    if n.version == 4:
        if a.version == 6:
            a = a.ipv4_mapped
        return a is not None and a in n
    return a.version == 6 and a in n


def v4ish(addr):
    a = ipaddress.ip_address(addr)
    return a.version == 4 or a.ipv4_mapped is not None


# (filter words, oracle, ss-comparable)
EXPRS = [
    ("sport = :2000", lambda s: s.lport == 2000, True),
    ("dport = :2000", lambda s: s.rport == 2000, True),
    ("sport != :2000", lambda s: s.lport != 2000, True),
    ("dport > :2002", lambda s: s.rport > 2002, True),
    ("dport < :2003", lambda s: s.rport < 2003, True),
    ("dport >= :2003", lambda s: s.rport >= 2003, True),
    ("dport <= :2001", lambda s: s.rport <= 2001, True),
    ("sport gt :2004", lambda s: s.lport > 2004, True),
    ("sport eq 2001", lambda s: s.lport == 2001, True),
    ("sport neq 2001", lambda s: s.lport != 2001, True),
    ("src 127.0.0.1", lambda s: in_net(s.laddr, "127.0.0.1/32"), True),
    ("src 127.0.0.2", lambda s: in_net(s.laddr, "127.0.0.2/32"), True),
    ("src 127.0.0.0/8", lambda s: in_net(s.laddr, "127.0.0.0/8"), True),
    ("dst 127.0.0.1:2000",
     lambda s: in_net(s.raddr, "127.0.0.1/32") and s.rport == 2000, True),
    ("src 10.9.0.1", lambda s: in_net(s.laddr, "10.9.0.1/32"), True),
    ("dst 10/8", lambda s: in_net(s.raddr, "10.0.0.0/8"), True),
    ("src ::1", lambda s: in_net(s.laddr, "::1/128"), False),
    ("src [::1]", lambda s: in_net(s.laddr, "::1/128"), True),
    ("src [::1]:2003",
     lambda s: in_net(s.laddr, "::1/128") and s.lport == 2003, True),
    ("dst [fd00::1]:2004",
     lambda s: in_net(s.raddr, "fd00::1/128") and s.rport == 2004, True),
    ("src fd00::/8", lambda s: in_net(s.laddr, "fd00::/8"), True),
    ("dst [::ffff:127.0.0.1]",
     lambda s: s.v6 and s.raddr == "::ffff:127.0.0.1", True),
    ("src 127.0.0.1:2006",
     lambda s: in_net(s.laddr, "127.0.0.1/32") and s.lport == 2006, True),
    ("src inet:*", lambda s: v4ish(s.laddr), False),
    ("src inet6:*", lambda s: s.v6, False),
    ("dst *:2000", lambda s: s.rport == 2000, True),
    ("src *:2003", lambda s: s.lport == 2003, True),
    ("dev = lo", lambda s: s.dev == "lo", True),
    ("dev != lo", lambda s: s.dev != "lo", True),
    ("fwmark = 0x10", lambda s: s.mark == 0x10, True),
    ("fwmark = 0x10/0xf0", lambda s: s.mark & 0xf0 == 0x10, True),
    ("fwmark != 0x10", lambda s: s.mark != 0x10, True),
    ("autobound", lambda s: s.auto, True),
    # ss filters twice: the kernel's AUTO (no bind lock), then its own
    # userspace test (port in the ephemeral range). Negated, that is the
    # intersection of two different negations and drops accepted sockets;
    # sockscope negates the one definition (see sockscope(8)).
    ("not autobound", lambda s: not s.auto, False),
    ("sport = :2000 or dport = :2000",
     lambda s: s.lport == 2000 or s.rport == 2000, True),
    ("sport = :2000 and dst 127.0.0.2",
     lambda s: s.lport == 2000 and in_net(s.raddr, "127.0.0.2/32"), True),
    ("( sport = :2000 or sport = :2002 ) and dst 127.0.0.0/8",
     lambda s: s.lport in (2000, 2002) and in_net(s.raddr, "127.0.0.0/8"),
     True),
    ("not ( sport = :2000 or dport = :2000 )",
     lambda s: s.lport != 2000 and s.rport != 2000, True),
    ("! sport = :2000 && ! dport = :2000",
     lambda s: s.lport != 2000 and s.rport != 2000, True),
    ("sport = :2000 dport = :3001",
     lambda s: s.lport == 2000 and s.rport == 3001, True),
    ("src 127.0.0.1 or src [::1] or src 10.9.0.1",
     lambda s: in_net(s.laddr, "127.0.0.1/32") or in_net(s.laddr, "::1/128")
     or in_net(s.laddr, "10.9.0.1/32"), True),
    ("( ( sport = :2000 ) )", lambda s: s.lport == 2000, True),
    ("state listening sport >= :2003",
     lambda s: s.state == "LISTEN" and s.lport >= 2003, True),
    ("state established dst 127.0.0.1",
     lambda s: s.state == "ESTABLISHED" and in_net(s.raddr, "127.0.0.1/32"),
     True),
    ("exclude listening src 127.0.0.2",
     lambda s: s.state != "LISTEN" and in_net(s.laddr, "127.0.0.2/32"),
     True),
    ("dev lo or fwmark 0x13 or sport = :3005",
     lambda s: s.dev == "lo" or s.mark == 0x13 or s.lport == 3005, True),
    ("not dev lo and autobound",
     lambda s: s.dev != "lo" and s.auto, True),
    # and/or mixed without parentheses: ss would group left to right.
    ("sport = :2000 or sport = :2001 and src 127.0.0.2",
     lambda s: s.lport == 2000 or (s.lport == 2001 and
                                   in_net(s.laddr, "127.0.0.2/32")), False),
    ("autobound and src ::1 or fwmark 0x10 and dst fd00::1",
     lambda s: (s.auto and in_net(s.laddr, "::1/128")) or
     (s.mark == 0x10 and in_net(s.raddr, "fd00::1/128")), False),
]

# The note the and/or mixes of EXPRS print: how sockscope reads them.
NOTES = {
    "sport = :2000 or sport = :2001 and src 127.0.0.2":
    "sport = :2000 or (sport = :2001 and src 127.0.0.2)",
    "autobound and src ::1 or fwmark 0x10 and dst fd00::1":
    "(autobound and src ::1) or (fwmark 0x10 and dst fd00::1)",
}


def note(text, reading):
    return (f"sockscope: note: ss reads '{text}' left to right; sockscope "
            f"reads it as '{reading}'\n")


BAD = [
    (["state", "bogus"], "unknown state 'bogus' (word 2)"),
    (["(", "dport", "=", "22"], "unbalanced '(': no matching ')' (word 1)"),
    (["dport = 22 )"], "unbalanced ')' (word 4)"),
    (["dport", "=", "22", "or"], "expected an expression after 'or' (word 4)"),
    (["dport", ">", "ssh2"],
     "expected a port after 'dport >', got 'ssh2' (word 3)"),
    (["sport = 4294967296"],
     "port out of range (0-4294967295) after 'sport =', got '4294967296' "
     "(word 3)"),
    (["src", "127.0.0.1:65536"],
     "port out of range (0-65535) after 'src', got '127.0.0.1:65536' "
     "(word 2)"),
    (["src", "10.0.0.0/33"],
     "prefix out of range (0-32) after 'src', got '10.0.0.0/33' (word 2)"),
    (["dst", "::1/200"],
     "prefix out of range (0-128) after 'dst', got '::1/200' (word 2)"),
    ([""], "empty filter expression"),
    (["dport \x01\x7f"], "invalid byte 0x01 (word 2)"),
    (["\xe9\x80"], "got '\\xc3\\xa9\\xc2\\x80' (word 1)"),
    (["pid", "<", "5"], "'pid' takes = or !=, got '<' (word 2)"),
    (["uid", "=", "no-such-user-zq"],
     "no such user after 'uid =', got 'no-such-user-zq' (word 3)"),
    (["comm"], "expected a process name after 'comm' (word 2)"),
]


def keys(binary, args, stderr=""):
    import json
    r = netns.run([binary, "-tan", "-j", *args])
    # A notice here would mean the kernel refused the compiled program.
    check(r.stderr == stderr, f"{args!r}: stderr {r.stderr!r}, want "
          f"{stderr!r}")
    return sorted(tuple(Sock(j, {}).key()) for j in json.loads(r.stdout))


def ss_keys(args):
    r = subprocess.run(netns.ss("-tanH", *args), capture_output=True,
                       text=True)
    if r.returncode != 0:
        return None
    res = []
    for line in r.stdout.splitlines():
        # With a state filter ss drops the State column: count from the end.
        f = line.split()
        if len(f) < 4:
            continue
        la, lp = f[-2].rsplit(":", 1)
        ra, rp = f[-1].rsplit(":", 1)
        la, ra = la.split("%")[0].strip("[]"), ra.split("%")[0].strip("[]")
        la = "::" if la == "*" else la  # a dual-stack listener
        ra = "::" if ra == "*" else ra
        res.append((la, int(lp), ra, int(rp) if rp != "*" else 0))
    return sorted(res)


def check_exprs(binary, props, dump):
    import json
    everything = json.loads(netns.run([binary, "-tan", "-j"]).stdout)
    socks = [Sock(j, props) for j in everything]
    check(len(socks) >= 2 * len(CLIENTS) + len(LISTEN),
          f"all sockets listed ({len(socks)})")
    have_ss = netns.have_ss()
    for text, oracle, ss_ok in EXPRS:
        args = text.split()
        want = sorted(s.key() for s in socks if oracle(s))
        err = note(text, NOTES[text]) if text in NOTES else ""
        got = keys(binary, args, err)
        check(got == want, f"{text!r}: got {got}, want {want}")
        check(keys(binary, ["--load", dump, *args], err) == want,
              f"{text!r}: --load (userspace) selects the same")
        check(keys(binary, [text], err) == want, f"{text!r} as one word")
        if have_ss and ss_ok:
            theirs = ss_keys(args)
            if theirs is not None:
                check(theirs == want, f"{text!r}: ss selects {theirs}")
            else:
                check(False, f"{text!r}: ss refused it")


def check_errors(binary):
    for args, msg in BAD:
        r = netns.run([binary, "-tan", *args], check_rc=2)
        check(r.stderr == f"sockscope: filter: {msg}\n" or
              (msg in r.stderr and r.stderr.count("\n") == 1),
              f"{args!r}: stderr {r.stderr!r}, want {msg!r}")
        check(r.stdout == "", f"{args!r}: nothing on stdout")


def check_file(binary):
    with tempfile.NamedTemporaryFile("w", suffix=".filter") as f:
        f.write("# ssh-ish listeners\nstate listening\n"
                "sport >= :2003 # v6 and the rest\n")
        f.flush()
        got = keys(binary, ["-F", f.name])
        want = keys(binary, ["state", "listening", "sport", ">=", ":2003"])
        check(got == want and len(want) == 4, f"-F file: {got}")
    r = netns.run([binary, "-tan", "-F", "-"], check_rc=0,
                  stdin="dport = :2000\n")
    check("2000" in r.stdout, "-F - reads stdin")
    r = netns.run([binary, "-tan", "-F", "-"], check_rc=2,
                  stdin="# nothing\n\n")
    check("empty filter expression" in r.stderr, "-F empty file")
    r = netns.run([binary, "-tan", "-F", "-"], check_rc=2,
                  stdin="sport = 1 or \x00\xff\x80garbage\n")
    check(r.stderr == "sockscope: filter: invalid byte 0x00 (- line 1, "
          "word 5)\n", f"-F binary garbage: {r.stderr!r}")
    r = netns.run([binary, "-tan", "-F", "-"], check_rc=2,
                  stdin="sport = 1\n\nor (\n")
    check(r.stderr == "sockscope: filter: expected an expression after "
          "'(' (- line 3, word 5)\n",
          f"-F error names line and word: {r.stderr!r}")


def check_no_net_admin(binary):
    """EPERM for MARK_COND: a notice, then marks are matched as 0."""
    if not shutil.which("setpriv"):
        return
    drop = ["setpriv", "--bounding-set=-net_admin", "--inh-caps=-net_admin"]
    r = netns.run(drop + [binary, "-tanH", "fwmark", "0x10", "or", "sport",
                          "=", ":2000"])
    check(r.stderr == "sockscope: filter: fwmark needs CAP_NET_ADMIN in the "
          "kernel, which also hides marks: they read as 0\n",
          f"EPERM notice: {r.stderr!r}")
    lines = r.stdout.splitlines()
    check(len(lines) == 5 and all(":2000 " in x for x in lines),
          f"without CAP_NET_ADMIN the sport term still selects: {lines}")
    # The refused first request must not end up in a saved dump.
    with tempfile.TemporaryDirectory() as d:
        dump = os.path.join(d, "dump")
        netns.run(drop + [binary, "-tanH", "--save", dump, "fwmark", "0x10",
                          "or", "sport", "=", ":2000"])
        r2 = netns.run([binary, "-tanH", "--load", dump, "sport", "=",
                        ":2000"])
        check(r2.stdout == r.stdout and r2.stderr == "",
              f"--save after the EPERM retry loads: {r2.stderr!r}")


def check_udp(binary):
    """The compiled filter also serves UDP dumps, both families."""
    import json
    keep = []
    for addr, port in [("127.0.0.1", 2100), ("127.0.0.2", 2101),
                       ("::1", 2100), ("fd00::1", 2102)]:
        s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET,
                          socket.SOCK_DGRAM)
        s.bind((addr, port))
        keep.append(s)
    for args, want in [
            (["sport", "=", ":2100"], {("127.0.0.1", 2100), ("::1", 2100)}),
            (["src", "127.0.0.0/8", "and", "sport", ">=", ":2101"],
             {("127.0.0.2", 2101)}),
            (["src", "inet6:*", "and", "not", "src", "[::1]"],
             {("fd00::1", 2102)})]:
        r = netns.run([binary, "-uan", "-j", *args])
        got = {(j["local"]["addr"], j["local"]["port"])
               for j in json.loads(r.stdout)}
        check(got == want and r.stderr == "", f"udp {args!r}: {got}")
    del keep


def check_cgroup(binary, socks_count):
    try:
        with open("/proc/self/cgroup") as f:
            line = [x for x in f.read().splitlines() if x.startswith("0::")]
    except OSError:
        line = []
    if not line:
        return
    path = line[0][3:] or "/"
    r = netns.run([binary, "-tan", "-j", "cgroup", path], check_rc=None)
    if r.returncode == 2 and "cgroup" in r.stderr:
        return  # no cgroup v2 mount to resolve it in
    import json
    check(len(json.loads(r.stdout)) == socks_count,
          f"cgroup {path}: every socket of this process")
    r = netns.run([binary, "-tan", "-j", "cgroup", "!=", path])
    check(json.loads(r.stdout) == [], f"cgroup != {path}: none")


# ---- owners: uid, pid, comm ----

PR_SET_NAME = 15
PR_SET_DUMPABLE = 4
OWNER_PORTS = {2201: "alpha", 2202: "beta", 2203: "gamma", 2204: "parent"}


def owned_child(name, uid, port, connect):
    """A process named name (prctl), running as uid, holding a listener on
    127.0.0.1:port and, if connect, both ends of a connection to it; alive
    until the returned pipe end is closed. Returns (pid, pipe fd)."""
    ready_r, ready_w = os.pipe()
    stop_r, stop_w = os.pipe()
    # socket's host names go through the idna codec: import it while the
    # interpreter's files are still readable (nobody may not read them).
    "127.0.0.1".encode("idna")
    pid = os.fork()
    if pid == 0:
        try:
            # Only its own sockets: none of the test's inherited ones.
            for fd in map(int, os.listdir("/proc/self/fd")):
                if fd > 2 and fd not in (ready_w, stop_r):
                    try:
                        os.close(fd)
                    except OSError:
                        pass
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_NAME, name.encode(), 0, 0, 0)
            if uid:
                os.setgid(uid)
                os.setuid(uid)
                # setuid() made it undumpable: its /proc/PID/fd would be
                # root's, and the non-root check reads it as that user.
                libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
            lst = socket.socket()
            lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            lst.bind(("127.0.0.1", port))
            lst.listen(4)
            held = [lst]
            if connect:
                held.append(socket.create_connection(("127.0.0.1", port)))
                held.append(lst.accept()[0])
            os.write(ready_w, b"x")
            os.read(stop_r, 1)
        finally:
            os._exit(0)
    os.close(ready_w)
    os.close(stop_r)
    check(os.read(ready_r, 1) == b"x", f"child {name} ready")
    os.close(ready_r)
    return pid, stop_w


def owner_setup():
    """alpha (root) and beta (nobody): a listener and a connection each;
    gamma (root): a listener; the test itself: a listener on 2204 and a
    TIME_WAIT socket to it, which no process holds."""
    nobody = pwd.getpwnam("nobody").pw_uid
    kids = {
        "alpha": owned_child("scope-alpha", 0, 2201, True),
        "beta": owned_child("scope-beta", nobody, 2202, True),
        "gamma": owned_child("gamma-x", 0, 2203, False),
    }
    lst = socket.socket()
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(("127.0.0.1", 2204))
    lst.listen(4)
    cli = socket.create_connection(("127.0.0.1", 2204))
    srv = lst.accept()[0]
    cli.close()  # the client closes first: its side ends in TIME_WAIT
    import time
    time.sleep(0.05)
    srv.close()
    time.sleep(0.1)
    return kids, lst, nobody


class Owned:
    """A socket of the owner test and what the oracle knows of it."""

    def __init__(self, j, kids, nobody):
        self.key = (j["local"]["port"], j["peer"]["port"], j["state"])
        self.state = j["state"]
        self.lport = j["local"]["port"]
        port = (j["local"]["port"] if j["local"]["port"] in OWNER_PORTS
                else j["peer"]["port"])
        who = OWNER_PORTS[port]
        if self.state == "TIME_WAIT":
            who = None
        self.who = who
        self.pid = kids[who][0] if who in kids else (
            os.getpid() if who == "parent" else None)
        self.comm = {"alpha": "scope-alpha", "beta": "scope-beta",
                     "gamma": "gamma-x"}.get(who)
        # TIME_WAIT sockets report uid 0 (the kernel keeps no owner).
        self.uid = nobody if who == "beta" else 0


def owned(rows, kids, nobody):
    """The owner test's sockets among JSON rows, as a sorted key list."""
    return sorted(Owned(j, kids, nobody).key for j in rows
                  if j["local"]["port"] in OWNER_PORTS or
                  j["peer"]["port"] in OWNER_PORTS)


def owner_exprs(kids, nobody):
    a, b = kids["alpha"][0], kids["beta"][0]
    return [
        ("comm = scope-alpha", lambda s: s.who == "alpha"),
        ("comm = scope-*", lambda s: s.who in ("alpha", "beta")),
        ("comm = gamma-?", lambda s: s.who == "gamma"),
        ("comm = [a-s]*-beta", lambda s: s.who == "beta"),
        ("comm = SCOPE-ALPHA", lambda s: False),
        ("comm != scope-*",
         lambda s: s.who not in ("alpha", "beta")),
        ("not comm = scope-* and not comm = gamma-x",
         lambda s: s.who in ("parent", None)),
        (f"pid = {a}", lambda s: s.who == "alpha"),
        (f"pid != {a}", lambda s: s.who != "alpha"),
        (f"pid = {b} or pid = {os.getpid()}",
         lambda s: s.who in ("beta", "parent")),
        (f"pid = {a} and sport = :2201",
         lambda s: s.who == "alpha" and s.lport == 2201),
        (f"uid = {nobody}", lambda s: s.uid == nobody),
        ("uid = nobody", lambda s: s.uid == nobody),
        ("uid != 0", lambda s: s.uid != 0),
        ("uid >= 1000", lambda s: s.uid >= 1000),
        ("uid < 1000", lambda s: s.uid < 1000),
        ("uid = root and comm = scope-*", lambda s: s.who == "alpha"),
        ("state listening uid = 0",
         lambda s: s.uid == 0 and s.state == "LISTEN"),
        ("( comm = scope-beta or comm = gamma-x ) and sport = :2202",
         lambda s: s.who == "beta" and s.lport == 2202),
    ]


def owner_rows(binary, kids, nobody, *args):
    import json
    rows = json.loads(netns.run([binary, "-tan", "-j", *args]).stdout)
    return [Owned(j, kids, nobody) for j in rows
            if j["local"]["port"] in OWNER_PORTS or
            j["peer"]["port"] in OWNER_PORTS]


def live_filtered(binary, kids, nobody, args):
    """A filtered live listing and the unfiltered sockets around it. The
    TIME_WAIT socket ends 60 s after setup, which a slow run (valgrind)
    passes: a listing whose neighbours disagree is taken again."""
    import json
    for _ in range(3):
        before = owner_rows(binary, kids, nobody)
        r = netns.run([binary, "-tan", "-j", *args])
        after = owner_rows(binary, kids, nobody)
        if sorted(s.key for s in before) == sorted(s.key for s in after):
            break
    return before, r, owned(json.loads(r.stdout), kids, nobody)


def check_owner_list(binary, kids, nobody, everything, dump):
    import json
    saved = owner_rows(binary, kids, nobody, "--load", dump)
    check(sorted(s.key for s in saved) == sorted(s.key for s in everything),
          "the dump holds the owner test's sockets")
    for text, oracle in owner_exprs(kids, nobody):
        args = text.split()
        now, r, got = live_filtered(binary, kids, nobody, args)
        want = sorted(s.key for s in now if oracle(s))
        check(got == want, f"{args!r}: got {got}, want {want}")
        check(r.stderr == "", f"{args!r}: stderr {r.stderr!r}")
        args = ["--load", dump, *text.split()]
        r = netns.run([binary, "-tan", "-j", *args])
        got = owned(json.loads(r.stdout), kids, nobody)
        want = sorted(s.key for s in saved if oracle(s))
        check(got == want, f"{args!r}: got {got}, want {want}")
        check(r.stderr == "", f"{args!r}: stderr {r.stderr!r}")
    # -p and the filter read one map: the names shown are the filter's.
    r = netns.run([binary, "-tan", "-p", "-j", "comm", "=", "scope-alpha"])
    rows = json.loads(r.stdout)
    check(len(rows) == 3 and all(
        {p["name"] for p in j["process"]} == {"scope-alpha"} and
        {p["pid"] for p in j["process"]} == {kids["alpha"][0]}
        for j in rows), f"-p comm = scope-alpha: {rows}")


def check_owner_note(binary, kids, nobody, everything):
    import json
    a = kids["alpha"][0]
    text = f"comm = scope-beta or pid = {a} and sport = :2201"
    r = netns.run([binary, "-tan", "-j", *text.split()])
    want = sorted(s.key for s in everything if s.who == "beta" or
                  (s.who == "alpha" and s.lport == 2201))
    check(owned(json.loads(r.stdout), kids, nobody) == want,
          f"{text!r}: and binds tighter than or")
    check(r.stderr == note(text, f"comm = scope-beta or (pid = {a} and "
                           "sport = :2201)"), f"the note: {r.stderr!r}")
    # Two mixes, one note; parenthesized, none.
    text = "sport = :1 or sport = :2 and sport = :3 or sport = :4 sport = :5"
    r = netns.run([binary, "-tan", *text.split()])
    check(r.stderr == note(text, "sport = :1 or (sport = :2 and sport = :3)"
                           " or (sport = :4 sport = :5)"),
          f"one note for two mixes: {r.stderr!r}")
    r = netns.run([binary, "-tan", "sport = :1 or ( sport = :2 and uid 0 )"])
    check(r.stderr == "", f"parenthesized: no note: {r.stderr!r}")
    r = netns.run([binary, "-tan", "sport = :1 and sport = :2 or uid 0"])
    check(r.stderr == "", f"read the same by ss: no note: {r.stderr!r}")


def check_owner_commands(binary, kids, nobody, everything):
    """summary, kill (dry run, then for real) and top select alike."""
    import json
    beta = [s for s in everything if s.who == "beta"]
    r = netns.run([binary, "summary", "-t", "-j", "comm", "=", "scope-beta"])
    tcp = json.loads(r.stdout)["tcp"]
    check(tcp["total"] == 3 and tcp["states"]["LISTEN"]["total"] == 1 and
          tcp["states"]["ESTABLISHED"]["total"] == 2,
          f"summary comm = scope-beta: {tcp}")
    r = netns.run([binary, "summary", "-t", "-j", "uid", ">=", "1000"])
    check(json.loads(r.stdout)["tcp"]["total"] == len(beta),
          f"summary uid >= 1000: {r.stdout[:200]}")
    r = netns.run([binary, "kill", "-j", "comm", "=", "scope-beta"])
    want = sorted(s.key for s in beta if s.state == "ESTABLISHED")
    check(owned(json.loads(r.stdout), kids, nobody) == want,
          f"kill dry run comm = scope-beta: {r.stdout}")
    r = netns.run([binary, "kill", "-j", "state", "all", "pid", "=",
                   str(kids["gamma"][0])])
    check([tuple(x) for x in owned(json.loads(r.stdout), kids, nobody)] ==
          [(2203, 0, "LISTEN")], f"kill dry run pid = gamma: {r.stdout}")
    r = netns.run([binary, "top", "--batch", "--iterations", "1",
                   "comm", "=", "scope-alpha"])
    rows = [x.split() for x in r.stdout.splitlines()
            if re.match(r"(LISTEN|ESTABLISHED) +127\.", x)]
    ports = sorted(int(c.rsplit(":", 1)[1]) for row in rows
                   for c in row[1:3] if c != "*:*")
    check(len(rows) == 3 and ports.count(2201) == 3,
          f"top comm = scope-alpha: {rows}")
    r = netns.run([binary, "kill", "--yes", "-j", "state", "established",
                   "comm", "=", "scope-beta"])
    # Closing one end resets the other: it may be gone before its turn.
    closed = owned(json.loads(r.stdout), kids, nobody)
    check(closed and set(closed) <= set(want),
          f"kill --yes comm = scope-beta closes beta's: {r.stdout}")
    after = [Owned(j, kids, nobody) for j in json.loads(
        netns.run([binary, "-tan", "-j"]).stdout)
        if j["local"]["port"] in OWNER_PORTS or
        j["peer"]["port"] in OWNER_PORTS]
    check(sorted(s.key for s in after if s.who == "beta") ==
          [(2202, 0, "LISTEN")] and
          sum(s.who == "alpha" for s in after) == 3,
          "after the kill only beta's listener is left of beta's")


def check_owner_map_cost(binary):
    """/proc is walked for pid and comm only (and -p), never for uid."""
    if not shutil.which("strace"):
        return
    # LeakSanitizer cannot run under ptrace: off in a sanitized build.
    asan = os.environ.get("ASAN_OPTIONS", "")
    asan = f"ASAN_OPTIONS={asan}{':' if asan else ''}detect_leaks=0"
    for args, walks in ((["-tan"], False), (["-tan", "uid", "0"], False),
                        (["-tan", "comm", "x"], True),
                        (["-tan", "not", "pid", "1"], True)):
        with tempfile.NamedTemporaryFile() as t:
            netns.run(["strace", "-f", "-E", asan, "-e", "trace=openat",
                       "-o", t.name, binary, *args])
            fds = re.findall(rb'openat\(\d+, "\d+/fd"', t.read())
        check(bool(fds) == walks, f"{args!r}: /proc/PID/fd read: {len(fds)}")


def check_owner_nonroot(binary, kids, nobody):
    """Without root only one's own processes are seen, and it is said."""
    import json
    if not shutil.which("setpriv"):
        return
    r = netns.run(["setpriv", f"--reuid={nobody}", f"--regid={nobody}",
                   "--clear-groups", binary, "-tan", "-j", "comm", "=",
                   "scope-*"])
    got = {Owned(j, kids, nobody).who for j in json.loads(r.stdout)}
    check(got == {"beta"}, f"as nobody, comm = scope-*: {got}")
    check(r.stderr == "sockscope: filter: pid, comm: not root: only your "
          "own processes are seen\n", f"not root: {r.stderr!r}")


def check_owners(binary):
    import json
    kids, lst, nobody = owner_setup()
    try:
        rows = json.loads(netns.run([binary, "-tan", "-j"]).stdout)
        everything = [Owned(j, kids, nobody) for j in rows
                      if j["local"]["port"] in OWNER_PORTS or
                      j["peer"]["port"] in OWNER_PORTS]
        check(sorted(s.who or "-" for s in everything) ==
              ["-", "alpha", "alpha", "alpha", "beta", "beta", "beta",
               "gamma", "parent"], "the owner test's sockets")
        with tempfile.TemporaryDirectory() as tmp:
            dump = os.path.join(tmp, "owners.dump")
            netns.run([binary, "-tan", "--save", dump])
            check_owner_list(binary, kids, nobody, everything, dump)
        check_owner_note(binary, kids, nobody, everything)
        check_owner_map_cost(binary)
        check_owner_nonroot(binary, kids, nobody)
        check_owner_commands(binary, kids, nobody, everything)
    finally:
        lst.close()
        for pid, stop in kids.values():
            os.close(stop)
            os.waitpid(pid, 0)


check = netns.check


def main():
    binary = os.path.abspath(sys.argv[1])
    netns.enter()
    keep, props = setup()
    with tempfile.TemporaryDirectory() as tmp:
        dump = os.path.join(tmp, "all.dump")
        netns.run([binary, "-tan", "--save", dump])
        check_exprs(binary, props, dump)
    check_errors(binary)
    check_file(binary)
    check_no_net_admin(binary)
    check_udp(binary)
    check_cgroup(binary, len(keys(binary, [])))
    del keep
    check_owners(binary)
    netns.finish("test_filter")


if __name__ == "__main__":
    main()
