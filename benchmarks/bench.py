"""Measure bandwidth_events side by side with pydantic v2, msgspec and the official bandwidth-sdk.

Run from the repository root, with the ``bench`` dependency group installed::

    python benchmarks/bench.py [--quick] [--no-serving]

Every documented body in ``tests/payloads/`` of the 29 events is parsed (class known, and
dispatching on ``eventType``) and written (``to_json``, ``to_dict``); a body bandwidth_events
refuses is skipped, and said so. Ours is measured as installed here, with the ``fast`` extra
(msgspec decodes raw bodies first), and parsing also as the default install runs it
("bandwidth_events, pure": the same code with no msgspec reader). Two pydantic peers are
measured (``pydantic_peers.py``): the equivalent model, which does what we do, and the lax one,
pydantic's default types; msgspec (``msgspec_peers.py``) does less still.

Everything is measured in this one run, interleaved: each round times every row and every
contender once, all in one shuffled order, so that the noise of a shared machine falls on all of
them alike. Tables give medians over the rounds, and our time divided by each peer's (below 1:
we are faster): the median over the rounds of that round's ratio, and in brackets its spread,
the quartiles of those ratios. A row whose quartiles spread by more than a tenth of its median
is flagged noisy (``~``): rerun before reading anything into it. When more than a quarter of
the table's ratios are noisy, the targets say that no verdict holds. Garbage collection stays
on, as in a real receiver. Then: import times in fresh interpreters (against pydantic with the
equivalent models and msgspec with its structs), batches of generated events up to a million,
memory per kept event, and the receiver's requests per second under uvicorn loaded by wrk,
beside a bare Starlette endpoint and FastAPI with pydantic. The last lines check every target
of issue 14 (and the earlier ones of issue 4) with its ratio and spread.
"""

import argparse
import collections
import gc
import os
import platform
import random
import statistics
import string
import subprocess
import sys
import timeit
import tracemalloc
import types
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import bandwidth.models as sdk
import msgspec
import orjson
import pydantic
from msgspec_peers import MSGSPEC_CLASSES, MSGSPEC_DECODER, MSGSPEC_ENCODER
from pydantic_peers import PYDANTIC_CLASSES, PYDANTIC_LAX_CLASSES, PydanticEvent, PydanticLaxEvent

import bandwidth_events
from bandwidth_events import EventParseError, parse_event, to_dict, to_json
from bandwidth_events._durations import format_duration  # Java's shape, as Bandwidth writes

HERE = Path(__file__).parent
PAYLOADS = HERE.parent / "tests" / "payloads"
SEED = "conferenceRecordingAvailable"

import serving  # noqa: E402 -- after the peers, beside this file
from installed import add_any_install, require_source_tree  # noqa: E402 -- beside it too

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
RATIO_WIDTH = 18  # "1.33x (1.29-1.38)~"
TAGGED = 0.7  # the share of generated bodies with a tag
NOISY = 0.1  # a spread of quartiles wider than this share of the median
NOISY_SHARE = 0.25  # with more of the table's ratios noisy than this, no verdict holds
OURS = "bandwidth_events"
PURE = "bandwidth_events, pure"  # the default install: no fast extra
CONTENDERS = (OURS, PURE, "pydantic", "pydantic lax", "msgspec", "bandwidth-sdk")
# Each ratio column: whose time over whose.
RATIOS = {
    "vs pydantic": (OURS, "pydantic"),
    "vs lax": (OURS, "pydantic lax"),
    "pure vs pydantic": (PURE, "pydantic"),
    "pure vs lax": (PURE, "pydantic lax"),
    "vs SDK": (OURS, "bandwidth-sdk"),
}
PARSE_KNOWN, PARSE_DISPATCH = "parse, class known", "parse, dispatch on eventType"
Job = Callable[[], object] | str  # a string: why the contender has no time ("n/a", "fails")
Samples = dict[str, list[float] | str]  # per contender: its time per call in each round


class Ratio(NamedTuple):
    """Ours over theirs: the median of the per-round ratios, and their quartiles."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, each: list[float]) -> "Ratio":
        """Summarise per-round ratios (one alone has no spread)."""
        if len(each) == 1:
            return cls(each[0], each[0], each[0])
        low, mid, high = statistics.quantiles(each, n=4, method="inclusive")
        return cls(mid, low, high)

    @property
    def noisy(self) -> bool:
        """Tell whether the quartiles spread by more than `NOISY` of the median."""
        return self.high - self.low > NOISY * self.median

    def __str__(self) -> str:
        if self.low == self.high:  # one exact count: no spread to give
            return f"{self.median:.2f}x"
        return f"{self.median:.2f}x ({self.low:.2f}-{self.high:.2f}){'~' if self.noisy else ''}"


def ratios(ours: list[float] | str, other: list[float] | str) -> Ratio | None:
    """Give ours / other, round by round: the two were timed in the same round."""
    if isinstance(ours, str) or isinstance(other, str):
        return None
    return Ratio.of([mine / theirs for mine, theirs in zip(ours, other, strict=True)])


def median(times: list[float] | str) -> float | str:
    """Give the median of a contender's times, or why it has none."""
    return times if isinstance(times, str) else statistics.median(times)


def cell(value: float | str) -> str:
    """Format a median."""
    return value if isinstance(value, str) else f"{value:.2f}"


def row(widths: tuple[int, ...], *cells: str) -> str:
    """Format a table row: payload, operation, the contenders, the ratios."""
    labels, numbers = cells[:LABELS], cells[LABELS:]
    left = [f"{c:<{w}}" for c, w in zip(labels, widths[:LABELS], strict=True)]
    right = [f"{c:>{w}}" for c, w in zip(numbers, widths[LABELS:], strict=True)]
    return "| " + " | ".join(left + right) + " |"


def failing(job: Callable[[], object]) -> Job:
    """Give the job, or "fails" when it raises, as the SDK's to_json does."""
    try:
        job()
    except Exception:  # noqa: BLE001 -- any failure means the contender cannot do the job
        return "fails"
    return job


def as_installed_pure(parse: Callable[..., Any]) -> Callable[..., Any]:
    """Give parse_event as the default install runs it: the same code, no msgspec reader."""
    namespace = dict(parse.__globals__)
    namespace["_RAW_READERS"] = collections.defaultdict(lambda: None)
    return types.FunctionType(parse.__code__, namespace, parse.__name__, parse.__defaults__)


parse_pure = as_installed_pure(parse_event)


def jobs_for(name: str, body: bytes) -> dict[str, dict[str, Job]]:
    """Give every operation's job per contender, on one documented body."""
    ours = parse_event(body)
    ours_cls = type(ours)
    assert parse_pure(body) == ours  # noqa: S101 -- the two installs read the same
    same = "as ours"  # writing does not use msgspec
    jobs: dict[str, dict[str, Job]] = {
        "parse, dispatch on eventType": {
            OURS: lambda: parse_event(body),
            PURE: lambda: parse_pure(body),
        },
        "parse, class known": {
            OURS: lambda: parse_event(body, ours_cls),
            PURE: lambda: parse_pure(body, ours_cls),
        },
        "to_json": {OURS: lambda: to_json(ours), PURE: same},
        "to_dict": {OURS: lambda: to_dict(ours), PURE: same},
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


class Row(NamedTuple):
    """One line of the payload table: a body and an operation."""

    payload: str  # the file's stem: answer-2 is another body of answer
    event_type: str
    operation: str


def measure(table: dict[Row, dict[str, Job]], rounds: int, number: int) -> dict[Row, Samples]:
    """Give each job's time per call in each round, in microseconds, all interleaved.

    Each round times every row's every contender once, in one shuffled order.
    """
    timers = {
        (line, name): timeit.Timer(job, "gc.enable()")
        for line, jobs in table.items()
        for name, job in jobs.items()
        if callable(job)
    }
    times: dict[tuple[Row, str], list[float]] = {key: [] for key in timers}
    for _ in range(rounds):
        for key in random.sample(list(timers), len(timers)):
            times[key].append(timers[key].timeit(number) / number * 1e6)
    return {
        line: {name: times[line, name] if callable(job) else job for name, job in jobs.items()}
        for line, jobs in table.items()
    }


def event_type_of(stem: str) -> str:
    """Give the event type of a documented body: answer-2.json is another body of answer."""
    return stem.split("-", maxsplit=1)[0]


def payload_table(rounds: int, number: int) -> dict[Row, Samples]:
    """Time every operation on every documented body, print the table; give the samples."""
    paths = sorted(PAYLOADS.glob("*.json"), key=lambda p: (p.stem != SEED, p.stem))
    table: dict[Row, dict[str, Job]] = {}
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
        event_type = event_type_of(path.stem)
        for operation, jobs in jobs_for(event_type, body).items():
            table[Row(path.stem, event_type, operation)] = jobs
    samples = measure(table, rounds, number)
    widths = (
        max(len(line.payload) for line in table),
        OPERATION_WIDTH,
        *(max(len(name), 8) for name in CONTENDERS),
        *(RATIO_WIDTH for _ in RATIOS),
    )
    print(row(widths, "payload", "operation", *CONTENDERS, *RATIOS))
    print(row(widths, *("-" * width for width in widths)).replace(" ", "-"))
    for line, times in samples.items():
        print(
            row(
                widths,
                line.payload,
                line.operation,
                *(cell(median(times[c])) for c in CONTENDERS),
                *(str(ratios(times[mine], times[peer]) or "-") for mine, peer in RATIOS.values()),
            )
        )
    print("~: a noisy row, its quartiles spread by more than a tenth of its median")
    for note in notes:
        print(note)
    return samples


# Each contender's import, in a fresh interpreter. What a peer's model module needs of ours (the
# enums its table names) is imported before the clock starts, so it is not counted against it.
# That would hand the peers, free, every standard-library module our import loads (typing,
# inspect, dataclasses…), which pydantic loads too: so every contender starts with the standard
# library both need already loaded (`shared_stdlib`), and ours is also shown from nothing.
COLD = "bandwidth_events, from nothing"
IMPORT_PEER = "pydantic, equivalent models"
IMPORTS = {
    OURS: ("", "import bandwidth_events"),
    IMPORT_PEER: ("import peer_table", "import pydantic_peers"),
    "msgspec, structs": ("import peer_table", "import msgspec_peers"),
    "bandwidth-sdk model": (
        "",
        (
            "from bandwidth.models.conference_recording_available_callback"
            " import ConferenceRecordingAvailableCallback"
        ),
    ),
}


def _python(program: str, env: dict[str, str]) -> str:
    """Run a program in a fresh interpreter of our own; give what it printed."""
    return subprocess.run(  # noqa: S603 -- our own interpreter and program
        [sys.executable, "-c", program], capture_output=True, check=True, text=True, env=env
    ).stdout


def shared_stdlib(env: dict[str, str]) -> list[str]:
    """Give the standard-library modules that both ``bandwidth_events`` and pydantic load."""
    program = (
        "import sys; before = set(sys.modules); import {}; "
        "print(' '.join(sorted(set(sys.modules) - before)))"
    )

    def loaded(module: str) -> set[str]:
        out = _python(program.format(module), env)
        return {name for name in out.split() if name.partition(".")[0] in sys.stdlib_module_names}

    return sorted(loaded("bandwidth_events") & loaded("pydantic"))


def import_programs() -> tuple[dict[str, tuple[str, str]], dict[str, str], int]:
    """Give each contender's import: what runs before it, and the import; and their environment.

    Every contender but `COLD` starts with the standard library both sides load. The
    environment writes bytecode: an editable install, or ``PYTHONDONTWRITEBYTECODE``, would
    otherwise measure compiling the sources of one side only. Also gives how many
    standard-library modules are loaded before each import.
    """
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(HERE)
    stdlib = shared_stdlib(env)
    preamble = f"import {', '.join(stdlib)}\n"
    contenders = {
        name: (preamble + before, statement) for name, (before, statement) in IMPORTS.items()
    }
    contenders[COLD] = IMPORTS[OURS]
    return contenders, env, len(stdlib)


def import_times(runs: int) -> tuple[dict[str, list[float]], int]:
    """Give each import's time in each run, in milliseconds, in fresh interpreters.

    Each run starts every contender once, in a shuffled order. One untimed import first writes
    the bytecode of everything imported, as pip does when it installs a wheel. Also gives how
    many standard-library modules were loaded before each clock (see `import_programs`).
    """
    program = "{}\nimport time; t = time.perf_counter(); {}; print(time.perf_counter() - t)"
    contenders, env, preloaded = import_programs()

    def run(before: str, statement: str) -> float:
        return float(_python(program.format(before, statement), env)) * 1e3

    for before, statement in contenders.values():
        run(before, statement)
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(runs):
        for name in random.sample(list(contenders), len(contenders)):
            samples[name].append(run(*contenders[name]))
    return samples, preloaded


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


def batches(
    parsers: dict[str, Callable[[bytes], object]],
    bodies: list[bytes],
    sizes: tuple[int, ...],
    rounds: int,
    *,
    keep: bool,
) -> dict[tuple[str, int], list[float]]:
    """Give each contender's cost per event at each batch size, in microseconds, per round.

    ``keep``: the events are kept in a list, as a batch import would (so the garbage collector
    walks ever more of them); otherwise each is dropped once parsed, as a receiver does.
    Each round parses all the bodies with every contender at every size, in one shuffled order,
    cut into batches of that size: every batch holds bodies new to it, as a receiver's are, so
    that what grows with the size is the cost of the size (the collector, the list), not a CPU
    cache warmed by parsing the same small batch again. A round's cost per event is its total
    time over all the bodies, so that a pause of the machine weighs the same at every size.
    """
    samples: dict[tuple[str, int], list[float]] = {
        (name, size): [] for name in parsers for size in sizes
    }
    for _ in range(rounds):
        for name, size in random.sample(list(samples), len(samples)):
            total = 0.0
            for start in range(0, len(bodies), size):
                job = _batch_job(parsers[name], bodies[start : start + size], keep=keep)
                total += timeit.Timer(job, "gc.enable()").timeit(1)
                del job  # the kept events go before the next batch
            samples[name, size].append(total / len(bodies) * 1e6)
    return samples


def _batch_job(
    parse: Callable[[bytes], object], chunk: list[bytes], *, keep: bool
) -> Callable[[], object]:
    if keep:
        return lambda: [parse(body) for body in chunk]

    def job() -> None:
        for body in chunk:
            parse(body)

    return job


def memory_per_event(parse: Callable[[bytes], object], bodies: list[bytes]) -> float:
    """Give the bytes each kept event holds: what tracemalloc sees allocated and kept.

    Each contender's events are made in a warm process (one untimed parse of every body first,
    so caches and lazily built parts are not counted), kept in a list, and measured once.
    """
    for body in bodies[:1000]:
        parse(body)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = [parse(body) for body in bodies]
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del kept
    gc.collect()
    return (after - before) / len(bodies)


class Check(NamedTuple):
    """A target: what it says, the measured ratio, its limit, and what else to say."""

    label: str
    measured: Ratio | None
    limit: float
    at_least: bool = False  # the ratio must be at least the limit (throughput), not at most
    detail: str = ""

    def line(self) -> str:
        """Format the check: PASS or FAIL, the ratio with its spread, and the detail."""
        if self.measured is None:
            return f"  ----  {self.label}: not measured{self.detail}"
        value = self.measured.median
        met = value >= self.limit if self.at_least else value <= self.limit
        return f"  {'PASS' if met else 'FAIL'}  {self.label}: {self.measured}{self.detail}"


#: Issue 14's targets on every body: the operation, the peer, the limit, and the check's label.
PAYLOAD_TARGETS: tuple[tuple[str, str, float, str], ...] = (
    (PARSE_KNOWN, "pydantic", 0.8, "parse, class known <= 0.8x pydantic"),
    (PARSE_DISPATCH, "pydantic", 0.8, "parse, dispatching <= 0.8x pydantic"),
    (PARSE_KNOWN, "pydantic lax", 1.0, "parse, class known <= 1.0x lax"),
    (PARSE_DISPATCH, "pydantic lax", 1.0, "parse, dispatching <= 1.0x lax"),
    ("to_json", "pydantic", 1.0, "to_json <= 1.0x pydantic"),
)


def payload_checks(samples: dict[Row, Samples], *, mine: str = OURS) -> list[Check]:
    """Check issue 14's targets on every body, for the operations measured.

    ``mine``: with the fast extra, or the default install (`PURE`), whose parse targets are
    checked alone: it writes with the same code.
    """
    measured = {line.operation for line in samples}
    return [
        per_event(
            samples,
            operation,
            peer,
            limit,
            label + ("" if mine == OURS else ", default install"),
            mine=mine,
        )
        for operation, peer, limit, label in PAYLOAD_TARGETS
        if operation in measured and (mine == OURS or operation != "to_json")
    ]


def import_check(imports: dict[str, list[float]]) -> Check:
    """Check issue 14's import target: ours against pydantic with equivalent models, run by run."""
    measured = per_run(imports[OURS], imports[IMPORT_PEER])
    return Check("import <= 0.5x pydantic with equivalent models", measured, 0.5)


def per_event(  # noqa: PLR0913 -- one target's every part
    samples: dict[Row, Samples],
    operation: str,
    peer: str,
    limit: float,
    label: str,
    *,
    mine: str = OURS,
) -> Check:
    """Check one target on every body of every event: the worst body's ratio, and who is over."""
    found = {
        line: each
        for line, times in samples.items()
        if line.operation == operation and (each := ratios(times[mine], times[peer])) is not None
    }
    worst_line = max(found, key=lambda line: found[line].median)
    events = sorted({line.event_type for line in found})
    failing = sorted({line.event_type for line in found if found[line].median > limit})
    met = [event for event in events if event not in failing]
    noisy = sum(each.noisy for each in found.values())
    # Name the shorter list: the event types over the limit, or those within it.
    named = (
        f"over: {', '.join(failing)}"
        if len(failing) <= len(met)
        else f"met: {', '.join(met) or 'none'}"
    )
    detail = (
        f", the worst of {len(found)} bodies ({worst_line.payload}); "
        f"{len(met)} of {len(events)} event types met"
        + (f" ({named})" if failing else "")
        + (f"; {noisy} noisy rows" if noisy else "")
    )
    return Check(label, found[worst_line], limit, detail=detail)


def main() -> None:
    """Run every measurement and print the tables and the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, for a smoke test")
    parser.add_argument("--no-serving", action="store_true", help="leave out the receiver")
    add_any_install(parser)
    args = parser.parse_args()
    require_source_tree(any_install=args.any_install)
    rounds, number = (5, 100) if args.quick else (31, 1000)

    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores; "
        f"bandwidth_events {bandwidth_events.__version__}, pydantic {pydantic.VERSION}, msgspec "
        f"{msgspec.__version__}, bandwidth-sdk {_version('bandwidth-sdk')}; "
        f"{rounds} rounds x {number} calls, medians in microseconds per call; "
        f"{OURS} with its fast extra (msgspec reads raw bodies), {PURE} without\n"
    )
    samples = payload_table(rounds, number)
    imports = report_imports(5 if args.quick else 21)
    sizes = (1_000, 10_000, 100_000) if args.quick else (1_000, 10_000, 100_000, 1_000_000)
    dropped, kept, memory = report_batches(sizes)
    missing = "left out (--no-serving)" if args.no_serving else serving.wrk_missing()
    served = report_serving(quick=args.quick) if missing is None else {}
    if missing is not None:
        print(f"\nThe receiver's requests per second: {missing}")
    report_targets(
        samples, imports, sizes, (dropped, kept, memory), served=served, missing=missing or ""
    )


def report_imports(runs: int) -> dict[str, list[float]]:
    """Time the imports, print them; give the times."""
    imports, preloaded = import_times(runs)
    print(
        f"\nImport in a fresh interpreter, {runs} runs, median ms (quartiles); each but the last"
        f" after the {preloaded} standard-library modules both bandwidth_events and pydantic"
        " load:"
    )
    for name, times in imports.items():
        low, mid, high = statistics.quantiles(times, n=4, method="inclusive")
        print(f"  {name:<30} {mid:6.1f}  ({low:.1f}-{high:.1f})")
    return imports


Costs = dict[tuple[str, int], list[float]]
PARSERS: dict[str, Callable[[bytes], object]] = {
    OURS: parse_event,
    "pydantic": PydanticEvent.validate_json,
    "pydantic lax": PydanticLaxEvent.validate_json,
}


def report_batches(sizes: tuple[int, ...]) -> tuple[Costs, Costs, dict[str, float]]:
    """Time the batches and measure memory, print them; give the costs (dropped, kept), memory."""
    batch_rounds = 3
    bodies = generated_bodies(sizes[-1], seed=4)
    print(
        f"\nBatches of generated events of the six conference types, {batch_rounds} rounds, "
        f"median us per event ({', '.join(f'{size:,}' for size in sizes)}):"
    )
    by_mode: dict[bool, Costs] = {}
    for keep in (False, True):
        costs = by_mode[keep] = batches(PARSERS, bodies, sizes, batch_rounds, keep=keep)
        for name in PARSERS:
            each = [statistics.median(costs[name, size]) for size in sizes]
            mode = "kept in a list" if keep else "each dropped  "
            print(
                f"  {name:<16} {mode}: {', '.join(f'{cost:.2f}' for cost in each)}"
                f"  (largest / 1k = {each[-1] / each[0]:.2f})"
            )
    memory_bodies = bodies[:100_000]
    memory = {name: memory_per_event(parse, memory_bodies) for name, parse in PARSERS.items()}
    print(f"\nMemory per kept event, {len(memory_bodies):,} kept (tracemalloc), bytes:")
    for name, size in memory.items():
        print(f"  {name:<16} {size:7.0f}")
    return by_mode[False], by_mode[True], memory


def report_serving(*, quick: bool) -> dict[str, list[float]]:
    """Measure the receiver's requests per second beside its peers, print them; give them."""
    serving_rounds, seconds = (2, 2) if quick else (7, 5)
    body = (PAYLOADS / f"{SEED}.json").read_bytes()
    served = serving.throughput(body, serving_rounds, seconds)
    print(
        f"\nRequests per second of the seed body, uvicorn (one worker), wrk with "
        f"{serving.CONNECTIONS} connections, {serving_rounds} rounds of {seconds} s after "
        "one to warm up; median (quartiles):"
    )
    for name, rates in served.items():
        low, mid, high = statistics.quantiles(rates, n=4, method="inclusive")
        print(f"  {name:<20} {mid:7.0f}  ({low:.0f}-{high:.0f})")
    return served


def per_run(mine: list[float], theirs: list[float]) -> Ratio:
    """Give mine / theirs, run by run (or round by round)."""
    return Ratio.of([a / b for a, b in zip(mine, theirs, strict=True)])


def report_targets(  # noqa: PLR0913 -- every measurement, once
    samples: dict[Row, Samples],
    imports: dict[str, list[float]],
    sizes: tuple[int, ...],
    batched: tuple[Costs, Costs, dict[str, float]],
    *,
    served: dict[str, list[float]],
    missing: str,
) -> None:
    """Print every target's check."""
    dropped, kept, memory = batched
    seed = {line.operation: times for line, times in samples.items() if line.payload == SEED}
    worst_kept = max((per_run(kept[OURS, size], kept["pydantic", size]), size) for size in sizes)

    def throughput(peer: str, limit: float) -> Check:
        label = f"receiver >= {limit}x {peer} (requests per second)"
        if not served:
            return Check(label, None, limit, at_least=True, detail=f" ({missing})")
        return Check(label, per_run(served[OURS], served[peer]), limit, at_least=True)

    checks = [
        *payload_checks(samples),
        import_check(imports),
        throughput("bare Starlette", 0.95),
        throughput("FastAPI + pydantic", 2.5),
        Check(
            "memory per kept event <= 1.0x pydantic",
            Ratio.of([memory[OURS] / memory["pydantic"]]),
            1.0,
            detail=" (tracemalloc: one exact count, no spread)",
        ),
        Check(
            "per kept event, 1k to the largest batch, <= 1.0x pydantic",
            worst_kept[0],
            1.0,
            detail=f", the worst size ({worst_kept[1]:,})",
        ),
    ]
    print("\nTargets (issue 14): ours / theirs, median (quartiles of the per-round ratios)")
    cells = [
        each
        for times in samples.values()
        for mine, peer in RATIOS.values()
        if (each := ratios(times[mine], times[peer])) is not None
    ]
    noisy = sum(each.noisy for each in cells)
    if noisy > NOISY_SHARE * len(cells):
        print(
            f"  ~~~~  {noisy} of {len(cells)} ratios in the table are noisy: the machine was too "
            "busy for them, so no verdict below holds; run again on a quieter machine, or count "
            "instructions, which its load does not move (nox -s instructions)"
        )
    for check in checks:
        print(check.line())
    print("\nThe same parse targets without the fast extra (msgspec), as the default install:")
    for check in payload_checks(samples, mine=PURE):
        print(check.line())
    sdk_parse = ratios(seed[PARSE_KNOWN][OURS], seed[PARSE_KNOWN]["bandwidth-sdk"])
    earlier = [
        Check("parse >= 2.5x faster than the SDK's from_json", sdk_parse, 0.4),
        Check(
            "import <= 0.2x the SDK model's",
            per_run(imports[OURS], imports["bandwidth-sdk model"]),
            0.2,
        ),
        Check(
            "per event at the largest batch within 15% of 1k (each dropped)",
            per_run(dropped[OURS, sizes[-1]], dropped[OURS, sizes[0]]),
            1.15,
        ),
    ]
    print(f"\nEarlier targets (issue 4), on {SEED}:")
    for check in earlier:
        print(check.line())


def _version(distribution: str) -> str:
    from importlib.metadata import version  # noqa: PLC0415

    return version(distribution)


if __name__ == "__main__":
    main()
