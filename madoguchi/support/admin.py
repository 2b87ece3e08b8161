"""Contacts that a suggested article ended, read here; they come only from the support form."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from madoguchi.support.models import Deflection


@admin.register(Deflection)
class DeflectionAdmin(admin.ModelAdmin[Deflection]):
    list_display = ("article", "problem_type", "language", "created_at")
    list_filter = ("problem_type", "language")
    search_fields = ("article",)
    readonly_fields = ("article", "problem_type", "language", "created_at")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
