"""The evidence archive's format: its file names, canonical JSON, a deterministic ZIP, SHA256SUMS.

Export writes it and verification reads it; both take every name and encoding from here.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

FORMAT = "madoguchi-evidence/1"
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
TICKET = "ticket.json"
MESSAGES = "messages.json"
TRANSCRIPT = "messages.txt"
HISTORY = "history.json"
ATTACHMENTS = "attachments/"
# Every entry carries the earliest time a ZIP can hold, so an unchanged ticket gives the same
# bytes whenever it is exported; the real times are written inside the files.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
CHUNK_BYTES = 1 << 16
MAX_STEM_BYTES = 120

# Letters (Japanese included), marks and digits stay; so do a few punctuation characters that
# no shell, archive tool or `sha256sum` line treats specially.
_KEPT_PUNCTUATION = frozenset("._-()+")
_RUNS = re.compile(r"_{2,}")
# `sha256sum -c` lines: the hash, a space, a space or "*" (binary mode), then the name.
_SUM_LINE = re.compile(r"^([0-9a-fA-F]{64}) [ *](.+)$")


def json_bytes(value: Any) -> bytes:
    """Readable, stable JSON: sorted keys, real characters rather than \\u escapes."""
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def utc_iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC to the microsecond: the form the history hashes its times in."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def attachment_path(number: int, name: str) -> str:
    """`attachments/<n>-<name>`: one path component whatever the stored name holds."""
    text = unicodedata.normalize("NFC", name)
    text = re.split(r"[/\\]", text)[-1]
    kept = "".join(
        char if unicodedata.category(char)[0] in "LMN" or char in _KEPT_PUNCTUATION else "_"
        for char in text
    )
    kept = _RUNS.sub("_", kept).lstrip(".-_")
    encoded = kept.encode()
    if len(encoded) > MAX_STEM_BYTES:
        kept = encoded[-MAX_STEM_BYTES:].decode(errors="ignore").lstrip(".-_")
    return f"{ATTACHMENTS}{number}-{kept or 'file'}"


def sums_text(files: Iterable[tuple[str, str]]) -> bytes:
    """SHA256SUMS as `sha256sum` writes it: `<hash>  <path>`, one file a line."""
    return "".join(f"{sha256}  {path}\n" for path, sha256 in files).encode()


def parse_sums(text: str) -> tuple[dict[str, str], list[int]]:
    """The hashes of SHA256SUMS by path, and the numbers of the lines that are not hash lines."""
    sums: dict[str, str] = {}
    bad_lines: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _SUM_LINE.match(line)
        if match is None or match.group(2) in sums:
            bad_lines.append(number)
            continue
        sums[match.group(2)] = match.group(1).lower()
    return sums, bad_lines


class BinaryOutput(Protocol):
    """Where an archive goes: an open file, a temporary file, a buffer."""

    def write(self, data: bytes, /) -> int: ...
    def flush(self) -> None: ...


@dataclass(frozen=True)
class ArchivedFile:
    path: str
    sha256: str
    size: int


class _HashingWriter:
    """A write-only stream that hashes what passes through it.

    It has no `seek`, so `zipfile` writes each entry once, sizes after the data, and the hash
    of the whole archive is known the moment it is closed.
    """

    def __init__(self, out: BinaryOutput) -> None:
        self._out = out
        self._hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self._hash.update(data)
        self.size += len(data)
        self._out.write(data)
        return len(data)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        self._out.flush()

    def close(self) -> None:
        """Left open: the stream belongs to the caller."""

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


class ArchiveWriter:
    """Adds files in the order given, each with fixed time and mode, and remembers their hashes."""

    def __init__(self, out: BinaryOutput) -> None:
        self._stream = _HashingWriter(out)
        self._zip = zipfile.ZipFile(self._stream, "w", compression=zipfile.ZIP_DEFLATED)
        self.files: list[ArchivedFile] = []

    def _entry(self, path: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(path, date_time=ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.create_system = 3  # Unix, on every platform, so the mode bits below mean the same
        info.external_attr = 0o100644 << 16
        return info

    def add(self, path: str, data: bytes) -> ArchivedFile:
        return self.add_chunks(path, (data,))

    def add_chunks(self, path: str, chunks: Iterable[bytes]) -> ArchivedFile:
        digest = hashlib.sha256()
        size = 0
        with self._zip.open(self._entry(path), "w") as entry:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                entry.write(chunk)
        archived = ArchivedFile(path, digest.hexdigest(), size)
        self.files.append(archived)
        return archived

    def close(self) -> tuple[str, int]:
        """Finish the archive; its SHA-256 and size in bytes."""
        self._zip.close()
        self._stream.flush()
        return self._stream.hexdigest(), self._stream.size
