"""What the integration reads and does itself: list, read, status, account context, files.

Changes go through `madoguchi.tickets.services` with the token as the actor, so the ticket's
history names the integration (`str(token)`: its name and public ID, never the secret).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from ninja import Body, Query, Status
from ninja.decorators import decorate_view

from madoguchi.api.auth import AUTH_RESPONSES
from madoguchi.api.errors import ErrorOut
from madoguchi.api.models import ApiToken
from madoguchi.api.tickets.context import check_context
from madoguchi.api.tickets.errors import (
    FieldCode,
    FieldProblem,
    RefusalCode,
    Refused,
    invalid,
    problem,
)
from madoguchi.api.tickets.listing import Filters, encode_cursor, filtered
from madoguchi.api.tickets.permissions import access_attachment, access_ticket, visible_tickets
from madoguchi.api.tickets.representation import for_listing, full_ticket, summary_json, ticket_json
from madoguchi.api.tickets.routing import (
    CHANNEL,
    CONTEXT,
    ERRORS_NOTE,
    INVALID,
    INVALID_NOTE,
    NOT_FOUND,
    NOT_FOUND_NOTE,
    READ,
    TOO_LARGE,
    WRITE,
    limit_body,
    router,
    token_of,
)
from madoguchi.api.tickets.schemas import (
    AccountContextOut,
    TicketChangeIn,
    TicketOut,
    TicketPageOut,
    TicketStateOut,
)
from madoguchi.tickets import services
from madoguchi.tickets.errors import TicketError, TicketErrorCode
from madoguchi.tickets.models import Priority
from madoguchi.tickets.models import Status as TicketStatus

# --- GET /tickets -------------------------------------------------------------------------


@router.get(
    "",
    auth=READ,
    response={200: TicketPageOut, **INVALID, **AUTH_RESPONSES},
    summary="List tickets, oldest change first",
    description=(
        "Needs `tickets:read`. Only confirmed tickets, and with a token limited to support "
        "groups only theirs. Ordered by `updated_at`, then `id`, oldest first: keep the "
        "last `next_cursor` (or the last `updated_at` as `updated_since`) to see each later "
        "change once. `status` and `problem_type` take several values separated by commas. "
        "`updated_since` is ISO 8601; without an offset it is the site's time zone."
        + INVALID_NOTE
        + ERRORS_NOTE
    ),
)
def list_tickets(
    request: HttpRequest,
    status: str = Query("", description="e.g. open,pending"),
    problem_type: str = Query("", description="e.g. deposit,withdrawal"),
    external_user_id: str = Query(""),
    requester_email: str = Query("", description="Matched without regard to case."),
    updated_since: str = Query("", description="e.g. 2025-01-31T09:00:00+09:00"),
    cursor: str = Query("", description="`next_cursor` of the previous page."),
    limit: str = Query("50", description="1 to 100 tickets a page."),
) -> Status:
    filters = Filters(
        status=status,
        problem_type=problem_type,
        external_user_id=external_user_id,
        requester_email=requester_email,
        updated_since=updated_since,
        cursor=cursor,
        limit=limit,
    )
    tickets, size = filtered(visible_tickets(token_of(request)), filters)
    page = list(for_listing(tickets)[: size + 1])
    more = len(page) > size
    page = page[:size]
    return Status(
        200,
        {
            "items": [summary_json(ticket) for ticket in page],
            "next_cursor": encode_cursor(page[-1]) if more else None,
        },
    )


# --- GET /tickets/{id} --------------------------------------------------------------------


@router.get(
    "/{ticket_id}",
    auth=READ,
    response={200: TicketOut, **NOT_FOUND, **AUTH_RESPONSES},
    summary="A ticket with its public messages",
    description=(
        "Needs `tickets:read`. The ticket, its form answers (`fields`), its account context "
        "and its public messages, oldest first, with each attachment's name, type, size and "
        "SHA-256. Agents' internal notes are never shown through the API."
        + NOT_FOUND_NOTE
        + ERRORS_NOTE
    ),
)
def read_ticket(request: HttpRequest, ticket_id: int) -> Status:
    ticket = access_ticket(token_of(request), ticket_id)
    return Status(200, ticket_json(full_ticket(ticket.pk)))


# --- PATCH /tickets/{id} ------------------------------------------------------------------


@router.patch(
    "/{ticket_id}",
    auth=WRITE,
    response={
        200: TicketStateOut,
        **NOT_FOUND,
        409: ErrorOut,
        **TOO_LARGE,
        **INVALID,
        **AUTH_RESPONSES,
    },
    summary="Change a ticket's status or priority",
    description=(
        "Needs `tickets:write`. `status`: new, open, pending, on_hold, solved or closed; "
        "`priority`: low, normal, high or urgent; either or both, changed together or not "
        "at all. The ticket's history names the token's integration as who did it. "
        "409 `closed`: a closed ticket cannot be opened again; the customer writing again "
        "opens a follow-up." + NOT_FOUND_NOTE + INVALID_NOTE + ERRORS_NOTE
    ),
)
@decorate_view(limit_body)
def change_ticket(request: HttpRequest, ticket_id: int, payload: TicketChangeIn) -> Status:
    return _change(token_of(request), ticket_id, payload)


def _change(token: ApiToken, ticket_id: int, payload: TicketChangeIn) -> Status:
    ticket = access_ticket(token, ticket_id)
    problems: list[FieldProblem] = []
    if payload.status is None and payload.priority is None:
        problems.append(problem("status", FieldCode.NOTHING_TO_CHANGE))
    if payload.status is not None and payload.status not in TicketStatus.values:
        valid = ", ".join(TicketStatus.values)
        problems.append(problem("status", FieldCode.BAD_STATUS, valid=valid))
    if payload.priority is not None and payload.priority not in Priority.values:
        valid = ", ".join(Priority.values)
        problems.append(problem("priority", FieldCode.BAD_PRIORITY, valid=valid))
    if problems:
        raise invalid(problems)
    try:
        with transaction.atomic():
            if payload.priority is not None:
                ticket = services.change_priority(
                    ticket=ticket, priority=payload.priority, by=token, reason=CHANNEL
                )
            if payload.status is not None:
                ticket = services.change_status(ticket=ticket, status=payload.status, by=token)
    except TicketError as error:
        if error.code == TicketErrorCode.CLOSED:
            raise Refused(RefusalCode.CLOSED) from None
        raise
    ticket.refresh_from_db(fields=["status", "priority", "updated_at"])
    return Status(
        200,
        {
            "id": ticket.pk,
            "status": ticket.status,
            "priority": ticket.priority,
            "updated_at": ticket.updated_at,
        },
    )


# --- POST /tickets/{id}/account-context ---------------------------------------------------


@router.post(
    "/{ticket_id}/account-context",
    auth=CONTEXT,
    response={200: AccountContextOut, **NOT_FOUND, **TOO_LARGE, **INVALID, **AUTH_RESPONSES},
    summary="Attach what the exchange knows of the customer's account",
    description=(
        "Needs `account-context:write`. The body is a JSON object, such as "
        '`{"kyc_level": 2, "recent_deposits": [{"coin": "BTC", "amount": "0.05"}]}`; its '
        "top-level keys are merged into the ticket's account context for agents to see, and "
        "the history records which keys the token's integration set. At most 16 KB as JSON "
        "together with what the ticket holds, four levels deep, keys of 1 to 100 "
        "characters, text without control characters, whole numbers within 64 bits. "
        "200: the ticket's whole account context." + NOT_FOUND_NOTE + INVALID_NOTE + ERRORS_NOTE
    ),
)
@decorate_view(limit_body)
def attach_context(request: HttpRequest, ticket_id: int, context: Body[dict[str, Any]]) -> Status:
    token = token_of(request)
    ticket = access_ticket(token, ticket_id)
    problems = check_context(context, field="account_context", existing=ticket.account_context)
    if problems:
        raise invalid(problems)
    ticket = services.attach_account_context(ticket=ticket, context=context, by=token)
    return Status(200, {"id": ticket.pk, "account_context": ticket.account_context})


# --- GET /tickets/{id}/attachments/{attachment_id} ----------------------------------------


@router.get(
    "/{ticket_id}/attachments/{attachment_id}",
    auth=READ,
    response={200: None, **NOT_FOUND, **AUTH_RESPONSES},
    summary="Download an attachment",
    description=(
        "Needs `tickets:read`. The stored file (images re-encoded without their metadata), "
        "as a download; its SHA-256 is the one listed on the message. Files of internal "
        "notes are not served." + NOT_FOUND_NOTE + ERRORS_NOTE
    ),
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def download_attachment(
    request: HttpRequest, ticket_id: int, attachment_id: int
) -> HttpResponseBase | Status:
    attachment = access_attachment(token_of(request), ticket_id, attachment_id)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
