"""Inbox and Celery code as users write it: checked by mypy --strict and pyright strict.

Never run.
"""

from datetime import datetime, timedelta
from typing import assert_type

from celery import Celery

from bandwidth_events import (
    BasicAuth,
    ConferenceCompleted,
    Dtmf,
    Inbox,
    InboxError,
    InboxStatus,
    InboxWorker,
    Receiver,
    Reply,
    Request,
    Router,
    StoredEvent,
    UnknownEvent,
    VoiceEvent,
    asgi_app,
    dedupe_key,
)
from bandwidth_events.celery import (
    CeleryForwarder,
    DeadLetter,
    EventTask,
    RedisLedger,
    SQLiteLedger,
    handle_with,
    replay,
)

router = Router()


@router.on(ConferenceCompleted)
def completed(event: ConferenceCompleted) -> None:
    """Handle an event a worker took from the inbox."""
    assert_type(dedupe_key(event), str)


def dtmf_key(event: Dtmf) -> str:
    """Key a digit by its call, digit and time."""
    return f"{event.call_id}/{event.digit}/{event.event_time.isoformat()}"


inbox = Inbox(
    "/var/lib/webhooks/inbox.db",
    keys={Dtmf: dtmf_key},
    retention=timedelta(days=7),
    attempts=3,
    wait_initial=0.5,
    wait_max=30.0,
    lease=120.0,
)
receiver = Receiver(router=router, auth=BasicAuth([("bandwidth", "secret")]), inbox=inbox)
app = asgi_app(receiver)

with InboxWorker(inbox, router, threads=4) as worker:
    assert_type(worker.run_once(), int)

for stored in inbox.events(InboxStatus.DEAD, limit=None):
    assert_type(stored, StoredEvent)
    assert_type(stored.received_at, datetime)
    assert_type(stored.handled_at, datetime | None)
    assert_type(stored.request, Request)
    assert_type(stored.answer, Reply | None)
    assert_type(stored.event(), VoiceEvent | UnknownEvent)
    assert_type(inbox.replay(stored.id, router).status, InboxStatus)

assert_type(inbox.counts(), dict[InboxStatus, int])
assert_type(inbox.replay_dead(router), list[StoredEvent])
assert_type(inbox.purge(timedelta(days=1)), int)
try:
    assert_type(inbox.get(1), StoredEvent)
except LookupError:
    missing = True
except InboxError as error:
    assert_type(error, InboxError)

celery_app = Celery("webhooks", broker="redis://localhost/0")
ledger = RedisLedger("redis://localhost/1")
handle = handle_with(celery_app, router, ledger=ledger)
assert_type(handle, EventTask)
CeleryForwarder(inbox, handle, ledger=ledger, threads=2, confirm_after=30.0).start()
for letter in SQLiteLedger("ledger.db").dead_letters():
    assert_type(letter, DeadLetter)
    replay(handle, letter)
