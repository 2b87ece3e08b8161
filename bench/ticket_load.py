"""Load driver of the ticket benchmarks: customers who open a support form and send a ticket.

Each client is a thread with its own HTTP connection, kept alive when the server allows it
(http.client). Every ticket starts as a new visitor without cookies: GET the form page, read
its CSRF token and fields, POST it filled in, as a browser would. `run_load` sends N tickets
over C such clients and times them; `japanese_ticket` is the content, the same on every run and
for every server compared. Stdlib only, so that any virtual environment can run it.

    result = run_load(base_url, submit, tickets=2000, concurrency=8)
    require_created(result, stored)   # raises TicketsNotCreated unless the database agrees

`submit(visitor, ticket)` is the one part each server provides: it fills that server's form
and raises SubmissionFailed unless the answer is its success page (`require_redirect`).
"""

from __future__ import annotations

import hashlib
import html
import http.client
import re
import secrets
import statistics
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

SUBJECT = "入金が反映されません"
_BODY = """\
お世話になっております。
{occurred_at}ごろ、他社の取引所から {amount} {coin} を貴社の入金用アドレス\
（ビットコインネットワーク）宛てに送金しました。送金元の取引所では「送金完了」と表示されており、\
ブロックエクスプローラーでも6承認以上に\
なっていることを確認しています。しかし、3時間以上経った現在もアカウントの残高に反映されておらず、\
入金履歴にも表示されません。入金アドレスは入金画面からコピーしたもので、ネットワークの選択も\
間違っていないはずです。

TxID: {txid}
入金アドレス: {address}
金額: {amount} {coin}
送金日時: {occurred_at}

お手数をおかけしますが、ご確認のほどよろしくお願いいたします。入金履歴の画面や送金元の取引所の\
出金記録のスクリーンショットが必要でしたらお送りします。"""


@dataclass(frozen=True)
class TicketContent:
    """What one customer reports: the subject and body, and the same facts as separate fields
    for a form that asks for them (the body states them all, for a form that does not)."""

    index: int
    subject: str
    body: str
    email: str
    coin: str
    network: str
    amount: str
    txid: str
    address: str
    occurred_at: str  # as a customer in Japan types it, in local time


def japanese_ticket(index: int) -> TicketContent:
    """Ticket number `index`: a deposit not credited, each with its own TxID and e-mail address,
    identical on every run."""
    txid = hashlib.sha256(f"madoguchi-bench-ticket-{index}".encode()).hexdigest()
    facts = {
        "coin": "BTC",
        "amount": "0.05",
        "txid": txid,
        "address": "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",  # BIP-173 test vector
        "occurred_at": "2025年5月1日 14時32分",
    }
    return TicketContent(
        index=index,
        subject=SUBJECT,
        body=_BODY.format(**facts),
        email=f"customer{index:05d}@example.jp",
        network="bitcoin",
        **facts,
    )


class SubmissionFailed(Exception):
    """The server did not answer a submission with its success page."""


class TicketsNotCreated(RuntimeError):
    """The tickets the server acknowledged are not all in its database."""


@dataclass(frozen=True)
class Page:
    status: int
    headers: Mapping[str, str]  # lower-case names; Set-Cookie already taken into the jar
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Visitor:
    """One browser: a keep-alive connection to one server and a cookie jar."""

    def __init__(self, base_url: str, *, timeout: float = 30) -> None:
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"an http:// base URL is needed, not {base_url!r}")
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.cookies: dict[str, str] = {}
        self.reconnects = 0
        self._connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)

    def forget(self) -> None:
        """Become a new visitor: drop the cookies, keep the connection."""
        self.cookies.clear()

    def close(self) -> None:
        self._connection.close()

    def get(self, path: str) -> Page:
        return self._request("GET", path, None, {})

    def post(
        self, path: str, fields: Iterable[tuple[str, str]], *, multipart: bool, referer: str
    ) -> Page:
        """POST `fields` as a browser sends a form; file inputs travel as empty file parts."""
        if multipart:
            body, content_type = _multipart(fields)
        else:
            body = urllib.parse.urlencode(list(fields)).encode()
            content_type = "application/x-www-form-urlencoded"
        headers = {
            "Content-Type": content_type,
            "Origin": self.origin,
            "Referer": urllib.parse.urljoin(self.origin, referer),
        }
        return self._request("POST", path, body, headers)

    def _request(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Page:
        headers = {
            "Accept": "text/html,application/xhtml+xml",
            "Accept-Language": "ja,en;q=0.5",
            "User-Agent": "madoguchi-bench",
            **headers,
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        # A server may close an idle kept-alive connection just as a request goes out; a
        # browser then sends it again on a new connection, once, and so does this.
        reused = self._connection.sock is not None
        try:
            response = self._send(method, path, body, headers)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            if not reused:
                raise
            self._connection.close()
            self.reconnects += 1
            response = self._send(method, path, body, headers)
        received = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookie_value = rest.split(";", 1)[0]
                if "max-age=0" in value.lower():  # how Django deletes a cookie
                    self.cookies.pop(key.strip(), None)
                else:
                    self.cookies[key.strip()] = cookie_value
        if response.will_close:
            self._connection.close()
        headers_out = {name.lower(): value for name, value in response.getheaders()}
        return Page(response.status, headers_out, received)

    def _send(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> http.client.HTTPResponse:
        self._connection.request(method, path, body=body, headers=headers)
        return self._connection.getresponse()


def _multipart(fields: Iterable[tuple[str, str]]) -> tuple[bytes, str]:
    boundary = "----madoguchi-bench-" + secrets.token_hex(12)
    parts = []
    for name, value in fields:
        quoted = name.replace('"', "%22")
        if isinstance(value, _EmptyFile):
            head = (
                f'Content-Disposition: form-data; name="{quoted}"; filename=""\r\n'
                "Content-Type: application/octet-stream\r\n"
            )
        else:
            head = f'Content-Disposition: form-data; name="{quoted}"\r\n'
        parts.append(f"--{boundary}\r\n{head}\r\n".encode() + value.encode() + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class _EmptyFile(str):
    """A file input left empty, sent as a browser sends it."""

    __slots__ = ()


_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.DOTALL | re.IGNORECASE)
_CONTROL = re.compile(
    r"<input\b([^>]*)>|<textarea\b([^>]*)>(.*?)</textarea>|<select\b([^>]*)>(.*?)</select>",
    re.DOTALL | re.IGNORECASE,
)
_OPTION = re.compile(r"<option\b([^>]*)>(.*?)(?=</option>|<option\b|$)", re.DOTALL | re.IGNORECASE)


@dataclass
class HtmlForm:
    """The fields of an HTML form with the values a browser would send untouched."""

    action: str
    method: str
    multipart: bool
    values: dict[str, str] = field(default_factory=dict)
    options: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # name → (value, label)
    files: list[str] = field(default_factory=list)

    def choice(self, name: str, label: str) -> str:
        """The value of the option of select `name` shown as `label`, as a customer picks it."""
        for value, shown in self.options.get(name, []):
            if shown == label:
                return value
        raise SubmissionFailed(f"{name} offers no {label!r}")

    def filled(self, **answers: str) -> list[tuple[str, str]]:
        """The fields to send, with `answers` typed in. An answer for a field the form does not
        have is an error, so that a changed form fails loudly instead of being half filled."""
        unknown = set(answers) - set(self.values)
        if unknown:
            raise SubmissionFailed(f"the form has no field {', '.join(sorted(unknown))}")
        for name, answer in answers.items():
            if name in self.options and answer not in dict(self.options[name]):
                raise SubmissionFailed(f"{answer!r} is not a choice of {name}")
        sent = [(name, answers.get(name, value)) for name, value in self.values.items()]
        return sent + [(name, _EmptyFile("")) for name in self.files]


def read_form(page: Page, *, marker: str = "csrfmiddlewaretoken") -> HtmlForm:
    """The first form of `page` whose markup contains `marker` (by default Django's CSRF field)."""
    if page.status != 200:
        raise SubmissionFailed(f"the form page answered {page.status}")
    for match in _FORM.finditer(page.text):
        if marker in match.group(2):
            attributes = _attributes(match.group(1))
            form = HtmlForm(
                action=attributes.get("action", ""),
                method=attributes.get("method", "get").lower(),
                multipart=attributes.get("enctype", "").lower() == "multipart/form-data",
            )
            for control in _CONTROL.finditer(match.group(2)):
                _add_control(form, control.groups())
            return form
    raise SubmissionFailed(f"no form with {marker!r} on the page")


def _add_control(form: HtmlForm, groups: tuple[str | None, ...]) -> None:
    input_attrs, textarea_attrs, textarea_text, select_attrs, select_body = groups
    if input_attrs is not None:
        attributes = _attributes(input_attrs)
        name, kind = attributes.get("name"), attributes.get("type", "text").lower()
        if not name or "disabled" in attributes or kind in {"submit", "button", "image", "reset"}:
            return
        if kind == "file":
            form.files.append(name)
        elif kind not in {"checkbox", "radio"} or "checked" in attributes:
            form.values[name] = attributes.get("value", "on" if kind == "checkbox" else "")
    elif textarea_attrs is not None:
        attributes = _attributes(textarea_attrs)
        if attributes.get("name") and "disabled" not in attributes:
            # A browser drops the one newline that may follow the opening tag.
            text = html.unescape(textarea_text or "").removeprefix("\r\n").removeprefix("\n")
            form.values[attributes["name"]] = text
    elif select_attrs is not None:
        attributes = _attributes(select_attrs)
        name = attributes.get("name")
        if not name or "disabled" in attributes:
            return
        values: list[tuple[str, str]] = []
        chosen = None
        for option in _OPTION.finditer(select_body or ""):
            option_attributes = _attributes(option.group(1))
            label = html.unescape(re.sub(r"<[^>]*>", "", option.group(2))).strip()
            value = option_attributes.get("value", label)
            values.append((value, label))
            if "selected" in option_attributes and chosen is None:
                chosen = value
        form.options[name] = values
        form.values[name] = chosen if chosen is not None else (values[0][0] if values else "")


_ATTRIBUTE = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?""")


def _attributes(markup: str) -> dict[str, str]:
    found = {}
    for name, double, single, bare in _ATTRIBUTE.findall(markup):
        found[name.lower()] = html.unescape(double or single or bare)
    return found


def require_redirect(page: Page, prefix: str) -> str:
    """The Location of `page`, which must be a redirect to a URL starting with `prefix`."""
    location = page.headers.get("location", "")
    if page.status not in {301, 302, 303} or not location.startswith(prefix):
        reason = f"answered {page.status}" + (f" to {location}" if location else "")
        raise SubmissionFailed(f"{reason} instead of a redirect to {prefix}")
    return location


Submit = Callable[[Visitor, TicketContent], None]


@dataclass
class LoadResult:
    tickets: int
    concurrency: int
    seconds: float
    succeeded: list[int]  # ticket indexes the server acknowledged
    latencies_ms: list[float]  # one per acknowledged ticket: form page and submission together
    errors: Counter[str]
    reconnects: int = 0
    client_cpu_seconds: float = 0.0  # the load generator's own CPU time (all its threads)

    @property
    def tickets_per_second(self) -> float:
        return len(self.succeeded) / self.seconds if self.seconds else 0.0

    def percentile_ms(self, percent: int) -> float:
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else float("nan")
        return statistics.quantiles(self.latencies_ms, n=100)[percent - 1]

    def figures(self) -> dict[str, float | int]:
        return {
            "tickets": self.tickets,
            "concurrency": self.concurrency,
            "seconds": round(self.seconds, 3),
            "tickets_per_second": round(self.tickets_per_second, 1),
            "p50_ms": round(self.percentile_ms(50), 1),
            "p95_ms": round(self.percentile_ms(95), 1),
            "errors": sum(self.errors.values()),
            "client_cpu_ms_per_ticket": round(
                self.client_cpu_seconds * 1000 / max(1, len(self.succeeded)), 2
            ),
        }


def run_load(
    base_url: str, submit: Submit, *, tickets: int, concurrency: int, first: int = 0
) -> LoadResult:
    """Send tickets `first` … `first + tickets - 1` through `submit` from `concurrency` clients
    at once; the time runs from the moment all clients start to the last answer."""
    indexes = iter(range(first, first + tickets))
    lock = threading.Lock()
    start = threading.Barrier(concurrency + 1)
    succeeded: list[int] = []
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    reconnects = [0]

    def client(visitor: Visitor) -> None:
        start.wait()
        try:
            while True:
                with lock:
                    index = next(indexes, None)
                if index is None:
                    return
                ticket = japanese_ticket(index)
                began = time.perf_counter()
                visitor.forget()
                try:
                    submit(visitor, ticket)
                except (SubmissionFailed, OSError, http.client.HTTPException) as error:
                    with lock:
                        errors[f"{type(error).__name__}: {error}"[:200]] += 1
                    visitor.close()
                    continue
                elapsed = (time.perf_counter() - began) * 1000
                with lock:
                    succeeded.append(index)
                    latencies.append(elapsed)
        finally:
            with lock:
                reconnects[0] += visitor.reconnects
            visitor.close()

    threads = [
        threading.Thread(target=client, args=(Visitor(base_url),), daemon=True)
        for _ in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    start.wait()
    began, cpu_before = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    cpu = time.process_time() - cpu_before
    return LoadResult(
        tickets, concurrency, seconds, succeeded, latencies, errors, reconnects[0], cpu
    )


def require_created(
    results: Iterable[LoadResult], stored: Mapping[str, tuple[str, str]], *, server: str
) -> None:
    """Raise TicketsNotCreated unless every submission succeeded and the database holds exactly
    those tickets: `stored` maps each stored ticket's e-mail address to its (subject, body)."""
    problems = []
    acknowledged = []
    for result in results:
        acknowledged.extend(result.succeeded)
        for reason, count in result.errors.most_common(5):
            problems.append(f"{count} submissions failed: {reason}")
    expected = {japanese_ticket(index).email: japanese_ticket(index) for index in acknowledged}
    missing = expected.keys() - stored.keys()
    extra = stored.keys() - expected.keys()
    if missing:
        problems.append(f"{len(missing)} acknowledged tickets are not in the database")
    if extra:
        problems.append(f"{len(extra)} tickets in the database were never acknowledged")
    wrong = [
        email
        for email, (subject, body) in stored.items()
        if email in expected
        and (subject != expected[email].subject or expected[email].txid not in body)
    ]
    if wrong:
        problems.append(f"{len(wrong)} stored tickets lost their subject or TxID")
    if not acknowledged:
        problems.append("no ticket was acknowledged at all")
    if problems:
        raise TicketsNotCreated(f"{server}: " + "; ".join(problems))
