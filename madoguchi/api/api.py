"""The versioned REST API (django-ninja); its OpenAPI schema is served at /api/v1/openapi.json."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from madoguchi.api.errors import install_error_handlers
from madoguchi.api.search import router as search_router
from madoguchi.api.tickets import router as tickets_router
from madoguchi.api.tickets.errors import Refused
from madoguchi.api.token_info import router as token_router
from madoguchi.api.validate import router as validate_router

api = NinjaAPI(
    title="madoguchi API",
    version="1",
    urls_namespace="api-v1",
    docs_url="/docs",
)
install_error_handlers(api)


def _refused(request: HttpRequest, refused: Any) -> HttpResponse:
    """A ticket endpoint's refusal (madoguchi.api.tickets.errors), as its status and JSON."""
    return api.create_response(request, refused.as_json(), status=refused.status)


api.add_exception_handler(Refused, _refused)

api.add_router("/search", search_router)
api.add_router("", validate_router)
api.add_router("", token_router)
api.add_router("/tickets", tickets_router)
