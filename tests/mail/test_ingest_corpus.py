"""The 112 real-world mails of ../shared/data/mail (other mail parsers' test data) through the
whole intake: none quarantined or lost, every one readable, no automatic mail starts a ticket."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from madoguchi.intake.models import QuarantinedMessage
from madoguchi.mail.classify import classify_automation
from madoguchi.mail.ingest import ingest_mail
from madoguchi.mail.models import ReceivedMail
from madoguchi.tickets.models import AuthorKind, Ticket

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "mail"
MAILS = sorted(CORPUS.glob("*.eml"))
NOTES = {
    cells[1]: (cells[7], cells[8])
    for line in (CORPUS / "README.md").read_text(encoding="utf-8").splitlines()
    if line.startswith("| ") and ".eml |" in line
    for cells in [[cell.strip() for cell in line.split("|")]]
}
# Signs of text decoded with the wrong charset: encoded-words left as they came, ISO-2022-JP
# escapes, UTF-8 read as Latin-1 ("Ã©", "ã\x81"), or Japanese read as Latin-1.
MOJIBAKE = re.compile(r"=\?[\w-]+\?[bq]\?|\x1b[$(]|Ã[\x80-\xbf]|ã[\x80-\x9f]|[\x80-\x9f]", re.I)


def header(raw: bytes, name: str) -> str:
    """The raw header `name` (unfolded) as bytes read as Latin-1, or "" when absent."""
    head = raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode("latin-1")
    found = re.search(rf"^{name}:[ \t]*(.*(?:\n[ \t].*)*)", head, re.I | re.M)
    return " ".join(found.group(1).split()) if found else ""


def replacement_allowed(path: Path, raw: bytes) -> bool:
    """U+FFFD is fair only where the source already holds it or its text is broken on purpose."""
    note = NOTES[path.name][1].lower()
    return b"\xef\xbf\xbd" in raw or "invalid" in note or "bad encoding" in note


def test_the_corpus_is_the_one_the_readme_lists() -> None:
    assert len(MAILS) == 112
    assert {path.name for path in MAILS} == set(NOTES)


@pytest.mark.parametrize("path", MAILS, ids=[path.stem for path in MAILS])
def test_every_corpus_mail_is_taken_in_readably(path: Path) -> None:
    raw = path.read_bytes()

    result = ingest_mail(raw, source="corpus")

    assert result.outcome in {"created", "appended", "dropped", "held"}, result
    assert not QuarantinedMessage.objects.exists()
    recorded = ReceivedMail.objects.get()
    assert (recorded.outcome, recorded.ticket_id) == (result.outcome, result.ticket_id)
    fffd_ok = replacement_allowed(path, raw)
    for text in (result.subject, result.sender, *result.attachments):
        assert not MOJIBAKE.search(text), text
        assert fffd_ok or "\ufffd" not in text, text
    if header(raw, "Subject").strip():
        assert result.subject.strip()
    if "@" in header(raw, "From"):
        assert result.sender
    features, note = NOTES[path.name]
    automation = classify_automation(raw)
    if "dsn" in features.split() or "bounce" in note.lower():
        assert automation.automatic  # the README's reports and bounces, by a second opinion
    if automation.automatic:
        # Bounces, auto-replies, reports and lists: no ticket, so no answer and no mail loop.
        assert result.outcome == "dropped"
        assert result.ticket_id is None
        assert Ticket.objects.count() == 0
        return
    assert result.outcome == "created"
    ticket = Ticket.objects.get(pk=result.ticket_id)
    message = ticket.messages.get(author_kind=AuthorKind.CUSTOMER)
    assert message.body.strip()
    assert not MOJIBAKE.search(message.body)
    assert fffd_ok or "\ufffd" not in message.body
    assert fffd_ok or "\ufffd" not in ticket.subject


def test_the_whole_corpus_in_one_mailbox_loses_nothing() -> None:
    """Read in one go, as a mailbox is: each mail is a ticket, dropped for a reason, or held."""
    results = [ingest_mail(path.read_bytes(), source="corpus") for path in MAILS]

    outcomes = {result.outcome for result in results}
    assert outcomes <= {"created", "appended", "dropped", "held"}
    taken = [result for result in results if result.reason != "already received"]
    assert ReceivedMail.objects.count() == len(taken)
    for index, result in enumerate(results):
        if result.outcome == "dropped":
            assert result.reason
        if result.reason == "already received":
            # Only a copy of a mail read before (the corpus holds a few under two names).
            earlier = results[:index]
            assert any(
                (e.subject, e.sender, e.attachments)
                == (result.subject, result.sender, result.attachments)
                for e in earlier
            )
    created = sum(1 for result in results if result.outcome == "created")
    assert Ticket.objects.count() == created
