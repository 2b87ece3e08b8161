"""The ticket API: tickets and messages for the exchange's own systems, behind scoped tokens."""

from madoguchi.api.tickets.endpoints import router

__all__ = ["router"]
