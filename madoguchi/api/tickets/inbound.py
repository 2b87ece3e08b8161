"""API requests turned into intake's `InboundMessage`, after the checks that name their field.

Everything intake would refuse later (a blank body, an unusable email, too many files) is
refused here first with a 422, so a request either becomes a ticket or says what to fix;
intake's own quarantine is left for failures nobody could have fixed in the request.
Text is checked in the form intake will store it (NFC, no control characters).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from madoguchi.api.tickets.errors import FieldCode, FieldProblem, problem
from madoguchi.api.tickets.schemas import AttachmentIn
from madoguchi.intake.inbound import InboundAttachment
from madoguchi.intake.pipeline import Outcome
from madoguchi.tickets.errors import TicketError, TicketErrorCode
from madoguchi.tickets.services.conversation import MAX_BODY_CHARS, checked_body
from madoguchi.tickets.services.opening import SUBJECT_CHARS
from madoguchi.tickets.text import clean_text, has_visible_text
from madoguchi.tickets.uploads import UploadRejected, check_count
from madoguchi.tickets.uploads.limits import check_size

EMAIL_CHARS = 254
NAME_CHARS = 200
EXTERNAL_ID_CHARS = 64
LANGUAGES = ("ja", "en")
_BASE64_SPACE = re.compile(r"[ \t\r\n]+")


def check_subject(subject: str, problems: list[FieldProblem]) -> None:
    # Measured as intake stores it: spaces collapsed, control characters gone.
    stored = " ".join(clean_text(subject).split())
    if not has_visible_text(stored):
        problems.append(problem("subject", FieldCode.BLANK))
    elif len(stored) > SUBJECT_CHARS:
        problems.append(problem("subject", FieldCode.TOO_LONG, limit=SUBJECT_CHARS))


def check_body(body: str, problems: list[FieldProblem], field: str = "body") -> None:
    if len(body) > 2 * MAX_BODY_CHARS:
        problems.append(problem(field, FieldCode.TOO_LONG, limit=MAX_BODY_CHARS))
        return
    try:
        checked_body(clean_text(body))
    except TicketError as error:
        if error.code == TicketErrorCode.MESSAGE_TOO_LONG:
            problems.append(problem(field, FieldCode.TOO_LONG, limit=MAX_BODY_CHARS))
        else:
            problems.append(problem(field, FieldCode.BLANK))


def check_email(email: str, problems: list[FieldProblem]) -> None:
    value = email.strip()
    if not value:
        problems.append(problem("requester_email", FieldCode.REQUIRED))
        return
    try:
        validate_email(value[: EMAIL_CHARS + 1])
    except ValidationError:
        problems.append(problem("requester_email", FieldCode.BAD_EMAIL))
        return
    if len(value) > EMAIL_CHARS:
        problems.append(problem("requester_email", FieldCode.TOO_LONG, limit=EMAIL_CHARS))


def check_short_text(value: str, *, field: str, limit: int, problems: list[FieldProblem]) -> None:
    if len(" ".join(clean_text(value).split())) > limit:
        problems.append(problem(field, FieldCode.TOO_LONG, limit=limit))


def check_language(language: str, problems: list[FieldProblem]) -> str:
    value = language.strip().lower()
    if value and value not in LANGUAGES:
        problems.append(problem("language", FieldCode.BAD_LANGUAGE))
        return ""
    return value


def decode_attachments(
    items: Sequence[AttachmentIn], problems: list[FieldProblem]
) -> tuple[InboundAttachment, ...]:
    """Base64 decoded and measured; the content checks themselves run in intake."""
    try:
        check_count(len(items))
    except UploadRejected as error:
        problems.append(FieldProblem("attachments", error.code.value, error.message))
        return ()
    decoded = []
    for index, item in enumerate(items):
        field = f"attachments.{index}"
        if not item.name.strip():
            problems.append(problem(f"{field}.name", FieldCode.REQUIRED))
        try:
            data = base64.b64decode(_BASE64_SPACE.sub("", item.content), validate=True)
        except (binascii.Error, ValueError):
            problems.append(problem(f"{field}.content", FieldCode.BAD_BASE64))
            continue
        try:
            check_size(len(data))
        except UploadRejected as error:
            problems.append(FieldProblem(f"{field}.content", error.code.value, error.message))
            continue
        decoded.append(
            InboundAttachment(
                name=item.name[:255], data=data, declared_type=item.content_type[:100]
            )
        )
    return tuple(decoded)


def notices(outcome: Outcome) -> list[str]:
    return [str(notice) for notice in outcome.notices]


def rejected_files(outcome: Outcome) -> list[dict[str, str]]:
    message = outcome.message
    if message is None:
        return []
    return [{"name": name, "message": reason} for name, reason in message.rejected_files]
