"""`madoguchi check-translations`: every string a user can see has a Japanese translation.

The check, in order:
1. `makemessages -l ja -l en` over the package, so that new msgids reach each catalogue
   (an app's own `<app>/locale`, else the project's `madoguchi/locale`);
2. every Japanese entry must have a msgstr that is neither empty nor fuzzy;
3. templates must not show text outside translation tags (text nodes, and the
   placeholder/title/alt/aria-label attributes), read with Django's own template lexer;
4. Python must not pass bare literals where users read them: messages.*, ValidationError,
   HttpResponse bodies, form labels and help texts, verbose names, choice labels;
5. the catalogues are compiled (.mo) for the running site.

A deliberate exception (a brand name, a language's own name) is marked on its line:
`{# notranslate #}` in a template, `# notranslate` in Python (a reason may follow:
`{# notranslate: brand name #}`).
Exit status 1 lists each problem as `file:line: what`.
"""

from __future__ import annotations

import argparse
import ast
import io
import os
import re
import shutil
import subprocess
import sys
import tokenize
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
MARKER = "notranslate"
LANGUAGES = ("ja", "en")
REQUIRED_LANGUAGE = "ja"
TEMPLATE_SUFFIXES = (".html", ".txt")
# Directories never scanned: generated code, third-party copies, collected files.
SKIPPED_DIRS = frozenset({"migrations", "static", "node_modules", "__pycache__", "locale"})


@dataclass(frozen=True, order=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{_display(self.path)}:{self.line}: {self.message}"


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def _excerpt(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _walk(root: Path, suffixes: Sequence[str]) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(tuple(suffixes)):
                yield Path(dirpath) / name


# --- Templates -----------------------------------------------------------------------------

# A stand-in for template tags and variables: keeps the line structure, holds no letters.
_TAG = "\ue000"
# Blocks whose text is never shown as written: comments, and text gettext already covers.
# Blocks named `*class` or `*_id` (body_class, main_class) fill attributes, so are skipped too.
_SKIPPED_BLOCKS = {
    "comment": "endcomment",
    "blocktranslate": "endblocktranslate",
    "blocktrans": "endblocktrans",
}
_TEXT_ATTRIBUTES = frozenset({"placeholder", "title", "alt", "aria-label", "aria-description"})
_BUTTON_INPUT_TYPES = frozenset({"submit", "button", "reset"})


def _is_attribute_block(contents: str) -> bool:
    """`{% block body_class %}` and the like fill an HTML attribute, not the page."""
    parts = contents.split()
    return len(parts) > 1 and parts[1].endswith(("class", "_id"))


def _template_as_plain_text(source: str) -> tuple[str, set[int]]:
    """The template with every tag replaced by a letterless stand-in, and the exempt lines."""
    from django.template.base import Lexer, TokenType

    pieces: list[str] = []
    exempt: set[int] = set()
    until: str | None = None
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.TEXT:
            contents = token.contents
            pieces.append("\n" * contents.count("\n") if until else contents)
            continue
        if token.token_type == TokenType.COMMENT and token.contents.strip().startswith(MARKER):
            exempt.add(token.lineno or 1)
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split(maxsplit=1)[0] if token.contents.strip() else ""
            if until and name == until:
                until = None
            elif not until and name in _SKIPPED_BLOCKS:
                until = _SKIPPED_BLOCKS[name]
            elif not until and name == "block" and _is_attribute_block(token.contents):
                until = "endblock"
        pieces.append(_TAG)
    return "".join(pieces), exempt


class _VisibleText(HTMLParser):
    """Collects (line, text) of visible text and of user-facing attribute values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._raw_element: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._raw_element = tag
        line, _offset = self.getpos()
        raw = self.get_starttag_text() or ""
        values = dict(attrs)
        for name, value in attrs:
            if not value:
                continue
            shown = name in _TEXT_ATTRIBUTES or (
                tag == "input"
                and name == "value"
                and (values.get("type") or "").lower() in _BUTTON_INPUT_TYPES
            )
            if shown and _has_letters(value.replace(_TAG, "")):
                at = raw.find(name)
                self.found.append((line + raw[: max(at, 0)].count("\n"), f'{name}="{value}"'))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self._raw_element = None

    def handle_endtag(self, tag: str) -> None:
        if tag == self._raw_element:
            self._raw_element = None

    def handle_data(self, data: str) -> None:
        if self._raw_element:
            return
        line, _offset = self.getpos()
        for index, part in enumerate(data.split("\n")):
            if _has_letters(part.replace(_TAG, "")):
                self.found.append((line + index, part.replace(_TAG, "…").strip()))


def template_problems(path: Path, source: str | None = None) -> list[Problem]:
    """Visible text in a template that no translation tag covers."""
    if source is None:
        source = path.read_text(encoding="utf-8")
    text, exempt = _template_as_plain_text(source)
    found: list[tuple[int, str]]
    if path.suffix == ".html":
        parser = _VisibleText()
        parser.feed(text)
        parser.close()
        found = parser.found
    else:
        found = [
            (number, line.replace(_TAG, "…").strip())
            for number, line in enumerate(text.split("\n"), start=1)
            if _has_letters(line.replace(_TAG, ""))
        ]
    return [
        Problem(path, line, f"text not translated: {_excerpt(snippet)!r}")
        for line, snippet in found
        if line not in exempt
    ]


# --- Python --------------------------------------------------------------------------------

_PLACEHOLDERS = re.compile(r"%\(\w+\)[sdifr]|%[sdifr]|\{\w*(?:![rsa])?(?::[^}]*)?\}")
_TEXT_KEYWORDS = frozenset(
    {"label", "help_text", "verbose_name", "verbose_name_plural", "empty_label"}
)
_MESSAGE_LEVELS = frozenset({"debug", "info", "success", "warning", "error"})
_RELATION_FIELDS = frozenset({"ForeignKey", "OneToOneField", "ManyToManyField"})
_NOT_BODIES = frozenset({"HttpResponseRedirect", "HttpResponsePermanentRedirect"})


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else node.attr
    return ""


def _literal_text(node: ast.AST | None) -> str | None:
    """The text of a string literal as written (f-strings, `%` and `.format` included)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value
            for part in node.values
            if isinstance(part, ast.Constant) and isinstance(part.value, str)
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        return _literal_text(node.left)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    ):
        return _literal_text(node.func.value)
    return None


def _exempt_lines(source: str) -> set[int]:
    lines: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT and MARKER in token.string:
                lines.add(token.start[0])
    except (tokenize.TokenError, SyntaxError):
        pass
    return lines


class _UserFacingLiterals(ast.NodeVisitor):
    def __init__(self) -> None:
        # (line of the literal, first and last line of its statement or call, text, where)
        self.found: list[tuple[int, int, int, str, str]] = []

    def _check(self, node: ast.AST | None, where: str, span: ast.AST) -> None:
        text = _literal_text(node)
        if text is None or node is None or not _has_letters(_PLACEHOLDERS.sub("", text)):
            return
        start = getattr(span, "lineno", 1)
        end = getattr(span, "end_lineno", None) or start
        self.found.append((getattr(node, "lineno", start), start, end, text, where))

    def visit_Call(self, node: ast.Call) -> None:
        name = _dotted(node.func)
        last = name.rsplit(".", 1)[-1]
        keywords = {kw.arg: kw.value for kw in node.keywords if kw.arg}
        if name.startswith("messages.") and last in _MESSAGE_LEVELS:
            self._check(node.args[1] if len(node.args) > 1 else keywords.get("message"), name, node)
        elif name.endswith("add_message") and name.startswith("messages"):
            self._check(node.args[2] if len(node.args) > 2 else keywords.get("message"), name, node)
        elif last == "ValidationError":
            self._check(node.args[0] if node.args else keywords.get("message"), last, node)
        elif last.startswith("HttpResponse") and last not in _NOT_BODIES:
            self._check(node.args[0] if node.args else keywords.get("content"), last, node)
        elif (
            name.startswith("models.")
            and last.endswith("Field")
            and last not in _RELATION_FIELDS
            and node.args
        ):
            # A model field's first positional argument is its verbose name.
            self._check(node.args[0], f"{last} verbose name", node)
        for keyword, value in keywords.items():
            if keyword in _TEXT_KEYWORDS:
                self._check(value, f"{keyword}=", node)
            elif keyword == "choices" and isinstance(value, ast.List | ast.Tuple):
                for choice in value.elts:
                    if isinstance(choice, ast.Tuple) and len(choice.elts) == 2:
                        self._check(choice.elts[1], "choice label", node)
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        bases = {_dotted(base).rsplit(".", 1)[-1] for base in node.bases}
        is_choices = any(base.endswith("Choices") for base in bases)
        for statement in node.body:
            if not isinstance(statement, ast.Assign):
                continue
            targets = {t.id for t in statement.targets if isinstance(t, ast.Name)}
            if node.name == "Meta" and targets & {"verbose_name", "verbose_name_plural"}:
                self._check(statement.value, "Meta verbose name", statement)
            if is_choices and isinstance(statement.value, ast.Tuple) and statement.value.elts:
                self._check(statement.value.elts[-1], "choice label", statement)
        self.generic_visit(node)


def python_problems(path: Path, source: str | None = None) -> list[Problem]:
    """Literals shown to users that do not pass through gettext."""
    if source is None:
        source = path.read_text(encoding="utf-8")
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as error:
        return [Problem(path, error.lineno or 1, f"cannot parse: {error.msg}")]
    visitor = _UserFacingLiterals()
    visitor.visit(tree)
    exempt = _exempt_lines(source)
    problems = []
    for line, start, end, text, where in visitor.found:
        if exempt.intersection(range(start, end + 1)):
            continue
        problems.append(Problem(path, line, f"{where} not translated: {_excerpt(text)!r}"))
    return problems


# --- Catalogues ------------------------------------------------------------------------------


def catalogue_problems(root: Path, language: str = REQUIRED_LANGUAGE) -> list[Problem]:
    """Entries of `language` catalogues under `root` with an empty or fuzzy msgstr."""
    import polib

    problems = []
    for dirpath, dirnames, _files in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "static")
        if Path(dirpath).name != "locale":
            continue
        for domain in ("django.po", "djangojs.po"):
            po_path = Path(dirpath) / language / "LC_MESSAGES" / domain
            if not po_path.exists():
                continue
            for entry in polib.pofile(str(po_path)):
                if entry.obsolete:
                    continue
                origin = ", ".join(sorted({file for file, _line in entry.occurrences}))
                origin = f" (from {origin})" if origin else ""
                if entry.fuzzy:
                    problem = f"fuzzy {language} translation of {_excerpt(entry.msgid)!r}"
                elif not entry.translated():
                    problem = f"no {language} translation for {_excerpt(entry.msgid)!r}"
                else:
                    continue
                problems.append(Problem(po_path, entry.linenum, problem + origin))
    return problems


_POT_DATE = re.compile(r'^"POT-Creation-Date: .*\\n"\n', re.MULTILINE)


def _catalogues(root: Path) -> dict[Path, str]:
    return {
        path: path.read_text(encoding="utf-8")
        for path in root.glob("**/locale/*/LC_MESSAGES/*.po")
        if not any(part.startswith(".") for part in path.relative_to(root).parts)
    }


def _django(args: Sequence[str], root: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    # Without project settings the commands see only the tree under `root`:
    # the project catalogue is its `locale` folder, each app's is its own.
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # -P: the working directory must not shadow the standard library (an app's
    # `selectors.py` would replace the module subprocess imports).
    return subprocess.run(  # noqa: S603 - fixed command, no shell
        [sys.executable, "-P", "-m", "django", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def update_catalogues(root: Path, languages: Iterable[str] = LANGUAGES) -> list[str]:
    """Run makemessages; returns error lines (empty on success)."""
    before = _catalogues(root)
    result = _django(
        [
            "makemessages",
            *(f"--locale={code}" for code in languages),
            "--no-obsolete",
            "--add-location=file",
            "--ignore=static",
            "--ignore=node_modules",
            "--ignore=.*",
        ],
        root,
    )
    # msgmerge stamps a new POT-Creation-Date on every run; a catalogue whose entries did
    # not change keeps its old text, so the check leaves no diff behind.
    for path, old in before.items():
        if path.exists():
            new = path.read_text(encoding="utf-8")
            if new != old and _POT_DATE.sub("", new) == _POT_DATE.sub("", old):
                path.write_text(old, encoding="utf-8")
    if result.returncode != 0:
        return ["makemessages failed:", *result.stderr.strip().splitlines()]
    return []


def compile_catalogues(root: Path) -> list[str]:
    result = _django(["compilemessages", "--ignore=.*", "--ignore=node_modules"], root)
    if result.returncode != 0:
        return ["compilemessages failed:", *result.stderr.strip().splitlines()]
    return []


def source_problems(root: Path) -> list[Problem]:
    problems: list[Problem] = []
    for path in _walk(root, TEMPLATE_SUFFIXES):
        if "templates" in path.relative_to(root).parts:
            problems += template_problems(path)
    for path in _walk(root, (".py",)):
        problems += python_problems(path)
    return problems


def check(
    root: Path = PACKAGE_DIR, *, update: bool = True, compile_mo: bool = True
) -> tuple[list[Problem], list[str]]:
    """Run the whole check over `root`; returns (problems, tool errors)."""
    errors: list[str] = []
    missing = [tool for tool in ("xgettext", "msgmerge", "msgfmt") if not shutil.which(tool)]
    if missing and (update or compile_mo):
        errors.append(
            f"GNU gettext is missing ({', '.join(missing)}): install it "
            "(Debian: apt-get install gettext)"
        )
        return [], errors
    if update:
        errors += update_catalogues(root)
    problems = catalogue_problems(root) + source_problems(root)
    if compile_mo:
        errors += compile_catalogues(root)
    return sorted(set(problems)), errors


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="madoguchi check-translations",
        description="Fail if any user-visible string lacks a Japanese translation.",
    )
    parser.add_argument("--root", type=Path, default=PACKAGE_DIR, help="tree to check")
    parser.add_argument("--no-update", action="store_true", help="do not run makemessages first")
    parser.add_argument("--no-compile", action="store_true", help="do not compile .mo files")
    options = parser.parse_args(argv)
    problems, errors = check(
        options.root.resolve(), update=not options.no_update, compile_mo=not options.no_compile
    )
    for line in errors:
        print(line, file=sys.stderr)
    for problem in problems:
        print(problem)
    if problems:
        print(
            f"{len(problems)} untranslated string(s). Translate them, or mark a deliberate "
            f"exception with {{# {MARKER} #}} / # {MARKER} on the same line.",
            file=sys.stderr,
        )
    return 1 if problems or errors else 0


if __name__ == "__main__":
    sys.exit(main())
