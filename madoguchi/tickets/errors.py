"""Why a ticket write was refused, each code with a message for the person who tried."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class TicketErrorCode(StrEnum):
    CLOSED = "closed"
    EMPTY_MESSAGE = "empty_message"
    MESSAGE_TOO_LONG = "message_too_long"
    SUBJECT_REQUIRED = "subject_required"
    BAD_STATUS = "bad_status"
    BAD_PRIORITY = "bad_priority"
    BAD_RATING = "bad_rating"
    ALREADY_RATED = "already_rated"
    NOT_SOLVED = "not_solved"
    NOT_A_MEMBER = "not_a_member"
    BAD_TAG = "bad_tag"
    TOO_MANY_ATTACHMENTS = "too_many_attachments"


MESSAGES = {
    TicketErrorCode.CLOSED: _(
        "This request is closed. Please send a new request and mention this one."
    ),
    TicketErrorCode.EMPTY_MESSAGE: _("Please write a message."),
    TicketErrorCode.MESSAGE_TOO_LONG: _("This message is too long."),
    TicketErrorCode.SUBJECT_REQUIRED: _("Please write a subject."),
    TicketErrorCode.BAD_STATUS: _("This status does not exist."),
    TicketErrorCode.BAD_PRIORITY: _("This priority does not exist."),
    TicketErrorCode.BAD_RATING: _("Please choose a rating from 1 to 5."),
    TicketErrorCode.ALREADY_RATED: _("This request has already been rated."),
    TicketErrorCode.NOT_SOLVED: _("A request can be rated once it is solved."),
    TicketErrorCode.NOT_A_MEMBER: _("This person is not an agent of the ticket's group."),
    TicketErrorCode.BAD_TAG: _("A tag is 1 to 50 characters without spaces or commas."),
    TicketErrorCode.TOO_MANY_ATTACHMENTS: _("Too many files are attached to this message."),
}


class TicketError(Exception):
    """A refused write; `message` is translated into the active language."""

    def __init__(self, code: TicketErrorCode) -> None:
        self.code = code
        super().__init__(code.value)

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code])
