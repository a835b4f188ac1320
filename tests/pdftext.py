"""The text a reportlab PDF draws, read back for tests: its page streams decoded (ASCII85 and
Flate, reportlab's defaults) and the strings of each text object joined."""

from __future__ import annotations

import base64
import re
import zlib

_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)
_TEXT_OBJECT = re.compile(r"BT(.*?)ET", re.S)
_SHOWN = re.compile(r"\(((?:\\.|[^\\)])*)\)\s*Tj")
_FONT_SIZE = re.compile(r"/F\d+\s+([\d.]+)\s+Tf")
_ESCAPE = re.compile(r"\\([()\\]|[0-7]{1,3})")


def _unescape(match: re.Match[str]) -> str:
    escaped = match.group(1)
    return chr(int(escaped, 8)) if escaped[0].isdigit() else escaped


def content_streams(pdf: bytes) -> list[str]:
    streams = []
    for match in _STREAM.finditer(pdf):
        data = match.group(1).strip()
        if data.endswith(b"~>"):
            data = data[:-2]
        try:
            streams.append(zlib.decompress(base64.a85decode(data)).decode("latin-1"))
        except (ValueError, zlib.error):
            continue  # fonts, images: not page text
    return streams


def lines(pdf: bytes) -> list[str]:
    """The drawn lines of text, in order (T* starts the next line of a text object)."""
    found = []
    for stream in content_streams(pdf):
        for block in _TEXT_OBJECT.findall(stream):
            for line in block.split("T*"):
                shown = "".join(_ESCAPE.sub(_unescape, part) for part in _SHOWN.findall(line))
                if shown:
                    found.append(shown)
    return found


def text(pdf: bytes) -> str:
    return "\n".join(lines(pdf))


def font_sizes(pdf: bytes) -> set[float]:
    return {float(size) for stream in content_streams(pdf) for size in _FONT_SIZE.findall(stream)}
