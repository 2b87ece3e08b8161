"""Mails taken in per second from .eml files through the whole intake, on SQLite and PostgreSQL.

    python -m bench.mail_ingest [--database sqlite|postgres]     # BENCH_MAILS=3000

The mails are the 112 of ../shared/data/mail and the project's own tests/fixtures/mail, read
into memory once and repeated to BENCH_MAILS (3,000 by default). Each copy is made a new mail
(its own Message-ID and a number after its subject), so that no copy is dropped as one already
received or as a double submission: every copy goes through `madoguchi.mail.ingest.ingest_mail`
as `madoguchi ingest-email` runs it (parse, classify, intake's every step, the store, routing
and notices queued), into a fresh, migrated database. Prints mails per second, the outcomes, and
the p50/p95/max time of one mail. Target: 200 mails per second on a 2-core machine.

Then the same again with several processes at once (`--workers N` or BENCH_WORKERS; as many as
the machine has cores by default), as an MTA running `madoguchi ingest-email` per mail or two
IMAP receivers do: each process takes its share of new copies into the same database. SQLite
lets one writer in at a time, so there the processes mostly wait for each other; the figure is
printed all the same.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

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


@dataclass
class Tally:
    """What became of a batch of mails, and how long each took."""

    outcomes: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    times: list[float] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.outcomes.update(other.outcomes)
        self.reasons.update(other.reasons)
        self.times.extend(other.times)


def ingest_all(mails: list[bytes]) -> Tally:
    from madoguchi.mail.ingest import ingest_mail

    tally = Tally()
    for raw in mails:
        began = time.perf_counter()
        result = ingest_mail(raw, source="bench")
        tally.times.append(time.perf_counter() - began)
        tally.outcomes[result.outcome] += 1
        if result.outcome == "dropped":
            tally.reasons[result.reason] += 1
    return tally


def _worker(mails: list[bytes], results: multiprocessing.Queue[Tally]) -> None:
    # A process of its own, as `madoguchi ingest-email` is: its own database connection.
    from django.db import connections

    connections.close_all()
    results.put(ingest_all(mails))
    connections.close_all()


def ingest_in_parallel(mails: list[bytes], workers: int) -> tuple[Tally, float]:
    """`mails` shared out among `workers` processes; what became of them, and the wall time."""
    from django.db import connections

    # The processes are forked: none may inherit this one's open connection.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    results: multiprocessing.Queue[Tally] = context.Queue()
    processes = [
        context.Process(target=_worker, args=(mails[n::workers], results)) for n in range(workers)
    ]
    started = time.perf_counter()
    for process in processes:
        process.start()
    tally = Tally()
    for _ in processes:
        tally.add(results.get())
    elapsed = time.perf_counter() - started
    for process in processes:
        process.join()
    return tally, elapsed


def report(title: str, count: int, elapsed: float, tally: Tally) -> float:
    rate = count / elapsed
    times = sorted(tally.times)
    print(
        f"  {title}: {rate:,.0f} mails/s ({elapsed:.1f} s)  target >= {TARGET}:"
        f" {'met' if rate >= TARGET else 'NOT met'}"
    )
    print(
        f"    one mail: p50 {statistics.median(times) * 1000:.1f} ms,"
        f" p95 {times[int(len(times) * 0.95)] * 1000:.1f} ms, max {times[-1] * 1000:.0f} ms"
    )
    print("    outcomes: " + ", ".join(f"{k} {n}" for k, n in tally.outcomes.most_common()))
    if tally.reasons:
        print("    dropped: " + ", ".join(f"{k} {n}" for k, n in tally.reasons.most_common()))
    return rate


def run(database: str, workers: int) -> None:
    count = int(os.environ.get("BENCH_MAILS", "3000"))
    database_url = os.environ["BENCH_DATABASE_URL"] if database == "postgres" else None
    setup_django(database_url=database_url)
    import logging

    from django.db import connection

    # Suspicious senders in the corpus are logged one line each; the figures are what counts.
    logging.getLogger("madoguchi.mail").setLevel(logging.ERROR)

    from madoguchi.mail.adapter import read_mail

    originals = sources()
    mails = [copy(originals[n % len(originals)], n) for n in range(count)]
    # The mail channel's own share: parsing and classifying, without intake's steps.
    began = time.perf_counter()
    for raw in mails:
        read_mail(raw)
    reading = count / (time.perf_counter() - began)
    started = time.perf_counter()
    single = ingest_all(mails)
    elapsed = time.perf_counter() - started
    print(
        f"\nMail ingest on {connection.vendor}: {count:,} mails ({len(originals)} different .eml"
        f" files, {sum(map(len, mails)) / count / 1024:.1f} KiB on average),"
        f" {os.cpu_count()} cores"
    )
    print(
        f"  reading the mail (parse, classify, spoofing, threading) alone: {reading:,.0f}"
        f" mails/s ({1000 / reading:.1f} ms a mail); the rest is intake's steps"
    )
    rates = [report("one process", count, elapsed, single)]
    quarantined = single.outcomes["quarantined"]
    if workers > 1:
        # New copies (numbers after the first run's), so that none is dropped as received.
        more = [copy(originals[n % len(originals)], count + n) for n in range(count)]
        parallel, elapsed = ingest_in_parallel(more, workers)
        title = f"{workers} processes at once"
        if connection.vendor == "sqlite":
            title += " (SQLite: one writer at a time)"
        rates.append(report(title, count, elapsed, parallel))
        quarantined += parallel.outcomes["quarantined"]
    best = max(rates)
    print(
        f"  target of {TARGET} mails/s: {'met' if best >= TARGET else 'NOT met'}"
        f" (best {best:,.0f} mails/s)"
    )
    if quarantined:
        raise SystemExit(f"{quarantined} mails were quarantined")


def main() -> None:
    run_in_each_database("bench.mail_ingest", prefix="madoguchi_bench_mail_ingest")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres"])
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("BENCH_WORKERS", "0")) or os.cpu_count() or 1,
        help="processes taking mail in at once in the second run (1: none)",
    )
    args = parser.parse_args()
    if args.database:
        run(args.database, max(1, args.workers))
    else:
        main()
