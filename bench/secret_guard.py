"""Secret-guard checks per second over a realistic mix of support messages.

    python -m bench.secret_guard

Runs `redact_secrets` for BENCH_SECONDS (3 by default) over short and long messages in
Japanese and English, about one in five carrying a secret, and prints checks per second,
throughput and latency percentiles. It then runs every paragraph of the shared help-center
articles through the guard: ordinary prose about passwords, 2FA and seed phrases, so any
finding there is a false positive (printed by kind and position, never by content).
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from collections import Counter

from bench import shared_dir

SEED = " ".join(["abandon"] * 11 + ["about"])
ORDINARY = [
    "Hi, I sent 0.5 BTC to my wallet on 2024-05-01 at 14:32 but it has not arrived. "
    "Order ID 4111111111111111, TxID "
    "f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16.",
    "I lost the paper with my seed phrase. Can you help me recover my account?",
    "Where do I find the API key settings? I want a new key for my trading bot.",
    "My 2FA code is not accepted, I tried 3 times. Phone number 090-1234-5678.",
    "I forgot my password and the reset email never arrived.",
    "Please help, I want to withdraw 1,250.50 USDT via TRC20 to "
    "TJRabPrwbZy45sbavfcjinPJC18kjpRTv8 and the fee seems wrong.",
    "昨日の14時ごろにBTCを0.05送金しましたが、まだ着金していません。",
    "シードフレーズを書いた紙をなくしてしまいました。アカウントを復旧できますか？",
    "2段階認証のコードが届きません。電話番号は090-1234-5678です。",
    "注文番号 4111111111111111 の約定について確認したいです。",
    "出金額は１２，５００円です。口座番号は１２３４５６７です。",
    "マイナンバーカードの写真はどこから提出すればいいですか？",
]
WITH_SECRETS = [
    f"My recovery words are {SEED}, is it safe?",
    "2FA code: 123456, please log me in",
    "パスワードは abc123 です。ログインできません。",
    "API secret: 9fJ3kL0pQ2rS5tU8vW1xY4zA7bC0dE3f",
    "I paid with card 4111 1111 1111 1111 yesterday",
    "マイナンバーは123456789018です",
    "private key 5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ",
]


def setup() -> None:
    os.environ.setdefault("MADOGUCHI_DATA_DIR", tempfile.mkdtemp(prefix="madoguchi-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    import django

    django.setup()


def message_mix(paragraphs: list[str]) -> list[str]:
    # Four ordinary messages (one of them a long help-center paragraph) per secret.
    mix: list[str] = []
    for index, secret in enumerate(WITH_SECRETS * 4):
        mix.extend(ORDINARY[(index * 3 + k) % len(ORDINARY)] for k in range(3))
        if paragraphs:
            mix.append(paragraphs[index % len(paragraphs)])
        mix.append(secret)
    return mix


def article_paragraphs() -> list[str]:
    path = shared_dir() / "data" / "helpcenter" / "articles.jsonl"
    if not path.exists():
        return []
    paragraphs = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            article = json.loads(line)
            paragraphs.extend(p for p in article["body"].split("\n\n") if p.strip())
    return paragraphs


def main() -> dict[str, float]:
    setup()
    from django.utils import translation

    from madoguchi.safety.redaction import redact_secrets

    seconds = float(os.environ.get("BENCH_SECONDS", "3"))
    paragraphs = article_paragraphs()
    mix = message_mix(paragraphs)
    translation.activate("ja")
    for text in mix:  # warm the word lists and compiled patterns
        redact_secrets(text)

    latencies: list[float] = []
    characters = 0
    found = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        for text in mix:
            started = time.perf_counter()
            result = redact_secrets(text)
            latencies.append(time.perf_counter() - started)
            characters += len(text)
            found += bool(result.findings)
    total = sum(latencies)
    checks = len(latencies) / total
    quantiles = statistics.quantiles(latencies, n=100)
    print(f"Secret guard: {len(mix)} messages in the mix, {len(latencies)} checks")
    print(f"  checks/s        {checks:,.0f}")
    print(f"  characters/s    {characters / total:,.0f}")
    print(f"  mean length     {characters / len(latencies):,.0f} characters")
    print(f"  p50 / p99       {quantiles[49] * 1e6:,.0f} / {quantiles[98] * 1e6:,.0f} µs")
    print(f"  with a secret   {found / len(latencies):.0%} of messages")

    false_positives: Counter[str] = Counter()
    for paragraph in paragraphs:
        for finding in redact_secrets(paragraph).findings:
            false_positives[finding.kind.value] += 1
    print(
        f"  help-center paragraphs checked: {len(paragraphs)}, findings (false positives): "
        f"{sum(false_positives.values())} {dict(false_positives) or ''}"
    )
    return {"checks_per_second": checks, "false_positives": sum(false_positives.values())}


if __name__ == "__main__":
    main()
