"""Parse a webhook body from the command line: ``python -m bandwidth_events FILE|-``.

Prints the typed event (or, with ``--json``, its canonical wire form) and exits 0; prints the
`EventParseError` to stderr and exits 1 for a bad body; exits 2 for a file it cannot read.
"""

import argparse
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
    parser = argparse.ArgumentParser(
        prog="python -m bandwidth_events",
        description="Parse a Bandwidth voice webhook body and print the typed event.",
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


if __name__ == "__main__":
    sys.exit(main())
