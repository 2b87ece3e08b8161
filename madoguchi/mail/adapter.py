"""One inbound mail, as raw bytes, to the `InboundMessage` intake receives.

The body is what the sender wrote this time: a reply's quoted history is folded away (a
brand-new mail keeps its whole text). Threading comes only from a per-ticket reply address
or from In-Reply-To/References (RFC 5322 §3.6.4), never from a "[#123]" subject tag, and not
at all when the sender pretends to be the exchange. Automatic mail (RFC 3834 auto-replies,
RFC 3464 bounces, lists) is marked so intake starts no ticket for it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from madoguchi.intake.inbound import InboundAttachment, InboundMessage
from madoguchi.mail.classify import (
    Automation,
    MailKind,
    ThreadReference,
    check_spoofing,
    classify_automation,
    thread_reference,
)
from madoguchi.mail.classify._message import decode_words, parse, raw_values
from madoguchi.mail.classify.spoofing import (
    DEFAULT_AUTHSERV_IDS,
    DEFAULT_BRAND_NAMES,
    DEFAULT_DOMAINS,
    SpoofCheck,
)
from madoguchi.mail.classify.threading import DEFAULT_REPLY_ADDRESS
from madoguchi.mail.parse import ParsedMail, parse_message, visible_reply

__all__ = ["MailReading", "inbound_from_mail", "read_mail"]

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


PERSONAL = Automation(MailKind.PERSONAL, "not checked")


def _automation(raw: bytes) -> Automation:
    try:
        return classify_automation(raw)
    except Exception as error:
        # The type only: an error's text may quote the mail's headers.
        logger.warning(
            "mail automation check failed; treating the mail as personal (%s)", type(error).__name__
        )
        return PERSONAL


def _spoof_check(
    raw: bytes, own_domains: Iterable[str], brand_names: Iterable[str], authserv_ids: Iterable[str]
) -> SpoofCheck:
    try:
        check = check_spoofing(raw, own_domains, brand_names, authserv_ids)
    except Exception as error:
        # The type only: an error's text may quote the mail's headers.
        logger.warning(
            "mail spoofing check failed; not trusting its threading (%s)", type(error).__name__
        )
        return SpoofCheck(findings=(), trusted_for_threading=False)
    for finding in check.findings:
        # The reason code only: the detail names the sender's address, which stays out of logs.
        logger.warning("suspicious mail sender: %s", finding.reason)
    return check


ADDRESS = re.compile(r"[^\s<>\"'(),;:@]+@[^\s<>\"'(),;]+")


def _valid(address: str) -> bool:
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


def _sender(parsed: ParsedMail, raw: bytes) -> tuple[str, str]:
    """(address, name) of the sender. A From the parser misread ("a@host <a@host.example>") is
    searched for an address that can be answered; failing that, the mail keeps no address
    (nobody can be answered at it) and shows what From said as the name, losing nothing."""
    if not parsed.from_address or _valid(parsed.from_address):
        return parsed.from_address, parsed.from_name
    written = " ".join(decode_words(value) for value in raw_values(parse(raw), "From"))
    for candidate in ADDRESS.findall(written):
        if _valid(candidate):
            return candidate, parsed.from_name
    return "", " ".join(written.split())[:200]


def _is_own(address: str, own_domains: Iterable[str], reply_addresses: Iterable[str]) -> bool:
    """An address of the exchange: in one of its domains, or a (tagged) support address."""
    local, _, domain = address.casefold().rpartition("@")
    for own in own_domains:
        own = own.strip().casefold().strip(".")
        if own and (domain == own or domain.endswith(f".{own}")):
            return True
    base = local.partition("+")[0]
    for reply in reply_addresses:
        reply_local, _, reply_domain = reply.strip().casefold().rpartition("@")
        if domain == reply_domain and base == reply_local.partition("+")[0]:
            return True
    return False


def _copied(
    parsed: ParsedMail, sender: str, own_domains: Iterable[str], reply_addresses: Iterable[str]
) -> tuple[str, ...]:
    """The people the sender wrote to besides us: they stay copied on the answers."""
    sender = sender.casefold()
    found: dict[str, None] = {}
    for address in (*parsed.to, *parsed.cc):
        address = address.strip().casefold()
        if "@" not in address or address == sender:
            continue
        if _is_own(address, own_domains, reply_addresses):
            continue
        found[address] = None
    return tuple(found)


def _reference(raw: bytes, reply_addresses: Iterable[str]) -> ThreadReference:
    try:
        return thread_reference(raw, reply_addresses)
    except Exception as error:
        # The type only: an error's text may quote the mail's headers.
        logger.warning(
            "mail thread reference failed; treating the mail as new (%s)", type(error).__name__
        )
        return ThreadReference((), (), (), None)


@dataclass(frozen=True, slots=True)
class MailReading:
    """A mail as intake receives it, with what the mail channel itself needs to know: what kind
    of automatic mail it is (a bounce names the reply it returns) and the parsed mail."""

    message: InboundMessage
    automation: Automation
    parsed: ParsedMail


def read_mail(
    raw: bytes,
    *,
    reply_addresses: Iterable[str] | None = None,
    own_domains: Iterable[str] | None = None,
    brand_names: Iterable[str] | None = None,
    authserv_ids: Iterable[str] | None = None,
) -> MailReading:
    """`inbound_from_mail`, keeping the automation check and the parsed mail beside it."""
    replies = _setting("REPLY_ADDRESSES", reply_addresses, (DEFAULT_REPLY_ADDRESS,))
    domains = _setting("OWN_DOMAINS", own_domains, DEFAULT_DOMAINS)
    parsed = parse_message(raw)
    reference = _reference(raw, replies)
    check = _spoof_check(
        raw,
        domains,
        _setting("BRAND_NAMES", brand_names, DEFAULT_BRAND_NAMES),
        _setting("AUTHSERV_IDS", authserv_ids, DEFAULT_AUTHSERV_IDS),
    )
    automation = _automation(raw)
    # A mail posing as the exchange is never trusted to join a ticket; the agent sees why.
    threading = check.trusted_for_threading and reference.has_reference
    attachments = tuple(
        InboundAttachment(
            name=part.filename or "attachment", data=part.data, declared_type=part.content_type
        )
        for part in parsed.attachments
    )
    sender_email, sender_name = _sender(parsed, raw)
    message = InboundMessage(
        channel=CHANNEL,
        body=_body(parsed, replying=reference.has_reference),
        subject=parsed.subject,
        sender_email=sender_email,
        sender_name=sender_name,
        attachments=attachments,
        reply_token=reference.reply_tokens[0] if threading and reference.reply_tokens else "",
        message_id=parsed.message_id,
        in_reply_to=reference.in_reply_to[0] if threading and reference.in_reply_to else "",
        references=reference.references if threading else (),
        is_automated=automation.automatic,
        cc=_copied(parsed, sender_email, domains, replies),
        # Only a sender posing as the exchange is flagged: a foreign Authentication-Results
        # alone (every mail forwarded through a big provider has one) would warn on everything.
        sender_flags=tuple(
            {"reason": str(finding.reason), "detail": finding.detail}
            for finding in (check.findings if not check.trusted_for_threading else ())
        ),
    )
    return MailReading(message=message, automation=automation, parsed=parsed)


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
    return read_mail(
        raw,
        reply_addresses=reply_addresses,
        own_domains=own_domains,
        brand_names=brand_names,
        authserv_ids=authserv_ids,
    ).message
