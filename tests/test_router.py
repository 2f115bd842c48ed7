"""The router: one handler per event class, a fallback, and the answer Bandwidth expects."""

from collections import Counter
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import given

from bandwidth_events import (
    ConferenceCompleted,
    ConferenceCreated,
    ConferenceEvent,
    ConferenceMemberExit,
    ConferenceMemberJoin,
    ConferenceRecordingAvailable,
    EventParseError,
    Outcome,
    Router,
    UnknownEvent,
    VoiceEvent,
    parse_event,
    to_json,
)

from .conftest import golden
from .strategies import EVENT_CLASSES, voice_events

BXML = "<Response><SpeakSentence>Welcome</SpeakSentence></Response>"
UNKNOWN = b'{"eventType": "callInitiated", "callId": "c-1"}'


def returning(result: object) -> Callable[[object], object]:
    """Give a handler that returns the value, whatever its type, as untyped code may."""
    return lambda _event: result


def recording_router() -> tuple[Router, list[tuple[str, object]]]:
    """Give a router that records every event each handler sees, and the record."""
    router, seen = Router(), list[tuple[str, object]]()

    @router.on(ConferenceMemberJoin)
    def welcome(event: ConferenceMemberJoin) -> str:
        seen.append(("join", event))
        return BXML

    @router.on(ConferenceCompleted)
    def archive(event: ConferenceCompleted) -> None:
        seen.append(("completed", event))

    @router.fallback
    def other(event: VoiceEvent | UnknownEvent) -> None:
        seen.append(("fallback", event))

    return router, seen


class TestDispatch:
    def test_registered_handler_gets_the_parsed_event(self) -> None:
        """Dispatch parses the body and calls the handler registered for its class, once."""
        router, seen = recording_router()

        router.dispatch(golden("conferenceMemberJoin"))

        assert seen == [("join", parse_event(golden("conferenceMemberJoin")))]

    def test_bxml_answer(self) -> None:
        """A handler's BXML becomes a 200 answer with an XML body."""
        router, _ = recording_router()

        answer = router.dispatch(golden("conferenceMemberJoin"))

        assert (answer.status, answer.content_type, answer.body) == (
            200,
            "application/xml; charset=utf-8",
            BXML.encode(),
        )
        assert answer.handled
        assert answer.event == parse_event(golden("conferenceMemberJoin"))

    def test_handler_without_bxml_answers_204(self) -> None:
        """A handler that returns None gives an empty 204."""
        router, seen = recording_router()

        answer = router.dispatch(golden("conferenceCompleted"))

        assert (answer.status, answer.content_type, answer.body, answer.handled) == (
            204,
            None,
            b"",
            True,
        )
        assert [kind for kind, _ in seen] == ["completed"]

    @pytest.mark.parametrize(
        "body",
        [golden("conferenceCreated"), golden("conferenceRecordingAvailable"), UNKNOWN],
        ids=["created", "recording", "unknown"],
    )
    def test_fallback_gets_everything_else(self, body: bytes) -> None:
        """Events with no handler of their own, unknown ones included, go to the fallback."""
        router, seen = recording_router()

        answer = router.dispatch(body)

        assert seen == [("fallback", parse_event(body))]
        assert (answer.status, answer.handled) == (204, True)

    def test_unknown_event_handler_comes_before_the_fallback(self) -> None:
        """A handler registered for UnknownEvent gets unknown events; the fallback does not."""
        router, seen = recording_router()
        router.on(UnknownEvent)(lambda event: seen.append(("unknown", event)))

        router.dispatch(UNKNOWN)

        assert seen == [("unknown", UnknownEvent({"eventType": "callInitiated", "callId": "c-1"}))]

    def test_without_fallback_unhandled_events_answer_204(self) -> None:
        """With no handler at all, the answer is 204 and says nothing handled the event."""
        answer = Router().dispatch(golden("conferenceCreated"))

        assert (answer.status, answer.bxml, answer.handled) == (204, None, False)
        assert isinstance(answer.event, ConferenceCreated)

    def test_bad_body_reaches_no_handler(self) -> None:
        """A body that does not parse raises EventParseError holding it; no handler runs."""
        router, seen = recording_router()
        body = golden("conferenceMemberJoin").replace(b'"callId"', b'"callID"')

        with pytest.raises(EventParseError) as info:
            router.dispatch(body)

        assert info.value.body is body
        assert seen == []

    def test_handler_errors_propagate_unchanged(self) -> None:
        """What a handler raises reaches the caller as it is."""
        router = Router()
        failure = RuntimeError("database down")

        @router.on(ConferenceCompleted)
        def fail(_event: ConferenceCompleted) -> None:
            raise failure

        with pytest.raises(RuntimeError) as info:
            router.dispatch(golden("conferenceCompleted"))

        assert info.value is failure

    def test_handle_takes_a_parsed_event(self) -> None:
        """handle() routes an event already parsed, as dispatch does after parsing."""
        router, seen = recording_router()
        event = parse_event(golden("conferenceMemberJoin"), ConferenceMemberJoin)

        assert router.handle(event).bxml == BXML
        assert seen == [("join", event)]

    @given(voice_events)
    def test_every_event_reaches_exactly_its_own_handler(self, event: ConferenceEvent) -> None:
        """With a handler per class, any event's wire form reaches its class's handler only."""
        router, calls = Router(), Counter[type]()

        def count(cls: type[VoiceEvent]) -> None:
            def handler(_event: object) -> None:
                calls.update([cls])

            router.on(cls)(handler)

        for cls in EVENT_CLASSES:
            count(cls)

        answer = router.dispatch(to_json(event))

        assert calls == Counter([type(event)])
        assert answer.event == event


class TestRegistration:
    def test_decorator_returns_the_handler(self) -> None:
        """Registering leaves the function as it was, still callable directly."""
        router = Router()

        def welcome(_event: ConferenceMemberJoin) -> str:
            return BXML

        assert router.on(ConferenceMemberJoin)(welcome) is welcome
        assert router.fallback(print) is print

    def test_one_handler_per_class(self) -> None:
        """A second handler for the same class is a mistake, reported at registration."""
        router, _ = recording_router()

        with pytest.raises(ValueError, match="ConferenceMemberJoin has a handler already"):
            router.on(ConferenceMemberJoin)(lambda _event: None)

    def test_one_fallback(self) -> None:
        """A second fallback is a mistake too."""
        router, _ = recording_router()

        with pytest.raises(ValueError, match="has a fallback already"):
            router.fallback(lambda _event: None)

    @pytest.mark.parametrize("cls", [dict, Outcome, ConferenceEvent])
    def test_only_event_classes(self, cls: Any) -> None:
        """Registering for a class that is not an event (or a union of them) is a TypeError."""
        with pytest.raises(TypeError, match="is not an event class"):
            Router().on(cls)

    def test_private_base_is_not_an_event_class(self) -> None:
        """The base the event classes share cannot be registered: events never are of it alone."""
        with pytest.raises(TypeError, match="is not an event class"):
            Router().on(ConferenceMemberJoin.__mro__[1])


class TestAnswerRules:
    @pytest.mark.parametrize("name", ["conferenceCompleted", "conferenceRecordingAvailable"])
    def test_bxml_for_an_event_that_ignores_it(self, name: str) -> None:
        """Returning BXML where Bandwidth ignores answers is caught, not silently dropped."""
        untyped: Any = Router()  # as untyped code would use it
        untyped.on(type(parse_event(golden(name))))(returning(BXML))

        with pytest.raises(TypeError, match=f"Bandwidth ignores any answer to {name}"):
            untyped.dispatch(golden(name))

    @pytest.mark.parametrize("result", [b"<Response/>", 200, {"bxml": BXML}])
    def test_handler_must_return_text_or_none(self, result: object) -> None:
        """A handler returning something other than BXML text or None is a TypeError."""
        untyped: Any = Router()
        untyped.on(ConferenceCreated)(returning(result))

        with pytest.raises(TypeError, match="must return BXML text"):
            untyped.dispatch(golden("conferenceCreated"))

    @pytest.mark.parametrize("bxml", ["", " \n"])
    def test_blank_bxml_is_refused(self, bxml: str) -> None:
        """Blank BXML would be a 200 Bandwidth cannot run: return None for 204 instead."""
        with pytest.raises(ValueError, match="empty BXML: return None for 204"):
            Outcome(event=parse_event(golden("conferenceMemberExit")), bxml=bxml)

    def test_fallback_must_return_none(self) -> None:
        """The fallback has no BXML to give: any other result is a TypeError."""
        untyped: Any = Router()
        untyped.fallback(returning(BXML))

        with pytest.raises(TypeError, match="a fallback must return None, not str"):
            untyped.dispatch(golden("conferenceCreated"))

    def test_answers_are_frozen(self) -> None:
        """An answer cannot be changed once made."""
        answer = Outcome(event=parse_event(golden("conferenceRedirect")), bxml=BXML)

        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            answer.bxml = None  # type: ignore[misc]  # pyright: ignore[reportAttributeAccessIssue]

    @pytest.mark.parametrize("cls", [ConferenceMemberExit, ConferenceRecordingAvailable])
    def test_answer_follows_the_event_class(self, cls: type[ConferenceEvent]) -> None:
        """An answer without BXML is 204 for every event; only BXML events may have a 200."""
        event = parse_event(golden(cls.event_type), cls)

        assert Outcome(event=event).status == 204
        if cls.accepts_bxml:
            assert Outcome(event=event, bxml=BXML).status == 200


@given(voice_events)
def test_an_outcome_without_bxml_is_the_one_outcome_would_make(event: VoiceEvent) -> None:
    """The router fills a handled event's Outcome slot by slot: every slot, as attrs would."""
    router = Router()

    def handler(_event: object) -> None:
        pass

    router.on(type(event))(handler)

    made = router.handle(event)

    expected = Outcome(event=event, handled=True)
    assert attrs.asdict(made, recurse=False) == attrs.asdict(expected, recurse=False)
    assert made == expected
    assert repr(made) == repr(expected)
