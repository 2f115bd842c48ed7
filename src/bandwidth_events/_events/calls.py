"""The call lifecycle: a call comes in or is answered, is redirected, is classified, ends."""

from collections.abc import Mapping
from datetime import datetime
from typing import ClassVar, Literal

import attrs

from bandwidth_events._enums import CallCause

from .base import AccountCallEventBase, LegCallEventBase, prepare
from .objects import Diversion, MachineDetectionResult, StirShaken


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class Initiate(AccountCallEventBase):
    """A call came in to one of your numbers (``initiate``).

    Sent to the Call-initiated URL of the application linked to the number. Answer ``200``
    with the BXML that handles the call (``accepts_bxml``). ``direction`` is always
    ``inbound``.
    """

    event_type: ClassVar[Literal["initiate"]] = "initiate"
    accepts_bxml: ClassVar[Literal[True]] = True

    diversion: Diversion | None = None
    stir_shaken: StirShaken | None = None
    uui: str | None = None
    sip_call_id: str | None = None
    sip_headers: Mapping[str, str] | None = None


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class Answer(AccountCallEventBase):
    """A call your application placed was answered (``answer``).

    Sent to the call's ``answerUrl`` (``answerFallbackUrl`` if that fails). Answer ``200`` with
    the BXML to run on the call (``accepts_bxml``). With machine detection in ``sync`` mode,
    its result is here.
    """

    event_type: ClassVar[Literal["answer"]] = "answer"
    accepts_bxml: ClassVar[Literal[True]] = True

    answer_time: datetime
    enqueued_time: datetime | None = None
    tag: str | None = None
    machine_detection_result: MachineDetectionResult | None = None
    sip_call_id: str | None = None


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class Disconnect(AccountCallEventBase):
    """A call ended, for any reason (``disconnect``).

    Sent to the call's ``disconnectUrl``, or the application's Call Status URL. Bandwidth
    ignores the answer: it expects an empty ``204`` (``accepts_bxml`` is ``False``).
    """

    event_type: ClassVar[Literal["disconnect"]] = "disconnect"
    accepts_bxml: ClassVar[Literal[False]] = False

    end_time: datetime
    cause: CallCause | str
    enqueued_time: datetime | None = None
    answer_time: datetime | None = None
    error_message: str | None = None
    error_id: str | None = None
    tag: str | None = None
    sip_call_id: str | None = None
    sip_response_code: int | None = None


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class Redirect(LegCallEventBase):
    """A call was redirected to new BXML (``redirect``).

    Sent to the ``redirectUrl`` of a ``<Redirect>`` verb or of an API request that updated the
    call (``redirectFallbackUrl`` if that fails). Answer ``200`` with the BXML to run next
    (``accepts_bxml``).
    """

    event_type: ClassVar[Literal["redirect"]] = "redirect"
    accepts_bxml: ClassVar[Literal[True]] = True

    answer_time: datetime | None = None


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class MachineDetectionComplete(AccountCallEventBase):
    """Answering-machine detection decided, in ``async`` mode (``machineDetectionComplete``).

    Sent to the ``machineDetection.callbackUrl`` of the call (``fallbackUrl`` if that fails);
    in ``sync`` mode the result comes in `Answer` instead. Bandwidth ignores the answer: it
    expects an empty ``204`` (``accepts_bxml`` is ``False``); act on the call through the API.
    """

    event_type: ClassVar[Literal["machineDetectionComplete"]] = "machineDetectionComplete"
    accepts_bxml: ClassVar[Literal[False]] = False

    answer_time: datetime
    machine_detection_result: MachineDetectionResult
    enqueued_time: datetime | None = None
    tag: str | None = None
