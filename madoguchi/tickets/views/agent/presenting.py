"""What the agent page shows in words: safety flags, form answers, account context, history."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from madoguchi.safety.links import LinkReason, reason_message
from madoguchi.safety.redaction.kinds import SecretKind
from madoguchi.tickets.answers import choice_options
from madoguchi.tickets.details import STANDARD_DETAILS
from madoguchi.tickets.events import SYSTEM_LABEL, HistoryBreak, HistoryCheck
from madoguchi.tickets.models import (
    Attachment,
    AuthorKind,
    Channel,
    DeliveryAudience,
    DeliveryKind,
    EventKind,
    FieldKind,
    Message,
    Priority,
    ProblemField,
    SlaTarget,
    Status,
    Ticket,
    TicketEvent,
)
from madoguchi.tickets.networks import get_network

SECRET = "secret"  # noqa: S105 - the name of a flag, not a secret
LOOKALIKE = "lookalike_link"
SUSPICIOUS_SENDER = "suspicious_sender"


@dataclass(frozen=True, slots=True)
class Markers:
    """The queue's short safety markers for one ticket."""

    secrets: bool
    lookalikes: bool


@dataclass(frozen=True, slots=True)
class FlagNote:
    kind: str  # "secret", "lookalike_link" or "suspicious_sender"
    title: str
    details: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Answer:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Entry:
    """A message of the conversation with what the safety checks did to it, in words."""

    message: Message
    author: str
    removed: tuple[str, ...]
    lookalike_hosts: tuple[str, ...]
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True, slots=True)
class HistoryLine:
    sequence: int
    at: Any
    actor: str
    kind: str
    summary: str


def _flags(flags: Any) -> list[Mapping[str, Any]]:
    # Written by intake, but kept as JSON: anything not a list of objects is ignored, not a 500.
    if not isinstance(flags, list):
        return []
    return [flag for flag in flags if isinstance(flag, Mapping)]


def markers(ticket: Ticket) -> Markers:
    kinds = {flag.get("kind") for flag in _flags(ticket.safety_flags)}
    return Markers(secrets=SECRET in kinds, lookalikes=LOOKALIKE in kinds)


def secret_label(kind: str) -> str:
    try:
        return SecretKind(kind).label
    except ValueError:
        return kind


def link_reason(reason: str) -> str:
    try:
        return reason_message(LinkReason(reason))
    except (ValueError, KeyError):
        return reason


def flag_notes(ticket: Ticket) -> list[FlagNote]:
    """The ticket's safety flags explained: which kinds of secret were removed (never the
    secret itself) and which look-alike hosts were found, and why each looks like the exchange."""
    flags = _flags(ticket.safety_flags)
    notes: list[FlagNote] = []
    kinds: list[str] = []
    for flag in flags:
        if flag.get("kind") == SECRET:
            types = flag.get("types")
            for kind in types if isinstance(types, list) else []:
                if str(kind) not in kinds:
                    kinds.append(str(kind))
    if kinds:
        notes.append(
            FlagNote(
                SECRET,
                _("Secrets were removed from the customer's messages"),
                (
                    _("Removed: %(kinds)s.") % {"kinds": ", ".join(secret_label(k) for k in kinds)},
                    _(
                        "The guard replaced them before anything was stored; nobody can read "
                        "the originals. Treat them as exposed: the customer should move funds "
                        "or change credentials, and must never be asked to send them again."
                    ),
                ),
            )
        )
    hosts: dict[str, list[str]] = {}
    for flag in flags:
        if flag.get("kind") != LOOKALIKE:
            continue
        host = str(flag.get("host") or "?")
        reasons = flag.get("reasons")
        found = hosts.setdefault(host, [])
        for reason in reasons if isinstance(reasons, list) else []:
            text = link_reason(str(reason))
            if text not in found:
                found.append(text)
    for host, reasons in hosts.items():
        notes.append(
            FlagNote(
                LOOKALIKE,
                _("Look-alike link: %(host)s") % {"host": host},
                (
                    *reasons,
                    _(
                        "The link was disabled in the message. Do not open it or pass it on; "
                        "it may be a phishing site posing as the exchange."
                    ),
                ),
            )
        )
    sender = _sender_note(flags)
    if sender is not None:
        notes.append(sender)
    return notes


def sender_reason(reason: str) -> str:
    """Why a mail's sender looks like someone posing as the exchange, in the agent's words."""
    texts = {
        "own_domain": _(
            "The sender's address is in the exchange's own domain, but the exchange's own mail "
            "never arrives at the support address."
        ),
        "lookalike_domain": _("The sender's domain looks like one of the exchange's domains."),
        "brand_display_name": _(
            "The sender's name claims to be the exchange, but the address is not one of ours."
        ),
        "authentication_failed": _(
            "Our mail server reports that the mail failed DMARC (or SPF and DKIM): it may not "
            "come from the address it shows."
        ),
        "untrusted_authentication_results": _(
            "The mail carries an authentication result that our mail server did not write."
        ),
    }
    return texts.get(reason, _("The sender could not be verified."))


def _sender_note(flags: list[Mapping[str, Any]]) -> FlagNote | None:
    reasons: list[str] = []
    for flag in flags:
        if flag.get("kind") == SUSPICIOUS_SENDER:
            text = sender_reason(str(flag.get("reason") or ""))
            if text not in reasons:
                reasons.append(text)
    if not reasons:
        return None
    return FlagNote(
        SUSPICIOUS_SENDER,
        _("Suspicious sender: this mail may be posing as the exchange"),
        (
            *reasons,
            _(
                "Do not trust links or instructions in it, and do not send account details to "
                "its sender. It was not joined to any existing ticket."
            ),
        ),
    )


def author(message: Message, ticket: Ticket) -> str:
    if message.author_kind == AuthorKind.CUSTOMER:
        return message.author.email if message.author else ticket.requester_email
    if message.author is not None:
        return message.author.email
    if message.author_kind == AuthorKind.SYSTEM:
        return _("madoguchi (system)")
    return str(message.get_author_kind_display())


def conversation(
    messages: Iterable[Message],
    ticket: Ticket,
    *,
    attachments: Iterable[Attachment] | None = None,
) -> list[Entry]:
    """The messages with their files: `attachments`, the ticket's files read in one query, are
    handed to their messages; without it each message's own (prefetched) files are used."""
    files: dict[int | None, list[Attachment]] | None = None
    if attachments is not None:
        files = {}
        for attachment in attachments:
            files.setdefault(attachment.message_id, []).append(attachment)
    entries = []
    for message in messages:
        kinds = message.redacted_kinds if isinstance(message.redacted_kinds, list) else []
        findings = _flags(message.link_findings)
        hosts = [str(f.get("host") or "?") for f in findings if f.get("kind") == "lookalike"]
        entries.append(
            Entry(
                message=message,
                author=author(message, ticket),
                removed=tuple(secret_label(str(kind)) for kind in kinds),
                lookalike_hosts=tuple(dict.fromkeys(hosts)),
                attachments=tuple(
                    message.attachments.all() if files is None else files.get(message.pk, ())
                ),
            )
        )
    return entries


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _choice_label(field: ProblemField, value: Any) -> str:
    return dict(choice_options(field)).get(str(value)) or _text(value)


def answers(ticket: Ticket, fields: Iterable[ProblemField]) -> list[Answer]:
    """The customer's answers to the form, labelled in the active language, in form order;
    answers to fields that no longer exist follow under their key."""
    details = ticket.details if isinstance(ticket.details, Mapping) else {}
    rows: list[Answer] = []
    seen: set[str] = set()
    for field in fields:
        if field.key not in details:
            continue
        seen.add(field.key)
        value = details[field.key]
        if field.kind == FieldKind.CHOICE:
            shown = _choice_label(field, value)
        elif field.kind == FieldKind.NETWORK:
            shown = _network_name(value)
        else:
            shown = _text(value)
        rows.append(Answer(field.label, shown))
    # The basics every form asks (when, the error message, ...) come first, by name.
    basics = [
        Answer(str(label), _text(details[key]))
        for key, label in STANDARD_DETAILS.items()
        if key in details and key not in seen
    ]
    rows[:0] = basics
    seen.update(STANDARD_DETAILS)
    for key in sorted(k for k in details if k not in seen):
        rows.append(Answer(str(key), _text(details[key])))
    return rows


def _network_name(value: Any) -> str:
    """ "Bitcoin (BTC)": the name agents know, and the id the checks used."""
    network = get_network(str(value))
    return f"{network.name} ({network.id})" if network else _text(value)


def context_rows(ticket: Ticket) -> list[Answer]:
    context = ticket.account_context if isinstance(ticket.account_context, Mapping) else {}
    return [Answer(str(key), _text(value)) for key, value in sorted(context.items())]


def _label(choices: type[Any], value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return _text(value)


def _nobody(value: Any) -> str:
    return _text(value) if value else _("nobody")


def summary(event: TicketEvent) -> str:
    """One line on what the entry changed, in the active language."""
    data = event.data if isinstance(event.data, Mapping) else {}
    kind = event.kind
    if kind in (EventKind.STATUS_CHANGED, EventKind.PRIORITY_CHANGED):
        labels = Status if kind == EventKind.STATUS_CHANGED else Priority
        text = f"{_label(labels, data.get('old'))} → {_label(labels, data.get('new'))}"
        if data.get("reason"):
            text += f" ({_text(data['reason'])})"
        return text
    if kind == EventKind.GROUP_CHANGED:
        return f"{_nobody(data.get('old'))} → {_nobody(data.get('new'))}"
    if kind == EventKind.ASSIGNED:
        return _nobody(data.get("assignee") or (f"#{data['new']}" if data.get("new") else ""))
    if kind == EventKind.TAGS_CHANGED:
        added = " ".join(f"+{tag}" for tag in data.get("added") or [])
        removed = " ".join(f"−{tag}" for tag in data.get("removed") or [])
        return " ".join(part for part in (added, removed) if part)
    if kind == EventKind.CREATED:
        return ", ".join(
            part
            for part in (
                _label(Channel, data.get("channel")) if data.get("channel") else "",
                _text(data.get("problem_type") or ""),
                _label(Priority, data.get("priority")) if data.get("priority") else "",
            )
            if part
        )
    if kind == EventKind.ROUTED:
        return _("to %(group)s, %(priority)s") % {
            "group": _nobody(data.get("group")),
            "priority": _label(Priority, data.get("priority")),
        }
    if kind == EventKind.SECRETS_REDACTED:
        return ", ".join(secret_label(str(k)) for k in data.get("kinds") or [])
    if kind == EventKind.LOOKALIKE_LINK:
        return ", ".join(_text(host) for host in data.get("hosts") or [])
    if kind == EventKind.ATTACHMENT_ADDED:
        text = f"{_text(data.get('name', ''))} (SHA-256 {_text(data.get('sha256', ''))})"
        return _copied(text, data)
    if kind in (EventKind.MESSAGE_ADDED, EventKind.NOTE_ADDED):
        text = _label(Channel, data.get("channel")) if data.get("channel") else ""
        return _copied(text, data)
    if kind == EventKind.RATED:
        return _("%(rating)s of 5") % {"rating": _text(data.get("rating"))}
    if kind == EventKind.ACCOUNT_CONTEXT:
        return ", ".join(_text(key) for key in data.get("keys") or [])
    if kind == EventKind.SECURITY_ALERT:
        return ", ".join(_text(reason) for reason in data.get("reasons") or [])
    if kind == EventKind.RULE_APPLIED:
        rule = _text(data.get("rule", ""))
        if data.get("kept"):
            return _("%(rule)s (a security problem: its group and urgency stay)") % {"rule": rule}
        return rule
    if kind in _LATER_KINDS:
        return _LATER_KINDS[kind](data)
    return ""


def _number(value: Any) -> str:
    """A ticket as agents name it: "#12" (plain text; the id is all the entry keeps)."""
    return f"#{_text(value)}"


def _copied(text: str, data: Mapping[str, Any]) -> str:
    if not data.get("merged_from"):
        return text
    copied = _("copied from %(ticket)s") % {"ticket": _number(data["merged_from"])}
    return f"{text} ({copied})" if text else copied


def _when(value: Any) -> str:
    """A due time as "11/26 10:00" in the desk's time zone; what cannot be read, as it is."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return _text(value)
    if timezone.is_naive(moment):
        return _text(value)
    return formats.date_format(timezone.localtime(moment), "n/j H:i")


def _due(target: Any, due: Any) -> str:
    phrases = {
        SlaTarget.FIRST_RESPONSE: _("first response due %(due)s"),
        SlaTarget.NEXT_RESPONSE: _("next response due %(due)s"),
        SlaTarget.RESOLUTION: _("resolution due %(due)s"),
    }
    phrase = phrases.get(target) if target in SlaTarget.values else None
    if phrase is None:
        return f"{_text(target)}: {_when(due)}"
    return phrase % {"due": _when(due)}


def _breached(target: Any) -> str:
    phrases = {
        SlaTarget.FIRST_RESPONSE: _("first response breached"),
        SlaTarget.NEXT_RESPONSE: _("next response breached"),
        SlaTarget.RESOLUTION: _("resolution breached"),
    }
    return phrases[target] if target in SlaTarget.values else _text(target)


def _merged_into(data: Mapping[str, Any]) -> str:
    text = _("merged into %(ticket)s") % {"ticket": _number(data.get("into"))}
    if data.get("other_customer"):
        text += " " + _("(another customer's ticket)")
    return text


def _merged_from(data: Mapping[str, Any]) -> str:
    text = _("%(ticket)s merged in (messages: %(messages)s, attachments: %(attachments)s)") % {
        "ticket": _number(data.get("source")),
        "messages": _text(data.get("messages", 0)),
        "attachments": _text(data.get("attachments", 0)),
    }
    if data.get("other_customer"):
        text += " " + _("(another customer's ticket, copied as internal notes)")
    return text


def _incident_linked(data: Mapping[str, Any]) -> str:
    if data.get("incident"):
        return _("a report of incident %(ticket)s") % {"ticket": _number(data["incident"])}
    return _("report %(ticket)s linked") % {"ticket": _number(data.get("report"))}


def _incident_unlinked(data: Mapping[str, Any]) -> str:
    if data.get("incident"):
        return _("no longer a report of incident %(ticket)s") % {
            "ticket": _number(data["incident"])
        }
    return _("report %(ticket)s unlinked") % {"ticket": _number(data.get("report"))}


def _made_incident(data: Mapping[str, Any]) -> str:
    return _("reports of the same problem can now be linked to this ticket")


def _customer_merged(data: Mapping[str, Any]) -> str:
    emails = data.get("from_emails")
    text = _("%(emails)s → %(into)s") % {
        "emails": ", ".join(_text(e) for e in emails) if isinstance(emails, list) else "?",
        "into": _text(data.get("into_email") or _number(data.get("into_user"))),
    }
    moved = data.get("moved")
    if isinstance(moved, list):
        text += "; " + (
            _("tickets moved: %(tickets)s") % {"tickets": " ".join(_number(t) for t in moved)}
            if moved
            else _("no tickets moved")
        )
    return text


def _sla_applied(data: Mapping[str, Any]) -> str:
    parts = [
        _due(target, data[key])
        for target, key in (
            (SlaTarget.FIRST_RESPONSE, "first_response_due_at"),
            (SlaTarget.RESOLUTION, "resolution_due_at"),
        )
        if data.get(key)
    ]
    reasons = {"routed": _("when routed"), "priority changed": _("after a priority change")}
    reason = reasons.get(str(data.get("reason")))
    text = ", ".join(parts) or _("no targets")
    return f"{text} ({reason})" if reason else text


def _sla_paused(data: Mapping[str, Any]) -> str:
    return _("waiting for the customer: the clock stands still")


def _duration(seconds: Any) -> str:
    try:
        minutes = int(seconds) // 60
    except (TypeError, ValueError):
        return _text(seconds)
    return _("%(hours)s h %(minutes)s min") % {"hours": minutes // 60, "minutes": minutes % 60}


def _sla_resumed(data: Mapping[str, Any]) -> str:
    text = _("stood still for %(time)s of business time") % {
        "time": _duration(data.get("paused_business_seconds", 0))
    }
    due = data.get("due")
    if isinstance(due, Mapping) and due:
        text += "; " + ", ".join(_due(target, at) for target, at in due.items())
    return text


def _sla_warning(data: Mapping[str, Any]) -> str:
    return _due(data.get("target"), data.get("due"))


def _sla_breached(data: Mapping[str, Any]) -> str:
    return f"{_breached(data.get('target'))} ({_due(data.get('target'), data.get('due'))})"


def _escalated(data: Mapping[str, Any]) -> str:
    targets = data.get("targets")
    parts = [", ".join(_breached(t) for t in targets)] if isinstance(targets, list) else []
    if data.get("priority"):
        parts.append(
            _("priority → %(priority)s") % {"priority": _label(Priority, data["priority"])}
        )
    if data.get("group"):
        parts.append(_("group → %(group)s") % {"group": _text(data["group"])})
    if data.get("notified"):
        parts.append(_("the group was notified"))
    return "; ".join(part for part in parts if part)


def _delivery(data: Mapping[str, Any]) -> str:
    """ "Reply to the customer: 550 5.1.1 ...": which copy, and what the mail server said."""
    kinds: dict[str, str] = {
        DeliveryKind.REPLY: pgettext("what was sent", "Reply"),
        DeliveryKind.ACKNOWLEDGEMENT: pgettext("what was sent", "Acknowledgement"),
        DeliveryKind.EMAIL_CONFIRMATION: pgettext("what was sent", "Email confirmation"),
        DeliveryKind.NOTIFICATION: pgettext("what was sent", "Notification"),
        DeliveryKind.SOLVED: pgettext("what was sent", "Solved notice"),
    }
    kind = kinds.get(str(data.get("delivery_kind"))) or _label(
        DeliveryKind, data.get("delivery_kind")
    )
    if data.get("audience") == DeliveryAudience.CC:
        text = _("%(kind)s to the people copied in") % {"kind": kind}
    else:
        text = _("%(kind)s to the customer") % {"kind": kind}
    reason = _text(data.get("reason") or "")
    return f"{text}: {reason}" if reason else text


def _cc_changed(data: Mapping[str, Any]) -> str:
    parts = []
    for key, phrase in (
        ("added", _("copied in: %(emails)s")),
        ("removed", _("no longer copied: %(emails)s")),
    ):
        emails = data.get(key)
        if isinstance(emails, list) and emails:
            parts.append(phrase % {"emails": ", ".join(_text(e) for e in emails)})
    return "; ".join(parts)


_LATER_KINDS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    EventKind.MERGED_INTO: _merged_into,
    EventKind.MERGED_FROM: _merged_from,
    EventKind.INCIDENT_LINKED: _incident_linked,
    EventKind.INCIDENT_UNLINKED: _incident_unlinked,
    EventKind.MADE_INCIDENT: _made_incident,
    EventKind.CUSTOMER_MERGED: _customer_merged,
    EventKind.SLA_APPLIED: _sla_applied,
    EventKind.SLA_PAUSED: _sla_paused,
    EventKind.SLA_RESUMED: _sla_resumed,
    EventKind.SLA_WARNING: _sla_warning,
    EventKind.SLA_BREACHED: _sla_breached,
    EventKind.ESCALATED: _escalated,
    EventKind.DELIVERY_FAILED: _delivery,
    EventKind.DELIVERY_BOUNCED: _delivery,
    EventKind.CC_CHANGED: _cc_changed,
}


def history_lines(events: Iterable[TicketEvent]) -> list[HistoryLine]:
    return [
        HistoryLine(
            sequence=event.sequence,
            at=event.created_at,
            actor=_("madoguchi (system)")
            if event.actor_label == SYSTEM_LABEL
            else event.actor_label,
            kind=_label(EventKind, event.kind),
            summary=summary(event),
        )
        for event in events
    ]


def history_verdict(check: HistoryCheck) -> str:
    """The result of `verify_history` in words."""
    if check.ok:
        return _("History intact: %(count)s entries, each chained to the one before.") % {
            "count": check.entries
        }
    problems = {
        HistoryBreak.MISSING: _("an entry is missing"),
        HistoryBreak.BROKEN: _("the chain is broken"),
        HistoryBreak.CHANGED: _("an entry was changed"),
    }
    return _(
        "History broken at entry %(sequence)s: %(problem)s. Entries from there on cannot be "
        "trusted; report this to an administrator."
    ) % {
        "sequence": check.first_bad_sequence,
        "problem": problems[check.problem] if check.problem else _("the chain is broken"),
    }
