"""What kind of mail an inbound message is, before it becomes an InboundMessage: automatic or
personal (automated), which ticket it refers to (threading), and whether its sender pretends
to be the exchange (spoofing). Pure functions over the raw bytes of one message; they never
raise on malformed mail."""

from madoguchi.mail.classify.automated import (
    Automation,
    MailKind,
    RecipientStatus,
    classify_automation,
)
from madoguchi.mail.classify.spoofing import SpoofCheck, SpoofFinding, SpoofReason, check_spoofing
from madoguchi.mail.classify.threading import ThreadReference, thread_reference

__all__ = [
    "Automation",
    "MailKind",
    "RecipientStatus",
    "SpoofCheck",
    "SpoofFinding",
    "SpoofReason",
    "ThreadReference",
    "check_spoofing",
    "classify_automation",
    "thread_reference",
]
