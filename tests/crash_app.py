"""The receiver and the handlers the crash test runs in processes it kills: see test_inbox_crash.

Both read their files from the environment: ``CRASH_INBOX`` (the inbox) and ``CRASH_EFFECTS``
(a SQLite file the handlers write to). Each handler run is logged in ``runs``; its effect goes to
``effects`` once per dedupe key, as an idempotent handler writes it.
"""

import os
import random
import sqlite3
import time

from bandwidth_events import (
    BasicAuth,
    ConferenceCompleted,
    ConferenceMemberJoin,
    Inbox,
    Receiver,
    Router,
    asgi_app,
    dedupe_key,
)
from bandwidth_events._adapters import AsgiApp

router = Router()
USER, PASSWORD = "bandwidth", "crash-test"
#: Short, so that the events of a killed process are taken again within the test's bounds.
LEASE = 1.0


def inbox() -> Inbox:
    """Open the crash test's inbox."""
    return Inbox(os.environ["CRASH_INBOX"], lease=LEASE, wait_initial=0.01, wait_max=0.1)


def _effect(key: str) -> None:
    """Log a run, sleep a little (a window for the kills), then write the effect once."""
    with sqlite3.connect(os.environ["CRASH_EFFECTS"], timeout=30, isolation_level=None) as db:
        db.execute("INSERT INTO runs (key) VALUES (?)", (key,))
        time.sleep(random.uniform(0, 0.004))  # noqa: S311 -- a test's timing, not a secret
        db.execute("INSERT OR IGNORE INTO effects (key) VALUES (?)", (key,))
    db.close()


@router.on(ConferenceCompleted)
def completed(event: ConferenceCompleted) -> None:
    """Record an event the worker handles."""
    _effect(dedupe_key(event))


@router.on(ConferenceMemberJoin)
def joined(event: ConferenceMemberJoin) -> str:
    """Record an event the receiver handles inline, and answer it with BXML."""
    _effect(dedupe_key(event))
    return f"<Response><SpeakSentence>{event.call_id}</SpeakSentence></Response>"


def app() -> AsgiApp:
    """Give the receiver's ASGI app (``uvicorn --factory tests.crash_app:app``)."""
    receiver = Receiver(router=router, auth=BasicAuth((USER, PASSWORD)), inbox=inbox())
    return asgi_app(receiver)
