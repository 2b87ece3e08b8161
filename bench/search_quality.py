"""Retrieval quality on the shared help-center collection, beside two plain FTS5 baselines.

Imports articles.jsonl straight into the index (through Documents), runs queries-dev.tsv
through `madoguchi.search.query.search` and prints MRR@10, nDCG@10 and Recall@5 overall,
per locale and per kind. The baselines index the same articles in plain SQLite FTS5
(trigram and unicode61 tokenizers) and rank OR-ed query words with bm25().
"""

from __future__ import annotations

import json
import math
import sqlite3
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import setup_django, shared_dir


@dataclass(frozen=True)
class Query:
    qid: str
    locale: str
    text: str
    grades: dict[str, int]
    kind: str


def load_articles(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_queries(path: Path) -> list[Query]:
    queries = []
    with path.open(encoding="utf-8") as f:
        next(f)
        for line in f:
            if not line.strip():
                continue
            qid, locale, text, relevant, kind = line.rstrip("\n").split("\t")
            grades = {}
            for item in relevant.split(","):
                slug, grade = item.rsplit(":", 1)
                grades[slug] = int(grade)
            queries.append(Query(qid, locale, text, grades, kind))
    return queries


def metrics(ranked: list[str], grades: dict[str, int]) -> tuple[float, float, float]:
    top = ranked[:10]
    rr = next((1.0 / (i + 1) for i, slug in enumerate(top) if grades.get(slug) == 2), 0.0)
    dcg = sum((2 ** grades.get(slug, 0) - 1) / math.log2(i + 2) for i, slug in enumerate(top))
    ideal = sorted(grades.values(), reverse=True)[:10]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    answers = {slug for slug, g in grades.items() if g == 2}
    recall = len(answers & set(ranked[:5])) / len(answers)
    return rr, dcg / idcg if idcg else 0.0, recall


def evaluate(queries: list[Query], run: Callable[[Query], list[str]]) -> dict[str, list[float]]:
    groups: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    for query in queries:
        values = metrics(run(query), query.grades)
        for key in ("all", query.locale, f"{query.locale}/{query.kind}"):
            groups[key].append(values)
    return {
        key: [sum(v[i] for v in values) / len(values) for i in range(3)] + [len(values)]
        for key, values in groups.items()
    }


def report(name: str, table: dict[str, list[float]]) -> None:
    print(f"\n{name}")
    print(f"  {'group':<22}{'n':>4}{'MRR@10':>9}{'nDCG@10':>9}{'R@5':>8}")
    keys = ["all", "ja", "en", *sorted(k for k in table if "/" in k)]
    for key in keys:
        if key in table:
            mrr, ndcg, recall, n = table[key]
            print(f"  {key:<22}{int(n):>4}{mrr:>9.3f}{ndcg:>9.3f}{recall:>8.3f}")


def baseline(articles: list[dict], tokenizer: str) -> Callable[[Query], list[str]]:
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE a USING fts5(slug UNINDEXED, title, body, tags,"
        f" tokenize='{tokenizer}')"
    )
    db.executemany(
        "INSERT INTO a (slug, title, body, tags) VALUES (?, ?, ?, ?)",
        [(a["slug"], a["title"], a["body"], " ".join(a.get("tags", []))) for a in articles],
    )

    def run(query: Query) -> list[str]:
        words = [w for w in query.text.split() if w]
        expression = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
        try:
            rows = db.execute(
                "SELECT slug FROM a WHERE a MATCH ? ORDER BY bm25(a) LIMIT 10", [expression]
            ).fetchall()
        except sqlite3.OperationalError:
            return []
        return [row[0] for row in rows]

    return run


def main(verbose: bool = False) -> dict[str, list[float]]:
    base = shared_dir() / "data" / "helpcenter"
    articles = load_articles(base / "articles.jsonl")
    queries = load_queries(base / "queries-dev.tsv")
    setup_django()
    from madoguchi.helpcenter.article_files import read_articles
    from madoguchi.helpcenter.services import import_articles
    from madoguchi.search.query import search

    # Exactly what `madoguchi import-articles articles.jsonl` does; the index follows on commit.
    report_ = import_articles(read_articles(base / "articles.jsonl"))
    if report_.problems:
        sys.exit(f"import failed: {report_.problems[:3]}")

    def ours(query: Query) -> list[str]:
        found = search(query.text, locale=query.locale, limit=10, log=False)
        ranked = [hit.slug for hit in found.results]
        if verbose:
            rr = metrics(ranked, query.grades)[0]
            if rr < 1:
                best = [s for s, g in query.grades.items() if g == 2]
                print(
                    f"  {query.qid} {query.kind:<13} RR={rr:.2f} {query.text!r}"
                    f" want {best} got {ranked[:3]}"
                )
        return ranked

    print(f"Retrieval quality: {len(articles)} articles, {len(queries)} dev queries")
    table = evaluate(queries, ours)
    report("madoguchi search", table)
    report(
        "baseline: FTS5 trigram, OR-ed words, bm25()",
        evaluate(queries, baseline(articles, "trigram")),
    )
    report(
        "baseline: FTS5 unicode61, OR-ed words, bm25()",
        evaluate(queries, baseline(articles, "unicode61")),
    )
    return table


if __name__ == "__main__":
    main(verbose="-v" in sys.argv)
