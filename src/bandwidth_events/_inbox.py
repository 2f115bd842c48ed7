"""A durable inbox: every accepted webhook is stored before it is answered, then handled.

The store is one SQLite file in WAL mode, written with ``synchronous=FULL``, so a stored event
survives a crash of the process and of the machine. A `Receiver` with an inbox stores each
request, dedupes Bandwidth's retry by the event's key, answers, and leaves the handling to an
`InboxWorker`; an event whose answer is BXML is handled inline and its answer kept, so a
duplicate gets the same answer. A handler that raises is retried with backoff (stamina), then
the event is marked dead with its traceback, to replay once the bug is fixed.

Rows move ``pending`` → ``handling`` → ``done`` or ``dead``. A row is ``handling`` under a
lease: if its process dies, the lease runs out and a worker takes the row again, so a handler
runs at least once for every stored event, and more than once only after such a crash.
"""

import enum
import hashlib
import sqlite3
import threading
import time
import traceback
from abc import ABC, abstractmethod
from collections.abc import Callable, Generator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from os import PathLike
from typing import TYPE_CHECKING, Any, Final, Self, TypeAlias, cast

import attrs
import orjson

from ._api import AnyEvent
from ._errors import EventParseError
from ._events import UnknownEvent
from ._kinds import field_kinds
from ._query import request_event

if TYPE_CHECKING:
    from types import ModuleType

    from ._receiver import Reply, Request
    from ._router import Outcome, Router

#: Gives the dedupe key of one class's events, in place of the default (see `dedupe_key`).
KeyFunction: TypeAlias = Callable[[Any], str]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    received_at REAL NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    query TEXT NOT NULL,
    headers BLOB NOT NULL,
    body BLOB NOT NULL,
    event_type TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    deliveries INTEGER NOT NULL DEFAULT 1,
    owner TEXT,
    lease_until REAL,
    handled_at REAL,
    answer_status INTEGER,
    answer_type TEXT,
    answer_body BLOB,
    error TEXT,
    traceback TEXT
);
CREATE INDEX IF NOT EXISTS events_by_status ON events (status, id);
"""
_COLUMNS: Final = (
    "id, key, status, received_at, method, path, query, headers, body, event_type, attempts, "
    "deliveries, handled_at, answer_status, answer_type, answer_body, error, traceback"
)


class InboxStatus(enum.StrEnum):
    """Where a stored event is: waiting, being handled, handled, or given up on."""

    #: Stored and answered; a worker will handle it.
    PENDING = "pending"
    #: A worker (or, for BXML, the receiver) runs its handler now, under a lease.
    HANDLING = "handling"
    #: Its handler returned.
    DONE = "done"
    #: Its body could not be parsed, or its handler raised on every attempt (see ``error``).
    DEAD = "dead"


class InboxError(Exception):
    """The inbox could not store or update an event: a full disk, a locked database.

    A `Receiver` answers ``503`` for it, so that the event is not acknowledged: Bandwidth sees
    the failure, and the failure hook gets the body.
    """


@attrs.frozen
class StoredEvent:
    """One request the inbox keeps, and what became of it.

    Attributes:
        id: Its number in the inbox, in the order received.
        key: Its dedupe key (see `dedupe_key`); ``unreadable|sha256=…`` for a body that could
            not be parsed.
        status: Where it is: pending, handling, done or dead.
        received_at: When the first delivery was stored (UTC).
        method: ``POST``, or ``GET`` for a callback sent with ``…Method="GET"``.
        path: The request's path under the receiver's mount.
        query: The query string (a ``GET`` callback's fields).
        headers: The request headers, lower-case, ``authorization`` left out.
        body: The body, exactly as received.
        event_type: The ``eventType``, when the body could be read.
        attempts: How many times a handler was started for it.
        deliveries: How many times it was received: 2 after Bandwidth's retry.
        handled_at: When its handler last returned or it was marked dead (UTC).
        answer: The answer a BXML event's handler gave, sent again to a duplicate.
        error: The last error, in one line: a parse error or what the handler raised.
        traceback: The last handler failure's traceback.
    """

    id: int
    key: str
    status: InboxStatus
    received_at: datetime
    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes
    event_type: str | None
    attempts: int
    deliveries: int
    handled_at: datetime | None
    answer: "Reply | None"
    error: str | None
    traceback: str | None

    @property
    def request(self) -> "Request":
        """Give the request it came in, as `current_request` gives it to handlers."""
        from ._receiver import Request  # noqa: PLC0415 -- the receiver imports this module

        return Request(self.method, self.path, self.query, self.headers)

    def event(self) -> AnyEvent:
        """Parse the stored request into its event.

        Raises:
            EventParseError: The body (or a ``GET``'s query) is not a valid event.
        """
        return request_event(self.method, self.query, self.body)


def _identity(cls: type[Any]) -> tuple[tuple[str, str, Callable[[Any], Any]], ...]:
    """Give the (wire key, attribute, wire writer) of a class's key fields, after ``eventType``."""
    found = _IDENTITY.get(cls)
    if found is None:
        found = _IDENTITY[cls] = tuple(
            (fk.key, fk.field.name, fk.kind.write or str)
            for fk in field_kinds(cls)
            if fk.key == "eventTime" or (fk.key.endswith("Id") and fk.kind.model is None)
        )
    return found


_IDENTITY: dict[type[Any], tuple[tuple[str, str, Callable[[Any], Any]], ...]] = {}


def key_fields(cls: type[Any]) -> tuple[str, ...]:
    """Give the wire fields the default dedupe key of a class's events is made of."""
    return ("eventType", *(key for key, _, _ in _identity(cls)))


def dedupe_key(event: AnyEvent) -> str:
    """Give an event's default dedupe key: what tells Bandwidth's retry from a new event.

    Bandwidth sends no delivery id, and its retry repeats the same event: the same
    ``eventType``, ``eventTime`` and ids. So the key is the ``eventType``, then the
    ``eventTime`` and every top-level ``…Id`` field the event has (``callId``,
    ``conferenceId``, ``recordingId``, …), as ``name=value`` in their wire form, joined with
    ``|``. An
    `UnknownEvent`'s fields are not known: its key is a hash of its whole payload.
    """
    if isinstance(event, UnknownEvent):
        # The payload is a read-only mappingproxy, which orjson cannot write: a dict copy can.
        payload = dict(event.payload)
        digest = hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS))
        return f"{event.event_type}|sha256={digest.hexdigest()}"
    parts: list[str] = [event.event_type]
    for key, name, write in _identity(type(event)):
        value = getattr(event, name)
        if value is not None:
            parts.append(f"{key}={write(value)}")
    return "|".join(parts)


def _time(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def _error_line(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _traceback(error: BaseException) -> str:
    return "".join(traceback.format_exception(error))


def check_retries(attempts: int, **seconds: float) -> None:
    """Refuse retry settings that mean nothing: no attempt, or a wait that is not seconds.

    Raises:
        ValueError: ``attempts`` is below 1, or a wait is negative or NaN.
    """
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, not {attempts}")
    for name, wait in seconds.items():
        if not wait >= 0:
            raise ValueError(f"{name} must be a number of seconds, not {wait!r}")


@attrs.define
class _Job:
    """A statement storing a request, queued for the next group commit."""

    sql: str
    parameters: tuple[object, ...]
    #: The row it gave, or why it failed, once committed (or not).
    outcome: tuple[Any, ...] | InboxError | None = None


def _headers_json(request: "Request") -> bytes:
    try:
        return orjson.dumps(dict(request.headers))
    except orjson.JSONEncodeError as error:  # a lone surrogate, from a caller of handle()
        raise _not_stored(error) from error


def _not_stored(error: BaseException) -> InboxError:
    failed = InboxError(f"the request could not be stored: {_error_line(error)}")
    failed.__cause__ = error
    return failed


def _run_one(db: sqlite3.Connection, job: _Job) -> tuple[Any, ...] | InboxError:
    """Run one queued statement in the batch's transaction; give its row, or why not.

    A request whose values SQLite cannot take (text with a lone surrogate, from a caller of
    `Receiver.handle`) fails alone: nothing of it was written. An error of SQLite's own
    (a full disk) fails the whole batch.
    """
    try:
        row: tuple[Any, ...] = db.execute(job.sql, job.parameters).fetchone()
    except sqlite3.Error:
        raise
    except Exception as error:  # noqa: BLE001 -- whatever a value did, this request only
        return _not_stored(error)
    return row


@attrs.frozen
class Taken:
    """What `Inbox.take` did with a request: stored it anew, or found it stored already."""

    id: int
    new: bool
    owner: str | None = None
    answer: "Reply | None" = None


class Inbox:
    """A durable store of every webhook a `Receiver` accepts, in one SQLite file.

    Give it to the `Receiver` (``Receiver(..., inbox=inbox)``) and run an `InboxWorker` on
    the same file, in the same process or another one. Inspect and replay it from Python or
    with ``python -m bandwidth_events inbox``.

    Args:
        path: The SQLite file; made, with its tables, if it does not exist.
        keys: A dedupe key function per event class, in place of `dedupe_key` for that class.
            The event type is prefixed to what it gives.
        retention: How long handled and dead events are kept before `purge` deletes them.
            Pending ones are never deleted.
        attempts: How many times a worker runs a handler before marking the event dead.
        wait_initial: The first backoff between attempts, in seconds; it doubles each time.
        wait_max: The longest backoff between attempts, in seconds.
        lease: Seconds a handler may run before its event counts as abandoned (its process
            died) and a worker takes it again. Each attempt renews it.
        busy_timeout: Seconds a write waits for another writer before it fails (``503``).
    """

    def __init__(  # noqa: PLR0913 -- the inbox's settings, each with a default
        self,
        path: str | PathLike[str],
        *,
        keys: Mapping[type[Any], KeyFunction] | None = None,
        retention: timedelta = timedelta(days=30),
        attempts: int = 5,
        wait_initial: float = 1.0,
        wait_max: float = 60.0,
        lease: float = 60.0,
        busy_timeout: float = 5.0,
    ) -> None:
        check_retries(
            attempts,
            wait_initial=wait_initial,
            wait_max=wait_max,
            lease=lease,
            busy_timeout=busy_timeout,
        )
        self.path = str(path)
        self.keys: Mapping[type[Any], KeyFunction] = dict(keys or {})
        self.retention = retention
        self.attempts = attempts
        self.wait_initial = wait_initial
        self.wait_max = wait_max
        self.lease = lease
        self.busy_timeout = busy_timeout
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._queue: list[_Job] = []
        self._queue_lock = threading.Lock()
        self._commit_lock = threading.Lock()
        #: Set when an event is stored: an InboxWorker in this process wakes at once.
        self.arrived = threading.Event()
        try:
            self._db().executescript(_SCHEMA)
        except sqlite3.Error as error:
            raise InboxError(f"{self.path} cannot be an inbox: {error}") from error

    def __repr__(self) -> str:
        return f"Inbox({self.path!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Close every connection this inbox opened, in any thread."""
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            connection.close()
        self._local = threading.local()

    # -- connections -------------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(
                self.path,
                timeout=self.busy_timeout,
                isolation_level=None,
                check_same_thread=False,
            )
            try:
                db.execute("PRAGMA journal_mode=WAL")
            except sqlite3.Error:
                db.close()  # not a database (or locked): no connection left open behind
                raise
            self._local.db = db
            with self._lock:
                self._connections.append(db)
        return db

    @contextmanager
    def _write(self, *, durable: bool = False) -> Generator[sqlite3.Connection]:
        """One write transaction; any SQLite or file-system error becomes `InboxError`.

        A durable one (storing a request, before it is acknowledged) is synced to the disk
        before it ends (``synchronous=FULL``). The others (a worker's progress) are not waited
        for (``NORMAL``): in WAL mode they survive any crash of the process, and the next
        durable one syncs them too; a power cut may undo the last of them, which only means an
        event is handled again.
        """
        try:
            db = self._db()
            if getattr(self._local, "durable", None) is not durable:
                db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
                self._local.durable = durable
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        except (sqlite3.Error, OSError) as error:
            raise InboxError(f"the inbox {self.path} could not store the event: {error}") from error

    def _durably(self, sql: str, parameters: tuple[object, ...]) -> tuple[Any, ...]:
        """Run one statement that stores a request, synced to the disk; give its row.

        Group commit: requests stored at the same time share one transaction, and so one sync
        of the disk. Each thread queues its statement, then takes the commit lock; whoever
        holds it runs every statement queued so far, its own among them, and a thread whose
        statement another one ran already just takes the result.
        """
        job = _Job(sql, parameters)
        with self._queue_lock:
            self._queue.append(job)
        with self._commit_lock:
            if job.outcome is None:
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                try:
                    with self._write(durable=True) as db:
                        for each in batch:
                            each.outcome = _run_one(db, each)
                except BaseException as error:
                    # The transaction is undone: none of the batch is stored, whoever's it is.
                    failed = error if isinstance(error, InboxError) else _not_stored(error)
                    for each in batch:
                        each.outcome = failed
                    if not isinstance(error, Exception):
                        raise  # KeyboardInterrupt and the like go on, in the thread they hit
        if isinstance(job.outcome, InboxError):
            raise job.outcome
        return cast("tuple[Any, ...]", job.outcome)

    def _read(self, sql: str, parameters: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._db().execute(sql, parameters).fetchall()
        except (sqlite3.Error, OSError) as error:
            raise InboxError(f"the inbox {self.path} could not be read: {error}") from error

    # -- what the receiver does ------------------------------------------------------------

    def key_of(self, event: AnyEvent) -> str:
        """Give an event's dedupe key: the class's own function's, else `dedupe_key`'s."""
        own = self.keys.get(type(event))
        return dedupe_key(event) if own is None else f"{event.event_type}|{own(event)}"

    def take(self, request: "Request", body: bytes, event: AnyEvent) -> Taken:
        """Store a request's event, unless its key is stored already (Bandwidth's retry).

        A new event that takes BXML is stored as being handled, by the caller, under a lease
        (its first attempt); any other as pending, for a worker.

        Raises:
            InboxError: It could not be stored.
        """
        key = self.key_of(event)
        status = InboxStatus.HANDLING if event.accepts_bxml else InboxStatus.PENDING
        owner = _owner() if event.accepts_bxml else None
        now = time.time()
        row_id, deliveries, *answer = self._durably(
            "INSERT INTO events (key, status, received_at, method, path, query, headers, "
            "body, event_type, owner, lease_until, attempts) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET deliveries = deliveries + 1 "
            "RETURNING id, deliveries, answer_status, answer_type, answer_body",
            (
                key,
                status,
                now,
                request.method,
                request.path,
                request.query,
                _headers_json(request),
                body,
                event.event_type,
                owner,
                now + self.lease if owner else None,
                1 if owner else 0,
            ),
        )
        if deliveries == 1:
            self.arrived.set()
            return Taken(row_id, new=True, owner=owner)
        return Taken(row_id, new=False, answer=_answer(*answer))

    def keep_bad(self, request: "Request", body: bytes, error: EventParseError) -> int:
        """Store a request whose event could not be read, as dead with the parse error.

        Its key is a hash of the method, query and body: a retry of it is counted, not kept
        twice.

        Raises:
            InboxError: It could not be stored.
        """
        digest = hashlib.sha256(b"\0".join((request.method.encode(), request.query.encode(), body)))
        now = time.time()
        (row_id,) = self._durably(
            "INSERT INTO events (key, status, received_at, method, path, query, headers, "
            "body, event_type, handled_at, error) "
            "VALUES (?, 'dead', ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET deliveries = deliveries + 1 RETURNING id",
            (
                f"unreadable|sha256={digest.hexdigest()}",
                now,
                request.method,
                request.path,
                request.query,
                _headers_json(request),
                body,
                error.event_type,
                now,
                _error_line(error),
            ),
        )
        return int(row_id)

    def answer_of(self, row_id: int) -> "tuple[bool, Reply | None]":
        """Give whether an event's lease is held now, and its BXML handler's answer, if any.

        The lease may be held in another process: the first delivery's receiver.
        """
        for leased, *answer in self._read(
            "SELECT status = 'handling' AND lease_until > ?, answer_status, answer_type, "
            "answer_body FROM events WHERE id = ?",
            (time.time(), row_id),
        ):
            return bool(leased), _answer(*answer)
        return False, None  # purged meanwhile: there is no answer to wait for

    def release(self, row_id: int, owner: str, error: BaseException) -> None:
        """Give an event whose handler raised in the receiver to the workers, to retry."""
        with self._write() as db:
            db.execute(
                "UPDATE events SET status = 'pending', lease_until = NULL, error = ?, "
                "traceback = ? WHERE id = ? AND owner = ?",
                (_error_line(error), _traceback(error), row_id, owner),
            )
        self.arrived.set()

    # -- what handlers' runs record ----------------------------------------------------------

    def claim(self) -> "tuple[StoredEvent, str] | None":
        """Take the oldest pending (or abandoned) event for handling; ``None`` if none is due."""
        owner = _owner()
        now = time.time()
        with self._write() as db:
            row = db.execute(
                f"UPDATE events SET status = 'handling', owner = ?, lease_until = ? "  # noqa: S608 -- constants only
                f"WHERE id = (SELECT id FROM events WHERE status = 'pending' "
                f"OR (status = 'handling' AND lease_until <= ?) ORDER BY id LIMIT 1) "
                f"RETURNING {_COLUMNS}",
                (owner, now + self.lease, now),
            ).fetchone()
        return None if row is None else (_stored(row), owner)

    def started(self, row_id: int, owner: str, lease: float | None = None) -> None:
        """Count an attempt at handling an event, and renew its lease (``lease`` seconds)."""
        with self._write() as db:
            db.execute(
                "UPDATE events SET attempts = attempts + 1, lease_until = ? "
                "WHERE id = ? AND owner = ?",
                (time.time() + (self.lease if lease is None else lease), row_id, owner),
            )

    def done(self, row_id: int, owner: str, answer: "Reply | None" = None) -> None:
        """Mark an event handled, keeping its answer (for a BXML event) for duplicates."""
        status, content_type, body = (
            (None, None, None)
            if answer is None
            else (answer.status, dict(answer.headers).get("content-type"), answer.body)
        )
        with self._write() as db:
            db.execute(
                "UPDATE events SET status = 'done', handled_at = ?, lease_until = NULL, "
                "answer_status = ?, answer_type = ?, answer_body = ?, error = NULL, "
                "traceback = NULL WHERE id = ? AND owner = ?",
                (time.time(), status, content_type, body, row_id, owner),
            )

    def dead(self, row_id: int, owner: str, error: BaseException) -> None:
        """Mark an event dead with the error its handler raised, and its traceback."""
        with self._write() as db:
            db.execute(
                "UPDATE events SET status = 'dead', handled_at = ?, lease_until = NULL, "
                "error = ?, traceback = ? WHERE id = ? AND owner = ?",
                (time.time(), _error_line(error), _traceback(error), row_id, owner),
            )

    # -- inspection, replay and retention ---------------------------------------------------

    def get(self, row_id: int) -> StoredEvent:
        """Give one stored event by its id.

        Raises:
            LookupError: The inbox has no event with that id.
        """
        rows = self._read(f"SELECT {_COLUMNS} FROM events WHERE id = ?", (row_id,))  # noqa: S608 -- constants only
        if not rows:
            raise LookupError(f"the inbox {self.path} has no event {row_id}")
        return _stored(rows[0])

    def events(
        self, status: InboxStatus | None = None, *, limit: int | None = 100
    ) -> list[StoredEvent]:
        """Give the stored events, newest first, all or those with one status."""
        where, parameters = ("", ()) if status is None else ("WHERE status = ?", (str(status),))
        rows = self._read(
            f"SELECT {_COLUMNS} FROM events {where} ORDER BY id DESC LIMIT ?",  # noqa: S608 -- constants only
            (*parameters, -1 if limit is None else limit),
        )
        return [_stored(row) for row in rows]

    def counts(self) -> dict[InboxStatus, int]:
        """Give how many events have each status."""
        found = dict(self._read("SELECT status, count(*) FROM events GROUP BY status"))
        return {status: found.get(status, 0) for status in InboxStatus}

    def replay(self, row_id: int, router: "Router") -> StoredEvent:
        """Run the handler of one stored event again, here and now, once; give the result.

        Whatever its status: a dead event after its bug is fixed, or a done one on purpose.
        The event ends done, or dead with the new error. A BXML answer is kept, though
        Bandwidth no longer waits for it.

        Raises:
            LookupError: The inbox has no event with that id.
            ValueError: The event is being handled now, under a lease.
        """
        owner = _owner()
        with self._write() as db:
            taken = db.execute(
                "UPDATE events SET status = 'handling', owner = ?, lease_until = ? "
                "WHERE id = ? AND NOT (status = 'handling' AND lease_until > ?) RETURNING id",
                (owner, time.time() + self.lease, row_id, time.time()),
            ).fetchone()
        if taken is None:
            self.get(row_id)  # LookupError if there is none
            raise ValueError(f"event {row_id} is being handled now: replay it once it is not")
        run(self, router, self.get(row_id), owner, attempts=1)
        return self.get(row_id)

    def replay_dead(self, router: "Router") -> list[StoredEvent]:
        """Replay every dead event, oldest first (see `replay`); give what became of each."""
        dead = "SELECT id FROM events WHERE status = 'dead' ORDER BY id"
        ids = [row_id for (row_id,) in self._read(dead)]
        return [self.replay(row_id, router) for row_id in ids]

    def purge(self, older_than: timedelta | None = None) -> int:
        """Delete done and dead events received before the retention period; give how many.

        Args:
            older_than: In place of the inbox's ``retention``, for this call.
        """
        cutoff = (
            time.time() - (self.retention if older_than is None else older_than).total_seconds()
        )
        with self._write() as db:
            cursor = db.execute(
                "DELETE FROM events WHERE status IN ('done', 'dead') AND received_at < ?",
                (cutoff,),
            )
        return cursor.rowcount


class Abandoned(Exception):  # noqa: N818 -- named for what the dead letter shows
    """Every attempt at an event's handler ended with its process: none is left."""

    def __init__(self, attempts: int) -> None:
        super().__init__(
            f"its handler was started {attempts} times and never finished: each time, the "
            "process running it stopped (killed, out of memory, or restarted)"
        )


def _owner() -> str:
    return hashlib.blake2b(
        f"{time.time_ns()}-{threading.get_ident()}-{id(object())}".encode(), digest_size=8
    ).hexdigest()


def _answer(status: int | None, content_type: str | None, body: bytes | None) -> "Reply | None":
    if status is None:
        return None
    from ._receiver import Reply  # noqa: PLC0415 -- the receiver imports this module

    headers = () if content_type is None else (("content-type", content_type),)
    return Reply(status, headers, body or b"")


def _stored(row: tuple[Any, ...]) -> StoredEvent:
    (
        row_id,
        key,
        status,
        received_at,
        method,
        path,
        query,
        headers,
        body,
        event_type,
        attempts,
        deliveries,
        handled_at,
        *answer,
        error,
        trace,
    ) = row
    return StoredEvent(
        id=row_id,
        key=key,
        status=InboxStatus(status),
        received_at=datetime.fromtimestamp(received_at, UTC),
        method=method,
        path=path,
        query=query,
        headers=orjson.loads(headers),
        body=bytes(body),
        event_type=event_type,
        attempts=attempts,
        deliveries=deliveries,
        handled_at=_time(handled_at),
        answer=_answer(*answer),
        error=error,
        traceback=trace,
    )


def _stamina() -> "ModuleType":
    """Import stamina, which only workers need (the receiver never imports it)."""
    try:
        import stamina  # noqa: PLC0415 -- see above
    except ImportError as error:
        raise ImportError(
            "the inbox worker retries handlers with stamina: pip install 'bandwidth-events[inbox]'"
        ) from error
    return stamina


def run(inbox: Inbox, router: "Router", stored: StoredEvent, owner: str, attempts: int) -> None:
    """Run a claimed event's handler, up to ``attempts`` times with backoff; record the end.

    With no attempt left (each one ended with its process), the event is marked dead at once:
    an event that kills its worker must not kill every worker in turn.
    """
    stamina = _stamina()
    from ._receiver import REQUEST, Reply, in_main_thread, reply_of  # noqa: PLC0415 -- the receiver imports this module

    if attempts < 1:
        inbox.dead(stored.id, owner, Abandoned(stored.attempts))
        return
    try:
        event = stored.event()
    except EventParseError as error:
        inbox.dead(stored.id, owner, error)
        return
    token = REQUEST.set(stored.request)
    reply: Reply | None = None
    try:
        for attempt in stamina.retry_context(
            on=Exception,
            attempts=attempts,
            timeout=None,
            wait_initial=inbox.wait_initial,
            wait_max=inbox.wait_max,
            wait_jitter=inbox.wait_initial,
        ):
            with attempt:
                inbox.started(stored.id, owner)
                outcome = run_handler(router, event)
                # A BXML event's answer is kept whatever it is, 204 included, for duplicates.
                reply = reply_of(outcome, outcome.body) if event.accepts_bxml else None
    except Exception as error:  # noqa: BLE001 -- every attempt failed: a dead letter
        inbox.dead(stored.id, owner, error)
    except BaseException as error:
        if in_main_thread():
            # Ctrl-C or sys.exit() stops a command run in the main thread: the event goes
            # back to the workers, and the program stops.
            inbox.release(stored.id, owner, error)
            raise
        # In a worker thread it can only be the handler's: its failure, as the receiver does.
        inbox.dead(stored.id, owner, error)
    else:
        inbox.done(stored.id, owner, reply)
    finally:
        REQUEST.reset(token)


def run_handler(router: "Router", event: AnyEvent) -> "Outcome":
    """Run an event's handler: in an event loop of its own, if the router has async ones."""
    if not router.has_async_handlers:
        return router.handle(event)
    import asyncio  # noqa: PLC0415 -- only for routers with async handlers

    return asyncio.run(router.handle_async(event))


class PollingWorker(ABC):
    """Threads that take an inbox's stored events and deal with them, until stopped.

    What `InboxWorker` and the Celery forwarder share: each thread calls `run_once`, then
    waits ``poll_interval`` seconds, or less when this process's receiver stores an event, and
    purges events past the inbox's retention once an hour. A subclass says what `run_once`
    does with the events it takes.
    """

    def __init__(self, inbox: Inbox, *, threads: int, poll_interval: float) -> None:
        if threads < 1:
            raise ValueError(f"threads must be at least 1, not {threads}")
        self.inbox = inbox
        self.threads = threads
        self.poll_interval = poll_interval
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._purged = float("-inf")

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def start(self) -> Self:
        """Start the threads; give the worker itself."""
        if self._threads:
            raise RuntimeError("this worker is running already")
        self._stop.clear()
        self._threads = [
            threading.Thread(target=self._loop, name=f"bandwidth-events-inbox-{n}", daemon=True)
            for n in range(self.threads)
        ]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        """Let each thread finish the event it handles, then stop them."""
        self._stop.set()
        self.inbox.arrived.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []

    @abstractmethod
    def run_once(self) -> int:
        """Deal, in this thread, with every event due now; give how many."""

    def _loop(self) -> None:
        from ._receiver import LOG  # noqa: PLC0415 -- the receiver imports this module

        while not self._stop.is_set():
            self.inbox.arrived.clear()
            try:
                self._purge_hourly()
                if self.run_once():
                    continue
            except InboxError:
                LOG.exception("the inbox worker could not read or update the inbox")
            self.inbox.arrived.wait(self.poll_interval)

    def _purge_hourly(self) -> None:
        if time.monotonic() - self._purged >= HOUR:
            self.inbox.purge()
            self._purged = time.monotonic()


class InboxWorker(PollingWorker):
    """Handle an inbox's stored events through a router, in background threads.

    Start it beside the receiver (or in a process of its own, on the same file, with
    ``python -m bandwidth_events inbox FILE work``). Each thread takes the oldest pending event,
    runs its handler (retrying with backoff, then marking it dead), and takes the next; it
    waits ``poll_interval`` seconds when there is none, or less when this process's receiver
    stores one. It also purges events past the inbox's retention, once an hour.

    Args:
        inbox: The inbox to handle.
        router: The router whose handlers run; ``async`` ones each run in their own event loop.
        threads: How many events are handled at once.
        poll_interval: The longest wait, in seconds, for a new event.

    Raises:
        ImportError: stamina is not installed (the ``inbox`` extra).
    """

    def __init__(
        self, inbox: Inbox, router: "Router", *, threads: int = 1, poll_interval: float = 0.5
    ) -> None:
        super().__init__(inbox, threads=threads, poll_interval=poll_interval)
        _stamina()  # missing, it is missed now, not by a thread taking the first event
        self.router = router

    def run_once(self) -> int:
        """Handle, in this thread, every event due now; give how many were handled."""
        handled = 0
        while (claimed := self.inbox.claim()) is not None:
            stored, owner = claimed
            run(self.inbox, self.router, stored, owner, self.inbox.attempts - stored.attempts)
            handled += 1
        return handled


HOUR: Final = 3600.0
