"""Editors keep the synonym table here, and can look at what people searched for."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from madoguchi.search.models import SearchQuery, SynonymGroup


@admin.register(SynonymGroup)
class SynonymGroupAdmin(admin.ModelAdmin[SynonymGroup]):
    list_display = ("__str__", "enabled", "note", "updated_at")
    list_filter = ("enabled",)
    search_fields = ("terms", "note")


@admin.register(SearchQuery)
class SearchQueryAdmin(admin.ModelAdmin[SearchQuery]):
    list_display = ("query", "locale", "results", "took_ms", "created_at")
    list_filter = ("locale",)
    search_fields = ("query",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SearchQuery | None = None) -> bool:
        return False
