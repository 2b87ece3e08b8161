"""Why the ticket API refused a request: codes with messages in the caller's language.

An endpoint raises `Refused`; the API answers it with `Refused.status` and `as_json()` (the
handler is installed in madoguchi.api.api). A 422 names
every field at fault at once (`errors`: field, code, message), so an integration fixes a
request in one round.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from madoguchi.tickets.errors import ANSWER_MESSAGES, AnswerCode


class RefusalCode(StrEnum):
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    BODY_TOO_LARGE = "body_too_large"
    GROUP_NOT_ALLOWED = "group_not_allowed"
    CLOSED = "closed"


class FieldCode(StrEnum):
    REQUIRED = "required"
    BLANK = "blank"
    TOO_LONG = "too_long"
    BAD_EMAIL = "bad_email"
    BAD_LANGUAGE = "bad_language"
    UNKNOWN_PROBLEM_TYPE = "unknown_problem_type"
    BAD_DATETIME = "bad_datetime"
    BAD_BASE64 = "bad_base64"
    BAD_STATUS = "bad_status"
    BAD_PRIORITY = "bad_priority"
    NOTHING_TO_CHANGE = "nothing_to_change"
    BAD_CURSOR = "bad_cursor"
    BAD_LIMIT = "bad_limit"
    BAD_FILTER = "bad_filter"
    CONTEXT_TOO_LARGE = "context_too_large"
    CONTEXT_TOO_DEEP = "context_too_deep"
    CONTEXT_BAD_KEY = "context_bad_key"
    CONTEXT_BAD_VALUE = "context_bad_value"


REFUSALS: dict[RefusalCode, tuple[int, Promise]] = {
    RefusalCode.NOT_FOUND: (
        404,
        _("There is no ticket with this ID that this API token may see."),
    ),
    RefusalCode.INVALID: (
        422,
        _("Some values of the request need correcting; each is named in “errors”."),
    ),
    RefusalCode.BODY_TOO_LARGE: (
        413,
        _(
            "The request is larger than %(limit)s. Send fewer or smaller attachments in one "
            "request."
        ),
    ),
    RefusalCode.GROUP_NOT_ALLOWED: (
        403,
        _(
            "Tickets of this problem type go to the support group “%(group)s”, which this "
            "API token may not work with."
        ),
    ),
    RefusalCode.CLOSED: (
        409,
        _("This ticket is closed: its status cannot change any more."),
    ),
}

# REQUIRED, TOO_LONG and BAD_DATETIME say what an answer to a problem type's field is told
# (madoguchi.tickets.answers), in the same words.
FIELD_MESSAGES: dict[FieldCode, Promise] = {
    FieldCode.REQUIRED: ANSWER_MESSAGES[AnswerCode.REQUIRED],
    FieldCode.BLANK: _("Write some text here; spaces and invisible characters alone do not count."),
    FieldCode.TOO_LONG: ANSWER_MESSAGES[AnswerCode.TOO_LONG],
    FieldCode.BAD_EMAIL: _("Enter a valid email address, such as hanako@example.jp."),
    FieldCode.BAD_LANGUAGE: _("Use “ja” or “en”, or leave it empty to detect the language."),
    FieldCode.UNKNOWN_PROBLEM_TYPE: _("There is no such problem type. Use one of: %(valid)s."),
    FieldCode.BAD_DATETIME: ANSWER_MESSAGES[AnswerCode.BAD_DATETIME],
    FieldCode.BAD_BASE64: _("This is not valid base64. Encode the file's bytes with base64."),
    FieldCode.BAD_STATUS: _("There is no such status. Use one of: %(valid)s."),
    FieldCode.BAD_PRIORITY: _("There is no such priority. Use one of: %(valid)s."),
    FieldCode.NOTHING_TO_CHANGE: _("Give a new status or priority."),
    FieldCode.BAD_CURSOR: _(
        "This cursor is not one this API gave out. Start again without a cursor."
    ),
    FieldCode.BAD_LIMIT: _("Give a whole number from 1 to %(limit)s."),
    FieldCode.BAD_FILTER: _(
        "This value cannot match any ticket: it is too long or has control characters."
    ),
    FieldCode.CONTEXT_TOO_LARGE: _(
        "The account context may take at most %(limit)s KB as JSON, together with what the "
        "ticket already has."
    ),
    FieldCode.CONTEXT_TOO_DEEP: _("Nest objects and lists at most %(limit)s levels deep."),
    FieldCode.CONTEXT_BAD_KEY: _(
        "Each key is 1 to %(limit)s characters without control characters."
    ),
    FieldCode.CONTEXT_BAD_VALUE: _(
        "Values are text without control characters, whole numbers within 64 bits, finite "
        "numbers, true, false or null."
    ),
}


@dataclass(frozen=True)
class FieldProblem:
    """One value at fault: `field` is a dotted path such as `fields.txid` or `attachments.0`."""

    field: str
    code: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


def problem(field: str, code: FieldCode, **params: Any) -> FieldProblem:
    text = str(FIELD_MESSAGES[code])
    return FieldProblem(field=field, code=code.value, message=text % params if params else text)


class Refused(Exception):
    """A request the ticket API answers with an error instead of doing it."""

    def __init__(
        self,
        code: RefusalCode,
        *,
        problems: Sequence[FieldProblem] = (),
        **params: Any,
    ) -> None:
        self.code = code
        self.problems = tuple(problems)
        self.params = params
        super().__init__(code.value)

    @property
    def status(self) -> int:
        return REFUSALS[self.code][0]

    @property
    def message(self) -> str:
        text = str(REFUSALS[self.code][1])
        return text % self.params if self.params else text

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code.value, "message": self.message}
        if self.code == RefusalCode.INVALID:
            body["errors"] = [item.as_json() for item in self.problems]
        return body


def invalid(problems: Sequence[FieldProblem]) -> Refused:
    return Refused(RefusalCode.INVALID, problems=problems)
