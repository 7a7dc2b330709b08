#!/usr/bin/env python3
"""Each shell's completion, driven by that shell.

bash, with and without the bash-completion package (its helpers are then
missing: no error may show), zsh through a pseudo terminal (zsh_capture.zsh)
and fish with `complete -C`: per-command options (top offers no --save,
kill no --delay), options before the command, states after `state`,
operators after `dport`. Run: test_completions.py SOURCE_ROOT
"""
import os
import shutil
import subprocess
import sys

root = sys.argv[1]
comp = os.path.join(root, "completions")
here = os.path.dirname(os.path.abspath(__file__))
BASH_COMPLETION = "/usr/share/bash-completion/bash_completion"
STATES = {"established", "syn-sent", "syn-recv", "fin-wait-1", "fin-wait-2",
          "time-wait", "closed", "close-wait", "last-ack", "listening",
          "closing", "all", "connected", "synchronized", "bucket", "big"}
OPERATORS = {"=", "!=", "<", ">", "<=", ">=", "eq", "ne", "lt", "gt", "le",
             "ge"}
failures = []
checks = 0


def skip(reason):
    if os.environ.get("SOCKSCOPE_TEST_NO_SKIP"):
        print(f"FAIL (skip not allowed): {reason}", file=sys.stderr)
        sys.exit(1)
    print(f"SKIP: {reason}", file=sys.stderr)
    sys.exit(77)


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)
        print(f"not ok: {what}", file=sys.stderr)


for shell in ("bash", "zsh", "fish"):
    if not shutil.which(shell):
        skip(f"needs {shell}")
if not os.path.exists(BASH_COMPLETION):
    skip("needs the bash-completion package (for the run with it)")

BASH_DRIVER = r'''
[ "$1" = 1 ] && source "$BASH_COMPLETION"
shift
source "$COMP_FILE"
COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
_sockscope
printf '%s\n' "${COMPREPLY[@]}"
'''


def bash(words, with_pkg):
    env = dict(os.environ, BASH_COMPLETION=BASH_COMPLETION,
               COMP_FILE=os.path.join(comp, "bash", "sockscope"))
    r = subprocess.run(["bash", "--norc", "--noprofile", "-c", BASH_DRIVER,
                        "driver", "1" if with_pkg else "0", *words],
                       capture_output=True, text=True, env=env, timeout=30)
    check(r.returncode == 0 and not r.stderr,
          f"bash{' +pkg' if with_pkg else ''} {words}: no error: "
          f"{r.stderr!r}")
    return set(r.stdout.split())


def zsh(line):
    r = subprocess.run(["zsh", "-f", os.path.join(here, "zsh_capture.zsh"),
                        os.path.join(comp, "zsh"), line],
                       capture_output=True, text=True, timeout=60)
    return set(r.stdout.split()) - {"$h"}


def fish(line):
    r = subprocess.run(["fish", "--no-config", "-c",
                        f"source {os.path.join(comp, 'fish', 'sockscope.fish')}"
                        f"; complete -C {line!r}"],
                       capture_output=True, text=True, timeout=30)
    check(not r.stderr, f"fish {line!r}: no error: {r.stderr!r}")
    return {l.split("\t")[0] for l in r.stdout.splitlines()}


for pkg in (False, True):
    tag = "with bash-completion" if pkg else "without bash-completion"
    got = bash(["sockscope", "top", "--"], pkg)
    check({"--delay", "--iterations", "--readonly", "--tcp"} <= got and
          "--save" not in got and "--yes" not in got,
          f"{tag}: top -- offers top's options, no --save: {sorted(got)}")
    got = bash(["sockscope", "kill", "--"], pkg)
    check({"--yes", "--force", "--processes"} <= got and
          "--delay" not in got and "--iterations" not in got,
          f"{tag}: kill -- offers --yes, no --delay: {sorted(got)}")
    got = bash(["sockscope", ""], pkg)
    check({"list", "kill", "summary", "advise", "top", "explain",
           "diagram", "watch", "state", "dport"} <= got,
          f"{tag}: commands and filter words first: {sorted(got)}")
    got = bash(["sockscope", "-x", "-A", "unix_s"], pkg)
    check(got == {"unix_stream", "unix_seqpacket"},
          f"{tag}: -A's socket tables: {sorted(got)}")
    got = bash(["sockscope", "-A", "u_"], pkg)
    check(got == {"u_str", "u_dgr", "u_seq"},
          f"{tag}: -A's Netid aliases: {sorted(got)}")
    got = bash(["sockscope", "watch", "--"], pkg)
    check({"--count", "--duration", "--processes"} <= got and
          "--yes" not in got and "--save" not in got,
          f"{tag}: watch -- offers --count, no --save: {sorted(got)}")
    got = bash(["sockscope", "top", "-"], pkg)
    check({"--unix", "--packet", "-x", "-A"} <= got,
          f"{tag}: top offers the listing's tables: {sorted(got)}")
    got = bash(["sockscope", "watch", "-"], pkg)
    check("--unix" not in got, f"{tag}: watch offers no UNIX: {sorted(got)}")
    got = bash(["sockscope", "-N", "web", "su"], pkg)
    check(got == {"summary"}, f"{tag}: a command after -N NAME: {got}")
    got = bash(["sockscope", "-t", "state", ""], pkg)
    check(got == STATES, f"{tag}: states after state: {sorted(got)}")
    got = bash(["sockscope", "dport", ""], pkg)
    check(got == OPERATORS, f"{tag}: operators after dport: {sorted(got)}")
    got = bash(["sockscope", "explain", "time"], pkg)
    check(got == {"time-wait"}, f"{tag}: explain topics: {got}")
    got = bash(["sockscope", "--save", os.path.join(here, "test_comp")],
               pkg)
    check(os.path.join(here, "test_completions.py") in got,
          f"{tag}: a file after --save: {got}")

got = zsh("sockscope dport ")
check(got == OPERATORS, f"zsh: operators after dport: {sorted(got)}")
got = zsh("sockscope state ")
check(got == STATES, f"zsh: states after state: {sorted(got)}")

got = fish("sockscope state ")
check(got == STATES, f"fish: only states after state: {sorted(got)}")
got = fish("sockscope dport ")
check(got == OPERATORS, f"fish: operators after dport: {sorted(got)}")
got = fish("sockscope -A v_")
check(got == {"v_str", "v_dgr", "v_seq"}, f"fish: -A's Netid aliases: {sorted(got)}")
got = fish("sockscope explain time")
check("time-wait" in got and "TIME_WAIT" in got, f"fish: explain: {got}")

print(f"completions: {checks - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures or not checks else 0)
