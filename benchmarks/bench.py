"""Measure bandwidth_events side by side with pydantic v2, msgspec and the official bandwidth-sdk.

Run from the repository root, with the ``bench`` dependency group installed::

    python benchmarks/bench.py [--quick]

Every documented body in ``tests/payloads/`` of the 29 events is parsed (class known, and
dispatching on ``eventType``) and written (``to_json``, ``to_dict``); a body bandwidth_events
refuses is skipped, and said so. Two pydantic peers are measured (see ``peers.py``): the
equivalent model, which does what we do, and the lax one, pydantic's default types.

Everything is measured in this one process and run (import times in fresh interpreters it
starts), interleaved: each round times every contender once, in a shuffled order, so the noise
of a shared machine falls on all of them alike. The tables give medians over the rounds, and
our time divided by each peer's (below 1: we are faster): the median over the rounds of that
round's ratio, and in brackets its spread, the quartiles of those ratios (a wide spread is a
noisy row). Garbage collection stays on, as in a real receiver. The last lines check the targets
of issue 4, against the lax peer, the one they were set against.
"""

import argparse
import os
import platform
import random
import statistics
import string
import subprocess
import sys
import timeit
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import bandwidth.models as sdk
import msgspec
import orjson
import pydantic
from peers import (
    MSGSPEC_CLASSES,
    MSGSPEC_DECODER,
    MSGSPEC_ENCODER,
    PYDANTIC_CLASSES,
    PYDANTIC_LAX_CLASSES,
    PydanticEvent,
    PydanticLaxEvent,
)

import bandwidth_events
from bandwidth_events import EventParseError, parse_event, to_dict, to_json
from bandwidth_events._durations import format_duration  # Java's shape, as Bandwidth writes

PAYLOADS = Path(__file__).parent.parent / "tests" / "payloads"
SEED = "conferenceRecordingAvailable"
# The official SDK's model of each event; it has none for media streams and real-time
# transcriptions.
SDK_CLASSES: dict[str, Any] = {
    "conferenceCreated": sdk.ConferenceCreatedCallback,
    "conferenceRedirect": sdk.ConferenceRedirectCallback,
    "conferenceCompleted": sdk.ConferenceCompletedCallback,
    "conferenceMemberJoin": sdk.ConferenceMemberJoinCallback,
    "conferenceMemberExit": sdk.ConferenceMemberExitCallback,
    "conferenceRecordingAvailable": sdk.ConferenceRecordingAvailableCallback,
    "initiate": sdk.InitiateCallback,
    "answer": sdk.AnswerCallback,
    "disconnect": sdk.DisconnectCallback,
    "redirect": sdk.RedirectCallback,
    "machineDetectionComplete": sdk.MachineDetectionCompleteCallback,
    "gather": sdk.GatherCallback,
    "dtmf": sdk.DtmfCallback,
    "transferAnswer": sdk.TransferAnswerCallback,
    "transferComplete": sdk.TransferCompleteCallback,
    "transferDisconnect": sdk.TransferDisconnectCallback,
    "bridgeComplete": sdk.BridgeCompleteCallback,
    "bridgeTargetComplete": sdk.BridgeTargetCompleteCallback,
    "recordComplete": sdk.RecordingCompleteCallback,
    "referComplete": sdk.ReferCompleteCallback,
    "recordingAvailable": sdk.RecordingAvailableCallback,
    "transcriptionAvailable": sdk.TranscriptionAvailableCallback,
}
CONFERENCE_EVENTS = tuple(name for name in SDK_CLASSES if name.startswith("conference"))
LABELS = 2  # the payload and operation columns, left-aligned
OPERATION_WIDTH = 29
RATIO_WIDTH = 17  # "1.33x (1.29-1.38)"
TAGGED = 0.7  # the share of generated bodies with a tag
OURS = "bandwidth_events"
CONTENDERS = (OURS, "pydantic", "pydantic lax", "msgspec", "bandwidth-sdk")
RATIOS = {"vs pydantic": "pydantic", "vs lax": "pydantic lax", "vs SDK": "bandwidth-sdk"}
Job = Callable[[], object] | str  # a string: why the contender has no time ("n/a", "fails")
Samples = dict[str, list[float] | str]  # per contender: its time per call in each round


def measure(jobs: dict[str, Job], rounds: int, number: int) -> Samples:
    """Give each job's time per call in each round, in microseconds, timed interleaved."""
    timers = {name: timeit.Timer(job, "gc.enable()") for name, job in jobs.items() if callable(job)}
    samples: dict[str, list[float]] = {name: [] for name in timers}
    for _ in range(rounds):
        for name in random.sample(list(timers), len(timers)):
            samples[name].append(timers[name].timeit(number) / number * 1e6)
    return {name: samples[name] if callable(job) else job for name, job in jobs.items()}


def median(times: list[float] | str) -> float | str:
    """Give the median of a contender's times, or why it has none."""
    return times if isinstance(times, str) else statistics.median(times)


def ratios(ours: list[float] | str, other: list[float] | str) -> list[float] | None:
    """Give ours / other in each round: the two were timed in the same round, side by side."""
    if isinstance(ours, str) or isinstance(other, str):
        return None
    return [mine / theirs for mine, theirs in zip(ours, other, strict=True)]


def failing(job: Callable[[], object]) -> Job:
    """Give the job, or "fails" when it raises, as the SDK's to_json does."""
    try:
        job()
    except Exception:  # noqa: BLE001 -- any failure means the contender cannot do the job
        return "fails"
    return job


def jobs_for(name: str, body: bytes) -> dict[str, dict[str, Job]]:
    """Give every operation's job per contender, on one documented body."""
    ours = parse_event(body)
    ours_cls = type(ours)
    jobs: dict[str, dict[str, Job]] = {
        "parse, dispatch on eventType": {OURS: lambda: parse_event(body)},
        "parse, class known": {OURS: lambda: parse_event(body, ours_cls)},
        "to_json": {OURS: lambda: to_json(ours)},
        "to_dict": {OURS: lambda: to_dict(ours)},
    }
    for peer, classes, dispatching in (
        ("pydantic", PYDANTIC_CLASSES, PydanticEvent),
        ("pydantic lax", PYDANTIC_LAX_CLASSES, PydanticLaxEvent),
    ):
        for operation, job in pydantic_jobs(classes[name], dispatching, body).items():
            jobs[operation][peer] = job
    msg_decoder = msgspec.json.Decoder(MSGSPEC_CLASSES[name])
    msg = msg_decoder.decode(body)
    jobs["parse, dispatch on eventType"]["msgspec"] = lambda: MSGSPEC_DECODER.decode(body)
    jobs["parse, class known"]["msgspec"] = lambda: msg_decoder.decode(body)
    jobs["to_json"]["msgspec"] = lambda: MSGSPEC_ENCODER.encode(msg)
    jobs["to_dict"]["msgspec"] = lambda: msgspec.to_builtins(msg)
    sdk_cls = SDK_CLASSES.get(name)
    reading = failing(lambda: sdk_cls.from_json(body)) if sdk_cls else "n/a"
    jobs["parse, dispatch on eventType"]["bandwidth-sdk"] = "n/a"  # it has no dispatch
    jobs["parse, class known"]["bandwidth-sdk"] = reading
    if callable(reading):
        official = sdk_cls.from_json(body)
        jobs["to_json"]["bandwidth-sdk"] = failing(official.to_json)
        jobs["to_dict"]["bandwidth-sdk"] = failing(official.to_dict)
    else:
        jobs["to_json"]["bandwidth-sdk"] = jobs["to_dict"]["bandwidth-sdk"] = reading
    return jobs


def pydantic_jobs(
    pyd_cls: type[pydantic.BaseModel], dispatching: pydantic.TypeAdapter[Any], body: bytes
) -> dict[str, Job]:
    """Give every operation's job for one pydantic peer (a lambda each, as for the others)."""
    pyd = pyd_cls.model_validate_json(body)
    return {
        "parse, dispatch on eventType": lambda: dispatching.validate_json(body),
        "parse, class known": lambda: pyd_cls.model_validate_json(body),
        "to_json": lambda: pyd.model_dump_json(by_alias=True, exclude_none=True),
        "to_dict": lambda: pyd.model_dump(mode="json", by_alias=True, exclude_none=True),
    }


def ratio(each: list[float] | None) -> str:
    """Format the median of the rounds' ratios, and their quartiles."""
    if each is None:
        return "-"
    low, mid, high = statistics.quantiles(each, n=4, method="inclusive")
    return f"{mid:.2f}x ({low:.2f}-{high:.2f})"


def cell(value: float | str) -> str:
    """Format a median."""
    return value if isinstance(value, str) else f"{value:.2f}"


def row(widths: tuple[int, ...], *cells: str) -> str:
    """Format a table row: payload, operation, the contenders, the ratios."""
    labels, numbers = cells[:LABELS], cells[LABELS:]
    left = [f"{c:<{w}}" for c, w in zip(labels, widths[:LABELS], strict=True)]
    right = [f"{c:>{w}}" for c, w in zip(numbers, widths[LABELS:], strict=True)]
    return "| " + " | ".join(left + right) + " |"


def import_times(runs: int) -> dict[str, float]:
    """Give the median import time, in milliseconds, of each in fresh interpreters.

    One untimed import first writes the bytecode of everything imported, as pip does when it
    installs a wheel: an editable install, or ``PYTHONDONTWRITEBYTECODE``, would otherwise
    time compiling the sources of one side only.
    """
    statements = {
        "bandwidth_events": "import bandwidth_events",
        "bandwidth-sdk model": "from bandwidth.models.conference_recording_available_callback"
        " import ConferenceRecordingAvailableCallback",
    }
    program = "import time; t = time.perf_counter(); {}; print(time.perf_counter() - t)"
    writing = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    for statement in statements.values():
        subprocess.run([sys.executable, "-c", statement], check=True, env=writing)  # noqa: S603
    samples: dict[str, list[float]] = {name: [] for name in statements}
    for _ in range(runs):
        for name, statement in statements.items():
            out = subprocess.run(  # noqa: S603 -- our own interpreter and program
                [sys.executable, "-c", program.format(statement)],
                capture_output=True,
                check=True,
                text=True,
            ).stdout
            samples[name].append(float(out) * 1e3)
    return {name: statistics.median(values) for name, values in samples.items()}


def _text(rng: random.Random, size: int) -> str:
    return "".join(rng.choices(string.ascii_letters + string.digits + "-", k=size))


def generated_bodies(count: int, seed: int) -> list[bytes]:
    """Give ``count`` distinct bodies of all six conference events, in Bandwidth's format."""
    rng = random.Random(seed)
    bodies = []
    for index in range(count):
        name = rng.choice(CONFERENCE_EVENTS)
        ms = rng.randrange(1_500_000_000_000, 1_800_000_000_000)
        moment = _iso(ms)
        body: dict[str, Any] = {
            "eventType": name,
            "eventTime": moment,
            "conferenceId": f"conf-{_text(rng, 36)}",
            "name": f"room-{index}",
        }
        if rng.random() < TAGGED:
            body["tag"] = _text(rng, 8)
        if name in {"conferenceMemberJoin", "conferenceMemberExit"}:
            body["callId"] = f"c-{_text(rng, 36)}"
            body["from"] = rng.choice(["Anonymous", f"+1555{rng.randrange(10**7):07d}"])
            body["to"] = f"+1555{rng.randrange(10**7):07d}"
        if name == SEED:
            length = rng.randrange(1, 3_600_000)
            body |= {
                "accountId": str(rng.randrange(10**8)),
                "recordingId": f"r-{_text(rng, 36)}",
                "channels": 1,
                "startTime": _iso(ms - length - 5000),
                "endTime": _iso(ms - 5000),
                "duration": format_duration(timedelta(milliseconds=length)),
                "fileFormat": rng.choice(["wav", "mp3"]),
                "status": rng.choice(["complete", "partial", "error", "completed"]),
                "mediaUrl": f"https://voice.bandwidth.com/recordings/{_text(rng, 12)}/media",
            }
        bodies.append(orjson.dumps(body))
    return bodies


def _iso(ms: int) -> str:
    seconds, millis = divmod(ms, 1000)
    return f"{datetime.fromtimestamp(seconds, UTC):%Y-%m-%dT%H:%M:%S}.{millis:03d}Z"


def batch(
    parse: Callable[[bytes], object], sizes: tuple[int, ...], rounds: int, *, keep: bool
) -> dict[int, float]:
    """Give the cost per event, in microseconds, of parsing batches of each size.

    ``keep``: the events are kept in a list, as a batch import would (so the garbage collector
    walks ever more of them); otherwise each is dropped once parsed, as a receiver does.
    Each round parses all the bodies at every size, in a shuffled order of sizes, cut into
    batches of that size: every batch holds bodies new to it, as a receiver's are, so that what
    grows with the size is the cost of the size (the collector, the list), not a CPU cache
    warmed by parsing the same small batch again. A round's cost per event is its total time
    over all the bodies, so that a pause of the machine weighs the same at every size; the
    result is the median over the rounds.
    """
    bodies = generated_bodies(max(sizes), seed=4)
    samples: dict[int, list[float]] = {size: [] for size in sizes}
    for _ in range(rounds):
        for size in random.sample(sizes, len(sizes)):
            total = 0.0
            for start in range(0, len(bodies), size):
                job = _batch_job(parse, bodies[start : start + size], keep=keep)
                total += timeit.Timer(job, "gc.enable()").timeit(1)
            samples[size].append(total / len(bodies) * 1e6)
    return {size: statistics.median(values) for size, values in samples.items()}


def _batch_job(
    parse: Callable[[bytes], object], chunk: list[bytes], *, keep: bool
) -> Callable[[], object]:
    if keep:
        return lambda: [parse(body) for body in chunk]

    def job() -> None:
        for body in chunk:
            parse(body)

    return job


def payload_table(rounds: int, number: int) -> dict[str, Samples]:
    """Time every operation on every documented body, print the table; give the seed's times."""
    paths = sorted(PAYLOADS.glob("*.json"), key=lambda p: (p.stem != SEED, p.stem))
    widths = (
        max(len(path.stem) for path in paths),
        OPERATION_WIDTH,
        *(max(len(name), 8) for name in CONTENDERS),
        *(RATIO_WIDTH for _ in RATIOS),
    )
    print(row(widths, "payload", "operation", *CONTENDERS, *RATIOS))
    print(row(widths, *("-" * width for width in widths)).replace(" ", "-"))
    seed: dict[str, Samples] = {}
    notes = []
    for path in paths:
        body = path.read_bytes()
        try:
            event = parse_event(body)
        except EventParseError as exc:
            notes.append(f"skipped {path.name}: bandwidth_events refuses it ({exc})")
            continue
        if orjson.loads(to_json(event)) != orjson.loads(body):
            notes.append(
                f"{path.stem}: to_json writes the event it holds, which is not the body: "
                "a timestamp with no zone is read as UTC, and written with its Z"
            )
        event_type = path.stem.split("-")[0]  # answer-2.json: another body of answer
        for operation, jobs in jobs_for(event_type, body).items():
            samples = measure(jobs, rounds, number)
            if path.stem == SEED:
                seed[operation] = samples
            print(
                row(
                    widths,
                    path.stem,
                    operation,
                    *(cell(median(samples[c])) for c in CONTENDERS),
                    *(ratio(ratios(samples[OURS], samples[peer])) for peer in RATIOS.values()),
                )
            )
    for note in notes:
        print(note)
    return seed


def main() -> None:
    """Run every measurement and print the tables and the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, for a smoke test")
    args = parser.parse_args()
    rounds, number = (5, 200) if args.quick else (31, 1000)

    print(
        f"Python {platform.python_version()} on {platform.machine()}; bandwidth_events "
        f"{bandwidth_events.__version__}, pydantic {pydantic.VERSION}, msgspec "
        f"{msgspec.__version__}, bandwidth-sdk {_version('bandwidth-sdk')}; "
        f"{rounds} rounds x {number} calls, medians in microseconds per call\n"
    )
    seed = payload_table(rounds, number)

    imports = import_times(5 if args.quick else 15)
    print("\nImport in a fresh interpreter, median ms:")
    for name, millis in imports.items():
        print(f"  {name}: {millis:.1f}")

    sizes = (1_000, 10_000, 100_000)
    batch_rounds = 3 if args.quick else 7
    print(
        "\nBatches of generated events of the six conference types, median us per event "
        "(1k, 10k, 100k):"
    )
    batches = {}
    for keep in (False, True):
        for name, parse in (
            (OURS, parse_event),
            ("pydantic", PydanticEvent.validate_json),
            ("pydantic lax", PydanticLaxEvent.validate_json),
        ):
            batches[name, keep] = per_event = batch(parse, sizes, batch_rounds, keep=keep)
            costs = ", ".join(f"{per_event[size]:.2f}" for size in sizes)
            growth = per_event[sizes[-1]] / per_event[sizes[0]]
            mode = "kept in a list" if keep else "each dropped  "
            print(f"  {name:<16} {mode}: {costs}  (100k / 1k = {growth:.2f})")

    def over(operation: str, other: str) -> float:
        each = ratios(seed[operation][OURS], seed[operation][other])
        assert each is not None  # noqa: S101 -- both are measured for these rows
        return statistics.median(each)

    streaming = batches[OURS, False]
    checks = [
        (
            "parse from bytes, class known <= 1.5x pydantic lax",
            over("parse, class known", "pydantic lax"),
            1.5,
        ),
        (
            "parse from bytes, dispatching <= 1.5x pydantic lax",
            over("parse, dispatch on eventType", "pydantic lax"),
            1.5,
        ),
        ("to_json <= 1.5x pydantic lax", over("to_json", "pydantic lax"), 1.5),
        (
            "parse >= 2.5x faster than the SDK's from_json",
            over("parse, class known", "bandwidth-sdk"),
            0.4,
        ),
        (
            "import <= 0.2x the SDK model's",
            imports[OURS] / imports["bandwidth-sdk model"],
            0.2,
        ),
        (
            "per event at 100k within 15% of 1k (each dropped)",
            streaming[100_000] / streaming[1_000],
            1.15,
        ),
    ]
    print(f"\nTargets (issue 4), on {SEED}: ours / theirs, or 100k / 1k")
    for label, value, limit in checks:
        print(f"  {'PASS' if value <= limit else 'FAIL'}  {label}: {value:.2f}")


def _version(distribution: str) -> str:
    from importlib.metadata import version  # noqa: PLC0415

    return version(distribution)


if __name__ == "__main__":
    main()
