"""Each document knows its scope, and on SQLite private documents get full-text tables of
their own.

FTS5's bm25(), which picks the candidates a search scores and orders autocomplete, counts
every row of its table: with tickets in search_fts, a million tickets would still move
which Help Center articles a public search considers. search_fts and search_fts_head now
hold public documents only; search_fts_private and search_fts_private_head hold the
private ones (tickets). The triggers route each row by its `scope` column.

PostgreSQL's ts_rank reads no collection figures, so there only the column is added.
Existing rows are moved here (the tickets' rows are read once); no reindex is needed.
"""

from django.db import migrations, models

PRIVATE_TYPES = ("ticket",)  # the private document types at the time of this migration

ADD_COLUMN = "ALTER TABLE search_document ADD COLUMN scope varchar(16) NOT NULL DEFAULT 'public'"
DROP_COLUMN = "ALTER TABLE search_document DROP COLUMN scope"
MARK_PRIVATE = "UPDATE search_document SET scope = 'private' WHERE doc_type IN (%s)" % ", ".join(
    f"'{doc_type}'" for doc_type in PRIVATE_TYPES
)

CREATE_PRIVATE = [
    "CREATE VIRTUAL TABLE search_fts_private USING fts5(title_terms, tags_terms, body_terms,"
    " extra_terms, content='search_document', content_rowid='id', tokenize='ascii')",
    "CREATE VIRTUAL TABLE search_fts_private_head USING fts5(title_terms, tags_terms,"
    " content='search_document', content_rowid='id', tokenize='ascii')",
]
DROP_PRIVATE = [
    "DROP TABLE IF EXISTS search_fts_private",
    "DROP TABLE IF EXISTS search_fts_private_head",
]
DROP_TRIGGERS = [
    "DROP TRIGGER IF EXISTS search_document_ai",
    "DROP TRIGGER IF EXISTS search_document_ad",
    "DROP TRIGGER IF EXISTS search_document_au",
]


def _insert(row: str, condition: str, full: str, head: str) -> str:
    return (
        f"INSERT INTO {full}(rowid, title_terms, tags_terms, body_terms, extra_terms)"
        f" SELECT {row}.id, {row}.title_terms, {row}.tags_terms, {row}.body_terms,"
        f" {row}.extra_terms WHERE {condition};"
        f" INSERT INTO {head}(rowid, title_terms, tags_terms)"
        f" SELECT {row}.id, {row}.title_terms, {row}.tags_terms WHERE {condition};"
    )


def _delete(row: str, condition: str, full: str, head: str) -> str:
    return (
        f"INSERT INTO {full}({full}, rowid, title_terms, tags_terms, body_terms, extra_terms)"
        f" SELECT 'delete', {row}.id, {row}.title_terms, {row}.tags_terms, {row}.body_terms,"
        f" {row}.extra_terms WHERE {condition};"
        f" INSERT INTO {head}({head}, rowid, title_terms, tags_terms)"
        f" SELECT 'delete', {row}.id, {row}.title_terms, {row}.tags_terms WHERE {condition};"
    )


def _both(action, row: str) -> str:
    return action(row, f"{row}.scope = 'public'", "search_fts", "search_fts_head") + action(
        row, f"{row}.scope <> 'public'", "search_fts_private", "search_fts_private_head"
    )


SCOPED_TRIGGERS = [
    "CREATE TRIGGER search_document_ai AFTER INSERT ON search_document"
    f" BEGIN {_both(_insert, 'new')} END",
    "CREATE TRIGGER search_document_ad AFTER DELETE ON search_document"
    f" BEGIN {_both(_delete, 'old')} END",
    "CREATE TRIGGER search_document_au AFTER UPDATE ON search_document"
    f" BEGIN {_both(_delete, 'old')} {_both(_insert, 'new')} END",
]

# The private rows leave the public tables and enter their own (one statement at a time).
MOVE_PRIVATE = [
    statement.strip()
    for action, full, head in (
        (_delete, "search_fts", "search_fts_head"),
        (_insert, "search_fts_private", "search_fts_private_head"),
    )
    for statement in action("d", "d.scope <> 'public'", full, head)
    .replace("WHERE", "FROM search_document d WHERE")
    .split(";")
    if statement.strip()
]

# Back to 0008: one pair of tables over every row, triggers without scopes.
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
UNSCOPED_TRIGGERS = [
    f"CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN {FTS_INSERT} END",
    f"CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN {FTS_DELETE} END",
    "CREATE TRIGGER search_document_au AFTER UPDATE ON search_document"
    f" BEGIN {FTS_DELETE} {FTS_INSERT} END",
]
REBUILD_PUBLIC = [
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
    "INSERT INTO search_fts_head(search_fts_head) VALUES ('rebuild')",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = [ADD_COLUMN, MARK_PRIVATE]
    if vendor == "sqlite":
        statements += [*CREATE_PRIVATE, *DROP_TRIGGERS, *MOVE_PRIVATE, *SCOPED_TRIGGERS]
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    statements = []
    if schema_editor.connection.vendor == "sqlite":
        statements += [*DROP_TRIGGERS, *DROP_PRIVATE, *UNSCOPED_TRIGGERS, *REBUILD_PUBLIC]
    statements.append(DROP_COLUMN)
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0008_statistics_per_scope")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, backward, elidable=False)],
            state_operations=[
                migrations.AddField(
                    model_name="indexeddocument",
                    name="scope",
                    field=models.CharField(db_default="public", max_length=16),
                )
            ],
        )
    ]
