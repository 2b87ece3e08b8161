"""GET /api/v1/token: the token making the request, so an integration can check its setup."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status

from madoguchi.api.auth import ApiTokenAuth
from madoguchi.api.errors import ErrorOut

router = Router(tags=["tokens"])


class TokenOut(Schema):
    id: str
    name: str
    scopes: list[str]
    groups: list[str]
    created_at: datetime
    expires_at: datetime | None


@router.get(
    "/token",
    auth=ApiTokenAuth(),
    response={200: TokenOut, 401: ErrorOut, 429: ErrorOut},
    summary="The API token making the request",
    description=(
        "Needs any valid token, whatever its scopes: the integration named when the token "
        "was created, its scopes, the support groups it is limited to (empty: all) and when "
        "it expires (null: never). Never the secret. 401: no token, or one that is not "
        "valid, revoked or expired; 429: the token's request rate is used up (Retry-After)."
    ),
)
def token_endpoint(request: HttpRequest) -> Status:
    token = request.auth  # type: ignore[attr-defined]
    return Status(
        200,
        {
            "id": token.public_id,
            "name": token.name,
            "scopes": token.scopes,
            "groups": token.groups,
            "created_at": token.created_at,
            "expires_at": token.expires_at,
        },
    )
