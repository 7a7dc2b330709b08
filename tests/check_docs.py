#!/usr/bin/env python3
"""Every option sockscope accepts is documented and completed.

Reads the long options and the short-option string from src/opts.c (the
families' from src/family*.c) and
checks that each appears in the man page parts, the --help text, and the
bash, zsh and fish completions. Run: check_docs.py SOURCE_ROOT SOCKSCOPE.
"""
import glob
import os
import re
import subprocess
import sys

root, binary = sys.argv[1], sys.argv[2]
src = "".join(open(p).read() for p in glob.glob(f"{root}/src/opts*.c"))
longs = sorted(set(re.findall(r'\{\s*"([a-z0-9-]+)",\s*(?:no|required|'
                              r'optional)_argument', src)))
# The letters: a literal in the getopt_long() call or a *_letters[] string.
shorts = sorted(set("".join(re.findall(r'(?:getopt_long\([^";{]*|'
                                       r'_letters\[\] = )"([^"]+)"', src))
                    .replace(":", "").replace("+", "")))
# The families' options: family.h's struct family_opt in src/family*.c,
# {'x', "unix", ...} (letter 0: a long option only).
fams = "".join(open(p).read() for p in glob.glob(f"{root}/src/family*.c"))
fam_opts = re.findall(r"\{\s*(?:'(.)'|0),\s*\"([a-z0-9-]+)\",", fams)
longs = sorted(set(longs) | {name for _, name in fam_opts})
shorts = sorted(set(shorts) | {c for c, _ in fam_opts if c})
man = "".join(open(p).read() for p in glob.glob(f"{root}/man/*.d/*.scd"))
helptext = subprocess.run([binary, "--help"], capture_output=True,
                          text=True).stdout
comp = {name: open(os.path.join(root, "completions", path)).read()
        for name, path in (("bash", "bash/sockscope"),
                           ("zsh", "zsh/_sockscope"),
                           ("fish", "fish/sockscope.fish"))}
missing = []
if not longs or not shorts or not fam_opts:
    missing.append("could not read the option table from src/opts*.c")
for opt in longs:
    if f"*--{opt}*" not in man:
        missing.append(f"--{opt}: man page")
    if f"--{opt}" not in helptext:
        missing.append(f"--{opt}: --help")
    if f"--{opt}" not in comp["bash"]:
        missing.append(f"--{opt}: bash completion")
    if f"--{opt}" not in comp["zsh"]:
        missing.append(f"--{opt}: zsh completion")
    if f"-l {opt}" not in comp["fish"]:
        missing.append(f"--{opt}: fish completion")
for opt in shorts:
    if f"*-{opt}*" not in man:
        missing.append(f"-{opt}: man page")
    word = r"(^|[\s'\"{,])-" + re.escape(opt) + r"\b"
    if not re.search(word, comp["bash"]):
        missing.append(f"-{opt}: bash completion")
    if f"-{opt}" not in comp["zsh"]:
        missing.append(f"-{opt}: zsh completion")
    if f"-s {opt}" not in comp["fish"]:
        missing.append(f"-{opt}: fish completion")
for m in missing:
    print(f"not documented: {m}", file=sys.stderr)
checks = 5 * len(longs) + 4 * len(shorts)
print(f"check_docs: {checks - len(missing)} passed, {len(missing)} failed")
sys.exit(1 if missing else 0)
