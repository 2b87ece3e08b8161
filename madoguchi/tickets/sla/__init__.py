"""The SLA clock: business calendars (opening hours, national holidays, closures) and business-time
arithmetic on aware datetimes. Pure Python; no models."""

from madoguchi.tickets.sla.calendar import JAPANESE_YEAR_END, BusinessCalendar
from madoguchi.tickets.sla.clock import add_business_time, business_time_between

__all__ = [
    "JAPANESE_YEAR_END",
    "BusinessCalendar",
    "add_business_time",
    "business_time_between",
]
