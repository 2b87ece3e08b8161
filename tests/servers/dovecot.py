"""A real IMAP server for the tests: Debian's Dovecot, unprivileged, in a temporary folder."""
