#!/usr/bin/env python3
"""What contrib/ ships, checked with the tools that consume it.

- the Prometheus rules: `promtool check rules`, and `promtool test rules`
  on tests/contrib/sockscope.rules.test.yml (input series, expected alerts);
- the systemd service and timer: `systemd-analyze verify`;
- the textfile writer the service runs: in a private network namespace it
  writes sockscope.prom whole (mode 0644, `promtool check metrics` clean,
  no temporary file left), and a failing sockscope leaves the previous
  file in place and the script's exit status non-zero.

Run: test_contrib.py SOURCE_ROOT BUILD_CONTRIB_DIR SOCKSCOPE
"""
import os
import shutil
import stat
import subprocess
import sys
import tempfile

root, built, binary = sys.argv[1], sys.argv[2], os.path.abspath(sys.argv[3])
sys.path.insert(0, os.path.join(root, "tests", "integration"))
import netns  # noqa: E402

netns.enter()
for tool in ("promtool", "systemd-analyze"):
    if not shutil.which(tool):
        netns.skip(f"needs {tool}")

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, **kw)


rules = os.path.join(root, "contrib", "prometheus", "sockscope.rules.yml")
r = run(["promtool", "check", "rules", rules])
check(r.returncode == 0, "promtool check rules: " + r.stdout + r.stderr)
r = run(["promtool", "test", "rules",
         os.path.join(root, "tests", "contrib", "sockscope.rules.test.yml")])
check(r.returncode == 0 and "SUCCESS" in r.stdout,
      "promtool test rules: " + r.stdout[-2000:] + r.stderr[-2000:])

with tempfile.TemporaryDirectory() as tmp:
    # The script as configured, with sockscope taken from a bin directory
    # of the test's own: the built binary, or a stand-in that fails.
    bindir = os.path.join(tmp, "bin")
    os.mkdir(bindir)
    script = os.path.join(tmp, "sockscope-textfile")
    with open(os.path.join(root, "contrib", "systemd",
                           "sockscope-textfile.in")) as f:
        text = f.read().replace("@bindir@", bindir)
    with open(script, "w") as f:
        f.write(text)
    os.chmod(script, 0o755)

    with open(os.path.join(built, "sockscope-textfile.service")) as f:
        unit = f.read()
    check("ExecStart=/" in unit and "@" not in unit,
          "the service is configured with an absolute ExecStart")
    unit = "\n".join(
        f"ExecStart={script}" if line.startswith("ExecStart=") else line
        for line in unit.splitlines()) + "\n"
    units = os.path.join(tmp, "units")
    os.mkdir(units)
    with open(os.path.join(units, "sockscope-textfile.service"), "w") as f:
        f.write(unit)
    shutil.copy(os.path.join(root, "contrib", "systemd",
                             "sockscope-textfile.timer"), units)
    r = run(["systemd-analyze", "verify", "--man=no",
             os.path.join(units, "sockscope-textfile.service"),
             os.path.join(units, "sockscope-textfile.timer")])
    check(r.returncode == 0 and not r.stderr.strip(),
          "systemd-analyze verify: " + r.stdout + r.stderr)

    out = os.path.join(tmp, "textfile")
    os.mkdir(out)
    env = dict(os.environ, SOCKSCOPE_TEXTFILE_DIR=out, SOCKSCOPE_INTERVAL="1")
    os.symlink(binary, os.path.join(bindir, "sockscope"))
    r = run([script], env=env)
    prom = os.path.join(out, "sockscope.prom")
    check(r.returncode == 0, f"the script exits 0: {r.returncode} {r.stderr}")
    check(os.listdir(out) == ["sockscope.prom"],
          f"only sockscope.prom is left: {os.listdir(out)}")
    mode = stat.S_IMODE(os.stat(prom).st_mode) if os.path.exists(prom) else 0
    check(mode == 0o644, f"sockscope.prom is mode 0644: {oct(mode)}")
    with open(prom) if os.path.exists(prom) else open(os.devnull) as f:
        body = f.read()
    check("sockscope_advice_worst_severity" in body,
          "the file holds advise's metrics")
    r = run(["promtool", "check", "metrics"], input=body)
    check(r.returncode == 0, "promtool check metrics: " + r.stdout + r.stderr)

    os.unlink(os.path.join(bindir, "sockscope"))
    with open(os.path.join(bindir, "sockscope"), "w") as f:
        f.write("#!/bin/sh\necho partial\nexit 1\n")
    os.chmod(os.path.join(bindir, "sockscope"), 0o755)
    r = run([script], env=env)
    check(r.returncode == 1, f"a failing sockscope fails the script: "
          f"{r.returncode}")
    with open(prom) if os.path.exists(prom) else open(os.devnull) as f:
        check(f.read() == body, "the previous file is left as it was")
    check(os.listdir(out) == ["sockscope.prom"],
          f"no temporary file is left: {os.listdir(out)}")

if failures:
    print(f"{len(failures)} check(s) failed", file=sys.stderr)
    sys.exit(1)
