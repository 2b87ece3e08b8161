"""Tasks that the worker tests enqueue: each leaves a file behind, which the test then reads."""

from __future__ import annotations

import time
from pathlib import Path

from django_tasks import task


@task()
def write_note(*, path: str, text: str) -> str:
    Path(path).write_text(text, encoding="utf-8")
    return text


@task()
def write_note_slowly(*, path: str, text: str, seconds: float) -> str:
    time.sleep(seconds)
    Path(path).write_text(text, encoding="utf-8")
    return text
