"""The ticket API: tickets and messages for the exchange's own systems, behind scoped tokens."""

from madoguchi.api.tickets import endpoints, incoming
from madoguchi.api.tickets.routing import router

__all__ = ["endpoints", "incoming", "router"]
