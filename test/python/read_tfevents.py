"""An independent reader of TensorBoard event files, for rdm2's tests.

Reads every TFRecord of each file given, checks both masked CRC-32C checksums of every record
(with a CRC-32C written here, not the one rdm2 uses), decodes each record as a tensorflow.Event
with Python's protobuf library (Debian's python3-protobuf) from descriptors built here, and prints
one JSON document: {"files": [{"path": ..., "records": N, "events": [...]}]}. Floats are printed
with full precision; NaN and infinities as the strings "NaN", "Infinity", "-Infinity".
Exits with status 1 and a message on the first bad record.

Usage: /usr/bin/python3 read_tfevents.py FILE...
"""
import json
import math
import struct
import sys

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

# CRC-32C (Castagnoli), reflected polynomial 0x82F63B78, table driven.
_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _TABLE.append(_c)


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = _TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked(crc):
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283


def _event_class():
    f = descriptor_pb2.FileDescriptorProto(name="rdm2_test_event.proto", package="tensorflow", syntax="proto3")
    T = descriptor_pb2.FieldDescriptorProto
    value = f.message_type.add(name="SummaryValue")
    value.field.add(name="tag", number=1, type=T.TYPE_STRING, label=T.LABEL_OPTIONAL)
    value.field.add(name="simple_value", number=2, type=T.TYPE_FLOAT, label=T.LABEL_OPTIONAL)
    value.field.add(name="node_name", number=7, type=T.TYPE_STRING, label=T.LABEL_OPTIONAL)
    summary = f.message_type.add(name="Summary")
    summary.field.add(name="value", number=1, type=T.TYPE_MESSAGE, type_name=".tensorflow.SummaryValue", label=T.LABEL_REPEATED)
    event = f.message_type.add(name="Event")
    event.field.add(name="wall_time", number=1, type=T.TYPE_DOUBLE, label=T.LABEL_OPTIONAL)
    event.field.add(name="step", number=2, type=T.TYPE_INT64, label=T.LABEL_OPTIONAL)
    event.field.add(name="file_version", number=3, type=T.TYPE_STRING, label=T.LABEL_OPTIONAL)
    event.field.add(name="summary", number=5, type=T.TYPE_MESSAGE, type_name=".tensorflow.Summary", label=T.LABEL_OPTIONAL)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(f)
    desc = pool.FindMessageTypeByName("tensorflow.Event")
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(desc)
    return message_factory.MessageFactory(pool).GetPrototype(desc)


Event = _event_class()


def number(x):
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def fail(path, offset, message):
    sys.stderr.write(f"{path}: byte {offset}: {message}\n")
    sys.exit(1)


def read(path):
    data = open(path, "rb").read()
    events = []
    at = 0
    while at < len(data):
        if len(data) - at < 12:
            fail(path, at, "truncated record header")
        length_bytes = data[at : at + 8]
        (length,) = struct.unpack("<Q", length_bytes)
        (length_crc,) = struct.unpack("<I", data[at + 8 : at + 12])
        if masked(crc32c(length_bytes)) != length_crc:
            fail(path, at, "length CRC mismatch")
        if len(data) - at < 16 + length:
            fail(path, at, "truncated record")
        body = data[at + 12 : at + 12 + length]
        (body_crc,) = struct.unpack("<I", data[at + 12 + length : at + 16 + length])
        if masked(crc32c(body)) != body_crc:
            fail(path, at, "data CRC mismatch")
        e = Event()
        e.ParseFromString(body)
        out = {"wall_time": e.wall_time, "step": e.step}
        if e.file_version:
            out["file_version"] = e.file_version
        if e.HasField("summary"):
            out["values"] = [{"tag": v.tag, "value": number(v.simple_value)} for v in e.summary.value]
        events.append(out)
        at += 16 + length
    return {"path": path, "records": len(events), "events": events}


if __name__ == "__main__":
    print(json.dumps({"files": [read(p) for p in sys.argv[1:]]}, allow_nan=False))
