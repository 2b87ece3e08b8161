"""The secret guard: finds secrets in a message and replaces them before it is stored or shown.

`redact_secrets(text)` returns the text with each secret replaced by a translated placeholder
("[redacted: seed phrase]", "[削除: シードフレーズ]") and the findings: kind and position in the
original text, never the secret itself. `describe_findings(findings)` says to the customer, at
once and in their language, what was removed and why.

Detection reads the NFKC form of the text (full-width digits count), the redaction removes
the characters actually typed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from madoguchi.safety.redaction.kinds import SecretKind
from madoguchi.safety.redaction.labelled import find_labelled
from madoguchi.safety.redaction.normalize import normalize
from madoguchi.safety.redaction.numbers import find_numbers
from madoguchi.safety.redaction.private_keys import find_private_keys
from madoguchi.safety.redaction.seed_phrases import find_seed_phrases

__all__ = ["Finding", "Redaction", "SecretKind", "describe_findings", "redact_secrets"]

# When two findings overlap, the kind more dangerous to leak keeps the span.
_PRIORITY = {
    SecretKind.SEED_PHRASE: 0,
    SecretKind.PRIVATE_KEY: 1,
    SecretKind.API_SECRET: 2,
    SecretKind.PASSWORD: 3,
    SecretKind.TWO_FACTOR_CODE: 4,
    SecretKind.CARD_NUMBER: 5,
    SecretKind.MY_NUMBER: 6,
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One secret that was removed: what kind, and where it stood in the original text.

    `start`/`end` index the text given to `redact_secrets`; `verified` is True when a
    checksum (BIP-39, base58check, Luhn, My Number) or a fixed structure (a PEM block)
    confirmed the secret, rather than its shape and label alone.
    """

    kind: SecretKind
    start: int
    end: int
    verified: bool = False

    @property
    def length(self) -> int:
        return self.end - self.start

    @property
    def reason(self) -> str:
        """Why it was removed, in the active language."""
        return self.kind.reason


@dataclass(frozen=True, slots=True)
class Redaction:
    text: str
    findings: tuple[Finding, ...]

    @property
    def redacted(self) -> bool:
        return bool(self.findings)

    @property
    def kinds(self) -> frozenset[SecretKind]:
        return frozenset(finding.kind for finding in self.findings)


def _candidates(text: str) -> Iterator[Finding]:
    normalized = normalize(text)
    folded = normalized.text

    def found(kind: SecretKind, start: int, end: int, verified: bool = False) -> Finding:
        return Finding(kind, *normalized.original_span(start, end), verified=verified)

    for start, end, checksum in find_seed_phrases(normalized):
        yield found(SecretKind.SEED_PHRASE, start, end, checksum)
    for start, end, verified in find_private_keys(folded):
        yield found(SecretKind.PRIVATE_KEY, start, end, verified)
    for kind, start, end in find_labelled(folded):
        yield found(kind, start, end)
    for kind, start, end in find_numbers(folded):
        yield found(kind, start, end, True)


def _without_overlaps(candidates: Iterable[Finding]) -> list[Finding]:
    kept: list[Finding] = []
    ranked = sorted(candidates, key=lambda f: (_PRIORITY[f.kind], -f.length, f.start))
    for finding in ranked:
        if all(finding.end <= other.start or finding.start >= other.end for other in kept):
            kept.append(finding)
    return sorted(kept, key=lambda f: f.start)


def placeholder(kind: SecretKind) -> str:
    return _("[redacted: %(kind)s]") % {"kind": kind.label}


def redact_secrets(text: str) -> Redaction:
    """Replace every secret found in `text`; safe on any input, never raises on content."""
    findings = _without_overlaps(_candidates(text))
    if not findings:
        return Redaction(text, ())
    parts: list[str] = []
    position = 0
    for finding in findings:
        parts.append(text[position : finding.start])
        parts.append(placeholder(finding.kind))
        position = finding.end
    parts.append(text[position:])
    return Redaction("".join(parts), tuple(findings))


def describe_findings(findings: Sequence[Finding]) -> str:
    """What was removed and why, for the customer, in the active language ("" for nothing)."""
    if not findings:
        return ""
    kinds = sorted({f.kind for f in findings}, key=lambda kind: _PRIORITY[kind])
    lines = [_("For your safety, parts of your message were removed before it was saved or shown:")]
    lines.extend(f"- {kind.reason}" for kind in kinds)
    return "\n".join(lines)
