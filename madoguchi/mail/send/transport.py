"""Hand one `Delivery` to the mail server through Django's mail connection, and say how it went
in the terms of the outbound pipeline: sent, try again later, or never (DeliveryFailed).

The reason kept for agents is the SMTP code and the server's words with any address removed.
"""

from __future__ import annotations

import re
import smtplib

from django.core.mail import get_connection

from madoguchi.mail.send.compose import compose
from madoguchi.mail.send.unsubscribe import is_unsubscribed
from madoguchi.tickets.models import NOTIFICATION_KINDS, Delivery, DeliveryAudience
from madoguchi.tickets.outbound import DeliveryFailed, DeliverySuppressed

ADDRESS = re.compile(r"<?[^\s<>@]+@[^\s<>@]+>?")


def _words(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {ADDRESS.sub('<…>', ' '.join(text.split()))}"[:300]


def _failure(code: int, text: bytes | str) -> DeliveryFailed:
    # 5xx: the server will never take it (RFC 5321 §4.2.1); 4xx and anything odd: try again.
    return DeliveryFailed(_words(code, text), permanent=500 <= code < 600)


def send(delivery: Delivery) -> None:
    """Send `delivery` now (outbound.register_transport("email", send))."""
    recipients = delivery.to if delivery.audience == DeliveryAudience.CUSTOMER else delivery.cc
    # Only notifications, the mails that offer the link (RFC 8058): an acknowledgement or an
    # email confirmation answers something the person just did, and without the confirmation
    # their request would never reach an agent.
    if delivery.kind in NOTIFICATION_KINDS and all(is_unsubscribed(a) for a in recipients if a):
        raise DeliverySuppressed
    mail = compose(delivery)
    if not mail.recipients():
        raise DeliveryFailed("no recipient", permanent=True)
    try:
        with get_connection(fail_silently=False) as connection:
            sent = connection.send_messages([mail])
    except smtplib.SMTPRecipientsRefused as error:
        codes = [value for value in error.recipients.values()]
        code, text = codes[0] if codes else (550, b"recipient refused")
        # Every recipient refused; permanent only when each refusal is.
        permanent = all(500 <= c < 600 for c, _text in codes)
        raise DeliveryFailed(_words(code, text), permanent=permanent) from None
    except smtplib.SMTPResponseException as error:
        raise _failure(error.smtp_code, error.smtp_error) from None
    except (smtplib.SMTPException, OSError) as error:
        raise DeliveryFailed(type(error).__name__, permanent=False) from None
    if not sent:
        raise DeliveryFailed("not sent", permanent=False)
