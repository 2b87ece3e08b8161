"""Evidence export: a ticket's whole record as one verifiable archive (issue 3).

`write_evidence` / `export_evidence` build the archive and record the export in the ticket's
history; `verify_archive` checks an archive's files and its history's hash chain.
"""

from madoguchi.tickets.evidence.export import (
    EvidenceExport,
    archive_filename,
    export_evidence,
    write_evidence,
)
from madoguchi.tickets.evidence.problems import EvidenceProblem, Finding
from madoguchi.tickets.evidence.verification import EvidenceReport, verify_archive

__all__ = [
    "EvidenceExport",
    "EvidenceProblem",
    "EvidenceReport",
    "Finding",
    "archive_filename",
    "export_evidence",
    "verify_archive",
    "write_evidence",
]
