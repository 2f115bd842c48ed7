"""The three ASGI apps `bench.py` serves under uvicorn to compare throughput on the seed body.

- ``ours``: the `Receiver` with Basic auth, an ``async`` handler of the seed event that does
  nothing, served by `asgi_app`.
- ``bare``: a Starlette endpoint that only reads the body and decodes it with ``orjson.loads``:
  no auth, no model, no router; the limit of a Python ASGI app on this server.
- ``fastapi``: FastAPI with its ``HTTPBasic`` security, checking the same credentials in
  constant time, and the seed event's lenient pydantic model (``pydantic_peers.py``) as the
  body, as FastAPI users write it. The equivalent model's strict datetimes refuse every body
  there: FastAPI decodes the JSON first and validates the decoded strings in Python mode. The
  lenient model is the faster one, so the comparison flatters FastAPI, if anything.

Each answers 204 to a good request, as Bandwidth expects nothing back from a recording event.
"""

import secrets
from typing import Annotated, Any

import orjson
from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from pydantic_peers import PYDANTIC_LAX_CLASSES
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bandwidth_events import (
    BasicAuth,
    ConferenceRecordingAvailable,
    Receiver,
    Router,
    asgi_app,
)

USERNAME, PASSWORD = "bandwidth", "s3cret-for-the-benchmark"
SEED = "conferenceRecordingAvailable"

router = Router()


@router.on(ConferenceRecordingAvailable)
async def recorded(event: ConferenceRecordingAvailable) -> None:
    """Take the event; do nothing with it (the peers do nothing either)."""
    del event


ours = asgi_app(Receiver(router=router, auth=BasicAuth((USERNAME, PASSWORD))))


async def decode_only(request: Request) -> Response:
    """Read and decode the body, answer 204: nothing else."""
    orjson.loads(await request.body())
    return Response(status_code=204)


bare = Starlette(routes=[Route("/", decode_only, methods=["POST"])])

fastapi = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
security = HTTPBasic()
Seed: Any = PYDANTIC_LAX_CLASSES[SEED]


def authenticated(credentials: Annotated[HTTPBasicCredentials, Depends(security)]) -> None:
    """Refuse any request without the one pair of credentials, compared in constant time."""
    user = secrets.compare_digest(credentials.username.encode(), USERNAME.encode())
    password = secrets.compare_digest(credentials.password.encode(), PASSWORD.encode())
    if not (user and password):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, headers={"WWW-Authenticate": 'Basic realm="bench"'}
        )


@fastapi.post("/", status_code=204, dependencies=[Depends(authenticated)])
async def take(event: Seed) -> None:  # type: ignore[valid-type]
    """Take the validated event; do nothing with it."""
    del event
