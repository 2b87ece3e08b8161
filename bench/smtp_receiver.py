"""Mails per second delivered over SMTP to `madoguchi receive-smtp`, beside ingest called directly.

    python -m bench.smtp_receiver [--mails 400] [--clients 4] [--database sqlite|postgres]

In each database (SQLite in a throwaway data directory; PostgreSQL in a database of its own on
BENCH_POSTGRES_URL's server, skipped when it does not answer), migrated afresh: the receiver on
a free port of 127.0.0.1; `--clients` SMTP clients (smtplib), each on one connection as a mail
server's queue would, sending new Japanese mails (ISO-2022-JP, each from its own sender, so
each one opens a ticket). Prints mails per second and the time from MAIL FROM to the 250 after
the data; then the same number of other mails through `ingest_mail` in one thread, for what the
SMTP hop costs.
"""

from __future__ import annotations

import argparse
import logging
import os
import smtplib
import statistics
import threading
import time
from email.header import Header

from bench import setup_django
from bench.search_scale import run_in_each_database

SUPPORT = "support@madoguchi.example"


def japanese_mail(number: int, run: str) -> tuple[str, bytes]:
    sender = f"customer{number}.{run}@example.jp"
    subject = Header(f"出金が届きません（{number}）", "iso-2022-jp").encode()
    body = (
        f"お世話になっております。{number}番の出金がまだ届いていません。\r\n"
        "昨日の14時ごろに申請しました。ご確認をお願いします。\r\n"
    ).encode("iso2022_jp")
    head = (
        f"From: {sender}\r\nTo: {SUPPORT}\r\nSubject: {subject}\r\n"
        f"Message-ID: <bench-{run}-{number}@example.jp>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
    ).encode()
    return sender, head + body


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def over_smtp(port: int, mails: int, clients: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    lock = threading.Lock()
    failures: list[str] = []

    def client(index: int) -> None:
        mine = [japanese_mail(n, "smtp") for n in range(index, mails, clients)]
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
            for sender, raw in mine:
                started = time.perf_counter()
                refused = smtp.sendmail(sender, [SUPPORT], raw)
                took = time.perf_counter() - started
                with lock:
                    latencies.append(took)
                    if refused:
                        failures.append(str(refused))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} mails refused")
    return elapsed, latencies


def direct(mails: int) -> float:
    from madoguchi.mail.ingest import ingest_mail

    raws = [japanese_mail(n, "direct")[1] for n in range(mails)]
    started = time.perf_counter()
    for raw in raws:
        ingest_mail(raw, source="bench")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=400)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--database", choices=["sqlite", "postgres"])
    options = parser.parse_args()
    if not options.database:
        # Each database in a fresh process, with the default --mails and --clients.
        run_in_each_database("bench.smtp_receiver", prefix="madoguchi_bench_smtp")
        return
    postgres = options.database == "postgres"
    setup_django(database_url=os.environ["BENCH_DATABASE_URL"] if postgres else None)
    from django.conf import settings

    from madoguchi.mail.receive.smtp import SmtpReceiver
    from madoguchi.tickets.models import Ticket

    settings.MADOGUCHI_MAIL_REPLY_ADDRESSES = [SUPPORT]
    logging.getLogger("madoguchi.mail.receive.smtp").setLevel(logging.WARNING)  # a line a mail
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    receiver = SmtpReceiver(host="127.0.0.1", port=0)
    receiver.start()
    try:
        elapsed, latencies = over_smtp(receiver.port, options.mails, options.clients)
    finally:
        receiver.stop()
    tickets = Ticket.objects.count()
    print(f"SMTP receiver ({engine}): {options.mails} mails, {options.clients} clients")
    print(
        f"  {options.mails / elapsed:.1f} mails/s; MAIL FROM to 250: "
        f"p50 {statistics.median(latencies) * 1000:.1f} ms, "
        f"p95 {percentile(latencies, 0.95) * 1000:.1f} ms; {tickets} tickets"
    )
    took = direct(options.mails)
    print(f"ingest_mail directly, one thread: {options.mails / took:.1f} mails/s")


if __name__ == "__main__":
    main()
