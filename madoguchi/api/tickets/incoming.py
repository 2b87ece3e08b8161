"""What the customer sends through the exchange: new tickets and replies, through intake.

The exchange vouches for its customer (`integration`, `email_verified`), so a new ticket is
confirmed at once; everything else is what the support form gets: the secret guard, link
checks, file checks, double-submission guard, triage and routing.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest
from ninja import Status
from ninja.decorators import decorate_view

from madoguchi import intake
from madoguchi.api.auth import AUTH_RESPONSES
from madoguchi.api.models import ApiToken
from madoguchi.api.tickets import inbound
from madoguchi.api.tickets.context import check_context
from madoguchi.api.tickets.errors import FieldCode, FieldProblem, invalid, problem
from madoguchi.api.tickets.permissions import access_ticket, check_may_open
from madoguchi.api.tickets.representation import full_ticket, message_json, ticket_json
from madoguchi.api.tickets.routing import (
    CHANNEL,
    ERRORS_NOTE,
    INVALID,
    INVALID_NOTE,
    NOT_FOUND,
    NOT_FOUND_NOTE,
    REPLY,
    TOO_LARGE,
    WRITE,
    limit_body,
    router,
    token_of,
)
from madoguchi.api.tickets.schemas import (
    AcceptedOut,
    DuplicateOut,
    MessageCreatedOut,
    MessageIn,
    TicketCreatedOut,
    TicketIn,
)
from madoguchi.intake.inbound import InboundMessage
from madoguchi.tickets import services
from madoguchi.tickets.answers import check_answers
from madoguchi.tickets.models import Message, ProblemType
from madoguchi.tickets.selectors import problem_type_by_slug

_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,32}")


def _problem_type(slug: str, problems: list[FieldProblem]) -> ProblemType | None:
    value = slug.strip()
    found = None
    if _SLUG.fullmatch(value):
        candidate = problem_type_by_slug(value)
        found = candidate if candidate is not None and candidate.is_active else None
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
        "is over the upload limit (DATA_UPLOAD_MAX_MEMORY_SIZE: one largest attachment in "
        "base64 and 1 MiB more, about 14.3 MiB by default)." + INVALID_NOTE + ERRORS_NOTE
    ),
)
@decorate_view(limit_body)
def create_ticket(request: HttpRequest, payload: TicketIn) -> Status:
    return _create(token_of(request), payload)


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
        checked = check_answers(fields=list(problem_type.fields.all()), answers=payload.fields)
        answers = checked.answers
        problems.extend(
            FieldProblem(f"fields.{item.key}", item.code, item.message) for item in checked.problems
        )
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
        + NOT_FOUND_NOTE
        + INVALID_NOTE
        + ERRORS_NOTE
    ),
)
@decorate_view(limit_body)
def add_message(request: HttpRequest, ticket_id: int, payload: MessageIn) -> Status:
    return _reply(token_of(request), ticket_id, payload)


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
