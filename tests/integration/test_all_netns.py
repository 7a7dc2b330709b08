#!/usr/bin/env python3
"""--all-netns across a node (issue 19): namespaces that /run/netns does not
list (processes in `unshare -n`, one held only by a bind mount, one reached
through two names), their holders in cgroups named like docker, containerd,
a Kubernetes pod and a systemd service (under this test's own cgroup), each
shown once with its label and its sockets by list, summary, advise and
Prometheus; summary's rankings, each led by the namespace made to lead
it; -N by container id prefix and unit name; skips reported.
argv[1] is the sockscope binary.

The test runs under `unshare -m -n -p -f --mount-proc`: a private /run (a
tmpfs), and a /proc that shows this test's processes only, so --all-netns
sees the namespaces made here and nothing of the host's; then, once it
has found its cgroup, in a cgroup namespace rooted there, so that whatever
unit or container the runner's cgroup names is no holder's label."""
import ctypes
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
from netns import check, run  # noqa: E402

_MARK = "SOCKSCOPE_ALL_NETNS_PRIVATE"
# Chosen outside, before the PID namespace makes every test pid 1.
TAG = os.environ.get("SOCKSCOPE_ALL_NETNS_TAG", str(os.getpid() % 100000))
HEX = "%064x" % (0x5eed0000 + int(TAG))     # a docker id, 64 hex
HEX2 = "c0" + HEX[2:]                      # containerd's
HEX3 = "9d" + HEX[2:]                      # the pod's container
UID = "1b2c3d4e-5f60-4718-9a2b-3c4d5e6f%04d" % (int(TAG) % 10000)
UNIT = f"sockscope-test-{TAG}.service"
NAMED, ALIAS = f"nsa{TAG}", f"nsb{TAG}"
BIND = f"/run/sockscope-bind-{TAG}"
EVIL_UNIT = f"e\x1b[2J{TAG}.service"
EVIL_ESC = f"e\\x1b[2J{TAG}.service"

# Joins the cgroups named (cgroup.procs paths), listens on each port (in
# the namespace file given with --ns, then back home), writes net sysctls
# given as key=value, says "ready" and waits for stdin to close.
HOLDER = r"""
import ctypes, os, socket, sys
args = sys.argv[1:]
procs, ports, sysctls, nsfile = [], [], [], None
while args:
    a = args.pop(0)
    if a == "--cg": procs.append(args.pop(0))
    elif a == "--ns": nsfile = args.pop(0)
    elif "=" in a: sysctls.append(a.split("=", 1))
    else: ports.append(int(a))
for p in procs:
    with open(p, "w") as f: f.write(str(os.getpid()))
libc = ctypes.CDLL(None, use_errno=True)
home = os.open("/proc/self/ns/net", os.O_RDONLY)
if nsfile:
    fd = os.open(nsfile, os.O_RDONLY)
    assert libc.setns(fd, 0x40000000) == 0, ctypes.get_errno()
for k, v in sysctls:
    with open("/proc/sys/" + k.replace(".", "/"), "w") as f: f.write(v)
held = []
for port in ports:
    s = socket.socket()
    s.bind(("0.0.0.0", port))
    s.listen()
    held.append(s)
if nsfile:
    assert libc.setns(home, 0x40000000) == 0, ctypes.get_errno()
print("ready", flush=True)
sys.stdin.read()
"""


# The ranking's workloads, one namespace each (argv: mode, port, n,
# cgroup.procs): "close_wait": n connections whose peer closed, never
# closed here; "time_wait": n closed from the client's side first;
# "accept": listen(1) and n connections never accepted; "tuples": n
# connections to one port with 10 ephemeral ports usable. Says "ready"
# once the kernel shows the states wanted, and waits for stdin to close.
RANKER = r"""
import os, socket, sys, time
mode, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(sys.argv[4], "w") as f: f.write(str(os.getpid()))
if mode == "tuples":
    with open("/proc/sys/net/ipv4/ip_local_port_range", "w") as f:
        f.write("40000 40009")
ls = socket.socket()
ls.bind(("127.0.0.1", port))
ls.listen(1 if mode == "accept" else 64)
keep = [ls]
for _ in range(n):
    c = socket.create_connection(("127.0.0.1", port))
    if mode == "accept":
        keep.append(c)
        continue
    s, _ = ls.accept()
    if mode == "close_wait":
        c.close()
        keep.append(s)
    elif mode == "time_wait":
        c.close()
        assert s.recv(1) == b""
        s.close()
    else:
        keep += [c, s]
want = {"close_wait": ("08", n), "time_wait": ("06", n),
        "accept": ("0A", 1), "tuples": ("01", 2 * n)}[mode]
for _ in range(500):
    with open("/proc/net/tcp") as f:
        rows = [l.split() for l in f.readlines()[1:]]
    if mode == "accept":
        rows = [r for r in rows if int(r[4].split(":")[1], 16) == n]
    if sum(r[3] == want[0] for r in rows) == want[1]:
        break
    time.sleep(0.01)
else:
    sys.exit("the kernel never showed %s: %s" % (want, rows))
print("ready", flush=True)
sys.stdin.read()
"""

def enter():
    netns.enter_private(_MARK, {"SOCKSCOPE_ALL_NETNS_TAG": TAG},
                        "needs root to create namespaces and cgroups")


def mounts():
    with open("/proc/self/mountinfo") as f:
        return [l.split(" - ")[0].split()[4:5] + l.split(" - ")[1].split()
                for l in f if " - " in l]


def hierarchies():
    """(cgroup2 mount, our v2 path), (name=systemd mount, our v1 path);
    None where there is none."""
    mine = {}
    with open("/proc/self/cgroup") as f:
        for line in f:
            num, ctl, path = line.rstrip("\n").split(":", 2)
            mine["v2" if num == "0" else ctl] = path
    v2 = v1 = None
    for point, fstype, _src, *opts in mounts():
        if fstype == "cgroup2" and v2 is None and "v2" in mine:
            v2 = (point, mine["v2"])
        if fstype == "cgroup" and "name=systemd" in ",".join(opts) \
                and v1 is None and "name=systemd" in mine:
            v1 = (point, mine["name=systemd"])
    return v2, v1


class Cgroups:
    """Directories made under our own cgroup; removed deepest first."""

    def __init__(self):
        self.made = []

    def make(self, hier, rel):
        point, mine = hier
        path = os.path.join(point, mine.lstrip("/"), f"sockscope-{TAG}", rel)
        os.makedirs(path, exist_ok=True)
        for d in self._chain(point, mine, rel):
            if d not in self.made:
                self.made.append(d)
        return os.path.join(path, "cgroup.procs")

    @staticmethod
    def _chain(point, mine, rel):
        base = os.path.join(point, mine.lstrip("/"), f"sockscope-{TAG}")
        out = [base]
        for part in rel.split("/"):
            out.append(os.path.join(out[-1], part))
        return out

    def remove(self):
        for d in sorted(self.made, key=len, reverse=True):
            try:
                os.rmdir(d)
            except OSError:
                pass


def holder(argv, prefix=()):
    p = subprocess.Popen([*prefix, sys.executable, "-c", HOLDER, *argv],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         text=True)
    if p.stdout.readline().strip() != "ready":
        netns.fail(f"holder {argv} did not start")
    return p


def go(argv, rc=0):
    r = run(argv, check_rc=None)
    if rc is not None:
        check(r.returncode == rc if isinstance(rc, int) else
              r.returncode in rc,
              f"{argv[1:]} exited {r.returncode}, wanted {rc}: {r.stderr!r}")
    return r


def jload(text):
    try:
        return json.loads(text)
    except ValueError:
        check(False, f"not JSON: {text[:300]!r}")
        return {}


def setup(cg, v2, v1):
    """The namespaces and their holders; returns (the holders, the plain
    process's holder)."""
    held = []
    # docker: a child in its own namespace, also mounted where docker
    # keeps its sandboxes; tcp_syncookies=0 there only.
    procs = cg.make(v2, f"docker-{HEX}.scope")
    d = holder(["--cg", procs, "7101", "net.ipv4.tcp_syncookies=0"],
               ["unshare", "-n"])
    held.append(d)
    os.makedirs("/run/docker/netns", exist_ok=True)
    sandbox = "/run/docker/netns/0123abcd"
    open(sandbox, "w").close()
    subprocess.run(["mount", "--bind", f"/proc/{d.pid}/ns/net", sandbox],
                   check=True)
    # containerd
    procs = cg.make(v2, f"cri-containerd-{HEX2}.scope")
    held.append(holder(["--cg", procs, "7102"], ["unshare", "-n"]))
    # a pod (systemd driver names), three listeners
    uid_ = UID.replace("-", "_")
    procs = cg.make(v2, "kubepods.slice/kubepods-besteffort.slice/"
                    f"kubepods-besteffort-pod{uid_}.slice/"
                    f"cri-containerd-{HEX3}.scope")
    held.append(holder(["--cg", procs, "7103", "7113", "7123"],
                       ["unshare", "-n"]))
    # a systemd service: through v1 name=systemd where the host has it
    procs = cg.make(v1 or v2, UNIT)
    held.append(holder(["--cg", procs, "7104"], ["unshare", "-n"]))
    # a unit whose name clears the screen: printed escaped everywhere
    procs = cg.make(v2, EVIL_UNIT)
    held.append(holder(["--cg", procs, "7108"], ["unshare", "-n"]))
    # a plain process, in a cgroup of its own that names nothing
    procs = cg.make(v2, "plain")
    plain = holder(["--cg", procs, "7105"], ["unshare", "-n"])
    held.append(plain)
    # one namespace, two names (and a runtime's mount of it too)
    subprocess.run(["ip", "netns", "add", NAMED], check=True)
    for path in (f"/run/netns/{ALIAS}", "/run/docker/netns/feed0001"):
        open(path, "w").close()
        subprocess.run(["mount", "--bind", f"/run/netns/{NAMED}", path],
                       check=True)
    held.append(holder(["7106"], ["ip", "netns", "exec", NAMED]))
    # held by a bind mount only: its listener is held from out here
    open(BIND, "w").close()
    subprocess.run(["unshare", f"--net={BIND}", "true"], check=True)
    held.append(holder(["--ns", BIND, "7107"]))
    # this namespace
    held.append(holder(["7100"]))
    return held, plain


def own_cgroup_namespace():
    """Enter a cgroup namespace rooted at this test's cgroup, for the
    holders and sockscope to inherit. /proc/PID/cgroup shows a path from
    the reader's namespace root, so sockscope reads the holders' cgroups
    from here down: a CI runner's unit or container above (a
    runner.service) would otherwise name the plain holder, and, through
    name=systemd, every holder moved in the v2 hierarchy only. Call after
    hierarchies(): our cgroup is then "/"."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(0x02000000) != 0:  # CLONE_NEWCGROUP
        netns.fail(f"unshare(CLONE_NEWCGROUP): "
                   f"{os.strerror(ctypes.get_errno())}")


def want_labels(plain):
    return {
        7100: ("-", "current"),
        7101: (f"docker:{HEX[:12]}", "container"),
        7102: (f"containerd:{HEX2[:12]}", "container"),
        7103: (f"pod:{UID} {HEX3[:12]}", "pod"),
        7104: (UNIT, "service"),
        7105: (f"pid:{plain.pid} python3", "process"),
        7106: (NAMED, "named"),
        7107: (BIND, "path"),
        7108: (EVIL_UNIT, "service"),
    }


def by_port(items, port):
    return [s for s in items if s.get("local", {}).get("port") == port]


def test_list(binary, want):
    items = jload(go([binary, "--all-netns", "-tln", "-j"]).stdout)
    inodes = {}
    for port, (label, kind) in want.items():
        rows = by_port(items, port)
        if not check(len(rows) == 1, f"list: :{port} once: {rows}"):
            continue
        ns = rows[0]["netns"]
        check((ns["label"], ns["kind"]) == (label, kind) and
              ns["inode"] > 0 and set(ns) >= {"inode", "label", "kind",
                                             "pid"},
              f"list: :{port} labelled {label!r} ({kind}): {ns}")
        inodes.setdefault(ns["inode"], []).append(port)
    pod = by_port(items, 7103)
    check(pod and pod[0]["netns"].get("pod") == UID and
          pod[0]["netns"].get("container") == HEX3[:12] and
          all(s["netns"]["inode"] == pod[0]["netns"]["inode"]
              for s in by_port(items, 7113) + by_port(items, 7123)),
          f"list: the pod's uid and container, its three sockets: {pod}")
    dock = by_port(items, 7101)
    check(dock and dock[0]["netns"].get("container") == HEX[:12] and
          dock[0]["netns"].get("runtime") == "docker" and
          dock[0]["netns"]["pid"] > 0, f"list: docker's id: {dock}")
    check(all(len(p) == 1 for p in inodes.values()),
          f"list: a namespace per holder: {inodes}")
    # The table: each row once, the label first (escaped: none here).
    lines = go([binary, "--all-netns", "-tln"]).stdout.splitlines()
    check(lines and lines[0].startswith("Netns"), f"table header: {lines}")
    for port, (label, _) in want.items():
        label = EVIL_ESC if label == EVIL_UNIT else label
        rows = [l for l in lines if f":{port} " in l]
        check(len(rows) == 1 and rows[0].startswith(label + " "),
              f"table: :{port} once, as {label!r}: {rows}")
    check("\x1b" not in "".join(lines), "table: labels escaped")


def test_names_said(binary):
    r = go([binary, "--all-netns", "-tln"])
    check(r.stderr.count(f"{ALIAS} is the namespace {NAMED}") == 1,
          f"two names: the one used is said: {r.stderr!r}")


def test_net_by_label(binary):
    items = jload(go([binary, "-N", HEX[:10], "-tln", "-j"]).stdout)
    check([s["local"]["port"] for s in items] == [7101] and
          items[0]["netns"]["kind"] == "container",
          f"-N container id prefix: {items}")
    items = jload(go([binary, "-N", UNIT, "-tln", "-j"]).stdout)
    check([s["local"]["port"] for s in items] == [7104] and
          items[0]["netns"]["label"] == UNIT, f"-N unit name: {items}")
    items = jload(go([binary, "-N", UID, "-tln", "-j"]).stdout)
    check(sorted(s["local"]["port"] for s in items) == [7103, 7113, 7123],
          f"-N pod uid: {items}")
    r = go([binary, "-N", f"nosuch{TAG}", "-tln"], rc=1)
    check(f"nosuch{TAG}: no such namespace" in r.stderr and not r.stdout,
          f"-N nothing of that name: {r.stderr!r}")


def test_summary(binary, want):
    doc = jload(go([binary, "summary", "--all-netns", "-j"]).stdout)
    spaces = doc.get("namespaces", [])
    labels = [n["netns"]["label"] for n in spaces]
    check(sorted(set(labels)) == sorted(labels) and
          {l for l, _ in want.values()} <= set(labels),
          f"summary: each namespace once: {labels}")
    listen = {n["netns"]["label"]:
              n["summary"]["tcp"]["states"]["LISTEN"]["total"]
              for n in spaces}
    for port, (label, _) in want.items():
        check(listen.get(label) == (3 if port == 7103 else 1),
              f"summary: {label!r}'s listeners: {listen}")
    rank = doc.get("ranking", {})
    check(set(rank) == {"sockets", "time_wait", "close_wait",
                        "accept_queue_fill", "tuple_pressure"},
          f"summary: the ranking's keys: {list(rank)}")
    top = rank.get("sockets", [{}])[0]
    check(top.get("netns", {}).get("label") == want[7103][0] and
          top.get("value") == 3, f"summary: the pod ranks first: {top}")
    table = go([binary, "summary", "--all-netns"]).stdout
    check("\x1b" not in table, "summary table: labels escaped")
    for label, kind in want.values():
        label = EVIL_ESC if label == EVIL_UNIT else label
        check(table.count(f"Netns {label} ({kind}, inode ") == 1,
              f"summary table: a section for {label!r}")
    check("Namespaces by sockets (top " in table and
          "Namespaces by CLOSE_WAIT" in table, "summary table: ranking")
    # Without TCP and UDP, the TCP rankings go with the TCP sections.
    unix = jload(go([binary, "summary", "--all-netns", "-x", "-j"]).stdout)
    table = go([binary, "summary", "--all-netns", "-x"]).stdout
    check(list(unix.get("ranking", {})) == ["sockets"] and
          "Namespaces by sockets (top " in table and
          "Namespaces by CLOSE_WAIT" not in table and
          "Listening ports" not in table,
          f"summary --all-netns -x: the sockets ranking only: "
          f"{list(unix.get('ranking', {}))} {table[-400:]}")
    prom = go([binary, "summary", "--all-netns", "-x", "--format",
               "prometheus"]).stdout
    check("sockscope_netns_info{" in prom and
          "listen_queue" not in prom and "ephemeral_ports" not in prom,
          f"summary --all-netns -x prometheus: no TCP series: {prom}")
    prom = go([binary, "summary", "--all-netns", "--format",
               "prometheus"]).stdout
    want_series = (
        f'sockscope_sockets{{netns="docker:{HEX[:12]}",container='
        f'"{HEX[:12]}",netid="tcp",family="inet",state="listen"}} 1',
        f'sockscope_sockets{{netns="pod:{UID} {HEX3[:12]}",container='
        f'"{HEX3[:12]}",pod="{UID}",netid="tcp",family="inet",'
        f'state="listen"}} 3',
        f'sockscope_sockets{{netns="{UNIT}",netid="tcp",family="inet",'
        f'state="listen"}} 1',
        f'sockscope_netns_info{{netns="{BIND}",kind="path"}} 1',
    )
    lines = prom.splitlines()
    check("\x1b" not in prom and
          f'netns="{EVIL_ESC.replace(chr(92), chr(92) * 2)}"' in prom,
          "summary prometheus: labels escaped")
    for s in want_series:
        check(s in lines, f"summary prometheus: {s}")
    infos = [l for l in lines if l.startswith("sockscope_netns_info{")]
    check(len(infos) == len(spaces), f"prometheus: one info per namespace: "
          f"{infos}")
    check(sum(l.startswith("# TYPE sockscope_sockets ") for l in lines) == 1,
          "prometheus: one TYPE line per metric")


def test_list_prometheus(binary, want):
    lines = go([binary, "--all-netns", "-tl", "--format",
                "prometheus"]).stdout.splitlines()
    s = (f'sockscope_selected_sockets{{netns="pod:{UID} {HEX3[:12]}",'
         f'container="{HEX3[:12]}",pod="{UID}",netid="tcp",family="inet",'
         f'state="listen"}} 3')
    check(s in lines, f"list prometheus: the pod's labels: {lines[:40]}")
    # A filter that selects the pod's sockets only: every other namespace
    # read is still there, with 0s (its series do not come and go).
    lines = go([binary, "--all-netns", "-tl", "--format", "prometheus",
                "sport", "=", ":7103"]).stdout.splitlines()
    listen = [l for l in lines if l.startswith("sockscope_selected_sockets{")
              and 'family="inet",state="listen"}' in l]
    ones = [l for l in listen if not l.endswith("} 0")]
    check(len(ones) == 1 and f'pod="{UID}"' in ones[0] and
          ones[0].endswith("} 1") and len(listen) >= len(want) and
          any(f'netns="docker:{HEX[:12]}",' in l for l in listen),
          f"list prometheus: namespaces without a row are 0s: {listen}")


def test_advise(binary, want):
    r = go([binary, "advise", "--all-netns", "-j", "--interval", "0.3"],
           rc=3)
    doc = jload(r.stdout)
    labels = [n["netns"]["label"] for n in doc.get("namespaces", [])]
    check(sorted(set(labels)) == sorted(labels) and
          {l for l, _ in want.values()} <= set(labels),
          f"advise: each namespace once: {labels}")
    check(all(n["interval_s"] > 0 for n in doc.get("namespaces", [])),
          f"advise: two samples in each: {doc.get('namespaces')}")
    sc = [a for a in doc.get("advice", []) if a["rule"] == "syncookies-off"]
    dock = want[7101][0]
    check(len(sc) == 1 and sc[0]["netns"]["label"] == dock and
          sc[0]["subject"].startswith(f"netns {dock}") and
          sc[0]["severity"] == "warning",
          f"advise: syncookies=0 in the docker namespace only: {sc}")
    table = go([binary, "advise", "--all-netns", "--interval", "0"],
               rc=3).stdout
    check(f"subject: netns {dock}" in table and
          f"in {len(labels)} namespaces" in table, f"advise table: {table}")
    prom = go([binary, "advise", "--all-netns", "--interval", "0",
               "--format", "prometheus"], rc=3).stdout.splitlines()
    for s in (f'sockscope_advice_severity{{netns="{dock}",container='
              f'"{HEX[:12]}",rule="syncookies-off"}} 2',
              'sockscope_advice_severity{netns="-",rule="syncookies-off"} 0'):
        check(s in prom, f"advise prometheus: {s}")


def top_rows(text):
    """top -b's rows: the lines under the NETNS title, to a blank line."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(("NETNS", "GROUP")):
            return lines[i + 1:lines.index("", i)]
    return []


def test_top(binary, want):
    r = go([binary, "top", "-b", "--all-netns", "--iterations", "1",
            "-tln"])
    rows = top_rows(r.stdout)
    check("\x1b" not in r.stdout, "top: labels escaped")
    spaces = re.search(r"^namespaces (\d+) \(state meters: node-wide",
                       r.stdout, re.M)
    check(spaces and int(spaces.group(1)) >= len(want) and
          "skipped" not in spaces.group(0), f"top: the namespaces line: "
          f"{r.stdout[:400]!r}")
    for port, (label, _) in want.items():
        label = EVIL_ESC if label == EVIL_UNIT else label
        mine = [l for l in rows if f":{port} " in l]
        check(len(mine) == 1 and mine[0].startswith(label + " "),
              f"top -b --all-netns: :{port} once, as {label!r}: {mine}")
    pod = [l for l in rows if l.startswith(want[7103][0] + " ")]
    check(len(pod) == 3, f"top: the pod's three listeners: {pod}")
    # The meters count every namespace's sockets: node-wide.
    m = re.search(r"\bLISTEN\s+(\d+)\s", r.stdout)
    check(m and int(m.group(1)) == len(rows) >= len(want) + 2,
          f"top: LISTEN counts every namespace's: {m and m.group(0)}, "
          f"{len(rows)} rows")
    # Without --all-netns: this namespace only, no NETNS column.
    r = go([binary, "top", "-b", "--iterations", "1", "-tln"])
    check("NETNS" not in r.stdout and ":7100 " in r.stdout and
          ":7101 " not in r.stdout, f"top without --all-netns: {r.stdout}")
    # -N LABEL: that namespace's sockets.
    r = go([binary, "top", "-b", "--iterations", "1", "-tln", "-N",
            HEX[:10]])
    check(":7101 " in r.stdout and ":7100 " not in r.stdout,
          f"top -N container id: {r.stdout}")


def sleeping(pid):
    """Whether process pid sleeps in nanosleep: advise between samples."""
    try:
        with open(f"/proc/{pid}/wchan") as f:
            return "nanosleep" in f.read()
    except OSError:
        return False


def test_advise_gone_between_samples(binary):
    """A namespace sampled once, gone before its second sample: left out
    and said, never advised on half its data."""
    p = holder(["7109"], ["unshare", "-n"])
    ino = os.stat(f"/proc/{p.pid}/ns/net").st_ino
    adv = subprocess.Popen(netns.wrap([binary, "advise", "--all-netns",
                                       "-j", "--interval", "2"]),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
    for _ in range(1200):  # the first samples taken (slow under valgrind)
        if sleeping(adv.pid) or adv.poll() is not None:
            break
        subprocess.run(["sleep", "0.05"])
    check(sleeping(adv.pid), "advise sleeps between its samples")
    p.stdin.close()
    p.wait()
    out, err = adv.communicate()
    doc = jload(out)
    inodes = [n["netns"]["inode"] for n in doc.get("namespaces", [])]
    check(adv.returncode in (1, 3) and ino not in inodes and
          len(inodes) >= 8 and
          all(n["interval_s"] > 0 for n in doc.get("namespaces", [])),
          f"advise: the namespace gone between samples left out: {ino} "
          f"in {inodes}, exit {adv.returncode}")
    check(re.search(r"--all-netns: \S.* left out: it went away before its "
                    r"second sample", err) and err.count("left out") == 1,
          f"advise: the namespace left out is said: {err!r}")


def test_skips(binary):
    stale = f"/run/netns/zz{TAG}"
    open(stale, "w").close()
    try:
        # advise: its warning (3) says more than the skip (1).
        for cmd, rc, shown in (([], 1, ":7101 "),
                               (["summary"], 1, "Netns docker:"),
                               (["advise", "--interval", "0"], 3,
                                "subject: netns docker:"),
                               (["top", "-b", "--iterations", "1"], 1,
                                f"skipped 1: zz{TAG}")):
            r = go([binary, *cmd, "--all-netns", "-tln"], rc=rc)
            check(f"skipped zz{TAG}: not a network namespace" in r.stderr
                  and r.stderr.count(f"zz{TAG}") == 1 and shown in r.stdout,
                  f"{cmd} --all-netns: the stale entry said, the others "
                  f"listed: {r.stderr!r}")
    finally:
        os.unlink(stale)
    # A root without /proc: the line names it; runtime failure.
    empty = tempfile.mkdtemp()
    try:
        for cmd in ([], ["summary"], ["advise", "--interval", "0"]):
            r = go([binary, *cmd, "--all-netns", "--root", empty, "-tln"],
                   rc=1)
            check(f"--all-netns: {empty}/proc cannot be read: No such "
                  "file or directory" in r.stderr,
                  f"{cmd} --all-netns --root without /proc: {r.stderr!r}")
    finally:
        os.rmdir(empty)
    # Unprivileged: the namespaces of other users' processes unreadable.
    r = go(["setpriv", "--reuid", "65534", "--regid", "65534",
            "--clear-groups", binary, "--all-netns", "-tln"], rc=1)
    check(re.search(r"skipped the namespaces of \d+ process(es)? \(pid "
                    r"\d+( and others)?\): Permission denied", r.stderr) and
          ":7100 " in r.stdout, f"unprivileged: skips counted: {r.stderr!r}")
    r = go(["setpriv", "--reuid", "65534", "--regid", "65534",
            "--clear-groups", binary, "top", "-b", "--iterations", "1",
            "--all-netns", "-tln"], rc=1)
    check(re.search(r"top --all-netns: skipped the namespaces of \d+ "
                    r"process(es)? \(pid \d+( and others)?\): Permission "
                    r"denied", r.stderr) and ":7100 " in r.stdout and
          re.search(r"^namespaces 1 .*  skipped \d+: the namespaces of \d+ "
                    r"process", r.stdout, re.M),
          f"top unprivileged: skips said and in the header: {r.stderr!r} "
          f"{r.stdout[:300]!r}")


def ranking_first(table, title):
    """The first row of the summary table's ranking by title: (value,
    label)."""
    lines = table.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(f"Namespaces by {title} (top "):
            value, _, label = lines[i + 2].strip().partition("  ")
            return value, label
    return None, None


def test_summary_ranking(binary, cg, v2):
    """Each ranking's first namespace and value: one namespace leaks
    CLOSE_WAIT (and so holds the most sockets), one holds TIME_WAIT, one a
    full accept queue, one most of its ephemeral ports."""
    work = {  # mode: (port, n, label, ranking, JSON value, table value)
        "close_wait": (7201, 6, f"rank-cw-{TAG}.service", "close_wait", 6,
                       "6"),
        "time_wait": (7202, 5, f"rank-tw-{TAG}.service", "time_wait", 5,
                      "5"),
        "accept": (7203, 2, f"rank-aq-{TAG}.service",
                   "accept_queue_fill", 1, "100%"),
        "tuples": (7204, 5, f"rank-tp-{TAG}.service", "tuple_pressure",
                   0.5, "50%"),
    }
    held = []
    try:
        for mode, (port, n, label, _, _, _) in work.items():
            p = subprocess.Popen(["unshare", "-n", "sh", "-c",
                                  'ip link set lo up && exec "$0" "$@"',
                                  sys.executable, "-c", RANKER, mode,
                                  str(port), str(n), cg.make(v2, label)],
                                 stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, text=True)
            held.append(p)
            if p.stdout.readline().strip() != "ready":
                netns.fail(f"ranking workload {mode} did not start")
        # The CLOSE_WAIT namespace's sockets: its listener, the n it
        # never closed and their peers (FIN_WAIT2).
        _, cw_n, cw_label = work["close_wait"][:3]
        expect = {"sockets": (cw_label, 2 * cw_n + 1, str(2 * cw_n + 1))}
        for _, _, label, key, value, text in work.values():
            expect[key] = (label, value, text)
        rank = jload(go([binary, "summary", "--all-netns", "-j"]).stdout
                     ).get("ranking", {})
        table = go([binary, "summary", "--all-netns"]).stdout
        titles = {"sockets": "sockets", "time_wait": "TIME_WAIT",
                  "close_wait": "CLOSE_WAIT",
                  "accept_queue_fill": "accept-queue fill",
                  "tuple_pressure": "tuple pressure"}
        for key, (label, value, text) in expect.items():
            first = (rank.get(key) or [{}])[0]
            check(first.get("netns", {}).get("label") == label and
                  first.get("value") == value,
                  f"summary ranking {key}: {label!r} first with {value}: "
                  f"{rank.get(key, [])[:3]}")
            got = ranking_first(table, titles[key])
            check(got == (text, label), f"summary table ranking "
                  f"{titles[key]}: {label!r} first with {text}: {got}")
    finally:
        for p in held:
            p.stdin.close()
            p.wait()


def main():
    binary = os.path.abspath(sys.argv[1])
    enter()
    v2, v1 = hierarchies()
    if not v2:
        netns.skip("needs a cgroup v2 hierarchy")
    own_cgroup_namespace()
    cg = Cgroups()
    held = []
    try:
        held, plain = setup(cg, v2, v1)
        want = want_labels(plain)
        test_list(binary, want)
        test_names_said(binary)
        test_net_by_label(binary)
        test_summary(binary, want)
        test_list_prometheus(binary, want)
        test_advise(binary, want)
        test_top(binary, want)
        test_advise_gone_between_samples(binary)
        test_skips(binary)
        test_summary_ranking(binary, cg, v2)
    finally:
        for p in held:
            p.stdin.close()
            p.wait()
        cg.remove()
    netns.finish("all-netns")


if __name__ == "__main__":
    main()
