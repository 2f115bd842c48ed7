"""Kept JSON values: copied, checked, and always writable."""

# pyright: reportPrivateUsage=false
# (The writer of last resort is checked directly, beside orjson and the standard library.)

import json

import orjson
import pytest
from hypothesis import given

from bandwidth_events._json import _write, copy_value, dumps, frozen_object, may_be_inexact

from .strategies import json_values


def test_copy_shares_no_containers() -> None:
    """A copy holds new lists and dicts; tuples become lists, as JSON arrays."""
    original = {"a": [1, {"b": (2, 3)}]}

    copied = copy_value(original, "")

    assert copied == {"a": [1, {"b": [2, 3]}]}
    assert copied["a"] is not original["a"]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({"a": float("nan")}, "a: expected a JSON value, received nan"),
        ({"a": [1, {2: 3}]}, "a[1]: expected string keys, received key 2 (number)"),
        ({"a": {"b": object()}}, "a.b: expected a JSON value, received <object"),
    ],
)
def test_non_json_values_are_refused_with_their_path(
    value: dict[str, object], problem: str
) -> None:
    """NaN, non-string keys and Python objects are refused, naming where they are."""
    with pytest.raises((ValueError, TypeError)) as info:
        frozen_object(value)

    assert str(info.value).startswith(problem)


def test_dumps_is_compact() -> None:
    """JSON text is compact, as Bandwidth sends it."""
    assert dumps({"a": [1, "b"]}) == '{"a":[1,"b"]}'


@pytest.mark.parametrize("value", [2**64, -(2**63) - 1, "\ud800"])
def test_dumps_writes_what_orjson_cannot(value: object) -> None:
    """Integers beyond 64 bits and lone surrogates are still written, by the standard library."""
    assert json.loads(dumps({"v": value})) == {"v": value}


@given(json_values)
def test_the_writer_of_last_resort_writes_the_standard_json(value: object) -> None:
    """The recursion-free writer writes what the standard library's compact JSON is."""
    written = _write(value)

    assert written == json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    assert orjson.loads(written) == value


def test_the_writer_of_last_resort_writes_any_depth_and_any_integer() -> None:
    """Nesting past orjson's 254 levels and integers past 64 bits are written, not refused."""
    deep: list[object] = [2**70, {"a": -(2**64), "b": []}]
    for _ in range(1000):
        deep = [deep]

    inner = '[1180591620717411303424,{"a":-18446744073709551616,"b":[]}]'
    assert dumps({"x": deep}) == '{"x":' + "[" * 1000 + inner + "]" * 1000 + "}"


@pytest.mark.parametrize(
    ("value", "inexact"),
    [
        ({"a": [1.5, {"b": 2.0**64}]}, True),
        ({"a": -(2.0**63)}, True),
        ({"a": 2.0**63 + 0.5 * 2**11}, True),
        ({"a": 9.2e18, "b": [1e300 / 1e300]}, False),
        ({"a": 2**64, "b": "1e19"}, False),
    ],
)
def test_a_float_that_may_have_been_a_long_integer_is_noticed(value: object, inexact: bool) -> None:  # noqa: FBT001
    """A whole float of 2**63 or more, at any depth, may be orjson's reading of an integer."""
    assert may_be_inexact(value) is inexact


def test_a_scalar_is_checked_as_a_member_is() -> None:
    """A value that is not a container is checked and given back, or refused at its path."""
    assert copy_value("text", "") == "text"
    assert copy_value(None, "") is None
    assert copy_value(True, "") is True  # noqa: FBT003 -- the value under test
    with pytest.raises(ValueError, match=r"^at: expected a JSON value, received nan"):
        copy_value(float("nan"), "at")
