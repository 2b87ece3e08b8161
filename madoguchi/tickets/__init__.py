"""Tickets: the customer's requests to support, and the checks their details pass."""
