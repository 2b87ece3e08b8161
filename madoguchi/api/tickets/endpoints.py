"""The ticket endpoints under /api/v1/tickets: thin, parse → access → intake or service → answer.

What a customer sends (a new ticket, a reply) goes through `intake.receive` as channel
"api", with the token's integration vouching for the customer's email; what the
integration does itself (status, priority, account context) goes through
`madoguchi.tickets.services` with the token as the actor in the ticket's history.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.template.defaultfilters import filesizeformat
from ninja import Body, Query, Router, Status
from ninja.decorators import decorate_view

from madoguchi import intake
from madoguchi.api.auth import AUTH_RESPONSES, ApiTokenAuth
from madoguchi.api.errors import ErrorOut
from madoguchi.api.models import ApiToken
from madoguchi.api.scopes import Scope
from madoguchi.api.tickets import inbound
from madoguchi.api.tickets.answers import check_answers
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
from madoguchi.api.tickets.permissions import (
    access_attachment,
    access_ticket,
    check_may_open,
    visible_tickets,
)
from madoguchi.api.tickets.representation import (
    for_listing,
    full_ticket,
    message_json,
    summary_json,
    ticket_json,
)
from madoguchi.api.tickets.schemas import (
    AcceptedOut,
    AccountContextOut,
    DuplicateOut,
    InvalidOut,
    MessageCreatedOut,
    MessageIn,
    TicketChangeIn,
    TicketCreatedOut,
    TicketIn,
    TicketOut,
    TicketPageOut,
    TicketStateOut,
)
from madoguchi.intake.inbound import InboundMessage
from madoguchi.tickets import services
from madoguchi.tickets.errors import TicketError, TicketErrorCode
from madoguchi.tickets.models import Message, Priority, ProblemType
from madoguchi.tickets.models import Status as TicketStatus

router = Router(tags=["tickets"])

CHANNEL = "api"
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,32}")

READ = ApiTokenAuth(Scope.TICKETS_READ)
WRITE = ApiTokenAuth(Scope.TICKETS_WRITE)
REPLY = ApiTokenAuth(Scope.MESSAGES_WRITE)
CONTEXT = ApiTokenAuth(Scope.ACCOUNT_CONTEXT_WRITE)

NOT_FOUND = {404: ErrorOut}
INVALID = {422: InvalidOut}
TOO_LARGE = {413: ErrorOut}

_ERRORS_NOTE = (
    " Errors are `{code, message}` in the caller's language (Accept-Language: ja or en). "
    "401: no token, or one that is not valid, revoked or expired; 403: the token lacks the "
    "scope; 429: the token's request rate is used up, with Retry-After in seconds."
)
_NOT_FOUND_NOTE = (
    " 404 `not_found`: no such ticket, a ticket not yet confirmed, or one of a support group "
    "the token is not limited to: the three cannot be told apart."
)
_INVALID_NOTE = (
    " 422 `invalid`: `errors` names each value at fault (`field`, `code`, `message`); a body "
    "that is not JSON of this shape at all gets django-ninja's 422 with `detail`."
)


def _token(request: HttpRequest) -> ApiToken:
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    return token


def limit_body(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer a body over DATA_UPLOAD_MAX_MEMORY_SIZE with a translated 413, before reading it.

    Django would refuse it too, but only when the body is read, and with an HTML 400.
    """

    @functools.wraps(run)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            refused = Refused(RefusalCode.BODY_TOO_LARGE, limit=filesizeformat(limit))
            return JsonResponse(
                {"code": refused.code.value, "message": refused.message}, status=413
            )
        return run(request, *args, **kwargs)

    return checked


def _problem_type(slug: str, problems: list[FieldProblem]) -> ProblemType | None:
    value = slug.strip()
    found = None
    if _SLUG.fullmatch(value):
        found = (
            ProblemType.objects.filter(slug=value, is_active=True)
            .select_related("group")
            .prefetch_related("fields")
            .first()
        )
    if found is None:
        valid = ", ".join(ProblemType.objects.filter(is_active=True).values_list("slug", flat=True))
        problems.append(problem("problem_type", FieldCode.UNKNOWN_PROBLEM_TYPE, valid=valid))
    return found


# --- POST /tickets ------------------------------------------------------------------------


@router.post(
    "",
    auth=WRITE,
    response={
        201: TicketCreatedOut,
        200: DuplicateOut,
        202: AcceptedOut,
        **TOO_LARGE,
        **INVALID,
        **AUTH_RESPONSES,
    },
    summary="Open a ticket for one of the exchange's customers",
    description=(
        "Needs `tickets:write`. The exchange vouches for its customer's email, so the ticket "
        "is confirmed at once. It goes through the same intake as the support form: secrets "
        "are removed from the text (`notices` says so, in the customer's language, and "
        "`redacted_kinds` on the message names what), look-alike links are defanged, files "
        "are checked by content, the problem type and urgency decide the support group. "
        "`fields` are the problem type's form fields, checked as the form checks them: "
        "addresses, TxIDs, coins and memos against the network. Attachments travel as "
        "base64 inside the JSON; a file that fails the content checks is left out and "
        "named in `rejected_attachments`. Text is stored in NFC without control "
        "characters; the subject's runs of spaces become one, the body and answers lose "
        "surrounding space. 201: the ticket. 200: the same message arrived within ten "
        "minutes; `id` is the ticket that holds it and nothing new was opened. 202: intake "
        "could not finish and kept the message in its quarantine (`quarantine_id`); nothing "
        "is lost. 403 `group_not_allowed`: the token is limited to support groups and this "
        "problem type goes to another (the answer still shows a ticket that triage sent "
        "to another group, such as security; later reads of it answer 404). 413: the body "
        "is over the upload limit (DATA_UPLOAD_MAX_MEMORY_SIZE, 10 MB by default)."
        + _INVALID_NOTE
        + _ERRORS_NOTE
    ),
)
@decorate_view(limit_body)
def create_ticket(request: HttpRequest, payload: TicketIn) -> Status:
    try:
        return _create(_token(request), payload)
    except Refused as refused:
        return refused.answer()


def _create(token: ApiToken, payload: TicketIn) -> Status:
    problems: list[FieldProblem] = []
    inbound.check_email(payload.requester_email, problems)
    inbound.check_short_text(
        payload.requester_name, field="requester_name", limit=inbound.NAME_CHARS, problems=problems
    )
    inbound.check_short_text(
        payload.external_user_id,
        field="external_user_id",
        limit=inbound.EXTERNAL_ID_CHARS,
        problems=problems,
    )
    inbound.check_subject(payload.subject, problems)
    inbound.check_body(payload.body, problems)
    language = inbound.check_language(payload.language, problems)
    problem_type = _problem_type(payload.problem_type, problems)
    answers: dict[str, str] = {}
    if problem_type is not None:
        answers, faults = check_answers(problem_type, payload.fields)
        problems.extend(faults)
    attachments = inbound.decode_attachments(payload.attachments, problems)
    context = payload.account_context
    if context is not None:
        problems.extend(check_context(context, field="account_context"))
    if problems or problem_type is None:
        raise invalid(problems)
    check_may_open(token, problem_type)
    outcome = intake.receive(
        InboundMessage(
            channel=CHANNEL,
            integration=token.name,
            email_verified=True,
            sender_email=payload.requester_email,
            sender_name=payload.requester_name,
            external_user_id=payload.external_user_id,
            problem_type=problem_type.slug,
            subject=payload.subject,
            body=payload.body,
            fields=answers,
            attachments=attachments,
            language=language,
        )
    )
    if outcome.outcome == "created" and outcome.ticket_id is not None:
        ticket = full_ticket(outcome.ticket_id)
        if context:
            services.attach_account_context(ticket=ticket, context=context, by=token)
            ticket = full_ticket(ticket.pk)
        body = {
            **ticket_json(ticket),
            "duplicate": False,
            "notices": inbound.notices(outcome),
            "rejected_attachments": inbound.rejected_files(outcome),
        }
        return Status(201, body)
    if outcome.outcome == "dropped" and outcome.ticket_id is not None:
        return Status(
            200, {"id": outcome.ticket_id, "duplicate": True, "notices": inbound.notices(outcome)}
        )
    return Status(
        202,
        {
            "outcome": outcome.outcome,
            "quarantine_id": outcome.quarantine_id,
            "notices": inbound.notices(outcome),
        },
    )


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
        + _INVALID_NOTE
        + _ERRORS_NOTE
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
    try:
        tickets, size = filtered(visible_tickets(_token(request)), filters)
    except Refused as refused:
        return refused.answer()
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
        + _NOT_FOUND_NOTE
        + _ERRORS_NOTE
    ),
)
def read_ticket(request: HttpRequest, ticket_id: int) -> Status:
    try:
        ticket = access_ticket(_token(request), ticket_id)
    except Refused as refused:
        return refused.answer()
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
        "opens a follow-up." + _NOT_FOUND_NOTE + _INVALID_NOTE + _ERRORS_NOTE
    ),
)
@decorate_view(limit_body)
def change_ticket(request: HttpRequest, ticket_id: int, payload: TicketChangeIn) -> Status:
    try:
        return _change(_token(request), ticket_id, payload)
    except Refused as refused:
        return refused.answer()


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


# --- POST /tickets/{id}/messages ----------------------------------------------------------


@router.post(
    "/{ticket_id}/messages",
    auth=REPLY,
    response={
        201: MessageCreatedOut,
        200: MessageCreatedOut,
        202: AcceptedOut,
        **NOT_FOUND,
        **TOO_LARGE,
        **INVALID,
        **AUTH_RESPONSES,
    },
    summary="Relay the customer's reply",
    description=(
        "Needs `messages:write`. The customer's words, relayed by the exchange, through the "
        "same intake as every reply: secrets removed (`notices`), links checked, files "
        "checked by content (base64 in the JSON), and a waiting or solved ticket opened "
        "again. A reply to a closed ticket opens a follow-up ticket: `ticket_id` is then "
        "the new ticket and `follow_up_of` the closed one. 201: the message. 200: the same "
        "reply arrived within ten minutes (`duplicate`), nothing was added. 202: kept in "
        "intake's quarantine. 413: the body is over the upload limit."
        + _NOT_FOUND_NOTE
        + _INVALID_NOTE
        + _ERRORS_NOTE
    ),
)
@decorate_view(limit_body)
def add_message(request: HttpRequest, ticket_id: int, payload: MessageIn) -> Status:
    try:
        return _reply(_token(request), ticket_id, payload)
    except Refused as refused:
        return refused.answer()


def _reply(token: ApiToken, ticket_id: int, payload: MessageIn) -> Status:
    ticket = access_ticket(token, ticket_id)
    problems: list[FieldProblem] = []
    inbound.check_body(payload.body, problems)
    language = inbound.check_language(payload.language, problems)
    attachments = inbound.decode_attachments(payload.attachments, problems)
    if problems:
        raise invalid(problems)
    outcome = intake.receive(
        InboundMessage(
            channel=CHANNEL,
            integration=token.name,
            email_verified=True,
            ticket_id=ticket.pk,
            sender_email=ticket.requester_email,
            sender_name=ticket.requester_name,
            external_user_id=ticket.external_user_id,
            problem_type=ticket.problem_type.slug if ticket.problem_type else "",
            body=payload.body,
            attachments=attachments,
            language=language or ticket.language,
        )
    )
    answer: dict[str, Any] = {
        "ticket_id": outcome.ticket_id or ticket.pk,
        "follow_up_of": None,
        "duplicate": False,
        "message": None,
        "notices": inbound.notices(outcome),
        "rejected_attachments": inbound.rejected_files(outcome),
    }
    if outcome.outcome in ("appended", "created") and outcome.message_id is not None:
        stored = Message.objects.prefetch_related("attachments").get(pk=outcome.message_id)
        answer["message"] = message_json(stored)
        if outcome.ticket_id != ticket.pk:
            answer["follow_up_of"] = ticket.pk
        return Status(201, answer)
    if outcome.outcome == "dropped":
        return Status(200, {**answer, "duplicate": True})
    return Status(
        202,
        {
            "outcome": outcome.outcome,
            "quarantine_id": outcome.quarantine_id,
            "notices": answer["notices"],
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
        "200: the ticket's whole account context." + _NOT_FOUND_NOTE + _INVALID_NOTE + _ERRORS_NOTE
    ),
)
@decorate_view(limit_body)
def attach_context(request: HttpRequest, ticket_id: int, context: Body[dict[str, Any]]) -> Status:
    try:
        token = _token(request)
        ticket = access_ticket(token, ticket_id)
        problems = check_context(context, field="account_context", existing=ticket.account_context)
        if problems:
            raise invalid(problems)
    except Refused as refused:
        return refused.answer()
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
        "notes are not served." + _NOT_FOUND_NOTE + _ERRORS_NOTE
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
    try:
        attachment = access_attachment(_token(request), ticket_id, attachment_id)
    except Refused as refused:
        return refused.answer()
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
