"""Admins see here what could not be delivered (failed or returned copies of replies and
notices, filtered by state and kind) and send it again once the cause is fixed."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from madoguchi.tickets import outbound
from madoguchi.tickets.models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = (
        "id",
        "ticket_id",
        "kind",
        "audience",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "failed_at",
    )
    list_filter = ("status", "kind", "audience", "channel")
    list_select_related = False
    search_fields = ("=ticket__id", "=rfc_message_id")
    ordering = ("-created_at", "-id")
    date_hierarchy = "created_at"
    actions = ("try_again",)
    readonly_fields = (
        "ticket",
        "message",
        "kind",
        "channel",
        "audience",
        "status",
        "to",
        "cc",
        "rfc_message_id",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "sent_at",
        "failed_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # What was sent, and what could not be, is part of the ticket's record.
        return False

    @admin.action(description=_("Try again to send the selected copies"))
    def try_again(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        count = outbound.retry(queryset.values_list("pk", flat=True))
        skipped = queryset.count() - count
        self.message_user(
            request,
            ngettext(
                "%(count)d copy will be sent again.",
                "%(count)d copies will be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
        if skipped > 0:
            self.message_user(
                request,
                ngettext(
                    "%(count)d copy was left alone: only failed or returned copies are sent again.",
                    "%(count)d copies were left alone: only failed or returned copies are sent "
                    "again.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
