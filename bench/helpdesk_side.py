"""django-helpdesk on the work of the ticket benchmark: tickets through its public form.

bench/tickets.py calls it beside its own figures and prints the ratio:

    from bench.helpdesk_side import run_helpdesk
    theirs = run_helpdesk(2000, 8)   # tickets, concurrent clients
    theirs["tickets_per_second"], theirs["p50_ms"], theirs["p95_ms"], theirs["errors"]

On its own: `python -m bench.helpdesk_side` (BENCH_TICKETS=2000, BENCH_CONCURRENCY=4,8).

Each call installs django-helpdesk into bench/helpdesk/.venv if needed (see
bench/helpdesk/desk.py), serves it on a fresh SQLite database with gunicorn (2 sync workers),
sends a few warm-up tickets and then `n` tickets from `concurrency` clients with
bench/ticket_load.py: each a new visitor who GETs /tickets/submit/, picks the deposit queue,
types the subject, body and e-mail of `japanese_ticket(i)` and POSTs; success is the redirect
to the ticket's page (not followed). It then reads the tickets back from the database and
raises TicketsNotCreated (the command exits 1) unless every one is there with its subject and
TxID. For a fair ratio, the madoguchi side should match: fresh database, gunicorn with the
same workers, DEBUG=0, EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend, the same
`run_load` with the same N and concurrency, and the same stop at the success redirect.
"""

from __future__ import annotations

import os
import sys

from bench.helpdesk.desk import FORM_PATH, Desk, SetupFailed
from bench.serving import _tree_cpu_seconds
from bench.ticket_load import (
    TicketContent,
    TicketsNotCreated,
    Visitor,
    read_form,
    require_created,
    require_redirect,
    run_load,
)

DEPOSIT_QUEUE = "入金が反映されない"  # a queue of bench/helpdesk/provision.py


def submit_to_helpdesk(visitor: Visitor, ticket: TicketContent) -> None:
    """One customer filing `ticket` through django-helpdesk's public form."""
    form = read_form(visitor.get(FORM_PATH))
    fields = form.filled(
        queue=form.choice("queue", DEPOSIT_QUEUE),
        title=ticket.subject,
        body=ticket.body,
        submitter_email=ticket.email,
    )
    answer = visitor.post(
        form.action or FORM_PATH, fields, multipart=form.multipart, referer=FORM_PATH
    )
    require_redirect(answer, "/view/?ticket=")


def run_helpdesk(
    n: int, concurrency: int, *, workers: int = 2, worker_class: str = "sync"
) -> dict[str, object]:
    """Tickets per second and latencies of django-helpdesk's public form over `n` tickets from
    `concurrency` clients; raises TicketsNotCreated unless the database holds every ticket."""
    with Desk(workers=workers, worker_class=worker_class) as desk:
        # Warm-up tickets take indexes after the measured ones, so that those stay 0 … n-1.
        warm_up = run_load(
            desk.base_url,
            submit_to_helpdesk,
            tickets=max(20, 5 * concurrency),
            concurrency=concurrency,
            first=n,
        )
        cpu_before = _tree_cpu_seconds(desk.pid)
        measured = run_load(desk.base_url, submit_to_helpdesk, tickets=n, concurrency=concurrency)
        server_cpu = _tree_cpu_seconds(desk.pid) - cpu_before
        stored = desk.stored_tickets()
        require_created([warm_up, measured], stored, server="django-helpdesk")
        return {
            "server": f"django-helpdesk {desk.versions.get('django-helpdesk', '?')}",
            "versions": desk.versions,
            "workers": f"gunicorn {workers} {worker_class}",
            **measured.figures(),
            "server_cpu_ms_per_ticket": round(server_cpu * 1000 / max(1, n), 2),
            "stored": len(stored),
            "reconnects": measured.reconnects,
        }


def main() -> int:
    tickets = int(os.environ.get("BENCH_TICKETS", "2000"))
    levels = [int(c) for c in os.environ.get("BENCH_CONCURRENCY", "4,8").split(",")]
    print(
        f"django-helpdesk public form: {tickets} tickets per run, each a GET of the form and a "
        f"POST; {os.cpu_count()} CPUs shared by server and load generator; SQLite."
    )
    print(
        f"  {'clients':>7} {'tickets/s':>9} {'p50 ms':>7} {'p95 ms':>7} {'server CPU ms':>13}"
        f" {'client CPU ms':>13} {'errors':>6} {'stored':>6}"
    )
    try:
        for concurrency in levels:
            figures = run_helpdesk(tickets, concurrency)
            print(
                f"  {concurrency:>7} {figures['tickets_per_second']:>9} {figures['p50_ms']:>7}"
                f" {figures['p95_ms']:>7} {figures['server_cpu_ms_per_ticket']:>13}"
                f" {figures['client_cpu_ms_per_ticket']:>13} {figures['errors']:>6}"
                f" {figures['stored']:>6}",
                flush=True,
            )
    except (TicketsNotCreated, SetupFailed) as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1
    print(f"  ({figures['server']}, {figures['workers']}; versions {figures['versions']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
