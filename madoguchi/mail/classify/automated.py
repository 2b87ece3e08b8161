"""Is this mail automatic, and what kind: so that no automatic mail is ever answered (no mail
loops) and a bounce of one of our replies can mark that reply as undelivered.

Recognised: delivery status notifications (RFC 3464) and the bounces of mailers that do not
send them, read receipts (RFC 8098), abuse reports (RFC 5965), auto-replies and out-of-office
notices (RFC 3834 and the headers and subjects mailers use instead), mailing lists (RFC 2919)
and bulk mail.
"""

from __future__ import annotations

import base64
import contextlib
import email
import email.policy
import re
import unicodedata
from dataclasses import dataclass
from email.message import Message
from enum import StrEnum

from madoguchi.mail.classify._message import (
    content_type,
    param,
    parse,
    payload_text,
    raw_values,
    subparts,
    text_value,
    walk,
)

__all__ = ["Automation", "MailKind", "RecipientStatus", "classify_automation"]


class MailKind(StrEnum):
    PERSONAL = "personal"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    DELAYED = "delayed"
    READ_RECEIPT = "read_receipt"
    FEEDBACK_REPORT = "feedback_report"
    MAILING_LIST = "mailing_list"
    BULK = "bulk"


@dataclass(frozen=True)
class RecipientStatus:
    """One per-recipient block of a delivery status report (RFC 3464 §2.3)."""

    recipient: str
    action: str
    status: str
    diagnostic: str


@dataclass(frozen=True)
class Automation:
    kind: MailKind
    reason: str  # for an operator's log, in English
    failed_recipients: tuple[str, ...] = ()
    original_message_id: str | None = None
    recipients: tuple[RecipientStatus, ...] = ()

    @property
    def automatic(self) -> bool:
        """Sent by a program, not typed by a person: never answer it automatically."""
        return self.kind != MailKind.PERSONAL


# Outlook and Exchange send auto-replies in the sender's language, often with no header that
# says so: the subject's localized prefix is then all there is.
AUTO_REPLY_SUBJECTS = re.compile(
    r"out of (the )?office|automatic reply|auto(matic)?[- ]?(reply|response)|autoreply"
    r"|vacation reply|自動応答|自動返信|不在通知|不在のお知らせ|不在連絡"
    r"|automatische antwort|abwesenheitsnotiz|réponse automatique|absence du bureau"
    r"|respuesta automática|fuera de la oficina|resposta automática|risposta automatica"
    r"|automatisch antwoord|automatyczna odpowiedź|автоматический ответ|автоответ"
    r"|自动回复|自動回覆|자동 회신|자동 응답",
    re.IGNORECASE,
)
# With no header to back it, only a subject that starts with the words, as a label ("自動応答:",
# "【不在通知】", "Out of Office"), counts: a customer may well write "自動返信メールが届きません"
# (the automatic reply never came), and must be heard.
AUTO_REPLY_SUBJECT_PREFIX = re.compile(
    rf"^\s*(?:\[[^\]]*\]\s*)?【?(?:{AUTO_REPLY_SUBJECTS.pattern})(?:\s*[:：】]|\s|$)",
    re.IGNORECASE,
)
BOUNCE_SUBJECTS = re.compile(
    r"undeliver|undelivered|delivery status notification|delivery (has )?failed"
    r"|failure notice|returned mail|mail delivery failed|delivery failure|could not be delivered"
    r"|配信不能|配送失敗|不達|エラーメール",
    re.IGNORECASE,
)
DAEMON_SENDERS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon)@", re.IGNORECASE)
MESSAGE_ID = re.compile(r"^message-id:\s*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)
ANGLE_ID = re.compile(r"<[^<>\s]+>")


def _normalized(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _field(block: Message, name: str) -> str:
    values = raw_values(block, name)
    return values[0].strip() if values else ""


def _without_type(value: str) -> str:
    """`rfc822; someone@example.com` -> `someone@example.com` (RFC 3464 address-type)."""
    value = value.split(";", 1)[1] if ";" in value else value
    return value.strip().strip("<>").strip()


def _status_blocks(part: Message) -> list[Message]:
    blocks = subparts(part)
    if not blocks:
        # A report the parser left as text (a malformed one): split it into blocks ourselves.
        return _blocks_of(payload_text(part))
    found: list[Message] = []
    for block in blocks:
        found.append(block)
        # Some mailers encode a block (base64) in the report: its fields are in its body.
        body = payload_text(block)
        if body and not list(block.raw_items()):
            with contextlib.suppress(ValueError):
                body = base64.b64decode(body).decode("utf-8", "replace")
        found.extend(_blocks_of(body))
    return found


def _blocks_of(text: str) -> list[Message]:
    text = text.replace("\r\n", "\n")
    return [
        email.message_from_string(chunk.strip() + "\n", policy=email.policy.compat32)
        for chunk in re.split(r"\n\s*\n", text)
        if ":" in chunk
    ]


def _recipient_statuses(report: Message) -> list[RecipientStatus]:
    statuses = []
    for part in walk(report):
        if content_type(part) not in {"message/delivery-status", "message/global-delivery-status"}:
            continue
        for block in _status_blocks(part):
            final = _field(block, "Final-Recipient") or _field(block, "Original-Recipient")
            action = _field(block, "Action").lower()
            if not final and not action:
                continue  # the per-message block (Reporting-MTA, Arrival-Date ...)
            statuses.append(
                RecipientStatus(
                    recipient=_without_type(final),
                    action=action,
                    status=_field(block, "Status"),
                    diagnostic=_without_type(_field(block, "Diagnostic-Code")),
                )
            )
    return statuses


def _original_message_id(message: Message) -> str | None:
    """The Message-ID of the message a report is about, from the copy it returns."""
    for part in walk(message)[1:]:
        kind = content_type(part)
        if kind in {"message/rfc822", "message/global"}:
            for enclosed in subparts(part):
                found = ANGLE_ID.search(" ".join(raw_values(enclosed, "Message-ID")))
                if found:
                    return found.group(0)
        elif kind in {"text/rfc822-headers", "message/global-headers"}:
            found = MESSAGE_ID.search(payload_text(part))
            if found:
                return found.group(1)
        elif kind == "message/disposition-notification":
            found = ANGLE_ID.search(" ".join(raw_values(message, "In-Reply-To")))
            # RFC 8098 §3.2.5: the Original-Message-ID field of the notification.
            fields = [part, *subparts(part)]
            original = ANGLE_ID.search(
                " ".join(v for f in fields for v in raw_values(f, "Original-Message-ID"))
            ) or re.search(r"^original-message-id:\s*(<[^<>\s]+>)", payload_text(part), re.I | re.M)
            if original:
                return original.group(original.lastindex or 0)
            if found:
                return found.group(0)
    # Bounces that are not RFC 3464 quote the original headers in their text.
    for part in walk(message)[1:] or [message]:
        if content_type(part).startswith("text/"):
            found = MESSAGE_ID.search(payload_text(part))
            if found:
                return found.group(1)
    return None


def _report(message: Message, report_type: str) -> Automation | None:
    if report_type == "disposition-notification":
        return Automation(
            MailKind.READ_RECEIPT,
            "read receipt (multipart/report; report-type=disposition-notification)",
            original_message_id=_original_message_id(message),
        )
    if report_type == "feedback-report":
        return Automation(
            MailKind.FEEDBACK_REPORT,
            "abuse feedback report (multipart/report; report-type=feedback-report)",
            original_message_id=_original_message_id(message),
        )
    statuses = _recipient_statuses(message)
    failed = tuple(
        s.recipient
        for s in statuses
        if s.recipient and (s.action == "failed" or s.status.startswith("5"))
    )
    delayed_only = bool(statuses) and all(s.action == "delayed" for s in statuses)
    if delayed_only:
        return Automation(
            MailKind.DELAYED,
            "delivery delayed (delivery status notification, Action: delayed)",
            original_message_id=_original_message_id(message),
            recipients=tuple(statuses),
        )
    reason = f"delivery status notification (multipart/report; report-type={report_type})"
    if failed:
        reason += f": delivery failed to {', '.join(failed)}"
    return Automation(
        MailKind.BOUNCE,
        reason,
        failed_recipients=failed,
        original_message_id=_original_message_id(message),
        recipients=tuple(statuses),
    )


def _report_type(message: Message) -> str | None:
    """The report-type of a multipart/report anywhere in the top levels (RFC 6522)."""
    for part in [message, *subparts(message)]:
        declared = " ".join(raw_values(part, "Content-Type")).lower()
        # A multipart/report without a boundary is parsed as text/plain: trust the header.
        if content_type(part) == "multipart/report" or "multipart/report" in declared:
            return (param(part, "report-type") or "delivery-status").lower()
    if content_type(message) in {"message/delivery-status", "message/global-delivery-status"}:
        return "delivery-status"
    return None


def _sender(message: Message) -> str:
    return " ".join(raw_values(message, "From") + raw_values(message, "Sender"))


def _bounce_without_report(message: Message, subject: str) -> Automation | None:
    failed_header = ", ".join(raw_values(message, "X-Failed-Recipients"))
    if failed_header:
        failed = tuple(a.strip() for a in failed_header.split(",") if a.strip())
        return Automation(
            MailKind.BOUNCE,
            f"bounce (X-Failed-Recipients: {failed_header})",
            failed_recipients=failed,
            original_message_id=_original_message_id(message),
        )
    addresses = re.findall(r"[^\s<>\"',;:]+@[^\s<>\"',;]+", _sender(message))
    from_daemon = any(DAEMON_SENDERS.match(address) for address in addresses)
    null_sender = any(value.strip() == "<>" for value in raw_values(message, "Return-Path"))
    if (from_daemon or null_sender) and BOUNCE_SUBJECTS.search(subject):
        who = "a mailer daemon" if from_daemon else "the null sender <>"
        return Automation(
            MailKind.BOUNCE,
            f"bounce from {who} with subject {subject!r}",
            original_message_id=_original_message_id(message),
        )
    return None


def _auto_reply(message: Message, subject: str) -> Automation | None:
    for value in raw_values(message, "Auto-Submitted"):
        # RFC 3834 §5: any value but "no" marks the message as automatic.
        keyword = value.split(";", 1)[0].strip().lower()
        if keyword and keyword != "no":
            return Automation(MailKind.AUTO_REPLY, f"Auto-Submitted: {keyword}")
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Autogenerated"):
        if raw_values(message, name):
            return Automation(MailKind.AUTO_REPLY, f"{name} header")
    precedence = " ".join(raw_values(message, "Precedence")).strip().lower()
    if precedence == "auto_reply":
        return Automation(MailKind.AUTO_REPLY, "Precedence: auto_reply")
    suppress = " ".join(raw_values(message, "X-Auto-Response-Suppress")).strip()
    if suppress and AUTO_REPLY_SUBJECTS.search(subject):
        return Automation(MailKind.AUTO_REPLY, f"X-Auto-Response-Suppress and subject {subject!r}")
    if AUTO_REPLY_SUBJECT_PREFIX.match(subject):
        return Automation(MailKind.AUTO_REPLY, f"out-of-office subject {subject!r}")
    if suppress:
        return Automation(MailKind.AUTO_REPLY, f"X-Auto-Response-Suppress: {suppress}")
    return None


def _list_or_bulk(message: Message) -> Automation | None:
    precedence = " ".join(raw_values(message, "Precedence")).strip().lower()
    list_id = " ".join(raw_values(message, "List-Id")).strip()
    if list_id:
        return Automation(MailKind.MAILING_LIST, f"mailing list (List-Id: {list_id})")
    if precedence == "list":
        return Automation(MailKind.MAILING_LIST, "mailing list (Precedence: list)")
    if precedence in {"bulk", "junk"}:
        return Automation(MailKind.BULK, f"bulk mail (Precedence: {precedence})")
    return None


def classify_automation(raw: bytes) -> Automation:
    """What kind of mail `raw` is: personal, or which kind of automatic mail, and why."""
    message = parse(raw)
    subject = _normalized(text_value(message, "Subject"))
    report_type = _report_type(message)
    found = (
        (_report(message, report_type) if report_type else None)
        or _bounce_without_report(message, subject)
        or _auto_reply(message, subject)
        or _list_or_bulk(message)
    )
    return found or Automation(MailKind.PERSONAL, "no sign of automatic mail")
