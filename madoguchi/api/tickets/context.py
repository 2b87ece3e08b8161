"""Account context from the exchange's systems: a small JSON object that every database can keep.

Limits: 16 KB as compact UTF-8 JSON (together with what the ticket already holds), four
levels of nesting, keys of 1 to 100 characters. Text may not hold control characters other
than tab and line breaks, nor lone surrogates: PostgreSQL's jsonb refuses `\\u0000`, and
neither can be shown to an agent. Numbers are finite; whole numbers fit in 64 bits.
The context is the exchange's own data, not the customer's words, so the secret guard does
not rewrite it (a TxID would look like a private key to it).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from madoguchi.api.tickets.errors import FieldCode, FieldProblem, problem

MAX_BYTES = 16 * 1024
MAX_DEPTH = 4
MAX_KEY_CHARS = 100
_INT_LIMIT = 2**63
_BAD_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def encoded_size(context: Mapping[str, Any]) -> int:
    return len(json.dumps(context, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def _walk(value: Any, path: str, depth: int, problems: list[FieldProblem]) -> None:
    if isinstance(value, dict):
        if depth > MAX_DEPTH:
            problems.append(problem(path, FieldCode.CONTEXT_TOO_DEEP, limit=MAX_DEPTH))
            return
        for key, item in value.items():
            if (
                not isinstance(key, str)
                or not 1 <= len(key) <= MAX_KEY_CHARS
                or _BAD_TEXT.search(key)
            ):
                problems.append(problem(path, FieldCode.CONTEXT_BAD_KEY, limit=MAX_KEY_CHARS))
                continue
            _walk(item, f"{path}.{key}", depth + 1, problems)
    elif isinstance(value, list):
        if depth > MAX_DEPTH:
            problems.append(problem(path, FieldCode.CONTEXT_TOO_DEEP, limit=MAX_DEPTH))
            return
        for index, item in enumerate(value):
            _walk(item, f"{path}.{index}", depth + 1, problems)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if not -_INT_LIMIT <= value < _INT_LIMIT:
            problems.append(problem(path, FieldCode.CONTEXT_BAD_VALUE))
    elif isinstance(value, float):
        if not math.isfinite(value):
            problems.append(problem(path, FieldCode.CONTEXT_BAD_VALUE))
    elif isinstance(value, str):
        if _BAD_TEXT.search(value):
            problems.append(problem(path, FieldCode.CONTEXT_BAD_VALUE))
    else:
        problems.append(problem(path, FieldCode.CONTEXT_BAD_VALUE))


def check_context(
    context: Mapping[str, Any], *, field: str, existing: Mapping[str, Any] | None = None
) -> list[FieldProblem]:
    """Every fault of `context` (named under `field`), empty when it may be attached."""
    problems: list[FieldProblem] = []
    _walk(dict(context), field, 1, problems)
    if problems:
        return problems[:20]
    if encoded_size({**(existing or {}), **context}) > MAX_BYTES:
        return [problem(field, FieldCode.CONTEXT_TOO_LARGE, limit=MAX_BYTES // 1024)]
    return []
