"""The tickets app's admin: groups, problem types, tickets and history (core); each part of the
agent console registers its own models in a module of this package, imported here."""

from madoguchi.tickets.admin import console, core, deliveries, routing, sla

__all__ = ["console", "core", "deliveries", "routing", "sla"]
