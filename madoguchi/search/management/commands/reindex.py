"""`madoguchi reindex`: rebuild the whole search index from every registered source."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from tqdm import tqdm

from madoguchi.search.services import rebuild_index, total_to_rebuild


class Command(BaseCommand):
    help = "Rebuild the search index from every registered document source."

    def handle(self, *args: Any, **options: Any) -> None:
        total = total_to_rebuild()
        with tqdm(
            total=total,
            unit="doc",
            desc=_("Indexing"),
            disable=options["verbosity"] == 0,
            file=sys.stderr,
        ) as bar:
            indexed = rebuild_index(progress=bar.update)
        self.stdout.write(
            self.style.SUCCESS(_("Indexed %(count)d documents.") % {"count": indexed})
        )
