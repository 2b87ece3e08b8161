"""Outgoing mail: the MIME message of a `Delivery` (compose), the SMTP hand-off (transport) and
the one-click unsubscribe of notices (unsubscribe). Registered with the outbound pipeline of
tickets in `MailConfig.ready()`."""
