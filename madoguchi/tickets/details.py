"""The keys every channel may put in a ticket's details beside the problem type's own answers.

Channels write them, the agent page and the evidence archive read them; one place names them
so that an agent sees "When it happened", not `occurred_at`.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

OCCURRED_AT = "occurred_at"
ERROR_MESSAGE = "error_message"
GUIDE = "guide"
FOLLOW_UP_OF = "follow_up_of"

STANDARD_DETAILS: dict[str, Promise] = {
    OCCURRED_AT: _("When it happened"),
    ERROR_MESSAGE: _("Error message"),
    GUIDE: _("Guide followed before writing"),
    FOLLOW_UP_OF: _("Follow-up of"),
}
