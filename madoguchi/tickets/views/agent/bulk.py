"""The queue's bulk actions: one POST with the ticked tickets and one action, then back to the
queue with what was done, what changed nothing and which ids were refused."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from madoguchi.accounts.models import Role
from madoguchi.tickets.forms import SETTABLE_STATUSES, TAGS_CHARS
from madoguchi.tickets.models import Status
from madoguchi.tickets.services.bulk import BulkAction, BulkError, bulk_update
from madoguchi.tickets.views.agent.access import agent_only, groups_of

ME = "me"
NOBODY = "nobody"


class BulkForm(forms.Form):
    action = forms.ChoiceField(
        label=gettext_lazy("Action"),
        choices=[
            (BulkAction.ASSIGN, gettext_lazy("Assign to")),
            (BulkAction.ADD_TAGS, gettext_lazy("Add tags")),
            (BulkAction.REMOVE_TAGS, gettext_lazy("Remove tags")),
            (BulkAction.STATUS, gettext_lazy("Set status")),
            (BulkAction.CLOSE, gettext_lazy("Close")),
        ],
    )
    assignee = forms.CharField(label=gettext_lazy("Assignee"), required=False, max_length=20)
    tags = forms.CharField(label=gettext_lazy("Tags"), required=False, max_length=TAGS_CHARS)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", "—"), *((s.value, s.label) for s in SETTABLE_STATUSES)],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action == BulkAction.STATUS and not data.get("status"):
            self.add_error("status", _("Choose the status."))
        if action in (BulkAction.ADD_TAGS, BulkAction.REMOVE_TAGS) and not data.get("tags"):
            self.add_error("tags", _("Write at least one tag."))
        if action == BulkAction.ASSIGN and not data.get("assignee"):
            self.add_error("assignee", _("Choose who gets the tickets."))
        return data


def bulk_assignees(user: Any) -> Any:
    """Who the queue's bulk form offers: active agents of the groups the user works in."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            role__in=(Role.AGENT, Role.ADMIN),
            support_groups__in=groups_of(user),
        )
        .distinct()
        .order_by("email")
    )


def _assignee(user: Any, value: str) -> Any:
    """The chosen agent; `False` when the value names nobody the form offered."""
    if value == NOBODY:
        return None
    if value == ME:
        return user
    if value.isdigit():
        return bulk_assignees(user).filter(pk=int(value)).first() or False
    return False


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("tickets:agent_queue")
    return redirect(target)


def _ids(values: list[str]) -> str:
    return ", ".join(f"#{value}" for value in values)


@require_POST
@agent_only
def bulk(request: HttpRequest) -> HttpResponse:
    form = BulkForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return _back(request)
    data = form.cleaned_data
    assignee = _assignee(request.user, data["assignee"]) if data["action"] == "assign" else None
    if assignee is False:
        messages.error(request, _("Choose who gets the tickets."))
        return _back(request)
    try:
        result = bulk_update(
            ticket_ids=request.POST.getlist("tickets"),
            action=data["action"],
            by=request.user,
            assignee=assignee,
            tags=data["tags"].replace(",", " ").split(),
            status=Status.CLOSED if data["action"] == BulkAction.CLOSE else data["status"],
        )
    except BulkError as error:
        messages.error(request, error.message)
        return _back(request)
    if result.changed:
        messages.success(
            request,
            _("Changed %(count)s tickets: %(ids)s.")
            % {"count": len(result.changed), "ids": _ids([str(pk) for pk in result.changed])},
        )
    if result.unchanged:
        messages.info(
            request,
            _("Already so, left as they were: %(ids)s.")
            % {"ids": _ids([str(pk) for pk in result.unchanged])},
        )
    if result.not_found:
        messages.error(
            request,
            _("Not changed, because you cannot work on them or they do not exist: %(ids)s.")
            % {"ids": _ids([str(pk) for pk in result.not_found])},
        )
    for pk, reason in result.refused:
        messages.error(request, f"#{pk}: {reason}")
    return _back(request)
