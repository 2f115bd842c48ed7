# Minimal stubs for the part of isodate that bandwidth-events calls; isodate ships no types.
from datetime import timedelta

class ISO8601Error(ValueError): ...

class Duration:
    years: object
    months: object
    tdelta: timedelta

def parse_duration(
    datestring: str, as_timedelta_if_possible: bool = True
) -> timedelta | Duration: ...
