"""Admins keep the official-channel registry here; link and sender checks read it at once."""

from __future__ import annotations

from django.contrib import admin

from madoguchi.safety.models import OfficialChannel


@admin.register(OfficialChannel)
class OfficialChannelAdmin(admin.ModelAdmin[OfficialChannel]):
    list_display = ("value", "kind", "platform", "active", "note", "updated_at")
    list_filter = ("kind", "platform", "active")
    search_fields = ("value", "note")
    fields = ("kind", "value", "platform", "active", "note")
