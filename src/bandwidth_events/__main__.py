"""Parse a webhook body from the command line: ``python -m bandwidth_events FILE|-``.

Prints the typed event (or, with ``--json``, its canonical wire form) and exits 0; prints the
`EventParseError` to stderr and exits 1 for a bad body; exits 2 for a file it cannot read.
``python -m bandwidth_events inbox …`` works a durable inbox instead (see `_inbox_cli`).
Output cut short by its reader (``| head``) ends the command quietly, with the status a shell
gives a program SIGPIPE stopped (141).
"""

import argparse
import os
import signal
import sys
from collections.abc import Sequence

import attrs

from ._api import AnyEvent, parse_event, to_json
from ._errors import EventParseError


def _render(event: AnyEvent) -> str:
    names = [field.name for field in attrs.fields(type(event))]
    width = max(map(len, names))
    lines = [f"{type(event).__name__} (eventType {event.event_type!r})"]
    lines += [f"  {name:<{width}} = {getattr(event, name)!r}" for name in names]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "inbox":
        from ._inbox_cli import main as inbox_main  # noqa: PLC0415 -- only for this command

        return inbox_main(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m bandwidth_events",
        description="Parse a Bandwidth voice webhook body and print the typed event. "
        "(`python -m bandwidth_events inbox --help` for the durable inbox's commands.)",
    )
    parser.add_argument("file", help="a file holding the JSON body, or - for standard input")
    parser.add_argument(
        "--json", action="store_true", help="print the event's canonical wire JSON instead"
    )
    args = parser.parse_args(argv)
    try:
        if args.file == "-":
            body = sys.stdin.buffer.read()
        else:
            with open(args.file, "rb") as file:  # noqa: PTH123 -- argparse gives a str
                body = file.read()
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc.strerror}", file=sys.stderr)  # noqa: T201
        return 2
    try:
        event = parse_event(body)
    except EventParseError as exc:
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201
        return 1
    print(to_json(event) if args.json else _render(event))  # noqa: T201
    return 0


def _run() -> int:
    """Run `main` as a process; a reader that closed the pipe early ends it quietly."""
    try:
        status = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # As Python's documentation advises: the output goes nowhere from here on, so the
        # flush at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    return status


if __name__ == "__main__":
    sys.exit(_run())
