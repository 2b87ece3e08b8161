"""The agent queue at 1,000,000 tickets, and beside django-helpdesk's ticket list at 100,000.

    python -m bench.agent_queue              # BENCH_QUEUE_REQUESTS=100, reuses generated databases
    python -m bench.agent_queue --rebuild    # generate the databases again
    BENCH_QUEUE_CODE=commit python -m bench.agent_queue   # the last commit, not the working tree

What it prints:
- madoguchi's agent queue (/ja/agent/tickets/ and the "unassigned" and "breaching soon" queues
  when the page links to them) with 1,000,000 tickets in PostgreSQL: p50, p95 and max of the
  HTTP latency of one agent's requests, one after the other, and the page's number of queries;
  targets p95 ≤ 50 ms and ≤ 10 queries (issue 4), reported as MET or NOT MET.
- The same default queue and django-helpdesk 2.6.1's ticket list with 100,000 tickets each,
  on the same PostgreSQL server, with the ratio. django-helpdesk's list is a page whose rows
  come from a second, JSON request (DataTables, server side); an agent waits for both, so its
  time is the page and then the data request, as the browser sends them.

The databases (madoguchi_bench_queue_1m, madoguchi_bench_queue_100k, helpdesk_bench_queue_100k)
are generated with set-based SQL (INSERT … SELECT over generate_series, the secondary indexes
built after the rows) and reused while a marker row says they hold the right number of tickets
from this generator's version; each run still migrates them. The tickets: 20 groups (queues)
of skewed sizes, the agent a member of three (the largest two and a small one, about 27% of all
tickets), 7% active (new, open, pending, on hold), the rest solved or closed over three years;
priorities 5% urgent, 15% high, 70% normal, 10% low; unanswered tickets due around now,
next-response targets from 12 hours ago to 36 hours ahead, pending tickets with the SLA clock
paused; 1% unconfirmed; a customer message per ticket and an agent reply on every answered one
(django-helpdesk: an opening follow-up per ticket, a reply on every assigned one). Both
databases come from the same random draws. Rows go in in the order the tickets were opened, as
in production: ids and the table's pages follow time, and the active tickets, the recent ones,
sit together near the end.

Both applications are served as in production: gunicorn, 2 sync workers, DEBUG=0, a persistent
connection to PostgreSQL (CONN_MAX_AGE=60 on both). The agent signs in through the real login,
password and then a TOTP code (madoguchi), or django-helpdesk's login page; the latency is
measured over HTTP on 127.0.0.1 after warm-up requests. django-helpdesk runs with per-queue
staff permissions and the agent is given the three queues that match madoguchi's groups, so
both show the same tickets (the open ones of three queues); both lists ask for 50 rows.

The number of queries is counted in a separate process on the same database with Django's
CaptureQueriesContext around one request of the Django test client, signed in through the same
login views (the whole middleware stack runs). Each query of the page is then run again under
EXPLAIN ANALYZE, and the slowest are printed with their plans, so that a slow page says which
query to fix.
"""

from __future__ import annotations

import base64
import hmac
import json
import os
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.helpdesk.desk import BIN as HELPDESK_BIN
from bench.helpdesk.desk import HERE as HELPDESK_DIR
from bench.helpdesk.desk import Desk, SetupFailed, ensure_venv
from bench.serving import (
    BIN,
    REPO,
    Running,
    _environment,
    _free_port,
    _madoguchi,
    _tree_cpu_seconds,
)
from bench.ticket_load import Page, SubmissionFailed, Visitor, read_form

POSTGRES = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
BIG = int(os.environ.get("BENCH_QUEUE_TICKETS", "1000000"))
SMALL = int(os.environ.get("BENCH_QUEUE_SMALL_TICKETS", "100000"))
REQUESTS = int(os.environ.get("BENCH_QUEUE_REQUESTS", "100"))
WARM_UP = 10
WORKERS = 2
TARGET_P95_MS = 50.0
TARGET_QUERIES = 10
ROWS = 50  # madoguchi's queue shows 50 tickets a page; django-helpdesk is asked for as many
# Bump when the generator changes, so that databases made by an older one are made again.
GENERATOR_VERSION = 2

QUEUE_PATH = "/ja/agent/tickets/"
LOGIN_PATH = "/ja/accounts/login/"
TOTP_PATH = "/ja/accounts/2fa/authenticate/"
AGENT_EMAIL = "bench-agent@tsukimi.example"
AGENT_PASSWORD = "bench-agent-password-1"  # noqa: S105 (a throwaway benchmark database)
HELPDESK_USER = "bench-agent"
GROUPS = 20
AGENT_GROUPS = (0, 1, 6)  # indexes of the groups (queues) the agent works in
FILLER_AGENTS = 100
TOTP_PERIOD = 30

OURS_1M = "madoguchi_bench_queue_1m"
OURS_100K = "madoguchi_bench_queue_100k"
HELPDESK_100K = "helpdesk_bench_queue_100k"


class BenchFailed(RuntimeError):
    """A page did not answer as it should, or a database could not be prepared."""


# The code measured: the working tree (as every benchmark), or with BENCH_QUEUE_CODE=commit the
# last commit alone, when other work is half done in a shared working tree.
CODE = os.environ.get("BENCH_QUEUE_CODE", "tree")


def _git(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, check=False)  # noqa: S603, S607


def code_tree() -> tuple[Path, str]:
    """A folder with the code to serve and what it is. For the last commit: `git archive HEAD`
    unpacked, with the working tree's compiled translations (.mo files are built, not kept)."""
    described = _git("describe", "--always", "--dirty").stdout.decode().strip() or "?"
    if CODE != "commit":
        return REPO, f"the working tree ({described})"
    archive = _git("archive", "HEAD", "madoguchi", "bench")
    if archive.returncode != 0:
        raise BenchFailed(f"git archive HEAD failed: {archive.stderr.decode()[-300:]}")
    folder = Path(tempfile.mkdtemp(prefix="madoguchi-bench-queue-code-"))
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)  # noqa: S603, S607
    for compiled in (REPO / "madoguchi").rglob("*.mo"):
        target = folder / compiled.relative_to(REPO)
        if target.parent.exists():
            shutil.copy2(compiled, target)
    return folder, f"the last commit alone ({described.removesuffix('-dirty')})"


# --- PostgreSQL ----------------------------------------------------------------------------


def _url(database: str) -> str:
    return f"{POSTGRES}/{database}"


def _connect(database: str, *, autocommit: bool = True):  # type: ignore[no-untyped-def]
    import psycopg

    # Client-side binding: parameters also go into statements PostgreSQL cannot prepare
    # (CREATE TABLE … AS SELECT).
    return psycopg.connect(
        _url(database), autocommit=autocommit, cursor_factory=psycopg.ClientCursor
    )


def _generated(database: str) -> int | None:
    """The number of tickets the marker of `database` records for this generator, if any."""
    with _connect("postgres") as admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database]
        ).fetchone()
    if not exists:
        return None
    with _connect(database) as conn:
        table = conn.execute("SELECT to_regclass('bench_generated')").fetchone()
        if table is None or table[0] is None:
            return None
        row = conn.execute(
            "SELECT tickets FROM bench_generated WHERE version = %s", [GENERATOR_VERSION]
        ).fetchone()
    return int(row[0]) if row else None


def _recreate(database: str) -> None:
    with _connect("postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{database}"')


def _mark(database: str, tickets: int) -> None:
    with _connect(database) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_generated"
            " (version int, tickets bigint, at timestamptz)"
        )
        conn.execute("DELETE FROM bench_generated")
        conn.execute(
            "INSERT INTO bench_generated VALUES (%s, %s, now())", [GENERATOR_VERSION, tickets]
        )


def _without_secondary_indexes(conn, tables: tuple[str, ...], fill: Callable[[], None]) -> None:  # type: ignore[no-untyped-def]
    """Run `fill` with the tables' secondary indexes dropped, then build them again: building
    an index once over a million rows is much faster than updating it a million times. Indexes
    behind constraints (primary keys, unique) stay."""
    definitions = conn.execute(
        """
        SELECT indexname, indexdef FROM pg_indexes
        WHERE schemaname = 'public' AND tablename = ANY(%s)
          AND indexname NOT IN (SELECT conname FROM pg_constraint)
        """,
        [list(tables)],
    ).fetchall()
    for name, _definition in definitions:
        conn.execute(f'DROP INDEX "{name}"')
    fill()
    for _name, definition in definitions:
        conn.execute(definition)


# The random draws of every ticket, the same for both applications: status, priority, group,
# assignee, age, due time, channel.
_DRAWS = """
CREATE TEMP TABLE draws AS
SELECT i,
       CASE WHEN rs < 0.02 THEN 'new' WHEN rs < 0.05 THEN 'open' WHEN rs < 0.065 THEN 'pending'
            WHEN rs < 0.07 THEN 'on_hold' WHEN rs < 0.40 THEN 'solved' ELSE 'closed' END AS status,
       CASE WHEN rp < 0.05 THEN 'urgent' WHEN rp < 0.20 THEN 'high' WHEN rp < 0.90 THEN 'normal'
            ELSE 'low' END AS priority,
       least(19, floor(20 * power(rg, 1.6)))::int AS gi,
       ra, rt, rd, rm
FROM (SELECT i, random() AS rs, random() AS rp, random() AS rg, random() AS ra,
             random() AS rt, random() AS rd, random() AS rm
      FROM generate_series(1::bigint, %(n)s) AS i) AS r;
"""

# Ages and SLA times from the draws: new tickets were opened within twice their first-response
# time (so half are overdue and half due soon), other active ones within two weeks, mostly
# lately; solved ones within 90 days, closed ones over three years.
_TIMES = """
CREATE TEMP TABLE timed AS
SELECT d.*,
       d.status IN ('new', 'open', 'pending', 'on_hold') AS active,
       created,
       fr,
       CASE WHEN d.status = 'new' THEN NULL
            WHEN d.status IN ('open', 'pending', 'on_hold') AND d.rd >= 0.85 THEN NULL
            ELSE created + least(now() - created, fr * d.rd) END AS answered
FROM draws d,
     LATERAL (SELECT CASE d.priority WHEN 'urgent' THEN interval '1 hour'
                                     WHEN 'high' THEN interval '8 hours'
                                     WHEN 'normal' THEN interval '24 hours'
                                     ELSE interval '72 hours' END AS fr) AS f,
     LATERAL (SELECT CASE WHEN d.status = 'new' THEN now() - d.rt * 2 * f.fr
                          WHEN d.status IN ('open', 'pending', 'on_hold')
                               THEN now() - power(d.rt, 2) * interval '14 days'
                          WHEN d.status = 'solved'
                               THEN now() - interval '1 day' - d.rt * interval '90 days'
                          ELSE now() - interval '30 days' - d.rt * interval '1065 days'
                     END AS created) AS c;
"""

_SUBJECTS = (
    "ARRAY['入金が反映されません', '出金が届きません', 'ログインできません', "
    "'二段階認証の再設定をお願いします', '注文が約定しません', '本人確認書類について', "
    "'Withdrawal pending for hours', '口座の凍結について']"
)
_BODY = (
    "'お世話になっております。昨日送金した分がまだ残高に反映されていません。"
    "TxIDは別途お送りしますので、ご確認をお願いいたします。'"
)
_REPLY = "'お問い合わせありがとうございます。担当部署で確認しておりますので、少々お待ちください。'"

_OUR_TICKETS = f"""
INSERT INTO tickets_ticket (
    subject, status, priority, channel, language, requester_email, requester_name,
    external_user_id, details, account_context, safety_flags, email_confirmed_at,
    suggestions_shown, suggestions_opened, reply_token, created_at, updated_at,
    first_response_due_at, first_response_at, solved_at, closed_at, csat_rating, csat_comment,
    csat_at, assignee_id, customer_id, group_id, problem_type_id, incident_id, is_incident,
    merged_into_id, next_response_due_at, resolution_due_at, sla_breached, sla_paused_at,
    sla_warned, sla_policy_id)
SELECT
    ({_SUBJECTS})[1 + i %% 8] || '（' || i || '）', status, priority,
    CASE WHEN rm < 0.6 THEN 'web' WHEN rm < 0.85 THEN 'email' WHEN rm < 0.95 THEN 'api'
         ELSE 'chat' END,
    CASE WHEN i %% 10 = 0 THEN 'en' ELSE 'ja' END,
    'customer' || (i * 7919 %% 300000) || '@example.jp', '', 'U-' || (i * 7919 %% 300000),
    '{{}}', '{{}}', '[]', CASE WHEN i %% 97 = 0 THEN NULL ELSE created END,
    '[]', '[]', md5('bench-ticket-' || i), created,
    CASE WHEN active THEN created + (now() - created) * rd
         WHEN status = 'solved' THEN created + fr * rd + interval '1 day'
         ELSE created + fr * rd + interval '5 days' END,
    created + fr, answered,
    CASE WHEN NOT active THEN created + fr * rd + interval '1 day' END,
    CASE WHEN status = 'closed' THEN created + fr * rd + interval '5 days' END,
    CASE WHEN NOT active AND i %% 3 = 0 THEN 1 + i %% 5 END, '',
    CASE WHEN NOT active AND i %% 3 = 0 THEN created + fr * rd + interval '1 day' END,
    CASE WHEN status = 'new' OR (active AND ra < 0.3) THEN NULL
         WHEN gi = ANY(%(agent_groups)s) AND ra > 0.9 THEN %(agent)s
         ELSE (%(agents)s::bigint[])[
             1 + (gi * 5 + floor(ra * 5)::int) %% cardinality(%(agents)s::bigint[])]
    END,
    NULL, (%(groups)s::bigint[])[gi + 1], (%(problem_types)s::bigint[])[gi + 1], NULL, false,
    NULL,
    CASE WHEN status = 'open' AND answered IS NOT NULL AND i %% 5 < 2
         THEN now() + (rd * 48 - 12) * interval '1 hour' END,
    created + interval '5 days', '[]',
    CASE WHEN status = 'pending' THEN created + (now() - created) * rd END,
    '[]', NULL
FROM timed ORDER BY timed.created, timed.i;
"""  # noqa: S608 (constants of this module, no input)

_OUR_MESSAGES = f"""
INSERT INTO tickets_message (author_kind, channel, body, is_internal, redacted_kinds,
                             link_findings, external_id, created_at, author_id, ticket_id)
SELECT 'customer', channel, {_BODY}, false, '[]'::jsonb, '[]'::jsonb, '', created_at, NULL::bigint,
       id
FROM tickets_ticket
UNION ALL
SELECT 'agent', 'web', {_REPLY}, false, '[]'::jsonb, '[]'::jsonb, '', first_response_at,
       assignee_id, id
FROM tickets_ticket WHERE first_response_at IS NOT NULL;
"""  # noqa: S608 (constants of this module, no input)

_HELPDESK_TICKETS = f"""
INSERT INTO helpdesk_ticket (title, created, modified, submitter_email, status, on_hold,
                             description, resolution, priority, due_date, last_escalation,
                             assigned_to_id, queue_id, secret_key, kbitem_id, merged_to_id)
SELECT
    ({_SUBJECTS})[1 + i %% 8] || '（' || i || '）', created,
    CASE WHEN active THEN created + (now() - created) * rd
         WHEN status = 'solved' THEN created + fr * rd + interval '1 day'
         ELSE created + fr * rd + interval '5 days' END,
    'customer' || (i * 7919 %% 300000) || '@example.jp',
    CASE WHEN active AND i %% 50 = 0 THEN 2 WHEN active THEN 1 WHEN status = 'solved' THEN 3
         ELSE 4 END,
    status = 'on_hold', {_BODY},
    CASE WHEN NOT active THEN {_REPLY} END,
    CASE priority WHEN 'urgent' THEN 1 WHEN 'high' THEN 2 WHEN 'normal' THEN 3 ELSE 4 END,
    created + fr, NULL,
    CASE WHEN status = 'new' OR (active AND ra < 0.3) THEN NULL
         WHEN gi = ANY(%(agent_groups)s) AND ra > 0.9 THEN %(agent)s
         ELSE (%(agents)s::int[])[
             1 + (gi * 5 + floor(ra * 5)::int) %% cardinality(%(agents)s::int[])]
    END,
    (%(groups)s::int[])[gi + 1], md5('bench-ticket-' || i)::uuid::text, NULL, NULL
FROM timed ORDER BY timed.created, timed.i;
"""  # noqa: S608 (constants of this module, no input)

_HELPDESK_FOLLOWUPS = f"""
INSERT INTO helpdesk_followup (date, title, comment, public, new_status, ticket_id, user_id,
                               message_id, time_spent, email_recipients)
SELECT created, 'Ticket Opened', {_BODY}, true, NULL::int, id, NULL::int, NULL::varchar,
       NULL::interval, NULL::jsonb
FROM helpdesk_ticket
UNION ALL
SELECT created + (modified - created) / 2, 'Comment', {_REPLY}, true, NULL, id, assigned_to_id,
       NULL, NULL, NULL
FROM helpdesk_ticket WHERE assigned_to_id IS NOT NULL;
"""  # noqa: S608 (constants of this module, no input)


def _fill(database: str, tickets: int, people: dict[str, object], statements: list[str]) -> None:
    parameters = {
        "n": tickets,
        "agent": people["agent"],
        "agents": people["agents"],
        "groups": people["groups"],
        "agent_groups": list(AGENT_GROUPS),
        "problem_types": people.get("problem_types", []),
    }
    tables = ("tickets_ticket", "tickets_message", "helpdesk_ticket", "helpdesk_followup")
    with _connect(database) as conn:
        # Foreign keys are known to hold (the ids come from the rows just made): without the
        # triggers that check them a million times, the rows go in several times faster.
        conn.execute("SET session_replication_role = replica")
        conn.execute("SET maintenance_work_mem = '256MB'")
        conn.execute("SELECT setseed(0.42)")
        conn.execute(_DRAWS, parameters)
        conn.execute(_TIMES)

        def insert() -> None:
            for statement in statements:
                conn.execute(statement, parameters)

        _without_secondary_indexes(conn, tables, insert)
        conn.execute("VACUUM ANALYZE")


# --- madoguchi's side ----------------------------------------------------------------------

# Run with `madoguchi shell -c`: the groups, the agents (100 who receive tickets, and the bench
# agent in three groups), a new TOTP secret for the bench agent on every run. Prints JSON.
_OUR_PEOPLE = """
import json
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from madoguchi.accounts.models import User
from madoguchi.accounts.services import create_user
from madoguchi.tickets.models import ProblemType, SupportGroup
GROUPS, AGENT_GROUPS, FILLERS = {groups}, {agent_groups}, {fillers}
groups = list(SupportGroup.objects.filter(slug__in=["payments", "general", "security"]))
groups.sort(key=lambda g: ["payments", "general", "security"].index(g.slug))
for number in range(len(groups) + 1, GROUPS + 1):
    group, _ = SupportGroup.objects.get_or_create(
        slug=f"bench-{{number:02d}}",
        defaults={{"name_ja": f"チーム{{number}}", "name_en": f"Team {{number}}"}},
    )
    groups.append(group)
types = list(ProblemType.objects.order_by("pk"))
by_group = {{t.group_id: t.pk for t in types if t.group_id}}
problem_types = [by_group.get(g.pk, types[i % len(types)].pk) for i, g in enumerate(groups)]
agents = []
for number in range(FILLERS):
    email = f"agent{{number:03d}}@bench.example"
    user = User.objects.filter(email=email).first() or create_user(
        email=email, password=None, role="agent"
    )
    groups[number % GROUPS].members.add(user)
    agents.append(user.pk)
agent = User.objects.filter(email="{email}").first() or create_user(
    email="{email}", password="{password}", role="agent"
)
for index in AGENT_GROUPS:
    groups[index].members.add(agent)
Authenticator.objects.filter(user=agent).delete()
secret = generate_totp_secret()
TOTP.activate(agent, secret)
print(json.dumps({{"agent": agent.pk, "agents": agents, "groups": [g.pk for g in groups],
                  "problem_types": problem_types, "secret": secret}}))
""".format(  # noqa: UP032 (the script's own braces would all need doubling)
    groups=GROUPS,
    agent_groups=list(AGENT_GROUPS),
    fillers=FILLER_AGENTS,
    email=AGENT_EMAIL,
    password=AGENT_PASSWORD,
)


@dataclass
class Site:
    """One of our databases, with a data directory to serve it from."""

    database: str
    tickets: int
    data_dir: Path
    env: dict[str, str]
    code: Path
    secret: str = ""
    reused: bool = False
    prepare_seconds: float = 0.0


def _checked(env: dict[str, str], *args: str) -> str:
    result = _madoguchi(env, *args)
    if result.returncode != 0:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-12:])
        raise BenchFailed(f"madoguchi {' '.join(args[:2])} failed:\n{tail}")
    return result.stdout


def _site_environment(data_dir: Path, database: str, code: Path) -> dict[str, str]:
    env = _environment(data_dir)  # production settings on loopback (bench/serving.py)
    env["PYTHONPATH"] = os.pathsep.join([str(data_dir), str(code)])
    env["DATABASE_URL"] = _url(database)
    env["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    return env


def prepare_ours(
    database: str, tickets: int, *, code: Path, rebuild: bool, static_from: Path | None
) -> Site:
    """A migrated database of `tickets` tickets (made unless already there) and a data directory
    with the static files, served from its own cache (so TOTP codes are not shared)."""
    began = time.perf_counter()
    data_dir = Path(tempfile.mkdtemp(prefix="madoguchi-bench-queue-"))
    env = _site_environment(data_dir, database, code)
    reused = not rebuild and _generated(database) == tickets
    if not reused:
        print(f"  generating {database}: {tickets:,} tickets …", flush=True)
        _recreate(database)
    _checked(env, "migrate", "--no-input")
    people = json.loads(_checked(env, "shell", "-c", _OUR_PEOPLE).strip().splitlines()[-1])
    if not reused:
        _fill(database, tickets, people, [_OUR_TICKETS, _OUR_MESSAGES])
        _mark(database, tickets)
    if static_from is not None:
        shutil.copytree(static_from / "static", data_dir / "static")
    else:
        _checked(env, "collectstatic", "--no-input")
    return Site(
        database,
        tickets,
        data_dir,
        env,
        code,
        secret=people["secret"],
        reused=reused,
        prepare_seconds=time.perf_counter() - began,
    )


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now (RFC 6238: SHA-1, 6 digits, 30 s, allauth's
    defaults). Near the end of a period, waits for the next, so the server checks the same."""
    if TOTP_PERIOD - time.time() % TOTP_PERIOD < 2:
        time.sleep(TOTP_PERIOD - time.time() % TOTP_PERIOD + 0.05)
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // TOTP_PERIOD), "sha1").digest()
    offset = digest[-1] & 0x0F
    value = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{value:06d}"


def _redirected(page: Page, expected: str, what: str) -> str:
    location = page.headers.get("location", "")
    if page.status != 302 or expected not in location:
        raise BenchFailed(
            f"{what}: answered {page.status} {location!r}, not a redirect to {expected}"
        )
    return location


def log_in_ours(visitor: Visitor, secret: str) -> None:
    """Password, then the TOTP code, through the same pages a person uses."""
    form = read_form(visitor.get(LOGIN_PATH), marker='name="login"')
    answer = visitor.post(
        form.action or LOGIN_PATH,
        form.filled(login=AGENT_EMAIL, password=AGENT_PASSWORD),
        multipart=form.multipart,
        referer=LOGIN_PATH,
    )
    _redirected(answer, TOTP_PATH, "the login")
    form = read_form(visitor.get(TOTP_PATH), marker='name="code"')
    answer = visitor.post(
        form.action or TOTP_PATH,
        form.filled(code=totp_code(secret)),
        multipart=form.multipart,
        referer=TOTP_PATH,
    )
    if answer.status != 302:
        raise BenchFailed(f"the TOTP code was refused ({answer.status})")


_TICKET_LINK = re.compile(r'href="/ja/agent/tickets/(\d+)/"')
_HREF = re.compile(r'href="([^"]+)"')
_OPTION_VALUE = re.compile(
    r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>|<input[^>]*name="([^"]+)"[^>]*value="([^"]+)"',
    re.DOTALL,
)


def _queue_links(page: str) -> dict[str, str]:
    """The "unassigned" and "breaching soon" queues, as the default queue page offers them: a
    link whose address says so, or else a filter choice with that value. Read from the page,
    so that the benchmark follows the view's addresses and parameters as they change."""
    found: dict[str, str] = {}
    wanted = {"unassigned": ("unassigned",), "breaching soon": ("breach", "soon", "at_risk")}
    hrefs = [
        href.replace("&amp;", "&")
        for href in _HREF.findall(page)
        if "/agent/" in href and not _TICKET_LINK.match(f'href="{href}"')
    ]
    for name, words in wanted.items():
        for href in hrefs:
            if any(word in href.lower() for word in words):
                found[name] = href if href.startswith("/") else QUEUE_PATH + href
                break
        else:
            for match in _OPTION_VALUE.finditer(page):
                if match.group(1):
                    values = re.findall(r'value="([^"]*)"', match.group(2))
                    field_name = match.group(1)
                else:
                    values, field_name = [match.group(4)], match.group(3)
                hit = next((v for v in values if any(w in v.lower() for w in words)), None)
                if hit:
                    found[name] = f"{QUEUE_PATH}?{field_name}={hit}"
                    break
    return found


@dataclass
class Timing:
    samples: list[float] = field(default_factory=list)
    rows: int = 0
    server_cpu_ms: float = float("nan")  # the server's CPU time per measured round

    def quantile(self, q: int) -> float:
        cuts = statistics.quantiles(self.samples, n=100, method="inclusive")
        return cuts[q - 1]

    @property
    def p50(self) -> float:
        return self.quantile(50)

    @property
    def p95(self) -> float:
        return self.quantile(95)

    @property
    def max(self) -> float:
        return max(self.samples)


def time_pages(
    visitor: Visitor, paths: list[str], *, check: Callable[[Page, str], int], server: int
) -> Timing:
    """Warm-up, then REQUESTS times the `paths` one after the other (what an agent waits for:
    a list that needs a second request takes both); milliseconds per round. The server's CPU
    time (gunicorn and its workers, not PostgreSQL) is less disturbed by other load."""
    timing = Timing()
    cpu_before = 0.0
    for number in range(WARM_UP + REQUESTS):
        if number == WARM_UP:
            cpu_before = _tree_cpu_seconds(server)
        began = time.perf_counter()
        pages = [visitor.get(path) for path in paths]
        elapsed = (time.perf_counter() - began) * 1000
        rows = sum(check(page, path) for page, path in zip(pages, paths, strict=True))
        if number >= WARM_UP:
            timing.samples.append(elapsed)
            timing.rows = rows
    timing.server_cpu_ms = (_tree_cpu_seconds(server) - cpu_before) * 1000 / REQUESTS
    return timing


def _our_rows(page: Page, path: str) -> int:
    if page.status != 200:
        raise BenchFailed(f"{path} answered {page.status}")
    return len(set(_TICKET_LINK.findall(page.text)))


class Server(Running):
    """bench/serving.py's Running, started in the folder of the measured code: gunicorn puts
    its working folder first on the import path."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path, cwd: Path) -> None:
        self.log = log
        with log.open("w") as out:
            self.process = subprocess.Popen(  # noqa: S603
                command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT
            )


def serve(
    command: list[str], env: dict[str, str], log: Path, probe: str, *, cwd: Path
) -> tuple[Running, str]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = Server([part.replace("{port}", str(port)) for part in command], env, log, cwd)
    if not server.wait_until_answering(base + probe):
        server.stop()
        raise BenchFailed(f"the server did not answer {probe}; see {log}")
    return server, base


def _gunicorn(app: str) -> list[str]:
    return [
        *(str(BIN / "gunicorn"), "--workers", str(WORKERS), "--worker-class", "sync"),
        *("--bind", "127.0.0.1:{port}", app),
    ]


def measure_ours(site: Site, *, with_other_queues: bool) -> tuple[dict[str, Timing], list[str]]:
    """Latency of the default queue (and the others it links to) over HTTP; their paths."""
    server, base = serve(
        _gunicorn("madoguchi.wsgi"), site.env, site.data_dir / "gunicorn.log", "/ja/", cwd=site.code
    )
    try:
        visitor = Visitor(base)
        log_in_ours(visitor, site.secret)
        first = visitor.get(QUEUE_PATH)
        if first.status != 200 or not _our_rows(first, QUEUE_PATH):
            raise BenchFailed(f"the queue answered {first.status} without tickets")
        paths = {"default queue": QUEUE_PATH}
        if with_other_queues:
            paths.update(_queue_links(first.text))
        timings = {}
        for name, path in paths.items():
            timings[name] = time_pages(visitor, [path], check=_our_rows, server=server.process.pid)
            print(
                f"  measured {name} at {site.tickets:,}: p50 {timings[name].p50:.1f} ms,"
                f" p95 {timings[name].p95:.1f} ms",
                flush=True,
            )
        return timings, [paths[name] for name in timings]
    finally:
        server.stop()


# In a process of its own with the site's settings: log in through the views with the test
# client, count each page's queries, EXPLAIN ANALYZE each of them. Prints JSON.
_COUNT = """
import json, os, re, sys, time
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
LOGIN_PATH, TOTP_PATH = os.environ["BENCH_LOGIN_PATH"], os.environ["BENCH_TOTP_PATH"]
client = Client()
answer = client.post(
    LOGIN_PATH, {"login": os.environ["BENCH_EMAIL"], "password": os.environ["BENCH_PASSWORD"]}
)
assert answer.status_code == 302 and TOTP_PATH in answer["Location"], answer.status_code
if 30 - time.time() % 30 < 2:
    time.sleep(30 - time.time() % 30 + 0.05)
code = format_hotp_value(hotp_value(os.environ["BENCH_SECRET"], int(time.time()) // 30))
answer = client.post(TOTP_PATH, {"code": code})
assert answer.status_code == 302, answer.status_code
report = {}
for path in json.loads(os.environ["BENCH_PATHS"]):
    client.get(path)  # caches and the connection, as on a warm server
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    queries = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            plan, ms = [], float(query["time"]) * 1000
            if sql.lstrip().upper().startswith("SELECT"):
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = [row[0] for row in cursor.fetchall()]
                found = [l for l in plan if l.startswith("Execution Time")]
                if found:
                    ms = float(re.findall(r"[\\d.]+", found[0])[0])
            queries.append({"sql": sql, "ms": ms, "plan": plan})
    report[path] = queries
print(json.dumps(report))
"""


def count_queries(site: Site, paths: list[str]) -> dict[str, list[dict[str, object]]]:
    data_dir = Path(tempfile.mkdtemp(prefix="madoguchi-bench-queue-count-"))
    try:
        env = _site_environment(data_dir, site.database, site.code)
        # Static file names do not change the queries; plain storage needs no manifest, which
        # a working tree changed since collectstatic would lack entries of.
        with (data_dir / "bench_settings.py").open("a") as settings:
            settings.write(
                'STORAGES["staticfiles"] = '
                '{"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}\n'
            )
        env.update(
            BENCH_LOGIN_PATH=LOGIN_PATH,
            BENCH_TOTP_PATH=TOTP_PATH,
            BENCH_EMAIL=AGENT_EMAIL,
            BENCH_PASSWORD=AGENT_PASSWORD,
            BENCH_SECRET=site.secret,
            BENCH_PATHS=json.dumps(paths),
            ALLOWED_HOSTS="testserver,127.0.0.1",
        )
        result = subprocess.run(  # noqa: S603
            [str(BIN / "python"), "-c", _COUNT],
            env=env,
            cwd=site.code,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-15:])
            raise BenchFailed(f"counting the queries failed:\n{tail}")
        return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


# --- django-helpdesk's side ----------------------------------------------------------------

_HELPDESK_SETTINGS = """
from settings import *  # noqa: F403

DATABASES = {{
    "default": {{
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "{name}",
        "HOST": "{host}",
        "PORT": {port},
        "USER": "{user}",
        "CONN_MAX_AGE": 60,
    }}
}}
# The agent sees the queues they are given, as madoguchi's agent sees their groups.
HELPDESK_ENABLE_PER_QUEUE_STAFF_PERMISSION = True
"""

# Run by django-helpdesk's Python: 20 private queues, 100 staff who receive tickets, the bench
# agent (staff) with access to three queues. Prints JSON.
_HELPDESK_PEOPLE = """
import json
import django
django.setup()
from django.contrib.auth.models import Permission, User
from helpdesk.models import Queue
GROUPS, AGENT_GROUPS, FILLERS = {groups}, {agent_groups}, {fillers}
queues = []
for number in range(1, GROUPS + 1):
    queue = Queue.objects.filter(slug=f"bench-{{number:02d}}").first()
    if queue is None:
        queue = Queue.objects.create(
            slug=f"bench-{{number:02d}}", title=f"チーム{{number}}", allow_public_submission=False,
            locale="ja",
        )
    queues.append(queue)
agents = []
for number in range(FILLERS):
    user = User.objects.filter(username=f"agent{{number:03d}}").first()
    if user is None:
        user = User(username=f"agent{{number:03d}}", is_staff=True)
        user.set_unusable_password()
        user.save()
    agents.append(user.pk)
agent = User.objects.filter(username="{user}").first() or User(username="{user}", is_staff=True)
agent.set_password("{password}")
agent.save()
agent.user_permissions.set([
    Permission.objects.get(codename=queues[index].permission_name.split(".", 1)[1])
    for index in AGENT_GROUPS
])
settings = agent.usersettings_helpdesk
settings.tickets_per_page = {rows}
settings.save()
print(json.dumps({{"agent": agent.pk, "agents": agents, "groups": [q.pk for q in queues]}}))
""".format(  # noqa: UP032 (the script's own braces would all need doubling)
    groups=GROUPS,
    agent_groups=list(AGENT_GROUPS),
    fillers=FILLER_AGENTS,
    user=HELPDESK_USER,
    password=AGENT_PASSWORD,
    rows=ROWS,
)


def _helpdesk_python(desk: Desk, *args: str) -> str:
    result = subprocess.run(  # noqa: S603
        [str(HELPDESK_BIN / "python"), *args],
        env=desk.env,
        cwd=HELPDESK_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-12:])
        raise BenchFailed(f"django-helpdesk {' '.join(args)[:40]} failed:\n{tail}")
    return result.stdout


def _ensure_psycopg() -> None:
    """bench/helpdesk/requirements.txt is for SQLite; PostgreSQL needs psycopg in that venv."""
    ensure_venv()
    probe = subprocess.run(  # noqa: S603
        [str(HELPDESK_BIN / "python"), "-c", "import psycopg"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        print("  installing psycopg into bench/helpdesk/.venv (from PyPI) …", flush=True)
        installed = subprocess.run(  # noqa: S603
            [
                *(str(HELPDESK_BIN / "python"), "-m", "pip", "install", "--quiet"),
                *("--disable-pip-version-check", "psycopg[binary]"),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if installed.returncode != 0:
            raise BenchFailed(f"pip install psycopg failed: {installed.stderr[-500:]}")


def helpdesk_desk(database: str) -> Desk:
    """bench/helpdesk's Desk, pointed at `database` on PostgreSQL by a settings module of its
    data directory."""
    from urllib.parse import urlsplit

    url = urlsplit(POSTGRES)
    desk = Desk(workers=WORKERS)
    (desk.data_dir / "bench_queue_settings.py").write_text(
        _HELPDESK_SETTINGS.format(
            name=database,
            host=url.hostname or "127.0.0.1",
            port=url.port or 5432,
            user=url.username or "postgres",
        )
    )
    desk.env["DJANGO_SETTINGS_MODULE"] = "bench_queue_settings"
    desk.env["PYTHONPATH"] = os.pathsep.join([str(desk.data_dir), str(HELPDESK_DIR)])
    return desk


def prepare_helpdesk(database: str, tickets: int, *, rebuild: bool) -> tuple[Desk, bool]:
    _ensure_psycopg()
    desk = helpdesk_desk(database)
    reused = not rebuild and _generated(database) == tickets
    if not reused:
        print(f"  generating {database}: {tickets:,} tickets …", flush=True)
        _recreate(database)
    _helpdesk_python(desk, str(HELPDESK_DIR / "provision.py"), "prepare")
    people = json.loads(_helpdesk_python(desk, "-c", _HELPDESK_PEOPLE).strip().splitlines()[-1])
    if not reused:
        _fill(database, tickets, people, [_HELPDESK_TICKETS, _HELPDESK_FOLLOWUPS])
        _mark(database, tickets)
    return desk, reused


_DATATABLES = re.compile(r"[\"'](/datatables_ticket_list/[^\"']+)[\"']")


def measure_helpdesk(desk: Desk) -> tuple[Timing, int]:
    """The list page and its data request, as the browser sends them; and the tickets the data
    says the list holds."""
    with desk:
        visitor = Visitor(desk.base_url)
        form = read_form(visitor.get("/login/"), marker='name="username"')
        answer = visitor.post(
            form.action or "/login/",
            form.filled(username=HELPDESK_USER, password=AGENT_PASSWORD),
            multipart=form.multipart,
            referer="/login/",
        )
        if answer.status != 302:
            raise BenchFailed(f"django-helpdesk's login answered {answer.status}")
        page = visitor.get("/tickets/")
        found = _DATATABLES.search(page.text)
        if page.status != 200 or not found:
            raise BenchFailed(f"django-helpdesk's /tickets/ answered {page.status} without data")
        # What DataTables asks for first: draw 1, the first ROWS rows, the default order.
        data = f"{found.group(1)}?draw=1&start=0&length={ROWS}"
        total = 0

        def check(answer: Page, path: str) -> int:
            nonlocal total
            if answer.status != 200:
                raise BenchFailed(f"django-helpdesk's {path[:40]} answered {answer.status}")
            if path.startswith("/datatables_ticket_list/"):
                body = json.loads(answer.body)
                total = int(body["recordsTotal"])
                return len(body["data"])
            return 0

        timing = time_pages(visitor, ["/tickets/", data], check=check, server=desk.pid)
        return timing, total


# --- The report ----------------------------------------------------------------------------


def _sql_ms(queries: list[dict[str, object]]) -> float:
    return sum(float(query["ms"]) for query in queries)  # type: ignore[arg-type]


def _verdict(met: bool) -> str:
    return "MET" if met else "NOT MET"


def _short(sql: str, width: int = 150) -> str:
    flat = " ".join(sql.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def print_queries(path: str, queries: list[dict[str, object]], *, plans: int) -> None:
    print(f"\n  queries of {path} ({len(queries)}), by EXPLAIN ANALYZE time:")
    ordered = sorted(queries, key=lambda q: -float(q["ms"]))  # type: ignore[arg-type]
    for query in ordered:
        print(f"    {float(query['ms']):8.2f} ms  {_short(str(query['sql']))}")  # type: ignore[arg-type]
    for query in ordered[:plans]:
        print(f"\n    plan of the {float(query['ms']):.1f} ms query:")  # type: ignore[arg-type]
        for line in query["plan"]:  # type: ignore[attr-defined]
            print(f"      {line}")


def _active_count(database: str) -> int:
    """The tickets the agent's default queue holds: the active, confirmed ones of their groups."""
    with _connect(database) as conn:
        row = conn.execute(
            "SELECT count(*) FROM tickets_ticket t JOIN tickets_supportgroup_members m"
            " ON m.supportgroup_id = t.group_id JOIN accounts_user u ON u.id = m.user_id"
            " WHERE u.email = %s AND t.status IN ('new', 'open', 'pending', 'on_hold')"
            " AND t.email_confirmed_at IS NOT NULL",
            [AGENT_EMAIL],
        ).fetchone()
    return int(row[0]) if row else 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    rebuild = "--rebuild" in args or os.environ.get("BENCH_QUEUE_REBUILD") == "1"
    began = time.perf_counter()
    print(
        f"Agent queue: madoguchi at {BIG:,} tickets (target p95 ≤ {TARGET_P95_MS:.0f} ms, "
        f"≤ {TARGET_QUERIES} queries), and beside django-helpdesk's ticket list at {SMALL:,}; "
        f"PostgreSQL ({POSTGRES.rsplit('@', 1)[-1]}), gunicorn {WORKERS} sync workers, DEBUG=0; "
        f"one agent, {REQUESTS} requests per page one after the other after {WARM_UP} warm-up; "
        f"{os.cpu_count()} CPUs shared with the database and the client."
    )
    sites: list[Site] = []
    code, measured = code_tree()
    hint = "" if code != REPO else "; BENCH_QUEUE_CODE=commit measures the last commit alone"
    print(f"  measuring {measured}{hint}")
    try:
        big = prepare_ours(OURS_1M, BIG, code=code, rebuild=rebuild, static_from=None)
        sites.append(big)
        small = prepare_ours(OURS_100K, SMALL, code=code, rebuild=rebuild, static_from=big.data_dir)
        sites.append(small)
        desk, desk_reused = prepare_helpdesk(HELPDESK_100K, SMALL, rebuild=rebuild)
        for site in (big, small):
            how = "reused" if site.reused else "generated"
            print(
                f"  {site.database}: {site.tickets:,} tickets, {how} ({site.prepare_seconds:.0f} s)"
            )
        print(
            f"  {HELPDESK_100K}: {SMALL:,} tickets, {'reused' if desk_reused else 'generated'}"
            " (--rebuild or BENCH_QUEUE_REBUILD=1 makes them again)"
        )
        load_before = os.getloadavg()[0]
        big_timings, big_paths = measure_ours(big, with_other_queues=True)
        big_queries = count_queries(big, big_paths)
        small_timings, small_paths = measure_ours(small, with_other_queues=False)
        small_queries = count_queries(small, small_paths)
        theirs, their_total = measure_helpdesk(desk)
        load_after = os.getloadavg()[0]
    except (BenchFailed, SetupFailed, SubmissionFailed) as error:
        print(f"FAILED: {error}", file=sys.stderr)
        for site in sites:
            print(f"  data and logs kept in {site.data_dir}", file=sys.stderr)
        return 1

    print(
        f"\nLoad average (1 min) before and after: {load_before:.1f}, {load_after:.1f} "
        f"(above {os.cpu_count()}: other work competed for the CPUs)."
    )
    print(
        f"\n  {'page':<48} {'tickets':>9} {'active':>7} {'rows':>4} {'p50 ms':>7} {'p95 ms':>7}"
        f" {'max ms':>7} {'CPU ms':>6} {'SQL ms':>6} {'queries':>7}"
    )
    active_big = _active_count(big.database)
    for name, path in zip(big_timings, big_paths, strict=True):
        timing = big_timings[name]
        label = f"madoguchi {name} {path}"[:48]
        print(
            f"  {label:<48} {BIG:>9,} {active_big:>7,} {timing.rows:>4} {timing.p50:>7.1f}"
            f" {timing.p95:>7.1f} {timing.max:>7.1f} {timing.server_cpu_ms:>6.1f}"
            f" {_sql_ms(big_queries[path]):>6.1f} {len(big_queries[path]):>7}"
        )
    ours = small_timings["default queue"]
    active_small = _active_count(small.database)
    print(
        f"  {'madoguchi default queue ' + QUEUE_PATH:<48} {SMALL:>9,} {active_small:>7,}"
        f" {ours.rows:>4} {ours.p50:>7.1f} {ours.p95:>7.1f} {ours.max:>7.1f}"
        f" {ours.server_cpu_ms:>6.1f} {_sql_ms(small_queries[QUEUE_PATH]):>6.1f}"
        f" {len(small_queries[QUEUE_PATH]):>7}"
    )
    print(
        f"  {'django-helpdesk /tickets/ + its data request':<48} {SMALL:>9,} {their_total:>7,}"
        f" {theirs.rows:>4} {theirs.p50:>7.1f} {theirs.p95:>7.1f} {theirs.max:>7.1f}"
        f" {theirs.server_cpu_ms:>6.1f} {'':>6} {'':>7}"
    )
    print(
        "  (active: the tickets the agent's list holds, new/open/pending/on hold of their three"
        " groups; django-helpdesk: its recordsTotal, open and reopened of the three queues."
        " CPU ms: gunicorn's CPU time per page, PostgreSQL's not included; SQL ms: the page's"
        " queries run again under EXPLAIN ANALYZE, their execution times added up. A page"
        " whose p95 misses the target while SQL ms is small spends its time in Python:"
        " templates, forms, middleware)"
    )

    print(f"\n  at {BIG:,} tickets:")
    failed_targets = []
    for name, path in zip(big_timings, big_paths, strict=True):
        timing, count = big_timings[name], len(big_queries[path])
        met_time, met_queries = timing.p95 <= TARGET_P95_MS, count <= TARGET_QUERIES
        print(
            f"    {name}: p95 {timing.p95:.1f} ms ≤ {TARGET_P95_MS:.0f} ms {_verdict(met_time)};"
            f" {count} queries ≤ {TARGET_QUERIES} {_verdict(met_queries)}"
        )
        if not (met_time and met_queries):
            failed_targets.append(path)
    for name in ("unassigned", "breaching soon"):
        if name not in big_timings:
            print(f"    {name}: the queue page offers no such queue (not measured)")
    ratio50, ratio95 = theirs.p50 / ours.p50, theirs.p95 / ours.p95
    print(
        f"\n  at {SMALL:,} tickets: django-helpdesk's list takes {ratio50:.2f}x madoguchi's"
        f" queue at p50, {ratio95:.2f}x at p95 (above 1: madoguchi is faster)"
        f" {_verdict(ratio50 > 1)}"
    )
    for path in big_paths:
        slow = path in failed_targets
        print_queries(f"{path} at {BIG:,}", big_queries[path], plans=2 if slow else 1)
    print(f"\n  total time {time.perf_counter() - began:.0f} s")
    for site in sites:
        shutil.rmtree(site.data_dir, ignore_errors=True)
    if code != REPO:
        shutil.rmtree(code, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
