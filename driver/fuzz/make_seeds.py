#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets into driver/fuzz/corpus/<target>/.

Each seed is a small valid input built from the protocol's and the types' documented formats,
so the fuzzers start from the shapes the decoders accept. Run it again after changing a target's
input layout:  python3 driver/fuzz/make_seeds.py
"""
import glob
import os
import struct

FUZZ = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(FUZZ))
CORPUS = os.path.join(FUZZ, "corpus")


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def i16(v): return struct.pack(">h", v)
def u16(v): return struct.pack(">H", v)
def i32(v): return struct.pack(">i", v)
def u32(v): return struct.pack(">I", v)
def i64(v): return struct.pack(">q", v)
def f64(v): return struct.pack(">d", v)
def cstr(s): return s.encode() + b"\0"


# --- backend messages: a split selector byte, then a stream of frames -------------------------

def msg(tag, body):
    return tag.encode() + i32(len(body) + 4) + body


def data_row(*cols):
    body = u16(len(cols))
    for c in cols:
        body += i32(-1) if c is None else i32(len(c)) + c
    return msg("D", body)


def row_description(*fields):
    body = u16(len(fields))
    for name, type_oid in fields:
        body += cstr(name) + u32(16384) + i16(1) + u32(type_oid) + i16(4) + i32(-1) + i16(1)
    return msg("T", body)


def error_fields(tag, pairs):
    body = b"".join(k.encode() + cstr(v) for k, v in pairs) + b"\0"
    return msg(tag, body)


ready = msg("Z", b"I")
startup = (
    msg("R", i32(10) + cstr("SCRAM-SHA-256-PLUS") + cstr("SCRAM-SHA-256") + b"\0")
    + msg("R", i32(11) + b"r=abc,s=c2FsdA==,i=4096")
    + msg("R", i32(12) + b"v=c2lnbmF0dXJl")
    + msg("R", i32(0))
    + msg("S", cstr("server_version") + cstr("16.3"))
    + msg("S", cstr("TimeZone") + cstr("UTC"))
    + msg("K", i32(4242) + i32(-123456))
    + ready
)
query = (
    msg("1", b"") + msg("t", u16(2) + u32(23) + u32(25))
    + row_description(("id", 23), ("name", 25))
    + msg("2", b"")
    + data_row(i32(1), b"Bob")
    + data_row(i32(2), None)
    + msg("C", cstr("SELECT 2"))
    + msg("Z", b"T")
)
error = (
    error_fields("E", [("S", "ERROR"), ("V", "ERROR"), ("C", "42P01"),
                       ("M", 'relation "nope" does not exist'), ("P", "15"),
                       ("F", "parse_relation.c"), ("L", "1392"), ("R", "parserOpenTable")])
    + msg("Z", b"E")
)
notice = error_fields("N", [("S", "NOTICE"), ("V", "NOTICE"), ("C", "00000"), ("M", "hi"),
                            ("D", "detail"), ("H", "hint"), ("W", "PL/pgSQL function")])
misc = (
    msg("R", i32(5) + b"salt") + msg("R", i32(3)) + msg("R", i32(7))
    + msg("n", b"") + msg("I", b"") + msg("3", b"") + msg("s", b"")
    + msg("A", i32(77) + cstr("jobs") + cstr("payload"))
    + msg("v", i32(0) + i32(1) + cstr("_pq_.compression"))
    + msg("C", cstr("INSERT 0 3")) + ready
)
copy = (
    msg("G", b"\0" + u16(2) + i16(0) + i16(0))
    + msg("H", b"\1" + u16(1) + i16(1))
    + msg("W", b"\0" + u16(0))
    + msg("d", b"1\tBob\n") + msg("c", b"")
    + msg("C", cstr("COPY 1")) + ready
)
# A ReadyForQuery announcing a 1 GiB body: the connection's read loop reserves it all before
# reading on (found with QUARRY_FUZZ_MODEL_RESERVE=1; see RELIABILITY.md).
write("backend_message", "regress_reserve_corrupt_length", b"\0Z\x3f\xff\xff\xffI")
for split, name, stream in [
    (0, "startup", startup), (1, "query", query), (2, "error", error), (3, "notice", notice),
    (9, "misc", misc), (7, "copy", copy),
    (5, "rows_wide", data_row(*[i32(i) for i in range(14)]) + ready),
    (0, "row_empty", data_row() + msg("C", cstr("SELECT 0")) + ready),
    (1, "incomplete", query[:-3]),
]:
    write("backend_message", name, bytes([split]) + stream)


# --- values: (type OID, binary or text value) ------------------------------------------------

def array(elem_oid, dims, elems):
    body = i32(len(dims)) + i32(int(any(e is None for e in elems))) + u32(elem_oid)
    for n in dims:
        body += i32(n) + i32(1)
    for e in elems:
        body += i32(-1) if e is None else i32(len(e)) + e
    return body


def record(fields):
    body = i32(len(fields))
    for type_oid, v in fields:
        body += u32(type_oid) + (i32(-1) if v is None else i32(len(v)) + v)
    return body


def rng(flags, *bounds):
    return bytes([flags]) + b"".join(i32(len(b)) + b for b in bounds)


def numeric(ndigits, weight, sign, dscale, digits):
    return i16(ndigits) + i16(weight) + u16(sign) + i16(dscale) + b"".join(i16(d) for d in digits)


def hstore(pairs):
    body = i32(len(pairs))
    for k, v in pairs:
        body += i32(len(k)) + k + (i32(-1) if v is None else i32(len(v)) + v)
    return body


# User types of driver/fuzz/src/lib.rs, in order from 70001.
PAIR, PAIRS, MOOD, MOODS, NESTED, POSITIVE, POSITIVES, POSITIVE_RANGE, HSTORE, HSTORE_CODEC, \
    HSTORES = range(70001, 70012)

BINARY = [
    ("int4", 23, i32(7)), ("int8", 20, i64(-1)), ("float8", 701, f64(1.5)),
    ("bool", 16, b"\1"), ("text", 25, b"hello"), ("bytea", 17, b"\0\1\2"),
    ("numeric", 1700, numeric(2, 0, 0, 2, [123, 4500])),
    ("numeric_nan", 1700, numeric(0, 0, 0xC000, 0, [])),
    ("date", 1082, i32(8766)), ("timestamptz", 1184, i64(725_000_000_000_000)),
    ("date_infinity", 1082, i32(0x7fffffff)),
    ("interval", 1186, i64(3_600_000_000) + i32(2) + i32(1)),
    ("timetz", 1266, i64(3_600_000_000) + i32(-3600)),
    ("json", 114, b'{"a": [1, 2.5, null, "x"]}'), ("jsonb", 3802, b'\1{"k": 1}'),
    ("uuid", 2950, bytes(range(16))),
    ("inet", 869, bytes([2, 32, 0, 4, 192, 168, 0, 1])),
    ("cidr6", 650, bytes([3, 64, 1, 16]) + bytes(16)),
    ("varbit", 1562, i32(11) + b"\xff\xe0"),
    ("point", 600, f64(1) + f64(2)),
    ("polygon", 604, i32(3) + f64(0) + f64(0) + f64(1) + f64(0) + f64(0) + f64(1)),
    ("path", 602, b"\1" + i32(2) + f64(0) + f64(0) + f64(1) + f64(1)),
    ("circle", 718, f64(0) + f64(0) + f64(2)),
    ("tid", 27, u32(1) + u16(2)), ("pg_lsn", 3220, i64(0x16B3748)),
    ("int4range", 3904, rng(0x02, i32(1), i32(5))),
    ("int4range_empty", 3904, b"\x01"),
    ("daterange_unbounded", 3912, rng(0x08 | 0x02, i32(10))),
    ("int4multirange", 4451, i32(2) + i32(9) + rng(0x02, i32(1), i32(3)) + i32(9)
     + rng(0x02, i32(5), i32(8))),
    ("int4_array", 1007, array(23, [3], [i32(1), None, i32(3)])),
    ("int4_array_2d", 1007, array(23, [2, 2], [i32(1), i32(2), i32(3), i32(4)])),
    ("int4_array_empty", 1007, array(23, [], [])),
    ("text_array", 1009, array(25, [2], [b"a", b"b c"])),
    ("record", 2249, record([(23, i32(7)), (25, b"x"), (2249, record([(16, b"\1")]))])),
    ("record_array", 2287, array(2249, [1], [record([(23, i32(1)), (25, None)])])),
    ("pair", PAIR, record([(23, i32(1)), (25, b"one")])),
    ("pairs", PAIRS, array(PAIR, [2], [record([(23, i32(1)), (25, b"a")]), None])),
    ("moods", MOODS, array(MOOD, [2], [b"sad", b"happy"])),
    ("nested", NESTED, record([(PAIR, record([(23, i32(2)), (25, b"b")])),
                               (PAIRS, array(PAIR, [], [])), (MOOD, b"ok"),
                               (2249, record([(20, i64(5))]))])),
    ("positive_range", POSITIVE_RANGE, rng(0x02, i32(1), i32(9))),
    ("hstore", HSTORE, hstore([(b"a", b"1"), (b"b", None)])),
    ("hstore_codec", HSTORE_CODEC, hstore([(b"k", b"v")])),
]
TEXT = [
    ("int4_text", 23, "-42"), ("numeric_text", 1700, "-12.345e3"),
    ("date_text", 1082, "2024-02-29"), ("interval_text", 1186, "1 year 2 mons 3 days 04:05:06"),
    ("int4_array_text", 1007, "{{1,2},{3,NULL}}"),
    ("text_array_text", 1009, '{"a,b",NULL,"c\\"d"}'),
    ("box_array_text", 1020, "{(1,1),(0,0);(2,2),(1,1)}"),
    ("int4range_text", 3904, "[1,5)"), ("tstzrange_text", 3910, '["2024-01-01 00:00:00+00",)'),
    ("int4multirange_text", 4451, "{[1,3),[5,8)}"),
    ("hstore_text", HSTORE, '"a"=>"1", "b"=>NULL'),
    ("macaddr_text", 829, "08:00:2b:01:02:03"), ("money_text", 790, "$1,234.56"),
    ("bit_text", 1560, "10110"),
]
# Regressions: inputs the fuzzers found, kept so every run replays them.
deep = bytes([1])
deep_oid = 16
for _ in range(150):
    deep = record([(deep_oid, deep)])
    deep_oid = 2249
BINARY += [
    # [2147483647][0]: no elements, once nested into 2^31 empty arrays.
    ("regress_dims_without_elements", 1007, i32(2) + i32(0) + u32(23) + i32(0x7fffffff) + i32(1)
     + i32(0) + i32(1)),
    # Records nested 150 deep: once decoded by unbounded recursion (stack overflow).
    ("regress_deep_records", 2249, deep),
]
for name, type_oid, raw in BINARY:
    write("decode_value", name, u32(type_oid) + b"\0" + raw)
    write("decode_typed", name, u32(type_oid) + b"\0\0" + raw)
for name, type_oid, raw in TEXT:
    write("decode_value", name, u32(type_oid) + b"\1" + raw.encode())
    write("decode_typed", name, u32(type_oid) + b"\0\1" + raw.encode())


# --- record: column count, OIDs, flags, DataRow body ------------------------------------------

def row_body(*cols):
    return b"".join(i32(-1) if c is None else i32(len(c)) + c for c in cols)


for name, cols in [
    ("two", [(23, i32(1)), (25, b"Bob")]),
    ("nulls", [(23, None), (1007, array(23, [1], [None])), (2249, record([(23, None)]))]),
    ("wide", [(20, i64(i)) for i in range(14)]),
    ("user_types", [(PAIR, record([(23, i32(1)), (25, b"a")])), (HSTORE_CODEC, hstore([])),
                    (MOOD, b"sad")]),
    ("empty", []),
]:
    write("record", name, bytes([len(cols)]) + b"".join(u32(o) for o, _ in cols) + b"\0"
          + row_body(*[v for _, v in cols]))


# --- DSNs: a form byte, then the text ----------------------------------------------------------

for i, (form, dsn) in enumerate([
    (0, "postgres://alice:s%40cret@db.example.com:5433/app?sslmode=require&application_name=x"),
    (0, "postgresql://[::1]:5432,host2:5433/db?target_session_attrs=read-write&connect_timeout=3"),
    (0, "postgresql:///app?host=/var/run/postgresql&port=5433"),
    (0, "postgres://%2Ftmp%2Fsock/db?options=-c%20search_path%3Dx&passfile=/tmp/pgpass"),
    (1, "u@h/d?sslmode=verify-full&sslrootcert=system&channel_binding=require"),
    (2, "statement_cache_size=0&command_timeout=2.5&server_settings=a"),
    (0, "host=localhost port=5432 dbname='my db' user=bob password='it\\'s'"),
    (0, "host=a,b hostaddr=127.0.0.1,::1 port=1,2 sslmode=prefer sslnegotiation=direct"),
    (3, "application_name = x options='-c statement_timeout=5s' connect_timeout=0"),
    (0, ""),
]):
    write("dsn", f"dsn{i:02}", bytes([form]) + dsn.encode())


# --- .pgpass: a lookup byte, then the file ----------------------------------------------------

for i, (which, text) in enumerate([
    (0, "# comment\nlocalhost:5432:app:alice:first\n*:*:*:*:fallback\n"),
    (1, "db.example.com:*:app:alice:p\\:w\\\\d\r\n"),
    (2, "\\:\\:1:5432:*:*:v6\n::1:5432:*:*:broken\n"),
    (3, "/var/run/postgresql:6543:db\\:name:bob\\\\:sock\n"),
    (0, "too:few:fields\n\n*:*:*::empty-user\n"),
]):
    write("pgpass", f"pgpass{i}", bytes([which]) + text.encode())


# --- offline cache: a few of the repository's own .quarry files -------------------------------

files = sorted(glob.glob(os.path.join(ROOT, ".quarry", "query-*.json")), key=os.path.getsize)
picked = files[:3] + files[len(files) // 2: len(files) // 2 + 3] + files[-2:]
for kind in ('"kind": "composite"', '"kind": "enum"', '"kind": "range"', '"kind": "domain"'):
    for path in files:
        if kind in open(path).read():
            picked.append(path)
            break
for path in sorted(set(picked)):
    with open(path, "rb") as f:
        write("offline_cache", os.path.basename(path)[:22], f.read())
