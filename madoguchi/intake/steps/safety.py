"""Step 2: the secret guard and the link check, before anything is stored or shown.

Secrets are replaced in every text the sender wrote; the sender is told at once what was
removed. Look-alike links are defanged and flagged. Files go through the content checks here
too: a file that fails them is named in a notice, never stored.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from madoguchi.intake.inbound import InboundMessage, StoredFile
from madoguchi.safety.links import neutralize_links
from madoguchi.safety.redaction import Finding, describe_findings, redact_secrets
from madoguchi.tickets.uploads import UploadRejected, check_count, inspect_upload


def _finding_json(finding: Any) -> dict[str, Any]:
    return {
        "kind": str(finding.kind),
        "host": finding.host,
        "reasons": [str(reason) for reason in finding.reasons],
        "text": finding.text[:300],
    }


def screen_for_safety(message: InboundMessage) -> InboundMessage:
    findings: list[Finding] = []
    kinds: set[str] = set(message.redacted_kinds)
    links: list[dict[str, Any]] = []

    def guard(text: str) -> str:
        redaction = redact_secrets(text)
        findings.extend(redaction.findings)
        kinds.update(str(kind) for kind in redaction.kinds)
        neutralized, link_findings = neutralize_links(redaction.text)
        links.extend(_finding_json(f) for f in link_findings if f.is_lookalike)
        return neutralized

    subject = guard(message.subject)
    body = guard(message.body)
    fields = {key: guard(value) for key, value in message.fields.items()}
    sender_name = guard(message.sender_name)

    notices = list(message.notices)
    files: list[StoredFile] = list(message.files)
    rejected = list(message.rejected_files)
    with translation.override(message.language or "ja"):
        if findings:
            notices.append(describe_findings(findings))
        attachments = message.attachments
        try:
            check_count(len(attachments) + len(files))
        except UploadRejected as error:
            rejected.extend((a.name, error.message) for a in attachments)
            attachments = ()
        for attachment in attachments:
            try:
                checked = inspect_upload(
                    name=attachment.name,
                    data=attachment.data,
                    declared_type=attachment.declared_type,
                )
            except UploadRejected as error:
                rejected.append((attachment.name[:200], error.message))
                continue
            files.append(
                StoredFile(
                    name=checked.name,
                    content_type=checked.content_type,
                    data=checked.data,
                    size=checked.size,
                    sha256=checked.sha256,
                    original_sha256=checked.original_sha256,
                )
            )
        for name, reason in rejected[len(message.rejected_files) :]:
            notices.append(
                _("The file “%(name)s” was not attached: %(reason)s")
                % {"name": name, "reason": reason}
            )
    return message.with_changes(
        subject=subject,
        body=body,
        fields=fields,
        sender_name=sender_name,
        redacted_kinds=tuple(sorted(kinds)),
        link_findings=(*message.link_findings, *links),
        notices=tuple(notices),
        files=tuple(files),
        rejected_files=tuple(rejected),
        attachments=(),
        screened=True,
    )
