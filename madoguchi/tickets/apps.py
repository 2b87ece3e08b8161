from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "madoguchi.tickets"
    verbose_name = "Tickets"
