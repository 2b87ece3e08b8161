"""The SLA clock: business calendars (opening hours, national holidays, closures) and business-time
arithmetic on aware datetimes, pure Python and imported here; beside them, the modules that read
models: `policies` (which policy a ticket gets), `status` (its countdown, from its fields) and
`queries` (the "next due" expression and the breaching-soon selector)."""

from madoguchi.tickets.sla.calendar import JAPANESE_YEAR_END, BusinessCalendar
from madoguchi.tickets.sla.clock import add_business_time, business_time_between

__all__ = [
    "JAPANESE_YEAR_END",
    "BusinessCalendar",
    "add_business_time",
    "business_time_between",
]
