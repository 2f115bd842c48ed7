"""EventParseError: one line naming every bad field, the body kept, safe to pickle."""

import pickle

import pytest

from bandwidth_events import EventParseError
from bandwidth_events._errors import describe


def test_message_names_each_field() -> None:
    """The message is one line: the event type, then each field and its problem."""
    error = EventParseError(
        {"channels": "expected an integer", "endTime": "expected a timestamp"},
        event_type="conferenceRecordingAvailable",
        body=b"{}",
    )

    assert str(error) == (
        "invalid conferenceRecordingAvailable webhook body: "
        "channels: expected an integer; endTime: expected a timestamp"
    )
    assert isinstance(error, ValueError)


def test_message_without_event_type() -> None:
    """Without a known eventType the message says only 'webhook body'."""
    error = EventParseError({"$": "not valid JSON"}, event_type=None, body=b"{")

    assert str(error) == "invalid webhook body: $: not valid JSON"


def test_errors_are_read_only() -> None:
    """The errors mapping cannot be changed by a handler."""
    error = EventParseError({"$": "x"}, event_type=None, body=b"")

    with pytest.raises(TypeError):
        error.errors["$"] = "y"  # type: ignore[index]  # pyright: ignore[reportIndexIssue]


def test_pickles_with_everything() -> None:
    """An error survives pickling (for queues and process pools) with its fields and body."""
    error = EventParseError({"name": "x"}, event_type="conferenceCreated", body=b"{}")

    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 -- our own bytes

    assert (copy.errors, copy.event_type, copy.body, str(copy)) == (
        error.errors, error.event_type, error.body, str(error),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "null"),
        (True, "true (boolean)"),
        (1.5, "1.5 (number)"),
        ("a", '"a" (string)'),
        ({"a": [1]}, '{"a":[1]} (object)'),
        (float("inf"), "inf (number JSON cannot carry)"),
        (2**70, "1180591620717411303424 (number)"),
        (b"x", "b'x' (Python bytes, not a JSON value)"),
        ("x" * 100, '"' + "x" * 76 + "... (string)"),
    ],
)
def test_describe_shows_wire_values(value: object, shown: str) -> None:
    """Received values are shown as they look in JSON, with their JSON type, and cut when long."""
    assert describe(value) == shown
