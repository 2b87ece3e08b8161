"""The quarantine for admins: what intake could not take or held, why, and a way to retry it.

Rows are never edited or deleted here: nothing that arrives is lost. The raw input (a MIME
message) is not shown, only its size: unlike the payload, it has not passed the secret guard.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from madoguchi.accounts.permissions import is_admin
from madoguchi.intake.models import QuarantinedMessage, QuarantineStatus
from madoguchi.intake.quarantine import NotRetryable, retry

REASON_CHARS = 100
SHOWN_FILE_FIELDS = ("name", "declared_type", "content_type", "size", "sha256")


def readable_payload(payload: Any) -> str:
    """The kept message as indented JSON, with each file's content replaced by its size."""
    if not isinstance(payload, dict):
        return json.dumps(payload, ensure_ascii=False, indent=2)
    shown = dict(payload)
    for name in ("attachments", "files"):
        parts = shown.get(name)
        if isinstance(parts, list):
            shown[name] = [
                {
                    **{k: v for k, v in part.items() if k in SHOWN_FILE_FIELDS},
                    "data": _("%(count)s characters of base64")
                    % {"count": len(part.get("data", ""))},
                }
                if isinstance(part, dict)
                else part
                for part in parts
            ]
    return json.dumps(shown, ensure_ascii=False, indent=2, sort_keys=True)


def _outcome_text(quarantine_id: int, outcome: Any) -> tuple[int, str]:
    values = {"id": quarantine_id, "ticket": outcome.ticket_id, "reason": outcome.reason}
    if outcome.outcome == "created":
        return messages.SUCCESS, _("Message %(id)s: ticket #%(ticket)s was created.") % values
    if outcome.outcome == "appended":
        return messages.SUCCESS, _("Message %(id)s: added to ticket #%(ticket)s.") % values
    if outcome.outcome == "dropped":
        return messages.INFO, _("Message %(id)s: nothing to do (%(reason)s).") % values
    if outcome.outcome == "held":
        return messages.WARNING, _("Message %(id)s is held again: %(reason)s") % values
    return messages.ERROR, _("Message %(id)s failed again: %(reason)s") % values


@admin.register(QuarantinedMessage)
class QuarantinedMessageAdmin(admin.ModelAdmin[QuarantinedMessage]):
    list_display = (
        "id",
        "status",
        "channel",
        "step",
        "short_reason",
        "attempts",
        "ticket_link",
        "created_at",
        "updated_at",
    )
    list_filter = ("status", "channel", "step")
    search_fields = ("=id", "reason")
    ordering = ("-created_at",)
    fields = (
        "status",
        "channel",
        "step",
        "reason",
        "attempts",
        "ticket_link",
        "created_at",
        "updated_at",
        "payload_shown",
        "raw_size",
    )
    readonly_fields = fields
    actions = ("retry_messages", "release_held_messages")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return is_admin(request.user)

    @admin.display(description=gettext_lazy("reason"))
    def short_reason(self, row: QuarantinedMessage) -> str:
        reason = row.reason.splitlines()[0] if row.reason else ""
        return reason if len(reason) <= REASON_CHARS else reason[: REASON_CHARS - 1] + "…"

    @admin.display(description=gettext_lazy("ticket"))
    def ticket_link(self, row: QuarantinedMessage) -> str:
        if row.ticket_id is None:
            return "—"
        url = reverse("admin:tickets_ticket_change", args=[row.ticket_id])
        return format_html('<a href="{}">#{}</a>', url, row.ticket_id)

    @admin.display(description=gettext_lazy("message"))
    def payload_shown(self, row: QuarantinedMessage) -> str:
        return format_html(
            '<pre style="white-space: pre-wrap; overflow-wrap: anywhere">{}</pre>',
            readable_payload(row.payload),
        )

    @admin.display(description=gettext_lazy("raw input"))
    def raw_size(self, row: QuarantinedMessage) -> str:
        size = len(bytes(row.raw or b""))
        if not size:
            return "—"
        return _("%(size)s bytes (not shown: it may hold secrets the guard removed)") % {
            "size": size
        }

    def _retry(
        self, request: HttpRequest, rows: QuerySet[QuarantinedMessage], release: bool
    ) -> None:
        for row in rows.order_by("created_at"):
            if release and row.status != QuarantineStatus.HELD:
                self.message_user(
                    request,
                    _("Message %(id)s is not held; use “Retry” instead.") % {"id": row.pk},
                    messages.WARNING,
                )
                continue
            try:
                outcome = retry(row.pk, release_hold=release)
            except NotRetryable:
                self.message_user(
                    request,
                    _("Message %(id)s was already taken in.") % {"id": row.pk},
                    messages.INFO,
                )
                continue
            level, text = _outcome_text(row.pk, outcome)
            self.message_user(request, text, level)

    @admin.action(description=gettext_lazy("Retry"), permissions=["retry"])
    def retry_messages(self, request: HttpRequest, rows: QuerySet[QuarantinedMessage]) -> None:
        self._retry(request, rows, release=False)

    @admin.action(
        description=gettext_lazy("Release held message to its ticket"), permissions=["retry"]
    )
    def release_held_messages(
        self, request: HttpRequest, rows: QuerySet[QuarantinedMessage]
    ) -> None:
        self._retry(request, rows, release=True)
