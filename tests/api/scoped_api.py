"""A URLconf for tests only: endpoints that need scopes, before the ticket endpoints exist.

It is its own NinjaAPI, set up with the same error handlers as the product's API.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import path
from ninja import NinjaAPI

from madoguchi.api.auth import ApiTokenAuth, require_scope
from madoguchi.api.errors import install_error_handlers
from madoguchi.api.scopes import Scope
from madoguchi.api.throttling import AddressThrottle

api = NinjaAPI(title="scoped test API", urls_namespace="scoped-test-api", docs_url=None)
install_error_handlers(api)


@api.get("/tickets", auth=ApiTokenAuth(Scope.TICKETS_READ))
def read_tickets(request: HttpRequest) -> dict[str, object]:
    token = request.auth  # type: ignore[attr-defined]
    return {"token": token.public_id, "security": token.allows_group("security")}


@api.post("/tickets", auth=ApiTokenAuth(Scope.TICKETS_READ, Scope.TICKETS_WRITE))
def write_tickets(request: HttpRequest) -> dict[str, str]:
    return {"token": request.auth.public_id}  # type: ignore[attr-defined]


@api.post("/messages", auth=ApiTokenAuth())
def write_message(request: HttpRequest) -> dict[str, str]:
    token = require_scope(request, Scope.MESSAGES_WRITE)
    return {"token": token.public_id}


@api.get("/public", throttle=AddressThrottle("scoped-test", setting="SCOPED_TEST_RATE"))
def public(request: HttpRequest) -> dict[str, bool]:
    return {"ok": True}


urlpatterns = [path("test-api/", api.urls)]
