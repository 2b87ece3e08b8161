"""The customer's own requests: the list, one conversation, replies with files, solving, rating.

Every ticket and file is fetched through `madoguchi.tickets.permissions`, so a ticket that does
not exist and one that belongs to someone else give the same 404. Replies go through intake
like every other message a customer sends.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from madoguchi import intake
from madoguchi.intake.inbound import InboundMessage
from madoguchi.safety.rate_limits import configured_rate, hit
from madoguchi.support.forms_requests import RATINGS, RatingForm, ReplyForm
from madoguchi.support.views.access import grant_ticket, granted_tickets
from madoguchi.tickets.details import FOLLOW_UP_OF
from madoguchi.tickets.errors import TicketError, TicketErrorCode
from madoguchi.tickets.files import attachment_response
from madoguchi.tickets.models import Status, Ticket
from madoguchi.tickets.permissions import (
    access_attachment,
    access_ticket,
    can_mark_solved,
    can_rate,
    is_customer,
    is_requester,
    visible_tickets,
)
from madoguchi.tickets.selectors import expected_first_response, ticket_messages
from madoguchi.tickets.services import mark_solved_by_customer, rate_ticket

PAGE_SIZE = 20
# Replies per signed-in customer or per visitor's session (failed ones count: they carry files).
REPLY_RATE_SETTING = "MADOGUCHI_SUPPORT_REPLY_RATE"
REPLY_RATE_DEFAULT = "30/h"


@dataclass(frozen=True)
class Visitor:
    """A visitor acting through the ticket's mailed link; the history names them by that email."""

    email: str

    def __str__(self) -> str:
        return self.email


def _actor(request: HttpRequest, ticket: Ticket) -> Any:
    return request.user if request.user.is_authenticated else Visitor(ticket.requester_email)


def _ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    return access_ticket(request.user, ticket_id, granted=granted_tickets(request))


def _requested_by_viewer(request: HttpRequest, ticket: Ticket) -> Ticket:
    """Only the ticket's own customer writes here; an agent who can read it has their own page."""
    if not is_requester(request.user, ticket, granted=granted_tickets(request)):
        raise PermissionDenied
    return ticket


def _ticket_url(ticket_id: int, anchor: str = "") -> str:
    url = reverse("support:ticket", kwargs={"ticket_id": ticket_id})
    return f"{url}#{anchor}" if anchor else url


def _login_url(request: HttpRequest) -> str:
    return f"{reverse('account_login')}?{urlencode({'next': request.path})}"


@require_GET
def my_tickets(request: HttpRequest) -> HttpResponse:
    granted = granted_tickets(request)
    owner = request.user if is_customer(request.user) else None
    page = None
    if owner is not None or granted:
        tickets = (
            visible_tickets(owner, granted=granted)
            .select_related("problem_type")
            .order_by("-updated_at", "-pk")
        )
        page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "support/requests.html",
        {
            "page": page,
            "login_url": _login_url(request),
        },
    )


def _render_ticket(
    request: HttpRequest,
    ticket: Ticket,
    *,
    reply_form: ReplyForm | None = None,
    rating_form: RatingForm | None = None,
    reply_error: str = "",
    status: int = 200,
) -> HttpResponse:
    granted = granted_tickets(request)
    requester = is_requester(request.user, ticket, granted=granted)
    conversation = list(ticket_messages(ticket, include_internal=False))
    unanswered = ticket.first_response_at is None and ticket.is_active
    follow_up_of = str((ticket.details or {}).get(FOLLOW_UP_OF, "")).lstrip("#")
    return render(
        request,
        "support/ticket.html",
        {
            "ticket": ticket,
            "conversation": conversation,
            "loose_files": list(ticket.attachments.filter(message__isnull=True)),
            "is_requester": requester,
            "expected_response": (
                expected_first_response(ticket.problem_type, ticket.priority) if unanswered else ""
            ),
            "follow_up_of": int(follow_up_of)
            if follow_up_of.isascii() and follow_up_of.isdigit()
            else None,
            "reply_form": (reply_form or ReplyForm()) if requester else None,
            "reply_error": reply_error,
            "can_mark_solved": can_mark_solved(request.user, ticket, granted=granted),
            "rating_form": (
                (rating_form or RatingForm())
                if can_rate(request.user, ticket, granted=granted)
                else None
            ),
            "rating_label": dict(RATINGS).get(ticket.csat_rating or 0, ""),
        },
        status=status,
    )


@require_GET
def ticket_page(request: HttpRequest, ticket_id: int) -> HttpResponse:
    try:
        ticket = _ticket(request, ticket_id)
    except Http404:
        if request.user.is_authenticated:
            raise
        # Mails link signed-in customers here; logged out, they are asked to log in. The
        # answer is the same for every id, so it tells nothing about which tickets exist.
        return render(
            request, "support/ticket_login.html", {"login_url": _login_url(request)}, status=404
        )
    return _render_ticket(request, ticket)


def _wait_before_reply(request: HttpRequest) -> int | None:
    """Count one reply of this user (or visitor session); seconds to wait when over the limit."""
    if request.user.is_authenticated:
        ident = f"user:{request.user.pk}"
    else:
        # A visitor reaches a ticket only through a session holding its grant.
        ident = f"session:{request.session.session_key or 'none'}"
    rate = configured_rate(REPLY_RATE_SETTING, REPLY_RATE_DEFAULT)
    return hit(scope="reply", ident=ident, rate=rate)


def _too_many_replies(request: HttpRequest, ticket: Ticket, wait: int) -> HttpResponse:
    minutes = max(1, math.ceil(wait / 60))
    error = ngettext(
        "You have sent many messages in a short time. Please wait %(minutes)d minute and "
        "send your message again.",
        "You have sent many messages in a short time. Please wait %(minutes)d minutes and "
        "send your message again.",
        minutes,
    ) % {"minutes": minutes}
    # Unbound, so the typed text is shown again without checking it (nor its files) once more.
    form = ReplyForm(initial={"body": request.POST.get("body", "")})
    response = _render_ticket(request, ticket, reply_form=form, reply_error=error, status=429)
    response["Retry-After"] = str(wait)
    return response


@require_POST
def reply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _requested_by_viewer(request, _ticket(request, ticket_id))
    wait = _wait_before_reply(request)
    if wait is not None:
        return _too_many_replies(request, ticket, wait)
    form = ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_ticket(request, ticket, reply_form=form, status=400)
    owns = is_customer(request.user) and ticket.customer_id == request.user.pk
    closed = ticket.status == Status.CLOSED
    outcome = intake.receive(
        InboundMessage(
            channel="web",
            ticket_id=ticket.pk,
            customer_id=request.user.pk if owns else None,
            sender_email=ticket.requester_email,
            # The signed-in owner, or the holder of a link mailed to a confirmed address.
            email_verified=owns or ticket.is_confirmed,
            # A closed ticket's follow-up keeps its subject and problem type; a reply must not
            # triage the ticket again (a security type would alert the security group each time).
            subject=ticket.subject if closed else "",
            problem_type=ticket.problem_type.slug if closed and ticket.problem_type else "",
            body=form.cleaned_data["body"],
            attachments=tuple(form.cleaned_data["attachments"]),
            language=get_language() or "",
        )
    )
    for notice in outcome.notices:
        messages.warning(request, notice)
    if outcome.outcome == "appended":
        messages.success(request, _("Your message was sent."))
        return redirect(_ticket_url(ticket.pk, f"message-{outcome.message_id}"))
    if outcome.outcome == "created" and outcome.ticket_id is not None:
        follow_up = Ticket.objects.get(pk=outcome.ticket_id)
        grant_ticket(request, follow_up)
        messages.info(
            request,
            _(
                "Request #%(old)d is closed, so your message was sent as a new request "
                "#%(new)d that refers to it."
            )
            % {"old": ticket.pk, "new": follow_up.pk},
        )
        return redirect(_ticket_url(follow_up.pk))
    if outcome.outcome == "dropped":
        messages.info(request, _("This message was already sent."))
        return redirect(_ticket_url(ticket.pk))
    # Held or quarantined: kept whole for the team, so the customer need not type it again.
    messages.warning(
        request,
        _(
            "We received your message, but it could not be added to this request right away. "
            "Our team will check it; there is no need to send it again."
        ),
    )
    return redirect(_ticket_url(ticket.pk))


@require_POST
def solve(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _requested_by_viewer(request, _ticket(request, ticket_id))
    if can_mark_solved(request.user, ticket, granted=granted_tickets(request)):
        mark_solved_by_customer(ticket=ticket, by=_actor(request, ticket))
        messages.success(
            request,
            _("Thank you. This request is now marked as solved. How was our support?"),
        )
    return redirect(_ticket_url(ticket.pk, "rating"))


@require_POST
def rate(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _requested_by_viewer(request, _ticket(request, ticket_id))
    form = RatingForm(request.POST)
    valid = form.is_valid()
    if not valid and can_rate(request.user, ticket, granted=granted_tickets(request)):
        return _render_ticket(request, ticket, rating_form=form, status=400)
    try:
        if not valid:
            # Nothing to rate with, and nothing to ask again: tell why, as the service would.
            rated = ticket.csat_rating is not None
            raise TicketError(
                TicketErrorCode.ALREADY_RATED if rated else TicketErrorCode.NOT_SOLVED
            )
        rate_ticket(
            ticket=ticket,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
            by=_actor(request, ticket),
        )
    except TicketError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you for rating our support."))
    return redirect(_ticket_url(ticket.pk, "rating"))


@require_safe
def attachment(request: HttpRequest, ticket_id: int, attachment_id: int) -> HttpResponseBase:
    found = access_attachment(
        request.user, ticket_id, attachment_id, granted=granted_tickets(request)
    )
    return attachment_response(found)
