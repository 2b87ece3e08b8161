"""The `madoguchi` command: every Django management command, spelled with hyphens or underscores.

madoguchi migrate
madoguchi serve --port 8000        # pages, API and WebSockets on one port, worker included
madoguchi worker                   # background tasks, for running workers on their own
madoguchi import-articles PATH     # the same command as import_articles
madoguchi help reindex
madoguchi check-translations       # fails on any string left untranslated
"""

from __future__ import annotations

import os
import sys


def command_name(word: str) -> str:
    """`import-articles` and `import_articles` name the same command; options are left alone."""
    return word if word.startswith("-") else word.replace("-", "_")


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")
    argv[0] = "madoguchi"
    if len(argv) > 1:
        argv[1] = command_name(argv[1])
    if len(argv) > 2 and argv[1] == "help":
        argv[2] = command_name(argv[2])
    if len(argv) > 1 and argv[1] == "check_translations":
        from madoguchi.translations import main as check_translations

        sys.exit(check_translations(argv[2:]))
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
