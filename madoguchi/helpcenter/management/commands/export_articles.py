"""`madoguchi export-articles PATH`: every article to a JSONL file (*.jsonl) or a folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from madoguchi.helpcenter.article_files import write_jsonl, write_markdown_folder
from madoguchi.helpcenter.selectors import export_records


class Command(BaseCommand):
    help = (
        "Export every article: PATH ending in .jsonl writes one JSONL file, any other PATH "
        "a folder of <locale>/<slug>.md files with YAML front matter. Importing the result "
        "changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--locale", choices=["ja", "en"], help="only this language")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        records = export_records(locale=options.get("locale"))
        if path.suffix.lower() == ".jsonl":
            path.parent.mkdir(parents=True, exist_ok=True)
            count = write_jsonl(records, path)
        else:
            path.mkdir(parents=True, exist_ok=True)
            count = write_markdown_folder(records, path)
        self.stdout.write(
            _("%(count)d articles written to %(path)s.") % {"count": count, "path": path}
        )
