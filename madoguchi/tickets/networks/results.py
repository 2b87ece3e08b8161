"""The answer of every check: valid or not, a code, a translated message, the normalized value."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise

from madoguchi.tickets.networks.errors import MESSAGES, CheckCode

Text = str | Promise


@dataclass(frozen=True)
class CheckResult:
    """`normalized` is the value to store (trimmed, canonical case) and is None when invalid.

    `message` is rendered when read, so it follows the language active at that moment.
    """

    valid: bool
    code: CheckCode
    normalized: str | None = None
    params: tuple[tuple[str, Text], ...] = ()
    embedded_memo: str | None = field(default=None, compare=False)

    @property
    def message(self) -> str:
        params = {key: str(value) for key, value in self.params}
        return str(MESSAGES[self.code]) % _Defaults(params)

    def with_params(self, **params: Text) -> CheckResult:
        merged: dict[str, Text] = dict(self.params)
        merged.update(params)
        return CheckResult(
            valid=self.valid,
            code=self.code,
            normalized=self.normalized,
            params=tuple(sorted(merged.items(), key=lambda item: item[0])),
            embedded_memo=self.embedded_memo,
        )


class _Defaults(dict[str, str]):
    """Leaves a parameter a message names but a check did not supply visibly empty, not a crash."""

    def __missing__(self, key: str) -> str:
        return ""


def ok(normalized: str, *, embedded_memo: str | None = None) -> CheckResult:
    return CheckResult(
        valid=True, code=CheckCode.VALID, normalized=normalized, embedded_memo=embedded_memo
    )


def fail(code: CheckCode, **params: Text) -> CheckResult:
    return CheckResult(
        valid=False, code=code, params=tuple(sorted(params.items(), key=lambda item: item[0]))
    )
