"""`InboundMessage`: what every channel turns its input into before calling `intake.receive`.

Channels fill the first group of fields; the pipeline's steps return copies with the rest
filled in (`dataclasses.replace`), so a message is never changed in place.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any

from django.utils import timezone


@dataclass(frozen=True, slots=True)
class InboundAttachment:
    name: str
    data: bytes
    declared_type: str = ""


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file that passed the content checks (`madoguchi.tickets.uploads`), ready to keep."""

    name: str
    content_type: str
    data: bytes
    size: int
    sha256: str
    original_sha256: str


@dataclass(frozen=True, slots=True)
class Triage:
    """What triage decided, with the problem type's routing facts so later steps need not ask."""

    problem_type: str
    priority: str
    security: bool
    reasons: tuple[str, ...] = ()
    problem_type_id: int | None = None
    group_id: int | None = None
    group_slug: str = ""
    response_hours: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One message from one channel, as intake receives it."""

    channel: str
    body: str
    subject: str = ""
    sender_email: str = ""
    sender_name: str = ""
    # A signed-in customer (their user id) or an integration (its name) that vouches for the
    # sender; `email_verified` says the channel proved `sender_email` belongs to the sender.
    customer_id: int | None = None
    integration: str = ""
    email_verified: bool = False
    external_user_id: str = ""
    problem_type: str = ""
    fields: Mapping[str, str] = field(default_factory=dict)
    attachments: tuple[InboundAttachment, ...] = ()
    language: str = ""
    # Threading hints: a ticket the channel already knows (a reply on the customer's page),
    # a per-ticket reply token, or mail headers.
    ticket_id: int | None = None
    reply_token: str = ""
    message_id: str = ""
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    is_automated: bool = False
    # People the sender copied in (mail Cc), to stay copied on the answers.
    cc: tuple[str, ...] = ()
    # Where the message came in, when the channel knows: a brand of MADOGUCHI_BRANDS and a
    # support group's slug (a mailbox kept for one team). Routing may still move it; security
    # problems always go to the security group.
    brand: str = ""
    group_hint: str = ""
    # What the channel found suspicious about the sender (a mail claiming to be the exchange,
    # failed DMARC), for the agent: {"kind": "suspicious_sender", "reason": code, "detail": ...}.
    sender_flags: tuple[Mapping[str, Any], ...] = ()
    # An agent looked at a held message and let it join `ticket_id`.
    hold_released: bool = False
    suggestions_shown: tuple[str, ...] = ()
    suggestions_opened: tuple[str, ...] = ()
    received_at: datetime = field(default_factory=timezone.now)
    # Filled in by the steps.
    files: tuple[StoredFile, ...] = ()
    rejected_files: tuple[tuple[str, str], ...] = ()
    redacted_kinds: tuple[str, ...] = ()
    link_findings: tuple[Mapping[str, Any], ...] = ()
    notices: tuple[str, ...] = ()
    screened: bool = False
    triage: Triage | None = None
    stored_ticket_id: int | None = None
    stored_message_id: int | None = None
    created: bool = False

    def __post_init__(self) -> None:
        # Frozen all the way down: a step cannot edit the fields behind another step's back.
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))

    def with_changes(self, **changes: Any) -> InboundMessage:
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe form, for the quarantine; `from_json` reads it back."""
        data: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name == "fields":
                value = dict(value)
            elif item.name in ("attachments", "files"):
                value = [
                    {**asdict(part), "data": base64.b64encode(part.data).decode()} for part in value
                ]
            elif item.name == "triage":
                value = asdict(value) if value else None
            elif item.name == "received_at":
                value = value.isoformat()
            elif item.name in ("link_findings", "sender_flags"):
                value = [dict(finding) for finding in value]
            elif isinstance(value, tuple):
                value = [list(v) if isinstance(v, tuple) else v for v in value]
            data[item.name] = value
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> InboundMessage:
        known = {item.name for item in fields(cls)}
        values: dict[str, Any] = {k: v for k, v in data.items() if k in known}
        for name, kind in (("attachments", InboundAttachment), ("files", StoredFile)):
            values[name] = tuple(
                kind(**{**part, "data": base64.b64decode(part["data"])})  # type: ignore[arg-type]
                for part in values.get(name, ())
            )
        if values.get("triage"):
            triage = dict(values["triage"])
            triage["reasons"] = tuple(triage.get("reasons", ()))
            triage["response_hours"] = dict(triage.get("response_hours") or {})
            values["triage"] = Triage(**triage)
        if "received_at" in values:
            values["received_at"] = datetime.fromisoformat(values["received_at"])
        for name in (
            "references",
            "suggestions_shown",
            "suggestions_opened",
            "redacted_kinds",
            "notices",
            "link_findings",
            "cc",
            "sender_flags",
        ):
            if name in values:
                values[name] = tuple(values[name])
        if "rejected_files" in values:
            values["rejected_files"] = tuple(tuple(pair) for pair in values["rejected_files"])
        return cls(**values)
