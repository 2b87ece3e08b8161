"""Secrets recognised by the label typed before them: 2FA codes, passwords, API secrets.

A label alone is not enough ("I forgot my password" is a question, not a secret): the value
must follow the label directly, after a colon, an equals sign, "is" or "は", and must look
like the secret it claims to be (digits for a code, a password-like token, a long key).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from madoguchi.safety.redaction.kinds import SecretKind

# What may stand between a label and its value: "code: 123456", "code is 123456",
# "コードは123456", "パスワード：abc", "password = 'abc'", "(2FA) code 123456".
_JOIN = r"(?:\s*(?:[:：=]|\bis\b|\bwas\b|は|が|を)\s*|\s*)[\"'「『“]?"

_TWO_FACTOR = re.compile(
    r"(?:\b2fa\b|\bmfa\b|\botp\b|two[- ]factor|2[- ]?step|authenticator|"
    r"(?:verification|authentication|auth|security|one[- ]time|sms|google)[ -]?code|"
    r"(?:2段階|二段階|二要素|2要素)認証(?:の)?(?:コード|番号)?|認証コード|確認コード|認証番号|"
    r"ワンタイムパスワード|ワンタイムコード)"
    r"(?:\s*code)?" + _JOIN + r"(?<![0-9])(\d{3}[ -]?\d{3}|\d{6,8})(?![0-9])",
    re.IGNORECASE,
)

_PASSWORD_VALUE = r"([!-~]{6,128})"  # noqa: S105 - a pattern, not a password
# Sentence punctuation typed after the password ("password: hunter2.") is not part of it.
_TRAILING = ".,;)\"'"
_PASSWORD = re.compile(
    r"(?:\bpass(?:word|wd|phrase)\b|\bpwd\b|パスワード|パスフレーズ|暗証番号)"
    + _JOIN
    + _PASSWORD_VALUE,
    re.IGNORECASE,
)
_PIN = re.compile(
    r"(?:\bPIN(?:\s*code)?\b|暗証番号|PINコード)" + _JOIN + r"(?<![0-9])(\d{4,8})(?![0-9])",
    re.IGNORECASE,
)

_API_SECRET = re.compile(
    r"(?:\bapi[ _-]?(?:secret|private)(?:[ _-]?key)?\b|\bsecret[ _-]?key\b|\bclient[ _-]?secret\b|"
    r"\bapi[ _-]?key\b|\baccess[ _-]?token\b|\bbearer\b|APIシークレット|API\s*シークレット|"
    r"シークレット\s*キー|APIキー|API\s*キー|秘密キー|アクセストークン)"
    + _JOIN
    + r"([A-Za-z0-9+/_\-]{16,4096}={0,2})(?![A-Za-z0-9+/_\-=])",
    re.IGNORECASE,
)
# Token shapes that are secrets whatever stands before them.
_KNOWN_TOKENS = re.compile(
    r"(?<![A-Za-z0-9_])(?:sk_live_[A-Za-z0-9]{16,}|gh[pousr]_[A-Za-z0-9]{36,}|"
    r"xox[abprs]-[A-Za-z0-9-]{10,}|"
    # madoguchi's own API tokens (madoguchi.api.tokens), pasted into a ticket by an integrator.
    r"mdg_[a-z0-9]{8}_[A-Za-z0-9]{40}|"
    # A JSON Web Token: header, payload and signature, each base64url.
    r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})(?![A-Za-z0-9_])"
)

# Words that follow "password is"/"パスワードは" in questions rather than a password.
_PASSWORD_STOPWORDS = frozenset(
    {"correct", "incorrect", "invalid", "expired", "changed", "required", "working", "wrong"}
)


def _looks_like_password(value: str) -> bool:
    if value.lower() in _PASSWORD_STOPWORDS:
        return False
    has_digit = any(c.isdigit() for c in value)
    has_letter = any(c.isalpha() for c in value)
    has_symbol = any(not c.isalnum() for c in value)
    mixed_case = value[1:] != value[1:].lower() and value != value.upper()
    return has_digit or has_symbol or mixed_case or not has_letter


def _looks_like_api_secret(value: str) -> bool:
    # A real key mixes digits with letters; a long word ("configuration") does not.
    return any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


def find_labelled(text: str) -> Iterator[tuple[SecretKind, int, int]]:
    for match in _TWO_FACTOR.finditer(text):
        yield SecretKind.TWO_FACTOR_CODE, *match.span(1)
    for match in _PIN.finditer(text):
        yield SecretKind.PASSWORD, *match.span(1)
    for match in _PASSWORD.finditer(text):
        value = match.group(1).rstrip(_TRAILING)
        if len(value) >= 4 and _looks_like_password(value):
            yield SecretKind.PASSWORD, match.start(1), match.start(1) + len(value)
    for match in _API_SECRET.finditer(text):
        if _looks_like_api_secret(match.group(1)):
            yield SecretKind.API_SECRET, *match.span(1)
    for match in _KNOWN_TOKENS.finditer(text):
        yield SecretKind.API_SECRET, *match.span()
