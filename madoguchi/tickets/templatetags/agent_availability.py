"""`{% availability_toggle %}`: the signed-in agent's "Away / Back" switch in the console header
(from the shared cache: console pages pay no query for it)."""

from __future__ import annotations

from typing import Any

from django import template

from madoguchi.tickets.routing.assignment import shows_away

register = template.Library()


@register.inclusion_tag("tickets/agent/_availability.html", takes_context=True)
def availability_toggle(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"shown": False}
    return {
        "shown": True,
        "away": shows_away(user),
        "next": request.get_full_path() if request else "",
        "csrf_token": context.get("csrf_token"),
    }
