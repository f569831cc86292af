"""A fast PNG writer for rendered frames: 8-bit RGB, no row filter, zlib level 1.

Qt's and Pillow's PNG writers spend most of a frame's budget on row filtering; a canvas frame
(large flat areas, some text) compresses as small or smaller with no filter at level 1, and
``zlib.compress`` releases the GIL, so frames are written on worker threads while the next
one is painted. Any PNG reader opens the result.
"""
from __future__ import annotations

import struct
import zlib

import numpy as np
from PySide6.QtGui import QImage

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def rgb_rows(image: QImage) -> tuple[int, int, bytes]:
    """(width, height, scanlines) of ``image`` as 8-bit RGB, each row after a 0 filter byte."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height = rgb.width(), rgb.height()
    pixels = np.frombuffer(rgb.constBits(), np.uint8, rgb.sizeInBytes())
    pixels = pixels.reshape(height, rgb.bytesPerLine())[:, :3 * width]
    rows = np.zeros((height, 3 * width + 1), np.uint8)
    rows[:, 1:] = pixels
    return width, height, rows.tobytes()


def encode_png(width: int, height: int, rows: bytes, level: int = 1) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)   # 8-bit RGB
    return (SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows, level))
            + _chunk(b"IEND", b""))


def write_png(path, width: int, height: int, rows: bytes, level: int = 1) -> None:
    """Write scanlines from ``rgb_rows`` (thread-safe: no Qt object is touched)."""
    with open(path, "wb") as handle:
        handle.write(encode_png(width, height, rows, level))
