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
    ASSIGNEE_ONLY = "assignee_only"


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
    TicketErrorCode.ASSIGNEE_ONLY: _(
        "In this group only the ticket's assignee may reply to the customer. Assign the "
        "ticket to yourself first, or add an internal note."
    ),
}


class TicketError(Exception):
    """A refused write; `message` is translated into the active language."""

    def __init__(self, code: TicketErrorCode) -> None:
        self.code = code
        super().__init__(code.value)

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code])


class AnswerCode(StrEnum):
    """Why an answer to a problem type's field was refused (madoguchi.tickets.answers).

    Crypto answers are refused with the code of their network check (`CheckCode`) instead.
    """

    REQUIRED = "required"
    TOO_LONG = "too_long"
    UNKNOWN_FIELD = "unknown_field"
    BAD_CHOICE = "bad_choice"
    BAD_AMOUNT = "bad_amount"
    BAD_COIN = "bad_coin"
    BAD_DATETIME = "bad_datetime"
    IN_THE_FUTURE = "in_the_future"
    NETWORK_NEEDED = "network_needed"


ANSWER_MESSAGES = {
    AnswerCode.REQUIRED: _("This field is required."),
    AnswerCode.TOO_LONG: _("Write at most %(limit)s characters here."),
    AnswerCode.UNKNOWN_FIELD: _("This problem type has no such field. Its fields are: %(valid)s."),
    AnswerCode.BAD_CHOICE: _("Choose one of: %(valid)s."),
    AnswerCode.BAD_AMOUNT: _("Enter the amount as a positive number, for example 0.05 or 10000."),
    AnswerCode.BAD_COIN: _("Enter the coin's symbol, for example BTC, ETH or USDT."),
    AnswerCode.BAD_DATETIME: _(
        "Enter a date and time in ISO 8601, for example 2025-01-31T09:30:00+09:00."
    ),
    AnswerCode.IN_THE_FUTURE: _("This moment is in the future. Enter when it happened."),
    AnswerCode.NETWORK_NEEDED: _(
        "Choose the network, so that the address and the transaction ID can be checked."
    ),
}
