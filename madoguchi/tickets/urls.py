"""Pages behind the counter, under /<language>/agent/."""

from django.urls import URLPattern, URLResolver, path

from madoguchi.tickets.views.agent import actions, queue, ticket
from madoguchi.tickets.views.evidence import evidence_download

app_name = "tickets"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", queue.home, name="agent_home"),
    path("tickets/", queue.queue, name="agent_queue"),
    path("tickets/<int:ticket_id>/", ticket.ticket_page, name="agent_ticket"),
    path(
        "tickets/<int:ticket_id>/files/<int:attachment_id>/",
        ticket.attachment,
        name="agent_attachment",
    ),
    path("tickets/<int:ticket_id>/reply/", actions.reply, name="agent_reply"),
    path("tickets/<int:ticket_id>/note/", actions.note, name="agent_note"),
    path("tickets/<int:ticket_id>/status/", actions.change_status, name="agent_status"),
    path("tickets/<int:ticket_id>/priority/", actions.change_priority, name="agent_priority"),
    path("tickets/<int:ticket_id>/assignee/", actions.assign, name="agent_assign"),
    path("tickets/<int:ticket_id>/tags/", actions.tags, name="agent_tags"),
    path("tickets/<int:ticket_id>/evidence/", evidence_download, name="agent_evidence"),
]
