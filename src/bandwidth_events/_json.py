"""JSON values we keep but do not model: the unknown fields of an event, an unknown event."""

import json
import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, TypeGuard

import orjson

from ._errors import describe

_SCALARS = (str, int, bool, type(None))

#: The read-only empty object, shared.
EMPTY_OBJECT: Mapping[str, object] = MappingProxyType({})


def is_object(value: object) -> TypeGuard[Mapping[str, object]]:
    """Tell whether a decoded value is a JSON object (its keys are checked when it is copied)."""
    # type() first: orjson gives dicts, and the ABC check costs more.
    return type(value) is dict or isinstance(value, Mapping)


def copy_value(value: object, path: str) -> Any:  # noqa: ANN401 -- any JSON value
    """Copy a JSON value so that nobody else holds its lists and dicts.

    Raises:
        ValueError: Something in it is not a JSON value (a NaN, a non-string key, a Python
            object); ``path`` says where.
    """
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
    elif isinstance(value, Mapping):
        return copy_object(value, path)  # pyright: ignore[reportUnknownArgumentType]
    elif isinstance(value, list | tuple):
        return [copy_value(item, f"{path}[{index}]") for index, item in enumerate(value)]  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    raise ValueError(f"{path}: expected a JSON value, received {describe(value)}")


def copy_object(value: Mapping[Any, object], path: str) -> dict[str, Any]:
    """Copy a JSON object; see `copy_value`."""
    copied: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise TypeError(f"{path}: expected string keys, received key {describe(key)}")
        copied[key] = copy_value(item, f"{path}.{key}" if path else key)
    return copied


def frozen_object(value: Mapping[str, object]) -> Mapping[str, object]:
    """Copy a JSON object into a read-only mapping: the attrs converter of kept JSON.

    Raises:
        ValueError: Something in it is not a JSON value.
    """
    if not value:
        return EMPTY_OBJECT  # nearly every event: nothing to copy
    return MappingProxyType(copy_object(value, ""))


def dumps(value: object) -> str:
    """Write JSON text, as compact as Bandwidth's own.

    orjson cannot write integers beyond 64 bits or strings with lone surrogates, both of which
    a mapping built in Python may hold; the standard library writes them instead of failing.
    """
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value, separators=(",", ":"), allow_nan=False)
