"""The new part of a reply: quoted history folded away, the signature recognised.

visible_reply(text) returns (new_text, quoted_text, signature). Quoted history starts at a
mail program's attribution line ("On ... wrote:", "... さんは書きました:", Outlook's
"-----Original Message-----", "--- 元のメッセージ ---") or is made of ">" lines. A signature
starts at the "-- " line of RFC 3676 §4.3 or at a separator line Japanese mailers use.
"""

from __future__ import annotations

import re

_ATTRIBUTION = [
    re.compile(r"^\s*On\b.{0,300}\bwrote:\s*$", re.IGNORECASE),
    re.compile(r"^.{0,300}\b(wrote|написал[а]?|schrieb|escribió|ha scritto|schreef)\s*:\s*$"),
    re.compile(r"^\s*-{2,}\s*(Original Message|Forwarded message)\s*-{2,}", re.IGNORECASE),
    re.compile(r"^\s*-{2,}\s*(元の|転送された)メッセージ\s*-{2,}"),
    re.compile(r"^.{0,200}(さん|様)?(は|が)書きました\s*[:：]?\s*$"),
    re.compile(r"^\s*\d{4}年\d{1,2}月\d{1,2}日.{0,200}[:：]\s*$"),
    re.compile(r"^\s*Le .{0,300} a écrit\s*:\s*$"),
    re.compile(r"^\s*_{10,}\s*$"),
]
_OUTLOOK_FROM = re.compile(r"^\s*\*?(From|差出人|送信者)\*?\s*[:：]")
_OUTLOOK_NEXT = re.compile(r"^\s*\*?(Sent|Date|To|Subject|送信日時|日付|宛先|件名)\*?\s*[:：]")
# RFC 3676 §4.3 signature separator, and the ruled lines Japanese signatures open with.
_SIGNATURE = re.compile(r"^(-- ?|-{4,}|={4,}|_{4,}|\*{4,}|[━─＝～〜＊■□◆◇☆★━]{3,}.*)\s*$")
_DASHES = re.compile(r"^-- ?$")
_SIGNATURE_WINDOW = 15


def _attribution_at(lines: list[str], index: int) -> bool:
    line = lines[index]
    if any(p.match(line) for p in _ATTRIBUTION):
        return True
    # "On Mon, 1 Jan 2024, Someone <a@b>\nwrote:" split by the sender's line wrapping.
    if (
        index + 1 < len(lines)
        and not lines[index + 1].lstrip().startswith(">")
        and not line.lstrip().startswith(">")
        and any(p.match(line + " " + lines[index + 1].strip()) for p in _ATTRIBUTION[:2])
    ):
        return lines[index + 1].rstrip().endswith(":")
    if _OUTLOOK_FROM.match(line):
        following = lines[index + 1 : index + 4]
        return any(_OUTLOOK_NEXT.match(n) for n in following)
    return False


def _split_signature(lines: list[str]) -> tuple[list[str], list[str]]:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    start = max(1, len(lines) - _SIGNATURE_WINDOW)
    # The last "-- " line wins; a ruled box opens at its first rule.
    for i in range(len(lines) - 1, start - 1, -1):
        if _DASHES.match(lines[i]):
            return lines[:i], lines[i:]
    for i in range(start, len(lines)):
        if _SIGNATURE.match(lines[i]) and any(x.strip() for x in lines[:i]):
            return lines[:i], lines[i:]
    return lines, []


def visible_reply(text: str) -> tuple[str, str, str]:
    """(new_text, quoted_text, signature) of a reply's plain text."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut = len(lines)
    for i in range(len(lines)):
        if _attribution_at(lines, i):
            cut = i
            break
    head, quoted = lines[:cut], lines[cut:]
    new = [line for line in head if not line.lstrip().startswith(">")]
    inline_quotes = [line for line in head if line.lstrip().startswith(">")]
    after = [line for line in quoted[1:] if line.strip()]
    if after and not after[0].lstrip().startswith(">") and after[0].rstrip().endswith(":"):
        after = after[1:]  # the second half of an attribution wrapped over two lines
    if after and after[0].lstrip().startswith(">"):
        # A ">" quote under the attribution: text between and after its lines is the
        # answer (bottom-posting and inline replies).
        attribution_lines = 1 if any(p.match(quoted[0]) for p in _ATTRIBUTION) else 2
        rest = quoted[attribution_lines:]
        answer = [line for line in rest if not line.lstrip().startswith(">")]
        if any(line.strip() for line in answer):
            new = [*new, *answer]
            quoted = quoted[:attribution_lines] + [
                line for line in rest if line.lstrip().startswith(">")
            ]
    if inline_quotes:
        quoted = inline_quotes + ([""] if quoted else []) + quoted
    new, signature = _split_signature(new)
    return (
        "\n".join(new).strip(),
        "\n".join(quoted).strip(),
        "\n".join(signature).strip(),
    )
