"""The full-text index follows search_document by itself, whoever deletes rows.

SQLite: triggers keep both FTS5 tables in step with every insert, update and delete.
PostgreSQL: the vectors become columns of search_document, so that deleting or truncating
documents (a test database flush included) can never leave index entries behind.
"""

from django.db import migrations

FTS_INSERT = (
    "INSERT INTO search_fts(rowid, title_terms, tags_terms, body_terms, extra_terms)"
    " VALUES (new.id, new.title_terms, new.tags_terms, new.body_terms, new.extra_terms);"
    " INSERT INTO search_fts_head(rowid, title_terms, tags_terms)"
    " VALUES (new.id, new.title_terms, new.tags_terms);"
)
FTS_DELETE = (
    "INSERT INTO search_fts(search_fts, rowid, title_terms, tags_terms, body_terms,"
    " extra_terms) VALUES ('delete', old.id, old.title_terms, old.tags_terms,"
    " old.body_terms, old.extra_terms);"
    " INSERT INTO search_fts_head(search_fts_head, rowid, title_terms, tags_terms)"
    " VALUES ('delete', old.id, old.title_terms, old.tags_terms);"
)
SQLITE_FORWARD = [
    f"CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN {FTS_INSERT} END",
    f"CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN {FTS_DELETE} END",
    "CREATE TRIGGER search_document_au AFTER UPDATE ON search_document"
    f" BEGIN {FTS_DELETE} {FTS_INSERT} END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_document_ai",
    "DROP TRIGGER IF EXISTS search_document_ad",
    "DROP TRIGGER IF EXISTS search_document_au",
]
POSTGRES_FORWARD = [
    "ALTER TABLE search_document ADD COLUMN terms tsvector NOT NULL DEFAULT '',"
    " ADD COLUMN head tsvector NOT NULL DEFAULT ''",
    "UPDATE search_document d SET terms = i.terms, head = i.head"
    " FROM search_pg_index i WHERE i.document_id = d.id",
    "DROP TABLE search_pg_index",
    "CREATE INDEX search_document_terms ON search_document USING gin (terms)",
    "CREATE INDEX search_document_head ON search_document USING gin (head)",
]
POSTGRES_BACKWARD = [
    "CREATE TABLE search_pg_index (document_id bigint PRIMARY KEY REFERENCES"
    " search_document(id) ON DELETE CASCADE, terms tsvector NOT NULL,"
    " head tsvector NOT NULL DEFAULT '')",
    "INSERT INTO search_pg_index (document_id, terms, head)"
    " SELECT id, terms, head FROM search_document",
    "CREATE INDEX search_pg_index_terms ON search_pg_index USING gin (terms)",
    "CREATE INDEX search_pg_index_head ON search_pg_index USING gin (head)",
    "ALTER TABLE search_document DROP COLUMN terms, DROP COLUMN head",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0006_pg_head")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
            elidable=False,
        )
    ]
