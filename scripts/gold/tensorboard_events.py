"""Reference TensorBoard event file for test/tensorboard.test.ts, written independently of nncoach:
Event/Summary/HistogramProto messages serialized by Google's protobuf library (schemas built from the
field numbers of tensorflow's event.proto and summary.proto) and framed as TFRecords with a
bit-by-bit CRC-32C. Writes test/fixtures/tensorboard_events.json (the file as base64, and what it holds).

Run: /usr/bin/python3 scripts/gold/tensorboard_events.py
"""

import base64
import json
import pathlib
import struct

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

F = descriptor_pb2.FieldDescriptorProto
OPT, REP = F.LABEL_OPTIONAL, F.LABEL_REPEATED

fdp = descriptor_pb2.FileDescriptorProto(name="tb_event.proto", package="tb", syntax="proto3")


def message(name, fields):
    m = fdp.message_type.add(name=name)
    for field_name, number, typ, label, type_name in fields:
        f = m.field.add(name=field_name, number=number, type=typ, label=label)
        if type_name:
            f.type_name = type_name


message("HistogramProto", [
    ("min", 1, F.TYPE_DOUBLE, OPT, None),
    ("max", 2, F.TYPE_DOUBLE, OPT, None),
    ("num", 3, F.TYPE_DOUBLE, OPT, None),
    ("sum", 4, F.TYPE_DOUBLE, OPT, None),
    ("sum_squares", 5, F.TYPE_DOUBLE, OPT, None),
    ("bucket_limit", 6, F.TYPE_DOUBLE, REP, None),
    ("bucket", 7, F.TYPE_DOUBLE, REP, None),
])
message("Value", [
    ("tag", 1, F.TYPE_STRING, OPT, None),
    ("simple_value", 2, F.TYPE_FLOAT, OPT, None),
    ("histo", 5, F.TYPE_MESSAGE, OPT, ".tb.HistogramProto"),
])
message("Summary", [("value", 1, F.TYPE_MESSAGE, REP, ".tb.Value")])
message("Event", [
    ("wall_time", 1, F.TYPE_DOUBLE, OPT, None),
    ("step", 2, F.TYPE_INT64, OPT, None),
    ("file_version", 3, F.TYPE_STRING, OPT, None),
    ("summary", 5, F.TYPE_MESSAGE, OPT, ".tb.Summary"),
])
pool = descriptor_pool.DescriptorPool()
pool.Add(fdp)
Event = message_factory.MessageFactory(pool).GetPrototype(pool.FindMessageTypeByName("tb.Event"))


def crc32c(data):
    c = 0xFFFFFFFF
    for byte in data:
        c ^= byte
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    return c ^ 0xFFFFFFFF


def masked(c):
    return ((((c >> 15) | (c << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def record(data):
    header = struct.pack("<Q", len(data))
    return header + struct.pack("<I", masked(crc32c(header))) + data + struct.pack("<I", masked(crc32c(data)))


expected = []
out = b""

e = Event(wall_time=1600000000.5, file_version="brain.Event:2")
out += record(e.SerializeToString())
expected.append({"wallTime": 1600000000.5, "step": 0, "fileVersion": "brain.Event:2"})

for step, loss in [(1, 0.7), (2, 0.41), (3, float("nan"))]:
    e = Event(wall_time=1600000001.25 + step, step=step)
    e.summary.value.add(tag="loss/train", simple_value=loss)
    out += record(e.SerializeToString())
    f32 = struct.unpack("<f", struct.pack("<f", loss))[0]
    expected.append({"wallTime": 1600000001.25 + step, "step": step,
                     "values": [{"tag": "loss/train", "simpleValue": None if f32 != f32 else f32}]})

e = Event(wall_time=1600000010.0, step=9007199254740991)
e.summary.value.add(tag="big/step", simple_value=-1.5)
out += record(e.SerializeToString())
expected.append({"wallTime": 1600000010.0, "step": 9007199254740991,
                 "values": [{"tag": "big/step", "simpleValue": -1.5}]})

e = Event(wall_time=1600000011.0, step=4)
v = e.summary.value.add(tag="weights/dense1")
# the histogram of [-1, 0.25, 0.75, 2] in 3 equal-width buckets
v.histo.min, v.histo.max, v.histo.num, v.histo.sum, v.histo.sum_squares = -1.0, 2.0, 4.0, 2.0, 5.625
v.histo.bucket_limit.extend([0.0, 1.0, 2.0])
v.histo.bucket.extend([1.0, 2.0, 1.0])
out += record(e.SerializeToString())
expected.append({"wallTime": 1600000011.0, "step": 4, "values": [{"tag": "weights/dense1", "histogram": {
    "min": -1.0, "max": 2.0, "num": 4.0, "sum": 2.0, "sumSquares": 5.625,
    "bucketLimit": [0.0, 1.0, 2.0], "bucket": [1.0, 2.0, 1.0]}}]})

fixture = {
    "source": "scripts/gold/tensorboard_events.py (google.protobuf " + __import__("google.protobuf").protobuf.__version__ + ")",
    "crc32c": [
        {"ascii": "123456789", "crc": crc32c(b"123456789"), "masked": masked(crc32c(b"123456789"))},
        {"ascii": "", "crc": crc32c(b""), "masked": masked(crc32c(b""))},
        {"ascii": "brain.Event:2", "crc": crc32c(b"brain.Event:2"), "masked": masked(crc32c(b"brain.Event:2"))},
    ],
    "crc32cZeros32": crc32c(bytes(32)),
    "fileBase64": base64.b64encode(out).decode("ascii"),
    "events": expected,
}
path = pathlib.Path(__file__).resolve().parents[2] / "test" / "fixtures" / "tensorboard_events.json"
path.write_text(json.dumps(fixture, indent=1) + "\n")
print("wrote", path, len(out), "bytes of events")
