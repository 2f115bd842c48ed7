"""The event models: frozen attrs classes that hold data and documentation, nothing else.

How they map to the wire (camelCase names, timestamp and duration formats, open enums) is the
converter's job (`bandwidth_events._converter`).
"""

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, ClassVar, Final, Literal, TypeAlias, TypeVar, cast, get_args

import attrs

from ._durations import require_not_negative
from ._enums import FileFormat, RecordingStatus, file_format, recording_status
from ._json import EMPTY_OBJECT, frozen_object
from ._naming import EVENT_TYPE, EXTRA_FIELDS, wire_keys
from ._timestamps import to_utc

_T = TypeVar("_T")


def _required_first(
    _cls: type, fields: "Sequence[attrs.Attribute[Any]]"
) -> "list[attrs.Attribute[Any]]":
    # Keeps each class's own fields next to the shared ones and extra_fields last in reprs.
    return sorted(fields, key=lambda a: (a.default is not attrs.NOTHING) + (a.name == EXTRA_FIELDS))


class _RebuildOnPickle:
    """Pickle and deepcopy events through ``__init__``.

    The read-only mappings the events hold cannot be pickled; their converters make them again.
    """

    __slots__ = ()

    def __reduce__(self) -> tuple[object, ...]:
        cls = type(self)
        values: dict[str, object] = {}
        for field in attrs.fields(cast("type[attrs.AttrsInstance]", cls)):
            value = getattr(self, field.name)
            values[field.name] = dict(value) if isinstance(value, Mapping) else value  # pyright: ignore[reportUnknownArgumentType]
        return (_rebuild, (cls, values))


def _rebuild(cls: type[_T], values: dict[str, Any]) -> _T:
    return cls(**values)


def _no_modelled_keys(
    instance: "_ConferenceEvent", _attribute: object, value: Mapping[str, object]
) -> None:
    clash = sorted(wire_keys(type(instance)).intersection(value)) if value else None
    if clash:
        raise ValueError(f"extra_fields may not hold modelled wire fields: {clash}")


@attrs.frozen(kw_only=True, field_transformer=_required_first)
class _ConferenceEvent(_RebuildOnPickle):
    """The fields every conference webhook has (private: users see the concrete classes)."""

    event_type: ClassVar[str]
    accepts_bxml: ClassVar[bool]

    event_time: datetime = attrs.field(converter=to_utc)
    conference_id: str
    name: str
    tag: str | None = None
    extra_fields: Mapping[str, object] = attrs.field(
        default=EMPTY_OBJECT, converter=frozen_object, validator=_no_modelled_keys, hash=False
    )


@attrs.frozen(kw_only=True, field_transformer=_required_first)
class _ConferenceMemberEvent(_ConferenceEvent):
    """The fields of a member joining or leaving (private, like its base)."""

    call_id: str
    from_: str
    to: str


@attrs.frozen(kw_only=True, field_transformer=_required_first)
class ConferenceCreated(_ConferenceEvent):
    """A conference has started (``conferenceCreated``).

    Sent to the conference's event URL when the conference is created. Answer ``200`` with
    BXML to act on the conference (``accepts_bxml``), or an empty ``204``.

    Attributes:
        event_type: Always ``"conferenceCreated"``, the wire's ``eventType``.
        accepts_bxml: Always ``True``: Bandwidth runs the BXML of a ``200`` answer.
        event_time: ``eventTime``: when Bandwidth generated the event (approximate), in UTC.
        conference_id: ``conferenceId``: the conference's id, e.g. ``conf-…``.
        name: ``name``: the conference's custom name, the text of ``<Conference>``.
        tag: ``tag``: the tag set on the conference, or ``None`` when none was set (absent
            or ``null`` on the wire; written back as absent).
        extra_fields: Wire fields this version does not model, kept as received and written
            back, so forwarding an event loses nothing. Read-only; not part of the hash.
    """

    event_type: ClassVar[Literal["conferenceCreated"]] = "conferenceCreated"
    accepts_bxml: ClassVar[Literal[True]] = True


@attrs.frozen(kw_only=True, field_transformer=_required_first)
class ConferenceRedirect(_ConferenceEvent):
    """A conference was redirected to new BXML (``conferenceRedirect``).

    Sent to the conference's new event URL after an API request updated the conference with
    ``redirectUrl``. Answer ``200`` with BXML (``accepts_bxml``), or an empty ``204``.

    Attributes:
        event_type: Always ``"conferenceRedirect"``, the wire's ``eventType``.
        accepts_bxml: Always ``True``: Bandwidth runs the BXML of a ``200`` answer.
        event_time: ``eventTime``: when Bandwidth generated the event (approximate), in UTC.
        conference_id: ``conferenceId``: the conference's id, e.g. ``conf-…``.
        name: ``name``: the conference's custom name, the text of ``<Conference>``.
        tag: ``tag``: the tag set on the conference, or ``None`` when none was set (absent
            or ``null`` on the wire; written back as absent).
        extra_fields: Wire fields this version does not model, kept as received and written
            back, so forwarding an event loses nothing. Read-only; not part of the hash.
    """

    event_type: ClassVar[Literal["conferenceRedirect"]] = "conferenceRedirect"
    accepts_bxml: ClassVar[Literal[True]] = True


@attrs.frozen(kw_only=True, field_transformer=_required_first)
class ConferenceMemberJoin(_ConferenceMemberEvent):
    """A call joined a conference (``conferenceMemberJoin``).

    Sent to the conference's event URL each time a call joins the conference.
    Answer ``200`` with BXML to act on the conference (``accepts_bxml``), or an empty ``204``.

    Attributes:
        event_type: Always ``"conferenceMemberJoin"``, the wire's ``eventType``.
        accepts_bxml: Always ``True``: Bandwidth runs the BXML of a ``200`` answer.
        event_time: ``eventTime``: when Bandwidth generated the event (approximate), in UTC.
        conference_id: ``conferenceId``: the conference's id, e.g. ``conf-…``.
        name: ``name``: the conference's custom name, the text of ``<Conference>``.
        call_id: ``callId``: the call that joined, e.g. ``c-…``.
        from_: ``from`` (renamed: ``from`` is a Python keyword): the caller's identifier as
            provided, usually an E.164 number but possibly ``"Anonymous"`` or
            ``"Restricted"``. Kept as the string received, never checked to be a number.
        to: ``to``: the number called, in E.164 form.
        tag: ``tag``: the tag set on the conference, or ``None`` when none was set (absent
            or ``null`` on the wire; written back as absent).
        extra_fields: Wire fields this version does not model, kept as received and written
            back, so forwarding an event loses nothing. Read-only; not part of the hash.
    """

    event_type: ClassVar[Literal["conferenceMemberJoin"]] = "conferenceMemberJoin"
    accepts_bxml: ClassVar[Literal[True]] = True


@attrs.frozen(kw_only=True, field_transformer=_required_first)
class ConferenceMemberExit(_ConferenceMemberEvent):
    """A call left a conference (``conferenceMemberExit``).

    Sent to the conference's event URL each time a call leaves the conference. Answer ``200``
    with BXML to act on the conference (``accepts_bxml``), or an empty ``204``.

    Attributes:
        event_type: Always ``"conferenceMemberExit"``, the wire's ``eventType``.
        accepts_bxml: Always ``True``: Bandwidth runs the BXML of a ``200`` answer.
        event_time: ``eventTime``: when Bandwidth generated the event (approximate), in UTC.
        conference_id: ``conferenceId``: the conference's id, e.g. ``conf-…``.
        name: ``name``: the conference's custom name, the text of ``<Conference>``.
        call_id: ``callId``: the call that left, e.g. ``c-…``.
        from_: ``from`` (renamed: ``from`` is a Python keyword): the caller's identifier as
            provided, usually an E.164 number but possibly ``"Anonymous"`` or
            ``"Restricted"``. Kept as the string received, never checked to be a number.
        to: ``to``: the number called, in E.164 form.
        tag: ``tag``: the tag set on the conference, or ``None`` when none was set (absent
            or ``null`` on the wire; written back as absent).
        extra_fields: Wire fields this version does not model, kept as received and written
            back, so forwarding an event loses nothing. Read-only; not part of the hash.
    """

    event_type: ClassVar[Literal["conferenceMemberExit"]] = "conferenceMemberExit"
    accepts_bxml: ClassVar[Literal[True]] = True


@attrs.frozen(kw_only=True, field_transformer=_required_first)
class ConferenceCompleted(_ConferenceEvent):
    """A conference has ended (``conferenceCompleted``).

    Sent to the conference's event URL once every member has left. Asynchronous: Bandwidth
    expects an empty ``204`` and ignores any answer body (``accepts_bxml`` is ``False``).

    Attributes:
        event_type: Always ``"conferenceCompleted"``, the wire's ``eventType``.
        accepts_bxml: Always ``False``: answer ``204``; a body would be ignored.
        event_time: ``eventTime``: when Bandwidth generated the event (approximate), in UTC.
        conference_id: ``conferenceId``: the conference's id, e.g. ``conf-…``.
        name: ``name``: the conference's custom name, the text of ``<Conference>``.
        tag: ``tag``: the tag set on the conference, or ``None`` when none was set (absent
            or ``null`` on the wire; written back as absent).
        extra_fields: Wire fields this version does not model, kept as received and written
            back, so forwarding an event loses nothing. Read-only; not part of the hash.
    """

    event_type: ClassVar[Literal["conferenceCompleted"]] = "conferenceCompleted"
    accepts_bxml: ClassVar[Literal[False]] = False


@attrs.frozen(kw_only=True, field_transformer=_required_first)
class ConferenceRecordingAvailable(_ConferenceEvent):
    """A conference recording can be downloaded (``conferenceRecordingAvailable``).

    Sent to the ``recordingAvailableUrl`` of a ``<StartRecording>`` run in a conference, once the
    recording is done. Asynchronous: Bandwidth expects an empty ``204`` and ignores any answer
    body (``accepts_bxml`` is ``False``).

    Attributes:
        event_type: Always ``"conferenceRecordingAvailable"``, the wire's ``eventType``.
        accepts_bxml: Always ``False``: answer ``204``; a body would be ignored.
        event_time: ``eventTime``: when Bandwidth generated the event (approximate), in UTC.
        conference_id: ``conferenceId``: the conference the recording was made on.
        name: ``name``: the conference's custom name, the text of ``<Conference>``.
        account_id: ``accountId``: the account that owns the conference, a string of digits.
        recording_id: ``recordingId``: the unique id of this recording.
        channels: ``channels``: the number of audio channels; always 1 for conferences.
        start_time: ``startTime``: when the recording started, in UTC.
        end_time: ``endTime``: when the recording ended, in UTC.
        duration: ``duration``: the length of the recording. Bandwidth's own example shows it
            need not equal ``end_time - start_time``.
        file_format: ``fileFormat``: the audio format; a format this version does not know
            is kept as the plain string.
        status: ``status``: the state of the recording; a status this version does not know
            is kept as the plain string.
        media_url: ``mediaUrl``: where to download the media, or ``None`` when the wire had
            none (absent or ``null``, e.g. for a failed recording). Not checked to be a valid
            URL: Bandwidth's own example is not.
        tag: ``tag``: the tag set on the conference, or ``None`` when none was set (absent
            or ``null`` on the wire; written back as absent).
        extra_fields: Wire fields this version does not model, kept as received and written
            back, so forwarding an event loses nothing. Read-only; not part of the hash.
    """

    event_type: ClassVar[Literal["conferenceRecordingAvailable"]] = "conferenceRecordingAvailable"
    accepts_bxml: ClassVar[Literal[False]] = False

    account_id: str
    recording_id: str
    channels: int
    start_time: datetime = attrs.field(converter=to_utc)
    end_time: datetime = attrs.field(converter=to_utc)
    duration: timedelta = attrs.field(validator=require_not_negative)
    file_format: FileFormat | str = attrs.field(converter=file_format)
    status: RecordingStatus | str = attrs.field(converter=recording_status)
    media_url: str | None = None


def _has_event_type(_instance: object, _attribute: object, value: Mapping[str, object]) -> None:
    if not isinstance(value.get(EVENT_TYPE), str):
        raise TypeError(f"an UnknownEvent's payload needs a string {EVENT_TYPE}")


@attrs.frozen
class UnknownEvent(_RebuildOnPickle):
    """A webhook whose ``eventType`` this version does not model yet.

    `parse_event` returns one instead of failing, so a receiver keeps working when Bandwidth
    adds an event, and `to_dict` gives the payload back unchanged.

    Attributes:
        accepts_bxml: Always ``False``: with the event unknown, whether Bandwidth would run
            BXML is unknown too, and an empty ``204`` is an answer every event accepts.
        payload: The decoded body, as received (a read-only copy). Not part of the hash.
    """

    accepts_bxml: ClassVar[Literal[False]] = False

    payload: Mapping[str, object] = attrs.field(
        converter=frozen_object, validator=_has_event_type, hash=False
    )

    @property
    def event_type(self) -> str:
        """The wire's ``eventType``, e.g. ``"callInitiated"``."""
        return cast("str", self.payload[EVENT_TYPE])  # the validator checked it


#: Any conference webhook: the union `parse_event` returns (besides `UnknownEvent`), ready for
#: ``match`` with ``assert_never``. This union is the registry: a new event is a class plus one
#: line here, and `EVENT_CLASSES` follows.
ConferenceEvent: TypeAlias = (
    ConferenceCreated
    | ConferenceRedirect
    | ConferenceMemberJoin
    | ConferenceMemberExit
    | ConferenceCompleted
    | ConferenceRecordingAvailable
)

#: Every event class, by its wire ``eventType``: the one table `parse_event` dispatches on.
EVENT_CLASSES: Final[Mapping[str, type[ConferenceEvent]]] = MappingProxyType(
    {cls.event_type: cls for cls in get_args(ConferenceEvent)}
)
