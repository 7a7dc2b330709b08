#!/usr/bin/env python3
"""UNIX sockets (-x) against real ones, compared with ss -x where installed.

Run: test_unix.py SOCKSCOPE. Makes its own network namespace (netns.py):
unix_diag lists the sockets of the caller's namespace only, so the rows are
exactly the ones made here, path names included.
"""
import json
import os
import re
import shutil
import socket
import sys
import tempfile

import netns

netns.enter()
SOCKSCOPE = sys.argv[1]
TMP = tempfile.mkdtemp(prefix="sockscope-unix-")
PATH = os.path.join(TMP, "srv.sock")
DPATH = os.path.join(TMP, "dg.sock")
SS_STATE = {"ESTAB": "ESTABLISHED", "LISTEN": "LISTEN", "UNCONN": "UNCONN",
            "SYN-SENT": "SYN_SENT"}


def make_sockets():
    """Every kind the test compares; returned so they stay open."""
    held = {}
    lst = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    lst.bind(PATH)
    lst.listen(7)
    # Two queued connections (never accepted), one accepted.
    q1 = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    q1.connect(PATH)
    q2 = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    q2.connect(PATH)
    held.update(lst=lst, q1=q1, q2=q2)
    seq = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    seq.bind("\0sockscope-seq")
    seq.listen(3)
    sc = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    sc.connect("\0sockscope-seq")
    ss_, _ = seq.accept()
    held.update(seq=seq, sc=sc, ss_=ss_)
    pa, pb = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    pa.send(b"x" * 100)  # queued at pb
    da, db = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    db.send(b"y" * 10)
    held.update(pa=pa, pb=pb, da=da, db=db)
    dg = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    dg.bind(DPATH)
    dc = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    dc.connect(DPATH)
    ab = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    ab.bind("\0sockscope-dgram")
    held.update(dg=dg, dc=dc, ab=ab)
    return held


def name_of(o):
    loc = o["local"]
    if "path" in loc:
        return loc["path"]
    if "abstract" in loc:
        return "@" + loc["abstract"]
    return "*"


def key_json(o):
    return (o["netid"], o["state"], o["recv_q"], o["send_q"], name_of(o),
            o["local"]["inode"], o["peer"]["inode"])


def ours(*args):
    return netns.sockscope_json(SOCKSCOPE, *args)


def ss_rows(*args):
    """ss -x output as key_json() keys, with the process text if any."""
    out = netns.run(netns.ss("-H", *args)).stdout
    rows = {}
    # ss omits Netid when one type is listed.
    one = {"unix_dgram": "u_dgr", "unix_stream": "u_str",
           "unix_seqpacket": "u_seq", "u_dgr": "u_dgr", "u_str": "u_str",
           "u_seq": "u_seq"}.get(args[1] if args[0] == "-A" else "")
    for line in out.splitlines():
        f = line.split()
        if one:
            f = [one] + f
        if f[0] not in ("u_str", "u_dgr", "u_seq"):
            continue
        key = (f[0], SS_STATE[f[1]], int(f[2]), int(f[3]), f[4], int(f[5]),
               int(f[7]))
        rows[key] = " ".join(f[8:])
    return rows


def inode(s):
    return os.fstat(s.fileno()).st_ino


def test_same_as_ss():
    if not netns.have_ss():
        netns.skip("ss is not installed")
    for args in (["-xa"], ["-x"], ["-xl"], ["-A", "unix_dgram", "-a"],
                 ["-A", "unix_stream,unix_seqpacket", "-a"],
                 # ss's aliases (the Netid names) and "!" in order
                 ["-A", "u_dgr", "-a"], ["-A", "u_str,u_seq", "-a"],
                 ["-A", "all,!inet,!u_dgr,!packet,!netlink,!vsock", "-a"]):
        got = {key_json(o) for o in ours(*args)}
        want = set(ss_rows(*args))
        netns.check(got == want, f"{args}: same sockets as ss: ours-ss="
                    f"{sorted(got - want)} ss-ours={sorted(want - got)}")


def test_kinds(held):
    rows = {o["inode"]: o for o in ours("-xa")}
    lst = rows.get(inode(held["lst"]))
    netns.check(lst and sorted(lst.get("queued", [])) ==
                sorted([inode(held["q1"]), inode(held["q2"])]),
                f"a listener names its queued clients (ICONS): {lst}")
    netns.check(lst and lst["state"] == "LISTEN" and lst["recv_q"] == 2
                and lst["send_q"] == 7 and lst["local"].get("path") == PATH,
                f"a path listener with two queued connections: {lst}")
    seq = rows.get(inode(held["seq"]))
    netns.check(seq and seq["netid"] == "u_seq" and
                seq["local"].get("abstract") == "sockscope-seq",
                f"an abstract seqpacket listener: {seq}")
    pb = rows.get(inode(held["pb"]))
    netns.check(pb and pb["peer"]["inode"] == inode(held["pa"]) and
                pb["recv_q"] == 100 and pb["family"] == "unix",
                f"a socketpair end: peer inode, queued bytes: {pb}")
    dc = rows.get(inode(held["dc"]))
    netns.check(dc and dc["netid"] == "u_dgr" and
                dc["peer"]["inode"] == inode(held["dg"]),
                f"a dgram connected to a path: {dc}")
    netns.check(all(o["family"] == "unix" for o in rows.values()),
                "every row says family unix")
    # Default selection stays TCP and UDP: no UNIX row without -x.
    plain = ours("-a")
    netns.check(not any(o["family"] == "unix" for o in plain),
                f"no UNIX rows by default: {plain}")
    for args in (["--unix", "-a"], ["-f", "unix", "-a"], ["-A", "unix", "-a"]):
        got = {o["inode"] for o in ours(*args)}
        netns.check(got == set(rows), f"{args} lists the same as -xa")


def test_table():
    out = netns.run([SOCKSCOPE, "-xa"]).stdout
    lines = out.splitlines()
    netns.check(lines[0].split()[:3] == ["Netid", "State", "Recv-Q"],
                f"a header: {lines[0]!r}")
    netns.check(any(re.match(rf"u_str +LISTEN +2 +7 +{re.escape(PATH)} \d+ +\* 0$",
                             line) for line in lines),
                f"the listener as ss prints it: {out}")
    netns.check(any(re.search(r" @sockscope-seq \d+ ", line)
                    for line in lines), f"@abstract names: {out}")


def test_processes(held):
    me = os.getpid()
    rows = {o["inode"]: o for o in ours("-xap")}
    pb = rows[inode(held["pb"])]
    netns.check(pb["process"] == [{"name": "python3", "pid": me,
                                   "fd": held["pb"].fileno()}]
                or pb["process"][0]["pid"] == me,
                f"owners of a UNIX socket: {pb['process']}")
    peer = pb.get("peer_process", [])
    netns.check(any(p["pid"] == me and p["fd"] == held["pa"].fileno()
                    for p in peer),
                f"the peer's owner (beyond ss): {peer}")
    lst = rows[inode(held["lst"])]
    netns.check("peer_process" not in lst, "no peer owners for a listener")
    want_q = sorted([(me, held["q1"].fileno(), inode(held["q1"])),
                     (me, held["q2"].fileno(), inode(held["q2"]))])
    got_q = sorted((p["pid"], p["fd"], p["inode"])
                   for p in lst.get("queued_process", []))
    netns.check(got_q == want_q,
                f"a listener's queued clients' owners: {got_q} vs {want_q}")
    out = netns.run([SOCKSCOPE, "-xp", "src", PATH]).stdout
    netns.check("peer_users" not in out, "listener: no peer_users")
    out = netns.run([SOCKSCOPE, "-xap"]).stdout
    want = f'peer_users:(("python3",pid={me},fd={held["pa"].fileno()}))'
    netns.check(want in out, f"peer_users in the table: {out}")
    fds = sorted([held["q1"].fileno(), held["q2"].fileno()])
    m = re.search(r'queued_users:\(\("python3",pid=%d,fd=(\d+)\),'
                  r'\("python3",pid=%d,fd=(\d+)\)\)' % (me, me), out)
    netns.check(m is not None and sorted(map(int, m.groups())) == fds,
                f"queued_users in the table: {out}")
    if netns.have_ss():
        theirs = ss_rows("-xap")
        mine = {key_json(o): o for o in ours("-xap")}
        for key, proc in theirs.items():
            o = mine.get(key)
            users = ",".join(f'("{p["name"]}",pid={p["pid"]},fd={p["fd"]})'
                             for p in o["process"]) if o else None
            netns.check(o is not None and proc == f"users:({users})",
                        f"-p owners as ss: {key} {proc} vs {users}")


def test_filters(held):
    def inodes(*args):
        return {o["inode"] for o in ours("-xa", *args)}

    netns.check(inodes("src", os.path.join(TMP, "*.sock")) ==
                {inode(held["lst"]), inode(held["dg"])},
                "src PATH-GLOB selects the named paths")
    # An accepted socket carries its listener's name.
    netns.check(inodes("src", "@sockscope-*") ==
                {inode(held["seq"]), inode(held["ss_"]), inode(held["ab"])},
                "src @GLOB selects abstract names")
    netns.check(inodes("state", "listening") ==
                {inode(held["lst"]), inode(held["seq"])},
                "state listening: the two listeners")
    unconn = inodes("state", "unconnected")
    netns.check(inode(held["ab"]) in unconn and inode(held["pa"]) not in unconn,
                f"state unconnected: the lone dgram only: {unconn}")
    netns.check(inodes("pid", str(os.getpid())) == inodes(),
                "pid: the owner predicate works on UNIX sockets")
    netns.check(inodes("comm", "nosuchcomm") == set(), "comm mismatch: none")
    netns.check(inodes("src", "127.0.0.1") == set(),
                "an inet address selects no UNIX socket")
    # Ordered sport conditions compare the inode, as ss's do (ss reads
    # `sport = :P` under -x as a name; this does not); dport the peer's
    # inode (ss 6.1's dport on UNIX rows follows no rule we could find).
    everything = inodes()
    paired = {o["inode"] for o in ours("-xa")
              if o.get("peer", {}).get("inode")}
    netns.check(inodes("sport", "<", ":1") == set(),
                "sport < :1: every UNIX socket has an inode")
    netns.check(inodes("sport", ">", ":1") == everything,
                "sport > :1: every UNIX socket has an inode")
    netns.check(paired and inodes("dport", ">", ":1") == paired,
                f"dport > :1: the connected ones, by peer inode: {paired}")
    # The number counts: a bound between this namespace's inodes splits them
    # (ss 6.1 compares UNIX inodes with -1 whatever the number, so it would
    # select all or none; inodes are small on a fresh host, large on an old
    # one, and only :1 agrees with ss on both). A condition's number has
    # the inode's 32 bits: large inodes split too.
    low = sorted(everything)[len(everything) // 2]
    netns.check(inodes("sport", "<", f":{low}") ==
                {i for i in everything if i < low} and
                inodes("sport", ">=", f":{low}") ==
                {i for i in everything if i >= low},
                f"sport < / >= :{low} split the inodes at {low}")
    if netns.have_ss():
        for args in (["src", os.path.join(TMP, "*")],
                     ["src", "@sockscope-seq"],
                     ["sport", ">", ":1"], ["sport", "<", ":1"]):
            got = {key_json(o) for o in ours("-xa", *args)}
            want = set(ss_rows("-xa", *args))
            netns.check(got == want, f"{args} as ss: {got} vs {want}")


def test_memory():
    if not netns.have_ss():
        netns.skip("ss is not installed")

    def skmem(out):
        return re.findall(r"@sockscope-seq \d+ .*(skmem:\([^)]*\))", out)

    ours_m = skmem(netns.run([SOCKSCOPE, "-xam", "src", "@sockscope-seq"]).stdout)
    theirs = skmem(netns.run(netns.ss("-xam", "src", "@sockscope-seq")).stdout)
    netns.check(ours_m and ours_m == theirs, f"-m as ss: {ours_m} {theirs}")


def test_hostile_names():
    evil = os.path.join(TMP, "e\x1b[31m\nx.sock")
    a = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    a.bind(evil)
    a.listen(1)
    b = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    b.bind("\0h\x07i\0x")
    out = netns.run([SOCKSCOPE, "-xa"]).stdout
    netns.check("\x1b" not in out and "\x07" not in out and
                "e\\x1b[31m\\x0ax.sock" in out and "@h\\x07i@x" in out,
                f"names a process chose are escaped: {out!r}")
    rows = {o["inode"]: o for o in ours("-xa")}
    netns.check(rows[inode(a)]["local"]["path"] == evil and
                rows[inode(b)]["local"]["abstract"] == "h\x07i\0x",
                "JSON keeps the bytes, escaped by JSON")
    a.close()
    b.close()
    os.unlink(evil)


def test_save_load():
    path = os.path.join(TMP, "dump")
    live = {key_json(o) for o in
            netns.sockscope_json(SOCKSCOPE, "-xa", "--save", path)}
    loaded = {key_json(o) for o in
              netns.sockscope_json(SOCKSCOPE, "-xa", "--load", path)}
    netns.check(live and live == loaded, "--save/--load keeps UNIX rows")


def test_summary():
    rows = ours("-xa")
    summ = json.loads(netns.run([SOCKSCOPE, "summary", "-x", "-j"]).stdout)
    u = summ.get("unix", {})
    netns.check(u.get("total") == len(rows),
                f"summary counts every UNIX socket: {u} vs {len(rows)}")
    listen = u.get("states", {}).get("LISTEN", {})
    netns.check(listen == {"stream": 1, "dgram": 0, "seqpacket": 1,
                           "total": 2}, f"listeners per type: {listen}")
    plain = json.loads(netns.run([SOCKSCOPE, "summary", "-j"]).stdout)
    netns.check("unix" not in plain, "no unix block without -x")
    out = netns.run([SOCKSCOPE, "summary", "-x"]).stdout
    netns.check(re.search(r"^LISTEN +1 +0 +1 +2$", out, re.M) is not None,
                f"the UNIX table: {out}")
    # The headline and the total count every table selected, and only
    # the selected tables have a block (not an empty TCP and UDP).
    netns.check(summ.get("total") == len(rows),
                f"JSON total counts the UNIX sockets: {summ.get('total')} "
                f"vs {len(rows)}")
    head = out.splitlines()[0]
    netns.check(head == f"Sockets: {len(rows)} (unix {len(rows)})",
                f"the headline counts the UNIX sockets: {head!r} vs "
                f"{len(rows)}")
    netns.check("tcp" not in summ and "udp" not in summ and
                not re.search(r"^(TCP|UDP) ", out, re.M),
                f"no TCP or UDP block with -x alone: {out}")
    both = json.loads(netns.run([SOCKSCOPE, "summary", "-x", "-t",
                                 "-j"]).stdout)
    netns.check(both.get("total") == both["tcp"]["total"] + len(rows)
                and "udp" not in both,
                f"-x -t: TCP and UNIX in the total, no UDP: {both}")
    # The sections about TCP and UDP only with TCP or UDP, in the table,
    # JSON and Prometheus alike; UNIX's own: its listeners, most queued
    # first, and (-p) the processes counting UNIX sockets.
    for sect in ("Kernel totals", "Listening ports", "Remote host",
                 "TIME_WAIT per"):
        netns.check(sect not in out, f"summary -x: no {sect!r}: {out}")
    for key in ("kernel", "listeners", "remote_hosts", "remote_ports",
                "ephemeral_ports", "time_wait_tuples"):
        netns.check(key not in summ, f"summary -x -j: no {key!r}: {summ}")
        netns.check(key in both, f"summary -x -t -j: {key!r}: {both}")
    prom = netns.run([SOCKSCOPE, "summary", "-x", "--format",
                      "prometheus"]).stdout
    netns.check("sockscope_sockets{" in prom and
                not re.search(r"^sockscope_(tcp_|ephemeral|listen_)", prom,
                              re.M),
                f"summary -x prometheus: no TCP series: {prom}")
    lst = summ.get("unix_listeners", [])
    netns.check([(x.get("path") or "@" + x.get("abstract", ""),
                  x["recv_q"], x["send_q"]) for x in lst] ==
                [(PATH, 2, 7), ("@sockscope-seq", 0, 3)],
                f"summary -x -j: the UNIX listeners, most queued first: "
                f"{lst}")
    m = re.search(r"^Listening UNIX sockets \(top 10 of 2, most queued "
                  r"first\)\nName +Recv-Q +Send-Q +Fill +Inode\n(.*)\n"
                  r"(.*)\n", out, re.M)
    netns.check(m and m[1].split()[:4] == [PATH, "2", "7", "25%"] and
                m[2].split()[0] == "@sockscope-seq",
                f"summary -x: the UNIX listeners' table: {out}")
    withp = json.loads(netns.run([SOCKSCOPE, "summary", "-x", "-p",
                                  "-j"]).stdout)
    mine = [p for p in withp.get("processes", []) if p["pid"] == os.getpid()]
    netns.check(mine and mine[0]["sockets"] == len(rows) and
                withp["unix_listeners"][0].get("pid") == os.getpid(),
                f"summary -x -p: this process's UNIX sockets and its "
                f"listener: {withp}")


def nobody_socket():
    """An abstract-named dgram socket of uid 65534, held by a child until
    the test ends; returns its pid."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.setgid(65534)
        os.setuid(65534)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.bind("\0sockscope-nobody")
        os.write(w, b"1")
        os.read(s.fileno(), 1)  # until killed
        os._exit(0)
    os.close(w)
    os.read(r, 1)
    os.close(r)
    return pid


def test_uid():
    """The plain table asks the kernel no uid (ss's request: name, peer,
    queues); a `uid` predicate, -e and JSON do, and see the owner's."""
    pid = nobody_socket()
    try:
        def table(*args):
            return netns.run([SOCKSCOPE, "-xa", *args]).stdout

        name = "@sockscope-nobody"
        netns.check(name in table(), "the plain table lists it")
        netns.check(name in table("uid", "=", "65534") and
                    "@sockscope-seq" not in table("uid", "=", "65534"),
                    "uid = 65534 in the table: that socket only")
        netns.check(name not in table("uid", "=", "0") and
                    "@sockscope-seq" in table("uid", "=", "0"),
                    "uid = 0 in the table: not that socket")
        netns.check("uid:65534" in table("-e", "src", name),
                    f"-e shows its uid: {table('-e', 'src', name)!r}")
        got = [o.get("uid") for o in ours("-xa", "src", name)]
        netns.check(got == [65534], f"JSON has its uid: {got}")
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)


def test_refusals():
    r = netns.run([SOCKSCOPE, "kill", "-x", "src", PATH], check_rc=2)
    netns.check(r.stderr.count("\n") == 1 and "UNIX" in r.stderr,
                f"kill refuses UNIX sockets in one line: {r.stderr!r}")
    # top lists them (test_top_families.py compares it with the listing).
    r = netns.run([SOCKSCOPE, "top", "-b", "--iterations", "1", "-A",
                   "unix"])
    netns.check(f" {PATH} " in r.stdout and "@sockscope-seq " in r.stdout
                and r.stderr == "",
                f"top -A unix lists the UNIX sockets: {r.stdout!r}")
    r = netns.run([SOCKSCOPE, "-A", "bogus"], check_rc=2)
    netns.check("bogus" in r.stderr, f"-A names the bad table: {r.stderr!r}")
    r = netns.run([SOCKSCOPE, "-f", "bogus"], check_rc=2)
    netns.check("bogus" in r.stderr, f"-f names the bad family: {r.stderr!r}")


def test_no_services():
    """Service names are the inet tables' ports: a UNIX listing does not
    read the services database (NSS: a quarter of its start-up), a TCP
    one without -n does. Not through a wrapper: strace traces the binary."""
    if not shutil.which("strace"):
        netns.skip("needs strace(1) to see which files a listing opens")
    trace = os.path.join(TMP, "opens")

    def opened(*args):
        # LeakSanitizer cannot work under ptrace (the ASan build's exit 1).
        netns.run(["env", "ASAN_OPTIONS=" + ":".join(filter(None, [
            os.environ.get("ASAN_OPTIONS"), "detect_leaks=0"])),
                   "strace", "-f", "-qq", "-o", trace, "-e", "trace=openat",
                   SOCKSCOPE, *args], wrapped=False)
        with open(trace) as f:
            return "/etc/services" in f.read()

    netns.check(not opened("-xa") and not opened("-x", "-0", "-A", "netlink"),
                "-xa, -x -0 -A netlink: /etc/services not read")
    netns.check(opened("-ta") and opened("-x", "-t") and not opened("-tan"),
                "-ta and -x -t read /etc/services, -tan does not")


held = make_sockets()
test_same_as_ss()
test_kinds(held)
test_table()
test_processes(held)
test_filters(held)
test_uid()
test_memory()
test_hostile_names()
test_save_load()
test_summary()
test_refusals()
test_no_services()
netns.finish("test_unix")
