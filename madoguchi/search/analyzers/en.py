"""English (and any Latin-script) words: hyphen compounds, Snowball stemming, a short stop list."""

from __future__ import annotations

import threading

import Stemmer

# Words too common in support questions to tell articles apart. Kept short on purpose:
# BM25 already discounts frequent words, this only removes pure function words.
STOP_WORDS = frozenset(
    """
    a about above after again all am an and any are as at be because been before being below
    between both but by can could d did do does doing don down during each few for from
    further had has have having he her here hers him his how i if in into is it its just ll
    m me more most my myself no nor now o of off on once only or other our ours out over own
    re s same she should so some such t than that the their theirs them then there these
    they this those through to too under until up very was we were what when where which
    while who whom why will with would y you your yours yourself ve isn aren wasn weren hasn
    haven hadn doesn didn won wouldn shouldn couldn can't im i'm pls please
    """.split()  # noqa: SIM905 - a word list reads better as text
)

_local = threading.local()


def _stemmer() -> Stemmer.Stemmer:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = Stemmer.Stemmer("english")
        _local.stemmer = stemmer
    return stemmer


# Number words meet digits, as 二 meets 2 on the Japanese side ("two-factor", "2-factor").
# "one" stays a word: it is far more often a pronoun than a number.
NUMBERS = {
    "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10",
}  # fmt: skip

_cache: dict[str, str] = {}


def stem(word: str) -> str:
    number = NUMBERS.get(word)
    if number is not None:
        return number
    found = _cache.get(word)
    if found is None:
        found = str(_stemmer().stemWord(word))
        if len(_cache) < 200_000:
            _cache[word] = found
    return found
