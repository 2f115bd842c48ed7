"""The results of BXML verbs: gathers, digits, transfers, bridges, recordings, refers."""

from datetime import datetime, timedelta
from typing import ClassVar, Literal

import attrs

from bandwidth_events._enums import CallCause, FileFormat, ReferStatus

from .base import SPELLING, AccountCallEventBase, CallEventBase, LegCallEventBase, prepare, wire

_RECORDING_START = "when the recording started, in UTC."
_RECORDING_END = "when the recording ended, in UTC."
_B_LEG_ID = "the id of the B leg, the call the ``<Transfer>`` placed."
_A_LEG_ID = "the id of the A leg, the call that ran the ``<Transfer>``."
_B_FROM = (
    "the number used as the B leg's ``from`` (E.164, or ``Restricted``, ``Anonymous``, "
    "``Private`` or ``Unavailable``)."
)
_B_TO = "the number used as the B leg's ``to``, in E.164 form."


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class Gather(LegCallEventBase):
    """A ``<Gather>`` ended: the caller's digits (``gather``).

    Sent to the verb's ``gatherUrl`` (``gatherFallbackUrl`` if that fails). Answer ``200`` with
    the BXML to run next (``accepts_bxml``).
    """

    event_type: ClassVar[Literal["gather"]] = "gather"
    accepts_bxml: ClassVar[Literal[True]] = True

    answer_time: datetime
    digits: str | None = None
    terminating_digit: str | None = None


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class Dtmf(LegCallEventBase):
    """The caller pressed a digit during a ``<StartGather>`` (``dtmf``).

    Sent to the verb's ``dtmfUrl``, once per digit. Bandwidth refuses BXML in the answer: answer
    an empty ``204`` (``accepts_bxml`` is ``False``).
    """

    event_type: ClassVar[Literal["dtmf"]] = "dtmf"
    accepts_bxml: ClassVar[Literal[False]] = False

    answer_time: datetime
    digit: str


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class TransferAnswer(AccountCallEventBase):
    """The B leg of a ``<Transfer>`` answered (``transferAnswer``).

    Sent to the ``transferAnswerUrl`` of the ``<PhoneNumber>`` or ``<SipUri>``. Answer ``200``
    with BXML to run on the B leg only, before it is bridged (``accepts_bxml``); ``<Bridge>``,
    ``<Conference>``, ``<Forward>`` and ``<Transfer>`` are not allowed there. ``direction`` is
    always ``outbound``.
    """

    event_type: ClassVar[Literal["transferAnswer"]] = "transferAnswer"
    accepts_bxml: ClassVar[Literal[True]] = True

    call_id: str = wire(doc=_B_LEG_ID)
    parent_call_id: str = wire(doc=_A_LEG_ID)
    answer_time: datetime
    transfer_caller_id: str = wire(doc=_B_FROM)
    transfer_to: str = wire(doc=_B_TO)
    enqueued_time: datetime | None = None
    tag: str | None = None


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class TransferComplete(AccountCallEventBase):
    """A ``<Transfer>`` ended: its B leg is gone (``transferComplete``).

    Sent to the verb's ``transferCompleteUrl`` (or its fallback). Answer ``200`` with the BXML
    to run next on the A leg (``accepts_bxml``).
    """

    event_type: ClassVar[Literal["transferComplete"]] = "transferComplete"
    accepts_bxml: ClassVar[Literal[True]] = True

    answer_time: datetime
    transfer_caller_id: str = wire(doc=_B_FROM)
    transfer_to: str = wire(doc=_B_TO)
    cause: CallCause | str = wire(doc="why the B leg ended.")
    enqueued_time: datetime | None = None
    tag: str | None = None
    error_message: str | None = None
    error_id: str | None = None


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class TransferDisconnect(CallEventBase):
    """A B leg of a ``<Transfer>`` ended (``transferDisconnect``).

    Sent to the ``transferDisconnectUrl`` of the ``<PhoneNumber>`` or ``<SipUri>``, once per B
    leg. Bandwidth ignores the answer: it expects an empty ``204`` (``accepts_bxml`` is
    ``False``). ``direction`` is always ``outbound``.

    Bandwidth's API spec lists ``accountId`` and ``applicationId`` here, but its docs' table and
    all three examples lack them: they are optional, so the bodies Bandwidth sends are read.
    """

    event_type: ClassVar[Literal["transferDisconnect"]] = "transferDisconnect"
    accepts_bxml: ClassVar[Literal[False]] = False

    call_id: str = wire(doc=_B_LEG_ID)
    parent_call_id: str = wire(doc=_A_LEG_ID)
    start_time: datetime = wire(doc="when the B leg started, in UTC.")
    end_time: datetime = wire(doc="when the B leg ended, in UTC.")
    transfer_caller_id: str = wire(doc=_B_FROM)
    transfer_to: str = wire(doc=_B_TO)
    cause: CallCause | str = wire(doc="why the B leg ended.")
    account_id: str | None = None
    application_id: str | None = None
    enqueued_time: datetime | None = None
    answer_time: datetime | None = None
    tag: str | None = None
    error_message: str | None = None
    error_id: str | None = None


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class BridgeComplete(AccountCallEventBase):
    """The other call left a ``<Bridge>``, or it could not be set up (``bridgeComplete``).

    Sent to the verb's ``bridgeCompleteUrl`` (or its fallback). Answer ``200`` with the BXML to
    run next on the call that ran the ``<Bridge>`` (``accepts_bxml``).
    """

    event_type: ClassVar[Literal["bridgeComplete"]] = "bridgeComplete"
    accepts_bxml: ClassVar[Literal[True]] = True

    answer_time: datetime
    cause: CallCause | str | None = wire(
        doc="why the bridge ended; absent when it ended normally. Bandwidth's docs list "
        "``busy``, ``rejected`` and ``unknown``, its spec every call cause.",
        default=None,
    )
    enqueued_time: datetime | None = None
    tag: str | None = None
    error_message: str | None = None
    error_id: str | None = None
    transfer_caller_id: str | None = wire(
        doc="not in Bandwidth's tables, but in its example of a failed bridge.", default=None
    )
    transfer_to: str | None = wire(
        doc="not in Bandwidth's tables, but in its example of a failed bridge.", default=None
    )


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class BridgeTargetComplete(AccountCallEventBase):
    """The call that ran a ``<Bridge>`` left it (``bridgeTargetComplete``).

    Sent to the verb's ``bridgeTargetCompleteUrl`` (or its fallback). Answer ``200`` with the
    BXML to run next on the target call, the one this event is about (``accepts_bxml``).
    """

    event_type: ClassVar[Literal["bridgeTargetComplete"]] = "bridgeTargetComplete"
    accepts_bxml: ClassVar[Literal[True]] = True

    call_id: str = wire(doc="the id of the bridge's target call.")
    answer_time: datetime
    enqueued_time: datetime | None = None
    tag: str | None = None


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class RecordComplete(LegCallEventBase):
    """A ``<Record>`` ended and the call is still up (``recordComplete``).

    Sent to the verb's ``recordCompleteUrl`` (or its fallback); not sent when the caller hung
    up. Answer ``200`` with the BXML to run next (``accepts_bxml``). Download the media when
    `RecordingAvailable` arrives.

    Bandwidth's docs send ``recordComplete``; its API spec calls the event
    ``recordingComplete``. Both are read as this class, and written back as they came.
    """

    event_type: ClassVar[Literal["recordComplete"]] = "recordComplete"
    event_type_aliases: ClassVar[tuple[str, ...]] = ("recordingComplete",)
    accepts_bxml: ClassVar[Literal[True]] = True

    recording_id: str
    answer_time: datetime
    start_time: datetime = wire(doc=_RECORDING_START)
    end_time: datetime = wire(doc=_RECORDING_END)
    duration: timedelta
    channels: int
    file_format: FileFormat | str
    media_url: str | None = None
    wire_spelling: frozenset[str] = SPELLING


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class ReferComplete(AccountCallEventBase):
    """A ``<Refer>`` ended (``referComplete``).

    Sent to the verb's ``referCompleteUrl``. On success Bandwidth tears the call down; on
    failure it runs the BXML of a ``200`` answer on the call (``accepts_bxml``). Bandwidth's
    docs have no page for it: its fields are those of the official SDK's model.
    """

    event_type: ClassVar[Literal["referComplete"]] = "referComplete"
    accepts_bxml: ClassVar[Literal[True]] = True

    refer_call_status: ReferStatus | str
    answer_time: datetime | None = None
    tag: str | None = None
    refer_sip_response_code: int | None = None
    notify_sip_response_code: int | None = None
