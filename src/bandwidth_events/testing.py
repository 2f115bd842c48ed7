"""Test helpers for services that receive Bandwidth's webhooks (the ``testing`` extra).

- Hypothesis strategies for any event class or union of them (`events`), and for wire bodies in
  Bandwidth's own format (`payloads`), every voice event by default, to test handlers and
  receivers with realistic data, unknown fields and values included. Both are derived from the
  event classes' field types, so they cover every field of every event.
- `deliver`, a delivery simulator: it sends a body to a URL the way Bandwidth does (without
  credentials first, then with them after a Basic challenge, a 15 s timeout, one retry on a
  connection error) and tells what happened, to test a receiver end to end.

Importing this module imports Hypothesis; ``import bandwidth_events`` never does.
"""

import http.client
import urllib.parse
from base64 import b64encode
from collections.abc import Mapping
from datetime import datetime
from types import UnionType
from typing import Any, TypeVar, get_args, get_type_hints, overload

import attrs
from hypothesis import strategies as st

from ._api import to_json
from ._events import MODEL_CLASSES, UnknownEvent, VoiceEvent
from ._kinds import is_optional, kind_of
from ._naming import (
    EVENT_TYPE,
    EXTRA_FIELDS,
    WIRE_SPELLING,
    aliases,
    wire_fields,
    wire_keys,
    wire_name,
)

__all__ = [
    "Attempt",
    "Delivery",
    "deliver",
    "events",
    "payloads",
    "wire_durations",
    "wire_timestamps",
]

_M = TypeVar("_M")

# JSON values as orjson reads them (integers beyond 64 bits are a documented limit).
_json_integers = st.integers(min_value=-(2**63), max_value=2**64 - 1)
_json_scalars = (
    st.none()
    | st.booleans()
    | _json_integers
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
_json_values = st.recursive(
    _json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


#: Every wire key any model class reads: generated unknown fields never use one.
_MODELLED = frozenset[str]().union(*map(wire_keys, MODEL_CLASSES))
_unknown_fields = st.dictionaries(
    st.text().filter(lambda key: key not in _MODELLED), _json_values, max_size=3
)


def _spellings(cls: type) -> st.SearchStrategy[frozenset[str]]:
    """Every set of keys a class can have spelled the alternative way."""
    hints = get_type_hints(cls)
    keys = {*aliases(cls)}
    keys |= {wire_name(a.name) for a in wire_fields(cls) if kind_of(hints[a.name]).alternative}
    if getattr(cls, "event_type_aliases", ()):
        keys.add(EVENT_TYPE)
    return st.frozensets(st.sampled_from(sorted(keys))) if keys else st.just(frozenset())


def _classes(cls: Any) -> list[type]:  # noqa: ANN401 -- a class or a union of classes
    members = list(get_args(cls)) if isinstance(cls, UnionType) else [cls]
    for member in members:
        if member not in MODEL_CLASSES:
            raise TypeError(f"{member!r} is not an event class of bandwidth_events")
    return members


@overload
def events() -> st.SearchStrategy[VoiceEvent]: ...
@overload
def events(cls: type[_M]) -> st.SearchStrategy[_M]: ...
@overload
def events(cls: Any) -> st.SearchStrategy[Any]: ...  # noqa: ANN401 -- a union of classes
def events(cls: Any = VoiceEvent) -> st.SearchStrategy[Any]:
    """Generate any valid event of a class, or of any class of a union (every event by default).

    Any text, any instant, unknown enum values and unknown fields included: what a handler
    must cope with. Built from the classes' attribute types; nested objects (`MediaStream`…)
    too.
    """
    return st.one_of(*map(_instances, _classes(cls)))


def _instances(cls: type) -> st.SearchStrategy[Any]:
    hints = get_type_hints(cls)
    values: dict[str, st.SearchStrategy[Any]] = {}
    for field in attrs.fields(cls):
        if field.name == EXTRA_FIELDS:
            values[field.name] = _unknown_fields
        elif field.name == WIRE_SPELLING:
            values[field.name] = _spellings(cls)
        else:
            values[field.name] = kind_of(hints[field.name]).values(st)
    return st.builds(cls, **values)


@st.composite
def wire_timestamps(draw: st.DrawFn) -> str:
    """Generate timestamps as Bandwidth writes them: ``2019-09-13T16:50:53.788Z``.

    Now and then finer, as Java's ``Instant`` writes them: to the microsecond or the nanosecond.
    """
    moment = draw(st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1)))  # noqa: DTZ001
    fraction = f"{moment.microsecond // 1000:03d}"
    finer = draw(st.sampled_from(["", "", "", "micro", "nano"]))
    if finer == "micro" and moment.microsecond % 1000:
        fraction = f"{moment.microsecond:06d}"
    elif finer == "nano":
        fraction = f"{moment.microsecond:06d}{draw(st.integers(1, 999)):03d}"
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{fraction}Z"


@st.composite
def wire_durations(draw: st.DrawFn, fraction_digits: int = 9) -> str:
    """Generate durations as Bandwidth (Java's ``Duration.toString()``) writes them.

    ``PT1M52.217257456S``: hours, minutes, seconds, no zero units, no trailing fractional
    zeros, ``PT0S`` for zero, up to nine fractional digits (every one kept on a round trip).
    """
    hours, minutes = draw(st.integers(0, 10_000)), draw(st.integers(0, 59))
    seconds = draw(st.integers(0, 59))
    fraction = draw(st.from_regex(rf"\A([0-9]{{0,{fraction_digits - 1}}}[1-9])?\Z"))
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if seconds or fraction:
        text += f"{seconds}" + (f".{fraction}" if fraction else "") + "S"
    return "PT0S" if text == "PT" else text


_e164 = st.from_regex(r"\A\+[1-9][0-9]{6,14}\Z")
# Values as Bandwidth fills these wire fields; others follow their attribute's kind.
_WIRE_VALUES: Mapping[str, st.SearchStrategy[Any]] = {
    "accountId": st.from_regex(r"\A[0-9]{1,10}\Z"),
    "channels": st.integers(1, 2),
    "from": _e164 | st.sampled_from(["Anonymous", "Restricted", "Private"]) | st.text(),
    "to": _e164,
    "sipResponseCode": st.integers(100, 699),
}


@overload
def payloads() -> st.SearchStrategy[dict[str, Any]]: ...
@overload
def payloads(cls: Any) -> st.SearchStrategy[dict[str, Any]]: ...  # noqa: ANN401 -- class or union
def payloads(cls: Any = VoiceEvent) -> st.SearchStrategy[dict[str, Any]]:
    """Generate bodies of an event class, or of a union of them, in Bandwidth's own format.

    Every voice event by default, decoded: timestamps like ``2019-09-13T16:50:53.788Z``,
    durations like ``PT1M52.217257456S``, optional fields present or not, either wire key of a
    field that has two, unknown enum values and unknown fields now and then, nested objects
    alike. ``to_dict(parse_event(body)) == body`` holds for each; ``json.dumps`` one to get the
    bytes Bandwidth would POST.
    """
    return st.one_of(*map(_payloads, _classes(cls)))


@st.composite
def _payloads(draw: st.DrawFn, cls: type) -> dict[str, Any]:
    hints = get_type_hints(cls)
    alias_of = aliases(cls)
    payload: dict[str, Any] = {}
    event_type: str | None = getattr(cls, "event_type", None)
    if event_type is not None:
        others: tuple[str, ...] = getattr(cls, "event_type_aliases", ())
        payload[EVENT_TYPE] = draw(st.sampled_from([event_type, *others]))
    for field in wire_fields(cls):
        field_type = hints[field.name]
        if is_optional(field_type) and not draw(st.booleans()):
            continue  # an optional field Bandwidth left out
        key = wire_name(field.name)
        strategy = _WIRE_VALUES.get(key)
        value = draw(kind_of(field_type).wire(st) if strategy is None else strategy)
        if key in alias_of and draw(st.booleans()):
            key = alias_of[key]
        payload[key] = value
    payload.update(draw(_unknown_fields))
    return payload


# --- the delivery simulator ---------------------------------------------------------------------


@attrs.frozen
class Attempt:
    """One HTTP request of a delivery.

    Attributes:
        authorized: Whether it carried the ``Authorization`` header.
        status: The answer's status, or ``None`` when there was no answer.
        headers: The answer's headers, names lower-case.
        body: The answer's body.
        error: Why there was no answer (a connection error or a timeout), else ``None``.
    """

    authorized: bool
    status: int | None
    headers: Mapping[str, str] = attrs.field(factory=dict[str, str])
    body: bytes = b""
    error: str | None = None


@attrs.frozen
class Delivery:
    """What happened when `deliver` sent a webhook, attempt by attempt.

    Attributes:
        attempts: Every request sent, in order.
    """

    attempts: tuple[Attempt, ...]

    @property
    def last(self) -> Attempt:
        """Give the last attempt, the one whose answer counts."""
        return self.attempts[-1]

    @property
    def delivered(self) -> bool:
        """Tell whether Bandwidth would count the event delivered, by a 2xx answer at last."""
        return self.last.status is not None and 200 <= self.last.status < 300  # noqa: PLR2004


def deliver(
    url: str,
    event: VoiceEvent | UnknownEvent | bytes,
    *,
    credentials: tuple[str, str] | None = None,
    timeout: float = 15.0,
    retry: bool = True,
) -> Delivery:
    """Send a webhook to a URL the way Bandwidth does, and tell what happened.

    POSTs the body as ``application/json`` without credentials. If the answer is ``401``
    with a ``WWW-Authenticate: Basic`` challenge and ``credentials`` are given, it sends the
    request again with them; a ``401`` without the challenge ends the delivery, as it does
    for Bandwidth. When the connection fails (refused, reset) it tries once more, like
    Bandwidth's one retry of asynchronous events; an answer of any status is final.

    Args:
        url: The receiver's URL (``http://`` or ``https://``).
        event: An event (written with ``to_json``) or the exact body bytes to send.
        credentials: The ``(username, password)`` configured on Bandwidth's side.
        timeout: Seconds to wait for each answer: Bandwidth's default is 15.
        retry: Whether to retry once on a connection error.
    """
    body = event if isinstance(event, bytes) else to_json(event).encode()
    authorization = None
    attempts: list[Attempt] = []
    retries = 1 if retry else 0
    while True:
        attempt, connection_failed = _post(url, body, authorization, timeout)
        attempts.append(attempt)
        if connection_failed and retries:
            retries -= 1
            continue
        challenge = attempt.headers.get("www-authenticate", "")
        challenged = attempt.status == 401 and challenge.lower().startswith("basic")  # noqa: PLR2004
        if challenged and authorization is None and credentials is not None:
            username, password = credentials
            token = b64encode(f"{username}:{password}".encode()).decode()
            authorization = f"Basic {token}"
            continue
        break
    return Delivery(tuple(attempts))


def _post(url: str, body: bytes, authorization: str | None, timeout: float) -> tuple[Attempt, bool]:
    """Send one request; give the attempt and whether the connection failed (retryable)."""
    parts = urllib.parse.urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(parts.netloc, timeout=timeout)
    headers = {"Content-Type": "application/json", "User-Agent": "bandwidth-events simulator"}
    if authorization is not None:
        headers["Authorization"] = authorization
    path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    authorized = authorization is not None
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read()
    except TimeoutError:
        # Bandwidth does not retry a receiver that took too long to answer.
        return Attempt(authorized, None, error=f"no answer within {timeout} s"), False
    except (OSError, http.client.HTTPException) as error:
        return Attempt(authorized, None, error=f"connection failed: {error!r}"), True
    finally:
        connection.close()
    headers_received = {name.lower(): value for name, value in response.getheaders()}
    return Attempt(authorized, response.status, headers_received, answer), False
