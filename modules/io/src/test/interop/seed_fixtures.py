#!/usr/bin/env python3
"""Writes the small PNG, PLY and OBJ fixtures that seed the fuzz targets (PngFuzzTest, PlyFuzzTest,
ObjFuzzTest) and that the tests read back as valid files, and the hostile inputs of the reliability
issue that the fuzz targets replay as regression cases (Jazzer's <Class>Inputs/<method>/ folders).

    python3 seed_fixtures.py ../resources

Every file follows the published format byte by byte (PNG: chunks with CRC-32, zlib-compressed
filtered scanlines; PLY: ascii and both binary byte orders; OBJ: every face-corner form), is a few
hundred bytes at most, and covers one feature of the reader. The values are the tests' pattern where
it applies: gray sample k of an 8-bit image is (37 * k) % 256.
"""
import os
import struct
import sys
import zlib


def chunk(kind, data):
    body = kind.encode("ascii") + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png(width, height, depth, color, raw_rows, extra=(), idat_parts=1, after_ihdr=()):
    """raw_rows: the filtered scanlines (filter byte first), concatenated."""
    ihdr = struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, 0)
    z = zlib.compress(bytes(raw_rows), 9)
    out = b"\x89PNG\r\n\x1a\n" + chunk("IHDR", ihdr)
    for c in after_ihdr:
        out += c
    for c in extra:
        out += c
    step = max(1, -(-len(z) // idat_parts))
    for at in range(0, len(z), step):
        out += chunk("IDAT", z[at:at + step])
    return out + chunk("IEND", b"")


def rows(height, row_bytes, value, filters=None):
    out = bytearray()
    for y in range(height):
        out.append(0 if filters is None else filters[y])
        out += bytes(value(y, i) & 0xFF for i in range(row_bytes))
    return out


def pngs():
    g = lambda y, i, w: (37 * (y * w + i)) % 256
    files = {}
    # 5 x 5 gray, one row per filter type (the bytes after the filter byte are filtered data)
    files["gray8_filters.png"] = png(5, 5, 8, 0, rows(5, 5, lambda y, i: g(y, i, 5), filters=[0, 1, 2, 3, 4]))
    for depth in (1, 2, 4):
        files["gray%d.png" % depth] = png(7, 3, depth, 0, rows(3, (7 * depth + 7) // 8, lambda y, i: 0b10110100 ^ (y * 29 + i * 7)))
    files["gray16.png"] = png(3, 2, 16, 0, rows(2, 6, lambda y, i: g(y, i, 6)))
    files["graya8.png"] = png(3, 2, 8, 4, rows(2, 6, lambda y, i: g(y, i, 6)))
    files["rgb8.png"] = png(3, 2, 8, 2, rows(2, 9, lambda y, i: g(y, i, 9)))
    files["rgb16.png"] = png(2, 2, 16, 2, rows(2, 12, lambda y, i: g(y, i, 12)))
    files["rgba8.png"] = png(3, 2, 8, 6, rows(2, 12, lambda y, i: g(y, i, 12), filters=[1, 4]))
    plte = chunk("PLTE", bytes([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]))
    for depth in (1, 2, 4, 8):
        n = min(4, 1 << depth)
        files["palette%d.png" % depth] = png(5, 2, depth, 3, rows(2, (5 * depth + 7) // 8, lambda y, i: (0x1B * (y + 1) + i) & (0xFF if depth < 8 else 3)),
                                            after_ihdr=[chunk("PLTE", bytes([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255][:3 * n]))])
    files["palette2_trns.png"] = png(4, 2, 2, 3, rows(2, 1, lambda y, i: 0b00011011 if y == 0 else 0b11100100),
                                     after_ihdr=[plte, chunk("tRNS", bytes([0, 128]))])
    # ancillary chunks before and between, and the image data split over three IDAT chunks
    files["rgb8_chunks.png"] = png(4, 3, 8, 2, rows(3, 12, lambda y, i: g(y, i, 12), filters=[2, 3, 0]),
                                   extra=[chunk("tEXt", b"Comment\x00proxima fuzz seed"), chunk("gAMA", struct.pack(">I", 45455))],
                                   idat_parts=3)
    return files


PLY_ASCII = """ply
format ascii 1.0
comment a cube: 8 vertices with normals and colours, 6 quads, and an element the reader skips
element vertex 8
property float x
property float y
property float z
property float nx
property float ny
property float nz
property uchar red
property uchar green
property uchar blue
element face 6
property list uchar int vertex_indices
element edge 2
property int vertex1
property int vertex2
end_header
0 0 0 -0.577 -0.577 -0.577 255 0 0
1 0 0 0.577 -0.577 -0.577 0 255 0
1 1 0 0.577 0.577 -0.577 0 0 255
0 1 0 -0.577 0.577 -0.577 255 255 0
0 0 1 -0.577 -0.577 0.577 0 255 255
1 0 1 0.577 -0.577 0.577 255 0 255
1 1 1 0.577 0.577 0.577 255 255 255
0 1 1 -0.577 0.577 0.577 0 0 0
4 0 3 2 1
4 4 5 6 7
4 0 1 5 4
4 2 3 7 6
4 1 2 6 5
4 0 4 7 3
0 1
6 7
"""


def plys():
    files = {"cube_ascii.ply": PLY_ASCII.encode("ascii")}
    verts = [(0.0, 0.0, 0.0), (1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (1.0, 1.0, 0.5)]
    faces = [(0, 1, 2), (1, 3, 2)]
    head = ("ply\nformat binary_little_endian 1.0\nelement vertex 4\nproperty float x\nproperty float y\nproperty float z\n"
            "element face 2\nproperty list uchar int vertex_indices\nend_header\n").encode("ascii")
    body = b"".join(struct.pack("<3f", *v) for v in verts)
    body += b"".join(struct.pack("<B3i", 3, *f) for f in faces)
    files["quad_le.ply"] = head + body
    head = ("ply\nformat binary_big_endian 1.0\nelement vertex 4\nproperty double x\nproperty double y\nproperty double z\n"
            "property ushort red\nproperty ushort green\nproperty ushort blue\nproperty char flag\n"
            "element face 1\nproperty uchar material\nproperty list uint ushort vertex_index\nend_header\n").encode("ascii")
    body = b"".join(struct.pack(">3d3Hb", *v, 65535 * (k % 2), 32768, 0, -k) for k, v in enumerate(verts))
    body += struct.pack(">BI4H", 7, 4, 0, 1, 3, 2)
    files["quad_be.ply"] = head + body
    return files


OBJ_FORMS = """# a quad and three triangles in every face-corner form
mtllib x.mtl
o thing
v 0 0 0
v 1 0 0
v 1 1 0 1.0
v 0 1 0
vt 0 0
vt 1 1
vn 0 0 1
vn 0 0 -1
g faces
usemtl red
s off
f 1/1/1 2/2/1 3/1/1 4/2/1
f -4//-2 -2//-2 -1//-1
f 2/1/2 3/2/2 1/1/2
f -3/-1/1 -2/-2/1 -4/1/1
"""

OBJ_COLORED = """# vertex colours (v x y z r g b) and one normal per corner
v 0.0 0.0 0.0 1.0 0.0 0.0
v 1.0 0.0 0.0 0.0 1.0 0.0
v 0.0 1.0 0.0 0.0 0.0 1.0
v 1.0 1.0 1.0 0.5 0.5 0.5
vn 0.0 0.0 1.0
vn 0.577 0.577 0.577
f 1//1 2//1 3//1
f 2//2 4//2 3//2
l 1 4
p 2
"""


def objs():
    return {"forms.obj": OBJ_FORMS.encode("ascii"), "colored.obj": OBJ_COLORED.encode("ascii")}


def npy_header(descr, shape):
    d = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    pad = (64 - (10 + len(d) + 1) % 64) % 64
    text = (d + " " * pad + "\n").encode("latin-1")
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text


def zip_claiming(entry, plain, claimed_compressed, claimed_size):
    """A zip archive of one deflated entry whose headers claim the given sizes, whatever the data is."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = c.compress(plain) + c.flush()
    crc = zlib.crc32(plain) & 0xFFFFFFFF
    name = entry.encode("ascii")
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, claimed_compressed, claimed_size, len(name), 0) + name + data
    cen = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, claimed_compressed, claimed_size,
                      len(name), 0, 0, 0, 0, 0, 0) + name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(cen), len(local), 0)
    return local + cen + end


def regression_inputs():
    """The probes of the reliability issue, by fuzz target folder."""
    w, h = 32768, 32767  # item 8: 1-bit gray, IDAT the deflate of zeros: 130 KB asking for a 4 GiB tensor
    bomb = b"\x89PNG\r\n\x1a\n" + chunk("IHDR", struct.pack(">IIBBBBB", w, h, 1, 0, 0, 0, 0))
    bomb += chunk("IDAT", zlib.compress(bytes(h * (1 + w // 8)), 9)) + chunk("IEND", b"")
    header = npy_header("<f4", "(950000000,)")
    return {
        # item 6: a continuation marker and a 2 GiB metadata length, which Arrow allocated on the heap
        # (modules/io-arrow's resources, since the Arrow reader moved there)
        "../../../../../../../io-arrow/src/test/resources/dev/proxima/io/arrow/ArrowIpcFuzzTestInputs/arrowIpc/issue-6-message-length-2GiB.arrows":
            bytes([0xFF, 0xFF, 0xFF, 0xFF, 0xF0, 0xFF, 0xFF, 0x7F]),
        # item 7: the directory claims 2 GiB compressed, 3.75 GiB plain; the header 3.8 GB of floats
        "NpzFuzzTestInputs/npz/issue-7-directory-claims-4GiB.npz": zip_claiming("x.npy", header, 0x7FFFFFF0, 0xF0000000),
        "PngFuzzTestInputs/png/issue-8-4GiB-tensor.png": bomb,
    }


def main(out):
    for folder, files in (("png", pngs()), ("ply", plys()), ("obj", objs())):
        os.makedirs(os.path.join(out, "fixtures", folder), exist_ok=True)
        for name, data in sorted(files.items()):
            with open(os.path.join(out, "fixtures", folder, name), "wb") as f:
                f.write(data)
            print("wrote", os.path.join("fixtures", folder, name), len(data), "bytes")
    for name, data in sorted(regression_inputs().items()):
        path = os.path.join(out, "dev", "proxima", "io", name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        print("wrote", path, len(data), "bytes")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: seed_fixtures.py RESOURCES_DIR")
    main(sys.argv[1])
