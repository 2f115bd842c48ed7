"""The receiver mounted in FastAPI and in Flask, as docs/serving.md shows it: type-checked.

docs/serving.md includes the parts between the ``docs:`` markers, so the docs show exactly this
checked code. Each part starts with its own imports, as a reader copies it (pyproject.toml lets
this file import below the top, E402); the comments that ruff and the type checkers read stay
outside the parts (tests/test_docs.py checks).
"""

# docs: receiver starts
import logging

from bandwidth_events import (
    BasicAuth,
    ConferenceMemberJoin,
    ConferenceRecordingAvailable,
    Failure,
    Receiver,
    Router,
)

router = Router()


@router.on(ConferenceMemberJoin)
def welcome(event: ConferenceMemberJoin) -> str:
    """Greet the conference when a call joins."""
    return f"<Response><SpeakSentence>{event.from_} joined</SpeakSentence></Response>"


@router.on(ConferenceRecordingAvailable)
def fetch(event: ConferenceRecordingAvailable) -> None:
    """Queue the recording's download (after answering: Bandwidth waits 15 s at most)."""
    logging.getLogger("recordings").info("recording %s is ready", event.recording_id)


def keep(failure: Failure) -> None:
    """Store what could not be handled: Bandwidth will not send it again."""
    logging.getLogger("webhooks").error("kept %d bytes: %s", len(failure.body), failure.reason)


receiver = Receiver(
    router=router,
    auth=BasicAuth([("bandwidth", "the password set on the application")]),
    on_failure=keep,
)
# docs: receiver ends

# docs: fastapi starts
from fastapi import FastAPI

from bandwidth_events import asgi_app

app = FastAPI()
# Bandwidth then POSTs to https://your.host/bandwidth/events (any path under the mount).
app.mount("/bandwidth", asgi_app(receiver))
# docs: fastapi ends

# docs: flask starts
from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from bandwidth_events import wsgi_app

flask_app = Flask(__name__)
# Serve `application` (gunicorn module:application): Flask, with the receiver at its path.
application = DispatcherMiddleware(flask_app, {"/bandwidth/events": wsgi_app(receiver)})
# docs: flask ends


def mistakes() -> None:
    """Mounting the receiver itself instead of its app is refused (both checkers)."""
    app.mount("/wrong", receiver)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    DispatcherMiddleware(flask_app, {"/wrong": receiver})  # type: ignore[dict-item]  # pyright: ignore[reportArgumentType]
