"""What verification can find wrong with an evidence archive or a ticket's history."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from madoguchi.tickets.events import HistoryBreak


class EvidenceProblem(StrEnum):
    NOT_A_ZIP = "not_a_zip"
    DUPLICATE_FILE = "duplicate_file"
    MANIFEST_MISSING = "manifest_missing"
    MANIFEST_INVALID = "manifest_invalid"
    SUMS_MISSING = "sums_missing"
    SUMS_LINE_INVALID = "sums_line_invalid"
    FILE_MISSING = "file_missing"
    FILE_DAMAGED = "file_damaged"
    FILE_CHANGED = "file_changed"
    SUMS_MISMATCH = "sums_mismatch"
    FILE_UNLISTED = "file_unlisted"
    HISTORY_INVALID = "history_invalid"
    HISTORY_ENTRY_MISSING = "history_entry_missing"
    HISTORY_CHAIN_BROKEN = "history_chain_broken"
    HISTORY_ENTRY_CHANGED = "history_entry_changed"
    HISTORY_HEAD_MISMATCH = "history_head_mismatch"
    HISTORY_BROKEN_AT_EXPORT = "history_broken_at_export"
    ATTACHMENT_MISSING_AT_EXPORT = "attachment_missing_at_export"
    ATTACHMENT_DIFFERS_FROM_RECORD = "attachment_differs_from_record"
    TICKET_NOT_FOUND = "ticket_not_found"
    EXPORT_NOT_RECORDED = "export_not_recorded"
    HISTORY_DIFFERS_FROM_RECORDS = "history_differs_from_records"


MESSAGES = {
    EvidenceProblem.NOT_A_ZIP: _("This file is not a ZIP archive."),
    EvidenceProblem.DUPLICATE_FILE: _("%(path)s appears more than once in the archive."),
    EvidenceProblem.MANIFEST_MISSING: _("The archive has no manifest.json."),
    EvidenceProblem.MANIFEST_INVALID: _("manifest.json cannot be read as an evidence manifest."),
    EvidenceProblem.SUMS_MISSING: _("The archive has no SHA256SUMS."),
    EvidenceProblem.SUMS_LINE_INVALID: _("Line %(sequence)s of SHA256SUMS is not a hash line."),
    EvidenceProblem.FILE_MISSING: _("%(path)s is listed but not in the archive."),
    EvidenceProblem.FILE_DAMAGED: _("%(path)s cannot be read: the archive is damaged."),
    EvidenceProblem.FILE_CHANGED: _("%(path)s does not match the SHA-256 in the manifest."),
    EvidenceProblem.SUMS_MISMATCH: _("%(path)s does not match its line in SHA256SUMS."),
    EvidenceProblem.FILE_UNLISTED: _("%(path)s is in the archive but listed nowhere."),
    EvidenceProblem.HISTORY_INVALID: _("History entry %(sequence)s cannot be read."),
    EvidenceProblem.HISTORY_ENTRY_MISSING: _(
        "The history is missing an entry before %(sequence)s."
    ),
    EvidenceProblem.HISTORY_CHAIN_BROKEN: _(
        "History entry %(sequence)s does not follow the entry before it."
    ),
    EvidenceProblem.HISTORY_ENTRY_CHANGED: _(
        "History entry %(sequence)s was changed after it was written."
    ),
    EvidenceProblem.HISTORY_HEAD_MISMATCH: _(
        "The last history entry is not the one the manifest names as the last."
    ),
    EvidenceProblem.HISTORY_BROKEN_AT_EXPORT: _(
        "When exported, the ticket's history was already broken at entry %(sequence)s."
    ),
    EvidenceProblem.ATTACHMENT_MISSING_AT_EXPORT: _(
        "The file %(path)s was missing from storage when the archive was exported."
    ),
    EvidenceProblem.ATTACHMENT_DIFFERS_FROM_RECORD: _(
        "The stored file %(path)s no longer matched the SHA-256 recorded when it was added."
    ),
    EvidenceProblem.TICKET_NOT_FOUND: _("The ticket of this archive is not in the database."),
    EvidenceProblem.EXPORT_NOT_RECORDED: _(
        "The ticket's history records no export with this manifest."
    ),
    EvidenceProblem.HISTORY_DIFFERS_FROM_RECORDS: _(
        "History entry %(sequence)s differs from the entry in the database."
    ),
}

# What `madoguchi.tickets.events.check_chain` (and `verify_history`) found, as a problem.
HISTORY_CHECK_PROBLEMS = {
    HistoryBreak.MISSING: EvidenceProblem.HISTORY_ENTRY_MISSING,
    HistoryBreak.BROKEN: EvidenceProblem.HISTORY_CHAIN_BROKEN,
    HistoryBreak.CHANGED: EvidenceProblem.HISTORY_ENTRY_CHANGED,
}


@dataclass(frozen=True)
class Finding:
    """One problem, with the file or the history entry (or SHA256SUMS line) it concerns."""

    problem: EvidenceProblem
    path: str = ""
    sequence: int | None = None

    @property
    def message(self) -> str:
        return str(MESSAGES[self.problem]) % {"path": self.path, "sequence": self.sequence}
