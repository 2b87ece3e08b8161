"""Saved views: the queue filters an agent keeps under a name, only for themselves."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max

from madoguchi.tickets.models import SavedView

# The queue form's field names; anything else in a saved view would be ignored anyway.
FILTER_KEYS = frozenset({"status", "group", "assigned", "priority", "due"})
MAX_VALUE_CHARS = 100
NAME_CHARS = 80  # SavedView.name


def _clean(filters: Mapping[str, Any]) -> dict[str, str]:
    return {
        key: str(value)[:MAX_VALUE_CHARS]
        for key, value in filters.items()
        if key in FILTER_KEYS and value not in (None, "")
    }


@transaction.atomic
def save_view(*, owner: Any, name: str, filters: Mapping[str, Any]) -> SavedView:
    """Keep `filters` under `name` for `owner`; a view of the same name gets the new filters.

    A new view goes to the end of the owner's list.
    """
    name = " ".join(name.split())[:NAME_CHARS]
    view = SavedView.objects.select_for_update().filter(owner=owner, name=name).first()
    if view is not None:
        view.filters = _clean(filters)
        view.save(update_fields=["filters"])
        return view
    last = SavedView.objects.filter(owner=owner).aggregate(last=Max("position"))["last"]
    return SavedView.objects.create(
        owner=owner,
        name=name,
        filters=_clean(filters),
        position=0 if last is None else last + 1,
    )


@transaction.atomic
def delete_view(*, owner: Any, view_id: int) -> bool:
    """Remove one of `owner`'s views; another agent's view or a missing one is left alone."""
    deleted, _ = SavedView.objects.filter(owner=owner, pk=view_id).delete()
    return bool(deleted)
