"""The signed-in agent says they are away (no new tickets by automatic assignment) or back."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.tickets import services
from madoguchi.tickets.views.agent.access import agent_only


@require_POST
@agent_only
def availability(request: HttpRequest) -> HttpResponse:
    # Only ever the signed-in agent's own availability: nothing in the form names anyone.
    away = request.POST.get("away") == "1"
    services.set_availability(agent=request.user, away=away)
    messages.success(
        request,
        _("You are away: new tickets go to the others.")
        if away
        else _("Welcome back: new tickets can come to you again."),
    )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("tickets:agent_queue")
    return redirect(target)
