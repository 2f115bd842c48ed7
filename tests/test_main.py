"""The command line: python -m bandwidth_events FILE|-."""

import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bandwidth_events.__main__ import main

from .conftest import PAYLOADS, golden_dict

SAMPLE = str(PAYLOADS / "conferenceRecordingAvailable.json")


def test_prints_the_typed_event(capsys: pytest.CaptureFixture[str]) -> None:
    """A good body prints the class and every field's typed value, and exits 0."""
    assert main([SAMPLE]) == 0

    out = capsys.readouterr().out
    assert out.startswith("ConferenceRecordingAvailable (eventType 'conferenceRecordingAvailable')")
    assert "duration      = datetime.timedelta(seconds=20, microseconds=56000)" in out
    assert "status        = <RecordingStatus.COMPLETE: 'complete'>" in out


def test_json_prints_the_canonical_wire_form(capsys: pytest.CaptureFixture[str]) -> None:
    """--json prints the event's wire JSON, equal to the body."""
    assert main(["--json", SAMPLE]) == 0

    assert json.loads(capsys.readouterr().out) == golden_dict("conferenceRecordingAvailable")


def test_bad_body_prints_the_error_and_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad body on standard input prints the EventParseError to stderr and exits 1."""
    body = {**golden_dict("conferenceRecordingAvailable"), "channels": "one"}
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(json.dumps(body).encode())))

    assert main(["-"]) == 1

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "error: invalid conferenceRecordingAvailable webhook body: "
        'channels: expected an integer, received "one" (string)\n'
    )


def test_unknown_event_is_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An event this version does not model is printed as an UnknownEvent, not an error."""
    body = tmp_path / "call.json"
    body.write_text('{"eventType": "callInitiated"}')

    assert main([str(body)]) == 0

    assert capsys.readouterr().out.startswith("UnknownEvent (eventType 'callInitiated')")


def test_member_event_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    """A member event prints its own fields, ``from_`` included."""
    assert main([str(PAYLOADS / "conferenceMemberJoin.json")]) == 0

    out = capsys.readouterr().out
    assert out.startswith("ConferenceMemberJoin (eventType 'conferenceMemberJoin')")
    assert "from_         = '+15559998765'" in out


def test_unreadable_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file that cannot be read is a usage problem: exit 2 with the reason."""
    assert main([str(tmp_path / "missing.json")]) == 2

    assert "cannot read" in capsys.readouterr().err


def test_runs_as_a_module() -> None:
    """Python -m bandwidth_events works as a real process, with the documented exit status."""
    result = subprocess.run(
        [sys.executable, "-m", "bandwidth_events", "-"],
        input=b"[]",
        capture_output=True,
        check=False,
    )

    assert result.returncode == 1
    assert b"expected a JSON object" in result.stderr


@pytest.mark.parametrize("command", [[SAMPLE], ["inbox", "{inbox}", "stats"]])
def test_a_reader_that_stops_early_ends_it_quietly(tmp_path: Path, command: list[str]) -> None:
    """Output into a closed pipe (``| head``) exits 141, as SIGPIPE would, with no traceback."""
    reading, writing = os.pipe()
    os.close(reading)  # the reader is gone before anything is written
    try:
        result = subprocess.run(  # noqa: S603 -- our own arguments
            [
                *(sys.executable, "-m", "bandwidth_events"),
                *(part.format(inbox=tmp_path / "inbox.db") for part in command),
            ],
            stdout=writing,
            stderr=subprocess.PIPE,
            check=False,
        )
    finally:
        os.close(writing)

    assert (result.returncode, result.stderr) == (128 + signal.SIGPIPE, b"")
