#!/usr/bin/env python3
"""RowBinary / TabSeparated encode-decode for (day Date, account_tag FixedString(16), ts UInt64, block String).

  rowbin.py gen SEED NROWS OUT.rowbinary OUT.tsv   deterministic rows with arbitrary bytes
  rowbin.py sortcanon IN.rowbinary                 prints sha256 of the rows sorted by (tag, ts)
  rowbin.py tsvcanon IN.tsv                        same, decoding ClickHouse TSV escaping
  rowbin.py dump IN.rowbinary                      one line per row: day tag-hex ts len sha256
"""
import datetime, hashlib, random, struct, sys

EPOCH = datetime.date(1970, 1, 1)

def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)

def read_varint(buf, i):
    shift = n = 0
    while True:
        b = buf[i]; i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, i

def encode(rows):
    out = bytearray()
    for day, tag, ts, block in rows:
        out += struct.pack('<H', (day - EPOCH).days) + tag + struct.pack('<Q', ts) + varint(len(block)) + block
    return bytes(out)

def decode(buf):
    rows, i = [], 0
    while i < len(buf):
        (d,) = struct.unpack_from('<H', buf, i); i += 2
        tag = buf[i:i + 16]; i += 16
        (ts,) = struct.unpack_from('<Q', buf, i); i += 8
        n, i = read_varint(buf, i)
        rows.append((EPOCH + datetime.timedelta(days=d), tag, ts, buf[i:i + n])); i += n
    return rows

# ClickHouse TabSeparated: \b \f \r \n \t \0 \' \\ are escaped; every other byte goes as is.
ESC = {0x08: b'\\b', 0x0C: b'\\f', 0x0D: b'\\r', 0x0A: b'\\n', 0x09: b'\\t', 0x00: b'\\0', 0x27: b"\\'", 0x5C: b'\\\\'}
UNESC = {b'b': 0x08, b'f': 0x0C, b'r': 0x0D, b'n': 0x0A, b't': 0x09, b'0': 0x00, b"'": 0x27, b'\\': 0x5C, b'a': 0x07, b'v': 0x0B, b'e': 0x1B}

def tsv_escape(b):
    return b''.join(ESC.get(c, bytes([c])) for c in b)

def tsv_unescape(b):
    out, i = bytearray(), 0
    while i < len(b):
        c = b[i]
        if c == 0x5C:
            nxt = b[i + 1:i + 2]
            if nxt == b'x':
                out.append(int(b[i + 2:i + 4], 16)); i += 4; continue
            out.append(UNESC[nxt]); i += 2; continue
        out.append(c); i += 1
    return bytes(out)

def to_tsv(rows):
    return b''.join(b'\t'.join([d.isoformat().encode(), tsv_escape(tag), str(ts).encode(), tsv_escape(blk)]) + b'\n'
                    for d, tag, ts, blk in rows)

def from_tsv(buf):
    rows = []
    for line in buf.split(b'\n'):
        if not line:
            continue
        d, tag, ts, blk = line.split(b'\t')
        rows.append((datetime.date.fromisoformat(d.decode()), tsv_unescape(tag), int(ts), tsv_unescape(blk)))
    return rows

def gen(seed, n):
    r = random.Random(seed)
    tags = [bytes(r.randrange(256) for _ in range(16)) for _ in range(8)]
    tags[0] = bytes(range(16))              # control bytes, \0 \t \n
    tags[1] = b'\\\t\n\r\0\'"\xff\xfe\x80' + b'\x00' * 6  # nasty tag, trailing zero bytes
    rows = []
    for k in range(n):
        size = r.choice([0, 1, 2, 255, 256, 1000, 4096])
        blk = bytes(r.randrange(256) for _ in range(size))
        if k == 0:
            blk = bytes(range(256)) * 2  # every byte value
        rows.append((datetime.date(2024, 1, 1) + datetime.timedelta(days=k % 3), tags[k % len(tags)], 1_700_000_000_000_000 + seed * 100_000 + k, blk))
    return rows

def canon(rows):
    h = hashlib.sha256()
    for d, tag, ts, blk in sorted(rows, key=lambda x: (x[1], x[2])):
        h.update(d.isoformat().encode() + tag + struct.pack('<Q', ts) + varint(len(blk)) + blk)
    return f'{len(rows)} rows sha256 {h.hexdigest()}'

if __name__ == '__main__':
    cmd = sys.argv[1]
    if cmd == 'gen':
        rows = gen(int(sys.argv[2]), int(sys.argv[3]))
        open(sys.argv[4], 'wb').write(encode(rows))
        open(sys.argv[5], 'wb').write(to_tsv(rows))
        print(canon(rows))
    elif cmd == 'sortcanon':
        print(canon(decode(open(sys.argv[2], 'rb').read())))
    elif cmd == 'tsvcanon':
        print(canon(from_tsv(open(sys.argv[2], 'rb').read())))
    elif cmd == 'dump':
        for d, tag, ts, blk in decode(open(sys.argv[2], 'rb').read()):
            print(d, tag.hex(), ts, len(blk), hashlib.sha256(blk).hexdigest()[:16])
