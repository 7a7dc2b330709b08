#!/usr/bin/env python3
"""Namespaces: `dev NAME` resolved where the sockets live, interface names
from the socket's namespace (live and through --save/--load), hostile
interface and namespace names escaped, --all-netns skips said and
duplicates listed once, Prometheus per namespace, cgroup paths under
`ip netns exec`. argv[1] is the sockscope binary.

The test runs under `unshare -m -n -p` with a tmpfs on /run and its own /proc, so the named
namespaces it makes (`ip netns add`) are its own and --all-netns sees
nothing else; they are deleted in `finally` all the same."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
from netns import check, run  # noqa: E402


_MARK = "SOCKSCOPE_NETNS_PRIVATE_RUN"

# 15 bytes at most (IFNAMSIZ): sets the terminal title, clears the screen.
EVIL_DEV = "x\x1b]0;ow\x07\x1b[2J"
EVIL_DEV_ESC = r"x\x1b]0;ow\x07\x1b[2J"
TAG = str(os.getpid() % 100000)
NSA = "ssa" + TAG                  # sockets on veth0 and on EVIL_DEV
NSB = "ssz" + TAG                  # a second name for NSA
NSE = "n\x1b[2J" + TAG             # a hostile namespace name
NSE_ESC = r"n\x1b[2J" + TAG
NSH = "ssh" + TAG                  # a name for the namespace we run in

# One listener, bound to a device when one is named; "ready", then waits.
HOLDER = r"""
import socket, sys
port = int(sys.argv[1])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
if len(sys.argv) > 2:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE,
                 sys.argv[2].encode())
s.bind(("0.0.0.0", port))
s.listen()
print("ready", flush=True)
sys.stdin.read()
"""


def go(argv, rc=0, wrapped=True):
    """Run a command; a wrong exit status is a failed check, not the end.
    wrapped=False: never under SOCKSCOPE_TEST_WRAPPER (see the callers)."""
    r = run(argv, check_rc=None, wrapped=wrapped)
    if rc is not None:
        check(r.returncode == rc, f"{argv} exited {r.returncode}, wanted "
              f"{rc}: {r.stderr!r}")
    return r


def jload(text):
    try:
        return json.loads(text)
    except ValueError:
        check(False, f"not JSON: {text!r}")
        return []


def enter():
    """Re-run this script in a new network and mount namespace, /run
    private to it (and a PID namespace, for --all-netns)."""
    netns.enter_private(_MARK)


def sh(*argv):
    subprocess.run(list(argv), check=True, capture_output=True)


def holder(ns, port, dev=None):
    prefix = ["ip", "netns", "exec", ns] if ns else []
    p = subprocess.Popen([*prefix, sys.executable, "-c", HOLDER, str(port),
                          *([dev] if dev else [])],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         text=True)
    if p.stdout.readline().strip() != "ready":
        netns.fail(f"holder on port {port} in {ns!r} did not start")
    return p


def links(ns=None):
    """{name: ifindex} of a namespace (None: ours)."""
    prefix = ["ip", "netns", "exec", ns] if ns else []
    out = subprocess.run([*prefix, "ip", "-j", "link"], check=True,
                         capture_output=True, text=True).stdout
    return {l["ifname"]: l["ifindex"] for l in json.loads(out, strict=False)}


def setup():
    """NSA with veth0 and EVIL_DEV, and in our namespace a device whose
    index is veth0's index over there (hx0), so a name resolved in the
    wrong namespace selects the wrong device."""
    r = subprocess.run(["ip", "link", "add", "hx0", "type", "veth", "peer",
                        "name", "hx1"], capture_output=True)
    if r.returncode:
        netns.skip(f"veth devices: {r.stderr.strip()}")
    sh("ip", "netns", "add", NSA)
    sh("ip", "netns", "exec", NSA, "ip", "link", "set", "lo", "up")
    sh("ip", "netns", "exec", NSA, "ip", "link", "add", "veth0", "type",
       "veth", "peer", "name", "veth1")
    sh("ip", "netns", "exec", NSA, "ip", "link", "add", EVIL_DEV, "type",
       "veth", "peer", "name", "ev1")
    sh("ip", "netns", "add", NSE)
    sh("ip", "netns", "exec", NSE, "ip", "link", "set", "lo", "up")


def teardown():
    for ns in (NSA, NSE):
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
    subprocess.run(["ip", "link", "del", "hx0"], capture_output=True)


def rows(text, port):
    return [l for l in text.splitlines() if f":{port} " in l + " "]


def test_dev_in_target_namespace(binary, there, here):
    check(there["veth0"] == here.get("hx0"),
          f"setup: hx0 here has veth0's index there: {there} {here}")
    r = go([binary, "-N", NSA, "-tl", "dev", "veth0"])
    check(rows(r.stdout, 7001) and not rows(r.stdout, 7002),
          f"-N: dev veth0 of the namespace read: {r.stdout}")
    items = jload(go([binary, "-N", NSA, "-j", "-tl", "dev",
                            "veth0"]).stdout)
    check([(s["local"]["port"], s.get("dev")) for s in items] ==
          [(7001, "veth0")], f"-N -j: dev veth0 there: {items}")
    # hx0 is a device here only: over there its index is veth0's.
    r = go([binary, "-N", NSA, "-tl", "dev", "hx0"], rc=1)
    check(not rows(r.stdout, 7001) and "hx0: no such device" in r.stderr
          and NSA in r.stderr, f"-N: dev hx0 is not there: {r}")
    r = go([binary, "kill", "-N", NSA, "state", "listening", "dev", "hx0"],
            rc=None)
    check(r.returncode == 1 and not rows(r.stdout, 7001),
          f"kill -N: never veth0's socket for hx0: {r}")
    # --all-netns: resolved in each; where it is missing, said so there.
    r = go([binary, "--all-netns", "-tl", "dev", "veth0"], rc=1)
    check([l.split()[0] for l in rows(r.stdout, 7001)] == [NSA],
          f"--all-netns: dev veth0 of {NSA}: {r.stdout}")
    check("current netns: dev veth0: no such device" in r.stderr,
          f"--all-netns: the namespace without veth0 named: {r.stderr}")
    r = go([binary, "top", "-b", "--iterations", "1", "-N", NSA,
             "dev", "veth0"], rc=None)
    check(r.returncode == 0 and ":7001" in r.stdout and
          ":7002" not in r.stdout, f"top -N: dev veth0 there: {r}")


def test_names_saved_with_sockets(binary, tmp, there, here):
    save = os.path.join(tmp, "nsa.dump")
    r = go([binary, "-N", NSA, "-tl", "--save", save])
    check("%veth0:7001" in r.stdout, f"-N: %veth0 live: {r.stdout}")
    # Loaded here, where index veth0's is hx0: the saved name.
    r = go([binary, "--load", save, "-tl"])
    check("%veth0:7001" in r.stdout and "%hx0" not in r.stdout,
          f"--load: the saved name, not hx0: {r.stdout}")
    items = jload(go([binary, "--load", save, "-j", "-tl"]).stdout)
    devs = {s["local"]["port"]: s.get("dev") for s in items}
    check(devs.get(7001) == "veth0" and devs.get(7002) == EVIL_DEV,
          f"--load -j: saved names: {devs}")
    r = go([binary, "--load", save, "-tl", "dev", "veth0"])
    check(rows(r.stdout, 7001) and not rows(r.stdout, 7002),
          f"--load: dev veth0 by the saved names: {r.stdout}")
    r = go([binary, "--load", save, "-tl", "dev", "hx0"], rc=1)
    check(not rows(r.stdout, 7001), f"--load: hx0 was not saved: {r}")
    # ss -D files name no interface: the index, never a local name.
    ssfile = os.path.join(tmp, "ss.dump")
    d = subprocess.run(["ip", "netns", "exec", NSA,
                        *netns.ss("-tl", "-D", ssfile)], capture_output=True)
    if not check(d.returncode == 0, f"ss -D: {d.stderr}"):
        return
    idx = there["veth0"]
    r = go([binary, "--load", ssfile, "-tl"])
    check(f"%if{idx}:7001" in r.stdout and "%hx0" not in r.stdout,
          f"--load of ss -D: %if{idx}: {r.stdout}")
    r = go([binary, "--load", ssfile, "-tl", "dev", str(idx)])
    check(rows(r.stdout, 7001), f"--load ss -D: dev {idx}: {r.stdout}")
    r = go([binary, "--load", ssfile, "-tl", "dev", "veth0"], rc=1)
    check("veth0: no such device" in r.stderr, f"--load ss -D: {r}")


def clean(text):
    return "\x1b" not in text and "\x07" not in text


def test_hostile_interface_name(binary):
    r = go([binary, "-N", NSA, "-tl", "sport", "=", ":7002"])
    check(clean(r.stdout) and f"%{EVIL_DEV_ESC}:7002" in r.stdout,
          f"table: interface name escaped: {r.stdout!r}")
    r = go([binary, "-N", NSA, "-tle", "sport", "=", ":7002"])
    check(clean(r.stdout) and EVIL_DEV_ESC in r.stdout,
          f"-e: interface name escaped: {r.stdout!r}")
    r = go([binary, "top", "-b", "--iterations", "1", "-N", NSA])
    check(clean(r.stdout) and EVIL_DEV_ESC in r.stdout,
          f"top -b: interface name escaped: {r.stdout!r}")
    items = jload(go([binary, "-N", NSA, "-j", "-tl", "sport", "=",
                            ":7002"]).stdout)
    check([s.get("dev") for s in items] == [EVIL_DEV],
          f"JSON: the name itself, JSON-escaped: {items}")


def test_hostile_netns_name(binary):
    r = go([binary, "--all-netns", "-tl"])
    lines = r.stdout.splitlines()
    check(clean(r.stdout) and any(l.startswith(NSE_ESC + " ") and ":7005"
                                  in l for l in lines),
          f"--all-netns: netns name escaped: {r.stdout!r}")
    col = lines[0].find("State") if lines else -1
    check(col > 0 and all(l.find("LISTEN") == col for l in lines[1:]),
          f"--all-netns: widths of the escaped names: {r.stdout!r}")
    r = go([binary, "-N", NSE, "-tl"])
    check(clean(r.stdout) and NSE_ESC in r.stdout,
          f"-N: netns name escaped: {r.stdout!r}")
    for cmd in ([], ["top", "-b", "--iterations", "1"]):
        r = go([binary, *cmd, "-N", NSE + "gone", "-tl"], rc=1)
        check(clean(r.stderr) and NSE_ESC + "gone" in r.stderr,
              f"{cmd} -N: a missing name, escaped: {r.stderr!r}")
    r = go([binary, "--all-netns", "-tl", "--format", "prometheus"])
    check(clean(r.stdout) and
          f'netns="{NSE_ESC.replace(chr(92), chr(92) * 2)}"' in r.stdout,
          f"prometheus: netns label escaped: {r.stdout!r}")


def test_prometheus_per_namespace(binary):
    r = go([binary, "--all-netns", "-tl", "--format", "prometheus"])
    series = [l for l in r.stdout.splitlines()
              if l.startswith("sockscope_selected_sockets{")]
    check(series and all("netns=" in l for l in series),
          f"every series has a netns label: {series}")
    want = {f'sockscope_selected_sockets{{netns="{NSA}",netid="tcp",'
            f'family="inet",state="listen"}} 2',
            'sockscope_selected_sockets{netns="-",netid="tcp",family="inet",'
            'state="listen"} 1'}
    check(want <= set(series), f"counted per namespace: {series}")


def test_all_netns_skips_and_duplicates(binary):
    # A second name for NSA and a name for the namespace we run in.
    for name, target in ((NSB, f"/run/netns/{NSA}"),
                         (NSH, "/proc/self/ns/net")):
        open(f"/run/netns/{name}", "w").close()
        sh("mount", "--bind", target, f"/run/netns/{name}")
    try:
        r = go([binary, "--all-netns", "-tl"])
        check([l.split()[0] for l in rows(r.stdout, 7001)] == [NSA],
              f"one namespace, two names: listed once: {r.stdout}")
        check(f"{NSB} is the namespace {NSA}" in r.stderr,
              f"the name used is said: {r.stderr}")
        check([l.split()[0] for l in rows(r.stdout, 47100)] == ["-"],
              f"the current namespace, named: listed once: {r.stdout}")
        # Not a namespace at all.
        open(f"/run/netns/{'sss' + TAG}", "w").close()
        r = go([binary, "--all-netns", "-tl"], rc=1)
        check(f"skipped {'sss' + TAG}: not a network namespace" in r.stderr
              and rows(r.stdout, 7001), f"a stale entry is said: {r}")
        os.unlink(f"/run/netns/{'sss' + TAG}")
        # Without CAP_SYS_ADMIN nothing can be entered: each one said.
        r = go(["setpriv", "--reuid", "65534", "--regid", "65534",
                 "--clear-groups", binary, "--all-netns", "-tl"],
                rc=1)
        check(f"skipped {NSA}: Operation not permitted" in r.stderr and
              f"skipped {NSE_ESC}: Operation not permitted" in r.stderr
              and clean(r.stderr), f"unprivileged: skips said: {r}")
        check(rows(r.stdout, 47100) and not rows(r.stdout, 7001),
              f"unprivileged: the current namespace listed: {r.stdout}")
    finally:
        for name in (NSB, NSH):
            subprocess.run(["umount", f"/run/netns/{name}"],
                           capture_output=True)
            os.unlink(f"/run/netns/{name}")


def test_all_netns_low_descriptor_limit(binary):
    """Under any descriptor limit, a namespace is listed or said missing
    (EMFILE): never left out with exit status 0."""
    said = False
    for n in range(4, 13):
        # Not through a wrapper: valgrind needs descriptors of its own
        # within the same limit. The plain and ASan runs check it.
        r = go(["prlimit", f"--nofile={n}:{n}", binary, "--all-netns",
                "-tln"], rc=None, wrapped=False)
        missing = [ns for ns, port in ((NSA, 7001), (NSE_ESC, 7005),
                                       ("-", 47100))
                   if not rows(r.stdout, port)]
        if r.returncode == 0:
            check(not missing, f"nofile={n}: exit 0 without {missing}: {r}")
        else:
            check(r.stderr.strip(), f"nofile={n}: failed silently: {r}")
        said |= any(f"skipped {ns}: Too many open files" in r.stderr
                    for ns in missing)
    check(said, "some limit leaves a namespace out, and says so")


def my_cgroup():
    with open("/proc/self/cgroup") as f:
        for line in f:
            if line.startswith("0::"):
                return line[3:].strip()
    return None


def test_cgroup_under_ip_netns_exec(binary):
    path = my_cgroup()
    if not check(path is not None, "a cgroup v2 path for this process"):
        return
    exe = ["ip", "netns", "exec", NSA]
    # ip netns exec mounts a fresh sysfs over /sys: /sys/fs/cgroup is gone,
    # and sockscope mounts cgroup2 privately with fsopen(2), which
    # valgrind 3.19 does not know (syscall 430): not through a wrapper.
    r = go([*exe, binary, "-tl", "cgroup", "=", path, "sport", "=",
             ":7001"], rc=None, wrapped=False)
    check(r.returncode == 0 and rows(r.stdout, 7001),
          f"ip netns exec: cgroup = {path}: {r}")
    r = go([*exe, binary, "-tl", "cgroup", "=", "/"], rc=None,
           wrapped=False)
    check(r.returncode == 0, f"ip netns exec: cgroup = /: {r}")
    r = go([*exe, binary, "-tle", "sport", "=", ":7001"], rc=None,
           wrapped=False)
    check(r.returncode == 0 and f"cgroup:{path}" in r.stdout.split(),
          f"ip netns exec: -e names the cgroup: {r.stdout}")
    r = go([binary, "-N", NSA, "-tl", "cgroup", "=", path])
    check(rows(r.stdout, 7001), f"-N: cgroup = {path}: {r.stdout}")


def main():
    binary = os.path.abspath(sys.argv[1])
    enter()
    held = []
    tmp = f"/tmp/sockscope-netns-{TAG}"
    os.makedirs(tmp, exist_ok=True)
    try:
        setup()
        there, here = links(NSA), links()
        held += [holder(NSA, 7001, "veth0"), holder(NSA, 7002, EVIL_DEV),
                 holder(NSE, 7005), holder(None, 47100)]
        test_dev_in_target_namespace(binary, there, here)
        test_names_saved_with_sockets(binary, tmp, there, here)
        test_hostile_interface_name(binary)
        test_hostile_netns_name(binary)
        test_prometheus_per_namespace(binary)
        test_all_netns_skips_and_duplicates(binary)
        test_all_netns_low_descriptor_limit(binary)
        test_cgroup_under_ip_netns_exec(binary)
    finally:
        for p in held:
            p.stdin.close()
            p.wait()
        teardown()
        subprocess.run(["rm", "-rf", tmp])
    netns.finish("netns")


if __name__ == "__main__":
    main()
