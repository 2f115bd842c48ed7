"""The receivers and Celery workers the Celery crash test kills: see test_celery_crash.

One module for both. A receiver (``uvicorn --factory tests.celery_crash_app:receiver``) stores
each request in its own inbox and, in the same process, a `CeleryForwarder` publishes what it
stored; a worker (``celery -A tests.celery_crash_app worker``) runs the task `handle_with`
registered. Both read the environment:

- ``CELERY_CRASH_REDIS``: the Redis server's URL, for the broker (database 0) and the ledger
  (database 1). An import only for this module's names gets an unused default.
- ``CELERY_CRASH_EFFECTS``: the SQLite file the handlers write to (`SCHEMA`). Each run is a
  ``runs`` row, with where it ran (``CELERY_CRASH_ROLE``: ``receiver`` or ``worker``) and when; its
  effect goes to ``effects`` once per dedupe key, as an idempotent handler writes it. A message
  the ledger skipped (another one has its key, or it was handled already) is a ``skips`` row.
- ``CELERY_CRASH_INBOX``: a receiver's inbox.
- ``CELERY_CRASH_READY``: the file a worker makes once it takes tasks.
- ``CELERY_CRASH_CHILD``: the file a prefork worker's pool process writes its process id to.
"""

import os
import random
import sqlite3
import time
from pathlib import Path
from typing import Any, Final

from celery import Celery
from celery.signals import task_postrun, worker_process_init, worker_ready

from bandwidth_events import (
    BasicAuth,
    ConferenceCompleted,
    ConferenceMemberJoin,
    Disconnect,
    Inbox,
    Receiver,
    Router,
    asgi_app,
    dedupe_key,
)
from bandwidth_events._adapters import AsgiApp
from bandwidth_events.celery import CeleryForwarder, RedisLedger, Result, handle_with

from .crash_app import LEASE, PASSWORD, USER

REDIS: Final = os.environ.get("CELERY_CRASH_REDIS", "redis://127.0.0.1:6379")
#: Where the ledger keeps its claims and dead letters, in Redis's database 1.
PREFIX: Final = "crash"
#: Seconds before Redis gives back the unacknowledged message of a worker SIGKILLed whole.
VISIBILITY_TIMEOUT: Final = 5
#: The tables the handlers write to.
SCHEMA: Final = """
CREATE TABLE runs (key TEXT NOT NULL, role TEXT NOT NULL, pid INTEGER NOT NULL, at REAL NOT NULL);
CREATE TABLE effects (key TEXT PRIMARY KEY);
CREATE TABLE skips (key TEXT NOT NULL);
"""

router = Router()

app = Celery("bandwidth_events_crash", set_as_current=False)
app.conf.update(
    broker_url=f"{REDIS}/0",
    broker_transport_options={
        "visibility_timeout": VISIBILITY_TIMEOUT,
        # Look for messages past their visibility timeout every second, not every 100 s.
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
        # The lock of that look, if its holder was killed: free again after 3 s, not 300.
        "unacked_mutex_expire": 3,
    },
    broker_connection_retry_on_startup=True,
    task_ignore_result=True,
    worker_prefetch_multiplier=1,
    # A killed pool process's task is given back after this wait for a result it sent.
    worker_lost_wait=0.5,
    worker_enable_remote_control=False,
    worker_hijack_root_logger=False,
)
ledger = RedisLedger(f"{REDIS}/1", prefix=PREFIX)
# A name of its own: Celery shares a task with every app made in the process (a test's, too).
handle = handle_with(
    app, router, ledger=ledger, name="tests.crash.handle", wait_initial=0.05, wait_max=0.2
)


def _write(sql: str, *parameters: object) -> sqlite3.Connection:
    """Open the effects file and run one statement on it; give the connection."""
    db = sqlite3.connect(os.environ["CELERY_CRASH_EFFECTS"], timeout=30, isolation_level=None)
    db.execute(sql, parameters)
    return db


def _effect(key: str) -> None:
    """Log a run, sleep a little (a window for the kills), then write the effect once."""
    role = os.environ["CELERY_CRASH_ROLE"]
    db = _write("INSERT INTO runs VALUES (?, ?, ?, ?)", key, role, os.getpid(), time.time())
    try:
        time.sleep(random.uniform(0, 0.004))  # noqa: S311 -- a test's timing, not a secret
        db.execute("INSERT OR IGNORE INTO effects VALUES (?)", (key,))
    finally:
        db.close()


@router.on(ConferenceCompleted)
def completed(event: ConferenceCompleted) -> None:
    """Record an event the workers handle."""
    _effect(dedupe_key(event))


@router.on(Disconnect)
def disconnected(event: Disconnect) -> None:
    """Record another event the workers handle."""
    _effect(dedupe_key(event))


@router.on(ConferenceMemberJoin)
def joined(event: ConferenceMemberJoin) -> str:
    """Record an event a receiver handles inline (a worker, if it raised or died), with BXML."""
    _effect(dedupe_key(event))
    return f"<Response><SpeakSentence>{event.call_id}</SpeakSentence></Response>"


def receiver() -> AsgiApp:
    """Give a receiver's ASGI app, its forwarder started (``uvicorn --factory``)."""
    inbox = Inbox(os.environ["CELERY_CRASH_INBOX"], lease=LEASE, wait_initial=0.01, wait_max=0.1)
    CeleryForwarder(inbox, handle, ledger=ledger, poll_interval=0.1, confirm_after=5.0).start()
    return asgi_app(Receiver(router=router, auth=BasicAuth((USER, PASSWORD)), inbox=inbox))


# The signals fire in any process that imported this module (a test, for its names): each
# acts only in a worker the crash test started, for this module's task.


@worker_ready.connect
def _ready(**_: Any) -> None:
    if ready := os.environ.get("CELERY_CRASH_READY"):
        Path(ready).touch()


@worker_process_init.connect
def _child(**_: Any) -> None:
    if child := os.environ.get("CELERY_CRASH_CHILD"):
        Path(child).write_text(str(os.getpid()))


@task_postrun.connect
def _skipped(
    *, sender: Any = None, retval: object = None, kwargs: dict[str, Any] | None = None, **_: Any
) -> None:
    if getattr(sender, "name", None) == handle.name and retval == Result.DUPLICATE and kwargs:
        _write("INSERT INTO skips VALUES (?)", kwargs["key"]).close()
