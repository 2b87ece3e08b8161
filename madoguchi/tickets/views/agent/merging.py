"""Merging, in two steps each: name the other ticket (or customer record), then confirm on a
page that shows what will move. Both tickets and both records go through the one door."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from madoguchi.tickets.models import Attachment, Message, Ticket
from madoguchi.tickets.permissions import access_ticket
from madoguchi.tickets.services.customers import (
    CustomerMergeError,
    merge_customers,
    plan_customer_merge,
)
from madoguchi.tickets.services.merging import (
    MergeError,
    MergeErrorCode,
    check_merge,
    merge_tickets,
    same_customer,
)
from madoguchi.tickets.views.agent.access import agent_only
from madoguchi.tickets.views.agent.actions import ticket_url


class MergeForm(forms.Form):
    into = forms.IntegerField(
        label=gettext_lazy("Merge into ticket number"),
        min_value=1,
        help_text=gettext_lazy("The ticket that goes on; this one is closed and points to it."),
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)
    other_customer = forms.BooleanField(
        label=gettext_lazy("Merge even though the tickets belong to different customers"),
        required=False,
    )


class CustomerMergeForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email of the other record"), max_length=254)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


def _merge_page(
    request: HttpRequest, ticket: Ticket, form: MergeForm, *, into: Ticket | None = None
) -> HttpResponse:
    context: dict[str, Any] = {"ticket": ticket, "form": form, "into": into}
    if into is not None:
        context |= {
            "messages_count": Message.objects.filter(ticket=ticket).count(),
            "files_count": Attachment.objects.filter(ticket=ticket).count(),
            "other_customer": not same_customer(ticket, into),
        }
    status = 400 if form.errors else 200
    return render(request, "tickets/agent/merge.html", context, status=status)


@require_http_methods(["GET", "POST"])
@agent_only
def merge(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """GET: ask for the ticket to merge into. POST without `confirm`: show what moves.
    POST with `confirm`: merge."""
    ticket = access_ticket(request.user, ticket_id)
    if request.method == "GET":
        return _merge_page(request, ticket, MergeForm())
    form = MergeForm(request.POST)
    if not form.is_valid():
        return _merge_page(request, ticket, form)
    # Another group's ticket and a missing one both end here: the same 404 as anywhere.
    into = access_ticket(request.user, form.cleaned_data["into"])
    confirmed_other = form.cleaned_data["other_customer"]
    try:
        if not form.cleaned_data["confirm"]:
            check_merge(ticket, into, other_customer_confirmed=True)
            return _merge_page(request, ticket, MergeForm(initial={"into": into.pk}), into=into)
        result = merge_tickets(
            source=ticket, into=into, by=request.user, other_customer_confirmed=confirmed_other
        )
    except MergeError as error:
        form.add_error(None, error.message)
        shown = into if error.code == MergeErrorCode.OTHER_CUSTOMER else None
        return _merge_page(request, ticket, form, into=shown)
    messages.success(
        request,
        _("Ticket #%(source)s was merged into this ticket: %(count)s messages copied.")
        % {"source": ticket.pk, "count": result.copied_messages},
    )
    return redirect(f"{ticket_url(into)}#links")


def _customer_sides(ticket: Ticket, email: str) -> tuple[Any, Any]:
    """(source, into) for a merge started from `ticket`'s customer panel: into the ticket's
    account when it has one; a visitor's ticket merges its email into the account named
    (into is None when no account has that email)."""
    if ticket.customer is not None:
        return email, ticket.customer
    into = get_user_model().objects.filter(email__iexact=email).first()
    return ticket.requester_email, into


@require_http_methods(["GET", "POST"])
@agent_only
def merge_customer(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Merge another customer record into this ticket's customer, after a confirmation that
    lists the tickets that move and the addresses that stay behind."""
    ticket = access_ticket(request.user, ticket_id)
    form = CustomerMergeForm(request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {"ticket": ticket, "form": form}
    if request.method == "GET" or not form.is_valid():
        status = 400 if form.errors else 200
        return render(request, "tickets/agent/merge_customer.html", context, status=status)
    try:
        source, into = _customer_sides(ticket, form.cleaned_data["email"])
        if into is None:
            form.add_error("email", _("No customer account has this email address."))
            return render(request, "tickets/agent/merge_customer.html", context, status=400)
        if not form.cleaned_data["confirm"]:
            plan = plan_customer_merge(source=source, into=into, by=request.user)
            context["plan"] = plan
            context["form"] = CustomerMergeForm(initial={"email": form.cleaned_data["email"]})
            return render(request, "tickets/agent/merge_customer.html", context)
        plan = merge_customers(source=source, into=into, by=request.user, started_from=ticket)
    except CustomerMergeError as error:
        form.add_error(None, error.message)
        return render(request, "tickets/agent/merge_customer.html", context, status=400)
    messages.success(
        request,
        _("The records were merged: %(count)s tickets now belong to %(email)s.")
        % {"count": plan.total, "email": plan.into.email},
    )
    return redirect(f"{ticket_url(ticket)}#customer")
