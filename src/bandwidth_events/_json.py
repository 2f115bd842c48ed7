"""JSON values we keep but do not model: the unknown fields of an event, an unknown event."""

import json
import math
import sys
from collections.abc import Mapping
from types import MappingProxyType, NoneType
from typing import Any, Final, TypeGuard, cast

import orjson

from ._errors import describe

#: The deepest nesting kept: what orjson reads, 1,024 levels, the body's own object included.
MAX_DEPTH = 1024
_MAX_PATH = 60
_INT64 = 2**63
#: orjson reads an integer beyond 64 bits as a float: a float this large and whole may be one.
_INEXACT = float(2**63)

#: The read-only empty object, shared.
EMPTY_OBJECT: Mapping[str, object] = MappingProxyType({})


class NotJsonError(ValueError):
    """A value JSON cannot carry, or that could not be written back; ``path`` says where."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}" if path else problem)
        self.path = path
        self.problem = problem


def is_object(value: object) -> TypeGuard[Mapping[str, object]]:
    """Tell whether a decoded value is a JSON object (its keys are checked when it is copied)."""
    # type() first: orjson gives dicts, and the ABC check costs more.
    return type(value) is dict or isinstance(value, Mapping)


def _scalar(value: object, path: str) -> object:
    """Give a JSON scalar, plain and writable back, or raise `NotJsonError`.

    A subclass of ``str``, ``int`` or ``float`` (an enum member, say) is copied to its base
    type: nothing of the caller's class, its ``__eq__`` included, is kept.
    """
    kind = type(value)
    if isinstance(value, str):
        text = value if kind is str else str.__str__(value)
        if not text.isascii():
            try:
                text.encode()
            except UnicodeEncodeError:
                problem = f"text UTF-8 cannot carry (a lone surrogate), received {text!r}"
                raise NotJsonError(path, problem) from None
        return text
    if kind is bool or value is None:
        return value
    if isinstance(value, int):
        number = value if kind is int else int.__index__(value)
        if number.bit_length() > 64:  # noqa: PLR2004 -- what orjson writes; beyond, check it
            try:
                int.__repr__(number)
            except ValueError:  # beyond sys.get_int_max_str_digits(): it could not be written
                limit = f"{sys.get_int_max_str_digits():,}"
                problem = (
                    f"expected an integer of at most {limit} digits, received {describe(number)}"
                )
                raise NotJsonError(path, problem) from None
        return number
    if isinstance(value, float) and math.isfinite(value):
        return value if kind is float else float.__float__(value)
    raise NotJsonError(path, f"expected a JSON value, received {describe(value)}")


def copy_value(value: object, path: str) -> Any:  # noqa: ANN401 -- any JSON value
    """Copy a JSON value so that nobody else holds its lists and dicts.

    Iterative, so that any nesting the JSON decoder reads is copied, not a recursion error.

    Raises:
        NotJsonError: Something in it is not a JSON value (a NaN, a non-string key, a Python
            object, text with a lone surrogate, an integer too long to write), or it nests
            deeper than `MAX_DEPTH`; ``path`` says where. A `ValueError`.
    """
    if not _is_container(value):
        return _scalar(value, path)
    root: Any = _empty(value)
    # Each entry: a container to copy, its copy (made already, in its place), path and depth.
    stack: list[tuple[Any, Any, str, int]] = [(value, root, path, 1)]
    while stack:
        source, copied, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            shown = where if len(where) <= _MAX_PATH else where[: _MAX_PATH - 1] + "…"
            raise NotJsonError(shown, f"nested deeper than {MAX_DEPTH} levels")
        is_dict = type(copied) is dict
        items: Any = source.items() if is_dict else enumerate(source)
        key: Any
        item: Any
        for key, item in items:
            # The usual values (ASCII text, small integers, null, booleans) are kept as they
            # are, without a call; paths are made only for containers and errors.
            if is_dict and not (type(key) is str and key.isascii()):
                _check_key(key, where)
            kind: type[object] = type(cast("object", item))
            if (kind is str and item.isascii()) or kind is bool or item is None:
                kept: Any = item
            elif kind is int and -_INT64 <= item < _INT64:
                kept = item
            elif _is_container(item):
                kept = _empty(item)
                stack.append((item, kept, _member(where, key, is_dict=is_dict), depth + 1))
            else:
                kept = _scalar(item, _member(where, key, is_dict=is_dict))
            if is_dict:
                copied[key] = kept
            else:
                copied.append(kept)
    return root


def _check_key(key: object, where: str) -> None:
    """Refuse a key that is not text, or text UTF-8 cannot carry."""
    if not isinstance(key, str):
        raise NotJsonError(where, f"expected string keys, received key {describe(key)}")
    try:
        _scalar(key, where)
    except NotJsonError as error:
        raise NotJsonError(where, f"a key holds {error.problem}") from None


def _member(where: str, key: object, *, is_dict: bool) -> str:
    """Give the path of a member: ``where.key`` in an object, ``where[index]`` in an array."""
    if is_dict:
        return f"{where}.{key}" if where else str(key)
    return f"{where}[{key}]"


def _is_container(value: object) -> bool:
    return isinstance(value, Mapping | list | tuple)


def _is_mapping(value: object) -> bool:
    return isinstance(value, Mapping)


def _empty(container: object) -> dict[str, Any] | list[Any]:
    return {} if _is_mapping(container) else []


def copy_object(value: Mapping[Any, object], path: str) -> dict[str, Any]:
    """Copy a JSON object; see `copy_value`."""
    copied: dict[str, Any] = copy_value(value, path)
    return copied


#: The classes of the JSON values that hold nothing and are exact as decoded: text, integers,
#: ``true``/``false`` and ``null``. A float may have been a long integer (`may_be_inexact`); a
#: list or an object must be copied (`holds_containers`).
PLAIN_VALUES: Final = frozenset({str, int, bool, NoneType})


def holds_containers(value: Mapping[str, object]) -> bool:
    """Tell whether a JSON object holds a list or an object, which a copy must copy in turn.

    Without them it shares nothing mutable: a copy of it may be shallow, or none at all.
    """
    for item in value.values():  # noqa: SIM110 -- a loop: any() of a generator costs more
        if item.__class__ is dict or item.__class__ is list:
            return True
    return False


def frozen_object(value: Mapping[str, object]) -> Mapping[str, object]:
    """Copy a JSON object into a read-only mapping: the attrs converter of kept JSON.

    Raises:
        NotJsonError: Something in it is not a JSON value.
    """
    if not value:
        return EMPTY_OBJECT  # nearly every event: nothing to copy
    return MappingProxyType(copy_object(value, ""))


def may_be_inexact(value: object) -> bool:
    """Tell whether a value orjson decoded holds a float that may have been a long integer.

    orjson reads an integer beyond 64 bits as the nearest float: such a body is read again by
    the standard library, which keeps every integer exact.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        if type(item) is float:
            if abs(item) >= _INEXACT and item.is_integer():
                return True
        elif type(item) is dict:
            stack.extend(cast("dict[str, object]", item).values())
        elif type(item) is list:
            stack.extend(cast("list[object]", item))
    return False


def dumps(value: object) -> str:
    """Write JSON text, as compact as Bandwidth's own.

    orjson cannot write integers beyond 64 bits, nor nesting beyond 254 levels, both of which
    a parsed event may hold; `_write` writes them instead of failing.
    """
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        return _write(value)


class _Text(str):
    """JSON text already written (punctuation, a key), on `_write`'s stack among values."""

    __slots__ = ()


_OPEN = {True: _Text("{"), False: _Text("[")}
_CLOSE = {True: _Text("}"), False: _Text("]")}
_COMMA = _Text(",")


def _write(value: object) -> str:
    """Write compact JSON text without recursion: any depth, integers of any size."""
    parts: list[str] = []
    stack: list[Any] = [value]
    while stack:
        item: Any = stack.pop()
        if type(item) is _Text:
            parts.append(item)
        elif _is_container(item):
            # Pushed in reverse: popped, they write the opening, each member, commas between.
            is_object = _is_mapping(item)
            members: list[Any] = list(item.items()) if is_object else item
            pieces: list[Any] = [_CLOSE[is_object]]
            for index in range(len(members) - 1, -1, -1):
                if index < len(members) - 1:
                    pieces.append(_COMMA)
                if is_object:
                    key, inner = members[index]
                    pieces += [inner, _Text(json.dumps(key, ensure_ascii=False) + ":")]
                else:
                    pieces.append(members[index])
            pieces.append(_OPEN[is_object])
            stack.extend(pieces)
        else:
            parts.append(json.dumps(item, ensure_ascii=False, allow_nan=False))
    return "".join(parts)
