"""The full-text index itself: an FTS5 table on SQLite, a GIN-indexed tsvector on PostgreSQL.

Each statement runs only on its own database; the other one skips it.
"""

from django.db import migrations

SQLITE_CREATE = """
CREATE VIRTUAL TABLE search_fts USING fts5(
    title_terms, tags_terms, body_terms, extra_terms,
    content='search_document', content_rowid='id', tokenize='ascii'
)
"""
SQLITE_DROP = "DROP TABLE IF EXISTS search_fts"

POSTGRES_CREATE = [
    """
    CREATE TABLE search_pg_index (
        document_id bigint PRIMARY KEY REFERENCES search_document(id) ON DELETE CASCADE,
        terms tsvector NOT NULL
    )
    """,
    "CREATE INDEX search_pg_index_terms ON search_pg_index USING gin (terms)",
]
POSTGRES_DROP = ["DROP TABLE IF EXISTS search_pg_index"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": [SQLITE_CREATE], "postgresql": POSTGRES_CREATE}),
            _run({"sqlite": [SQLITE_DROP], "postgresql": POSTGRES_DROP}),
            elidable=False,
        ),
    ]
