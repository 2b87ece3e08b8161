"""GET /tickets: filters and keyset pages in the order tickets last changed.

Pages run oldest change first, by (updated_at, id), with an opaque cursor holding the last
ticket's place: an integration that keeps the last cursor (or the last `updated_at`) sees
every later change exactly once, however many tickets change while it reads, and a page
costs the same at any depth, unlike an offset.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from madoguchi.api.tickets.errors import FieldCode, FieldProblem, invalid, problem
from madoguchi.tickets.answers import parse_moment
from madoguchi.tickets.models import Status, Ticket

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
FILTER_CHARS = 254
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_OFFSET_WITH_SPACE = re.compile(r"(T\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d:?\d\d)$")


@dataclass(frozen=True)
class Filters:
    status: str = ""
    problem_type: str = ""
    external_user_id: str = ""
    requester_email: str = ""
    updated_since: str = ""
    cursor: str = ""
    limit: str = ""


@dataclass(frozen=True)
class Place:
    updated_at: datetime
    pk: int


def encode_cursor(ticket: Ticket) -> str:
    raw = json.dumps([ticket.updated_at.isoformat(), ticket.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Place | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        stamp, pk = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        moment = datetime.fromisoformat(stamp)
    except (ValueError, TypeError, UnicodeError, binascii.Error):
        return None
    if not isinstance(pk, int) or isinstance(pk, bool) or timezone.is_naive(moment):
        return None
    return Place(updated_at=moment, pk=pk)


def _several(value: str) -> list[str]:
    return [piece.strip() for piece in value.split(",") if piece.strip()]


def _plain(value: str, field: str, problems: list[FieldProblem]) -> str:
    value = value.strip()
    if len(value) > FILTER_CHARS or _CONTROL.search(value):
        problems.append(problem(field, FieldCode.BAD_FILTER))
        return ""
    return value


def _moment(value: str) -> datetime | None:
    # A "+09:00" offset typed into a URL unencoded arrives as a space.
    return parse_moment(_OFFSET_WITH_SPACE.sub(r"\1+\2", value.strip()))


def filtered(tickets: QuerySet[Ticket], filters: Filters) -> tuple[QuerySet[Ticket], int]:
    """The tickets that match, from the cursor on, and how many to show; Refused when bad."""
    problems: list[FieldProblem] = []
    statuses = _several(_plain(filters.status, "status", problems))
    unknown = [value for value in statuses if value not in Status.values]
    if unknown:
        problems.append(problem("status", FieldCode.BAD_STATUS, valid=", ".join(Status.values)))
    else:
        tickets = tickets.filter(status__in=statuses) if statuses else tickets
    types = _several(_plain(filters.problem_type, "problem_type", problems))
    if types:
        tickets = tickets.filter(problem_type__slug__in=types)
    user_id = _plain(filters.external_user_id, "external_user_id", problems)
    if user_id:
        tickets = tickets.filter(external_user_id=user_id)
    email = _plain(filters.requester_email, "requester_email", problems)
    if email:
        tickets = tickets.filter(requester_email__iexact=email)
    if filters.updated_since.strip():
        since = _moment(filters.updated_since)
        if since is None:
            problems.append(problem("updated_since", FieldCode.BAD_DATETIME))
        else:
            tickets = tickets.filter(updated_at__gte=since)
    if filters.cursor:
        place = decode_cursor(filters.cursor.strip()[:200])
        if place is None:
            problems.append(problem("cursor", FieldCode.BAD_CURSOR))
        else:
            tickets = tickets.filter(
                Q(updated_at__gt=place.updated_at) | Q(updated_at=place.updated_at, pk__gt=place.pk)
            )
    limit = DEFAULT_LIMIT
    if filters.limit.strip():
        text = filters.limit.strip()
        if text.isascii() and text.isdigit() and len(text) <= 3 and 1 <= int(text) <= MAX_LIMIT:
            limit = int(text)
        else:
            problems.append(problem("limit", FieldCode.BAD_LIMIT, limit=MAX_LIMIT))
    if problems:
        raise invalid(problems)
    return tickets.order_by("updated_at", "pk"), limit
