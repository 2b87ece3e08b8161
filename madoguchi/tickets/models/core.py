"""Tickets: one conversation with a customer, whatever its channel, and everything around it.

Problem types and their form fields are rows, so an admin changes them without code. The history
of a ticket (`TicketEvent`) is append-only and hash-chained: services write it in the same
transaction as the change; `madoguchi.tickets.events.verify_history` shows any later edit.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from madoguchi.tickets.models import expressions


def _in_language(obj: Any, field: str) -> str:
    language = (translation.get_language() or "ja")[:2]
    value: str = getattr(obj, f"{field}_{language}", "") or getattr(obj, f"{field}_ja", "")
    return value


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Waiting for your reply")
    ON_HOLD = "on_hold", _("On hold")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed")


# Statuses in which the ticket still needs someone's work.
ACTIVE_STATUSES = frozenset({Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD})
# Statuses whose SLA clock runs: pending stops it (the customer has the ball); solved and
# closed tickets have no targets left.
CLOCK_RUNNING_STATUSES = (Status.NEW, Status.OPEN, Status.ON_HOLD)


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


PRIORITY_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


class Channel(models.TextChoices):
    WEB = "web", _("Support form")
    # A context of its own: allauth's and Django's catalogues translate a bare "Email" as the
    # address field, and theirs come first.
    EMAIL = "email", pgettext_lazy("channel", "Email")
    CHAT = "chat", _("Live chat")
    API = "api", _("API")
    SOCIAL = "social", _("Social media")


class AuthorKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    SYSTEM = "system", _("System")
    INTEGRATION = "integration", _("Integration")


class Assignment(models.TextChoices):
    MANUAL = "manual", _("By hand")
    ROUND_ROBIN = "round_robin", _("Round robin")
    LEAST_BUSY = "least_busy", _("Least busy")


class SupportGroup(models.Model):
    """A team of agents; an agent sees the tickets of their groups and no others."""

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="support_groups",
        blank=True,
        verbose_name=_("members"),
    )
    leads = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="led_support_groups",
        blank=True,
        verbose_name=_("team leads"),
        help_text=_("Team leads see the group's reports."),
    )
    handles_security = models.BooleanField(
        _("handles security problems"),
        default=False,
        help_text=_(
            "Account takeovers, unauthorized withdrawals and leaked secrets go here at once."
        ),
    )
    assignment = models.CharField(
        _("assignment of new tickets"),
        max_length=12,
        choices=Assignment.choices,
        default=Assignment.MANUAL,
        help_text=_("Agents who are away are skipped."),
    )
    only_assignee_replies = models.BooleanField(
        _("only the assignee may reply"),
        default=False,
        help_text=_("Other agents of the group may still add internal notes."),
    )
    # The round-robin cursor: the member who was given the group's last ticket.
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("support group")
        verbose_name_plural = _("support groups")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _in_language(self, "name")


def default_response_hours() -> dict[str, int]:
    return {"urgent": 1, "high": 8, "normal": 24, "low": 72}


class ProblemType(models.Model):
    """What a customer needs help with; each type has its own form fields and expectations."""

    slug = models.SlugField(_("slug"), max_length=32, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("offered on the form"), default=True)
    is_security = models.BooleanField(
        _("security problem"),
        default=False,
        help_text=_("Tickets of this type are urgent and go to the security group at once."),
    )
    default_priority = models.CharField(
        _("default priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    group = models.ForeignKey(
        SupportGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problem_types",
        verbose_name=_("group"),
    )
    response_hours = models.JSONField(
        _("expected first response (hours per priority)"), default=default_response_hours
    )

    class Meta:
        verbose_name = _("problem type")
        verbose_name_plural = _("problem types")
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _in_language(self, "name")

    @property
    def description(self) -> str:
        return _in_language(self, "description")


class FieldKind(models.TextChoices):
    TEXT = "text", _("Short text")
    TEXTAREA = "textarea", _("Long text")
    DATETIME = "datetime", _("Date and time")
    CHOICE = "choice", _("Choice")
    AMOUNT = "amount", _("Amount")
    COIN = "coin", _("Coin")
    NETWORK = "network", _("Network")
    ADDRESS = "address", _("Crypto address")
    TXID = "txid", _("Transaction ID (TxID)")
    MEMO = "memo", _("Memo or destination tag")


class ProblemField(models.Model):
    """One question on the form of a problem type, beyond the basics every form asks."""

    problem_type = models.ForeignKey(
        ProblemType, on_delete=models.CASCADE, related_name="fields", verbose_name=_("problem type")
    )
    key = models.SlugField(_("key"), max_length=40)
    kind = models.CharField(_("kind"), max_length=16, choices=FieldKind.choices)
    label_ja = models.CharField(_("label (Japanese)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)
    help_ja = models.CharField(_("help (Japanese)"), max_length=300, blank=True)
    help_en = models.CharField(_("help (English)"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=False)
    choices = models.JSONField(
        _("choices"),
        default=list,
        blank=True,
        help_text=_('For a choice: a list of {"value": ..., "ja": ..., "en": ...}.'),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")
        ordering = ["problem_type", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["problem_type", "key"], name="unique_field_key")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return _in_language(self, "label")

    @property
    def help(self) -> str:
        return _in_language(self, "help")


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def new_reply_token() -> str:
    return secrets.token_urlsafe(15)


class Ticket(models.Model):
    """One request from one customer: the conversation, its state and who works on it."""

    subject = models.CharField(_("subject"), max_length=200)
    problem_type = models.ForeignKey(
        ProblemType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("problem type"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.NEW, db_index=True
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    channel = models.CharField(
        _("channel"), max_length=8, choices=Channel.choices, default=Channel.WEB
    )
    language = models.CharField(_("language"), max_length=8, default="ja")
    group = models.ForeignKey(
        SupportGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("group"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("assignee"),
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("customer"),
    )
    requester_email = models.EmailField(_("email"), max_length=254)
    requester_name = models.CharField(_("name"), max_length=200, blank=True)
    external_user_id = models.CharField(_("user ID"), max_length=64, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    account_context = models.JSONField(_("account context"), default=dict, blank=True)
    safety_flags = models.JSONField(_("safety flags"), default=list, blank=True)
    tags = models.ManyToManyField(Tag, related_name="tickets", blank=True, verbose_name=_("tags"))
    # A visitor's ticket stays hidden from agents until they prove the email is theirs.
    email_confirmed_at = models.DateTimeField(_("email confirmed"), null=True, blank=True)
    suggestions_shown = models.JSONField(_("articles suggested"), default=list, blank=True)
    suggestions_opened = models.JSONField(_("suggested articles opened"), default=list, blank=True)
    reply_token = models.CharField(max_length=32, unique=True, default=new_reply_token)
    # People the customer copied in (mail Cc): they receive the answers too, until an agent
    # removes them. Addresses only; never our own.
    cc_emails = models.JSONField(_("copied in"), default=list, blank=True)
    # The brand (MADOGUCHI_BRANDS) the customer wrote to: its sender address and signature
    # answer them. Empty: the default brand.
    brand = models.CharField(_("brand"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    solved_at = models.DateTimeField(_("solved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    csat_rating = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    csat_comment = models.TextField(_("satisfaction comment"), blank=True)
    csat_at = models.DateTimeField(_("rated"), null=True, blank=True)
    # SLA: the policy that applied when the ticket was routed and the targets it set. While the
    # ticket waits for the customer (pending) the clock stops: `sla_paused_at` says since when,
    # and the due times move on by the business time that passed when it resumes.
    sla_policy = models.ForeignKey(
        "tickets.SlaPolicy",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("SLA policy"),
    )
    next_response_due_at = models.DateTimeField(_("next response due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    sla_paused_at = models.DateTimeField(_("SLA paused since"), null=True, blank=True)
    # Targets already warned about or breached ("first_response", "next_response",
    # "resolution"), so each warning and escalation happens once.
    sla_warned = models.JSONField(default=list, blank=True)
    sla_breached = models.JSONField(default=list, blank=True)
    # A duplicate merged into another ticket is closed and points at it; a report of a wider
    # problem points at its incident ticket, which answers all of its reports at once.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_tickets",
        verbose_name=_("merged into"),
    )
    is_incident = models.BooleanField(_("incident"), default=False)
    incident = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("incident"),
        limit_choices_to={"is_incident": True},
    )

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["group", "status", "-updated_at"], name="ticket_queue"),
            models.Index(fields=["customer", "-updated_at"], name="ticket_customer"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee"),
            # A sender's tickets: the double-submission check of intake, a customer's history.
            models.Index(fields=["requester_email", "-created_at"], name="ticket_requester"),
            # The "breaching soon" queue and the SLA check: active tickets by their next target.
            models.Index(fields=["status", "first_response_due_at"], name="ticket_first_due"),
            models.Index(fields=["status", "next_response_due_at"], name="ticket_next_due"),
            models.Index(fields=["status", "resolution_due_at"], name="ticket_resolution_due"),
            # The worklist queues read 51 rows in this order instead of sorting every active
            # ticket of the agent's groups (selectors.in_queue_order: the same keys).
            models.Index(
                expressions.urgent_first(),
                expressions.due_for_queue(),
                F("created_at"),
                F("id"),
                name="ticket_worklist",
                condition=Q(status__in=sorted(ACTIVE_STATUSES), email_confirmed_at__isnull=False),
            ),
            # The same for one agent's own tickets ("Mine", its tab's count): an agent with
            # thousands of finished tickets would otherwise have all of them read to find these.
            models.Index(
                F("assignee_id"),
                expressions.urgent_first(),
                expressions.due_for_queue(),
                F("created_at"),
                F("id"),
                name="ticket_assignee_worklist",
                condition=Q(status__in=sorted(ACTIVE_STATUSES), email_confirmed_at__isnull=False),
            ),
            # "Breaching soon" (sla.queries.breaching_soon): a range over the next due time of
            # tickets whose clock runs.
            models.Index(
                expressions.next_due(),
                F("id"),
                name="ticket_running_next_due",
                condition=Q(
                    status__in=sorted(CLOCK_RUNNING_STATUSES),
                    sla_paused_at__isnull=True,
                    email_confirmed_at__isnull=False,
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class Message(models.Model):
    """One message of the conversation; an internal note when `is_internal`."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="messages", verbose_name=_("ticket")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    author_kind = models.CharField(_("from"), max_length=12, choices=AuthorKind.choices)
    channel = models.CharField(
        _("channel"), max_length=8, choices=Channel.choices, default=Channel.WEB
    )
    body = models.TextField(_("message"))
    is_internal = models.BooleanField(_("internal note"), default=False)
    # What the secret guard removed (kinds only) and what the link check found, for the agent.
    redacted_kinds = models.JSONField(default=list, blank=True)
    link_findings = models.JSONField(default=list, blank=True)
    # The channel's own id (a Message-ID for mail), for threading and delivery reports.
    external_id = models.CharField(max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id}/{self.pk}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # A random path: nothing about the ticket or the name can be guessed from it.
    return f"{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"


def attachment_storage() -> Any:
    return storages["attachments"]


class Attachment(models.Model):
    """A file the customer or an agent added; served only through the ticket's access check."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("ticket")
    )
    message = models.ForeignKey(
        Message,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("message"),
    )
    file = models.FileField(storage=attachment_storage, upload_to=attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    original_sha256 = models.CharField(_("SHA-256 as received"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class EventKind(models.TextChoices):
    CREATED = "created", _("Ticket created")
    EMAIL_CONFIRMED = "email_confirmed", _("Email confirmed")
    MESSAGE_ADDED = "message_added", _("Message added")
    NOTE_ADDED = "note_added", _("Internal note added")
    ATTACHMENT_ADDED = "attachment_added", _("Attachment added")
    STATUS_CHANGED = "status_changed", _("Status changed")
    PRIORITY_CHANGED = "priority_changed", _("Priority changed")
    GROUP_CHANGED = "group_changed", _("Group changed")
    ASSIGNED = "assigned", _("Assignee changed")
    TAGS_CHANGED = "tags_changed", _("Tags changed")
    ROUTED = "routed", _("Routed")
    SECRETS_REDACTED = "secrets_redacted", _("Secrets removed")
    LOOKALIKE_LINK = "lookalike_link", _("Look-alike link flagged")
    SECURITY_ALERT = "security_alert", _("Security group alerted")
    ACCOUNT_CONTEXT = "account_context", _("Account context attached")
    RATED = "rated", _("Satisfaction rated")
    EXPORTED = "exported", _("Evidence exported")
    RULE_APPLIED = "rule_applied", _("Routing rule applied")
    SLA_APPLIED = "sla_applied", _("SLA targets set")
    SLA_PAUSED = "sla_paused", _("SLA clock paused")
    SLA_RESUMED = "sla_resumed", _("SLA clock resumed")
    SLA_WARNING = "sla_warning", _("SLA breach warning")
    SLA_BREACHED = "sla_breached", _("SLA breached")
    ESCALATED = "escalated", _("Escalated")
    MERGED_INTO = "merged_into", _("Merged into another ticket")
    MERGED_FROM = "merged_from", _("Another ticket merged in")
    INCIDENT_LINKED = "incident_linked", _("Linked to an incident")
    INCIDENT_UNLINKED = "incident_unlinked", _("Unlinked from an incident")
    MADE_INCIDENT = "made_incident", _("Marked as an incident")
    CUSTOMER_MERGED = "customer_merged", _("Customer records merged")
    CC_CHANGED = "cc_changed", _("Copied-in people changed")
    DELIVERY_FAILED = "delivery_failed", _("Mail could not be sent")
    DELIVERY_BOUNCED = "delivery_bounced", _("Mail returned as undeliverable")


class TicketEvent(models.Model):
    """One entry of a ticket's history: who did what, when. Never updated, never deleted.

    `hash` covers this entry and `previous_hash`, so editing or removing any earlier entry
    breaks every later one.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="events")
    sequence = models.PositiveIntegerField()
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept as written at the time, so the history still names the actor after they are gone.
    actor_label = models.CharField(max_length=254)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ["ticket", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "sequence"], name="unique_event_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}#{self.sequence} {self.kind}"
