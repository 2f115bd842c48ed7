"""What every model class shares: the attrs setup, unknown fields, pickling, the base classes.

Each model class is ``@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)``:
`prepare` gives every field the attrs converter and validator of its type's kind (``_kinds``),
so an event built in Python holds what one parsed from the wire would, and orders required
fields first. ``repr=False``: every model shares `Model.__repr__`, which writes what attrs would.
attrs generates its methods' source for each class and compiles it at import, and a class's
``__repr__`` (one f-string of every field) costs as much to compile as its ``__init__``:
sharing one took 15% off the instructions of ``import bandwidth_events``. attrs still
generates the rest (``__init__``, ``__eq__``, ``__hash__``): shared versions, reading each field
by name, would compare and hash 1.4 to 1.8 times as slowly.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any, ClassVar, TypeVar, cast

import attrs

from bandwidth_events._enums import CallDirection
from bandwidth_events._json import EMPTY_OBJECT, frozen_object
from bandwidth_events._kinds import kind_of
from bandwidth_events._naming import ALIAS, DOC, NOT_ON_THE_WIRE, wire_keys

_T = TypeVar("_T")


def prepare(_cls: type, fields: "Sequence[attrs.Attribute[Any]]") -> "list[attrs.Attribute[Any]]":
    """Give each field its kind's converter and validator; order required fields first.

    Each class's own fields stay next to the shared ones, and ``extra_fields`` (then
    ``wire_spelling``) come last, in reprs and signatures alike.
    """
    prepared: list[attrs.Attribute[Any]] = []
    for field in fields:
        declared: Any = field  # attrs types a converter's arguments as unknown
        converter: Any = declared.converter
        validator: Any = declared.validator
        if field.name not in NOT_ON_THE_WIRE:
            field_type: Any = field.type  # the annotation: attrs types it as a class
            kind = kind_of(field_type)
            converter = converter or kind.convert
            validator = validator or kind.validate
        if converter is not None and not isinstance(converter, attrs.Converter):
            converter = _wrapped(converter)
        # A field inherited from a class already prepared is left as it is.
        if converter is not declared.converter or validator is not declared.validator:
            field = field.evolve(converter=converter, validator=validator)  # noqa: PLW2901 -- the same field, prepared
        prepared.append(field)
    return sorted(
        prepared,
        key=lambda a: (a.default is not attrs.NOTHING) + 2 * (a.name in NOT_ON_THE_WIRE),
    )


@cache
def _wrapped(converter: Callable[[Any], Any]) -> "attrs.Converter[Any, Any]":
    # Wrapped once per converter: attrs would otherwise read its signature again for every field
    # of every class that has it, at import.
    return attrs.Converter(converter)


def wire(*, doc: str | None = None, alias: str | None = None, default: Any = attrs.NOTHING) -> Any:  # noqa: ANN401 -- what attrs.field gives
    """Declare a field whose documentation or wire key differs from the catalogue's rule.

    Args:
        doc: What the field means in this class, where the shared catalogue's text is wrong.
        alias: A second wire key Bandwidth documents for the same field (see ``aliases``).
        default: ``None`` for an optional field.
    """
    metadata: dict[str, str] = {}
    if doc is not None:
        metadata[DOC] = doc
    if alias is not None:
        metadata[ALIAS] = alias
    return attrs.field(default=default, metadata=metadata)


def _no_modelled_keys(instance: object, _attribute: object, value: Mapping[str, object]) -> None:
    clash = sorted(wire_keys(type(instance)).intersection(value)) if value else None
    if clash:
        raise ValueError(f"extra_fields may not hold modelled wire fields: {clash}")


#: ``wire_spelling``: declared by the classes whose fields have two wire spellings.
def _keys(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


SPELLING: Any = attrs.field(
    default=frozenset[str](), converter=_keys, eq=False, hash=False, repr=False
)


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class Model:
    """A webhook body or an object nested in one (private: users see the concrete classes).

    Pickled and deep-copied through ``__init__``: the read-only mappings it holds cannot be
    pickled, and its converters make them again.
    """

    extra_fields: Mapping[str, object] = attrs.field(
        default=EMPTY_OBJECT, converter=frozen_object, validator=_no_modelled_keys, hash=False
    )
    #: Whether Bandwidth says to expect keys it does not list, as a diversion's follow the SIP
    #: header's parameters. (With the ``fast`` extra, such an object is decoded as a mapping,
    #: so that an unlisted key is read on the fast path rather than refused.)
    keys_vary: ClassVar[bool] = False

    def __repr__(self) -> str:
        """Write the class and each field shown (``repr``) as a keyword, as attrs would."""
        cls = type(self)
        fields = attrs.fields(cast("type[attrs.AttrsInstance]", cls))
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields if f.repr)
        return f"{cls.__qualname__}({shown})"

    def __reduce__(self) -> tuple[object, ...]:
        cls = type(self)
        values: dict[str, object] = {}
        for field in attrs.fields(cast("type[attrs.AttrsInstance]", cls)):
            value = getattr(self, field.name)
            values[field.name] = dict(value) if isinstance(value, Mapping) else value  # pyright: ignore[reportUnknownArgumentType]
        return (_rebuild, (cls, values))


def _rebuild(cls: type[_T], values: dict[str, Any]) -> _T:
    return cls(**values)


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class Event(Model):
    """A webhook event (private): its ``eventType`` and what its answer may hold, on the class."""

    event_type: ClassVar[str]
    #: Other ``eventType`` values Bandwidth's sources give this event.
    event_type_aliases: ClassVar[tuple[str, ...]] = ()
    accepts_bxml: ClassVar[bool]

    event_time: datetime


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class ConferenceEventBase(Event):
    """The fields every conference webhook has (private)."""

    conference_id: str
    name: str
    tag: str | None = None


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class CallEventBase(Event):
    """The fields every call webhook has (private): the call and its two ends."""

    call_id: str
    call_url: str
    from_: str
    to: str
    direction: CallDirection | str
    start_time: datetime


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class AccountCallEventBase(CallEventBase):
    """The fields of every call webhook but ``transferDisconnect``: the account and application."""

    account_id: str
    application_id: str


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class LegCallEventBase(AccountCallEventBase):
    """The fields of call events that may be about the B leg of a ``<Transfer>`` (private).

    With them, the call's queue time and tag: every such event has all five, each optional.
    """

    parent_call_id: str | None = None
    transfer_caller_id: str | None = None
    transfer_to: str | None = None
    enqueued_time: datetime | None = None
    tag: str | None = None
