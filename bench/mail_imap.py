"""Mails fetched per second over IMAP from a real Dovecot, on SQLite and PostgreSQL.

    python -m bench.mail_imap [--database sqlite|postgres]

Starts Debian's Dovecot unprivileged in a temporary folder (as the tests do), fills a mailbox
with BENCH_IMAP_MAILS customer mails (2,000 by default, Japanese, about 1.5 kB each) and prints:
- fetch only: UID SEARCH and FETCH BODY.PEEK[] in batches of 100, as the receiver does;
- receiver, ingest skipped: `read_new_mail` with the mail handed to nothing, so the figure is
  IMAP plus the cursor moving in its own transaction per mail;
- fetch + ingest: `read_once` through `ingest_mail` and the whole intake pipeline, for
  BENCH_IMAP_INGEST mails (500 by default), each opening a ticket.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from bench import REPO, database_main, setup_django
from bench.search_scale import run_in_each_database

DOVECOT = "/usr/sbin/dovecot"
BATCH = 100


def customer_mail(number: int, tag: str) -> bytes:
    message = EmailMessage()
    message["From"] = f"customer{number}@example.jp"
    message["To"] = "support@madoguchi.example"
    message["Date"] = formatdate()
    message["Message-ID"] = f"<{tag}-{number}@mail.example.jp>"
    message["Subject"] = f"入金が反映されません（{number}）"
    message.set_content(
        f"お世話になっております。昨日BTCを送金しましたが、まだ反映されていません。（{number}）\n"
        + "送金日時: 2024-05-01 14:32、数量: 0.05 BTC、ネットワーク: Bitcoin。\n" * 12
        + "ご確認のほど、よろしくお願いいたします。\n"
    )
    return message.as_bytes()


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:8.0f} mails/s  ({count:,} in {seconds:.2f} s)"


def run(database: str) -> None:
    if not os.path.exists(DOVECOT):
        print(f"\nIMAP benchmark skipped: no {DOVECOT} (apt-get install dovecot-imapd)")
        return
    mails = int(os.environ.get("BENCH_IMAP_MAILS", "2000"))
    ingested = int(os.environ.get("BENCH_IMAP_INGEST", "500"))
    database_url = os.environ["BENCH_DATABASE_URL"] if database == "postgres" else None
    setup_django(database_url=database_url)
    sys.path.insert(0, str(REPO))
    from django.db import connection
    from imapclient import IMAPClient

    from madoguchi.mail.ingest import IngestResult
    from madoguchi.mail.mailboxes import Mailbox
    from madoguchi.mail.receive import imap
    from tests.servers.dovecot import DovecotServer

    root = Path(tempfile.mkdtemp(prefix="madoguchi-bench-dovecot-"))
    root.chmod(0o755)
    server = DovecotServer(root)
    try:
        server.start()
        bulk = server.add_user("bulk", "bulk-password")
        fresh = server.add_user("fresh", "fresh-password")
        raws = [customer_mail(n, "bulk") for n in range(mails)]
        server.append_many(bulk.name, raws)
        server.append_many(fresh.name, [customer_mail(n, "fresh") for n in range(ingested)])
        size = sum(len(raw) for raw in raws) / len(raws)
        print(
            f"\nIMAP from Dovecot on 127.0.0.1, {mails:,} mails of {size:,.0f} bytes,"
            f" {connection.vendor}"
        )

        with IMAPClient(server.host, server.port, ssl=False) as client:
            client.login(bulk.name, bulk.password)
            began = time.perf_counter()
            client.select_folder("INBOX")
            uids = sorted(client.search(["UID", "1:*"]))
            fetched = 0
            for start in range(0, len(uids), BATCH):
                data = client.fetch(uids[start : start + BATCH], ["BODY.PEEK[]"])
                fetched += sum(1 for item in data.values() if item[b"BODY[]"])
            print(f"  fetch only                 {rate(fetched, time.perf_counter() - began)}")

        def nothing(raw: bytes, **_options: object) -> IngestResult:
            return IngestResult("dropped")

        mailbox = Mailbox(
            name="bench-bulk",
            host=server.host,
            port=server.port,
            ssl=False,
            username=bulk.name,
            password=bulk.password,
        )
        real_ingest = imap.ingest_mail
        imap.ingest_mail = nothing  # type: ignore[assignment]
        try:
            client = imap.connect(mailbox)
            began = time.perf_counter()
            result = imap.read_new_mail(client, mailbox, mark_seen=True)
            seconds = time.perf_counter() - began
            client.logout()
        finally:
            imap.ingest_mail = real_ingest
        print(f"  receiver, ingest skipped   {rate(result.fetched, seconds)}")

        mailbox = Mailbox(
            name="bench-fresh",
            host=server.host,
            port=server.port,
            ssl=False,
            username=fresh.name,
            password=fresh.password,
        )
        began = time.perf_counter()
        result = imap.read_once(mailbox)
        seconds = time.perf_counter() - began
        outcomes = ", ".join(f"{outcome} {count}" for outcome, count in result.outcomes)
        print(f"  fetch + ingest             {rate(result.fetched, seconds)}  [{outcomes}]")
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    run_in_each_database("bench.mail_imap", prefix="madoguchi_bench_imap")


if __name__ == "__main__":
    database_main(run, main)
