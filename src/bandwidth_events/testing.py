"""Test helpers for services that receive Bandwidth's webhooks.

- `deliver`, a delivery simulator: it sends a body to a URL the way Bandwidth does (without
  credentials first, then with them after a Basic challenge, a 15 s timeout, one retry on a
  connection error) and tells what happened, to test a receiver end to end. It needs only the
  standard library.
- Hypothesis strategies (the ``testing`` extra: ``pip install bandwidth-events[testing]``) for
  any event class or union of them (`events`), and for wire bodies in Bandwidth's own format
  (`payloads`), every voice event by default, to test handlers and receivers with realistic
  data, unknown fields and values included. Both are derived from the event classes' field
  types, so they cover every field of every event. Hypothesis is imported when one of them is
  first used; ``import bandwidth_events`` never imports it.
"""

import http.client
import urllib.parse
from base64 import b64encode
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ._api import to_json
from ._events import UnknownEvent, VoiceEvent
from ._query import to_query

__all__ = [
    "Attempt",
    "Delivery",
    "deliver",
    "events",
    "payloads",
    "wire_durations",
    "wire_timestamps",
]

_STRATEGIES = frozenset({"events", "payloads", "wire_durations", "wire_timestamps"})

if TYPE_CHECKING:
    from ._strategies import events, payloads, wire_durations, wire_timestamps
else:

    def __getattr__(name: str) -> Any:  # noqa: ANN401 -- a strategy builder
        # The strategies need Hypothesis, the simulator does not: they are imported on first use.
        if name not in _STRATEGIES:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        try:
            from . import _strategies  # noqa: PLC0415
        except ModuleNotFoundError as exc:
            raise ModuleNotFoundError(
                f"bandwidth_events.testing.{name} needs Hypothesis ({exc.name} is missing): "
                "install bandwidth-events[testing]",
                name=exc.name,
            ) from exc
        return getattr(_strategies, name)


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


def deliver(  # noqa: PLR0913 -- the URL, the event, and keyword-only options
    url: str,
    event: VoiceEvent | UnknownEvent | bytes | str,
    *,
    credentials: tuple[str, str] | None = None,
    timeout: float = 15.0,
    retry: bool = True,
    method: str = "POST",
) -> Delivery:
    """Send a webhook to a URL the way Bandwidth does, and tell what happened.

    POSTs the body as ``application/json`` (or, with ``method="GET"``, sends the event as
    query parameters) without credentials. If the answer is ``401``
    with a ``WWW-Authenticate: Basic`` challenge and ``credentials`` are given, it sends the
    request again with them; a ``401`` without the challenge ends the delivery, as it does
    for Bandwidth. When the connection fails (refused, reset) it tries once more, like
    Bandwidth's one retry of the events whose answer it ignores; an answer of any status is final.

    Args:
        url: The receiver's URL (``http://`` or ``https://``).
        event: An event (written with ``to_json``), or the exact body to send (``bytes``, or
            ``str``, sent as UTF-8).
        credentials: The ``(username, password)`` configured on Bandwidth's side.
        timeout: Seconds to wait for each answer: Bandwidth's default is 15.
        retry: Whether to retry once on a connection error.
        method: ``"POST"`` sends the event as a JSON body; ``"GET"`` as query parameters, as
            Bandwidth does for a callback configured with ``…Method="GET"`` (an event is
            written with `to_query`; ``bytes`` or ``str`` are sent as the query string).
    """
    get = method.upper() == "GET"
    if isinstance(event, bytes):
        body = event
    elif isinstance(event, str):
        body = event.encode()
    else:
        body = (to_query(event) if get else to_json(event)).encode()
    if get:
        separator = "&" if urllib.parse.urlsplit(url).query else "?"
        url, body = f"{url}{separator}{body.decode()}", b""
    authorization = None
    attempts: list[Attempt] = []
    retries = 1 if retry else 0
    while True:
        attempt, connection_failed = _send(method.upper(), url, body, authorization, timeout)
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


def _send(
    method: str, url: str, body: bytes, authorization: str | None, timeout: float
) -> tuple[Attempt, bool]:
    """Send one request; give the attempt and whether the connection failed (retryable)."""
    parts = urllib.parse.urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(parts.netloc, timeout=timeout)
    headers = {"User-Agent": "bandwidth-events simulator"}
    if method == "POST":
        headers["Content-Type"] = "application/json"
    if authorization is not None:
        headers["Authorization"] = authorization
    path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    authorized = authorization is not None
    try:
        connection.request(method, path, body=body or None, headers=headers)
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
