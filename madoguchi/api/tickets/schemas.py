"""What the ticket API reads and writes, as the OpenAPI schema shows it.

Text fields are plain strings with no length rules here: the endpoints check lengths and
content themselves, so every refusal names its field with a translated message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict


class StrictIn(Schema):
    # A misspelt key ("acount_context") is refused rather than silently dropped.
    model_config = ConfigDict(extra="forbid")


class AttachmentIn(StrictIn):
    name: str = Field(
        description="The file name as the customer chose it.", examples=["deposit.png"]
    )
    content_type: str = Field(
        "",
        description="The type the sender declared; the type is checked by content anyway.",
        examples=["image/png"],
    )
    content: str = Field(
        description="The file's bytes in base64 (RFC 4648 §4; line breaks allowed)."
    )


class TicketIn(StrictIn):
    requester_email: str = Field(
        description="The exchange's customer, whose email the exchange vouches for.",
        examples=["hanako@example.jp"],
    )
    requester_name: str = Field("", examples=["山田 花子"])
    external_user_id: str = Field(
        "",
        description="The customer's user ID at the exchange (up to 64 characters).",
        examples=["U-102938"],
    )
    problem_type: str = Field(
        "other",
        description="A problem type slug: deposit, withdrawal, login, trading, security, account…",
        examples=["deposit"],
    )
    subject: str = Field(
        description="Up to 200 characters.", examples=["BTCの入金が反映されません"]
    )
    body: str = Field(description="What happened, up to 100,000 characters.")
    fields: dict[str, str] = Field(
        default_factory=dict,
        description=(
            "Answers to the problem type's form fields, by key, each a string "
            "(amounts too, so no digit is lost); also `occurred_at` and `error_message`."
        ),
        examples=[{"coin": "BTC", "network": "BTC", "amount": "0.05"}],
    )
    language: str = Field("", description="ja or en; empty: detected from the text.")
    attachments: list[AttachmentIn] = Field(default_factory=list)
    account_context: dict[str, Any] | None = Field(
        None, description="What the exchange knows of the account; see POST …/account-context."
    )


class MessageIn(StrictIn):
    body: str = Field(description="The customer's reply, up to 100,000 characters.")
    language: str = Field("", description="ja or en; empty: the ticket's language.")
    attachments: list[AttachmentIn] = Field(default_factory=list)


class TicketChangeIn(StrictIn):
    status: str | None = Field(None, examples=["solved"])
    priority: str | None = Field(None, examples=["high"])


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str = Field(description="SHA-256 of the stored file (images are re-encoded).")
    url: str = Field(description="Where the file can be downloaded with the same token.")


class MessageOut(Schema):
    id: int
    author_kind: str = Field(description="customer, agent, system or integration.")
    channel: str
    body: str
    redacted_kinds: list[str] = Field(description="Kinds of secrets removed from the text.")
    created_at: datetime
    attachments: list[AttachmentOut]


class TicketSummaryOut(Schema):
    id: int
    subject: str
    status: str
    priority: str
    channel: str
    language: str
    problem_type: str | None
    group: str | None
    requester_email: str
    requester_name: str
    external_user_id: str
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    first_response_due_at: datetime | None
    first_response_at: datetime | None
    solved_at: datetime | None
    closed_at: datetime | None


class TicketOut(TicketSummaryOut):
    fields: dict[str, Any]
    account_context: dict[str, Any]
    csat_rating: int | None
    messages: list[MessageOut] = Field(
        description="Public messages, oldest first; no internal notes."
    )


class RejectedFileOut(Schema):
    name: str
    message: str


class TicketCreatedOut(TicketOut):
    duplicate: bool = False
    notices: list[str] = Field(
        description="What the customer should be told at once (e.g. that secrets were removed)."
    )
    rejected_attachments: list[RejectedFileOut]


class DuplicateOut(Schema):
    id: int = Field(description="The ticket that already holds this message.")
    duplicate: bool = True
    notices: list[str]


class AcceptedOut(Schema):
    outcome: str = Field(description="held or quarantined")
    quarantine_id: int | None
    notices: list[str]


class TicketPageOut(Schema):
    items: list[TicketSummaryOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class MessageCreatedOut(Schema):
    ticket_id: int = Field(
        description="The ticket the reply is on (a new one when the old was closed)."
    )
    follow_up_of: int | None = Field(
        description="The closed ticket this reply was meant for, when it opened a follow-up."
    )
    duplicate: bool = False
    message: MessageOut | None
    notices: list[str]
    rejected_attachments: list[RejectedFileOut]


class TicketStateOut(Schema):
    id: int
    status: str
    priority: str
    updated_at: datetime


class AccountContextOut(Schema):
    id: int
    account_context: dict[str, Any]


class FieldErrorOut(Schema):
    field: str
    code: str
    message: str


class InvalidOut(Schema):
    code: str
    message: str
    errors: list[FieldErrorOut]
