"""Decoding bytes whose charset label may be missing or wrong.

Japanese mail in the wild is labelled iso-2022-jp while holding Shift_JIS, us-ascii while
holding 8-bit bytes, or carries no label at all. We try the label first, then a fallback
order, and keep the first decoding that is clean (no replacement characters needed).
"""

from __future__ import annotations

import codecs

# ISO-2022-JP as sent by Windows (CP50220/50221: half-width katakana, NEC specials) and by
# JIS X 0213 mailers: Python has no cp5022x codec, so try the supersets it offers.
_FAMILIES: dict[str, tuple[str, ...]] = {
    "iso2022_jp": ("iso2022_jp", "iso2022_jp_ext"),
    "shift_jis": ("cp932", "shift_jis_2004", "shift_jisx0213"),
    "cp932": ("cp932", "shift_jis_2004"),
    "euc_jp": ("euc_jp", "euc_jis_2004", "euc_jisx0213"),
    "ascii": ("ascii",),
    "gb2312": ("gb2312", "gbk", "gb18030"),
    "gbk": ("gbk", "gb18030"),
    "big5": ("big5", "cp950", "big5hkscs"),
    "ks_c_5601-1987": ("cp949",),
    "euc_kr": ("euc_kr", "cp949"),
    "latin_1": ("cp1252", "latin_1"),
    "iso8859-1": ("cp1252", "latin_1"),
}

FALLBACKS = ("utf-8", "euc_jp", "cp932")
_JIS_ESCAPES = {
    b"\x1b(B": "ascii",
    b"\x1b(J": "ascii",
    b"\x1b(I": "kana",
    b"\x1b$@": "jis",
    b"\x1b$B": "jis",
    b"\x1b$(Q": "jis",
    b"\x1b$(O": "jis",
}


def decode_cp5022x(data: bytes) -> str:
    """ISO-2022-JP as Windows writes it (CP50220/50221), which Python has no codec for.

    Each JIS X 0208 pair is mapped to Shift_JIS and read as CP932, so the NEC special
    characters (row 13: ①, №, ㈱) and IBM extensions come out right; ESC ( I and SO/SI
    give half-width katakana. Raises UnicodeDecodeError on bytes it cannot place.
    """
    out = bytearray()
    mode = "ascii"
    i = 0
    while i < len(data):
        matched = next((e for e in _JIS_ESCAPES if data.startswith(e, i)), None)
        if matched:
            mode = _JIS_ESCAPES[matched]
            i += len(matched)
            continue
        byte = data[i]
        if byte == 0x0E:
            mode, i = "kana", i + 1
            continue
        if byte == 0x0F:
            mode, i = "ascii", i + 1
            continue
        if byte in (0x0A, 0x0D) or mode == "ascii":
            if byte >= 0x80:
                raise UnicodeDecodeError("cp5022x", data, i, i + 1, "8-bit byte")
            out.append(byte)
            i += 1
        elif mode == "kana":
            if not 0x21 <= byte <= 0x5F:
                raise UnicodeDecodeError("cp5022x", data, i, i + 1, "not a kana byte")
            out.append(byte + 0x80)
            i += 1
        else:
            if i + 1 >= len(data):
                raise UnicodeDecodeError("cp5022x", data, i, i + 1, "truncated")
            j1, j2 = byte, data[i + 1]
            if not (0x21 <= j1 <= 0x7E and 0x21 <= j2 <= 0x7E):
                raise UnicodeDecodeError("cp5022x", data, i, i + 2, "not a JIS pair")
            s1 = ((j1 + 1) >> 1) + (0x70 if j1 <= 0x5E else 0xB0)
            s2 = j2 + (0x1F if j1 % 2 else 0x7E)
            if j1 % 2 and s2 >= 0x7F:
                s2 += 1
            out += bytes((s1, s2))
            i += 2
    return bytes(out).decode("cp932")


def _canonical(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in ("x-sjis", "sjis", "x-shift_jis", "ms_kanji", "windows-31j", "csshiftjis"):
        label = "shift_jis"
    if label in ("x-euc-jp", "x-euc"):
        label = "euc_jp"
    if label in ("iso-2022-jp-ms", "cp50220", "cp50221", "cp50222", "csiso2022jp"):
        label = "iso2022_jp"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _candidates(canonical: str | None) -> tuple[str, ...]:
    if canonical is None:
        return ()
    return _FAMILIES.get(canonical, (canonical,))


def _is_japanese(ch: str) -> bool:
    code = ord(ch)
    return 0x3000 <= code <= 0x30FF or 0x4E00 <= code <= 0x9FFF or 0xFF01 <= code <= 0xFF5E


def _japanese_score(text: str) -> int:
    """How much a decoding reads as Japanese: runs of kana and kanji count, while lone
    kanji between Latin letters, half-width katakana, private-use and C1 characters (what a
    wrong guess produces) count against it."""
    score = 0
    for index, ch in enumerate(text):
        code = ord(ch)
        if _is_japanese(ch):
            before = text[index - 1] if index else ""
            after = text[index + 1] if index + 1 < len(text) else ""
            score += (
                2 if (before and _is_japanese(before)) or (after and _is_japanese(after)) else -3
            )
        elif 0xFF61 <= code <= 0xFF9F or 0xE000 <= code <= 0xF8FF or 0x80 <= code <= 0x9F:
            score -= 3
    return score


def decode_bytes(data: bytes, label: str | None) -> tuple[str, str | None]:
    """Return (text, defect) where defect is None when the label was right."""
    if not data:
        return "", None
    canonical = _canonical(label)
    tried: list[str] = []
    for codec in _candidates(canonical):
        tried.append(codec)
        try:
            return data.decode(codec), None
        except (UnicodeDecodeError, LookupError):
            continue
    if canonical == "iso2022_jp" or b"\x1b$" in data or b"\x1b(" in data:
        try:
            text = decode_cp5022x(data)
        except UnicodeDecodeError:
            pass
        else:
            return text, None if canonical == "iso2022_jp" else _mislabel(label, "cp50221")
        for codec in ("iso2022_jp_ext", "iso2022_jp_2004", "iso2022_jp_3", "iso2022_jp_2"):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            return text, None if canonical == "iso2022_jp" else _mislabel(label, codec)
    if data.isascii():
        return data.decode("ascii"), None
    clean: list[tuple[str, str]] = []
    for codec in FALLBACKS:
        if codec in tried:
            continue
        try:
            clean.append((codec, data.decode(codec)))
        except UnicodeDecodeError:
            continue
        if codec == "utf-8":
            break
    if clean:
        codec, text = max(clean, key=lambda item: _japanese_score(item[1]))
        if codec == "utf-8" or _japanese_score(text) > 0:
            return text, _mislabel(label, codec)
    # Mostly UTF-8 with a few broken bytes: keep the UTF-8 and say what was lost.
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    if broken <= 2 and any(ord(c) > 0x7F and c != "\ufffd" for c in text):
        return text, f"{broken} byte sequence(s) not valid in any charset replaced"
    # Western 8-bit text (RFC 2045 leaves unlabelled 8-bit undefined; Windows-1252 is common).
    for codec in ("cp1252", "latin_1"):
        try:
            return data.decode(codec), _mislabel(label, codec)
        except UnicodeDecodeError:
            continue
    return text, "undecodable bytes replaced"  # pragma: no cover - latin-1 always decodes


def _mislabel(label: str | None, codec: str) -> str | None:
    if not label:
        return None
    return f"charset label {label!r} did not fit the bytes; decoded as {codec}"
