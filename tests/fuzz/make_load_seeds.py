#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the hostile seed dumps of corpus/load/ from a real one.

Usage: make_load_seeds.py REAL.dump OUTDIR [SEED...]   (default: every seed)

REAL.dump is a `sockscope -a -e -o -m -i --save` dump (corpus/load/
rich-all-details.dump was made inside `unshare -n` with a few TCP and UDP
sockets). Each seed is one way a file or a future kernel can surprise the
loader; the fuzzer mutates from there. Rerun it only to change the seeds.
"""
import struct
import sys

NLMSG_ERROR, NLMSG_DONE, SOCK_DIAG_BY_FAMILY = 2, 3, 20
INFO, CONG, SKMEMINFO, PROTOCOL, MARK, CGROUP_ID = 2, 4, 7, 15, 16, 21
VEGASINFO, DCTCPINFO, BBRINFO, ULP_INFO, ULP_NAME = 3, 9, 16, 19, 1
HDR, MSG = 16, 72


def messages(data):
    off = 0
    while off + HDR <= len(data):
        (mlen,) = struct.unpack_from("<I", data, off)
        yield data[off:off + mlen]
        off += mlen


def attrs(msg):
    off = HDR + MSG
    while off + 4 <= len(msg):
        alen, atype = struct.unpack_from("<HH", msg, off)
        yield atype, msg[off + 4:off + alen]
        off += (alen + 3) & ~3


def attr(atype, payload, alen=None):
    alen = 4 + len(payload) if alen is None else alen
    raw = struct.pack("<HH", alen, atype) + payload
    return raw + b"\0" * (-len(raw) % 4)


def msg(head, body, mtype=SOCK_DIAG_BY_FAMILY, mlen=None):
    """head: an existing message (its header fields and inet_diag_msg)."""
    _, _, flags, seq, pid = struct.unpack_from("<IHHII", head, 0)
    payload = head[HDR:HDR + MSG] + body
    mlen = HDR + len(payload) if mlen is None else mlen
    return struct.pack("<IHHII", mlen, mtype, flags, seq, pid) + payload


def done(head):
    _, _, flags, seq, pid = struct.unpack_from("<IHHII", head, 0)
    return struct.pack("<IHHIIi", 20, NLMSG_DONE, flags, seq, pid, 0)


def with_attrs(m, replace):
    """m with the attributes of replace swapped in (None drops one)."""
    body = b""
    for atype, payload in attrs(m):
        new = replace.get(atype, payload)
        if new is not None:
            body += attr(atype, new)
    for atype, payload in replace.items():
        if payload is not None and atype not in dict(attrs(m)):
            body += attr(atype, payload)
    return msg(m, body)


def seeds(real):
    msgs = list(messages(real))
    est = next(m for m in msgs if m[HDR + 1] == 1 and len(m) > 300)
    info = dict(attrs(est))[INFO]
    d = done(est)
    one = est + d
    err = struct.pack("<IHHIIi", 36, NLMSG_ERROR, 0, 0, 0, -22) + est[:16]
    yield "one-established", one
    yield "only-done", d
    yield "empty", b""
    yield "truncated-mid-message", real[:len(est) // 2 + 200]
    yield "truncated-header", one[:10]
    yield "no-done", est
    yield "len-huge", msg(est, b"", mlen=0xFFFFFFF0) + d
    yield "len-zero", msg(est, b"", mlen=0) + d
    yield "len-unaligned", msg(est, b"\0", mlen=HDR + MSG + 1) + d
    yield "len-short-of-diag-msg", msg(est, b"", mlen=HDR + 8)[:HDR + 8] + d
    yield "nlmsg-error-mid-dump", est + err + d
    yield "nlmsg-error-short", est + struct.pack("<IHHII", 16, 2, 0, 0, 0) + d
    yield "unknown-type", msg(est, b"", mtype=0x77) + d
    yield "unknown-attrs", msg(est, attr(99, b"abcd") + attr(0x7FFF, b"")
                               + attr(200, b"x" * 300)) + msg(est, b"") + d
    yield "nested-flag-attrs", msg(est, attr(0x8000 | INFO, info)
                                   + attr(0x4000 | CONG, b"bbr\0")) + d
    yield "attr-len-below-header", msg(est, attr(CONG, b"", alen=2)) + d
    yield "attr-len-past-end", msg(est, attr(INFO, b"\0" * 8, alen=400)) + d
    yield "tcp-info-larger", with_attrs(est, {INFO: info + b"\xAA" * 200}) + d
    yield "tcp-info-tiny", with_attrs(est, {INFO: info[:7]}) + d
    yield "tcp-info-empty", with_attrs(est, {INFO: b""}) + d
    yield "tcp-info-all-ones", with_attrs(est, {INFO: b"\xFF" * len(info)}) + d
    yield "skmem-larger", with_attrs(est, {SKMEMINFO: b"\xFF" * 64}) + d
    yield "skmem-odd", with_attrs(est, {SKMEMINFO: b"\1\2\3\4\5"}) + d
    yield "cong-unterminated", with_attrs(est, {CONG: b"cubic"}) + d
    yield "cong-escapes", with_attrs(est, {CONG: b"\x1b[2J\x9b31m\x7fbbr\n\0"}) + d
    yield "cong-long", with_attrs(est, {CONG: b"c" * 600 + b"\0"}) + d
    yield "mark-cgroup-odd-sizes", with_attrs(
        est, {MARK: b"\1\2", CGROUP_ID: b"\xFF" * 16}) + d
    yield "protocol-attr", with_attrs(est, {PROTOCOL: b"\xFF"}) + msg(
        est, attr(PROTOCOL, b"\x11")) + d
    fam0 = bytearray(est)
    fam0[HDR] = 1  # AF_UNIX
    yield "family-unix", bytes(fam0) + d
    big = bytearray(est)
    big[HDR + 1] = 0xFF  # state
    big[HDR + 2] = 0xFF  # timer
    struct.pack_into("<I", big, HDR + 4 + 36, 0xFFFFFFFF)  # ifindex
    struct.pack_into("<IIIII", big, HDR + 52, *(0xFFFFFFFF,) * 5)
    yield "fields-max", bytes(big) + d
    yield "dump-after-done", one + one + d
    # -i's congestion control blocks and the ULP name (nested)
    yield "cc-bbr-short", with_attrs(est, {BBRINFO: b"\xFF" * 6}) + d
    yield "cc-dctcp", with_attrs(est, {DCTCPINFO: struct.pack(
        "<HHIII", 1, 1, 1024, 5, 100)}) + d
    yield "cc-vegas-larger", with_attrs(est, {VEGASINFO: b"\x01" * 40}) + d
    yield "ulp-name", with_attrs(est, {0x8000 | ULP_INFO: attr(
        ULP_NAME, b"tls\0") + attr(2, b"\0" * 8)}) + d
    yield "ulp-unterminated", with_attrs(est, {ULP_INFO: attr(
        ULP_NAME, b"\x1b[2Jtls")}) + d
    yield "ulp-nest-overflow", with_attrs(est, {ULP_INFO: attr(
        ULP_NAME, b"tls\0", alen=300)}) + d


def main():
    real = open(sys.argv[1], "rb").read()
    only = set(sys.argv[3:])
    for name, data in seeds(real):
        if only and name not in only:
            continue
        with open(f"{sys.argv[2]}/{name}", "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
