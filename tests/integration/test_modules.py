"""The modules (src/module.h): ncurses, libbpf and libnl are each loaded by
the one command that needs them, never by a listing.

- the binary has no DT_NEEDED on them, and `-xa` opens none of them nor
  any module (strace);
- top with its module missing, with one from another build (the loader's
  ABI check), or with one another user could have put there (owner and
  modes), fails with one line that names the module, exit 1;
- interface names: with sockscope-nl.so missing a device is known by its
  index alone (JSON: no "dev"; the table: if<index>), silently; SOCKSCOPE_MODULE_DIR finds a module not next to the binary;
- watch --transitions with sockscope-bpf.so missing falls back to the
  netlink backend with its notice (when the backend is built).

argv: sockscope, the bad-ABI module, "bpf" or "nobpf".
"""
import json
import os
import pty
import re
import shutil
import socket
import subprocess
import sys
import tempfile

import netns

SOCKSCOPE = sys.argv[1]
BAD_MODULE = sys.argv[2]
BUILT_BPF = sys.argv[3] == "bpf"
MODULE_DIR = os.path.dirname(os.path.abspath(SOCKSCOPE))
HEAVY = re.compile(r"lib(ncurses|tinfo|bpf|nl-|elf|z)\b|sockscope-")


def needed():
    """DT_NEEDED of the binary: libc and libmnl (and a sanitizer's)."""
    r = netns.run(["readelf", "-d", SOCKSCOPE], wrapped=False)
    libs = re.findall(r"\(NEEDED\)\s+Shared library: \[([^]]+)\]", r.stdout)
    netns.check("libmnl.so.0" in libs and
                not [x for x in libs if HEAVY.search(x)],
                f"the binary needs only light libraries: {libs}")


def opened_by_listing():
    """What -xa opens: no module, none of their libraries. The reason it
    could not be checked, or None."""
    if not shutil.which("strace"):
        return "needs strace(1)"
    # LeakSanitizer cannot work under ptrace (the ASan build's exit 1).
    asan = ":".join(filter(None, [os.environ.get("ASAN_OPTIONS"),
                                  "detect_leaks=0"]))
    r = netns.run(["env", "ASAN_OPTIONS=" + asan, "strace", "-f", "-e",
                   "trace=openat", SOCKSCOPE, "-xa"], wrapped=False)
    opened = [x for x in r.stderr.splitlines() if "openat(" in x and
              HEAVY.search(x)]
    netns.check(opened == [], f"-xa opens no module nor its library: "
                f"{opened}")
    return None


def alone(tmp, module=None):
    """The binary copied into tmp, with module (a path) as its
    sockscope-curses.so when given."""
    exe = os.path.join(tmp, "sockscope")
    shutil.copy(SOCKSCOPE, exe)
    if module:
        shutil.copy(module, os.path.join(tmp, "sockscope-curses.so"))
    return exe


def top_on_pty(exe, env):
    """top on a terminal (a pty): exit status and stderr. A top that starts
    (its module loaded after all) is stopped after 20 s: status None."""
    master, slave = pty.openpty()
    p = subprocess.Popen(netns.wrap([exe, "top"]), stdin=slave, stdout=slave,
                         stderr=subprocess.PIPE, text=True,
                         env=dict(os.environ, TERM="xterm", **env))
    try:
        err = p.communicate(timeout=20)[1]
        rc = p.returncode
    except subprocess.TimeoutExpired:
        p.kill()
        err = p.communicate()[1] + "(top ran: stopped after 20 s)"
        rc = None
    finally:
        os.close(slave)
        os.close(master)
    return rc, err


def top_without_module():
    with tempfile.TemporaryDirectory() as tmp:
        nowhere = os.path.join(tmp, "nowhere")
        rc, err = top_on_pty(alone(tmp), {"SOCKSCOPE_MODULE_DIR": nowhere})
        lines = err.splitlines()
        netns.check(rc == 1 and len(lines) == 1 and
                    "cannot load sockscope-curses.so: not found in "
                    f"{tmp} nor {nowhere}" in lines[0],
                    f"top without its module: exit 1, one line naming it "
                    f"and where it was looked for: {rc} {err!r}")


def top_bad_abi():
    with tempfile.TemporaryDirectory() as tmp:
        rc, err = top_on_pty(alone(tmp, BAD_MODULE),
                             {"SOCKSCOPE_MODULE_DIR": MODULE_DIR})
        lines = err.splitlines()
        netns.check(rc == 1 and len(lines) == 1 and
                    "cannot load sockscope-curses.so: it is from another "
                    "build" in lines[0] and "ABI" in lines[0],
                    f"top with a module of another ABI: refused (not the "
                    f"good one in SOCKSCOPE_MODULE_DIR either), exit 1, one "
                    f"line: {rc} {err!r}")


def planted():
    """A module beside a copy run from a directory others can write to is
    refused unless root (or we) own it and only we can write it: sockscope
    runs as root, and must not run another user's code. Not the good one in
    SOCKSCOPE_MODULE_DIR instead either: the refusal is said."""
    good = os.path.join(MODULE_DIR, "sockscope-curses.so")
    cases = (("another user's module", 0o1777, 65534, 0o755,
              "is another user's"),
             ("a module others can write", 0o1777, 0, 0o757,
              "is writable by others"),
             ("a directory others can write (not sticky)", 0o777, 0, 0o755,
              "is in a directory others can write to"))
    for what, dmode, uid, fmode, why in cases:
        with tempfile.TemporaryDirectory() as tmp:
            os.chmod(tmp, dmode)
            exe = alone(tmp, good)
            mod = os.path.join(tmp, "sockscope-curses.so")
            os.chown(mod, uid, uid)
            os.chmod(mod, fmode)
            rc, err = top_on_pty(exe, {"SOCKSCOPE_MODULE_DIR": MODULE_DIR})
            lines = err.splitlines()
            netns.check(rc == 1 and len(lines) == 1 and
                        f"cannot load sockscope-curses.so: {mod} {why}"
                        in lines[0],
                        f"top with {what}: refused, exit 1, one line: {rc} "
                        f"{err!r}")


def device_name(exe, env):
    r = subprocess.run(netns.wrap([exe, "-0", "-j"]), capture_output=True,
                       text=True, env=dict(os.environ, **env))
    rows = json.loads(r.stdout) if r.returncode == 0 else []
    devs = [x.get("dev") for x in rows if x.get("ifindex") == 1]
    return r.returncode, devs, r.stderr


def ifnames():
    held = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    held.bind(("lo", 0))
    with tempfile.TemporaryDirectory() as tmp:
        exe = alone(tmp)
        rc, devs, err = device_name(exe, {"SOCKSCOPE_MODULE_DIR": tmp})
        netns.check(rc == 0 and devs == [None] and err == "",
                    f"no sockscope-nl.so: the index alone (no \"dev\"), "
                    f"silently, as when the link dump fails: {rc} {devs} "
                    f"{err!r}")
        rc, devs, err = device_name(exe,
                                    {"SOCKSCOPE_MODULE_DIR": MODULE_DIR})
        netns.check(rc == 0 and devs == ["lo"] and err == "",
                    f"sockscope-nl.so from SOCKSCOPE_MODULE_DIR: {rc} "
                    f"{devs} {err!r}")
        # Beside the binary, owned by the binary's owner (a build tree run
        # with sudo): loaded; by another user: not (silently, here).
        mod = os.path.join(tmp, "sockscope-nl.so")
        shutil.copy(os.path.join(MODULE_DIR, "sockscope-nl.so"), mod)
        os.chown(mod, 65534, 65534)
        for owner, want in ((0, [None]), (65534, ["lo"])):
            os.chown(exe, owner, owner)
            rc, devs, err = device_name(exe, {"SOCKSCOPE_MODULE_DIR": tmp})
            netns.check(rc == 0 and devs == want and err == "",
                        f"sockscope-nl.so of uid 65534, the binary of uid "
                        f"{owner}: {rc} {devs} {err!r}")
    held.close()


def privileged_exec():
    """A binary given file capabilities (as watch --transitions may be) and
    run by an unprivileged user: SOCKSCOPE_MODULE_DIR is ignored and the
    user's own module is not loaded (AT_SECURE). The same run without the
    capability loads it: the check can tell the two apart. Not through the
    test wrapper: valgrind would not exec the capabilities."""
    setcap = shutil.which("setcap")
    if not setcap:
        return "needs setcap(8) (libcap2-bin)"
    # LeakSanitizer cannot stop the threads of a process made undumpable
    # by its capabilities (the ASan build's exit 1).
    asan = ":".join(filter(None, [os.environ.get("ASAN_OPTIONS"),
                                  "detect_leaks=0"]))
    held = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    held.bind(("lo", 0))
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        exe = alone(tmp)
        mods = os.path.join(tmp, "mods")
        os.mkdir(mods, 0o755)
        mod = os.path.join(mods, "sockscope-nl.so")
        shutil.copy(os.path.join(MODULE_DIR, "sockscope-nl.so"), mod)
        for path in (mods, mod):
            os.chown(path, 65534, 65534)
        for caps, want in (("", ["lo"]), ("cap_net_raw+ep", [None])):
            subprocess.run([setcap, "-r", exe], capture_output=True)
            if caps:
                subprocess.run([setcap, caps, exe], check=True)
            r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534",
                                "--clear-groups", exe, "-0", "-j"],
                               capture_output=True, text=True,
                               env=dict(os.environ, ASAN_OPTIONS=asan,
                                        SOCKSCOPE_MODULE_DIR=mods))
            rows = json.loads(r.stdout) if r.returncode == 0 else []
            devs = [x.get("dev") for x in rows if x.get("ifindex") == 1]
            netns.check(r.returncode == 0 and devs == want,
                        f"uid 65534's module in SOCKSCOPE_MODULE_DIR, binary "
                        f"with capabilities '{caps}': {r.returncode} {devs} "
                        f"{r.stderr!r}")
    held.close()
    return None


def watch_without_module():
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run(netns.wrap([alone(tmp), "watch", "--transitions",
                                       "--duration", "0.2"]),
                           capture_output=True, text=True,
                           env=dict(os.environ, SOCKSCOPE_MODULE_DIR=tmp))
        lines = r.stderr.splitlines()
        netns.check(r.returncode == 0 and len(lines) == 2 and
                    "cannot load sockscope-bpf.so: not found" in lines[0] and
                    "its module did not load" in lines[1] and
                    "netlink backend" in lines[1],
                    f"watch --transitions without sockscope-bpf.so: the "
                    f"netlink backend, why in two lines: {r.returncode} "
                    f"{r.stderr!r}")


def main():
    netns.enter()
    needed()
    top_without_module()
    top_bad_abi()
    planted()
    ifnames()
    if BUILT_BPF:
        watch_without_module()
    # A missing tool skips its own check, after every other has run; a
    # failure recorded before it still fails the test.
    missing = [m for m in (opened_by_listing(), privileged_exec()) if m]
    if missing and not netns.failures:
        netns.skip("; ".join(missing))
    netns.finish("modules")


if __name__ == "__main__":
    main()
