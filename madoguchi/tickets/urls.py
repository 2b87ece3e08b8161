"""Pages behind the counter, under /<language>/agent/."""

from django.urls import URLPattern, URLResolver, path

from madoguchi.tickets.views.agent import (
    actions,
    composer,
    copied,
    live,
    queue,
    saved_views,
    search,
    ticket,
)
from madoguchi.tickets.views.agent import bulk as bulk_views
from madoguchi.tickets.views.agent import incidents as incident_views
from madoguchi.tickets.views.agent import merging as merge_views
from madoguchi.tickets.views.agent.availability import availability
from madoguchi.tickets.views.evidence import evidence_download

app_name = "tickets"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", queue.home, name="agent_home"),
    path("tickets/", queue.queue, name="agent_queue"),
    path("tickets/search/", search.search_tickets, name="agent_search"),
    path("views/", saved_views.save, name="agent_saved_view_save"),
    path("views/<int:view_id>/delete/", saved_views.delete, name="agent_saved_view_delete"),
    path("availability/", availability, name="agent_availability"),
    path("tickets/<int:ticket_id>/", ticket.ticket_page, name="agent_ticket"),
    path("tickets/<int:ticket_id>/live/", live.ticket_parts, name="agent_live"),
    path(
        "tickets/<int:ticket_id>/files/<int:attachment_id>/",
        ticket.attachment,
        name="agent_attachment",
    ),
    path("tickets/<int:ticket_id>/reply/", actions.reply, name="agent_reply"),
    path("tickets/<int:ticket_id>/note/", actions.note, name="agent_note"),
    path("tickets/<int:ticket_id>/compose/", composer.compose, name="agent_compose"),
    path("tickets/<int:ticket_id>/articles/", composer.article_search, name="agent_articles"),
    path("tickets/<int:ticket_id>/status/", actions.change_status, name="agent_status"),
    path("tickets/<int:ticket_id>/priority/", actions.change_priority, name="agent_priority"),
    path("tickets/<int:ticket_id>/assignee/", actions.assign, name="agent_assign"),
    path("tickets/<int:ticket_id>/tags/", actions.tags, name="agent_tags"),
    path("tickets/<int:ticket_id>/copied/remove/", copied.remove, name="agent_remove_copied"),
    path("tickets/<int:ticket_id>/evidence/", evidence_download, name="agent_evidence"),
    path("tickets/bulk/", bulk_views.bulk, name="agent_bulk"),
    path("tickets/<int:ticket_id>/merge/", merge_views.merge, name="agent_merge"),
    path(
        "tickets/<int:ticket_id>/customer/merge/",
        merge_views.merge_customer,
        name="agent_merge_customer",
    ),
    path("tickets/<int:ticket_id>/incident/", incident_views.make, name="agent_make_incident"),
    path("tickets/<int:ticket_id>/incident/link/", incident_views.link, name="agent_link"),
    path("tickets/<int:ticket_id>/incident/unlink/", incident_views.unlink, name="agent_unlink"),
    path(
        "tickets/<int:ticket_id>/incident/reply/",
        incident_views.reply_all,
        name="agent_incident_reply",
    ),
]
