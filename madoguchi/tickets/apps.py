from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "madoguchi.tickets"
    verbose_name = "Tickets"

    def ready(self) -> None:
        # Tickets in the search index, for agents only (`madoguchi reindex` asks this source).
        from madoguchi.search.documents import register_source
        from madoguchi.tickets.search_documents import TICKET_SOURCE

        register_source(TICKET_SOURCE)

        # Only to keep the in-memory copies of problem types, SLA policies and routing rules
        # fresh (madoguchi.tickets.process_cache); no business logic hangs on these signals.
        from madoguchi.tickets.catalogue import PROBLEM_TYPES
        from madoguchi.tickets.models import (
            BusinessHours,
            ProblemField,
            ProblemType,
            RoutingRule,
            SlaPolicy,
            SupportGroup,
        )
        from madoguchi.tickets.routing.rules import ROUTING_TABLE
        from madoguchi.tickets.sla.policies import ACTIVE_POLICIES

        PROBLEM_TYPES.watch(ProblemType, ProblemField, SupportGroup)
        ACTIVE_POLICIES.watch(SlaPolicy, BusinessHours)
        ROUTING_TABLE.watch(
            RoutingRule,
            SupportGroup,
            ProblemType,
            many_to_many=(RoutingRule.problem_types.through,),
        )
