from django.urls import path

from madoguchi.support.views import access, form, requests

app_name = "support"

urlpatterns = [
    path("support/new/", form.choose_type, name="new"),
    path("support/new/<str:slug>/", form.new_ticket, name="new_type"),
    path("support/sent/", form.sent, name="sent"),
    path("support/suggest/", form.suggest, name="suggest"),
    path("support/solved/", form.solved, name="solved"),
    path("support/confirm/<str:token>/", access.confirm_email, name="confirm_email"),
    path("support/access/<str:token>/", access.visitor_access, name="visitor_access"),
    path("support/tickets/", requests.my_tickets, name="my_tickets"),
    path("support/tickets/<int:ticket_id>/", requests.ticket_page, name="ticket"),
    path("support/tickets/<int:ticket_id>/reply/", requests.reply, name="reply"),
    path("support/tickets/<int:ticket_id>/solve/", requests.solve, name="solve"),
    path("support/tickets/<int:ticket_id>/rate/", requests.rate, name="rate"),
    path(
        "support/tickets/<int:ticket_id>/files/<int:attachment_id>/",
        requests.attachment,
        name="attachment",
    ),
]
