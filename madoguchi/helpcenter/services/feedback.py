"""Recording "was this helpful?" votes: one per visitor session and article, the latest counts."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils.crypto import salted_hmac

from madoguchi.helpcenter.models import Article, Feedback

COMMENT_MAX_LENGTH = 1000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def voter_for_session(session_key: str) -> str:
    """A stable pseudonym for a session: the vote table never holds a usable session key."""
    return salted_hmac("madoguchi.helpcenter.feedback", session_key).hexdigest()


def clean_comment(comment: str) -> str:
    return _CONTROL.sub("", comment or "").strip()[:COMMENT_MAX_LENGTH]


def record_feedback(
    *, article: Article, session_key: str, helpful: bool, comment: str = ""
) -> Feedback:
    """Count one vote for `article` from this session, replacing the session's earlier vote."""
    voter = voter_for_session(session_key)
    comment = clean_comment(comment)
    with transaction.atomic():
        existing = Feedback.objects.select_for_update().filter(article=article, voter=voter).first()
        if existing is None:
            try:
                with transaction.atomic():
                    return Feedback.objects.create(
                        article=article, voter=voter, helpful=helpful, comment=comment
                    )
            except IntegrityError:
                # The same session voted twice at once; the other request's row wins the
                # race and this one updates it below.
                existing = Feedback.objects.get(article=article, voter=voter)
        existing.helpful = helpful
        fields = ["helpful", "updated_at"]
        if comment:
            existing.comment = comment
            fields.append("comment")
        existing.save(update_fields=fields)
        return existing
