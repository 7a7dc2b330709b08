#!/usr/bin/env python3
"""Families sockscope names but the kernel may lack: -S (sctp_diag),
--vsock (vsock_diag; test_vsock.py lists its rows from a --load file),
--tipc, --xdp, --dccp (probed only; Linux 6.16 removed DCCP). A missing diag module gives one notice on
stderr, no rows, exit 0 (ss prints nothing and exits 0).

Run: test_absent.py SOCKSCOPE. The kernel's config (/proc/config.gz) says
which modules exist; a module (=m) may load on demand: either answer.
"""
import gzip
import re
import sys

import netns

netns.enter()
SOCKSCOPE = sys.argv[1]
CASES = (
    # (options, config symbol, name, listed when present)
    (["-S"], "CONFIG_INET_SCTP_DIAG", "sctp", True),
    (["--sctp", "-a"], "CONFIG_INET_SCTP_DIAG", "sctp", True),
    (["--vsock"], "CONFIG_VSOCKETS_DIAG", "vsock", True),
    (["-A", "vsock_stream"], "CONFIG_VSOCKETS_DIAG", "vsock", True),
    (["--tipc"], "CONFIG_TIPC_DIAG", "tipc", False),
    (["-f", "tipc"], "CONFIG_TIPC_DIAG", "tipc", False),
    (["--xdp"], "CONFIG_XDP_SOCKETS_DIAG", "xdp", False),
    (["-A", "xdp"], "CONFIG_XDP_SOCKETS_DIAG", "xdp", False),
    (["-A", "dccp"], "CONFIG_INET_DCCP_DIAG", "dccp", False),
    (["--dccp", "-a"], "CONFIG_INET_DCCP_DIAG", "dccp", False),
    (["-A", "dccp", "-6"], "CONFIG_INET_DCCP_DIAG", "dccp", False),
)


def kernel_config():
    try:
        with gzip.open("/proc/config.gz", "rt") as f:
            return dict(re.findall(r"^(CONFIG_\w+)=(\S+)$", f.read(), re.M))
    except OSError:
        netns.skip("no /proc/config.gz: cannot tell which diag modules exist")


def test_notices(config):
    for args, sym, name, listed in CASES:
        r = netns.run([SOCKSCOPE, "-H", *args])
        absent = f"sockscope: {name}: the kernel has no {name}_diag " \
                 "support; skipped\n"
        present = re.compile(rf"sockscope: {name}: sockscope does not list "
                             rf"{name} sockets \(the kernel has \d+\); "
                             r"skipped\n")
        have = config.get(sym)
        if have is None:
            netns.check(r.stderr == absent,
                        f"{args}: one notice without {sym}: {r.stderr!r}")
        elif have == "y":
            netns.check(r.stderr == "" if listed else
                        present.fullmatch(r.stderr) is not None,
                        f"{args}: {sym}=y: {r.stderr!r}")
        else:
            netns.check(r.stderr in ("", absent) or
                        present.fullmatch(r.stderr) is not None,
                        f"{args}: {sym}=m: {r.stderr!r}")
        netns.check(r.stdout == "", f"{args}: no rows: {r.stdout!r}")
    # With a listed table: its rows and the notice, exit 0.
    r = netns.run([SOCKSCOPE, "-H", "-x", "--xdp", "-a"])
    netns.check(r.stderr.count("\n") <= 1, f"-x --xdp: {r.stderr!r}")
    # -A all leaves the probed families out (no notice for them); VSOCK
    # is listed: its notice where the kernel lacks vsock_diag.
    r = netns.run([SOCKSCOPE, "-H", "-A", "all"])
    netns.check(not re.search(r"tipc|xdp|dccp", r.stderr),
                f"-A all probes nothing: {r.stderr!r}")
    # =m: the module loads on demand where it is installed, so -A all
    # says what --vsock alone says (the module stays loaded once it is).
    vsock = "sockscope: vsock: the kernel has no vsock_diag support; " \
            "skipped\n"
    have = config.get("CONFIG_VSOCKETS_DIAG")
    alone = netns.run([SOCKSCOPE, "-H", "--vsock"]).stderr == vsock
    want = {None: True, "y": False}.get(have, alone)
    netns.check((vsock in r.stderr) == want,
                f"-A all reads VSOCK ({have}, notice alone: {alone}): "
                f"{r.stderr!r}")
    for args, name in ((["--vsock"], "vsock"), (["-S"], "sctp"),
                       (["--tipc"], "tipc"), (["--xdp"], "xdp"),
                       (["-A", "dccp"], "dccp")):
        r = netns.run([SOCKSCOPE, "kill", *args], check_rc=2)
        netns.check(r.stderr.startswith(f"sockscope: kill: {name} sockets: ")
                    and r.stderr.count("\n") == 1,
                    f"kill {args} refuses in one line: {r.stderr!r}")


def test_notice_once():
    """A run that reads the sockets several times (advise's two samples,
    top's refreshes, every namespace) says a missing module once."""
    # A probed family (TIPC, XDP) always gets one line, module or not
    # (family_probe.c): SCTP's notice is absent where sctp_diag is.
    for args, name in (
            (["advise", "-A", "all,xdp", "--interval", "0.1"], "xdp"),
            (["advise", "--tipc", "--interval", "0.1", "--all-netns"],
             "tipc"),
            (["summary", "-A", "all,xdp", "--all-netns"], "xdp"),
            (["top", "-b", "--iterations", "3", "-d", "0.1", "-A",
              "all,tipc"], "tipc"),
            (["-A", "all,xdp", "--all-netns"], "xdp")):
        r = netns.run([SOCKSCOPE, *args], check_rc=None)
        n = sum(f"sockscope: {name}: " in line
                for line in r.stderr.splitlines())
        netns.check(n == 1, f"{args}: the {name} notice once ({n}): "
                    f"{r.stderr!r}")


def main():
    config = kernel_config()
    test_notices(config)
    test_notice_once()
    netns.finish("absent")


main()
