"""Parsing inbound mail: raw bytes to a frozen, typed ParsedMail that never raises."""

from .message import Attachment, ParsedMail, parse_message
from .quotes import visible_reply

__all__ = ["Attachment", "ParsedMail", "parse_message", "visible_reply"]
