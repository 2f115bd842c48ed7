"""The Celery app benchmarks/receiving.py runs a worker of: one handler that counts in Redis.

Both the benchmark and its worker (``celery -A celery_tasks worker``, run from this folder)
build it from ``BENCH_REDIS``, the URL of the Redis server the benchmark started.
"""

import os

import redis
from celery import Celery

from bandwidth_events import ConferenceRecordingAvailable, Router
from bandwidth_events.celery import RedisLedger, handle_with

URL = os.environ["BENCH_REDIS"]
app = Celery("bench", broker=f"{URL}/0")
app.conf.worker_prefetch_multiplier = 4
app.conf.task_ignore_result = True
counts = redis.Redis.from_url(f"{URL}/3")
router = Router()


@router.on(ConferenceRecordingAvailable)
def stored(event: ConferenceRecordingAvailable) -> None:
    """Count each recording id handled, as the other setups do."""
    counts.hincrby("seen", event.recording_id, 1)


ledger = RedisLedger(f"{URL}/2")
handle = handle_with(app, router, ledger=ledger)
