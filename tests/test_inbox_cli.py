"""The inbox's command line: python -m bandwidth_events inbox FILE list|show|replay|purge|work."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bandwidth_events import Inbox, InboxStatus, Receiver, Router
from bandwidth_events.__main__ import main

from .conftest import golden

JSON = {"content-type": "application/json"}

#: A router module the commands import by name: it fails until FIXED exists beside it.
ROUTER_MODULE = """
from pathlib import Path

from bandwidth_events import ConferenceCompleted, Router

router = Router()
HERE = Path(__file__).parent


@router.on(ConferenceCompleted)
def completed(event: ConferenceCompleted) -> None:
    if not (HERE / "FIXED").exists():
        raise RuntimeError("the bug is not fixed yet")
    with (HERE / "handled.txt").open("a") as handled:
        handled.write(event.conference_id + "\\n")

not_a_router = 42
"""


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Give a fresh module name whose ``router`` the commands can import from the cwd."""
    name = f"webhooks_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{name}.py").write_text(ROUTER_MODULE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p != ""])
    return name


def failing(_event: object) -> None:
    """Fail as a handler with a bug does."""
    raise RuntimeError("the bug is not fixed yet")


def filled(path: Path) -> Inbox:
    """Give an inbox holding one dead conferenceCompleted, one done join and one bad body."""
    router = Router()
    router.fallback(failing)
    inbox = Inbox(path, attempts=1, wait_initial=0)
    receiver = Receiver(router=router, auth=None, inbox=inbox, on_failure=lambda _: None)
    assert receiver.handle("POST", JSON, golden("conferenceCompleted")).status == 204
    assert receiver.handle("POST", JSON, b'{"eventType": "conferenceCompleted"}').status == 400
    from bandwidth_events import InboxWorker  # noqa: PLC0415 -- beside its use

    assert InboxWorker(inbox, router).run_once() == 1
    return inbox


def run(*args: str) -> int:
    """Run ``python -m bandwidth_events inbox ARGS`` in this process; give its exit status."""
    return main(["inbox", *args])


def test_list_shows_the_newest_first_with_status_and_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The list command prints a line per event, newest first: status, type and last error."""
    filled(tmp_path / "inbox.db").close()

    assert run(str(tmp_path / "inbox.db"), "list") == 0

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[0].split()[:2] == ["2", "dead"]
    assert "conferenceCompleted" in lines[0]
    assert "EventParseError: invalid conferenceCompleted webhook body" in lines[0]
    assert lines[0].endswith("…")  # a long error is cut to the column
    assert lines[1].split()[:2] == ["1", "dead"]
    assert lines[1].endswith("RuntimeError: the bug is not fixed yet")


def test_list_filters_by_status_and_writes_json_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The list command's --status keeps one status; --json writes one object per event."""
    inbox = filled(tmp_path / "inbox.db")
    inbox.close()

    assert (
        run(str(tmp_path / "inbox.db"), "list", "--status", "dead", "--json", "--limit", "1") == 0
    )

    [line] = capsys.readouterr().out.splitlines()
    record = json.loads(line)
    assert record["id"] == 2
    assert record["status"] == "dead"
    assert record["eventType"] == "conferenceCompleted"
    assert record["key"].startswith("unreadable|sha256=")

    assert run(str(tmp_path / "inbox.db"), "list", "--status", "pending") == 0
    assert capsys.readouterr().out == ""


def test_stats_counts_each_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Stats prints how many events have each status."""
    filled(tmp_path / "inbox.db").close()

    assert run(str(tmp_path / "inbox.db"), "stats") == 0

    assert capsys.readouterr().out.split() == [
        "pending", "0", "handling", "0", "done", "0", "dead", "2",
    ]  # fmt: skip


def test_show_prints_the_request_body_and_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Show prints the key, request, headers, the body as received, and the traceback."""
    filled(tmp_path / "inbox.db").close()

    assert run(str(tmp_path / "inbox.db"), "show", "1") == 0

    out = capsys.readouterr().out
    assert "status:      dead\n" in out
    assert "key:         conferenceCompleted|eventTime=" in out
    assert "request:     POST /\n" in out
    assert "headers:\n  content-type: application/json\n" in out
    assert golden("conferenceCompleted").decode() in out
    assert "traceback:\nTraceback (most recent call last):" in out
    assert out.rstrip().endswith("RuntimeError: the bug is not fixed yet")
    assert "handled at:" in out
    assert "answer:" not in out


def test_show_prints_a_get_query_and_a_stored_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A GET callback shows its query; a BXML event shows the answer it was given."""
    router = Router()
    router.fallback(lambda _event: None)
    with Inbox(tmp_path / "inbox.db") as inbox:
        receiver = Receiver(router=router, auth=None, inbox=inbox)
        reply = receiver.handle(
            "GET",
            {},
            b"",
            query="eventType=conferenceCreated&eventTime=2024-01-02T03:04:05Z"
            "&conferenceId=conf-1&name=n",
        )
        assert reply.status == 204

    assert run(str(tmp_path / "inbox.db"), "show", "1") == 0

    out = capsys.readouterr().out
    assert "request:     GET /?eventType=conferenceCreated&eventTime=" in out
    assert "answer:      204 \n" in out
    assert "error:" not in out


def test_replay_runs_a_fixed_handler_and_marks_the_event_done(
    tmp_path: Path, app: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Replay ID runs the router's handler again: still failing it exits 1, fixed it exits 0."""
    filled(tmp_path / "inbox.db").close()

    assert run(str(tmp_path / "inbox.db"), "replay", "1", "--router", f"{app}:router") == 1
    assert capsys.readouterr().out.split()[:2] == ["1", "dead"]

    (tmp_path / "FIXED").touch()
    assert run(str(tmp_path / "inbox.db"), "replay", "1", "--router", f"{app}:router") == 0

    assert capsys.readouterr().out.split()[:2] == ["1", "done"]
    assert (
        tmp_path / "handled.txt"
    ).read_text() == "conf-59082d52-4a2ab5be-ce26-43ed-af94-431b8a19d4e3\n"
    with Inbox(tmp_path / "inbox.db") as inbox:
        assert inbox.get(1).status is InboxStatus.DONE
        assert inbox.get(1).attempts == 3


def test_replay_dead_replays_every_dead_event(
    tmp_path: Path, app: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The replay command's --dead replays each dead event: a bad body stays dead, so it exits 1."""
    filled(tmp_path / "inbox.db").close()
    (tmp_path / "FIXED").touch()

    assert run(str(tmp_path / "inbox.db"), "replay", "--dead", "--router", f"{app}:router") == 1

    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in lines] == [["1", "done"], ["2", "dead"]]


def test_purge_deletes_what_is_past_the_given_age(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Purge deletes nothing younger than the retention, everything older with --older-than."""
    filled(tmp_path / "inbox.db").close()

    assert run(str(tmp_path / "inbox.db"), "purge") == 0
    assert capsys.readouterr().out == "purged 0 events\n"

    assert run(str(tmp_path / "inbox.db"), "purge", "--older-than", "PT0S") == 0
    assert capsys.readouterr().out == "purged 2 events\n"


@pytest.mark.parametrize("age", ["7d", "P1M", "-P1D"])
def test_purge_refuses_an_age_that_is_not_a_duration(
    tmp_path: Path, age: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """--older-than takes an ISO 8601 duration in days and time, not months or a negative one."""
    with pytest.raises(SystemExit) as exit_:
        run(str(tmp_path / "inbox.db"), "purge", f"--older-than={age}")

    assert exit_.value.code == 2
    assert "expected an ISO 8601 duration in days and time" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nocolon", "--router takes module:name"),
        ("{app}:not_a_router", "is not a bandwidth_events.Router, but int"),
        ("{app}:missing", "is not a bandwidth_events.Router, but NoneType"),
        ("no_such_module_here:router", "No module named 'no_such_module_here'"),
    ],
)
def test_a_router_that_cannot_be_had_is_a_usage_error(
    tmp_path: Path, app: str, spec: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A --router that is not module:name of a Router exits 2 saying why."""
    filled(tmp_path / "inbox.db").close()

    assert run(str(tmp_path / "inbox.db"), "replay", "1", "--router", spec.format(app=app)) == 2

    assert message in capsys.readouterr().err


def test_an_unknown_id_or_a_file_that_is_no_inbox_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Show of an id the inbox lacks, or of a file that is not SQLite, exits 2 saying so."""
    filled(tmp_path / "inbox.db").close()
    assert run(str(tmp_path / "inbox.db"), "show", "99") == 2
    assert capsys.readouterr().err == f"error: the inbox {tmp_path / 'inbox.db'} has no event 99\n"

    (tmp_path / "notes.txt").write_text("not a database, not at all, no" * 100)
    assert run(str(tmp_path / "notes.txt"), "stats") == 2
    assert "cannot be an inbox: file is not a database" in capsys.readouterr().err


def test_work_once_handles_what_is_due(
    tmp_path: Path, app: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Work --once handles every pending event through the router, then exits 0."""
    (tmp_path / "FIXED").touch()
    with Inbox(tmp_path / "inbox.db") as inbox:
        receiver = Receiver(router=Router(), auth=None, inbox=inbox)
        assert receiver.handle("POST", JSON, golden("conferenceCompleted")).status == 204

    assert run(str(tmp_path / "inbox.db"), "work", "--router", f"{app}:router", "--once") == 0

    assert capsys.readouterr().out == "handled 1 events\n"
    assert (
        tmp_path / "handled.txt"
    ).read_text() == "conf-59082d52-4a2ab5be-ce26-43ed-af94-431b8a19d4e3\n"


def test_work_runs_a_worker_process_until_sigterm(tmp_path: Path, app: str) -> None:
    """Work, in a process of its own, handles events stored after it started, and stops on TERM."""
    (tmp_path / "FIXED").touch()
    Inbox(tmp_path / "inbox.db").close()
    command = [sys.executable, "-m", "bandwidth_events", "inbox", "inbox.db", "work"]
    with subprocess.Popen(  # noqa: S603 -- our own module, with our own arguments
        [*command, "--router", f"{app}:router", "--threads", "2"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    ) as worker:
        try:
            assert worker.stdout is not None
            assert worker.stdout.readline() == "working inbox.db with 2 thread(s); SIGTERM stops\n"
            with Inbox(tmp_path / "inbox.db") as inbox:
                receiver = Receiver(router=Router(), auth=None, inbox=inbox)
                assert receiver.handle("POST", JSON, golden("conferenceCompleted")).status == 204
                deadline = time.monotonic() + 30
                while inbox.get(1).status is not InboxStatus.DONE and time.monotonic() < deadline:
                    time.sleep(0.05)
                assert inbox.get(1).status is InboxStatus.DONE
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(30) == 0
        finally:
            worker.kill()
    assert (
        tmp_path / "handled.txt"
    ).read_text() == "conf-59082d52-4a2ab5be-ce26-43ed-af94-431b8a19d4e3\n"
