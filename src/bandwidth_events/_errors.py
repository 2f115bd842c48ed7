"""The one exception a webhook body can cause.

Exception tree::

    ValueError
     └── EventParseError   a body that is not a valid webhook event

Everything a bad body can do (bytes that are not JSON, JSON that is not an object, a missing or
mistyped field, an impossible timestamp or duration) ends as an `EventParseError`, with the
original exception chained as its cause.
"""

import math
from collections.abc import Mapping
from types import MappingProxyType

import orjson

#: The key in `EventParseError.errors` for a problem with the body as a whole (JSONPath's root).
BODY = "$"

_MAX_SHOWN = 80

_KINDS: Mapping[type, str] = {
    str: "string",
    bool: "boolean",
    int: "number",
    float: "number",
    dict: "object",
    list: "array",
}


#: Integers longer than this many bits are shown by their length, not their digits.
_LONG_INT_BITS = 256


def _digits(value: int) -> str:
    """Give about how many decimal digits an integer has, without writing it in decimal."""
    return f"about {math.floor(abs(value).bit_length() * math.log10(2)) + 1:,}"


def describe(value: object) -> str:
    """Show a received value the way it looked on the wire, with its JSON type.

    Long values are cut, so a huge body cannot flood a log line.
    """
    if value is None:
        return "null"
    kind = _KINDS.get(type(value))
    if isinstance(value, float) and not math.isfinite(value):
        # orjson would write NaN as null: show what was really received.
        shown, kind = repr(value), "number JSON cannot carry"
    elif kind is None:
        # Not a JSON value: only possible for mappings built in Python, not for JSON text.
        shown, kind = repr(value), f"Python {type(value).__name__}, not a JSON value"
    elif isinstance(value, int) and value.bit_length() > _LONG_INT_BITS:
        # repr() of an integer of over 4,300 digits raises: say how long it is instead.
        shown = f"an integer of {_digits(value)} digits"
    else:
        try:
            shown = orjson.dumps(value).decode()
        except orjson.JSONEncodeError:  # integers beyond 64 bits, lone surrogates
            shown = repr(value)
    if len(shown) > _MAX_SHOWN:
        shown = shown[: _MAX_SHOWN - 3] + "..."
    return f"{shown} ({kind})"


class EventParseError(ValueError):
    """A webhook body could not be turned into an event.

    The message names every bad wire field, what was wrong with it and what was received,
    on one line, ready to log.

    Attributes:
        errors: For each bad wire field (``"endTime"``, ``"channels"``…), what was wrong
            and what was received. The key ``"$"`` is the body as a whole (not JSON, not
            an object).
        event_type: The body's ``eventType`` if it had a string one, else ``None``.
        body: The input exactly as it was given to `parse_event` (bytes, text or
            mapping). Bandwidth does not resend an event that got a 4xx/5xx answer:
            log or store this, or the event is gone.
    """

    errors: Mapping[str, str]
    event_type: str | None
    body: object

    def __init__(self, errors: Mapping[str, str], *, event_type: str | None, body: object) -> None:
        self.errors = MappingProxyType(dict(errors))
        self.event_type = event_type
        self.body = body
        what = f"{event_type} webhook body" if event_type else "webhook body"
        details = "; ".join(f"{field}: {problem}" for field, problem in self.errors.items())
        super().__init__(f"invalid {what}: {details}")

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only arguments: the default exception pickling would call cls(*args).
        return (_rebuild, (dict(self.errors), self.event_type, self.body))


def _rebuild(errors: Mapping[str, str], event_type: str | None, body: object) -> EventParseError:
    return EventParseError(errors, event_type=event_type, body=body)
