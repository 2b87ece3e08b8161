from django.urls import path

from madoguchi.support.views import access, requests

app_name = "support"

urlpatterns = [
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
