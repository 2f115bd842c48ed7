"""Count the instructions each contender runs per call, which no load on the machine changes.

Run from the repository root, with the ``bench`` dependency group installed and valgrind on
the PATH (``apt-get install valgrind``)::

    python benchmarks/instructions.py [--calls N] [--body STEM ...] [--every-body]
                                      [--operation NAME ...]

Time on a shared machine moves with its load (``bench.py`` flags such rows noisy); the number
of instructions a call runs does not. This runs the same jobs as ``bench.py`` (the same
contenders on the same documented bodies) under callgrind, in one interpreter: each job runs
``N`` times inside one ``functools.reduce`` call, which callgrind counts alone
(``--toggle-collect``) and writes out as soon as it returns (``--dump-after``), after 100 calls
outside it that warm the job up (a writer is generated on its first call) and a reduce over
nothing that marks where the job's count comes. ``PYTHONHASHSEED=0``, as with a random seed
per run the interpreter's start-up moves the counts by more than the calls measured.
Instructions are not time: the interpreter and compiled code run different numbers of them per
cycle, so the two tell different things and both are reported in ``docs/performance.md``.

Defaults: the seed body, parse (class known and dispatching) and ``to_json``, 20,000 calls (with
fewer, one collection of the garbage collector falling in one count and not another moves it
by up to a tenth). ``--every-body`` counts every documented body the benchmark times, and
sums each operation up: its median and worst ratio, and the bodies that meet issue 14's
target (0.8x to parse, 1.0x to write; 2,000 calls take about ten minutes). Last come issue
14's targets that counts can judge, checked as ``bench.py`` checks them (its functions): every
parse and ``to_json`` target on each event type, with the extra and without, and the import.

Then each import ``bench.py`` times, but the official SDK's (a second, a minute under valgrind),
counted whole in fresh interpreters, bytecode written first: the program's instructions with
the import, less the same program's without it (``--no-imports`` leaves them out). Loading a
compiled extension is mostly reading and mapping its file, which costs time but few
instructions, so pydantic's compiled core counts for less here than on the clock.

Then the three apps ``bench.py`` serves (the receiver, a bare Starlette endpoint, FastAPI with
pydantic), each under callgrind in a uvicorn process of its own: the seed body posted on 16
keep-alive connections at once, as its load generator posts it, and the server's instructions
per request (``--no-serving`` leaves them out; about two minutes). They show where a request's
work goes, not the receiver targets' verdicts: the kernel's work (the sockets, and FastAPI's
hand-off of each request to a thread and back) is not counted, nor are the memory system's
stalls, and a quiet timed run put the receiver at 0.91x the bare endpoint's requests per second
where it ran 0.98x its instructions.
"""

import argparse
import functools
import http.client
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from installed import add_any_install, require_source_tree

if TYPE_CHECKING:
    from bench import Row, Samples

HERE = Path(__file__).parent
CONTENDERS = ("bandwidth_events", "bandwidth_events, pure", "pydantic", "pydantic lax")
OPERATIONS = ("parse, class known", "parse, dispatch on eventType", "to_json")
WARM_UP = 100
MARKER = 10_000  # instructions: more than a reduce over nothing, less than any job's
UNCOUNTED_IMPORTS = frozenset({"bandwidth-sdk model"})  # a second each, a minute under valgrind
SERVED_WARM_UP, SERVED_REQUESTS = 8, 64  # on each connection


_UNDER_VALGRIND = "BANDWIDTH_EVENTS_INSTRUCTIONS_RUN"


def main() -> None:
    """Run the jobs under callgrind, then print the counts per call."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000, help="calls counted per job")
    parser.add_argument("--body", action="append", help="a body of tests/payloads (its stem)")
    parser.add_argument("--every-body", action="store_true", help="every body bench.py times")
    parser.add_argument("--operation", action="append", choices=(*OPERATIONS, "to_dict"))
    parser.add_argument(
        "--imports", action=argparse.BooleanOptionalAction, default=True, help="count imports"
    )
    parser.add_argument(
        "--serving",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="count the receiver's requests under uvicorn",
    )
    add_any_install(parser)
    arguments = parser.parse_args()
    bodies = arguments.body or ["conferenceRecordingAvailable"]
    if arguments.every_body:
        bodies = every_body()
    operations = arguments.operation or list(OPERATIONS)
    if os.environ.get(_UNDER_VALGRIND):
        run_jobs(arguments.calls, bodies, operations)
        return
    require_source_tree(any_install=arguments.any_install)
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        sys.exit("valgrind is not installed (apt-get install valgrind): no counts")
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "callgrind.out"
        command = [
            valgrind,
            "--tool=callgrind",
            "--collect-atstart=no",
            "--toggle-collect=functools_reduce",
            "--dump-after=functools_reduce",
            f"--callgrind-out-file={out}",
            sys.executable,
            *sys.argv,
        ]
        env = {**os.environ, _UNDER_VALGRIND: "1", "PYTHONHASHSEED": "0"}
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 -- our own command
        if done.returncode:
            sys.exit(f"the run under valgrind failed:\n{done.stderr}")
        labels = done.stdout.split("JOBS\n", 1)[1].splitlines()
        counts = dump_totals(Path(scratch))
    # Each job is two counts, a marker's and its own; imports call reduce too, before them. A
    # job that called reduce itself would shift the pairs: a marker would count a job.
    markers, measured = counts[-2 * len(labels) :][::2], counts[-2 * len(labels) :][1::2]
    for label, marker in zip(labels, markers, strict=True):
        if marker > MARKER:
            sys.exit(f"the counts after {label!r} are not one job's: did it call reduce itself?")
    per_call = dict(zip(labels, (count / arguments.calls for count in measured), strict=True))
    samples = report(per_call, bodies, operations, arguments.calls)
    imports = count_imports(valgrind) if arguments.imports else {}
    if arguments.serving:
        count_serving(valgrind)
    report_targets(samples, imports)


def _bench() -> ModuleType:
    """Import bench.py, whose import builds every peer: only where its jobs or imports run."""
    sys.path.insert(0, str(HERE))
    import bench  # noqa: PLC0415 -- see above

    return bench


def every_body() -> list[str]:
    """Give the stem of every documented body, as bench.py finds them (it skips the refused)."""
    return sorted(path.stem for path in (HERE.parent / "tests" / "payloads").glob("*.json"))


def run_jobs(calls: int, bodies: list[str], operations: list[str]) -> None:
    """Under valgrind: run each job in a reduce of its own, and name the jobs in order."""
    bench = _bench()
    import bandwidth_events  # noqa: PLC0415 -- as bench.py has it

    labels = []
    for stem in bodies:
        body = (bench.PAYLOADS / f"{stem}.json").read_bytes()
        try:
            bandwidth_events.parse_event(body)
        except bandwidth_events.EventParseError:
            continue  # as bench.py: a body we refuse is no job
        jobs = bench.jobs_for(bench.event_type_of(stem), body)
        for operation in operations:
            for contender in CONTENDERS:
                job = jobs[operation].get(contender)
                if not callable(job):  # "as ours": the pure install writes with the same code
                    continue
                for _ in range(WARM_UP):  # outside reduce: not counted
                    job()
                functools.reduce(lambda _, __: None, (), None)  # the marker: next is a job
                functools.reduce(lambda _, __, job=job: job(), range(calls), None)
                labels.append(f"{stem}\t{operation}\t{contender}")
    print("JOBS", *labels, sep="\n")


def dump_totals(directory: Path) -> list[int]:
    """Give each dump's total instructions, in the order callgrind wrote them."""
    dumps = sorted(directory.glob("callgrind.out.*"), key=lambda path: int(path.suffix[1:]))
    return [_total(dump) for dump in dumps]


def _total(dump: Path) -> int:
    with dump.open() as lines:
        total = next(line for line in lines if line.startswith("totals:"))
    return int(total.split()[1])


def count_imports(valgrind: str) -> dict[str, int]:
    """Count each import bench.py times, as it times them (see the module's docs); print them."""
    bench = _bench()
    contenders, env, preloaded = bench.import_programs()
    env["PYTHONHASHSEED"] = "0"
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "callgrind.out"

        def instructions(program: str) -> int:
            command = [valgrind, "--tool=callgrind", f"--callgrind-out-file={out}"]
            run = [*command, sys.executable, "-c", program]
            subprocess.run(run, env=env, capture_output=True, check=True)  # noqa: S603 -- our own
            return _total(out)

        for name, (before, statement) in contenders.items():
            if name in UNCOUNTED_IMPORTS:
                continue
            program = f"{before}\n{statement}"
            # Writes the bytecode of everything imported, as pip does when it installs a wheel.
            subprocess.run([sys.executable, "-c", program], env=env, check=True)  # noqa: S603 -- our own
            counts[name] = instructions(program) - instructions(before)
    peer = counts[bench.IMPORT_PEER]
    print(
        f"\nImport in a fresh interpreter, millions of instructions (callgrind, bytecode written"
        f" first); each but the last after the {preloaded} standard-library modules both"
        " bandwidth_events and pydantic load:"
    )
    for name, count in counts.items():
        ratio = f"  {count / peer:.2f}x pydantic" if name != bench.IMPORT_PEER else ""
        print(f"  {name:<30} {count / 1e6:7.1f}{ratio}")
    return counts


def count_serving(valgrind: str) -> None:
    """Count and print each app bench.py serves: its server process's instructions per request.

    Each runs under callgrind in a uvicorn process of its own, as bench.py serves it. After
    `SERVED_WARM_UP` requests of the seed body on each of bench.py's keep-alive connections,
    its counts are zeroed (``callgrind_control``), `SERVED_REQUESTS` more are posted on each,
    and its counts are dumped. What the kernel does is not counted (see the module's docs).
    """
    bench = _bench()
    import serving  # noqa: PLC0415 -- beside this file, as bench.py imports it

    control = shutil.which("callgrind_control") or "callgrind_control"
    body = (bench.PAYLOADS / f"{bench.SEED}.json").read_bytes()
    counts: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for name, app in serving.APPS.items():
            out = Path(scratch) / f"{app}.out"
            under = (valgrind, "-q", "--tool=callgrind", f"--callgrind-out-file={out}")
            with serving.served(app, under=under, start_within=900) as (port, pid):
                _load(port, body, SERVED_WARM_UP)
                subprocess.run([control, "-z", str(pid)], check=True, capture_output=True)  # noqa: S603 -- valgrind's own tool
                _load(port, body, SERVED_REQUESTS)
                subprocess.run([control, "-d", str(pid)], check=True, capture_output=True)  # noqa: S603 -- valgrind's own tool
            counts[name] = _total(Path(f"{out}.1")) / (SERVED_REQUESTS * serving.CONNECTIONS)
    print(
        f"\nServing the seed body under uvicorn (one worker), instructions per request in the"
        f" server process (callgrind; {serving.CONNECTIONS} keep-alive connections posting"
        f" {SERVED_REQUESTS} requests each, after {SERVED_WARM_UP} each; the kernel's work for the"
        " sockets is not counted):"
    )
    ours = counts[bench.OURS]
    for name, count in counts.items():
        ratio = "" if name == bench.OURS else f"  {ours / count:.2f}x theirs"
        print(f"  {name:<20} {count:10,.0f}{ratio}")
    print(
        "  No verdict on the receiver targets: they are in requests per second, and these counts"
        " leave out the kernel (FastAPI hands each request to a thread and back) and the memory"
        " system. Time them: nox -s bench."
    )


def _load(port: int, body: bytes, requests: int) -> None:
    """Post the body so many times on each of bench.py's connections, all at once.

    As under bench.py's load generator, the server (slowed down by callgrind) always has
    requests waiting on every connection. Any answer but 204 stops the run.
    """
    import serving  # noqa: PLC0415 -- beside this file

    def post() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
        for _ in range(requests):
            connection.request("POST", "/", body, serving.HEADERS)
            response = connection.getresponse()
            response.read()
            if response.status != 204:  # noqa: PLR2004 -- what every app answers
                raise RuntimeError(f"a served app answered {response.status}: no count")
        connection.close()

    with ThreadPoolExecutor(serving.CONNECTIONS) as connections:
        for each in [connections.submit(post) for _ in range(serving.CONNECTIONS)]:
            each.result()


def report_targets(samples: "dict[Row, Samples]", imports: dict[str, int]) -> None:
    """Print issue 14's targets that instructions can judge, as bench.py checks them."""
    bench = _bench()
    checks = bench.payload_checks(samples)
    if imports:
        checks.append(bench.import_check({name: [count] for name, count in imports.items()}))
    print("\nTargets (issue 14) in instructions: ours / theirs, one count each, so no spread")
    for check in checks:
        print(check.line())
    pure = bench.payload_checks(samples, mine=bench.PURE)
    if pure:
        print("\nThe same parse targets without the fast extra (msgspec), as the default install:")
        for check in pure:
            print(check.line())


def report(
    per_call: dict[str, float], bodies: list[str], operations: list[str], calls: int
) -> "dict[Row, Samples]":
    """Print a table per call, with ours against the equivalent pydantic model.

    Give the counts as bench.py's samples, one each: what its checks of the targets take.
    """
    bench = _bench()
    samples: dict[Row, Samples] = {}
    print(
        f"Instructions per call (callgrind, {calls:,} calls after {WARM_UP} to warm up, "
        f"PYTHONHASHSEED=0), Python {sys.version.split()[0]}"
    )
    header = ("body", "operation", *CONTENDERS, "ours / pydantic", "pure / pydantic")
    print("| " + " | ".join(header) + " |")
    print("| " + " | ".join(["---", "---"] + ["---:"] * (len(header) - 2)) + " |")
    ours: dict[str, list[tuple[float, str]]] = {operation: [] for operation in operations}
    for stem in bodies:
        for operation in operations:
            counts = {c: per_call.get(f"{stem}\t{operation}\t{c}") for c in CONTENDERS}
            peer = counts["pydantic"]
            if not peer:
                continue  # refused, so not run
            line = bench.Row(stem, bench.event_type_of(stem), operation)
            samples[line] = {c: "n/a" if n is None else [n] for c, n in counts.items()}
            ours[operation].append((counts["bandwidth_events"] / peer, stem))
            cells = [f"{count:,.0f}" if count else "" for count in counts.values()]
            cells += [
                f"{mine / peer:.2f}x" if mine and peer else ""
                for mine in (counts["bandwidth_events"], counts["bandwidth_events, pure"])
            ]
            print("| " + " | ".join([stem, operation, *cells]) + " |")
    # Issue 14's limit for each operation, against the equivalent model.
    limits = {op: limit for op, peer, limit, _ in bench.PAYLOAD_TARGETS if peer == "pydantic"}
    if len(bodies) > 1:
        for operation, mine in ours.items():
            ratio = sorted(mine)
            limit = limits.get(operation)  # to_dict has none
            met = (
                ""
                if limit is None
                else f", {sum(value <= limit for value, _ in ratio)} of {len(ratio)} bodies at"
                f" or under {limit}x"
            )
            print(
                f"{operation}, ours / pydantic: median "
                f"{statistics.median(value for value, _ in ratio):.2f}x, worst "
                f"{ratio[-1][0]:.2f}x ({ratio[-1][1]}){met}"
            )
    return samples


if __name__ == "__main__":
    main()
