from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class TicketsConfig(AppConfig):
    name = "madoguchi.tickets"
    verbose_name = "Tickets"

    def ready(self) -> None:
        # Only to keep the in-memory copy of problem types fresh (madoguchi.tickets.catalogue);
        # no business logic hangs on these signals.
        from madoguchi.tickets import catalogue
        from madoguchi.tickets.models import ProblemField, ProblemType, SupportGroup

        for model in (ProblemType, ProblemField, SupportGroup):
            post_save.connect(catalogue.forget, sender=model, dispatch_uid=f"catalogue-{model}")
            post_delete.connect(catalogue.forget, sender=model, dispatch_uid=f"catalogue-d-{model}")
