"""Kept JSON values: copied, checked, and always writable."""

import json

import pytest

from bandwidth_events._json import copy_value, dumps, frozen_object


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
