"""Our models against the official SDK's: the same wire fields and enum values, or a listed reason.

``bandwidth-sdk`` (a test dependency only, never imported by the library) is generated from
Bandwidth's OpenAPI spec: each webhook is a pydantic model whose fields carry the JSON key as
their ``alias`` (``from_`` is ``var_from`` there, with alias ``from``). Its ``from_dict`` reads
exactly those keys (the generated ``__properties`` list) and puts any other key in
``additional_properties``. So a model's wire fields are its fields' aliases, bar that catch-all.

Where Bandwidth's sources disagree (its docs, its two specs, the SDK) our models follow the docs
and keep the rest; each such difference is listed below with its reason. A new SDK release that
adds or drops a field, an enum member or a webhook model fails here with what changed: check
Bandwidth's docs, then change the model or the list. A listed difference the SDK no longer has
fails too, so the lists stay true.
"""

import enum
import importlib
import importlib.metadata
import re
import typing
from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from enum import StrEnum
from types import ModuleType
from typing import Final

import pytest
from pydantic import BaseModel

from bandwidth_events._enums import (
    CallCause,
    CallDirection,
    DiversionReason,
    FileFormat,
    MachineDetectionValue,
    RecordingStatus,
    ReferStatus,
    RejectionCause,
    StopCause,
    StreamTrack,
    TranscriptionStatus,
)
from bandwidth_events._events import (
    EVENT_CLASSES,
    MODEL_CLASSES,
    Answer,
    BridgeComplete,
    BridgeTargetComplete,
    ConferenceCompleted,
    ConferenceCreated,
    ConferenceMemberExit,
    ConferenceMemberJoin,
    ConferenceRecordingAvailable,
    ConferenceRedirect,
    Disconnect,
    Diversion,
    Dtmf,
    Gather,
    Initiate,
    MachineDetectionComplete,
    MachineDetectionResult,
    MediaStream,
    MediaStreamRejected,
    MediaStreamStarted,
    MediaStreamStopped,
    Model,
    RealTimeTranscription,
    RealTimeTranscriptionAvailable,
    RealTimeTranscriptionRejected,
    RealTimeTranscriptionStarted,
    RealTimeTranscriptionStopped,
    RecordComplete,
    RecordingAvailable,
    Redirect,
    ReferComplete,
    StirShaken,
    Transcription,
    TranscriptionAvailable,
    TransferAnswer,
    TransferComplete,
    TransferDisconnect,
)
from bandwidth_events._naming import EVENT_TYPE, aliases, wire_fields, wire_keys, wire_name

# Imported by name: the SDK ships no py.typed, so the type checkers see only what we narrow.
SDK: Final[ModuleType] = importlib.import_module("bandwidth.models")
SDK_RELEASE: Final = f"bandwidth-sdk {importlib.metadata.version('bandwidth-sdk')}"
#: The field of every generated model that holds the keys it does not model.
SDK_CATCH_ALL: Final = "additional_properties"
#: Where to fix a failure: every message ends with it.
UPDATE: Final = (
    "check Bandwidth's docs, then update the model or the list in tests/test_sdk_oracle.py"
)

#: Each of our classes the SDK models, and the name of its SDK model.
SDK_MODELS: Final[Mapping[type[Model], str]] = {
    Initiate: "InitiateCallback",
    Answer: "AnswerCallback",
    Disconnect: "DisconnectCallback",
    Redirect: "RedirectCallback",
    MachineDetectionComplete: "MachineDetectionCompleteCallback",
    Gather: "GatherCallback",
    Dtmf: "DtmfCallback",
    TransferAnswer: "TransferAnswerCallback",
    TransferComplete: "TransferCompleteCallback",
    TransferDisconnect: "TransferDisconnectCallback",
    BridgeComplete: "BridgeCompleteCallback",
    BridgeTargetComplete: "BridgeTargetCompleteCallback",
    RecordComplete: "RecordingCompleteCallback",  # the specs' name: the wire sends recordComplete
    ReferComplete: "ReferCompleteCallback",
    RecordingAvailable: "RecordingAvailableCallback",
    TranscriptionAvailable: "TranscriptionAvailableCallback",
    ConferenceCreated: "ConferenceCreatedCallback",
    ConferenceRedirect: "ConferenceRedirectCallback",
    ConferenceMemberJoin: "ConferenceMemberJoinCallback",
    ConferenceMemberExit: "ConferenceMemberExitCallback",
    ConferenceCompleted: "ConferenceCompletedCallback",
    ConferenceRecordingAvailable: "ConferenceRecordingAvailableCallback",
    MachineDetectionResult: "MachineDetectionResult",
    Diversion: "Diversion",
    StirShaken: "StirShaken",
    Transcription: "Transcription",
}

_DOCS_ONLY_STREAM = "in Bandwidth's docs only: no schema in either spec, no SDK model"
#: Each of our classes the SDK does not model, and why.
NOT_IN_SDK: Final[Mapping[type[Model], str]] = {
    MediaStreamStarted: _DOCS_ONLY_STREAM,
    MediaStreamRejected: _DOCS_ONLY_STREAM,
    MediaStreamStopped: _DOCS_ONLY_STREAM,
    RealTimeTranscriptionStarted: _DOCS_ONLY_STREAM,
    RealTimeTranscriptionAvailable: _DOCS_ONLY_STREAM,
    RealTimeTranscriptionRejected: _DOCS_ONLY_STREAM,
    RealTimeTranscriptionStopped: _DOCS_ONLY_STREAM,
    MediaStream: "nested only in the media-stream events, which the SDK does not model",
    RealTimeTranscription: "nested only in the real-time transcription events (no SDK model)",
}

#: Each SDK webhook model that is not a voice webhook, and what it is instead.
SDK_WEBHOOKS_NOT_OURS: Final[Mapping[str, str]] = {
    "Callback": "the messaging API's oneOf of InboundCallback and StatusCallback",
    "InboundCallback": "a messaging webhook (an inbound message), not a voice one",
    "StatusCallback": "a messaging webhook (an outbound message's status), not a voice one",
    "EndpointEvent": "a WebRTC endpoint's device event (it has an eventType), not a voice one",
}

_DOCS_TRANSCRIPTION = (
    "the docs' examples (payloads/transcriptionAvailable*.json) send it; the specs and the SDK "
    "have text/confidence/speaker instead"
)
_BRIDGE_EXAMPLE = "sent in the docs' example payloads/bridgeComplete-3.json; in no table or spec"
#: Wire fields we read that the SDK's model does not, by class, each with why we read it.
ONLY_OURS: Final[Mapping[type[Model], Mapping[str, str]]] = {
    TransferAnswer: {
        "parentCallId": "in the docs' table (always present) and both examples; in neither spec",
    },
    BridgeComplete: {"transferCallerId": _BRIDGE_EXAMPLE, "transferTo": _BRIDGE_EXAMPLE},
    Transcription: {
        "id": _DOCS_TRANSCRIPTION,
        "url": _DOCS_TRANSCRIPTION,
        "status": _DOCS_TRANSCRIPTION,
        "completedTime": _DOCS_TRANSCRIPTION,
    },
}

#: Wire fields the SDK's model reads that ours does not, by class, each with why we do not.
ONLY_SDK: Final[Mapping[type[Model], Mapping[str, str]]] = {
    Diversion: {
        "unknown": "the docs send it only to show an unlisted key: kept in extra_fields",
    },
}

#: Each SDK enum a webhook field is typed with (and any other of the same values), and ours.
SDK_ENUMS: Final[Mapping[str, type[StrEnum]]] = {
    "CallDirectionEnum": CallDirection,
    "FileFormatEnum": FileFormat,
    "ReferCallStatusEnum": ReferStatus,
    # No webhook field: the tracks of the REST API's real-time transcriptions, as <StartStream>'s.
    "CallTranscriptionTrackEnum": StreamTrack,
}

_SDK_STR = "the SDK types this field as a plain string, so there is no enum to compare"
#: Our open enums with no SDK enum, and why.
NO_SDK_ENUM: Final[Mapping[type[StrEnum], str]] = {
    RecordingStatus: _SDK_STR,
    CallCause: _SDK_STR,
    MachineDetectionValue: _SDK_STR,
    DiversionReason: _SDK_STR,
    RejectionCause: "only the media-stream and transcription events use it: no SDK model",
    StopCause: "only the media-stream and transcription events use it: no SDK model",
    TranscriptionStatus: "the SDK's Transcription has no status field (see ONLY_OURS)",
}

#: Values our open enums have and the SDK's do not, by enum, each with why we have them.
ENUM_ONLY_OURS: Final[Mapping[type[StrEnum], Mapping[str, str]]] = {}

#: Values the SDK's enums have and ours do not, by our enum, each with why we do not.
ENUM_ONLY_SDK: Final[Mapping[type[StrEnum], Mapping[str, str]]] = {}


def differences(
    found: AbstractSet[str], listed: Mapping[str, str], *, new: str, stale: str
) -> list[str]:
    """Give a message for the found differences not listed, and one for the listed not found.

    Args:
        found: The differences there are.
        listed: The differences the test expects, each with its reason.
        new: The message for unlisted ones, with ``{}`` where they go.
        stale: The message for listed ones that are no longer differences, likewise.
    """
    problems: list[str] = []
    if unlisted := sorted(found - listed.keys()):
        problems.append(new.format(unlisted))
    if gone := sorted(listed.keys() - found):
        problems.append(stale.format(gone))
    return problems


def sdk_model(name: str) -> type[BaseModel]:
    """Give the SDK's model of that name, or fail the test saying it is gone."""
    found: object = getattr(SDK, name, None)
    if not (isinstance(found, type) and issubclass(found, BaseModel)):
        pytest.fail(f"{SDK_RELEASE} has no model {name} (renamed or dropped?): {UPDATE}")
    return found


def sdk_enum(name: str) -> type[enum.Enum]:
    """Give the SDK's enum of that name, or fail the test saying it is gone."""
    found: object = getattr(SDK, name, None)
    if not (isinstance(found, type) and issubclass(found, enum.Enum)):
        pytest.fail(f"{SDK_RELEASE} has no enum {name} (renamed or dropped?): {UPDATE}")
    return found


def sdk_types(model: type[BaseModel]) -> dict[str, object]:
    """Give the type of each wire field of an SDK model, by wire key (its field's alias)."""
    return {
        field.alias or name: field.annotation
        for name, field in model.model_fields.items()
        if name != SDK_CATCH_ALL
    }


def our_types(cls: type[Model]) -> dict[str, object]:
    """Give the type of each wire field of one of our classes, by wire key (aliases too)."""
    types: dict[str, object] = {wire_name(a.name): a.type for a in wire_fields(cls)}
    types.update({alias: types[key] for key, alias in aliases(cls).items()})
    if EVENT_TYPE in wire_keys(cls):
        types[EVENT_TYPE] = str
    return types


def classes_in(annotation: object) -> Iterator[type[object]]:
    """Give the classes an annotation names, through unions, ``Annotated`` and generics."""
    if isinstance(annotation, type) and not typing.get_args(annotation):
        yield annotation
    for argument in typing.get_args(annotation):
        yield from classes_in(argument)


def sdk_webhook_models() -> set[str]:
    """Give the name of every SDK model of a webhook: a ``…Callback``, or one with eventType."""
    return {
        name
        for name, found in vars(SDK).items()
        if isinstance(found, type)
        and issubclass(found, BaseModel)
        and (name.endswith("Callback") or EVENT_TYPE in sdk_types(found))
    }


def compared(mapping: Mapping[type[Model], str]) -> list[type[Model]]:
    """Give the classes of a mapping in order, for ``parametrize``."""
    return list(mapping)


def by_name(cls: type[object]) -> str:
    """Name a ``parametrize`` case after its class."""
    return cls.__name__


def test_every_class_is_compared_or_excused() -> None:
    """Each of our model classes is compared with an SDK model or listed, with why, as not."""
    both = SDK_MODELS.keys() & NOT_IN_SDK.keys()
    assert not both, f"{sorted(map(by_name, both))} are both compared and excused"
    missing = set(MODEL_CLASSES) - SDK_MODELS.keys() - NOT_IN_SDK.keys()
    assert not missing, (
        f"{sorted(map(by_name, missing))} are new: add each to SDK_MODELS or to NOT_IN_SDK "
        "with the reason"
    )
    unknown = (SDK_MODELS.keys() | NOT_IN_SDK.keys()) - set(MODEL_CLASSES)
    assert not unknown, f"{sorted(map(by_name, unknown))} are in no MODEL_CLASSES"


def test_every_listed_difference_is_of_a_compared_thing() -> None:
    """Each listed difference names a compared class or enum and gives a one-line reason."""
    problems = [
        f"{table} lists {cls.__name__}, which is not compared with the SDK"
        for table, listed, known in (
            ("ONLY_OURS", ONLY_OURS.keys(), SDK_MODELS.keys()),
            ("ONLY_SDK", ONLY_SDK.keys(), SDK_MODELS.keys()),
            ("ENUM_ONLY_OURS", ENUM_ONLY_OURS.keys(), set(SDK_ENUMS.values())),
            ("ENUM_ONLY_SDK", ENUM_ONLY_SDK.keys(), set(SDK_ENUMS.values())),
        )
        for cls in listed - known
    ]
    per_value = (ONLY_OURS, ONLY_SDK, ENUM_ONLY_OURS, ENUM_ONLY_SDK)
    reasons = [
        *NOT_IN_SDK.values(),
        *SDK_WEBHOOKS_NOT_OURS.values(),
        *NO_SDK_ENUM.values(),
        *(reason for table in per_value for listed in table.values() for reason in listed.values()),
    ]
    problems += [
        f"not a one-line reason: {reason!r}"
        for reason in reasons
        if not reason.strip() or "\n" in reason
    ]
    assert not problems, "\n".join(problems)


def test_every_sdk_webhook_model_is_matched() -> None:
    """Each SDK webhook model is matched to one of our classes or listed, with why, as not ours."""
    ours = set(SDK_MODELS.values())
    problems = differences(
        sdk_webhook_models() - ours,
        SDK_WEBHOOKS_NOT_OURS,
        new=f"{SDK_RELEASE} has webhook model(s) {{}} that no class of ours is matched to: "
        f"model it and add it to SDK_MODELS, or list it in SDK_WEBHOOKS_NOT_OURS; {UPDATE}",
        stale=f"SDK_WEBHOOKS_NOT_OURS lists {{}}, no longer webhook models in {SDK_RELEASE}: "
        f"{UPDATE}",
    )
    problems += [
        f"SDK_WEBHOOKS_NOT_OURS lists {name}, which SDK_MODELS matches to a class of ours"
        for name in sorted(ours & SDK_WEBHOOKS_NOT_OURS.keys())
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("cls", compared(NOT_IN_SDK), ids=by_name)
def test_excused_classes_have_no_sdk_model(cls: type[Model]) -> None:
    """A class listed as not in the SDK has no SDK model of its name."""
    name = f"{cls.__name__}Callback" if EVENT_TYPE in wire_keys(cls) else cls.__name__
    assert not hasattr(SDK, name), (
        f"{SDK_RELEASE} now models {cls.__name__} as {name}: add it to SDK_MODELS instead of "
        f"NOT_IN_SDK; {UPDATE}"
    )


@pytest.mark.parametrize("cls", compared(SDK_MODELS), ids=by_name)
def test_sdk_reads_the_keys_its_fields_alias(cls: type[Model]) -> None:
    """The SDK model's from_dict reads just its fields' aliases; other keys go to its catch-all."""
    model = sdk_model(SDK_MODELS[cls])
    assert SDK_CATCH_ALL in model.model_fields, f"{model.__name__} has no {SDK_CATCH_ALL} any more"
    read: object = getattr(model, f"_{model.__name__}__properties", None)
    assert isinstance(read, list), f"{model.__name__} has no generated __properties list any more"
    keys = typing.cast("list[object]", read)  # narrowed to a list just above
    assert sorted(map(str, keys)) == sorted(sdk_types(model)), (
        f"{model.__name__}: the JSON keys from_dict reads are not its fields' aliases; "
        "this test's way of reading the SDK's wire fields needs updating"
    )


@pytest.mark.parametrize("cls", compared(SDK_MODELS), ids=by_name)
def test_wire_fields_match_the_sdk(cls: type[Model]) -> None:
    """Our class reads the wire fields its SDK model reads, bar the listed differences."""
    name = SDK_MODELS[cls]
    theirs = sdk_types(sdk_model(name)).keys()
    ours = wire_keys(cls)
    where = f"{cls.__name__} ({name} in {SDK_RELEASE})"
    problems = differences(
        theirs - ours,
        ONLY_SDK.get(cls, {}),
        new=f"{where}: the SDK reads wire field(s) {{}} that we do not model, and ONLY_SDK does "
        f"not list them; {UPDATE}",
        stale=f"{where}: ONLY_SDK lists {{}}, which we model now or the SDK dropped; {UPDATE}",
    )
    problems += differences(
        ours - theirs,
        ONLY_OURS.get(cls, {}),
        new=f"{where}: we read wire field(s) {{}} that the SDK does not, and ONLY_OURS does not "
        f"list them; {UPDATE}",
        stale=f"{where}: ONLY_OURS lists {{}}, which the SDK reads now or we dropped; {UPDATE}",
    )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("cls", compared(SDK_MODELS), ids=by_name)
def test_sdk_models_and_enums_in_fields_are_matched(cls: type[Model]) -> None:
    """Where the SDK types a shared field with a model or an enum, ours uses its counterpart."""
    name = SDK_MODELS[cls]
    theirs = sdk_types(sdk_model(name))
    ours = our_types(cls)
    counterparts: dict[str, type[object]] = {v: k for k, v in SDK_MODELS.items()}
    counterparts.update(SDK_ENUMS)
    problems: list[str] = []
    for key in sorted(theirs.keys() & ours.keys()):
        our_classes = set(classes_in(ours[key]))
        for their_class in classes_in(theirs[key]):
            if not issubclass(their_class, BaseModel | enum.Enum):
                continue
            counterpart = counterparts.get(their_class.__name__)
            if counterpart is None:
                problems.append(
                    f"{cls.__name__}.{key}: {name} types it with {their_class.__name__}, which "
                    f"SDK_MODELS/SDK_ENUMS match to nothing of ours; {UPDATE}"
                )
            elif counterpart not in our_classes:
                problems.append(
                    f"{cls.__name__}.{key}: {name} types it with {their_class.__name__}, but ours "
                    f"is not typed with {counterpart.__name__}; {UPDATE}"
                )
    assert not problems, "\n".join(problems)


def test_every_open_enum_is_compared_or_excused() -> None:
    """Each open enum our models use is compared with an SDK enum or listed, with why, as not."""
    everything = {
        found
        for cls in MODEL_CLASSES
        for annotation in our_types(cls).values()
        for found in classes_in(annotation)
        if issubclass(found, StrEnum)
    }
    compared_enums = set(SDK_ENUMS.values())
    both = compared_enums & NO_SDK_ENUM.keys()
    assert not both, f"{sorted(map(by_name, both))} are in both SDK_ENUMS and NO_SDK_ENUM"
    missing = everything - compared_enums - NO_SDK_ENUM.keys()
    assert not missing, (
        f"{sorted(map(by_name, missing))} are new: add each to SDK_ENUMS or to NO_SDK_ENUM "
        "with the reason"
    )
    unknown = (compared_enums | NO_SDK_ENUM.keys()) - everything
    assert not unknown, f"{sorted(map(by_name, unknown))} are open enums no model uses"


@pytest.mark.parametrize(
    ("sdk_name", "ours"), list(SDK_ENUMS.items()), ids=[c.__name__ for c in SDK_ENUMS.values()]
)
def test_enum_values_match_the_sdk(sdk_name: str, ours: type[StrEnum]) -> None:
    """Our open enum has the values of its SDK enum, bar the listed differences."""
    theirs = {str(member.value) for member in sdk_enum(sdk_name)}
    values = {member.value for member in ours}
    where = f"{ours.__name__} ({sdk_name} in {SDK_RELEASE})"
    problems = differences(
        theirs - values,
        ENUM_ONLY_SDK.get(ours, {}),
        new=f"{where}: the SDK has value(s) {{}} that we do not, and ENUM_ONLY_SDK does not "
        f"list them; {UPDATE}",
        stale=f"{where}: ENUM_ONLY_SDK lists {{}}, which we have now or the SDK dropped; {UPDATE}",
    )
    problems += differences(
        values - theirs,
        ENUM_ONLY_OURS.get(ours, {}),
        new=f"{where}: we have value(s) {{}} that the SDK does not, and ENUM_ONLY_OURS does not "
        f"list them; {UPDATE}",
        stale=f"{where}: ENUM_ONLY_OURS lists {{}}, which the SDK has now or we dropped; {UPDATE}",
    )
    assert not problems, "\n".join(problems)


def test_sdk_event_types_dispatch_to_the_matched_class() -> None:
    """Each eventType the SDK's models document is one we parse, to the class matched with it."""
    listed = re.compile(r"one of the following: (.+)\.$")
    counterparts = {v: k for k, v in SDK_MODELS.items()}
    problems: list[str] = []
    documented: set[str] = set()
    for name in sorted(SDK_MODELS.values()):
        model = sdk_model(name)
        field = next((f for f in model.model_fields.values() if f.alias == EVENT_TYPE), None)
        if field is None:
            continue  # a nested object
        match = listed.search(field.description or "")
        if match is None:
            problems.append(f"{name}: its eventType description lists no values any more")
        else:
            documented.update(match.group(1).split(", "))
    for event_type in sorted(documented):
        model_name = f"{event_type[0].upper()}{event_type[1:]}Callback"
        matched = counterparts.get(model_name)
        if event_type not in EVENT_CLASSES:
            problems.append(f"{SDK_RELEASE} documents eventType {event_type!r}: we do not parse it")
        elif matched is not EVENT_CLASSES[event_type]:
            problems.append(
                f"eventType {event_type!r} parses to {EVENT_CLASSES[event_type].__name__}, but "
                f"SDK_MODELS matches {model_name} to {by_name(matched) if matched else 'nothing'}"
            )
    assert documented, "no eventType values found in the SDK's descriptions"
    assert not problems, "\n".join(problems)


#: Differences found, with what the comparison says of them against the listed ``{"a"}``.
DIFFERENCE_CASES: Final[list[tuple[set[str], list[str]]]] = [
    ({"a"}, []),
    ({"a", "b"}, ["new ['b']"]),
    (set(), ["stale ['a']"]),
    ({"b"}, ["new ['b']", "stale ['a']"]),
]


@pytest.mark.parametrize(("found", "expected"), DIFFERENCE_CASES)
def test_differences_reports_unlisted_and_stale(found: set[str], expected: list[str]) -> None:
    """The comparison reports a difference nobody listed and a listed one that is gone."""
    assert differences(found, {"a": "reason"}, new="new {}", stale="stale {}") == expected
