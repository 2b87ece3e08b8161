"""Error codes of the API and its tokens, each with a message in the user's language.

`install_error_handlers(api)` makes every NinjaAPI answer these as `{"code", "message"}`, and
a request django-ninja cannot read into an endpoint's parameters as a translated 422
`invalid_request` that keeps django-ninja's `detail` for programs.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError


class ApiErrorCode(StrEnum):
    TOKEN_MISSING = "token_missing"  # noqa: S105 - an error code, not a secret
    TOKEN_INVALID = "token_invalid"  # noqa: S105 - an error code, not a secret
    TOKEN_REVOKED = "token_revoked"  # noqa: S105 - an error code, not a secret
    TOKEN_EXPIRED = "token_expired"  # noqa: S105 - an error code, not a secret
    SCOPE_MISSING = "scope_missing"
    RATE_LIMITED = "rate_limited"
    INVALID_NAME = "invalid_name"
    SCOPES_REQUIRED = "scopes_required"
    UNKNOWN_SCOPE = "unknown_scope"
    INVALID_GROUP = "invalid_group"
    INVALID_EXPIRY = "invalid_expiry"
    TOKEN_NOT_FOUND = "token_not_found"  # noqa: S105 - an error code, not a secret
    INVALID_REQUEST = "invalid_request"
    INVALID_JSON = "invalid_json"


MESSAGES = {
    ApiErrorCode.TOKEN_MISSING: _(
        "Send an API token in the Authorization header, as “Bearer mdg_…”."
    ),
    ApiErrorCode.TOKEN_INVALID: _(
        "The API token is not valid. Check that it was copied completely."
    ),
    ApiErrorCode.TOKEN_REVOKED: _(
        "This API token has been revoked. Ask an administrator for a new one."
    ),
    ApiErrorCode.TOKEN_EXPIRED: _(
        "This API token has expired. Ask an administrator for a new one."
    ),
    ApiErrorCode.SCOPE_MISSING: _(
        "This API token does not have the scope %(scope)s that this request needs."
    ),
    ApiErrorCode.RATE_LIMITED: _("Too many requests in a short time. Wait a moment and try again."),
    ApiErrorCode.INVALID_NAME: _(
        "Name the integration that will use the token, in 1 to 100 characters on one line."
    ),
    ApiErrorCode.SCOPES_REQUIRED: _("Choose at least one scope. Valid scopes: %(valid)s."),
    ApiErrorCode.UNKNOWN_SCOPE: _("Unknown scope “%(scope)s”. Valid scopes: %(valid)s."),
    ApiErrorCode.INVALID_GROUP: _(
        "“%(group)s” is not a support group slug: use lower-case letters, digits and hyphens."
    ),
    ApiErrorCode.INVALID_EXPIRY: _("A token can be valid for 1 to %(limit)s days."),
    ApiErrorCode.TOKEN_NOT_FOUND: _("There is no API token with the ID “%(id)s”."),
    ApiErrorCode.INVALID_JSON: _("The request body is not JSON that can be read (UTF-8)."),
    ApiErrorCode.INVALID_REQUEST: _(
        "The request does not have the form this endpoint takes: a value is missing, has the "
        "wrong type or is not one it knows. “detail” names each, as a path and a reason."
    ),
}

STATUS = {
    ApiErrorCode.TOKEN_MISSING: 401,
    ApiErrorCode.TOKEN_INVALID: 401,
    ApiErrorCode.TOKEN_REVOKED: 401,
    ApiErrorCode.TOKEN_EXPIRED: 401,
    ApiErrorCode.SCOPE_MISSING: 403,
    ApiErrorCode.RATE_LIMITED: 429,
    ApiErrorCode.TOKEN_NOT_FOUND: 404,
    ApiErrorCode.INVALID_REQUEST: 422,
    ApiErrorCode.INVALID_JSON: 400,
}


class ApiError(Exception):
    """An error with a code; `message` is translated into the language active when it is read."""

    def __init__(self, code: ApiErrorCode | str, **params: object) -> None:
        self.code = ApiErrorCode(code)
        self.params = params
        super().__init__(self.code.value)

    @property
    def status(self) -> int:
        return STATUS.get(self.code, 400)

    @property
    def message(self) -> str:
        text = str(MESSAGES[self.code])
        return text % self.params if self.params else text


class ErrorOut(Schema):
    code: str
    message: str


class ValidationErrorOut(Schema):
    """A request that does not fit the endpoint's parameters or body schema at all."""

    code: str = Field(examples=["invalid_request"])
    message: str
    detail: list[dict[str, Any]] = Field(
        description=(
            "django-ninja's list, one entry per value at fault: `loc` (where, such as "
            '["body", "payload", "subject"]), `type` and `msg` (pydantic\'s, in English).'
        )
    )


def _bearer_challenge(error: ApiError) -> str | None:
    # RFC 6750 §3: a 401 names the scheme; with a bad token, error="invalid_token"; a 403
    # for a missing scope says error="insufficient_scope" and which scope.
    if error.code == ApiErrorCode.TOKEN_MISSING:
        return 'Bearer realm="api"'
    if error.status == 401:
        return 'Bearer realm="api", error="invalid_token"'
    if error.code == ApiErrorCode.SCOPE_MISSING:
        return f'Bearer realm="api", error="insufficient_scope", scope="{error.params["scope"]}"'
    return None


def install_error_handlers(api: NinjaAPI) -> None:
    """Answer API errors, missing credentials and throttling with a translated JSON body."""

    def render(request: HttpRequest, error: Any) -> HttpResponse:
        body = {"code": error.code.value, "message": error.message}
        response = api.create_response(request, body, status=error.status)
        challenge = _bearer_challenge(error)
        if challenge:
            response["WWW-Authenticate"] = challenge
        return response

    def missing_credentials(request: HttpRequest, _error: Any) -> HttpResponse:
        return render(request, ApiError(ApiErrorCode.TOKEN_MISSING))

    def throttled(request: HttpRequest, error: Any) -> HttpResponse:
        response = render(request, ApiError(ApiErrorCode.RATE_LIMITED))
        if error.wait is not None:
            # RFC 9110 §10.2.3: delay-seconds, a non-negative integer.
            response["Retry-After"] = str(max(1, math.ceil(error.wait)))
        return response

    def invalid_request(request: HttpRequest, error: Any) -> HttpResponse:
        refused = ApiError(ApiErrorCode.INVALID_REQUEST)
        body = {"code": refused.code.value, "message": refused.message, "detail": error.errors}
        return api.create_response(request, body, status=refused.status)

    def unreadable(request: HttpRequest, error: Any) -> HttpResponse:
        # django-ninja raises a bare HttpError(400) for a body it cannot parse, in English.
        if error.status_code == 400:
            return render(request, ApiError(ApiErrorCode.INVALID_JSON))
        return api.create_response(
            request,
            {"code": f"http_{error.status_code}", "message": str(error)},
            status=error.status_code,
        )

    # The handlers take `Any`: django-ninja types a handler's exception as `E | type[E]`.
    api.add_exception_handler(HttpError, unreadable)
    api.add_exception_handler(ApiError, render)
    api.add_exception_handler(AuthenticationError, missing_credentials)
    api.add_exception_handler(Throttled, throttled)
    api.add_exception_handler(ValidationError, invalid_request)
