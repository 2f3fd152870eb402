#!/usr/bin/env python3
"""Writes the seed corpus of fuzz-spool-segment: small spool segment files, intact and damaged
in the ways docs/spool.md names (torn tail, flipped byte, garbage between records, zero-filled
tail, damaged header, a record out of order, an empty segment). An independent writer of the
format (its own CRC-32C), so the corpus also checks docs/spool.md against src/spool-segment.c.
    fuzz/make-spool-corpus.py            (writes fuzz/corpus/fuzz-spool-segment/*.vsp)
"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz-spool-segment")


def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 & -(crc & 1))
    return crc ^ 0xFFFFFFFF


assert crc32c(bytes(32)) == 0x8A9136AA  # RFC 3720 B.4


def seg_header(first_seq, created_us=1700000000000000):
    h = b"VSPS" + struct.pack("<IQqI", 1, first_seq, created_us, 0)
    return h + struct.pack("<I", crc32c(h))


def record(seq, payload, unit=1, source=2, received_us=1700000000000000):
    h = b"VSPR" + struct.pack("<IQqII", len(payload), seq, received_us + seq, unit, source)
    crc = crc32c(payload, crc32c(h))
    h += struct.pack("<I", crc)
    h += struct.pack("<I", crc32c(h))
    return h + payload


def records(first, n):
    return [record(first + i, b'{"msg":"event %d","host":"web-%d"}' % (first + i, i % 3)) for i in range(n)]


def main():
    os.makedirs(OUT, exist_ok=True)
    r = records(1, 5)
    seeds = {
        "intact": seg_header(1) + b"".join(r),
        "empty": seg_header(42),
        "empty-payload": seg_header(7) + record(7, b"") + record(8, b"x"),
        "torn-tail": seg_header(1) + b"".join(r)[:-9],
        "torn-header": seg_header(1) + b"".join(r[:4]) + r[4][:17],
        "flipped-payload": seg_header(1) + r[0] + r[1][:50] + bytes([r[1][50] ^ 1]) + r[1][51:] + b"".join(r[2:]),
        "flipped-length": seg_header(1) + r[0] + r[1][:5] + bytes([r[1][5] ^ 4]) + r[1][6:] + b"".join(r[2:]),
        "garbage-between": seg_header(1) + b"".join(r[:2]) + b"junk VSPR more junk\x00\x01" + b"".join(r[2:]),
        "zero-tail": seg_header(1) + b"".join(r) + bytes(300),
        "bad-header": b"VSPX" + seg_header(1)[4:] + b"".join(r),
        "out-of-order": seg_header(10) + b"".join(records(10, 3)) + record(11, b"again") + record(13, b"on"),
        "future-version": b"VSPS" + struct.pack("<IQqI", 2, 1, 0, 0),
    }
    fv = seeds["future-version"]
    seeds["future-version"] = fv + struct.pack("<I", crc32c(fv))
    for name, data in seeds.items():
        with open(os.path.join(OUT, name + ".vsp"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
