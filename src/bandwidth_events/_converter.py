"""The cattrs converter: every wire rule in one place.

Following cattrs' preconf pattern, `configure_converter` teaches any `cattrs.Converter` our
event classes and `make_converter` builds a ready one, so users can nest events in their own
attrs classes.

The hooks for a field's type (timestamps, durations, strict strings and integers, open enums)
come from its kind (``_kinds``) and are attached to the model classes' generated functions field
by field, not registered for ``str`` or ``datetime`` on the whole converter: configuring a
user's converter must not change how it handles the user's own classes. Nested objects (an
answer's ``machineDetectionResult``) have hooks of their own, like the events. Every model
class is written by its generated writer (``_writer``), the one `to_dict` calls.
"""

from collections.abc import Callable, Mapping
from types import UnionType
from typing import Any, Final, TypeAlias, get_args

import attrs
import cattrs
from cattrs.errors import AttributeValidationNote, ClassValidationError
from cattrs.gen import make_dict_structure_fn, override
from cattrs.preconf.orjson import OrjsonConverter
from cattrs.preconf.orjson import make_converter as make_orjson_converter

from ._errors import describe
from ._events import EVENT_CLASS_SET, EVENT_CLASSES, MODEL_CLASSES, UnknownEvent
from ._json import is_object
from ._kinds import field_kinds, spelled_two_ways
from ._naming import (
    EVENT_TYPE,
    EXTRA_FIELDS,
    NOT_ON_THE_WIRE,
    WIRE_SPELLING,
    aliases,
    wire_keys,
)
from ._writer import make_writer, write_unknown

StructureHook: TypeAlias = Callable[[Any, Any], Any]

_MODEL_CLASSES: Final = frozenset(MODEL_CLASSES)


def _overrides(cls: type) -> dict[str, Any]:
    """Each field's wire name and its kind's reading hook (a nested object's is its class's)."""
    overrides: dict[str, Any] = {
        a.name: override(omit=True) for a in attrs.fields(cls) if a.name in NOT_ON_THE_WIRE
    }
    for field, key, _annotation, kind in field_kinds(cls):
        read = None if kind.read is None else _hook(kind.read)
        overrides[field.name] = override(rename=key, struct_hook=read)
    return overrides


def _hook(read: Callable[[Any], Any]) -> StructureHook:
    """Give a kind's reading function as cattrs calls a structure hook: with the type too."""

    def structure(value: object, _type: object) -> object:
        return read(value)

    return structure


def _model_structure_hook(cls: type[Any], converter: cattrs.Converter) -> StructureHook:
    generated: StructureHook = make_dict_structure_fn(cls, converter, **_overrides(cls))
    modelled = wire_keys(cls)
    alias_of = aliases(cls)
    two_ways = spelled_two_ways(cls)
    expected: str | None = getattr(cls, "event_type", None)
    others: tuple[str, ...] = getattr(cls, "event_type_aliases", ())

    def structure(value: object, _type: object) -> object:
        if not is_object(value):
            raise TypeError(f"expected a JSON object, received {describe(value)}")
        alternatives: set[str] = set()
        if expected is not None and value.get(EVENT_TYPE) != expected:
            if value.get(EVENT_TYPE) not in others:
                received = describe(value[EVENT_TYPE]) if EVENT_TYPE in value else "none"
                raise ValueError(f"{EVENT_TYPE} must be {expected!r}, received {received}")
            alternatives.add(EVENT_TYPE)
        if alias_of:
            value = _canonical_keys(cls, value, alias_of, alternatives)
        model = generated(value, cls)
        for key, (_name, is_alternative, _write) in two_ways.items():
            if key in value and is_alternative(value[key]):
                alternatives.add(key)
        changes: dict[str, object] = {}
        if not modelled.issuperset(value):
            # Rare (Bandwidth added a field): pay for a second __init__ only then.
            changes[EXTRA_FIELDS] = {k: item for k, item in value.items() if k not in modelled}
        if alternatives:
            changes[WIRE_SPELLING] = alternatives
        return attrs.evolve(model, **changes) if changes else model

    return structure


def _canonical_keys(
    cls: type, value: Mapping[str, object], alias_of: Mapping[str, str], alternatives: set[str]
) -> Mapping[str, object]:
    """Give the body with each aliased key under its documented name; note which were aliased.

    Raises:
        ClassValidationError: The body has both keys of a field, naming the field.
    """
    renamed = dict(value)
    for key, alias in alias_of.items():
        if alias not in renamed:
            continue
        if key in renamed:
            error = ValueError(f"{key} and {alias} are one field: expected either, received both")
            name = next(f.field.name for f in field_kinds(cls) if f.key == key)
            error.add_note(AttributeValidationNote(f"Structuring {name}", name, object))
            # cattrs declares __new__ only: pyright reads ExceptionGroup's two-argument __init__.
            raise ClassValidationError(f"While structuring {cls.__name__}", [error], cls)  # pyright: ignore[reportCallIssue]
        renamed[key] = renamed.pop(alias)
        alternatives.add(key)
    return renamed


def _structure_unknown(value: object, _type: object) -> UnknownEvent:
    if not is_object(value):
        raise TypeError(f"expected a JSON object, received {describe(value)}")
    return UnknownEvent(value)


def _is_event_union(field_type: Any) -> bool:  # noqa: ANN401 -- cattrs asks about any type
    members = get_args(field_type) if isinstance(field_type, UnionType) else ()
    return len(members) > 1 and all(m in EVENT_CLASS_SET or m is UnknownEvent for m in members)


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


def _is_model_class(field_type: Any) -> bool:  # noqa: ANN401 -- cattrs asks about any type
    # A set lookup, not issubclass(): cattrs asks about every type it meets, most not classes.
    try:
        return field_type in _MODEL_CLASSES
    except TypeError:  # an unhashable type annotation
        return False


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
        return _model_structure_hook(cls, converter)

    def union_factory(union: Any) -> StructureHook:  # noqa: ANN401 -- a union type
        return _event_union_structure_hook(union, converter)

    converter.register_structure_hook_factory(_is_model_class, structure_factory)
    converter.register_structure_hook_factory(_is_event_union, union_factory)
    converter.register_unstructure_hook_factory(_is_model_class, make_writer)
    converter.register_structure_hook(UnknownEvent, _structure_unknown)
    converter.register_unstructure_hook(UnknownEvent, write_unknown)


def make_converter(*args: Any, **kwargs: Any) -> OrjsonConverter:  # noqa: ANN401 -- cattrs' own
    """Build a new converter that knows every event class: cattrs' orjson converter, configured.

    Arguments are passed to `cattrs.preconf.orjson.make_converter`. The result has
    ``dumps``/``loads``, so ``converter.loads(body, YourEnvelope)`` works for classes that hold
    our events.
    """
    converter = make_orjson_converter(*args, **kwargs)
    configure_converter(converter)
    return converter
