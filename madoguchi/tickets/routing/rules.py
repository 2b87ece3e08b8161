"""The admin's routing rules, evaluated in order against what is known of a ticket.

The active rules and the groups they name are read once per process and read again once an
admin's change has committed or after MADOGUCHI_ROUTING_CACHE_SECONDS (60; 0 reads the
database every time), through `madoguchi.tickets.process_cache`: every new ticket asks for them.

A security problem is never moved out of the security group nor made less urgent by a rule:
the rule still applies its tags, and what it could not change is recorded as kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from madoguchi.tickets.models import PRIORITY_RANK, Priority, RoutingRule, SupportGroup
from madoguchi.tickets.process_cache import ProcessCache

VERSION_KEY = "madoguchi:tickets:routing:version"


@dataclass(frozen=True, slots=True)
class TicketFacts:
    """What the rules look at; empty strings for what is not known."""

    problem_type: str = ""
    language: str = ""
    channel: str = ""
    priority: str = Priority.NORMAL
    tier: str = ""
    tags: frozenset[str] = frozenset()
    security: bool = False


@dataclass(frozen=True, slots=True)
class GroupInfo:
    """A support group as routing needs it, without asking the database again."""

    pk: int
    slug: str
    assignment: str
    handles_security: bool

    def as_model(self) -> SupportGroup:
        return SupportGroup(
            pk=self.pk,
            slug=self.slug,
            assignment=self.assignment,
            handles_security=self.handles_security,
        )


@dataclass(frozen=True, slots=True)
class Rule:
    """One active rule, read from its row. An empty condition matches anything."""

    pk: int
    name: str
    problem_types: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()
    priorities: frozenset[str] = frozenset()
    tiers: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    group: GroupInfo | None = None
    priority: str = ""
    add_tags: tuple[str, ...] = ()
    assignee_id: int | None = None
    stop: bool = True

    def matches(self, facts: TicketFacts) -> bool:
        return (
            _one_of(self.problem_types, facts.problem_type)
            and _one_of(self.languages, facts.language)
            and _one_of(self.channels, facts.channel)
            and _one_of(self.priorities, facts.priority)
            and _one_of(self.tiers, facts.tier)
            and (not self.tags or bool(self.tags & facts.tags))
        )


def _one_of(allowed: frozenset[str], value: str) -> bool:
    return not allowed or value in allowed


@dataclass(frozen=True, slots=True)
class Applied:
    """One rule that applied: what it changed, and what it could not (a security ticket)."""

    rule_id: int
    name: str
    changes: Mapping[str, Any]
    kept: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of the walk: None/empty where no rule said anything."""

    group: GroupInfo | None = None
    priority: str = ""
    tags: tuple[str, ...] = ()
    assignee_id: int | None = None
    applied: tuple[Applied, ...] = field(default=())

    @property
    def rule_names(self) -> tuple[str, ...]:
        return tuple(item.name for item in self.applied)


def decide(facts: TicketFacts, rules: Iterable[Rule] | None = None) -> Decision:
    """Walk `rules` (the active rules by default) in order; each matching rule applies, and one
    with `stop` ends the walk. Tags a rule adds are seen by the rules after it."""
    group: GroupInfo | None = None
    priority = ""
    tags: list[str] = []
    assignee_id: int | None = None
    applied: list[Applied] = []
    current = facts
    for rule in active_rules() if rules is None else rules:
        if not rule.matches(current):
            continue
        changes: dict[str, Any] = {}
        kept: list[str] = []
        if rule.group is not None:
            if facts.security and not rule.group.handles_security:
                kept.append("group")
            else:
                group = rule.group
                changes["group"] = rule.group.slug
        if rule.priority:
            if facts.security and _rank(rule.priority) < _rank(current.priority):
                kept.append("priority")
            else:
                priority = rule.priority
                changes["priority"] = rule.priority
                current = replace(current, priority=rule.priority)
        new_tags = [tag for tag in rule.add_tags if tag not in current.tags]
        if new_tags:
            tags += new_tags
            changes["tags"] = new_tags
            current = replace(current, tags=current.tags | frozenset(new_tags))
        if rule.assignee_id is not None:
            assignee_id = rule.assignee_id
            changes["assignee"] = rule.assignee_id
        applied.append(Applied(rule.pk, rule.name, changes, tuple(kept)))
        if rule.stop:
            break
    return Decision(group, priority, tuple(tags), assignee_id, tuple(applied))


def _rank(priority: str) -> int:
    return PRIORITY_RANK[Priority(priority)] if priority in Priority.values else 0


# --- The rules and groups of this process ---------------------------------------------------


@dataclass(frozen=True)
class RoutingTable:
    """The active rules in order and every group, as read at one moment."""

    rules: tuple[Rule, ...]
    groups: Mapping[int, GroupInfo]

    @property
    def asks_for_tier(self) -> bool:
        """Whether any rule has a tier condition (finding the tier costs a query)."""
        return any(rule.tiers for rule in self.rules)

    def group(self, group_id: int | None) -> GroupInfo | None:
        return self.groups.get(group_id) if group_id is not None else None

    def group_by_slug(self, slug: str) -> GroupInfo | None:
        return next((group for group in self.groups.values() if group.slug == slug), None)

    def security_group(self) -> GroupInfo | None:
        """The first group that handles security problems."""
        return next(
            (group for _, group in sorted(self.groups.items()) if group.handles_security), None
        )


def _load() -> RoutingTable:
    groups = {
        group.pk: GroupInfo(group.pk, group.slug, group.assignment, group.handles_security)
        for group in SupportGroup.objects.only("pk", "slug", "assignment", "handles_security")
    }
    rows = RoutingRule.objects.filter(is_active=True).prefetch_related("problem_types")
    rules = tuple(
        Rule(
            pk=row.pk,
            name=row.name,
            problem_types=frozenset(p.slug for p in row.problem_types.all()),
            languages=_strings(row.languages),
            channels=_strings(row.channels),
            priorities=_strings(row.priorities),
            tiers=_strings(row.customer_tiers),
            tags=_strings(row.tags, lower=True),
            group=groups.get(row.set_group_id) if row.set_group_id else None,
            priority=row.set_priority if row.set_priority in Priority.values else "",
            add_tags=tuple(sorted(_strings(row.add_tags, lower=True))),
            assignee_id=row.set_assignee_id,
            stop=row.stop,
        )
        for row in rows
    )
    return RoutingTable(rules, groups)


def _strings(values: Any, *, lower: bool = False) -> frozenset[str]:
    # The admin form checks these lists; a row written some other way must not break intake.
    if not isinstance(values, list):
        return frozenset()
    items = (str(value).strip() for value in values if isinstance(value, str | int))
    return frozenset(item.lower() if lower else item for item in items if item)


# Tests and operators who turn off the problem types' copy turn off this one too.
ROUTING_TABLE = ProcessCache(
    load=_load,
    version_key=VERSION_KEY,
    max_age_settings=(
        "MADOGUCHI_ROUTING_CACHE_SECONDS",
        "MADOGUCHI_PROBLEM_TYPES_CACHE_SECONDS",
    ),
)


def routing_table() -> RoutingTable:
    """The rules and groups of this process, read again when an admin's change has committed.

    The table may be shared with other requests of this process: read it, never change it.
    """
    return ROUTING_TABLE.get()


def active_rules() -> tuple[Rule, ...]:
    """The active rules in their order."""
    return routing_table().rules
