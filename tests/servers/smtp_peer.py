"""A real SMTP peer for the tests: aiosmtpd on 127.0.0.1, keeping what it receives."""
