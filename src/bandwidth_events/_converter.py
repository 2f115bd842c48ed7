"""The cattrs converter: every wire rule in one place.

Following cattrs' preconf pattern, `configure_converter` teaches any `cattrs.Converter` our
event classes and `make_converter` builds a ready one, so users can nest events in their own
attrs classes.

The hooks for a field's type (timestamps, durations, strict strings and integers, open enums)
are attached to the event classes' generated functions field by field, not registered for
``str`` or ``datetime`` on the whole converter: configuring a user's converter must not change
how it handles the user's own classes.
"""

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from types import UnionType
from typing import Any, Final, TypeAlias, get_args, get_type_hints

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.preconf.orjson import OrjsonConverter
from cattrs.preconf.orjson import make_converter as make_orjson_converter

from ._durations import format_duration, parse_duration
from ._errors import describe
from ._events import EVENT_CLASSES, UnknownEvent
from ._json import copy_object, is_object
from ._naming import EVENT_TYPE, EXTRA_FIELDS, wire_keys, wire_name
from ._timestamps import format_timestamp, parse_timestamp

StructureHook: TypeAlias = Callable[[Any, Any], Any]
UnstructureHook: TypeAlias = Callable[[Any], Any]

_EVENT_CLASSES: Final = tuple(EVENT_CLASSES.values())


def _structure_str(value: object, _type: object) -> str:
    if isinstance(value, str):
        return value
    raise TypeError(f"expected a string, received {describe(value)}")


def _structure_optional_str(value: object, _type: object) -> str | None:
    return None if value is None else _structure_str(value, _type)


def _structure_int(value: object, _type: object) -> int:
    # type() rather than isinstance(): JSON true is not the number 1.
    if type(value) is int:
        return value
    raise TypeError(f"expected an integer, received {describe(value)}")


def _structure_timestamp(value: object, _type: object) -> datetime:
    return parse_timestamp(value)


def _structure_duration(value: object, _type: object) -> timedelta:
    return parse_duration(value)


# Per field type: how to read it from the wire, and how to write it (None: as it is).
_FIELD_HOOKS: Final[Mapping[object, tuple[StructureHook, UnstructureHook | None]]] = {
    str: (_structure_str, None),
    str | None: (_structure_optional_str, None),
    int: (_structure_int, None),
    datetime: (_structure_timestamp, format_timestamp),
    timedelta: (_structure_duration, format_duration),
}


def is_open_enum(field_type: object) -> bool:
    """Tell whether a field type is ``SomeStrEnum | str``: an enum that keeps unknown values."""
    if not isinstance(field_type, UnionType):
        return False
    known, *rest = get_args(field_type)
    return rest == [str] and isinstance(known, type) and issubclass(known, StrEnum)


def _field_hooks(field_type: object) -> tuple[StructureHook, UnstructureHook | None]:
    if is_open_enum(field_type):
        # Any string is accepted; the field's attrs converter turns known ones into members.
        # str() writes a member as its value and leaves other strings alone.
        return _structure_str, str
    return _FIELD_HOOKS[field_type]


def _overrides(cls: type, *, structure: bool) -> dict[str, Any]:
    types = get_type_hints(cls)
    overrides: dict[str, Any] = {EXTRA_FIELDS: override(omit=True)}
    for field in attrs.fields(cls):
        if field.name == EXTRA_FIELDS:
            continue
        read, write = _field_hooks(types[field.name])
        if structure:
            overrides[field.name] = override(rename=wire_name(field.name), struct_hook=read)
        else:
            # Optional fields (tag, mediaUrl) are left out when None, as Bandwidth does.
            overrides[field.name] = override(
                rename=wire_name(field.name),
                unstruct_hook=write,
                omit_if_default=field.default is None,
            )
    return overrides


def _event_structure_hook(cls: type[Any], converter: cattrs.Converter) -> StructureHook:
    generated: StructureHook = make_dict_structure_fn(
        cls, converter, **_overrides(cls, structure=True)
    )
    modelled = wire_keys(cls)
    expected: str = cls.event_type

    def structure(value: object, _type: object) -> object:
        if not is_object(value):
            raise TypeError(f"expected a JSON object, received {describe(value)}")
        if value.get(EVENT_TYPE) != expected:
            received = describe(value[EVENT_TYPE]) if EVENT_TYPE in value else "none"
            raise ValueError(f"{EVENT_TYPE} must be {expected!r}, received {received}")
        event = generated(value, cls)
        if modelled.issuperset(value):
            return event
        # Rare (Bandwidth added a field): pay for a second __init__ only then.
        extra = {key: item for key, item in value.items() if key not in modelled}
        return attrs.evolve(event, extra_fields=extra)

    return structure


def _event_unstructure_hook(cls: type[Any], converter: cattrs.Converter) -> UnstructureHook:
    generated: UnstructureHook = make_dict_unstructure_fn(
        cls, converter, **_overrides(cls, structure=False)
    )

    def unstructure(event: Any) -> dict[str, Any]:  # noqa: ANN401 -- any of our events
        wire = {EVENT_TYPE: event.event_type, **generated(event)}
        if event.extra_fields:
            # A copy: the caller may change the dict without changing the frozen event.
            wire.update(copy_object(event.extra_fields, ""))
        return wire

    return unstructure


def _structure_unknown(value: object, _type: object) -> UnknownEvent:
    if not is_object(value):
        raise TypeError(f"expected a JSON object, received {describe(value)}")
    return UnknownEvent(value)


def _unstructure_unknown(event: UnknownEvent) -> dict[str, Any]:
    return copy_object(event.payload, "")


def _is_event_union(field_type: Any) -> bool:  # noqa: ANN401 -- cattrs asks about any type
    members = get_args(field_type) if isinstance(field_type, UnionType) else ()
    return bool(members) and all(m in _EVENT_CLASSES or m is UnknownEvent for m in members)


def _event_union_structure_hook(union: Any, converter: cattrs.Converter) -> StructureHook:  # noqa: ANN401
    members = get_args(union)
    unknown_allowed = UnknownEvent in members

    def structure(value: object, _type: object) -> object:
        # Dispatch on eventType through the one table, as parse_event does: no trial parsing.
        event_type = value.get(EVENT_TYPE) if is_object(value) else None
        cls = EVENT_CLASSES.get(event_type) if isinstance(event_type, str) else None
        if cls is not None and cls in members:
            return converter.structure(value, cls)
        if unknown_allowed and cls is None:
            return converter.structure(value, UnknownEvent)
        names = ", ".join(sorted(m.__name__ for m in members))
        raise ValueError(f"expected an event of {names}, received eventType {describe(event_type)}")

    return structure


def _is_event_class(field_type: Any) -> bool:  # noqa: ANN401 -- cattrs asks about any type
    # A tuple lookup, not issubclass(): cattrs asks about every type it meets, most not classes.
    return field_type in _EVENT_CLASSES


def configure_converter(converter: cattrs.Converter) -> None:
    """Teach a cattrs converter to read and write every event class, the cattrs preconf way.

    Afterwards ``converter.structure(body, ConferenceRecordingAvailable)`` and
    ``converter.unstructure(event)`` follow the same wire rules as `parse_event` and `to_dict`,
    also for events nested in your own attrs classes. A union of event classes (with or without
    `UnknownEvent`) is read by dispatching on ``eventType``. Hooks for your own types are left
    alone.

    Errors are cattrs' own (``ClassValidationError`` with a note per bad attribute);
    `parse_event` turns them into `EventParseError`.
    """

    def structure_factory(cls: type[Any]) -> StructureHook:
        return _event_structure_hook(cls, converter)

    def unstructure_factory(cls: type[Any]) -> UnstructureHook:
        return _event_unstructure_hook(cls, converter)

    def union_factory(union: Any) -> StructureHook:  # noqa: ANN401 -- a union type
        return _event_union_structure_hook(union, converter)

    converter.register_structure_hook_factory(_is_event_class, structure_factory)
    converter.register_structure_hook_factory(_is_event_union, union_factory)
    converter.register_unstructure_hook_factory(_is_event_class, unstructure_factory)
    converter.register_structure_hook(UnknownEvent, _structure_unknown)
    converter.register_unstructure_hook(UnknownEvent, _unstructure_unknown)


def make_converter(*args: Any, **kwargs: Any) -> OrjsonConverter:  # noqa: ANN401 -- cattrs' own
    """Build a new converter that knows every event class: cattrs' orjson converter, configured.

    Arguments are passed to `cattrs.preconf.orjson.make_converter`. The result has
    ``dumps``/``loads``, so ``converter.loads(body, YourEnvelope)`` works for classes that hold
    our events.
    """
    converter = make_orjson_converter(*args, **kwargs)
    configure_converter(converter)
    return converter
