"""Articles as files: a folder of Markdown files with YAML front matter, or one JSONL file.

Reading yields an `ArticleRecord` for each good article and an `ImportProblem` (file, line,
reason) for each bad one, so one broken line never stops the rest. Writing produces the
same formats, so that exporting and importing again changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import frontmatter
import yaml
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.utils.translation import gettext as _

from madoguchi.helpcenter.models import LOCALES, Status

TITLE_MAX_LENGTH = 200
SLUG_MAX_LENGTH = 200
REQUIRED_FIELDS = ("slug", "locale", "title", "category", "body")


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """One article as a file holds it; `source` and `line` say where it came from."""

    slug: str
    locale: str
    title: str
    category: str
    body: str
    tags: tuple[str, ...] = ()
    translation_of: str = ""
    section: str = ""
    status: str = Status.PUBLISHED
    source: str = ""
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSONL / front matter fields, optional ones only when set."""
        data: dict[str, Any] = {
            "slug": self.slug,
            "locale": self.locale,
            "title": self.title,
            "category": self.category,
        }
        if self.section:
            data["section"] = self.section
        data["tags"] = list(self.tags)
        if self.translation_of:
            data["translation_of"] = self.translation_of
        if self.status != Status.PUBLISHED:
            data["status"] = self.status
        return data


@dataclass(frozen=True, slots=True)
class ImportProblem:
    source: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.reason}"


def normalize_body(body: str) -> str:
    """The stored form of a body: Unix line ends, no blank lines around it."""
    return body.replace("\r\n", "\n").replace("\r", "\n").strip()


def _is_slug(value: str) -> bool:
    if not value or len(value) > SLUG_MAX_LENGTH:
        return False
    try:
        validate_slug(value)
    except ValidationError:
        return False
    return True


def _as_text(value: Any) -> str | None:
    """Text, or a number or date YAML read from unquoted text; None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | date | datetime):
        return str(value)
    return None


def record_from_mapping(
    data: Any, *, source: str, line: int | None
) -> ArticleRecord | ImportProblem:
    """Check one article's fields; the first thing wrong is the reason given."""

    def problem(reason: str) -> ImportProblem:
        return ImportProblem(source=source, line=line, reason=reason)

    if not isinstance(data, Mapping):
        return problem(_("not an object with article fields"))
    fields: dict[str, str] = {}
    for name in REQUIRED_FIELDS:
        if name not in data or data[name] is None:
            return problem(_("missing field “%(field)s”") % {"field": name})
        text = _as_text(data[name])
        if text is None:
            return problem(_("field “%(field)s” must be text") % {"field": name})
        fields[name] = text
    body = normalize_body(fields["body"])
    title = fields["title"].strip()
    slug = fields["slug"].strip()
    locale = fields["locale"].strip()
    category = fields["category"].strip()
    if locale not in LOCALES:
        return problem(_("unknown locale “%(locale)s” (use ja or en)") % {"locale": locale})
    if not _is_slug(slug):
        return problem(_("bad slug “%(slug)s”") % {"slug": slug})
    if not _is_slug(category) or len(category) > 64:
        return problem(_("bad category “%(category)s”") % {"category": category})
    if not title:
        return problem(_("empty title"))
    if len(title) > TITLE_MAX_LENGTH:
        return problem(_("title longer than %(max)s characters") % {"max": TITLE_MAX_LENGTH})
    if not body:
        return problem(_("empty body"))
    raw_tags = data.get("tags") or []
    if not isinstance(raw_tags, list) or any(_as_text(tag) is None for tag in raw_tags):
        return problem(_("tags must be a list of words"))
    translation_of = _as_text(data.get("translation_of") or "")
    if translation_of is None or (translation_of and not _is_slug(translation_of.strip())):
        return problem(_("bad translation_of “%(slug)s”") % {"slug": data.get("translation_of")})
    section = _as_text(data.get("section") or "")
    if section is None or (section and (not _is_slug(section.strip()) or len(section) > 64)):
        return problem(_("bad section “%(section)s”") % {"section": data.get("section")})
    status = _as_text(data.get("status") or Status.PUBLISHED)
    if status not in Status.values:
        return problem(_("unknown status “%(status)s”") % {"status": data.get("status")})
    return ArticleRecord(
        slug=slug,
        locale=locale,
        title=title,
        category=category,
        body=body,
        tags=tuple(str(_as_text(tag)).strip() for tag in raw_tags),
        translation_of=translation_of.strip(),
        section=section.strip(),
        status=status,
        source=source,
        line=line,
    )


def read_jsonl(path: Path) -> Iterator[ArticleRecord | ImportProblem]:
    """One article per line; blank lines are allowed and skipped."""
    with path.open("rb") as stream:
        for number, raw in enumerate(stream, start=1):
            if not raw.strip():
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                yield ImportProblem(
                    path.name, number, _("invalid UTF-8 at byte %(at)s") % {"at": error.start}
                )
                continue
            try:
                data = json.loads(text)
            except json.JSONDecodeError as error:
                yield ImportProblem(
                    path.name, number, _("bad JSON: %(error)s") % {"error": error.msg}
                )
                continue
            yield record_from_mapping(data, source=path.name, line=number)


def read_markdown_file(path: Path, *, name: str) -> ArticleRecord | ImportProblem:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        return ImportProblem(name, None, _("invalid UTF-8 at byte %(at)s") % {"at": error.start})
    except OSError as error:
        return ImportProblem(
            name, None, _("cannot read the file: %(error)s") % {"error": error.strerror}
        )
    try:
        metadata, content = frontmatter.parse(text)
    except (yaml.YAMLError, ValueError, TypeError, AttributeError) as error:
        line = getattr(getattr(error, "problem_mark", None), "line", None)
        return ImportProblem(
            name,
            line + 2 if line is not None else None,  # +1 for 1-based, +1 for the opening ---
            _("bad YAML front matter"),
        )
    if not metadata:
        return ImportProblem(name, 1, _("no YAML front matter (--- ... ---) at the top"))
    return record_from_mapping({**metadata, "body": content}, source=name, line=None)


def read_markdown_folder(folder: Path) -> Iterator[ArticleRecord | ImportProblem]:
    for path in sorted(folder.rglob("*.md")):
        yield read_markdown_file(path, name=str(path.relative_to(folder)))


def count_articles(path: Path) -> int:
    """How many articles `read_articles` will yield at most, for a progress bar."""
    if path.is_dir():
        return sum(1 for _path in path.rglob("*.md"))
    with path.open("rb") as stream:
        return sum(1 for raw in stream if raw.strip())


def read_articles(path: Path) -> Iterator[ArticleRecord | ImportProblem]:
    """A folder of Markdown files, one Markdown file, or a JSONL file."""
    if path.is_dir():
        yield from read_markdown_folder(path)
    elif path.suffix.lower() == ".md":
        yield read_markdown_file(path, name=path.name)
    elif path.is_file():
        yield from read_jsonl(path)
    else:
        yield ImportProblem(str(path), None, _("no such file or folder"))


def write_jsonl(records: Iterable[ArticleRecord], path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as stream:
        for record in records:
            data = record.as_dict()
            data["body"] = record.body
            # Field order of the shared data set: slug, locale, title, category, body, ...
            ordered = {key: data[key] for key in ("slug", "locale", "title", "category", "body")}
            ordered.update({key: value for key, value in data.items() if key not in ordered})
            stream.write(json.dumps(ordered, ensure_ascii=False) + "\n")
            count += 1
    return count


def markdown_text(record: ArticleRecord) -> str:
    header = yaml.safe_dump(
        record.as_dict(), allow_unicode=True, sort_keys=False, default_flow_style=None, width=1000
    )
    return f"---\n{header}---\n{record.body}\n"


def write_markdown_folder(records: Iterable[ArticleRecord], folder: Path) -> int:
    """`<folder>/<locale>/<slug>.md`, the layout of the demo content."""
    count = 0
    for record in records:
        target = folder / record.locale / f"{record.slug}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(markdown_text(record), encoding="utf-8", newline="\n")
        count += 1
    return count
