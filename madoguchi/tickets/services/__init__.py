"""Every write to tickets; views, the API, intake and commands call only these.

Keyword-only, typed functions, one transaction each, each writing the ticket's history in that
transaction; anything sent to people goes after commit.
"""

from madoguchi.tickets.services.assignment import auto_assign, set_availability
from madoguchi.tickets.services.conversation import (
    add_agent_reply,
    add_customer_message,
    add_internal_note,
    add_system_message,
)
from madoguchi.tickets.services.copied import copy_in, remove_copied
from madoguchi.tickets.services.files import store_attachment
from madoguchi.tickets.services.opening import open_ticket
from madoguchi.tickets.services.workflow import (
    assign_ticket,
    attach_account_context,
    change_priority,
    change_status,
    confirm_requester_email,
    flag_ticket,
    mark_solved_by_customer,
    move_to_group,
    rate_ticket,
    record_suggestion_opened,
    route_new_ticket,
    set_tags,
)

__all__ = [
    "add_agent_reply",
    "add_customer_message",
    "add_internal_note",
    "add_system_message",
    "assign_ticket",
    "attach_account_context",
    "auto_assign",
    "change_priority",
    "change_status",
    "confirm_requester_email",
    "copy_in",
    "flag_ticket",
    "mark_solved_by_customer",
    "move_to_group",
    "open_ticket",
    "rate_ticket",
    "record_suggestion_opened",
    "remove_copied",
    "route_new_ticket",
    "set_availability",
    "set_tags",
    "store_attachment",
]
