"""What ``celery -A tests.celery_worker worker`` runs: the tests' app, from the environment.

`tests.celery_app.run_worker` starts it, with the settings in the environment; once the worker
is ready to take tasks, it makes the file ``BANDWIDTH_EVENTS_TEST_READY`` names.
"""

import os
from pathlib import Path
from typing import Any

from celery.signals import worker_ready

from .celery_app import Settings, make_app

app = make_app(Settings.from_environment()).app


@worker_ready.connect
def _ready(**_: Any) -> None:
    Path(os.environ["BANDWIDTH_EVENTS_TEST_READY"]).touch()
