"""What each field means, written once: the ``Attributes:`` section of every class is made here.

A field's meaning is the same on every event that carries it, so it is written once, below, by
attribute name; a class whose field means something else says so with ``wire(doc=…)``. What
follows from the field's type (optional, open enum, a second wire key) is added by `document`,
so no class repeats it.
"""

from collections.abc import Mapping
from enum import StrEnum
from types import NoneType, UnionType
from typing import Any, Final, get_args, get_origin

import attrs

from bandwidth_events._kinds import field_kinds, is_optional
from bandwidth_events._naming import (
    ALIAS,
    DOC,
    EXTRA_FIELDS,
    WIRE_SPELLING,
)

_B_LEG = "If the event is about the B leg of a ``<Transfer>``, "

FIELD_DOCS: Final[Mapping[str, str]] = {
    # Every event
    "event_time": "when Bandwidth generated the event (approximate), in UTC.",
    "tag": "the ``tag`` your application set (on the call, or on the conference), if any.",
    # Conferences
    "conference_id": "the conference's id, e.g. ``conf-…``.",
    "name": "the conference's custom name, the text of ``<Conference>``.",
    # Calls
    "account_id": "the account that owns the call, a string of digits.",
    "application_id": "the id of the application the call belongs to.",
    "call_id": "the call the event is about, e.g. ``c-…``.",
    "call_url": "the call's URL in Bandwidth's API. Not checked to be a valid URL: "
    "Bandwidth's own examples are not.",
    "from_": "``from`` renamed (``from`` is a Python keyword): the caller's identifier as "
    "provided, usually an E.164 number but possibly ``Private``, ``Restricted``, "
    "``Unavailable`` or ``Anonymous``. Kept as the string received.",
    "to": "the number called, in E.164 form (e.g. ``+15555555555``).",
    "direction": "whether the call is ``inbound`` or ``outbound``; it never changes.",
    "start_time": "when the call started, in UTC.",
    "answer_time": "when the call was answered, in UTC.",
    "enqueued_time": "when the call was queued, in UTC: only for outbound calls with call "
    "queueing.",
    "end_time": "when the call ended, in UTC.",
    "cause": "why the call ended.",
    "error_message": "what went wrong, in words, when the cause is an error.",
    "error_id": "Bandwidth's internal id of the error.",
    "parent_call_id": _B_LEG + "the call id of the A leg that ran it.",
    "transfer_caller_id": _B_LEG + "the number used as the B leg's ``from`` (E.164, or "
    "``Restricted``, ``Anonymous``, ``Private`` or ``Unavailable``).",
    "transfer_to": _B_LEG + "the number used as the B leg's ``to``, in E.164 form.",
    "sip_call_id": "the SIP Call-ID of the call's current dialog with Bandwidth's SBC (in the "
    "SDK's spec, not the docs).",
    "sip_response_code": "the SIP status Bandwidth's SBC got when an outbound INVITE was "
    "rejected, e.g. 486 for busy (in the SDK's spec, not the docs).",
    "sip_headers": "the customer-supplied ``X-`` headers of the original INVITE, names in "
    "lower case; only for inbound SIP URI calls (in the SDK's spec, not the docs). Read-only.",
    "uui": "the ``User-To-User`` header of the INVITE, with its ``encoding`` parameter "
    "(``base64``, ``jwt`` or ``hex``).",
    "diversion": "the most recent SIP ``Diversion`` header, if the call was diverted.",
    "stir_shaken": "the result of Bandwidth's STIR/SHAKEN check of the ``Identity`` header.",
    "machine_detection_result": "what answering-machine detection decided.",
    # BXML verbs
    "digits": "the digits, letters and symbols the caller entered; empty if the gather timed "
    "out first.",
    "terminating_digit": "the digit that ended the gather; empty if none did.",
    "digit": "the one digit the caller pressed.",
    "refer_call_status": "whether the ``<Refer>`` transferred the call.",
    "refer_sip_response_code": "the SIP status the caller's endpoint answered the REFER with, "
    "if it answered.",
    "notify_sip_response_code": "the SIP status in the caller's final NOTIFY, if it sent one "
    "(not on a NOTIFY timeout, nor when the REFER was rejected).",
    # Recordings
    "recording_id": "the recording's id, e.g. ``r-…``.",
    "media_url": "where to download the recording. Not checked to be a valid URL: Bandwidth's "
    "own examples are not.",
    "duration": "the length of the recording. Bandwidth's own example shows it need not equal "
    "``end_time - start_time``.",
    "channels": "the number of audio channels in the recording.",
    "file_format": "the audio format the recording was saved in.",
    "status": "the state of the recording: ``partial`` is downloadable but incomplete.",
    "transcription": "the transcription, in one of the shapes Bandwidth's sources give.",
    # Streams and real-time transcriptions
    "media_stream": "the media stream.",
    "original_media_stream": "the stream already running under the same name, when the "
    "rejection is a ``duplicate``.",
    "real_time_transcription": "the real-time transcription.",
    "original_transcription": "the transcription already running under the same name, when "
    "the rejection is a ``duplicate``.",
    # Nested objects
    "value": "the decision.",
    "orig_to": "the last number the call was diverted from (always present).",
    "reason": "why the call was diverted.",
    "screen": "``no`` if the user provided the number, ``yes`` if the network did.",
    "privacy": "``off`` or ``full``.",
    "counter": "how many diversions there have been, as the string Bandwidth sends.",
    "limit": "how many diversions are allowed, as the string Bandwidth sends.",
    "verstat": "whether verification passed. Bandwidth's sources spell the values "
    "``TN-Verification-Passed`` or ``TN-Validation-Passed`` (and ``-Failed``), in varying "
    "case, so it is kept as the string received: compare it case-insensitively.",
    "attestation_indicator": "the attestation level: ``A`` (full), ``B`` (partial) or ``C`` "
    "(gateway).",
    "originating_id": "a unique origination identifier.",
    "id": "its id.",
    "url": "where to download it. Not checked to be a valid URL.",
    "completed_time": "when it was completed and ready to download, in UTC.",
    "text": "the transcribed text.",
    "confidence": "how sure the transcription is, from 0.0 to 1.0 (kept as the number received, "
    "so ``1`` stays an ``int``).",
    "speaker": "the zero-based index of the speaker.",
    "destination": "the ``wss://`` URL the media goes to.",
    "tracks": "the sides of the call it carries: ``inbound``, ``outbound`` or both.",
    "type": "the kind of stream; today only ``WebSocket``.",
    "stabilized": "whether updates go to ``destination`` only once they are stable. Bandwidth "
    'sends the strings ``"true"``/``"false"``, written back so; a JSON boolean is read too, '
    "and written back as one.",
}

_EXTRA = (
    "Wire fields this version does not model, kept as received and written back, so "
    "forwarding the object loses nothing. Read-only; not part of the hash."
)
_SPELLING = (
    "The wire keys that arrived in their second documented spelling (an aliased key, a "
    "boolean sent as a JSON boolean, the spec's ``eventType``), so that each is written back "
    "as it came. Set by the parser; not compared."
)


def _describe_type(field_type: Any) -> str:  # noqa: ANN401 -- any annotation
    notes: list[str] = []
    if is_optional(field_type):
        notes.append("``None`` when the wire has none (absent or ``null``; written back absent).")
    enums = [a for a in get_args(field_type) if isinstance(a, type) and issubclass(a, StrEnum)]
    if enums:
        notes.append(
            f"A `{enums[0].__name__}` member, or the plain string for a value this version "
            "does not know."
        )
    return " ".join(notes)


def type_text(field_type: Any) -> str:  # noqa: ANN401 -- any annotation
    """Write an attribute type as users read it: ``CallCause | str``, ``datetime | None``."""
    if isinstance(field_type, UnionType):
        return " | ".join(map(type_text, get_args(field_type)))
    if field_type is NoneType:
        return "None"
    if get_origin(field_type) is tuple:
        return f"tuple[{type_text(get_args(field_type)[0])}, ...]"
    if get_origin(field_type) is not None:  # Mapping[str, str]
        return f"Mapping[{', '.join(map(type_text, get_args(field_type)))}]"
    return str(field_type.__name__)


def rows(cls: type) -> list[tuple[str, str, str, str]]:
    """Give each wire field of a model class: its wire key(s), attribute, type and meaning.

    The same text as the class's ``Attributes:`` section, for the docs' field tables.
    """
    found: list[tuple[str, str, str, str]] = []
    for field, key, annotation, _kind in field_kinds(cls):
        shown = f"``{key}``"
        if ALIAS in field.metadata:
            shown += f" or ``{field.metadata[ALIAS]}``"
        found.append((shown, field.name, type_text(annotation), _meaning(field, annotation)))
    return found


def _meaning(field: "attrs.Attribute[Any]", annotation: Any) -> str:  # noqa: ANN401
    meaning = field.metadata.get(DOC) or FIELD_DOCS[field.name]
    text = f"{meaning} {_describe_type(annotation)}".rstrip()
    if ALIAS in field.metadata:
        text += (
            f" Also read from ``{field.metadata[ALIAS]}``, and written back under the key that "
            "arrived."
        )
    return text[0].upper() + text[1:]


class _Docstring:
    """A model class's docstring, its ``Attributes:`` section written on first read.

    ``type.__doc__`` calls the descriptor it finds in the class, so ``help()``, `inspect` and
    Sphinx read the whole text, and importing the package does not pay for writing 35 of them.
    """

    __slots__ = ("_cls", "_source", "_text")

    def __init__(self, cls: type, source: str) -> None:
        self._cls = cls
        self._source = source
        self._text: str | None = None

    def __get__(self, _instance: object, _owner: type | None = None) -> str:
        if self._text is None:
            self._text = _with_attributes(self._cls, self._source)
        return self._text


def document(cls: type) -> None:
    """Give a model class its docstring with an ``Attributes:`` section, written when read."""
    # (type.__setattr__: the checkers type __doc__ as a str, which is what reading it gives.)
    type.__setattr__(cls, "__doc__", _Docstring(cls, cls.__doc__ or ""))


def _with_attributes(cls: type, source: str) -> str:
    """Give a docstring with the ``Attributes:`` section of its class appended."""
    lines = ["", "", "Attributes:"]
    event_type: str | None = getattr(cls, "event_type", None)
    if event_type is not None:
        others: tuple[str, ...] = getattr(cls, "event_type_aliases", ())
        also = "".join(f" (or ``{alias!r}``)" for alias in others)
        lines.append(f"    event_type: Always ``{event_type!r}``{also}, the wire's ``eventType``.")
        accepts_bxml: bool = getattr(cls, "accepts_bxml", False)
        if accepts_bxml:
            lines.append(
                "    accepts_bxml: Always ``True``: Bandwidth runs the BXML of a ``200`` answer."
            )
        else:
            lines.append(
                "    accepts_bxml: Always ``False``: answer ``204``; Bandwidth ignores any body."
            )
    for key, name, _type, meaning in rows(cls):
        lines.append(f"    {name}: {key}: {meaning}")
    lines.append(f"    {EXTRA_FIELDS}: {_EXTRA}")
    if any(field.name == WIRE_SPELLING for field in attrs.fields(cls)):
        lines.append(f"    {WIRE_SPELLING}: {_SPELLING}")
    doc = source.rstrip()
    # Indented as the docstring's own lines are, so it stays one block once cleaned.
    body = [line for line in doc.splitlines()[1:] if line.strip()]
    indent = min((len(line) - len(line.lstrip()) for line in body), default=4)
    return doc + "\n".join(" " * indent + line if line else "" for line in lines) + "\n"
