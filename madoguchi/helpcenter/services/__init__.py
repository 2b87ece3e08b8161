"""Every write of the Help Center; views, the admin and commands call only these.

Keyword-only, typed functions, each one transaction; search is told after commit.
"""

from madoguchi.helpcenter.services.articles import (
    delete_article,
    link_translations,
    mark_reviewed,
    publish_article,
    reindex_articles_on_commit,
    save_article,
    save_category,
    save_section,
    unlink_translation,
    unpublish_article,
)
from madoguchi.helpcenter.services.feedback import record_feedback
from madoguchi.helpcenter.services.guides import (
    delete_guide,
    link_guide_translations,
    save_guide,
    set_guide_status,
)
from madoguchi.helpcenter.services.images import markdown_snippet, store_image
from madoguchi.helpcenter.services.importing import ImportProblem, ImportReport, import_articles

__all__ = [
    "ImportProblem",
    "ImportReport",
    "delete_article",
    "delete_guide",
    "import_articles",
    "link_guide_translations",
    "link_translations",
    "mark_reviewed",
    "markdown_snippet",
    "publish_article",
    "record_feedback",
    "reindex_articles_on_commit",
    "save_article",
    "save_category",
    "save_guide",
    "save_section",
    "set_guide_status",
    "store_image",
    "unlink_translation",
    "unpublish_article",
]
