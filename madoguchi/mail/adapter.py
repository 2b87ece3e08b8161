"""One inbound mail, as raw bytes, to the `InboundMessage` intake receives.

The body is what the sender wrote this time: a reply's quoted history is folded away (a
brand-new mail keeps its whole text). Threading comes only from a per-ticket reply address
or from In-Reply-To/References (RFC 5322 §3.6.4), never from a "[#123]" subject tag, and not
at all when the sender pretends to be the exchange. Automatic mail (RFC 3834 auto-replies,
RFC 3464 bounces, lists) is marked so intake starts no ticket for it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings

from madoguchi.intake.inbound import InboundAttachment, InboundMessage
from madoguchi.mail.classify import (
    MailKind,
    ThreadReference,
    check_spoofing,
    classify_automation,
    thread_reference,
)
from madoguchi.mail.classify.spoofing import (
    DEFAULT_AUTHSERV_IDS,
    DEFAULT_BRAND_NAMES,
    DEFAULT_DOMAINS,
)
from madoguchi.mail.classify.threading import DEFAULT_REPLY_ADDRESS
from madoguchi.mail.parse import ParsedMail, parse_message, visible_reply

__all__ = ["inbound_from_mail"]

logger = logging.getLogger(__name__)

CHANNEL = "email"


def _setting(name: str, given: Iterable[str] | None, default: Iterable[str]) -> tuple[str, ...]:
    if given is not None:
        return tuple(given)
    return tuple(getattr(settings, f"MADOGUCHI_MAIL_{name}", default))


def _body(parsed: ParsedMail, replying: bool) -> str:
    text = parsed.text or parsed.html_text
    if not replying:
        return text.strip()
    new, _quoted, signature = visible_reply(text)
    if not new:
        # Nothing but quote (or a reply above a quote we misread): keep it all, lose nothing.
        return text.strip()
    return f"{new}\n\n{signature}" if signature else new


def _is_automated(raw: bytes) -> bool:
    try:
        return classify_automation(raw).kind != MailKind.PERSONAL
    except Exception as error:
        # The type only: an error's text may quote the mail's headers.
        logger.warning(
            "mail automation check failed; treating the mail as personal (%s)", type(error).__name__
        )
        return False


def _trusted_for_threading(
    raw: bytes, own_domains: Iterable[str], brand_names: Iterable[str], authserv_ids: Iterable[str]
) -> bool:
    try:
        check = check_spoofing(raw, own_domains, brand_names, authserv_ids)
    except Exception as error:
        # The type only: an error's text may quote the mail's headers.
        logger.warning(
            "mail spoofing check failed; not trusting its threading (%s)", type(error).__name__
        )
        return False
    for finding in check.findings:
        # The reason code only: the detail names the sender's address, which stays out of logs.
        logger.warning("suspicious mail sender: %s", finding.reason)
    return check.trusted_for_threading


def _reference(raw: bytes, reply_addresses: Iterable[str]) -> ThreadReference:
    try:
        return thread_reference(raw, reply_addresses)
    except Exception as error:
        # The type only: an error's text may quote the mail's headers.
        logger.warning(
            "mail thread reference failed; treating the mail as new (%s)", type(error).__name__
        )
        return ThreadReference((), (), (), None)


def inbound_from_mail(
    raw: bytes,
    *,
    reply_addresses: Iterable[str] | None = None,
    own_domains: Iterable[str] | None = None,
    brand_names: Iterable[str] | None = None,
    authserv_ids: Iterable[str] | None = None,
) -> InboundMessage:
    """The `InboundMessage` for one raw mail; never raises for anything the mail contains.

    Configuration not given comes from the settings `MADOGUCHI_MAIL_REPLY_ADDRESSES`,
    `MADOGUCHI_MAIL_OWN_DOMAINS`, `MADOGUCHI_MAIL_BRAND_NAMES` and
    `MADOGUCHI_MAIL_AUTHSERV_IDS`, then from the defaults of `madoguchi.mail.classify`.
    """
    parsed = parse_message(raw)
    reference = _reference(
        raw, _setting("REPLY_ADDRESSES", reply_addresses, (DEFAULT_REPLY_ADDRESS,))
    )
    trusted = _trusted_for_threading(
        raw,
        _setting("OWN_DOMAINS", own_domains, DEFAULT_DOMAINS),
        _setting("BRAND_NAMES", brand_names, DEFAULT_BRAND_NAMES),
        _setting("AUTHSERV_IDS", authserv_ids, DEFAULT_AUTHSERV_IDS),
    )
    # TODO: InboundMessage has no field for flags meant for the agent, so a spoof finding
    # is only logged here; its threading is dropped so it cannot join anyone's ticket.
    threading = trusted and reference.has_reference
    attachments = tuple(
        InboundAttachment(
            name=part.filename or "attachment", data=part.data, declared_type=part.content_type
        )
        for part in parsed.attachments
    )
    return InboundMessage(
        channel=CHANNEL,
        body=_body(parsed, replying=reference.has_reference),
        subject=parsed.subject,
        sender_email=parsed.from_address,
        sender_name=parsed.from_name,
        attachments=attachments,
        reply_token=reference.reply_tokens[0] if threading and reference.reply_tokens else "",
        message_id=parsed.message_id,
        in_reply_to=reference.in_reply_to[0] if threading and reference.in_reply_to else "",
        references=reference.references if threading else (),
        is_automated=_is_automated(raw),
    )
