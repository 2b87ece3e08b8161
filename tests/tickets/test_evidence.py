"""Evidence export: a ticket's record as one archive, checked by sha256sum and the history chain."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from PIL import Image

from madoguchi import intake
from madoguchi.accounts.services import create_user
from madoguchi.intake.inbound import InboundAttachment, InboundMessage
from madoguchi.tickets.events import verify_history
from madoguchi.tickets.evidence import (
    EvidenceProblem,
    export_evidence,
    verify_archive,
    write_evidence,
)
from madoguchi.tickets.evidence.archive import ZIP_TIME
from madoguchi.tickets.models import Attachment, EventKind, SupportGroup, Ticket, TicketEvent
from madoguchi.tickets.services import add_agent_reply, add_internal_note
from tests.conftest import require_service

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
CSV = "日付,通貨,数量\n2025-03-01 10:15,BTC,0.5\n".encode()
CSV_NAME = "入金明細.csv"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (24, 16), (200, 40, 40)).save(out, format="PNG")
    return out.getvalue()


def staff(email: str, group: str) -> Any:
    user = create_user(email=email, password="a-long-agent-password", role="agent")
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    SupportGroup.objects.get(slug=group).members.add(user)
    return user


@pytest.fixture
def agent(db: None) -> Any:
    return staff("pay@tsukimi.example", "payments")


@pytest.fixture
def ticket(agent: Any) -> Ticket:
    customer = create_user(email="hanako@example.jp", password="a-long-customer-password")
    outcome = intake.receive(
        InboundMessage(
            channel="web",
            subject="入金が反映されません",
            body="昨日BTCを送金しましたが、まだ反映されていません。画面と明細を添付します。",
            sender_email=customer.email,
            sender_name="山田花子",
            customer_id=customer.pk,
            email_verified=True,
            problem_type="deposit",
            fields={"coin": "BTC", "network": "BTC"},
            attachments=(
                InboundAttachment("画面.png", png(), "image/png"),
                InboundAttachment(CSV_NAME, CSV, "text/csv"),
            ),
        )
    )
    assert outcome.outcome == "created", outcome
    found = Ticket.objects.get(pk=outcome.ticket_id)
    assert found.group is not None and found.group.slug == "payments"
    add_agent_reply(ticket=found, body="確認いたします。少々お待ちください。", by=agent)
    add_internal_note(ticket=found, body="ブロックチェーン上では着金済み。", by=agent)
    return found


def read(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        return {name: bundle.read(name) for name in bundle.namelist()}


def rewrite(data: bytes, changes: dict[str, bytes | None]) -> bytes:
    """The archive with some files replaced (or removed, for None), the rest as they were."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = changes.get(info.filename, source.read(info))
            if content is not None:
                target.writestr(info, content)
    return out.getvalue()


def redo_sums(files: dict[str, bytes]) -> dict[str, bytes]:
    """What a careful forger does after an edit: a manifest and SHA256SUMS that agree with it."""
    manifest = json.loads(files["manifest.json"])
    for row in manifest["files"]:
        row["sha256"] = hashlib.sha256(files[row["path"]]).hexdigest()
        row["size"] = len(files[row["path"]])
    history = json.loads(files["history.json"])
    manifest["history"]["entries"] = len(history)
    manifest["history"]["head_hash"] = history[-1]["hash"]
    files["manifest.json"] = json.dumps(manifest, ensure_ascii=False).encode()
    files["SHA256SUMS"] = "".join(
        f"{hashlib.sha256(content).hexdigest()}  {name}\n"
        for name, content in files.items()
        if name != "SHA256SUMS"
    ).encode()
    return files


def problems(report: Any) -> set[tuple[str, str, int | None]]:
    return {(f.problem.value, f.path, f.sequence) for f in report.findings}


def agent_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_archive_holds_the_ticket_messages_files_history_and_a_manifest_of_them(
    ticket: Ticket, agent: Any
) -> None:
    events_before = ticket.events.count()
    files = read(export_evidence(ticket, by=agent))

    attachments = sorted(name for name in files if name.startswith("attachments/"))
    assert attachments == ["attachments/1-画面.png", f"attachments/2-{CSV_NAME}"]
    assert set(files) == {
        "manifest.json",
        "ticket.json",
        "messages.json",
        "messages.txt",
        "history.json",
        "SHA256SUMS",
        *attachments,
    }
    manifest = json.loads(files["manifest.json"])
    assert manifest["ticket"]["id"] == ticket.pk
    assert manifest["ticket"]["subject"] == "入金が反映されません"
    assert manifest["ticket"]["requester"] == {"email": "hanako@example.jp", "name": "山田花子"}
    assert manifest["ticket"]["status"] == "pending"
    assert manifest["ticket"]["created_at"].endswith("+00:00")
    assert manifest["exported_at"].endswith("+00:00")
    assert manifest["exported_by"] == "pay@tsukimi.example"
    assert manifest["madoguchi_version"] == "0.1.0"
    listed = {row["path"]: row for row in manifest["files"]}
    assert set(listed) == set(files) - {"manifest.json", "SHA256SUMS"}
    for path, row in listed.items():
        assert row["sha256"] == hashlib.sha256(files[path]).hexdigest()
        assert row["size"] == len(files[path])

    stored = {row["name"]: row for row in manifest["attachments"]}
    for name, sent in (("画面.png", png()), (CSV_NAME, CSV)):
        row = stored[name]
        archived = files[row["path"]]
        assert row["sha256"] == hashlib.sha256(archived).hexdigest() == row["recorded_sha256"]
        assert row["original_sha256"] == hashlib.sha256(sent).hexdigest()
        assert row["stored"] and row["matches_record"]
    assert files[stored[CSV_NAME]["path"]] == CSV

    history = json.loads(files["history.json"])
    assert [entry["sequence"] for entry in history] == list(range(1, events_before + 1))
    assert set(history[0]) == {
        "sequence",
        "kind",
        "actor_label",
        "data",
        "created_at",
        "previous_hash",
        "hash",
    }
    assert manifest["history"]["head_hash"] == history[-1]["hash"]
    assert manifest["history"]["check"]["ok"] is True

    messages = json.loads(files["messages.json"])
    assert [(m["author_kind"], m["internal"]) for m in messages] == [
        ("customer", False),
        ("agent", False),
        ("agent", True),
    ]
    assert messages[0]["author_label"] == "hanako@example.jp"
    assert messages[0]["attachments"] == attachments
    assert messages[2]["author_label"] == "pay@tsukimi.example"
    assert messages[2]["body"] == "ブロックチェーン上では着金済み。"
    assert {"redacted_kinds", "link_findings", "created_at"} <= set(messages[0])

    transcript = files["messages.txt"].decode("utf-8")
    assert "入金が反映されません" in transcript
    assert "ブロックチェーン上では着金済み。" in transcript
    assert f"attachments/2-{CSV_NAME}" in transcript

    record = json.loads(files["ticket.json"])
    assert record["details"] == {"coin": "BTC", "network": "BTC"}
    assert "reply_token" not in record
    assert ticket.reply_token not in b"".join(files.values()).decode("utf-8", "replace")


def test_sha256sum_checks_every_file_of_the_extracted_archive(
    ticket: Ticket, agent: Any, tmp_path: Path
) -> None:
    sha256sum = shutil.which("sha256sum")
    require_service("coreutils sha256sum", sha256sum is not None)
    with zipfile.ZipFile(io.BytesIO(export_evidence(ticket, by=agent))) as bundle:
        bundle.extractall(tmp_path)

    result = subprocess.run(  # noqa: S603 - coreutils, fixed arguments
        [str(sha256sum), "-c", "SHA256SUMS"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    checked = dict(line.rsplit(": ", 1) for line in result.stdout.splitlines())
    assert checked[f"attachments/2-{CSV_NAME}"] == "OK"
    assert set(checked) == {
        str(path.relative_to(tmp_path))
        for path in tmp_path.rglob("*")
        if path.is_file() and path.name != "SHA256SUMS"
    }

    (tmp_path / "messages.txt").write_text("書き換えられた記録\n", encoding="utf-8")
    again = subprocess.run(  # noqa: S603 - coreutils, fixed arguments
        [str(sha256sum), "-c", "SHA256SUMS"], cwd=tmp_path, capture_output=True, text=True
    )
    assert again.returncode == 1
    assert "messages.txt: FAILED" in again.stdout


def test_a_second_export_of_an_unchanged_ticket_changes_only_the_export_record(
    ticket: Ticket, agent: Any
) -> None:
    first = export_evidence(ticket, by=agent)
    second = export_evidence(ticket, by=agent)

    one, two = read(first), read(second)
    changed = {name for name in one if one[name] != two[name]}
    assert changed == {"history.json", "manifest.json", "SHA256SUMS"}
    first_history, second_history = json.loads(one["history.json"]), json.loads(two["history.json"])
    assert second_history[:-1] == first_history
    assert second_history[-1]["kind"] == "exported"
    with zipfile.ZipFile(io.BytesIO(second)) as bundle:
        assert {info.date_time for info in bundle.infolist()} == {ZIP_TIME}
        assert [info.filename for info in bundle.infolist()][-2:] == ["manifest.json", "SHA256SUMS"]


def test_the_export_is_recorded_in_the_history_with_the_manifest_and_archive_hashes(
    ticket: Ticket, agent: Any
) -> None:
    buffer = io.BytesIO()
    export = write_evidence(ticket, by=agent, into=buffer)
    data = buffer.getvalue()

    entry = ticket.events.order_by("-sequence").first()
    assert entry is not None and entry.kind == EventKind.EXPORTED
    assert entry.sequence == export.event_sequence
    assert entry.actor == agent and entry.actor_label == agent.email
    assert entry.data["manifest_sha256"] == hashlib.sha256(read(data)["manifest.json"]).hexdigest()
    assert entry.data["archive_sha256"] == hashlib.sha256(data).hexdigest() == export.sha256
    assert entry.data["archive_bytes"] == len(data)
    assert entry.data["history_head"] == json.loads(read(data)["history.json"])[-1]["hash"]
    assert verify_history(ticket).ok
    assert verify_archive(data, against_records=True).ok


def test_a_history_entry_edited_in_the_database_is_named_by_verify_history_and_the_manifest(
    ticket: Ticket, agent: Any
) -> None:
    TicketEvent.objects.filter(ticket=ticket, sequence=2).update(data={"edited": "later"})

    check = verify_history(ticket)
    assert not check.ok and check.first_bad_sequence == 2
    data = export_evidence(ticket, by=agent)
    manifest = json.loads(read(data)["manifest.json"])
    assert manifest["history"]["check"]["ok"] is False
    assert manifest["history"]["check"]["first_bad_sequence"] == 2

    report = verify_archive(data)
    assert not report.ok
    assert report.first_broken_entry == 2
    assert ("history_broken_at_export", "history.json", 2) in problems(report)
    assert ("history_entry_changed", "history.json", 2) in problems(report)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_history", str(ticket.pk), stdout=out)
    assert out.getvalue().startswith(f"#{ticket.pk}: ")
    assert "2" in out.getvalue()


def test_a_file_edited_inside_the_archive_fails_verification_naming_it(
    ticket: Ticket, agent: Any
) -> None:
    data = export_evidence(ticket, by=agent)
    path = f"attachments/2-{CSV_NAME}"

    report = verify_archive(rewrite(data, {path: CSV.replace(b"0.5", b"5.0")}))

    assert not report.ok
    assert problems(report) == {("file_changed", path, None), ("sums_mismatch", path, None)}
    assert path in report.findings[0].message


def test_a_history_line_removed_from_history_json_is_found_even_with_the_sums_redone(
    ticket: Ticket, agent: Any
) -> None:
    data = export_evidence(ticket, by=agent)
    files = read(data)
    history = json.loads(files["history.json"])
    del history[2]
    files["history.json"] = json.dumps(history, ensure_ascii=False).encode()

    report = verify_archive(rewrite(data, redo_sums(files)))

    assert problems(report) == {("history_entry_missing", "history.json", 4)}
    assert report.first_broken_entry == 4


def test_a_history_cut_short_fails_against_the_manifest_or_against_the_records(
    ticket: Ticket, agent: Any
) -> None:
    data = export_evidence(ticket, by=agent)
    files = read(data)
    shortened = json.dumps(json.loads(files["history.json"])[:-1]).encode()

    only_history = verify_archive(rewrite(data, {"history.json": shortened}))
    assert ("history_head_mismatch", "history.json", None) in problems(only_history)

    # Rewritten end to end, the archive agrees with itself; the database still tells.
    forged = rewrite(data, redo_sums({**files, "history.json": shortened}))
    assert verify_archive(forged).ok
    assert problems(verify_archive(forged, against_records=True)) == {
        ("export_not_recorded", "manifest.json", None)
    }


def test_history_entries_that_differ_from_the_database_are_named(
    ticket: Ticket, agent: Any
) -> None:
    data = export_evidence(ticket, by=agent)
    TicketEvent.objects.filter(ticket=ticket, sequence=3).update(hash="f" * 64)

    report = verify_archive(data, against_records=True)

    assert problems(report) == {("history_differs_from_records", "history.json", 3)}


def test_japanese_and_hostile_file_names_become_one_safe_path_component(
    ticket: Ticket, agent: Any
) -> None:
    Attachment.objects.filter(ticket=ticket, name="画面.png").update(name="../../証拠 画面?.png")

    data = export_evidence(ticket, by=agent)

    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        entries = {info.filename: info for info in bundle.infolist()}
    assert "attachments/1-証拠_画面_.png" in entries
    japanese = entries[f"attachments/2-{CSV_NAME}"]
    assert japanese.flag_bits & 0x800  # the UTF-8 name flag, so unzip shows 入金明細.csv
    assert all(".." not in name.split("/") for name in entries)
    manifest = json.loads(read(data)["manifest.json"])
    assert [row["name"] for row in manifest["attachments"]] == ["../../証拠 画面?.png", CSV_NAME]
    assert verify_archive(data).ok


def test_a_stored_file_changed_or_lost_after_upload_is_exported_and_reported(
    ticket: Ticket, agent: Any
) -> None:
    png_file, csv_file = Attachment.objects.filter(ticket=ticket).order_by("id")
    with png_file.file.open("wb") as stored:
        stored.write(b"not the uploaded screenshot")
    csv_file.file.delete(save=False)

    data = export_evidence(ticket, by=agent)

    rows = json.loads(read(data)["manifest.json"])["attachments"]
    assert rows[0]["matches_record"] is False
    assert rows[0]["sha256"] == hashlib.sha256(b"not the uploaded screenshot").hexdigest()
    assert rows[1]["stored"] is False
    assert f"attachments/2-{CSV_NAME}" not in read(data)
    assert problems(verify_archive(data)) == {
        ("attachment_differs_from_record", "attachments/1-画面.png", None),
        ("attachment_missing_at_export", f"attachments/2-{CSV_NAME}", None),
    }


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"manifest.json": b"{not json"}, "manifest_invalid"),
        ({"manifest.json": None}, "manifest_missing"),
        ({"SHA256SUMS": None}, "sums_missing"),
        ({"history.json": b'[{"sequence": "1"}]'}, "history_invalid"),
        ({"../escape.txt": b"added later"}, "file_unlisted"),
    ],
)
def test_a_damaged_or_padded_archive_is_refused_with_the_reason(
    ticket: Ticket, agent: Any, change: dict[str, bytes | None], expected: str
) -> None:
    data = export_evidence(ticket, by=agent)
    if "../escape.txt" in change:
        out = io.BytesIO(data)
        with zipfile.ZipFile(out, "a") as bundle:
            bundle.writestr("../escape.txt", b"added later")
        tampered = out.getvalue()
    else:
        tampered = rewrite(data, change)

    report = verify_archive(tampered)

    assert not report.ok
    assert expected in {f.problem.value for f in report.findings}


def test_something_that_is_not_a_zip_is_refused() -> None:
    report = verify_archive(b"PK\x03\x04 not really")

    assert [f.problem for f in report.findings] == [EvidenceProblem.NOT_A_ZIP]


def test_an_agent_of_the_group_downloads_the_archive_and_the_export_is_recorded(
    ticket: Ticket, agent: Any
) -> None:
    url = reverse("tickets:agent_evidence", kwargs={"ticket_id": ticket.pk})

    response = agent_client(agent).post(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    disposition = response["Content-Disposition"]
    assert re.fullmatch(
        rf'attachment; filename="ticket-{ticket.pk}-evidence-\d{{8}}T\d{{6}}Z\.zip"', disposition
    )
    data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert verify_archive(data, against_records=True).ok
    assert ticket.events.filter(kind=EventKind.EXPORTED, actor=agent).count() == 1
    assert agent_client(agent).get(url).status_code == 405


def test_an_agent_of_another_group_gets_the_same_404_as_for_a_missing_ticket(
    ticket: Ticket,
) -> None:
    outsider = agent_client(staff("sec@tsukimi.example", "security"))

    forbidden = outsider.post(reverse("tickets:agent_evidence", kwargs={"ticket_id": ticket.pk}))
    missing = outsider.post(reverse("tickets:agent_evidence", kwargs={"ticket_id": 999_999}))

    assert forbidden.status_code == missing.status_code == 404
    assert not ticket.events.filter(kind=EventKind.EXPORTED).exists()
    assert Client().post(reverse("tickets:agent_evidence", args=[ticket.pk])).status_code in (
        302,
        404,
    )


def test_the_commands_export_and_verify_an_archive_and_refuse_a_tampered_one(
    ticket: Ticket, agent: Any, tmp_path: Path
) -> None:
    out = StringIO()
    call_command(
        "export_evidence",
        str(ticket.pk),
        "--output",
        str(tmp_path),
        "--by",
        agent.email,
        stdout=out,
    )

    sha256, path = out.getvalue().splitlines()[0].split("  ", 1)
    archive = Path(path)
    assert archive.parent == tmp_path
    assert re.fullmatch(rf"ticket-{ticket.pk}-evidence-\d{{8}}T\d{{6}}Z\.zip", archive.name)
    assert hashlib.sha256(archive.read_bytes()).hexdigest() == sha256
    assert list(tmp_path.iterdir()) == [archive]  # no partial file left beside it
    assert ticket.events.filter(kind=EventKind.EXPORTED, actor=agent).exists()

    report = StringIO()
    call_command("verify_evidence", str(archive), "--against-records", stdout=report)
    assert f"SHA-256: {sha256}" in report.getvalue()
    assert f"#{ticket.pk}" in report.getvalue()

    tampered = tmp_path / "tampered.zip"
    tampered.write_bytes(rewrite(archive.read_bytes(), {"messages.txt": b"rewritten\n"}))
    failed = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_evidence", str(tampered), stdout=failed)
    assert "messages.txt" in failed.getvalue()


def test_the_export_command_names_the_file_never_overwrites_and_refuses_unknown_ids(
    ticket: Ticket, tmp_path: Path
) -> None:
    target = tmp_path / "case-42.zip"
    out = StringIO()
    call_command("export_evidence", str(ticket.pk), "--output", str(target), stdout=out)
    assert target.is_file()
    entry = ticket.events.get(kind=EventKind.EXPORTED)
    assert entry.actor is None and entry.actor_label.startswith("command line")

    with pytest.raises(CommandError):
        call_command("export_evidence", str(ticket.pk), "--output", str(target), stdout=out)
    with pytest.raises(CommandError):
        call_command("export_evidence", "999999", "--output", str(tmp_path), stdout=out)
    with pytest.raises(CommandError):
        call_command("export_evidence", str(ticket.pk), "--by", "nobody@example.com", stdout=out)
    assert ticket.events.filter(kind=EventKind.EXPORTED).count() == 1


def test_verify_history_reports_every_intact_ticket(ticket: Ticket) -> None:
    out = StringIO()
    call_command("verify_history", stdout=out)

    assert out.getvalue().startswith(f"#{ticket.pk}: ")
    with pytest.raises(CommandError):
        call_command("verify_history", "999999", stdout=StringIO())


def test_the_python_lines_of_the_guide_verify_an_extracted_archive(
    ticket: Ticket, agent: Any, tmp_path: Path
) -> None:
    guide = (REPO / "docs" / "evidence.md").read_text(encoding="utf-8")
    (snippet,) = re.findall(r"```python\n(.*?)```", guide, flags=re.DOTALL)
    script = tmp_path / "check_history.py"
    script.write_text(snippet, encoding="utf-8")
    folder = tmp_path / "archive"
    with zipfile.ZipFile(io.BytesIO(export_evidence(ticket, by=agent))) as bundle:
        bundle.extractall(folder)

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - this interpreter, the guide's lines
            [sys.executable, str(script)], cwd=folder, capture_output=True, text=True
        )

    intact = run()
    assert intact.returncode == 0, intact.stderr
    history = json.loads((folder / "history.json").read_text(encoding="utf-8"))
    history[1]["data"]["note"] = "added later"
    (folder / "history.json").write_text(json.dumps(history), encoding="utf-8")
    broken = run()
    assert broken.returncode == 1
    assert "entry 2" in broken.stdout
