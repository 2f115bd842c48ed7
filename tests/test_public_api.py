"""The public namespace: exactly what __all__ says, and a version from the installed metadata."""

import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

import bandwidth_events


def test_all_is_exactly_the_public_namespace() -> None:
    """Every public name is in __all__, and every name in __all__ exists."""
    # The testing and celery submodules are public, but imported on purpose, never by the
    # package itself.
    public = {name for name in dir(bandwidth_events) if not name.startswith("_")}
    public -= {"testing", "celery"}

    assert set(bandwidth_events.__all__) == public
    assert sorted(bandwidth_events.__all__) == bandwidth_events.__all__
    assert set(bandwidth_events.__all__) == {
        "Answer",
        "BasicAuth",
        "BridgeComplete",
        "BridgeTargetComplete",
        "CallCause",
        "CallDirection",
        "CallEvent",
        "ConferenceCompleted",
        "ConferenceCreated",
        "ConferenceEvent",
        "ConferenceMemberExit",
        "ConferenceMemberJoin",
        "ConferenceRecordingAvailable",
        "ConferenceRedirect",
        "Disconnect",
        "Diversion",
        "DiversionReason",
        "Dtmf",
        "EventParseError",
        "Failure",
        "FileFormat",
        "Gather",
        "Inbox",
        "InboxError",
        "InboxStatus",
        "InboxWorker",
        "Initiate",
        "MachineDetectionComplete",
        "MachineDetectionResult",
        "MachineDetectionValue",
        "MediaStream",
        "MediaStreamRejected",
        "MediaStreamStarted",
        "MediaStreamStopped",
        "Outcome",
        "PreciseDuration",
        "PreciseTimestamp",
        "RealTimeTranscription",
        "RealTimeTranscriptionAvailable",
        "RealTimeTranscriptionRejected",
        "RealTimeTranscriptionStarted",
        "RealTimeTranscriptionStopped",
        "Receiver",
        "RecordComplete",
        "RecordingAvailable",
        "RecordingStatus",
        "Redirect",
        "ReferComplete",
        "ReferStatus",
        "RejectionCause",
        "Reply",
        "Request",
        "Router",
        "StirShaken",
        "StopCause",
        "StoredEvent",
        "StreamTrack",
        "Transcription",
        "TranscriptionAvailable",
        "TranscriptionStatus",
        "TransferAnswer",
        "TransferComplete",
        "TransferDisconnect",
        "UnknownEvent",
        "VoiceEvent",
        "asgi_app",
        "configure_converter",
        "current_request",
        "dedupe_key",
        "log_failure",
        "make_converter",
        "parse_event",
        "parse_query",
        "to_dict",
        "to_json",
        "to_query",
        "wsgi_app",
    }


def test_version_comes_from_metadata() -> None:
    """__version__ is the installed distribution's version."""
    assert bandwidth_events.__version__ == metadata.version("bandwidth-events")


def test_missing_attribute() -> None:
    """Other missing attributes raise AttributeError as usual."""
    name = "nope"  # not written as an attribute: the type checkers would rightly refuse it
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        getattr(bandwidth_events, name)


def test_ships_py_typed() -> None:
    """The package marks itself as typed (PEP 561)."""
    assert (Path(bandwidth_events.__file__).parent / "py.typed").is_file()


def test_parsing_bandwidth_format_imports_no_general_parser() -> None:
    """Import, parse and write a documented body: no general parser, Hypothesis or asyncio."""
    program = (
        "import sys, pathlib, bandwidth_events\n"
        "body = pathlib.Path('tests/payloads/conferenceRecordingAvailable.json').read_bytes()\n"
        "bandwidth_events.to_json(bandwidth_events.parse_event(body))\n"
        "print(sorted({'dateutil', 'isodate', 'hypothesis', 'asyncio'} & sys.modules.keys()))\n"
    )
    result = subprocess.run(  # noqa: S603 -- our own interpreter and program
        [sys.executable, "-c", program], capture_output=True, check=True, text=True
    )

    assert result.stdout.strip() == "[]"


def test_parsing_and_writing_import_neither_cattrs_nor_the_receiver() -> None:
    """Parsing valid bodies and writing events loads neither the converter nor the receiver."""
    code = (
        "import sys, pathlib\n"
        "bodies = [p.read_bytes() for p in sorted(pathlib.Path('tests/payloads').glob('*.json'))"
        " if p.stem != 'recordingAvailable-2']\n"
        "before = set(sys.modules)\n"  # what the interpreter (and any coverage) loaded already
        "import bandwidth_events\n"
        "for body in bodies:\n"
        "    bandwidth_events.to_json(bandwidth_events.parse_event(body))\n"
        "print(' '.join(sorted(set(sys.modules) - before)))\n"
    )

    result = subprocess.run(  # noqa: S603 -- our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    loaded = set(result.stdout.split())
    assert "bandwidth_events._events" in loaded  # the classes, and every reader used
    unwanted = {
        "cattrs", "dateutil", "isodate", "hypothesis", "asyncio", "logging", "hashlib",
        "http", "bandwidth_events._converter", "bandwidth_events._router",
        "bandwidth_events._receiver", "bandwidth_events._adapters", "bandwidth_events._auth",
        "bandwidth_events._query", "bandwidth_events._inbox", "sqlite3", "stamina", "celery",
    }  # fmt: skip
    assert unwanted & loaded == set()


def test_the_receiving_side_loads_on_first_use() -> None:
    """Names of the receiving side are there when asked for, and stay there."""
    code = (
        "import sys, bandwidth_events\n"
        "print('bandwidth_events._router' in sys.modules)\n"
        "router = bandwidth_events.Router\n"
        "print('bandwidth_events._router' in sys.modules, 'Router' in vars(bandwidth_events))\n"
    )

    result = subprocess.run(  # noqa: S603 -- our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert result.stdout.split() == ["False", "True", "True"]
