"""Import rate and search latency over generated articles (100,000 by default).

    python -m bench.search_scale [--database sqlite|postgres]

BENCH_ARTICLES overrides the size (BENCH_ARTICLES=5000 for a quick run). Prints the
import rate, in-process search latency (p50/p95) for Japanese and English queries beside
the raw full-text match time of the same queries, and the latency over HTTP from a real
gunicorn server pointed at the same data.
"""

from __future__ import annotations

import http.client
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator

from bench import REPO, database_main, setup_django

JA_NOUNS = """
    出金 入金 送金 口座 残高 手数料 本人確認 二段階認証 パスワード ログイン 端末 住所 銀行
    振込 日本円 取引 注文 約定 指値 成行 先物 証拠金 清算 レバレッジ 通貨 ネットワーク
    アドレス 承認 申請 審査 書類 凍結 制限 上限 通知 メール 電話番号 アプリ 設定 履歴 明細
    税金 申告 交換 割引 ランク 報酬 紹介 キャンペーン 貸出 積立 定期 利息 保管 ウォレット
    署名 鍵 認証 障害 メンテナンス 遅延 停止 復旧
""".split()  # noqa: SIM905 - word lists read better as text
JA_VERBS = """
    確認する 変更する 設定する 解除する 申請する 送る 届く 反映する 取り消す 待つ
""".split()  # noqa: SIM905 - word lists read better as text
JA_TEMPLATES = (
    "{a}の{b}を{v}場合は、{c}画面から手続きしてください。",
    "{a}が{v}までに時間がかかることがあります。{b}の状況もご確認ください。",
    "{a}と{b}の違いについて説明します。{c}については別の記事をご覧ください。",
    "{coin}の{a}は、{b}が完了してから{n}分ほどで{v}。",
    "ご利用の{a}によっては{b}が必要です。{c}を事前に{v}ください。",
    "「Error {code}」と表示された場合は、{a}の{b}を{v}必要があります。",
)
EN_WORDS = """
    withdrawal deposit transfer account balance fee verification password login device
    address bank wire yen trade order fill limit market futures margin liquidation
    leverage coin network confirmation request review document freeze restriction cap
    notice email phone app setting history statement tax report convert discount tier
    reward referral campaign lending savings interest custody wallet signature key
    authenticator outage maintenance delay suspension recovery staking airdrop listing
    delisting spread slippage
""".split()  # noqa: SIM905 - word lists read better as text
EN_TEMPLATES = (
    "If your {a} {b} is {adj}, open the {c} page and check the status first.",
    "A {a} can take longer than usual when the {b} is busy; {c} requests wait in line.",
    "This article explains the difference between {a} and {b} for {coin} holders.",
    "After the {a} is confirmed, {coin} usually arrives within {n} minutes.",
    'If you see "Error {code}", your {a} {b} needs attention before you try again.',
    "You can change the {a} {b} at any time from the {c} settings of the app.",
)
ADJECTIVES = """
    pending delayed rejected missing locked frozen slow failed stuck
""".split()  # noqa: SIM905 - word lists read better as text
COINS = """
    BTC ETH USDT XRP SOL ADA DOGE TRX BNB LTC DOT AVAX MATIC LINK ATOM
""".split()  # noqa: SIM905 - word lists read better as text
JA_QUERIES = (
    "出金 遅い",
    "入金 反映されない",
    "二段階認証 設定",
    "口座 凍結",
    "手数料",
    "出金",
    "本人確認 書類",
    "パスワード 変更",
    "先物 清算",
    "USDT 送金 届かない",
    "ﾛｸﾞｲﾝできない",
    "引出し 上限",
    "Error 2007",
    "日本円 振込",
    "ウォレット 署名",
    "メンテナンス 停止",
)
EN_QUERIES = (
    "withdrawal delayed",
    "deposit not credited",
    "reset password",
    "account frozen",
    "fees",
    "futures liquidation",
    "verification documents rejected",
    "wire transfer yen",
    "withdrawl pending",
    "Error 2007",
    "staking rewards",
    "change email address",
    "usdt network confirmation",
    "delisting",
    "lending interest",
    "api key signature",
)


_KANJI = "安案位囲委域育員因営映栄駅園演応往億価果貨課械害格確額刊完官管関観願希季紀規記"


def vocabulary(rng: random.Random, real: list[str], size: int, make) -> list[str]:  # type: ignore[no-untyped-def]
    """A Zipf-ranked vocabulary: invented words, with the real ones spread over the ranks."""
    words = [make(rng) for _ in range(size)]
    for i, word in enumerate(real):
        words[3 + i * (size // (len(real) * 4))] = word
    return words


def _ja_word(rng: random.Random) -> str:
    return "".join(rng.choice(_KANJI) for _ in range(rng.choice((2, 2, 3))))


def _en_word(rng: random.Random) -> str:
    syllables = ("ka", "lo", "mi", "ter", "ron", "sa", "vel", "dun", "pri", "co", "zen", "tal")
    return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))


def generate(count: int, *, seed: int = 7) -> Iterator[object]:
    """Articles whose topic words follow a Zipf law, as in a real collection: a few words
    are in many articles, most in few."""
    from madoguchi.search.documents import Document

    rng = random.Random(seed)
    ja_vocab = vocabulary(rng, JA_NOUNS, 4000, _ja_word)
    en_vocab = vocabulary(rng, EN_WORDS, 4000, _en_word)
    weights = [1.0 / (rank + 1) ** 1.1 for rank in range(4000)]
    categories = ("account", "security", "deposits-withdrawals", "trading", "fees", "verification")
    for number in range(1, count + 1):
        ja = number % 2 == 1
        topic = number // 2
        locale = "ja" if ja else "en"
        fill = {
            "coin": rng.choice(COINS),
            "n": rng.randint(2, 90),
            "code": rng.randint(1000, 9999),
        }
        if ja:
            topic_words = rng.choices(ja_vocab, weights=weights, k=6)
            a, b, c = topic_words[:3]
            title = f"{a}の{b}について ({rng.choice(COINS)} {topic})"
            sentences = [
                rng.choice(JA_TEMPLATES).format(
                    a=rng.choice(topic_words),
                    b=rng.choice(topic_words),
                    c=rng.choice(topic_words),
                    v=rng.choice(JA_VERBS),
                    **fill,
                )
                for _ in range(rng.randint(8, 18))
            ]
            body = "\n".join(sentences)
        else:
            topic_words = rng.choices(en_vocab, weights=weights, k=6)
            a, b, c = topic_words[:3]
            title = f"{a.capitalize()} {b} and {c} ({rng.choice(COINS)} {topic})"
            sentences = [
                rng.choice(EN_TEMPLATES).format(
                    a=rng.choice(topic_words),
                    b=rng.choice(topic_words),
                    c=rng.choice(topic_words),
                    adj=rng.choice(ADJECTIVES),
                    **fill,
                )
                for _ in range(rng.randint(10, 25))
            ]
            body = " ".join(sentences)
        slug = f"{locale}-{topic}"
        yield Document(
            type="article",
            id=number,
            locale=locale,
            slug=slug,
            title=title,
            body=body,
            url=f"/{locale}/articles/{slug}/",
            category=rng.choice(categories),
            tags=(rng.choice(EN_WORDS), rng.choice(EN_WORDS)),
            translation_of=f"{'en' if ja else 'ja'}-{topic}",
        )


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def line(label: str, samples: list[float]) -> None:
    p50, p95 = percentiles(samples)
    print(f"  {label:<44} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   (n={len(samples)})")


def raw_match_ms(query: str, locale: str, backend_name: str) -> float:
    """The bare full-text match of the same terms: no expansion, no scoring in Python."""
    from django.db import connection

    from madoguchi.search.backends.postgres import tsquery_literal
    from madoguchi.search.backends.sqlite_fts5 import match_expression
    from madoguchi.search.expansion import parse
    from madoguchi.search.vocabulary import statistics as index_statistics

    phrases = parse(query, generation=index_statistics().generation).phrases()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if backend_name == "postgres":
            cursor.execute(
                "SELECT id FROM search_document WHERE terms @@ %s::tsquery"
                " ORDER BY ts_rank(terms, %s::tsquery) DESC LIMIT 10",
                [tsquery_literal(phrases)] * 2,
            )
        else:
            cursor.execute(
                "SELECT rowid FROM search_fts WHERE search_fts MATCH %s ORDER BY rank LIMIT 10",
                [match_expression(phrases)],
            )
        cursor.fetchall()
    return (time.perf_counter() - started) * 1000


def settle(backend_name: str) -> None:
    """Give the planner statistics and the visibility map, as a database at rest has."""
    from django.db import connection

    with connection.cursor() as cursor:
        if backend_name == "postgres":
            cursor.execute("VACUUM ANALYZE search_document")
        else:
            cursor.execute("ANALYZE")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_latencies(queries: list[tuple[str, str]], rounds: int) -> dict[str, list[float]]:
    port = free_port()
    env = dict(os.environ, SECURE_SSL_REDIRECT="0")
    server = subprocess.Popen(  # noqa: S603 - our own server on loopback
        [
            sys.executable,
            "-m",
            "gunicorn",
            "madoguchi.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    results: dict[str, list[float]] = {"ja": [], "en": []}
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for query, locale in queries * 2:  # the first pass warms both workers
            conn.request(
                "GET", "/api/v1/search?" + urllib.parse.urlencode({"q": query, "locale": locale})
            )
            conn.getresponse().read()
        for _ in range(rounds):
            for query, locale in queries:
                path = "/api/v1/search?" + urllib.parse.urlencode({"q": query, "locale": locale})
                started = time.perf_counter()
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                assert response.status == 200, response.status
                results[locale].append((time.perf_counter() - started) * 1000)
        conn.close()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return results


def run(database: str) -> None:
    count = int(os.environ.get("BENCH_ARTICLES", "100000"))
    database_url = None
    if database == "postgres":
        database_url = os.environ["BENCH_DATABASE_URL"]
    data_dir = setup_django(database_url=database_url)
    from madoguchi.helpcenter.article_files import ArticleRecord
    from madoguchi.helpcenter.services import import_articles
    from madoguchi.search.analyzers.ja import warm_up
    from madoguchi.search.backends import backend_name
    from madoguchi.search.query import search

    name = backend_name()
    print(f"\nSearch at scale on {name} ({count:,} generated articles, data in {data_dir})")
    warm_up()
    # The same path as `madoguchi import-articles`: Help Center rows, a revision each,
    # translation links, then the search index.
    records = [
        ArticleRecord(
            slug=d.slug,
            locale=d.locale,
            title=d.title,
            category=d.category,
            body=d.body,
            tags=d.tags,
            translation_of=d.translation_of,
        )
        for d in generate(count)
    ]
    started = time.perf_counter()
    report = import_articles(records)
    elapsed = time.perf_counter() - started
    imported = report.created + report.updated
    print(
        f"  import-articles: {imported:,} articles in {elapsed:.1f} s"
        f" = {imported / elapsed:,.0f} articles/s ({len(report.problems)} problems)"
    )
    settle(name)

    queries = [(q, "ja") for q in JA_QUERIES] + [(q, "en") for q in EN_QUERIES]
    for query, locale in queries:  # warm caches (word list, synonyms, page cache)
        search(query, locale=locale, log=False)
    rounds = 5
    ours: dict[str, list[float]] = {"ja": [], "en": []}
    raw: dict[str, list[float]] = {"ja": [], "en": []}
    for _ in range(rounds):
        for query, locale in queries:
            t = time.perf_counter()
            search(query, locale=locale, log=True)
            ours[locale].append((time.perf_counter() - t) * 1000)
            raw[locale].append(raw_match_ms(query, locale, name))
    for locale in ("ja", "en"):
        line(f"in-process search(), {locale} queries", ours[locale])
        line(f"raw full-text match (top 10), {locale} queries", raw[locale])
    over_http = http_latencies(queries, rounds=3)
    for locale in ("ja", "en"):
        line(f"HTTP GET /api/v1/search (gunicorn), {locale}", over_http[locale])


def postgres_database(action: str, name: str) -> None:
    import psycopg

    admin_url = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if action == "create":
            conn.execute(f'CREATE DATABASE "{name}"')
        else:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_in_each_database(
    module: str, *, prefix: str, databases: tuple[str, ...] = ("sqlite", "postgres")
) -> None:
    """Run `python -m <module> --database D` in a fresh process for each database; PostgreSQL
    gets a database of its own (`<prefix>_<pid>`), dropped afterwards, and is skipped with a
    word when the server does not answer."""
    for database in databases:
        env = dict(os.environ)
        name = f"{prefix}_{os.getpid()}"
        if database == "postgres":
            try:
                postgres_database("create", name)
            except Exception as error:
                print(f"\nPostgreSQL skipped: {error}")
                continue
            base = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
            env["BENCH_DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + name
        try:
            subprocess.run(  # noqa: S603 - a benchmark of ours, in a fresh process
                [sys.executable, "-m", module, "--database", database],
                cwd=REPO,
                env=env,
                check=True,
            )
        finally:
            if database == "postgres":
                postgres_database("drop", name)


def main(databases: tuple[str, ...] = ("sqlite", "postgres")) -> None:
    run_in_each_database("bench.search_scale", prefix="madoguchi_bench", databases=databases)


if __name__ == "__main__":
    database_main(run, main)
