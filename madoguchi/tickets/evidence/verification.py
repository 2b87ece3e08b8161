"""Checking an evidence archive: its files against manifest and SHA256SUMS, its history chain.

Works on the archive alone; `against_records=True` also compares it with the ticket's history
in this installation's database, which catches an archive rewritten from end to end.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

from madoguchi.tickets.events import check_chain
from madoguchi.tickets.evidence import archive
from madoguchi.tickets.evidence.problems import HISTORY_CHECK_PROBLEMS, EvidenceProblem, Finding
from madoguchi.tickets.models import EventKind, Ticket, TicketEvent

# manifest.json and history.json are parsed in memory; anything larger is not an export.
MAX_JSON_BYTES = 256 * 1024 * 1024
_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    NotImplementedError,
    RuntimeError,
)
_CHAIN_PROBLEMS = frozenset(
    {
        EvidenceProblem.HISTORY_INVALID,
        EvidenceProblem.HISTORY_ENTRY_MISSING,
        EvidenceProblem.HISTORY_CHAIN_BROKEN,
        EvidenceProblem.HISTORY_ENTRY_CHANGED,
    }
)


@dataclass(frozen=True)
class HistoryEntry:
    sequence: int
    kind: str
    actor_label: str
    data: dict[str, Any]
    created_at: datetime
    previous_hash: str
    hash: str


@dataclass(frozen=True)
class EvidenceReport:
    """What verification found; `ok` when it found nothing wrong."""

    ticket_id: int | None
    files_checked: int
    history_entries: int
    history_head: str | None
    manifest_sha256: str | None
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def first_broken_entry(self) -> int | None:
        """The first history entry of history.json whose chain does not hold, if any."""
        return next((f.sequence for f in self.findings if f.problem in _CHAIN_PROBLEMS), None)


class _Findings:
    """Findings in the order found, each once."""

    def __init__(self) -> None:
        self.items: list[Finding] = []

    def add(self, problem: EvidenceProblem, path: str = "", sequence: int | None = None) -> None:
        finding = Finding(problem, path, sequence)
        if finding not in self.items:
            self.items.append(finding)


def verify_archive(data: bytes | BinaryIO, *, against_records: bool = False) -> EvidenceReport:
    """Recompute every hash in the archive `data` and the chain of its history."""
    source = io.BytesIO(data) if isinstance(data, bytes | bytearray | memoryview) else data
    findings = _Findings()
    try:
        bundle = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return EvidenceReport(None, 0, 0, None, None, (Finding(EvidenceProblem.NOT_A_ZIP),))
    with bundle:
        members = [info for info in bundle.infolist() if not info.is_dir()]
        for name, count in Counter(info.filename for info in members).items():
            if count > 1:
                findings.add(EvidenceProblem.DUPLICATE_FILE, name)
        hashes: dict[str, str | None] = {}
        for info in members:
            hashes[info.filename] = _hash_member(bundle, info)
            if hashes[info.filename] is None:
                findings.add(EvidenceProblem.FILE_DAMAGED, info.filename)
        manifest_bytes = _read_json_bytes(bundle, archive.MANIFEST, findings)
        manifest = _parse_manifest(manifest_bytes, findings)
        listed = _check_listed_files(manifest, hashes, bundle, findings)
        summed = _check_sums(bundle, hashes, findings)
        for name in hashes:
            if name != archive.SUMS and name not in summed:
                findings.add(EvidenceProblem.FILE_UNLISTED, name)
            if name not in (archive.SUMS, archive.MANIFEST) and name not in listed:
                findings.add(EvidenceProblem.FILE_UNLISTED, name)
        ticket_id = _ticket_id(manifest)
        _check_recorded_state(manifest, findings)
        entries = _read_history(bundle, ticket_id, findings)
        head = entries[-1].hash if entries else None
        if manifest is not None and entries is not None and _chain_holds(findings):
            recorded = manifest.get("history") or {}
            if recorded.get("head_hash") != head or recorded.get("entries") != len(entries):
                findings.add(EvidenceProblem.HISTORY_HEAD_MISMATCH, archive.HISTORY)
        manifest_sha256 = hashlib.sha256(manifest_bytes).hexdigest() if manifest_bytes else None
        if against_records and ticket_id is not None:
            _check_against_records(ticket_id, manifest_sha256, entries or [], findings)
    return EvidenceReport(
        ticket_id=ticket_id,
        files_checked=len(hashes),
        history_entries=len(entries or []),
        history_head=head,
        manifest_sha256=manifest_sha256,
        findings=tuple(findings.items),
    )


def _chain_holds(findings: _Findings) -> bool:
    """The end of the history is compared only when its chain holds up to there."""
    return not any(f.problem in _CHAIN_PROBLEMS for f in findings.items)


def _hash_member(bundle: zipfile.ZipFile, info: zipfile.ZipInfo) -> str | None:
    digest = hashlib.sha256()
    try:
        with bundle.open(info) as member:
            while chunk := member.read(archive.CHUNK_BYTES):
                digest.update(chunk)
    except _READ_ERRORS:
        return None
    return digest.hexdigest()


def _read_json_bytes(bundle: zipfile.ZipFile, name: str, findings: _Findings) -> bytes | None:
    try:
        info = bundle.getinfo(name)
    except KeyError:
        return None
    try:
        with bundle.open(info) as member:
            data = member.read(MAX_JSON_BYTES + 1)
    except _READ_ERRORS:
        findings.add(EvidenceProblem.FILE_DAMAGED, name)
        return None
    return data if len(data) <= MAX_JSON_BYTES else b""


def _parse_manifest(data: bytes | None, findings: _Findings) -> dict[str, Any] | None:
    if data is None:
        findings.add(EvidenceProblem.MANIFEST_MISSING)
        return None
    try:
        manifest = json.loads(data)
    except (ValueError, RecursionError):
        manifest = None
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != archive.FORMAT
        or not isinstance(manifest.get("files"), list)
        or not isinstance(manifest.get("ticket"), dict)
    ):
        findings.add(EvidenceProblem.MANIFEST_INVALID, archive.MANIFEST)
        return None
    return manifest


def _ticket_id(manifest: dict[str, Any] | None) -> int | None:
    value = (manifest or {}).get("ticket", {}).get("id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _check_listed_files(
    manifest: dict[str, Any] | None,
    hashes: dict[str, str | None],
    bundle: zipfile.ZipFile,
    findings: _Findings,
) -> set[str]:
    """Each file of the manifest against the archive; the paths the manifest lists."""
    listed: set[str] = set()
    for row in (manifest or {}).get("files", []):
        if not isinstance(row, dict) or not isinstance(row.get("path"), str):
            findings.add(EvidenceProblem.MANIFEST_INVALID, archive.MANIFEST)
            continue
        path = row["path"]
        listed.add(path)
        if path not in hashes:
            findings.add(EvidenceProblem.FILE_MISSING, path)
        elif hashes[path] is not None and (
            hashes[path] != row.get("sha256") or bundle.getinfo(path).file_size != row.get("size")
        ):
            findings.add(EvidenceProblem.FILE_CHANGED, path)
    return listed


def _check_sums(
    bundle: zipfile.ZipFile, hashes: dict[str, str | None], findings: _Findings
) -> set[str]:
    """Each line of SHA256SUMS against the archive; the paths it covers."""
    try:
        with bundle.open(archive.SUMS) as member:
            text = member.read(MAX_JSON_BYTES).decode("utf-8", errors="replace")
    except KeyError:
        findings.add(EvidenceProblem.SUMS_MISSING)
        return set()
    except _READ_ERRORS:
        return set()  # already found damaged
    sums, bad_lines = archive.parse_sums(text)
    for number in bad_lines:
        findings.add(EvidenceProblem.SUMS_LINE_INVALID, archive.SUMS, number)
    for path, sha256 in sums.items():
        if path not in hashes:
            findings.add(EvidenceProblem.FILE_MISSING, path)
        elif hashes[path] is not None and hashes[path] != sha256:
            findings.add(EvidenceProblem.SUMS_MISMATCH, path)
    return set(sums)


def _check_recorded_state(manifest: dict[str, Any] | None, findings: _Findings) -> None:
    """What the manifest says was already wrong in the database when it was exported."""
    if manifest is None:
        return
    check = (manifest.get("history") or {}).get("check") or {}
    if check.get("ok") is False:
        findings.add(
            EvidenceProblem.HISTORY_BROKEN_AT_EXPORT,
            archive.HISTORY,
            check.get("first_bad_sequence"),
        )
    for row in manifest.get("attachments") or []:
        if not isinstance(row, dict):
            continue
        path = str(row.get("path", ""))
        if row.get("stored") is False:
            findings.add(EvidenceProblem.ATTACHMENT_MISSING_AT_EXPORT, path)
        elif row.get("matches_record") is False:
            findings.add(EvidenceProblem.ATTACHMENT_DIFFERS_FROM_RECORD, path)


def _read_history(
    bundle: zipfile.ZipFile, ticket_id: int | None, findings: _Findings
) -> list[HistoryEntry] | None:
    data = _read_json_bytes(bundle, archive.HISTORY, findings)
    if data is None:
        if archive.HISTORY not in bundle.namelist():
            findings.add(EvidenceProblem.FILE_MISSING, archive.HISTORY)
        return None
    try:
        rows = json.loads(data)
    except (ValueError, RecursionError):
        rows = None
    if not isinstance(rows, list):
        findings.add(EvidenceProblem.HISTORY_INVALID, archive.HISTORY, 1)
        return None
    entries: list[HistoryEntry] = []
    for position, row in enumerate(rows, start=1):
        entry = _history_entry(row)
        if entry is None:
            findings.add(EvidenceProblem.HISTORY_INVALID, archive.HISTORY, position)
            return entries
        entries.append(entry)
    if ticket_id is not None:
        _check_chain(ticket_id, entries, findings)
    return entries


def _history_entry(row: Any) -> HistoryEntry | None:
    if not isinstance(row, dict):
        return None
    texts = ("kind", "actor_label", "created_at", "previous_hash", "hash")
    sequence = row.get("sequence")
    if (
        not isinstance(sequence, int)
        or isinstance(sequence, bool)
        or not isinstance(row.get("data"), dict)
        or not all(isinstance(row.get(key), str) for key in texts)
    ):
        return None
    try:
        created_at = datetime.fromisoformat(row["created_at"])
    except ValueError:
        return None
    return HistoryEntry(
        sequence=sequence,
        kind=row["kind"],
        actor_label=row["actor_label"],
        data=row["data"],
        created_at=created_at,
        previous_hash=row["previous_hash"],
        hash=row["hash"],
    )


def _check_chain(ticket_id: int, entries: list[HistoryEntry], findings: _Findings) -> None:
    """The first entry, if any, where the chain does not hold, as `verify_history` finds it."""
    check = check_chain(ticket_id, entries)
    if check.problem is not None:
        findings.add(
            HISTORY_CHECK_PROBLEMS[check.problem], archive.HISTORY, check.first_bad_sequence
        )


def _check_against_records(
    ticket_id: int,
    manifest_sha256: str | None,
    entries: list[HistoryEntry],
    findings: _Findings,
) -> None:
    """The archive against this installation's database: the export and every entry's hash."""
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        findings.add(EvidenceProblem.TICKET_NOT_FOUND)
        return
    exported = TicketEvent.objects.filter(
        ticket=ticket, kind=EventKind.EXPORTED, data__manifest_sha256=manifest_sha256
    )
    if manifest_sha256 is None or not exported.exists():
        findings.add(EvidenceProblem.EXPORT_NOT_RECORDED, archive.MANIFEST)
    recorded = dict(
        TicketEvent.objects.filter(ticket=ticket, sequence__lte=len(entries)).values_list(
            "sequence", "hash"
        )
    )
    for entry in entries:
        if recorded.get(entry.sequence) != entry.hash:
            findings.add(
                EvidenceProblem.HISTORY_DIFFERS_FROM_RECORDS, archive.HISTORY, entry.sequence
            )
            return
