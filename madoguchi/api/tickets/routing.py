"""What every ticket endpoint shares: the router, the scopes each needs, the size limit.

What a customer sends (a new ticket, a reply) goes through `intake.receive` as channel
"api" (madoguchi.api.tickets.incoming); what the integration does itself (status,
priority, account context) goes through `madoguchi.tickets.services`, with the token as
the actor in the ticket's history (madoguchi.api.tickets.endpoints).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from ninja import Router

from madoguchi.api.auth import ApiTokenAuth
from madoguchi.api.errors import ErrorOut, ValidationErrorOut
from madoguchi.api.models import ApiToken
from madoguchi.api.scopes import Scope
from madoguchi.api.tickets.errors import RefusalCode, Refused
from madoguchi.api.tickets.schemas import InvalidOut

router = Router(tags=["tickets"])

CHANNEL = "api"

READ = ApiTokenAuth(Scope.TICKETS_READ)
WRITE = ApiTokenAuth(Scope.TICKETS_WRITE)
REPLY = ApiTokenAuth(Scope.MESSAGES_WRITE)
CONTEXT = ApiTokenAuth(Scope.ACCOUNT_CONTEXT_WRITE)

NOT_FOUND = {404: ErrorOut}
# 422 is either the endpoint's own `invalid` or django-ninja's `invalid_request`.
INVALID = {422: InvalidOut | ValidationErrorOut}
TOO_LARGE = {413: ErrorOut}

ERRORS_NOTE = (
    " Errors are `{code, message}` in the caller's language (Accept-Language: ja or en). "
    "401: no token, or one that is not valid, revoked or expired; 403: the token lacks the "
    "scope; 429: the token's request rate is used up, with Retry-After in seconds."
)
NOT_FOUND_NOTE = (
    " 404 `not_found`: no such ticket, a ticket not yet confirmed, or one of a support group "
    "the token is not limited to: the three cannot be told apart."
)
INVALID_NOTE = (
    " 422 `invalid`: `errors` names each value at fault (`field`, `code`, `message`); a body "
    "that is not JSON of this shape at all (a missing or misspelt key, a list for a string) "
    "is a 422 `invalid_request` whose `detail` is django-ninja's list of what did not fit."
)


def token_of(request: HttpRequest) -> ApiToken:
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
            return JsonResponse(refused.as_json(), status=refused.status)
        return run(request, *args, **kwargs)

    return checked
