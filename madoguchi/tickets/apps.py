from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class TicketsConfig(AppConfig):
    name = "madoguchi.tickets"
    verbose_name = "Tickets"

    def ready(self) -> None:
        # Tickets in the search index, for agents only (`madoguchi reindex` asks this source).
        from madoguchi.search.documents import register_source
        from madoguchi.tickets.search_documents import TICKET_SOURCE

        register_source(TICKET_SOURCE)

        # Only to keep the in-memory copies of problem types (madoguchi.tickets.catalogue) and
        # routing rules (madoguchi.tickets.routing.rules) fresh; no business logic hangs on
        # these signals.
        from madoguchi.tickets import catalogue
        from madoguchi.tickets.models import ProblemField, ProblemType, RoutingRule, SupportGroup
        from madoguchi.tickets.routing import rules

        for model in (ProblemType, ProblemField, SupportGroup):
            post_save.connect(catalogue.forget, sender=model, dispatch_uid=f"catalogue-{model}")
            post_delete.connect(catalogue.forget, sender=model, dispatch_uid=f"catalogue-d-{model}")
        for routed in (RoutingRule, SupportGroup, ProblemType):
            post_save.connect(rules.forget, sender=routed, dispatch_uid=f"routing-{routed}")
            post_delete.connect(rules.forget, sender=routed, dispatch_uid=f"routing-d-{routed}")
        m2m_changed.connect(
            rules.forget, sender=RoutingRule.problem_types.through, dispatch_uid="routing-m2m"
        )
