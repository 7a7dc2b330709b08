#!/usr/bin/env python3
"""VSOCK sockets (--vsock, -A vsock*, -f vsock) end to end without the
kernel's vsock_diag: a --save file of crafted vsock_diag_msg replies (the
bytes the kernel sends, as --save keeps them) replayed with --load through
the parser, the selection, the filter, the table, JSON and top, compared
with the rows ss prints for such sockets (misc/ss.c vsock_stats_print():
"CID:PORT", "*" for VMADDR_CID_ANY and VMADDR_PORT_ANY).

Run: test_vsock.py SOCKSCOPE.
"""
import os
import struct
import sys
import tempfile

import netns

SOCKSCOPE = sys.argv[1]
AF_VSOCK = 40
SOCK_DIAG_BY_FAMILY, NLMSG_DONE, NLM_F_MULTI = 20, 3, 2
DIAG_SEQ_MAGIC = 0x53530000
ANY = 0xFFFFFFFF
STREAM, DGRAM, SEQPACKET = 1, 2, 5
ESTAB, SYN_SENT, CLOSE, LISTEN = 1, 2, 7, 10

# (type, state, src cid, src port, dst cid, dst port, inode)
SOCKETS = (
    (STREAM, LISTEN, ANY, 1024, ANY, ANY, 501),
    (STREAM, ESTAB, 2, 1024, 3, 40000, 502),
    (DGRAM, CLOSE, 3, 5000, ANY, ANY, 503),
    (SEQPACKET, ESTAB, 3, 6000, 2, 7000, 504),
    (STREAM, SYN_SENT, ANY, ANY, 4294967294, 22, 505),
)
# ss's row for each: Netid State Recv-Q Send-Q Local Peer. But 504: ss
# names only v_str and v_dgr (vsock_netid_name(): "???" for SOCK_SEQPACKET);
# v_seq is sockscope's netid, the rest of the row is ss's.
SS_ROWS = {
    501: "v_str LISTEN 0 0 *:1024 *:*",
    502: "v_str ESTAB 0 0 2:1024 3:40000",
    503: "v_dgr UNCONN 0 0 3:5000 *:*",
    504: "v_seq ESTAB 0 0 3:6000 2:7000",
    505: "v_str SYN-SENT 0 0 *:* 4294967294:22",
}


def message(typ, state, scid, sport, dcid, dport, ino):
    body = struct.pack("=BBBBIIIIIII", AF_VSOCK, typ, state, 0, scid, sport,
                       dcid, dport, ino, ino, 0)
    return struct.pack("=IHHII", 16 + len(body), SOCK_DIAG_BY_FAMILY,
                       NLM_F_MULTI, DIAG_SEQ_MAGIC | AF_VSOCK, 0) + body


def save_file(path, sockets=SOCKETS):
    done = struct.pack("=IHHIIi", 20, NLMSG_DONE, NLM_F_MULTI,
                       DIAG_SEQ_MAGIC | AF_VSOCK, 0, 0)
    with open(path, "wb") as f:
        f.write(b"".join(message(*s) for s in sockets) + done)


# sockscope's state names (the table's, as for TCP and UNIX) for ss's.
SS_STATE = {"ESTAB": "ESTABLISHED", "SYN-SENT": "SYN_SENT",
            "LISTEN": "LISTEN", "UNCONN": "UNCONN"}


def ours(ss_row, netid=True):
    """ss's row as sockscope prints it: its state names; the Netid
    column, as in ss, only when more than one table is selected."""
    f = ss_row.split()
    f[1] = SS_STATE[f[1]]
    return " ".join(f if netid else f[1:])


def table(path, *args):
    out = netns.run([SOCKSCOPE, "-H", "--load", path, *args]).stdout
    return sorted(" ".join(line.split()) for line in out.splitlines())


def expect(*inodes, netid=True):
    return sorted(ours(SS_ROWS[i], netid) for i in inodes)


def test_table(path):
    # ss's defaults: connected (SS_CONN) without -a, -l the listeners and
    # the unconnected
    for args, want in ((["--vsock", "-a"], (501, 502, 503, 504, 505)),
                       (["--vsock"], (502, 504, 505)),
                       (["-f", "vsock", "-l"], (501, 503)),
                       (["-A", "vsock_stream,vsock_seqpacket"],
                        (502, 504, 505)),
                       # ss compares the port with sport, "*" as -1
                       (["--vsock", "-a", "sport", "=", ":1024"],
                        (501, 502)),
                       (["--vsock", "-a", "dport", ">", ":7000"],
                        (502,)),
                       (["--vsock", "-a", "autobound"], (501, 502, 503, 504)),
                       # no family named: TCP and UDP only
                       ([], ())):
        got = table(path, *args)
        netns.check(got == expect(*want),
                    f"{args}: {got} != {expect(*want)}")
    got = table(path, "-A", "vsock_dgram", "-a")
    netns.check(got == expect(503, netid=False), f"-A vsock_dgram: {got}")
    # the table's header and columns as ss's
    out = netns.run([SOCKSCOPE, "--load", path, "--vsock", "-a"]).stdout
    netns.check(out.splitlines()[0].split()[:4] ==
                ["Netid", "State", "Recv-Q", "Send-Q"],
                f"header: {out}")


def test_addresses(path):
    """ss's vsock:CID[:PORT] address conditions: the CID and port of
    each side; no other address matches a VSOCK socket."""
    for cond, want in ((["src", "vsock:3"], (503, 504)),
                       (["src", "vsock:3:6000"], (504,)),
                       (["src", "vsock:*:1024"], (501, 502)),
                       (["src", "vsock:2:*"], (502,)),
                       (["dst", "vsock:2"], (504,)),
                       (["dst", "vsock:4294967294:22"], (505,)),
                       (["src", "vsock:*"], (501, 502, 503, 504, 505)),
                       (["not", "src", "vsock:3"], (501, 502, 505)),
                       (["src", "vsock:3", "or", "dst", "vsock:3"],
                        (502, 503, 504)),
                       (["src", "vsock:4"], ()),
                       (["src", "0.0.0.0/0"], ()),
                       (["src", "inet:*"], ())):
        got = table(path, "--vsock", "-a", *cond)
        netns.check(got == expect(*want), f"{cond}: {got}")
    # the listing's only VSOCK table, TCP and UDP: none of these
    got = table(path, "-A", "vsock_stream,tcp", "-a", "src", "vsock:*")
    netns.check(got == expect(501, 502, 505), f"-A vsock_stream,tcp: {got}")
    r = netns.run([SOCKSCOPE, "--load", path, "--vsock", "src",
                   "vsock:3:x"], check_rc=2)
    netns.check("expected a VSOCK port" in r.stderr, f"bad port: {r}")


def test_json(path):
    rows = netns.sockscope_json(SOCKSCOPE, "--load", path, "--vsock", "-a")
    by_inode = {r["inode"]: r for r in rows}
    netns.check(sorted(by_inode) == [501, 502, 503, 504, 505],
                f"JSON rows: {rows}")
    want = {
        501: ("v_str", "LISTEN", (ANY, 1024), (ANY, ANY)),
        502: ("v_str", "ESTABLISHED", (2, 1024), (3, 40000)),
        503: ("v_dgr", "UNCONN", (3, 5000), (ANY, ANY)),
        504: ("v_seq", "ESTABLISHED", (3, 6000), (2, 7000)),
        505: ("v_str", "SYN_SENT", (ANY, ANY), (4294967294, 22)),
    }
    for ino, (netid, state, local, peer) in want.items():
        r = by_inode.get(ino, {})
        got = (r.get("netid"), r.get("family"), r.get("state"),
               r.get("local"), r.get("peer"), r.get("cookie"))
        netns.check(got == (netid, "vsock", state,
                            {"cid": local[0], "port": local[1]},
                            {"cid": peer[0], "port": peer[1]}, ino),
                    f"JSON {ino}: {r}")


def test_top(path):
    # top replays the file through the same pipeline: the same rows
    out = netns.run([SOCKSCOPE, "top", "-b", "--iterations", "1", "--load",
                     path, "--vsock", "-a"]).stdout
    got = sorted(" ".join(line.split()[:2] + [w for w in line.split()
                                              if ":" in w])
                 for line in out.splitlines()
                 if line.startswith(("v_str ", "v_dgr ", "v_seq ")))
    want = sorted(" ".join(ours(r).split()[:2] + r.split()[4:])
                  for r in SS_ROWS.values())
    netns.check(got == want, f"top: {got} != {want}\n{out}")


def test_summary(path):
    # a total per table, by its -A name, as PACKET's and NETLINK's
    out = netns.run([SOCKSCOPE, "summary", "--load", path, "--vsock",
                     "-a"]).stdout
    for name, n in (("vsock_stream", 3), ("vsock_dgram", 1),
                    ("vsock_seqpacket", 1)):
        netns.check(any(line.split() == [name, str(n)]
                        for line in out.splitlines()),
                    f"summary counts {name}: {out}")
    # One column of counts under "sockets", the longest name too
    # (vsock_seqpacket, 15 characters, overflowed a 12-wide column).
    at = out.find("\nTable ") + 1
    lines = out[at:].split("\n\n", 1)[0].splitlines() if at else []
    netns.check(len(lines) == 4 and
                len({len(line) for line in lines}) == 1,
                f"summary: the counts line up under 'sockets': {lines}")


def test_wide_ports(d):
    """VSOCK ports are 32 bits: ss --vsock takes sport = :100000 (get_u32);
    one above 65535 is compared whole, not cut to 16 bits."""
    path = os.path.join(d, "wide.dump")
    save_file(path, ((STREAM, LISTEN, ANY, 100000, ANY, ANY, 601),
                     (STREAM, ESTAB, 2, 34464, 3, 3000000000, 602)))
    for cond, want in ((["sport", "=", ":100000"], ["*:100000"]),
                       (["sport", ">", ":65535"], ["*:100000"]),
                       (["dport", "=", ":3000000000"], ["2:34464"]),
                       (["src", "*:100000"], ["*:100000"]),
                       (["sport", "=", ":34464"], ["2:34464"])):
        out = netns.run([SOCKSCOPE, "-H", "--load", path, "--vsock", "-a",
                         *cond]).stdout
        got = [line.split()[4] for line in out.splitlines()]
        netns.check(got == want, f"{cond}: {got} != {want}")
    r = netns.run([SOCKSCOPE, "--load", path, "--vsock", "sport", "=",
                   ":4294967296"], check_rc=2)
    netns.check("port out of range (0-4294967295)" in r.stderr,
                f"beyond 32 bits: {r}")


def main():
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "vsock.dump")
        save_file(path)
        test_table(path)
        test_addresses(path)
        test_json(path)
        test_top(path)
        test_summary(path)
        test_wide_ports(d)
    netns.finish("vsock")


main()
