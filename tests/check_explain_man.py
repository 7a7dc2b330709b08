#!/usr/bin/env python3
"""The man page's TCP FACTS section says what the facts table says.

Reads the table from `sockscope explain -j` and the part
man/sockscope.8.d/65-explain.scd, and checks that every state and sysctl of
the table has an entry there and that each entry carries the table's text:
who, entry, waits, timer, knob, many, myths and sources for a state;
meaning, every default, added/removed, bounds and myth for a sysctl. A fact
changed on one side only fails here. The bash, zsh and fish completions
must offer every state and sysctl after "explain". Run: check_explain_man.py ROOT BINARY.
"""
import json
import re
import subprocess
import sys

root, binary = sys.argv[1], sys.argv[2]
table = json.loads(subprocess.run([binary, "explain", "-j"], check=True,
                                  capture_output=True, text=True).stdout)
scd = open(f"{root}/man/sockscope.8.d/65-explain.scd").read()
facts = scd[scd.index("# TCP FACTS"):]
facts = re.sub(r"\\(.)", r"\1", facts)  # scdoc escapes: \_ \* \\

# "*NAME*..." starts an entry; its tab-indented lines are the text.
entries = {}
name = None
for line in facts.splitlines():
    m = re.match(r"\*([^*]+)\*", line)
    if m:
        name = m.group(1)
        entries[name] = ""
    elif name and line.startswith("\t"):
        entries[name] += " " + line.strip()
entries = {k: " ".join(v.split()) for k, v in entries.items()}

missing = []


def want(entry, text, what):
    if " ".join(text.split()) not in entries.get(entry, ""):
        missing.append(f"{entry}: {what} not in the man page: {text!r}")


states = table["states"]
sysctls = table["sysctls"]
if len(states) < 11 or len(sysctls) < 10:
    missing.append("the table looks empty")
for s in states:
    n = s["name"]
    if n not in entries:
        missing.append(f"state {n}: no entry in the man page")
        continue
    for k in ("who", "enter", "waits", "timer", "many"):
        want(n, s[k]["text"], k)
    want(n, s["timer"]["source"], "timer source")
    knob = s["timer_knob"]
    want(n, f"Knob: {knob if isinstance(knob, str) else knob['name']}.",
         "knob")
    for m in s["myths"]:
        want(n, m["myth"], "myth")
        want(n, m["truth"], "truth")
for s in sysctls:
    n = s["name"]
    if n not in entries:
        missing.append(f"sysctl {n}: no entry in the man page")
        continue
    want(n, s["meaning"]["text"], "meaning")
    want(n, s["meaning"]["source"], "meaning source")
    for d in s["defaults"]:
        since = f" since Linux {d['since']}" if d["since"] != "0.0" else ""
        want(n, f"{d['value']}{since}", "default")
    if "removed" in s:
        want(n, f"Removed in Linux {s['removed']}.", "removal")
    if "added" in s:
        want(n, f"Added in Linux {s['added']}.", "addition")
    if s["bounds"]:
        want(n, f"Bounds the timer of: {', '.join(s['bounds'])}.", "bounds")
    for m in s.get("myths", []):
        want(n, m["myth"], "myth")
        want(n, m["truth"], "truth")
# Completions offer every topic: states in both spellings, sysctls.
for shell, path in (("bash", "bash/sockscope"), ("zsh", "zsh/_sockscope"),
                    ("fish", "fish/sockscope.fish")):
    text = open(f"{root}/completions/{path}").read()
    words = set(re.split(r"[\s\"'()\[\]=]+", text))
    for t in ([s["name"] for s in states] + [s["ss_name"] for s in states]
              + [s["name"] for s in sysctls] + ["explain", "diagram"]):
        if t not in words:
            missing.append(f"{t}: not completed by {shell}")
extra = set(entries) - {s["name"] for s in states + sysctls}
for e in sorted(extra):
    missing.append(f"{e}: in the man page, not in the table")
for m in missing:
    print(f"disagree: {m}", file=sys.stderr)
print(f"check_explain_man: {len(states) + len(sysctls)} entries, "
      f"{len(missing)} disagreements")
sys.exit(1 if missing else 0)
