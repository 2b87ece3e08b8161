"""The MIME message of one `Delivery`: who it is from (the ticket's brand), the headers that
thread it and say what it is (RFC 5322 §3.6.4, RFC 3834, RFC 8058), a text and an HTML part,
the customer's anti-phishing code at the top of their own copy, and the brand's signature.

Reading it needs the database (the conversation, the customer); sending it is transport.py's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from email.header import Header
from email.utils import formataddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from madoguchi.accounts.selectors import anti_phishing_code_for
from madoguchi.mail.send.unsubscribe import unsubscribe_url
from madoguchi.tickets import notifications
from madoguchi.tickets.models import (
    NOTIFICATION_KINDS,
    AuthorKind,
    Delivery,
    DeliveryAudience,
    DeliveryKind,
    Message,
    Ticket,
)

# The newest Message-IDs kept in References besides the first one: enough for any mail
# program to thread, short enough for servers that limit header length (RFC 5322 §2.1.1).
REFERENCES_KEPT = 20


@dataclass(frozen=True)
class Brand:
    name: str
    from_email: str
    signature: str  # in the ticket's language; empty: the default signature


def brand_of(ticket: Ticket) -> Brand:
    """The ticket's brand (MADOGUCHI_BRANDS), or the site itself."""
    brands = settings.MADOGUCHI_BRANDS if isinstance(settings.MADOGUCHI_BRANDS, Mapping) else {}
    brand = brands.get(ticket.brand) if ticket.brand else None
    brand = brand if isinstance(brand, Mapping) else {}
    language = "en" if (ticket.language or "ja").startswith("en") else "ja"
    return Brand(
        name=str(brand.get("name") or settings.MADOGUCHI_SITE_NAME),
        from_email=str(brand.get("from_email") or settings.DEFAULT_FROM_EMAIL),
        signature=str(brand.get(f"signature_{language}") or ""),
    )


def reply_address(ticket: Ticket) -> str:
    """support+<reply token>@domain: the per-ticket address that
    mail.classify.threading.thread_reference reads back."""
    bases = [a for a in settings.MADOGUCHI_MAIL_REPLY_ADDRESSES if "@" in a]
    base = bases[0] if bases else settings.DEFAULT_FROM_EMAIL
    local, _at, domain = base.strip().rpartition("@")
    return f"{local}+{ticket.reply_token}@{domain}"


@dataclass(frozen=True)
class Threading:
    in_reply_to: str
    references: tuple[str, ...]


def threading_of(delivery: Delivery) -> Threading:
    """The earlier mails of the conversation this copy answers: the customer's messages that came
    by mail and our earlier copies to the same people, oldest first (RFC 5322 §3.6.4).
    In-Reply-To is the customer's latest mail, or our latest copy when they never wrote one."""
    ticket_id = delivery.ticket_id
    theirs = [
        (at, 0, pk, _bracketed(value))
        for at, pk, value in Message.objects.filter(
            ticket_id=ticket_id, author_kind=AuthorKind.CUSTOMER
        )
        .exclude(external_id="")
        .values_list("created_at", "id", "external_id")
    ]
    theirs = [entry for entry in theirs if entry[3]]
    # Only the copies these recipients got, made before this one.
    ours = [
        (at, 1, pk, value)
        for at, pk, value in Delivery.objects.filter(
            ticket_id=ticket_id, audience=delivery.audience, pk__lt=delivery.pk
        ).values_list("created_at", "id", "rfc_message_id")
    ]
    chain = list(dict.fromkeys(entry[3] for entry in sorted(theirs + ours)))
    if len(chain) > REFERENCES_KEPT + 1:
        chain = [chain[0], *chain[-REFERENCES_KEPT:]]
    newest = max(theirs) if theirs else max(ours, default=None)
    in_reply_to = newest[3] if newest else ""
    return Threading(in_reply_to=in_reply_to, references=tuple(chain))


def _bracketed(value: str) -> str:
    value = value.strip()
    if not value or any(c in value for c in "\r\n "):
        return ""
    return value if value.startswith("<") else f"<{value}>"


def anti_phishing_code(ticket: Ticket) -> str:
    """The code the customer chose (accounts.User.anti_phishing_code): their account's, or the
    account with the requester's address when the ticket has none."""
    if ticket.customer is not None:
        return ticket.customer.anti_phishing_code.strip()
    return anti_phishing_code_for(ticket.requester_email)


class OutgoingMail(EmailMultiAlternatives):
    """A copy whose envelope differs from its header recipients: the customer's copy names the
    copied-in people in Cc without sending to them (they get their own copy, without the code)."""

    def __init__(self, *args: Any, envelope: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.envelope = envelope

    def recipients(self) -> list[str]:
        return [address for address in self.envelope if address]

    def message(self, *args: Any, **kwargs: Any) -> Any:
        built = super().message(*args, **kwargs)
        del built["Subject"]
        built["Subject"] = encoded_subject(str(self.subject))
        return built


@dataclass(frozen=True)
class Content:
    subject: str
    body: str


def _one_line(text: str) -> str:
    return " ".join(text.split())


def encoded_subject(subject: str) -> str:
    """`subject` as RFC 2047 encoded-words of at most 15 characters each, on one line.

    Django leaves a long non-ASCII subject to email.header, which starts it on a folded line:
    "Subject:" CRLF " =?utf-8?...": strict readers then see a leading space. Short words
    (each under the 75-character limit of RFC 2047 §2) fold cleanly between words, and
    readers join adjacent encoded-words without the space (RFC 2047 §6.2).
    """
    if subject.isascii():
        return subject
    return " ".join(
        Header(subject[start : start + 15], "utf-8").encode()
        for start in range(0, len(subject), 15)
    )


def content_of(delivery: Delivery) -> Content:
    """What the copy says, in the ticket's language: the agent's words for a reply, the
    notice's text (tickets.notifications) otherwise."""
    ticket = delivery.ticket
    with translation.override(ticket.language or "ja"):
        if delivery.kind == DeliveryKind.REPLY and delivery.message is not None:
            subject = _("[#%(id)s] Re: %(subject)s") % {"id": ticket.pk, "subject": ticket.subject}
            return Content(_one_line(subject), delivery.message.body)
        if delivery.kind == DeliveryKind.EMAIL_CONFIRMATION:
            notice = notifications.email_confirmation(ticket)
        elif delivery.kind == DeliveryKind.ACKNOWLEDGEMENT:
            notice = notifications.acknowledgement(ticket)
        elif delivery.kind == DeliveryKind.SOLVED:
            notice = notifications.solved(ticket)
        else:
            return Content(
                _one_line(
                    _("[#%(id)s] News on your request: %(subject)s")
                    % {"id": ticket.pk, "subject": ticket.subject}
                ),
                _("There is news on your request #%(id)s.") % {"id": ticket.pk},
            )
        return Content(_one_line(notice.subject), notice.body)


def is_notice(delivery: Delivery) -> bool:
    """Sent by the product on its own (RFC 3834 "auto-generated"), not by a person."""
    return delivery.kind != DeliveryKind.REPLY


def compose(delivery: Delivery) -> OutgoingMail:
    """The message of `delivery`, ready for Django's mail connection."""
    ticket = delivery.ticket
    language = ticket.language or "ja"
    brand = brand_of(ticket)
    content = content_of(delivery)
    customer_copy = delivery.audience == DeliveryAudience.CUSTOMER
    code = anti_phishing_code(ticket) if customer_copy else ""
    notification = delivery.kind in NOTIFICATION_KINDS
    to = [a for a in delivery.to if a]
    cc = [a for a in delivery.cc if a]
    unsubscribe = unsubscribe_url(ticket) if notification and to else ""
    with translation.override(language):
        context = {
            "body": content.body,
            "code": code,
            "signature": brand.signature,
            "brand_name": brand.name,
            "base_url": settings.MADOGUCHI_BASE_URL,
            "unsubscribe_url": unsubscribe,
        }
        text = render_to_string("mail/outgoing.txt", context)
        html = render_to_string("mail/outgoing.html", context | {"language": language})
    threading = threading_of(delivery)
    headers = {"Message-ID": delivery.rfc_message_id}
    if threading.in_reply_to:
        headers["In-Reply-To"] = threading.in_reply_to
    if threading.references:
        headers["References"] = " ".join(threading.references)
    if is_notice(delivery):
        headers["Auto-Submitted"] = "auto-generated"
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail = OutgoingMail(
        subject=content.subject,
        body=text,
        # formataddr encodes a Japanese name as an RFC 2047 encoded-word.
        from_email=formataddr((brand.name, brand.from_email)),
        to=to,
        cc=cc,
        reply_to=[reply_address(ticket)],
        headers=headers,
        envelope=to if customer_copy else cc,
    )
    mail.attach_alternative(html, "text/html")
    return mail
