"""Beyond one machine: receivers hand their stored events to Celery, whose workers handle them.

Install with ``pip install 'bandwidth-events[celery]'``. Any broker Celery speaks carries the
events: Redis, RabbitMQ, SQS. On each receiver machine a `~bandwidth_events.Receiver` stores
every request in its own `~bandwidth_events.Inbox` before answering, and a `CeleryForwarder`
publishes each stored event; the workers run the task `handle_with` registers, through the
same `~bandwidth_events.Router`::

    app = Celery("calls", broker="redis://queue.internal")
    ledger = RedisLedger("redis://queue.internal/1")
    handle = handle_with(app, router, ledger=ledger)  # workers: celery -A calls worker
    # On each receiver machine, beside its Receiver(router=router, auth=..., inbox=inbox):
    CeleryForwarder(inbox, handle, ledger=ledger).start()

An event that takes BXML is still handled by the receiver, which answers with its BXML; only
one whose handler raised there goes on to the workers, to retry.

How nothing is lost, and what runs more than once:

- A receiver answers Bandwidth only once the request is on its disk, in its inbox.
- The forwarder marks a stored event done only once a worker took its message (the ledger
  has its key). Until then the event stays leased in the inbox, and is published again when
  the lease runs out: after a receiver crash, or a message the broker lost.
- A worker acknowledges a message only after its handler returned, or after the event was
  kept as a dead letter (``acks_late``). A worker killed in a handler gets its message back:
  at once for a pool process (``reject_on_worker_lost``); for a whole worker, when the broker
  sees it gone (RabbitMQ at once, Redis and SQS after their visibility timeout). With Redis,
  a worker killed as it takes a message (between taking it off the queue and recording it as
  unacknowledged) loses it: the forwarder, which sees no claim for its key, publishes it again.
- Dedupe is in the `Ledger` every worker shares (Redis, or one SQLite file on one machine), not
  in the receivers' inboxes: Bandwidth's retry may reach another receiver. The first message
  with an event's key claims it; any other message with that key (the retry, or a receiver's
  second publish) is skipped; the same message again (a retry, a redelivery) goes on. Once
  the first is a dead letter, the key is free again, for its `replay`.

So delivery is at least once: a handler runs once per event, and again only when a run did
not end (its worker died, or the ledger failed after the handler returned, or the handler
outlasted the broker's visibility timeout). A key's claim is kept for the ledger's retention:
a duplicate later than that is handled again. The broker must keep what it accepted: Redis
with ``appendonly yes``, RabbitMQ with durable queues and ``confirm_publish``, or SQS.

A handler that raises is retried by Celery with exponential backoff; after the last attempt,
or at once for a body that cannot be parsed, the event is kept as a `DeadLetter` in the
ledger, to inspect and `replay` once the bug is fixed.
"""

import enum
import logging
import random
import sqlite3
import time
import traceback
import uuid
from collections.abc import Generator, Mapping
from contextlib import closing, contextmanager
from datetime import UTC, datetime, timedelta
from os import PathLike
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeAlias, cast

import attrs
import orjson

from ._api import AnyEvent
from ._errors import EventParseError
from ._inbox import (
    HOUR,
    Abandoned,
    Inbox,
    PollingWorker,
    StoredEvent,
    check_retries,
    run_handler,
)
from ._query import request_event
from ._receiver import LOG, REQUEST, Request
from ._router import Router

if TYPE_CHECKING:
    import celery
    import celery.result
    from redis import Redis
    from redis.client import Pipeline

__all__ = [
    "CeleryForwarder",
    "Claim",
    "DeadLetter",
    "EventTask",
    "Ledger",
    "LedgerError",
    "Message",
    "RedisLedger",
    "Result",
    "SQLiteLedger",
    "Verdict",
    "handle_with",
    "publish",
    "replay",
]

#: The task `handle_with` registers; its keyword arguments are a `Message`'s.
EventTask: TypeAlias = "celery.Task[..., Result]"

_LOG = logging.getLogger("bandwidth_events.celery")


@attrs.frozen
class Message:
    """One stored request, as a worker gets it from the broker.

    Celery's JSON serializer carries ``body`` as bytes, exactly: the worker parses the very
    body Bandwidth sent.

    Attributes:
        key: The event's dedupe key, as the receiver's inbox made it
            (see `~bandwidth_events.dedupe_key`).
        method: ``POST``, or ``GET`` for a callback sent with ``…Method="GET"``.
        path: The request's path under the receiver's mount.
        query: The query string (a ``GET`` callback's fields).
        headers: The request headers, lower-case, ``authorization`` left out.
        body: The body, exactly as received.
    """

    key: str
    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes

    @classmethod
    def of(cls, stored: StoredEvent) -> "Message":
        """Give the message that carries an inbox's stored event."""
        return cls(
            stored.key, stored.method, stored.path, stored.query, stored.headers, stored.body
        )

    @property
    def request(self) -> Request:
        """Give the request it came in, as `~bandwidth_events.current_request` gives it."""
        return Request(self.method, self.path, self.query, self.headers)

    def event(self) -> AnyEvent:
        """Parse it into its event.

        Raises:
            EventParseError: The body (or a ``GET``'s query) is not a valid event.
        """
        return request_event(self.method, self.query, self.body)

    def kwargs(self) -> dict[str, Any]:
        """Give the task's keyword arguments.

        The headers go as (name, value) pairs: a JSON object with just the keys ``__type__``
        and ``__value__`` is how Kombu's serializer marks bytes, which headers could mimic.
        """
        return {
            "key": self.key,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": sorted([name, value] for name, value in self.headers.items()),
            "body": self.body,
        }


@attrs.frozen
class DeadLetter:
    """A message whose handler failed on every attempt, or whose event could not be parsed.

    Attributes:
        message: The message, as the worker got it.
        task_id: The Celery task id its last run had, to find it in the workers' logs.
        attempts: How many times its handler was started (0 for a body that cannot be parsed).
        error: The last error, in one line.
        traceback: The last error's traceback.
        failed_at: When it was given up on (UTC).
    """

    message: Message
    task_id: str
    attempts: int
    error: str
    traceback: str
    failed_at: datetime

    @property
    def key(self) -> str:
        """Give its event's dedupe key."""
        return self.message.key

    def to_json(self) -> bytes:
        """Give it as JSON, its body in base64: how a `Ledger` keeps it."""
        message = self.message
        return orjson.dumps(
            {
                "key": message.key,
                "method": message.method,
                "path": message.path,
                "query": message.query,
                "headers": dict(message.headers),
                "body": message.body,
                "task_id": self.task_id,
                "attempts": self.attempts,
                "error": self.error,
                "traceback": self.traceback,
                "failed_at": self.failed_at.timestamp(),
            },
            default=_base64,
        )

    @classmethod
    def from_json(cls, data: bytes) -> "DeadLetter":
        """Read one back from `to_json`'s form."""
        import base64  # noqa: PLC0415 -- only to read dead letters

        fields = orjson.loads(data)
        message = Message(
            fields["key"],
            fields["method"],
            fields["path"],
            fields["query"],
            fields["headers"],
            base64.b64decode(fields["body"]),
        )
        return cls(
            message,
            fields["task_id"],
            fields["attempts"],
            fields["error"],
            fields["traceback"],
            datetime.fromtimestamp(fields["failed_at"], UTC),
        )


def _base64(value: object) -> str:
    import base64  # noqa: PLC0415 -- only to keep dead letters

    return base64.b64encode(cast("bytes", value)).decode()


class Verdict(enum.StrEnum):
    """What a `Ledger` says of a message's claim on its event's key."""

    #: No message had the key; this one has it now, and is handled.
    NEW = "new"
    #: This message has the key already (a retry, or a redelivery); it is handled again.
    AGAIN = "again"
    #: Another message has the key; this one is a duplicate, and is skipped.
    DUPLICATE = "duplicate"
    #: This message was handled already (delivered again after its acknowledgement was lost).
    DONE = "done"


@attrs.frozen
class Claim:
    """A `Ledger`'s answer to a claim.

    Attributes:
        verdict: Whether to handle the message.
        lost: How many runs of this message started and never ended: their process died.
    """

    verdict: Verdict
    lost: int = 0


class LedgerError(Exception):
    """A `Ledger` could not be reached or written; the task is retried until it can."""


class Ledger(Protocol):
    """What every worker shares: who claimed each event key, and the dead letters.

    `RedisLedger` and `SQLiteLedger` are two; any store that can claim a key atomically can be
    another. Each method raises `LedgerError` when the store cannot be used.
    """

    def claim(self, key: str, task_id: str) -> Claim:
        """Claim a key for a message, unless another message has it; say what to do.

        A claim on a key whose last run did not end (no `release`, `done` or `dead` after
        it) counts that run as lost.
        """
        ...  # pragma: no cover -- a protocol

    def release(self, key: str) -> None:
        """Record that a run of the key's message ended, to be retried."""
        ...  # pragma: no cover -- a protocol

    def done(self, key: str) -> None:
        """Record that the key's message was handled; forget its dead letter, if any."""
        ...  # pragma: no cover -- a protocol

    def dead(self, letter: DeadLetter) -> None:
        """Keep a dead letter, in place of any earlier one for its key, and free the key.

        The next message with the key (a `replay`, or a late duplicate) claims it anew.
        """
        ...  # pragma: no cover -- a protocol

    def dead_letters(self) -> list[DeadLetter]:
        """Give every dead letter kept, oldest first."""
        ...  # pragma: no cover -- a protocol

    def dead_letter(self, key: str) -> DeadLetter:
        """Give the dead letter of one key.

        Raises:
            LookupError: No dead letter is kept for that key.
        """
        ...  # pragma: no cover -- a protocol

    def forget(self, key: str) -> None:
        """Delete the dead letter of one key, if any, without handling it."""
        ...  # pragma: no cover -- a protocol

    def knows(self, key: str) -> bool:
        """Tell whether a worker took a message with the key: it has a claim or a dead letter."""
        ...  # pragma: no cover -- a protocol


_WEEK: Final = timedelta(days=7)

# One claim, atomically: the same rules as SQLiteLedger.claim.
_CLAIM_SCRIPT: Final = """
local owner = redis.call('HGET', KEYS[1], 'owner')
if not owner then
  redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'running', 1, 'lost', 0, 'done', 0)
  redis.call('EXPIRE', KEYS[1], ARGV[2])
  return {'new', 0}
end
if owner ~= ARGV[1] then
  return {'duplicate', 0}
end
if redis.call('HGET', KEYS[1], 'done') == '1' then
  return {'done', 0}
end
local lost = tonumber(redis.call('HGET', KEYS[1], 'lost') or '0')
if redis.call('HGET', KEYS[1], 'running') == '1' then
  lost = redis.call('HINCRBY', KEYS[1], 'lost', 1)
end
redis.call('HSET', KEYS[1], 'running', 1)
return {'again', lost}
"""


class RedisLedger:
    """A `Ledger` in Redis, shared by workers on any number of machines, whatever the broker.

    Each key's claim is a hash, ``{prefix}:claim:{key}``, that expires ``retention`` after its
    last change; dead letters are the hash ``{prefix}:dead``, kept until handled or forgotten.
    Keep Redis's data on disk (``appendonly yes``): a claim lost with a restart lets a
    duplicate through.

    Args:
        url: The Redis URL (``redis://``, ``rediss://`` or ``unix://``); timeouts and other
            client settings go in its query (``?socket_timeout=5&socket_connect_timeout=5``).
            Or a ``redis.Redis`` client made as you need it (Sentinel, TLS settings, a pool
            shared with the rest of your service).
        prefix: Put before every key this ledger writes.
        retention: How long a key's claim is kept: a duplicate later than that is handled.
    """

    def __init__(
        self,
        url: "str | Redis",
        *,
        prefix: str = "bandwidth_events",
        retention: timedelta = _WEEK,
    ) -> None:
        from redis import Redis, RedisError  # noqa: PLC0415 -- only this ledger needs them

        self.url = url if isinstance(url, str) else repr(url)
        self.prefix = prefix
        self.retention = retention
        self._ttl = max(1, int(retention.total_seconds()))
        self._redis: Redis = (
            Redis.from_url(url)  # pyright: ignore[reportUnknownMemberType]
            if isinstance(url, str)
            else url
        )
        self._claim = self._redis.register_script(_CLAIM_SCRIPT)
        self._errors = (RedisError, OSError)

    def __repr__(self) -> str:
        return f"RedisLedger({self.url!r}, prefix={self.prefix!r})"

    @contextmanager
    def _reach(self) -> Generator[None]:
        try:
            yield
        except self._errors as error:
            raise LedgerError(f"the ledger {self.url} could not be used: {error}") from error

    def _key(self, key: str) -> str:
        return f"{self.prefix}:claim:{key}"

    def _transaction(self) -> "Pipeline":
        """Give a pipeline that runs its commands as one transaction (MULTI … EXEC)."""
        return self._redis.pipeline()  # pyright: ignore[reportUnknownMemberType]

    @property
    def _dead(self) -> str:
        return f"{self.prefix}:dead"

    def claim(self, key: str, task_id: str) -> Claim:
        """See `Ledger.claim`."""
        with self._reach():
            verdict, lost = cast("list[Any]", self._claim([self._key(key)], [task_id, self._ttl]))
        return Claim(Verdict(verdict.decode()), int(lost))

    def release(self, key: str) -> None:
        """See `Ledger.release`."""
        with self._reach(), self._transaction() as pipe:
            pipe.hset(self._key(key), "running", 0)
            pipe.expire(self._key(key), self._ttl)
            pipe.execute()

    def done(self, key: str) -> None:
        """See `Ledger.done`."""
        with self._reach(), self._transaction() as pipe:
            pipe.hset(self._key(key), mapping={"done": 1, "running": 0})
            pipe.expire(self._key(key), self._ttl)
            pipe.hdel(self._dead, key)
            pipe.execute()

    def dead(self, letter: DeadLetter) -> None:
        """See `Ledger.dead`."""
        with self._reach(), self._transaction() as pipe:
            pipe.delete(self._key(letter.key))
            pipe.hset(self._dead, letter.key, letter.to_json())
            pipe.execute()

    def dead_letters(self) -> list[DeadLetter]:
        """See `Ledger.dead_letters`."""
        with self._reach():
            found = cast("dict[bytes, bytes]", self._redis.hgetall(self._dead))
        letters = [DeadLetter.from_json(data) for data in found.values()]
        return sorted(letters, key=lambda letter: letter.failed_at)

    def dead_letter(self, key: str) -> DeadLetter:
        """See `Ledger.dead_letter`."""
        with self._reach():
            data = cast("bytes | None", self._redis.hget(self._dead, key))
        if data is None:
            raise LookupError(f"the ledger {self.url} keeps no dead letter for {key!r}")
        return DeadLetter.from_json(data)

    def forget(self, key: str) -> None:
        """See `Ledger.forget`."""
        with self._reach():
            self._redis.hdel(self._dead, key)

    def knows(self, key: str) -> bool:
        """See `Ledger.knows`."""
        with self._reach(), self._transaction() as pipe:
            pipe.exists(self._key(key))
            pipe.hexists(self._dead, key)
            claimed, dead = pipe.execute()
        return bool(claimed or dead)


_LEDGER_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS claims (
    key TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    running INTEGER NOT NULL,
    lost INTEGER NOT NULL,
    done INTEGER NOT NULL,
    expires REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS claims_by_expiry ON claims (expires);
CREATE TABLE IF NOT EXISTS dead (
    key TEXT PRIMARY KEY,
    failed_at REAL NOT NULL,
    letter BLOB NOT NULL
);
"""


class SQLiteLedger:
    """A `Ledger` in one SQLite file: for workers that all run on one machine, and tests.

    Each call opens its own connection, so that one ledger serves threads and forked worker
    processes alike; the file and its tables are made on first use.

    Args:
        path: The SQLite file.
        retention: How long a key's claim is kept: a duplicate later than that is handled.
        busy_timeout: Seconds a write waits for another writer before it fails.
    """

    def __init__(
        self,
        path: str | PathLike[str],
        *,
        retention: timedelta = _WEEK,
        busy_timeout: float = 5.0,
    ) -> None:
        self.path = str(path)
        self.retention = retention
        self.busy_timeout = busy_timeout

    def __repr__(self) -> str:
        return f"SQLiteLedger({self.path!r})"

    @contextmanager
    def _write(self) -> Generator[sqlite3.Connection]:
        """One write transaction; any SQLite or file-system error becomes `LedgerError`."""
        try:
            with closing(
                sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
            ) as db:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=FULL")
                db.executescript(_LEDGER_SCHEMA)
                db.execute("BEGIN IMMEDIATE")
                yield db
                db.execute("COMMIT")
        except (sqlite3.Error, OSError) as error:
            raise LedgerError(f"the ledger {self.path} could not be used: {error}") from error

    def claim(self, key: str, task_id: str) -> Claim:
        """See `Ledger.claim`."""
        now = time.time()
        expires = now + self.retention.total_seconds()
        with self._write() as db:
            db.execute("DELETE FROM claims WHERE expires <= ?", (now,))
            row = db.execute(
                "SELECT owner, running, lost, done FROM claims WHERE key = ?", (key,)
            ).fetchone()
            if row is None:
                db.execute("INSERT INTO claims VALUES (?, ?, 1, 0, 0, ?)", (key, task_id, expires))
                return Claim(Verdict.NEW)
            owner, running, lost, done = row
            if owner != task_id:
                return Claim(Verdict.DUPLICATE)
            if done:
                return Claim(Verdict.DONE)
            lost += running
            db.execute(
                "UPDATE claims SET running = 1, lost = ?, expires = ? WHERE key = ?",
                (lost, expires, key),
            )
        return Claim(Verdict.AGAIN, lost)

    def _update(self, key: str, changes: str) -> None:
        expires = time.time() + self.retention.total_seconds()
        with self._write() as db:
            db.execute(
                f"UPDATE claims SET {changes}, expires = ? WHERE key = ?",  # noqa: S608 -- constants only
                (expires, key),
            )
            if changes == _DONE:
                db.execute("DELETE FROM dead WHERE key = ?", (key,))

    def release(self, key: str) -> None:
        """See `Ledger.release`."""
        self._update(key, "running = 0")

    def done(self, key: str) -> None:
        """See `Ledger.done`."""
        self._update(key, _DONE)

    def dead(self, letter: DeadLetter) -> None:
        """See `Ledger.dead`."""
        with self._write() as db:
            db.execute("DELETE FROM claims WHERE key = ?", (letter.key,))
            db.execute(
                "INSERT OR REPLACE INTO dead VALUES (?, ?, ?)",
                (letter.key, letter.failed_at.timestamp(), letter.to_json()),
            )

    def dead_letters(self) -> list[DeadLetter]:
        """See `Ledger.dead_letters`."""
        with self._write() as db:
            rows = db.execute("SELECT letter FROM dead ORDER BY failed_at, key").fetchall()
        return [DeadLetter.from_json(data) for (data,) in rows]

    def dead_letter(self, key: str) -> DeadLetter:
        """See `Ledger.dead_letter`."""
        with self._write() as db:
            row = db.execute("SELECT letter FROM dead WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise LookupError(f"the ledger {self.path} keeps no dead letter for {key!r}")
        return DeadLetter.from_json(row[0])

    def forget(self, key: str) -> None:
        """See `Ledger.forget`."""
        with self._write() as db:
            db.execute("DELETE FROM dead WHERE key = ?", (key,))

    def knows(self, key: str) -> bool:
        """See `Ledger.knows`."""
        with self._write() as db:
            row = db.execute(
                "SELECT EXISTS (SELECT 1 FROM claims WHERE key = ? AND expires > ?) "
                "OR EXISTS (SELECT 1 FROM dead WHERE key = ?)",
                (key, time.time(), key),
            ).fetchone()
        return bool(row[0])


_DONE: Final = "done = 1, running = 0"


class Result(enum.StrEnum):
    """What a worker did with a message: the value of the task `handle_with` registers."""

    #: Its handler returned.
    HANDLED = "handled"
    #: Skipped, as another message has its event's key, or this one was handled already.
    DUPLICATE = "duplicate"
    #: Kept as a dead letter, as its handler failed on every attempt, or its body is not an
    #: event, or every run of it ended with its process.
    DEAD = "dead"


@attrs.frozen
class _Handling:
    """What the registered task runs, with its settings."""

    router: Router
    ledger: Ledger
    attempts: int
    wait_initial: float
    wait_max: float

    def backoff(self, retries: int) -> float:
        """Give the wait before the next try: doubling, with up to ``wait_initial`` of jitter."""
        # Past 2**64 the wait is wait_max anyway; 2.0**1024 would overflow.
        wait = min(self.wait_max, self.wait_initial * 2.0 ** min(retries, 64))
        return wait + random.uniform(0, self.wait_initial)  # noqa: S311 -- not for secrets

    def __call__(self, task: "celery.Task[..., Result]", message: Message, failures: int) -> Result:
        task_id = task.request.id or f"direct-{uuid.uuid4()}"
        try:
            return self.run(task, task_id, message, failures)
        except LedgerError as error:
            wait = self.backoff(task.request.retries)
            _LOG.warning(
                "%s: the ledger could not be reached; trying again in %.1f s: %s",
                message.key,
                wait,
                error,
            )
            raise task.retry(exc=error, countdown=wait) from error

    def run(
        self, task: "celery.Task[..., Result]", task_id: str, message: Message, failures: int
    ) -> Result:
        def dead(error: BaseException, attempts: int) -> Result:
            text = f"{type(error).__name__}: {error}"
            trace = "".join(traceback.format_exception(error))
            now = datetime.now(UTC)
            self.ledger.dead(DeadLetter(message, task_id, attempts, text, trace, now))
            _LOG.error(
                "%s: kept as a dead letter after %d attempts: %s", message.key, attempts, text
            )
            return Result.DEAD

        claim = self.ledger.claim(message.key, task_id)
        if claim.verdict in {Verdict.DUPLICATE, Verdict.DONE}:
            _LOG.info("%s: skipped (%s)", message.key, claim.verdict)
            return Result.DUPLICATE
        if claim.lost >= self.attempts:
            return dead(Abandoned(claim.lost), failures + claim.lost)
        try:
            event = message.event()
        except EventParseError as error:
            return dead(error, 0)
        token = REQUEST.set(message.request)
        try:
            run_handler(self.router, event)
        except Exception as error:  # any handler failure is retried
            failures += 1
            if failures >= self.attempts:
                return dead(error, failures + claim.lost)
            self.ledger.release(message.key)
            kwargs = {**message.kwargs(), "failures": failures}
            raise task.retry(
                kwargs=kwargs, exc=error, countdown=self.backoff(failures - 1)
            ) from error
        finally:
            REQUEST.reset(token)
        self.ledger.done(message.key)
        return Result.HANDLED


def handle_with(  # noqa: PLR0913 -- the task's settings, each with a default
    app: "celery.Celery[Any]",
    router: Router,
    *,
    ledger: Ledger,
    name: str = "bandwidth_events.handle",
    attempts: int = 5,
    wait_initial: float = 1.0,
    wait_max: float = 60.0,
) -> EventTask:
    """Register the task Celery workers handle the receivers' events with; give it.

    Receivers publish to it (`CeleryForwarder`, `publish`), workers run it: register it in the
    app module both import. The task claims the event's key in the ledger (skipping a
    duplicate), parses the event from the exact body (a ``GET`` callback's from its query),
    and runs its handler through the router, ``async`` handlers in an event loop of their own;
    `~bandwidth_events.current_request` gives the request it came in. It is acknowledged late,
    and a worker process lost in a handler gives its message back.

    A handler that raises is tried again ``attempts`` times in all, by Celery's retry, the
    wait doubling from ``wait_initial`` up to ``wait_max`` seconds, with jitter; then the
    event is kept as a `DeadLetter` in the ledger. So is a body that cannot be parsed, at once,
    and a message every run of which ended with its process, ``attempts`` times. While the
    ledger cannot be reached, the task waits and tries again, without end.

    Args:
        app: The Celery app; the task is sent as JSON, whatever its default serializer.
        router: Whose handlers run. Answers are ignored: Bandwidth had its answer.
        ledger: Where workers claim keys and keep dead letters: shared by them all.
        name: The task's name.
        attempts: How many times a handler is started before its event is a dead letter.
        wait_initial: The first wait between attempts, in seconds; it doubles each time.
        wait_max: The longest wait between attempts, in seconds.
    """
    check_retries(attempts, wait_initial=wait_initial, wait_max=wait_max)
    handling = _Handling(router, ledger, attempts, wait_initial, wait_max)

    def handle(  # noqa: PLR0913 -- the message's fields, as the task's keyword arguments
        task: "celery.Task[..., Result]",
        *,
        key: str,
        method: str,
        path: str,
        query: str,
        headers: list[list[str]],
        body: bytes,
        failures: int = 0,
    ) -> Result:
        message = Message(key, method, path, query, dict(headers), body)
        return handling(task, message, failures)

    handle.__doc__ = f"Handle one stored Bandwidth event through {router!r}."
    return cast(
        "EventTask",
        app.task(
            bind=True,
            name=name,
            serializer="json",
            acks_late=True,
            reject_on_worker_lost=True,
            max_retries=None,
        )(handle),
    )


def publish(
    task: EventTask,
    message: Message,
    *,
    task_id: str | None = None,
    retry_policy: Mapping[str, Any] | None = None,
) -> "celery.result.AsyncResult[Result]":
    """Publish one message to a `handle_with` task; return once the broker has it.

    Args:
        task: The task `handle_with` gave.
        message: What to handle.
        task_id: The task id; a new one by default. A message published again under the id
            it had is the same message to the ledger: handled again if it never ended.
        retry_policy: How to retry a publish that fails: Celery's ``retry_policy`` (the
            app's ``task_publish_retry_policy`` by default).

    Raises:
        Exception: Whatever the broker's client raises for a publish that failed every try
            (Kombu's ``OperationalError`` for a broker it cannot reach).
    """
    # Logs, events and monitors show the key, not the body with its phone numbers.
    options: dict[str, Any] = {"argsrepr": "()", "kwargsrepr": repr({"key": message.key})}
    if retry_policy is not None:
        options["retry_policy"] = retry_policy
    return task.apply_async(kwargs=message.kwargs(), task_id=task_id, retry=True, **options)


def replay(task: EventTask, letter: DeadLetter) -> "celery.result.AsyncResult[Result]":
    """Publish a dead letter's message again, under a new task id, for a worker to handle.

    Its key was freed when it died, so the worker handles it, with every attempt again. The
    dead letter stays in the ledger until the event is handled, or dies again (replaced).
    """
    return publish(task, letter.message)


class CeleryForwarder(PollingWorker):
    """Publish an inbox's stored events to Celery, in background threads, on the receiver.

    Each thread takes the oldest pending event (under a lease, as a worker does) and publishes
    it. The event stays leased until a worker has taken its message: a broker may lose a
    message it accepted (Redis, when a worker dies between taking a message and recording it
    as unacknowledged), so once the lease (``confirm_after`` seconds) runs out, the forwarder
    asks the ledger whether a worker claimed the event's key. If one did, or kept it as a dead
    letter, the event is done; if not, it is published again, under a new task id, and waits
    twice as long (up to an hour) before the next look. A duplicate publish is skipped by the
    workers' ledger. A receiver that dies leaves its events leased: they are looked at again
    when their lease runs out.

    A publish (or a look in the ledger) that fails gives the event back to pending, with the
    error, and the thread waits ``poll_interval`` before trying again. For RabbitMQ, set
    ``broker_transport_options={"confirm_publish": True}``, so that "accepted" means it.

    Args:
        inbox: The receiver's inbox.
        task: The task `handle_with` gave, in an app configured with the broker.
        ledger: The ledger that task's workers share.
        threads: How many events are published at once.
        poll_interval: The longest wait, in seconds, for a new event.
        confirm_after: Seconds to wait after a publish before asking whether a worker took it.
            Longer than the workers' usual backlog: an event still queued is published again
            (its duplicate skipped), which is safe, but costs a message.
        retry_policy: How to retry a publish that fails (see `publish`).
    """

    def __init__(  # noqa: PLR0913 -- the forwarder's settings, each with a default
        self,
        inbox: Inbox,
        task: EventTask,
        *,
        ledger: Ledger,
        threads: int = 1,
        poll_interval: float = 0.5,
        confirm_after: float = 60.0,
        retry_policy: Mapping[str, Any] | None = None,
    ) -> None:
        if not confirm_after > 0:
            raise ValueError(f"confirm_after must be a number of seconds, not {confirm_after!r}")
        super().__init__(inbox, threads=threads, poll_interval=poll_interval)
        self.task = task
        self.ledger = ledger
        self.confirm_after = confirm_after
        self.retry_policy = retry_policy

    def run_once(self) -> int:
        """Publish, in this thread, every event due now; give how many were published.

        An event published before and since taken by a worker is marked done, not published
        again. Stops at the first the broker (or the ledger) failed, which goes back to pending.
        """
        published = 0
        while (claimed := self.inbox.claim()) is not None:
            stored, owner = claimed
            try:
                if stored.attempts and self.ledger.knows(stored.key):
                    self.inbox.done(stored.id, owner)
                    continue
                publish(self.task, Message.of(stored), retry_policy=self.retry_policy)
            except Exception as error:  # noqa: BLE001 -- any broker failure: publish it later
                LOG.warning("event %d was not published: %s", stored.id, error)
                self.inbox.release(stored.id, owner, error)
                # Released, not arrived: wait the poll interval before the next try.
                self.inbox.arrived.clear()
                break
            wait = min(self.confirm_after * 2.0 ** min(stored.attempts, 32), HOUR)
            self.inbox.started(stored.id, owner, lease=wait)
            published += 1
        return published
