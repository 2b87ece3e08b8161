from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "madoguchi.mail"
    verbose_name = _("Email")

    def ready(self) -> None:
        # Intake never imports mail: a quarantined mail is read again through this reader.
        from madoguchi.intake.quarantine import register_reader
        from madoguchi.mail.adapter import CHANNEL
        from madoguchi.mail.ingest import reader

        register_reader(CHANNEL, reader)

        # Tickets never import mail either: replies and notices leave through this transport.
        from madoguchi.mail.send.transport import send
        from madoguchi.tickets.outbound import register_transport

        register_transport("email", send)
