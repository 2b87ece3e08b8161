"""`{{ user|leads_a_group }}`: whether the console header links the reports for a team lead.

The answer comes from the agent's desk (permissions.desk_of), which a console page has read
already for its tickets: the link costs no query of its own.
"""

from __future__ import annotations

from django import template

from madoguchi.tickets.permissions import leads_a_group

register = template.Library()

register.filter("leads_a_group", leads_a_group)
