"""The door of the API for integrations: `auth=ApiTokenAuth("tickets:read")` on an endpoint.

An endpoint behind it reads `request.auth` as the calling ApiToken (its `groups` say which
support groups it may touch: `request.auth.allows_group(slug)`). Every authenticated request
counts against the token's rate (settings.MADOGUCHI_API_RATE, default 600/m) before its
scopes are checked. Answers, each `{"code", "message"}` in the request's language:
401 token_missing / token_invalid / token_revoked / token_expired, 403 scope_missing,
429 rate_limited with Retry-After. Document them with `response={200: ..., **AUTH_RESPONSES}`.
It queries the database synchronously: for sync endpoints (an async one would need an
async twin of authenticate).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from madoguchi.api.errors import ApiError, ApiErrorCode, ErrorOut
from madoguchi.api.models import ApiToken
from madoguchi.api.scopes import Scope
from madoguchi.api.throttling import limit_token
from madoguchi.api.tokens import authenticate_api_token

AUTH_RESPONSES: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 429: ErrorOut}


class ApiTokenAuth(HttpBearer):
    """Bearer token authentication that also requires every scope it is given.

    `ApiTokenAuth()` lets in any valid token; `ApiTokenAuth(Scope.TICKETS_READ,
    Scope.MESSAGES_WRITE)` needs both scopes. A misspelt scope fails at import, not at a
    request. The OpenAPI schema lists it as the HTTP bearer scheme `ApiTokenAuth`.
    """

    openapi_bearerFormat = "mdg_<id>_<secret>"
    openapi_description = (
        "An API token created by an administrator (`madoguchi create-api-token` or the "
        "admin), sent as `Authorization: Bearer mdg_…`. Scopes: "
        + ", ".join(f"`{scope}`" for scope in Scope)
        + "."
    )

    def __init__(self, *scopes: Scope | str) -> None:
        self.scopes = tuple(Scope(scope) for scope in scopes)
        super().__init__()

    def __call__(self, request: HttpRequest) -> ApiToken | None:
        # HttpBearer's own __call__ logs a header with an unexpected scheme in DEBUG; a
        # token sent as "Token mdg_…" would land in the log.
        scheme, _, credentials = request.headers.get(self.header, "").partition(" ")
        credentials = credentials.strip()
        if scheme.lower() != "bearer" or not credentials:
            return None  # django-ninja answers 401 token_missing (see errors.py)
        return self.authenticate(request, credentials)

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        api_token = authenticate_api_token(presented=token)
        limit_token(api_token)
        for scope in self.scopes:
            if not api_token.has_scope(scope):
                raise ApiError(ApiErrorCode.SCOPE_MISSING, scope=scope.value)
        return api_token


def require_scope(request: HttpRequest, scope: Scope | str) -> ApiToken:
    """The calling token, if it has `scope`; else a 403 naming the scope.

    For an endpoint behind `ApiTokenAuth()` whose needs depend on the request (a reply
    needs messages:write, a status change tickets:write).
    """
    needed = Scope(scope)
    token = getattr(request, "auth", None)
    if not isinstance(token, ApiToken):
        raise ApiError(ApiErrorCode.TOKEN_MISSING)
    if not token.has_scope(needed):
        raise ApiError(ApiErrorCode.SCOPE_MISSING, scope=needed.value)
    return token
