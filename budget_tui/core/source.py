"""Finding and decoding source files: folders, UTF-8 (with or without BOM), GB18030, CRLF."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

SOURCE_SUFFIXES: Final = (".txt", ".md")
MAX_LINE_CHARS: Final = 200_000
"""Lines longer than this are cut for parsing (reported with their line number)."""


@dataclass(frozen=True, slots=True)
class DecodedSource:
    """A decoded file: its lines (no line ends), encoding and sha256 of the raw bytes."""

    path: str
    lines: list[str]
    encoding: str
    sha256: str


class UnreadableSource(Exception):
    """A file that is not text we can read; ``str`` is ``path:line: message``."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")
        self.path = path
        self.line = line
        self.message = message


def iter_source_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Yield every source file named or found (recursively, sorted) under the given paths.

    Folders contribute their ``*.txt`` and ``*.md`` files; a named file is always yielded.
    Sidecar and export files of this tool are skipped.
    """
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            yield from (Path(f) for f in sorted(_walk(os.fspath(p))))
        else:
            yield p


def _walk(top: str) -> Iterator[str]:
    """Source files under ``top`` as strings (os.scandir: a folder of 10,000 files is cheap)."""
    try:
        entries = list(os.scandir(top))
    except OSError:
        return
    for e in entries:
        if e.name.startswith(".budget-tui") or e.name == "budget-tui-export":
            continue
        try:
            if e.is_dir():
                yield from _walk(e.path)
            elif e.name.lower().endswith(SOURCE_SUFFIXES) and e.is_file():
                yield e.path
        except OSError:
            continue


def decode_bytes(path: str, data: bytes) -> DecodedSource:
    """Decode ``data`` as strict UTF-8 (BOM optional), else GB18030; normalise line ends.

    UTF-8 is tried first because UTF-8 bytes of Chinese text decode *without error*
    as GB18030 into mojibake.

    Raises:
        UnreadableSource: empty, binary (NUL bytes) or undecodable data.
    """
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise UnreadableSource(path, None, "empty file")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise UnreadableSource(path, data.count(b"\n", 0, nul) + 1, "binary data (NUL byte): not a text file")
    try:
        text = data.decode("utf-8-sig")
        encoding = "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("gb18030")
            encoding = "gb18030"
        except UnicodeDecodeError:
            line = data.count(b"\n", 0, utf8_error.start) + 1
            raise UnreadableSource(path, line, "neither UTF-8 nor GB18030 text") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return DecodedSource(path, lines, encoding, digest)


def read_source(path: Path) -> DecodedSource:
    """Read and decode one file.

    Raises:
        UnreadableSource: the file cannot be read or is not text.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableSource(str(path), None, f"cannot read: {exc.strerror or exc}") from None
    return decode_bytes(str(path), data)
