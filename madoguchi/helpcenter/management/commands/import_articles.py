"""`madoguchi import-articles PATH`: a folder of Markdown files or a JSONL file of articles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from tqdm import tqdm

from madoguchi.helpcenter.article_files import count_articles, read_articles
from madoguchi.helpcenter.services import import_articles


class Command(BaseCommand):
    help = (
        "Import articles from a folder of Markdown files with YAML front matter or a JSONL "
        "file. Existing articles (same slug and locale) are updated; bad files or lines are "
        "reported and skipped; the exit status is 1 if any failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.exists():
            raise CommandError(_("%(path)s: no such file or folder") % {"path": path})
        total = count_articles(path)
        with tqdm(
            total=total,
            unit=pgettext("progress bar unit", "articles"),
            disable=options["no_progress"] or None,
            file=self.stderr._out,
        ) as bar:
            report = import_articles(read_articles(path), progress=bar.update)
        for problem in report.problems:
            self.stderr.write(str(problem))
        self.stdout.write(
            _(
                "%(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
                "%(linked)d translations linked, %(failed)d failed."
            )
            % {
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "linked": report.linked,
                "failed": report.failed,
            }
        )
        if not report.ok:
            raise CommandError(
                _("%(failed)d article(s) could not be imported.") % {"failed": report.failed},
                returncode=1,
            )
