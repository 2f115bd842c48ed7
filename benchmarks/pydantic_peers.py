"""The pydantic v2 peers, written for the comparison: the 29 events as pydantic models.

Built from the peers' table (`peer_table`), each an ordinary model class, the same as one
written out by hand:

- the equivalent model (`PYDANTIC_CLASSES`, `PydanticEvent`): does what bandwidth_events does.
  Timestamps are aware UTC datetimes (strict, a value with no zone read as UTC, any offset
  converted), integers strict (``"1"`` and ``1.0`` refused), durations strict and never
  negative, an open enum a member for a value it knows and the plain string otherwise.
- the lenient model (`PYDANTIC_LAX_CLASSES`, `PydanticLaxEvent`, built on first use):
  pydantic's default types, as the six conference peers were written before the call events
  came: naive datetimes kept as naive and offsets kept, ``"1"`` read as 1, negative durations
  and numbers of seconds read, open enums left as strings.

Both: camelCase aliases, optional fields ``None`` when absent, unknown keys kept
(``extra="allow"``), frozen instances, dispatch on ``eventType``. Neither keeps nanoseconds
(bandwidth_events does), nor writes a field back under the second spelling it arrived in
(``transcription`` for ``realTimeTranscription``); both read either spelling (`AliasChoices`).
Importing this module builds the equivalent models only: what `bench.py` times as the import
of pydantic with equivalent models.
"""

import operator
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import reduce
from typing import Annotated, Any, Literal, get_args, get_origin

import pydantic
from peer_table import ALIASES, EVENT_TYPE_ALIASES, EVENTS, OBJECTS, class_name, open_enum, split
from pydantic.alias_generators import to_camel

# --- pydantic v2 -------------------------------------------------------------------------------


def _utc(value: datetime) -> datetime:
    """bandwidth_events' rule: a timestamp with no zone is UTC, any other is converted to UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDatetime = Annotated[datetime, pydantic.Strict(), pydantic.AfterValidator(_utc)]
Duration = Annotated[timedelta, pydantic.Strict(), pydantic.Field(ge=timedelta(0))]
_EQUIVALENT_TYPES: dict[Any, Any] = {
    datetime: UtcDatetime,
    timedelta: Duration,
    int: pydantic.StrictInt,
}


class PydanticModel(pydantic.BaseModel):
    """What every model shares: camelCase aliases, frozen, unknown keys kept."""

    model_config = pydantic.ConfigDict(
        alias_generator=to_camel, populate_by_name=True, frozen=True, extra="allow"
    )


def _pydantic_type(annotation: Any, models: Mapping[type, type], *, equivalent: bool) -> Any:  # noqa: ANN401 -- any annotation
    inner, optional = split(annotation)
    enum = open_enum(inner)
    if enum is not None:
        mapped: Any = (
            Annotated[enum | str, pydantic.Field(union_mode="left_to_right")]
            if equivalent
            else enum | str  # smart mode: a JSON string stays a str
        )
    elif get_origin(inner) is tuple:
        mapped = tuple[_pydantic_type(get_args(inner)[0], models, equivalent=equivalent), ...]  # type: ignore[misc]
    elif inner in models:
        mapped = models[inner]
    else:
        mapped = _EQUIVALENT_TYPES.get(inner, inner) if equivalent else inner
    return mapped | None if optional else mapped


def _pydantic_field(
    name: str,
    annotation: Any,  # noqa: ANN401 -- any annotation
    models: Mapping[type, type],
    *,
    equivalent: bool,
) -> tuple[Any, Any]:
    """Give a field's type and default (``...``: required), or its `pydantic.Field`."""
    kinds = _pydantic_type(annotation, models, equivalent=equivalent)
    default: Any = None if split(annotation)[1] else ...
    if name == "from_":
        return kinds, pydantic.Field(default, alias="from")
    if name in ALIASES:
        wire = to_camel(name)
        choices = pydantic.AliasChoices(wire, ALIASES[name])
        return kinds, pydantic.Field(default, validation_alias=choices, serialization_alias=wire)
    return kinds, default


def _pydantic_models(*, equivalent: bool, prefix: str) -> dict[str, type[PydanticModel]]:
    """Build every event's model, and the nested objects' before them."""
    models: dict[type, type] = {}
    for cls, fields in OBJECTS.items():
        models[cls] = pydantic.create_model(  # type: ignore[call-overload]
            f"{prefix}{cls.__name__}",
            __base__=PydanticModel,
            **{n: _pydantic_field(n, t, models, equivalent=equivalent) for n, t in fields.items()},
        )
    events: dict[str, type[PydanticModel]] = {}
    for event_type, fields in EVENTS.items():
        tags = (event_type, *EVENT_TYPE_ALIASES.get(event_type, ()))
        events[event_type] = pydantic.create_model(  # type: ignore[call-overload]
            f"{prefix}{class_name(event_type)}",
            __base__=PydanticModel,
            event_type=(Literal[tags], ...),
            **{n: _pydantic_field(n, t, models, equivalent=equivalent) for n, t in fields.items()},
        )
    return events


def _dispatching(models: Mapping[str, type[PydanticModel]]) -> pydantic.TypeAdapter[Any]:
    union = reduce(operator.or_, models.values())
    return pydantic.TypeAdapter(Annotated[union, pydantic.Field(discriminator="event_type")])


PYDANTIC_CLASSES = _pydantic_models(equivalent=True, prefix="Pydantic")
PydanticEvent = _dispatching(PYDANTIC_CLASSES)


def __getattr__(name: str) -> Any:  # noqa: ANN401 -- a module attribute
    """Build the lenient models on first use (PEP 562)."""
    if name not in {"PYDANTIC_LAX_CLASSES", "PydanticLaxEvent"}:
        raise AttributeError(name)
    lax = _pydantic_models(equivalent=False, prefix="PydanticLax")
    globals().update(PYDANTIC_LAX_CLASSES=lax, PydanticLaxEvent=_dispatching(lax))
    return globals()[name]
