"""ASGI entry point: one application for both protocols on one port.

HTTP goes to Django's WSGI handler through a2wsgi's thread pool, which measured several times
faster than Django's own ASGI handler for our synchronous views (docs/serving.md has the
figures); WebSockets go to Channels consumers. Live chat joins `websocket_urlpatterns`.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")

import django

django.setup()

from a2wsgi import WSGIMiddleware  # noqa: E402
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.generic.websocket import WebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.urls import URLPattern, URLResolver, path  # noqa: E402

from madoguchi.serving import DEFAULT_THREADS, THREADS_ENV  # noqa: E402
from madoguchi.tickets.consumers import QueueRoomConsumer, TicketRoomConsumer  # noqa: E402


class PingConsumer(WebsocketConsumer):
    """Health check for the WebSocket path: answers "pong" to every "ping"."""

    def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data == "ping":
            self.send(text_data="pong")


websocket_urlpatterns: list[URLPattern | URLResolver] = [
    path("ws/ping/", PingConsumer.as_asgi()),
    path("ws/agent/tickets/<int:ticket_id>/", TicketRoomConsumer.as_asgi()),
    path("ws/agent/queue/", QueueRoomConsumer.as_asgi()),
]

# Django's own ASGI handler, for servers and tests that want the pure-ASGI path.
django_asgi_app = get_asgi_application()

# Pages and the API run in a small thread pool per process, like gunicorn's gthread workers: a
# request waiting on the database or the network does not hold up the others, while more threads
# than that only queue on the GIL (`madoguchi serve --threads`, docs/serving.md).
wsgi_http_app = WSGIMiddleware(
    get_wsgi_application(),  # type: ignore[arg-type]
    workers=int(os.environ.get(THREADS_ENV) or DEFAULT_THREADS),
)

application = ProtocolTypeRouter(
    {
        "http": wsgi_http_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
