"""The versioned REST API (django-ninja); its OpenAPI schema is served at /api/v1/openapi.json."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="madoguchi API",
    version="1",
    urls_namespace="api-v1",
    docs_url="/docs",
)
