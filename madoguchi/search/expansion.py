"""From what someone typed to what to look for: concepts, each with weighted alternatives.

A concept is one thing the searcher asked about ("出金", "two-factor", "withdrawl"); its
alternatives are the phrases that count as a match for it: the words themselves,
synonyms from the table, the shorter words of a Japanese compound, and repairs of typos
(nearest known word by edit distance, or a known word with the same reading when an IME
picked the wrong kanji or the query was typed in kana).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from madoguchi.search.analyzers import Token, analyze, normalize
from madoguchi.search.documents import PUBLIC
from madoguchi.search.errors import QueryError, SearchErrorCode
from madoguchi.search.synonyms import Phrase, SynonymTable, synonym_table
from madoguchi.search.vocabulary import Vocabulary, document_frequencies, vocabulary

MAX_INPUT_CHARS = 1000  # longer queries are cut, not refused
MAX_CONCEPTS = 32
MAX_ALTERNATIVES = 12
SYNONYM_WEIGHT = 0.9
PART_WEIGHT = 0.4
REPAIR_WEIGHT = 0.8
_HIRAGANA_RUN = re.compile("[\u3041-\u3096\u30fc]{3,}")
_HIRAGANA_TO_KATAKANA = str.maketrans({chr(c): chr(c + 0x60) for c in range(0x3041, 0x3097)})


@dataclass(slots=True)
class Alternative:
    phrase: Phrase
    weight: float


@dataclass(slots=True)
class Concept:
    alternatives: list[Alternative]
    start: int
    end: int
    lang: str
    tokens: list[Token] = field(default_factory=list)
    documents: int = 0  # the most documents any alternative occurs in

    def add(self, phrase: Phrase, weight: float) -> None:
        if len(self.alternatives) >= MAX_ALTERNATIVES:
            return
        if all(a.phrase != phrase for a in self.alternatives):
            self.alternatives.append(Alternative(phrase, weight))


@dataclass(slots=True)
class ParsedQuery:
    text: str
    concepts: list[Concept]
    suggestion: str | None = None
    corrections: list[tuple[int, int, str]] = field(default_factory=list)
    frequencies: dict[str, int] = field(default_factory=dict)  # documents per term

    def phrases(self) -> list[Phrase]:
        seen: dict[Phrase, None] = {}
        for concept in self.concepts:
            for alternative in concept.alternatives:
                seen.setdefault(alternative.phrase, None)
        return list(seen)

    def terms(self) -> set[str]:
        return {term for phrase in self.phrases() for term in phrase}


def _concepts(tokens: list[Token], table: SynonymTable) -> list[Concept]:
    terms = [t.term for t in tokens]
    concepts: list[Concept] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        match = table.longest_match(terms, i)
        if match is not None:
            length, equivalents = match
            span = tokens[i : i + length]
            concept = Concept(
                [Alternative(tuple(terms[i : i + length]), 1.0)],
                token.start,
                span[-1].end,
                token.lang,
                span,
            )
            for phrase in equivalents:
                concept.add(phrase, SYNONYM_WEIGHT)
            if length > 1:
                # The words of a phrase, apart, still count a little: a document saying
                # "reset your password" answers "password reset".
                for term in dict.fromkeys(terms[i : i + length]):
                    concept.add((term,), PART_WEIGHT)
            concepts.append(concept)
            i += length
            continue
        if token.joined:
            j = i + 1
            while j < len(tokens) and tokens[j].joined == token.joined:
                j += 1
            span = tokens[i:j]
            concept = Concept(
                [Alternative(tuple(terms[i:j]), 1.0)], token.start, span[-1].end, token.lang, span
            )
            concept.add((token.joined,), 1.0)
            joined_match = table.longest_match([token.joined], 0)
            if joined_match is not None:
                for phrase in joined_match[1]:
                    concept.add(phrase, SYNONYM_WEIGHT)
            concepts.append(concept)
            i = j
            continue
        concept = Concept(
            [Alternative((token.term,), 1.0)], token.start, token.end, token.lang, [token]
        )
        for part in token.parts:
            concept.add((part,), PART_WEIGHT)
        concepts.append(concept)
        i += 1
    return concepts


def _phrase_documents(phrase: Phrase, frequencies: dict[str, int]) -> int:
    return min(frequencies.get(term, 0) for term in phrase)


def _measure(concepts: list[Concept], scope: str) -> dict[str, int]:
    frequencies = document_frequencies(
        (term for c in concepts for a in c.alternatives for term in a.phrase), scope
    )
    for concept in concepts:
        concept.documents = max(
            (_phrase_documents(a.phrase, frequencies) for a in concept.alternatives), default=0
        )
    return frequencies


def _repair_latin(concept: Concept, vocab: Vocabulary) -> str | None:
    token = concept.tokens[0]
    word = token.word
    if len(concept.tokens) != 1 or not word.isalpha() or len(word) < 4:
        return None
    max_distance = 2 if len(word) >= 7 else 1
    best = vocab.closest_words(word, max_distance=max_distance)
    for candidate in best[:2]:
        concept.add((vocab.word_term[candidate],), REPAIR_WEIGHT)
    return best[0] if best else None


def _repair_reading(concept: Concept, vocab: Vocabulary) -> str | None:
    token = concept.tokens[0]
    if len(concept.tokens) != 1 or not token.reading:
        return None
    found = [t for t in vocab.terms_read_as(token.reading) if t != token.term][:2]
    for term in found:
        concept.add((term,), REPAIR_WEIGHT)
    return found[0] if found else None


def _join_by_reading(concepts: list[Concept], vocab: Vocabulary, fixes: list) -> list[Concept]:
    """Two single-kanji words that read like one known word (二段会 -> 段階) become one."""
    joined: list[Concept] = []
    i = 0
    while i < len(concepts):
        first = concepts[i]
        if i + 1 < len(concepts):
            second = concepts[i + 1]
            a, b = first.tokens[-1], second.tokens[0]
            if (
                len(first.tokens) == len(second.tokens) == 1
                and a.reading
                and b.reading
                and a.end == b.start
                and (len(a.word) == 1 or len(b.word) == 1)
                and (
                    (len(a.word) == 1 and len(b.word) == 1)
                    or not (first.documents and second.documents)
                )
            ):
                found = [t for t in vocab.terms_read_as(a.reading + b.reading)][:2]
                if found and found[0] != a.term + b.term:
                    merged = Concept(
                        [Alternative((a.term, b.term), 1.0)], a.start, b.end, "ja", [a, b]
                    )
                    for term in found:
                        merged.add((term,), REPAIR_WEIGHT)
                    fixes.append((a.start, b.end, found[0]))
                    joined.append(merged)
                    i += 2
                    continue
        joined.append(first)
        i += 1
    return joined


def _kana_runs(text: str, concepts: list[Concept], vocab: Vocabulary, fixes: list) -> list[Concept]:
    """Words typed in hiragana (ろぐいん, ぱすわーど) found by their reading."""
    added: list[Concept] = []
    for run in _HIRAGANA_RUN.finditer(text):
        kana = run.group().translate(_HIRAGANA_TO_KATAKANA)
        covered = 0
        pieces: list[str] = []
        found_here: list[Concept] = []
        i = 0
        while i < len(kana):
            for length in range(min(len(kana) - i, vocab.longest_reading), 2, -1):
                terms = vocab.terms_read_as(kana[i : i + length])
                if terms:
                    start = run.start() + i
                    concept = Concept(
                        [Alternative((terms[0],), REPAIR_WEIGHT)], start, start + length, "ja"
                    )
                    for term in terms[1:2]:
                        concept.add((term,), REPAIR_WEIGHT)
                    found_here.append(concept)
                    pieces.append(terms[0])
                    covered += length
                    i += length
                    break
            else:
                pieces.append(run.group()[i])
                i += 1
        if found_here and covered >= 0.4 * len(kana):
            concepts = [c for c in concepts if not (run.start() <= c.start and c.end <= run.end())]
            added.extend(found_here)
            fixes.append((run.start(), run.end(), "".join(pieces)))
    return sorted(concepts + added, key=lambda c: c.start)


def parse(query: str, *, generation: int, scope: str = PUBLIC) -> ParsedQuery:
    """Read a query; raises QueryError when nothing searchable is left.

    Term counts come from the scope searched (a public search never sees how often a word
    occurs in tickets); repairs come from the public word list of `generation`.
    """
    text = normalize(query[:MAX_INPUT_CHARS]).strip()
    if not any(ch.isalnum() for ch in text):
        raise QueryError(SearchErrorCode.EMPTY)
    tokens = analyze(text)
    concepts = _concepts(tokens, synonym_table())[:MAX_CONCEPTS]
    frequencies = _measure(concepts, scope)
    fixes: list[tuple[int, int, str]] = []
    unknown = [c for c in concepts if c.documents == 0]
    has_kana = _HIRAGANA_RUN.search(text) is not None
    single_kanji = any(len(t.word) == 1 and t.reading for t in tokens)
    if unknown or has_kana or single_kanji:
        vocab = vocabulary(generation)
        for concept in unknown:
            repair = (
                _repair_latin(concept, vocab)
                if concept.lang == "en"
                else _repair_reading(concept, vocab)
            )
            if repair is not None:
                fixes.append((concept.start, concept.end, repair))
        concepts = _join_by_reading(concepts, vocab, fixes)
        if has_kana:
            concepts = _kana_runs(text, concepts, vocab, fixes)
        frequencies = _measure(concepts, scope)
    suggestion = None
    if fixes:
        corrected = text
        for start, end, word in sorted(fixes, reverse=True):
            corrected = corrected[:start] + word + corrected[end:]
        suggestion = corrected if corrected != text else None
    return ParsedQuery(
        text=text,
        concepts=concepts,
        suggestion=suggestion,
        corrections=fixes,
        frequencies=frequencies,
    )


__all__ = ["Alternative", "Concept", "ParsedQuery", "parse"]
