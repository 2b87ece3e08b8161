"""The ways mail arrives: IMAP mailboxes, direct SMTP delivery and the pipe command, each
handing the raw message to `madoguchi.mail.ingest.ingest_mail`."""
