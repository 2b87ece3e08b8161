"""Step 1: one text form for everything that follows (NFC, no control characters, a language)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from madoguchi.intake.inbound import InboundMessage
from madoguchi.tickets.text import clean_text

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")


class UnreadableSender(ValueError):
    """The sender's address cannot be used to answer."""


def detect_language(*texts: str) -> str:
    return "ja" if any(_JAPANESE.search(text) for text in texts) else "en"


def normalize(message: InboundMessage) -> InboundMessage:
    subject = " ".join(clean_text(message.subject).split())
    body = clean_text(message.body).strip()
    email = message.sender_email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise UnreadableSender("the sender's email address is not valid") from None
    language = message.language[:2] if message.language[:2] in ("ja", "en") else ""
    return message.with_changes(
        subject=subject,
        body=body,
        sender_email=email.lower() if email.isascii() else email,
        sender_name=" ".join(clean_text(message.sender_name).split())[:200],
        external_user_id=clean_text(message.external_user_id).strip()[:64],
        fields={
            clean_text(str(key))[:40]: clean_text(str(value)).strip()
            for key, value in message.fields.items()
        },
        language=language or detect_language(subject, body),
    )
