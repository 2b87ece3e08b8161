"""Saving the queue's current filters under a name, and deleting a saved view."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.tickets.forms import QueueFilterForm, SavedViewForm
from madoguchi.tickets.services.saved_views import delete_view, save_view
from madoguchi.tickets.views.agent.access import agent_only, groups_of

NOT_FOUND = "No such view."


@require_POST
@agent_only
def save(request: HttpRequest) -> HttpResponse:
    form = SavedViewForm(request.POST)
    filters = QueueFilterForm(request.POST, groups=groups_of(request.user)).saved_filters()
    queue = reverse("tickets:agent_queue")
    if not form.is_valid():
        for error in form.errors.get("name", []):
            messages.error(request, str(error))
        return redirect(f"{queue}?{urlencode(filters)}")
    view = save_view(owner=request.user, name=form.cleaned_data["name"], filters=filters)
    messages.success(request, _("The view “%(name)s” is saved.") % {"name": view.name})
    return redirect(f"{queue}?{urlencode({'view': view.pk})}")


@require_POST
@agent_only
def delete(request: HttpRequest, view_id: int) -> HttpResponse:
    if not delete_view(owner=request.user, view_id=view_id):
        raise Http404(NOT_FOUND)
    messages.success(request, _("The view is deleted."))
    return redirect("tickets:agent_queue")
