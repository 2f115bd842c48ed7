"""The inbox's command line: ``python -m bandwidth_events inbox FILE COMMAND``.

List and show stored events, replay one or every dead one through a router once its bug is
fixed, purge old ones, or run a worker in a process of its own. Exits 0 when done, 1 when a
replayed event is still dead, 2 for a usage error (an unknown id, a router that cannot be
imported, a file that is not an inbox).
"""

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import timedelta
from importlib import import_module
from typing import TextIO

import isodate
import orjson

from ._inbox import Inbox, InboxError, InboxStatus, InboxWorker, StoredEvent
from ._router import Router

_ERROR_WIDTH = 60


def _router(spec: str) -> Router:
    """Import ``package.module:name`` and give the router it names."""
    module_name, _, name = spec.partition(":")
    if not module_name or not name:
        raise ValueError(f"--router takes module:name, as in myapp.webhooks:router, not {spec!r}")
    if "" not in sys.path:
        sys.path.insert(0, "")  # the current directory, as `python -m` and uvicorn do
    found = getattr(import_module(module_name), name, None)
    if not isinstance(found, Router):
        raise TypeError(f"{spec} is not a bandwidth_events.Router, but {type(found).__name__}")
    return found


def _retention(text: str) -> timedelta:
    try:
        found = isodate.parse_duration(text)
    except isodate.ISO8601Error:
        found = None
    if not isinstance(found, timedelta) or found < timedelta(0):
        raise argparse.ArgumentTypeError(
            f"expected an ISO 8601 duration in days and time, as P30D or PT12H, not {text!r}"
        )
    return found


def _line(stored: StoredEvent) -> str:
    error = stored.error or ""
    if len(error) > _ERROR_WIDTH:
        error = error[: _ERROR_WIDTH - 1] + "…"
    return (
        f"{stored.id:>6}  {stored.status:<8}  {stored.received_at:%Y-%m-%d %H:%M:%S}  "
        f"{stored.event_type or '-':<30}  {stored.attempts:>3}  {stored.deliveries:>3}  {error}"
    ).rstrip()


def _show(stored: StoredEvent, out: TextIO) -> None:
    fields = {
        "id": stored.id,
        "status": str(stored.status),
        "key": stored.key,
        "event type": stored.event_type,
        "received at": stored.received_at.isoformat(),
        "handled at": None if stored.handled_at is None else stored.handled_at.isoformat(),
        "request": f"{stored.method} {stored.path}" + (f"?{stored.query}" if stored.query else ""),
        "attempts": stored.attempts,
        "deliveries": stored.deliveries,
        "error": stored.error,
    }
    for name, value in fields.items():
        if value is not None:
            print(f"{name + ':':<13}{value}", file=out)
    if stored.answer is not None:
        print(f"{'answer:':<13}{stored.answer.status} {stored.answer.body.decode()}", file=out)
    print("headers:", file=out)
    for name, value in sorted(stored.headers.items()):
        print(f"  {name}: {value}", file=out)
    print("body:", file=out)
    print(stored.body.decode(errors="backslashreplace"), file=out)
    if stored.traceback:
        print("traceback:", file=out)
        print(stored.traceback.rstrip(), file=out)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bandwidth_events inbox",
        description="Inspect, replay, purge or work a durable webhook inbox (a SQLite file).",
    )
    parser.add_argument("file", help="the inbox's SQLite file")
    parser.add_argument(
        "--lease",
        type=float,
        default=60.0,
        help="seconds a handler may run before its event counts as abandoned (default: 60)",
    )
    parser.add_argument(
        "--attempts", type=int, default=5, help="attempts before an event is dead (default: 5)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="list stored events, newest first")
    listing.add_argument("--status", choices=[str(status) for status in InboxStatus])
    listing.add_argument("--limit", type=int, default=50, help="at most this many (0: all)")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    commands.add_parser("stats", help="count the events of each status")
    show = commands.add_parser("show", help="show one event: request, body, error, traceback")
    show.add_argument("id", type=int)
    replay = commands.add_parser("replay", help="run stored events' handlers again, here")
    which = replay.add_mutually_exclusive_group(required=True)
    which.add_argument("ids", type=int, nargs="*", default=[], help="the events to replay")
    which.add_argument("--dead", action="store_true", help="every dead event, oldest first")
    replay.add_argument("--router", required=True, help="the router, as module:name")
    purge = commands.add_parser("purge", help="delete done and dead events past the retention")
    purge.add_argument(
        "--older-than", type=_retention, default=None, help="ISO 8601, e.g. P7D (default: P30D)"
    )
    work = commands.add_parser("work", help="handle stored events until stopped (SIGTERM)")
    work.add_argument("--router", required=True, help="the router, as module:name")
    work.add_argument("--threads", type=int, default=1)
    work.add_argument("--once", action="store_true", help="handle what is due, then exit")
    return parser


def main(argv: Sequence[str]) -> int:
    """Run ``python -m bandwidth_events inbox``; give the exit status."""
    args = _parser().parse_args(argv)
    try:
        with Inbox(args.file, lease=args.lease, attempts=args.attempts) as inbox:
            return _run(inbox, args)
    except (InboxError, LookupError, ValueError, TypeError, ImportError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _run(inbox: Inbox, args: argparse.Namespace) -> int:
    out = sys.stdout
    if args.command == "list":
        status = None if args.status is None else InboxStatus(args.status)
        for stored in inbox.events(status, limit=args.limit or None):
            print(_json_line(stored) if args.json else _line(stored), file=out)
        return 0
    if args.command == "stats":
        for status, count in inbox.counts().items():
            print(f"{status:<9}{count}", file=out)
        return 0
    if args.command == "show":
        _show(inbox.get(args.id), out)
        return 0
    if args.command == "purge":
        print(f"purged {inbox.purge(args.older_than)} events", file=out)
        return 0
    router = _router(args.router)
    if args.command == "replay":
        if args.dead:
            results = inbox.replay_dead(router)
        else:
            results = [inbox.replay(row_id, router) for row_id in args.ids]
        for stored in results:
            print(_line(stored), file=out)
        return 1 if any(stored.status is InboxStatus.DEAD for stored in results) else 0
    return _work(inbox, router, threads=args.threads, once=args.once)


def _json_line(stored: StoredEvent) -> str:
    return orjson.dumps(
        {
            "id": stored.id,
            "status": stored.status,
            "key": stored.key,
            "eventType": stored.event_type,
            "receivedAt": stored.received_at.isoformat(),
            "attempts": stored.attempts,
            "deliveries": stored.deliveries,
            "error": stored.error,
        }
    ).decode()


def _work(inbox: Inbox, router: Router, *, threads: int, once: bool) -> int:
    worker = InboxWorker(inbox, router, threads=threads)
    if once:
        print(f"handled {worker.run_once()} events", file=sys.stdout)
        return 0
    stop = threading.Event()

    def stopping(_signal: int, _frame: object) -> None:
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stopping)
    with worker:
        print(f"working {inbox.path} with {threads} thread(s); SIGTERM stops", file=sys.stdout)
        sys.stdout.flush()
        stop.wait()
    return 0
