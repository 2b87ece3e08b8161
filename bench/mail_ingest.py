"""Mails taken in per second from .eml files through the whole intake, on SQLite and PostgreSQL.

    python -m bench.mail_ingest [--database sqlite|postgres]     # BENCH_MAILS=3000

The mails are the 112 of ../shared/data/mail and the project's own tests/fixtures/mail, read
into memory once and repeated to BENCH_MAILS (3,000 by default). Each copy is made a new mail
(its own Message-ID and a number after its subject), so that no copy is dropped as one already
received or as a double submission: every copy goes through `madoguchi.mail.ingest.ingest_mail`
as `madoguchi ingest-email` runs it (parse, classify, intake's every step, the store, routing
and notices queued), into a fresh, migrated database. Prints mails per second, the outcomes, and
the p50/p95/max time of one mail. Target: 200 mails per second on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time
from collections import Counter

from bench import REPO, setup_django, shared_dir
from bench.search_scale import run_in_each_database

TARGET = 200
MESSAGE_ID = re.compile(rb"^message-id:[^\r\n]*(\r?\n)?", re.IGNORECASE | re.MULTILINE)
SUBJECT = re.compile(rb"^(subject:[^\r\n]*)", re.IGNORECASE | re.MULTILINE)


def sources() -> list[bytes]:
    folders = [shared_dir() / "data" / "mail", REPO / "tests" / "fixtures" / "mail"]
    return [path.read_bytes() for folder in folders for path in sorted(folder.glob("*.eml"))]


def headers_end(raw: bytes) -> int:
    ends = [i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0]
    return min(ends) if ends else len(raw)


def copy(raw: bytes, number: int) -> bytes:
    """`raw` as a new mail: its own Message-ID, and its number after the subject."""
    end = headers_end(raw)
    head, body = raw[:end], raw[end:]
    newline = b"\r\n" if b"\r\n" in head[:200] else b"\n"
    head = MESSAGE_ID.sub(b"", head)
    mark = f" {number}".encode()
    if SUBJECT.search(head):
        head = SUBJECT.sub(lambda found: found.group(1) + mark, head, count=1)
    else:
        head = b"Subject: bench" + mark + newline + head
    message_id = f"Message-ID: <bench-{number}@bench.example>".encode()
    return message_id + newline + head + body


def run(database: str) -> None:
    count = int(os.environ.get("BENCH_MAILS", "3000"))
    database_url = os.environ["BENCH_DATABASE_URL"] if database == "postgres" else None
    setup_django(database_url=database_url)
    import logging

    from django.db import connection

    # Suspicious senders in the corpus are logged one line each; the figures are what counts.
    logging.getLogger("madoguchi.mail").setLevel(logging.ERROR)

    from madoguchi.mail.adapter import read_mail
    from madoguchi.mail.ingest import ingest_mail

    originals = sources()
    mails = [copy(originals[n % len(originals)], n) for n in range(count)]
    # The mail channel's own share: parsing and classifying, without intake's steps.
    began = time.perf_counter()
    for raw in mails:
        read_mail(raw)
    reading = count / (time.perf_counter() - began)
    outcomes: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    times: list[float] = []
    started = time.perf_counter()
    for raw in mails:
        began = time.perf_counter()
        result = ingest_mail(raw, source="bench")
        times.append(time.perf_counter() - began)
        outcomes[result.outcome] += 1
        if result.outcome == "dropped":
            reasons[result.reason] += 1
    elapsed = time.perf_counter() - started
    rate = count / elapsed
    times.sort()
    print(
        f"\nMail ingest on {connection.vendor}: {count:,} mails ({len(originals)} different .eml"
        f" files, {sum(map(len, mails)) / count / 1024:.1f} KiB on average)"
    )
    print(
        f"  {rate:,.0f} mails/s ({elapsed:.1f} s)  target >= {TARGET}:"
        f" {'met' if rate >= TARGET else 'NOT met'}"
    )
    print(
        f"  one mail: p50 {statistics.median(times) * 1000:.1f} ms,"
        f" p95 {times[int(len(times) * 0.95)] * 1000:.1f} ms, max {times[-1] * 1000:.0f} ms"
    )
    print(
        f"  of which reading the mail (parse, classify, spoofing, threading): {reading:,.0f}"
        f" mails/s alone ({1000 / reading:.1f} ms a mail); the rest is intake's steps"
    )
    print("  outcomes: " + ", ".join(f"{name} {n}" for name, n in outcomes.most_common()))
    if reasons:
        print("  dropped: " + ", ".join(f"{name} {n}" for name, n in reasons.most_common()))
    if outcomes["quarantined"]:
        raise SystemExit(f"{outcomes['quarantined']} mails were quarantined")


def main() -> None:
    run_in_each_database("bench.mail_ingest", prefix="madoguchi_bench_mail_ingest")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    if args.database:
        run(args.database)
    else:
        main()
