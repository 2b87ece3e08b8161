"""A second, small FTS5 index over titles and tags only (SQLite): common words are first
looked up there, where their lists are short. PostgreSQL uses the A/B weights instead."""

from django.db import migrations

CREATE = """
CREATE VIRTUAL TABLE search_fts_head USING fts5(
    title_terms, tags_terms,
    content='search_document', content_rowid='id', tokenize='ascii'
)
"""
FILL = (
    "INSERT INTO search_fts_head(rowid, title_terms, tags_terms)"
    " SELECT id, title_terms, tags_terms FROM search_document"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(CREATE)
        schema_editor.execute(FILL)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS search_fts_head")


class Migration(migrations.Migration):
    dependencies = [("search", "0004_facet_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
