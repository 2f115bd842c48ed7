"""The receiver core: (method, headers, body) in, the answer Bandwidth needs out."""

import logging
from base64 import b64encode

import pytest

from bandwidth_events import (
    BasicAuth,
    ConferenceCompleted,
    ConferenceCreated,
    ConferenceMemberJoin,
    EventParseError,
    Failure,
    Receiver,
    Reply,
    Router,
)

from .conftest import golden

BXML = "<Response><StartRecording/></Response>"
CREDENTIALS = ("bandwidth", "s3cret")


def authorization(username: str = "bandwidth", password: str = "s3cret") -> str:
    """Give a Basic Authorization header value."""
    return "Basic " + b64encode(f"{username}:{password}".encode()).decode()


def headers(**extra: str) -> dict[str, str]:
    """Give the headers of an authenticated JSON POST, with changes."""
    return {"Content-Type": "application/json", "Authorization": authorization(), **extra}


class Setup:
    """A receiver with a recording failure hook and two handlers."""

    def __init__(self, *, max_body_size: int = 1024 * 1024) -> None:
        self.failures: list[Failure] = []
        self.router = Router()

        @self.router.on(ConferenceCreated)
        def record(_event: ConferenceCreated) -> str:
            return BXML

        @self.router.on(ConferenceCompleted)
        def fail(_event: ConferenceCompleted) -> None:
            raise RuntimeError("database down")

        self.receiver = Receiver(
            router=self.router,
            auth=BasicAuth([CREDENTIALS, ("bandwidth", "old")]),
            max_body_size=max_body_size,
            on_failure=self.failures.append,
        )

    def post(self, body: bytes, **extra: str) -> Reply:
        """POST a body with the default headers, changed."""
        return self.receiver.handle("POST", headers(**extra), body)


def header(reply: Reply, name: str) -> str | None:
    """Give a reply header's value."""
    return dict(reply.headers).get(name)


class TestAuthentication:
    def test_missing_credentials_get_the_challenge(self) -> None:
        """No Authorization header: 401 with the Basic challenge, so Bandwidth resends."""
        setup = Setup()

        reply = setup.receiver.handle(
            "POST", {"Content-Type": "application/json"}, golden("conferenceCreated")
        )

        assert reply.status == 401
        assert (
            header(reply, "www-authenticate") == 'Basic realm="bandwidth-events", charset="UTF-8"'
        )
        assert setup.failures == []

    def test_wrong_credentials_get_the_challenge_too(self) -> None:
        """Wrong credentials: 401 with the challenge, never 403, and nothing echoed back."""
        reply = Setup().post(golden("conferenceCreated"), Authorization=authorization(password="x"))

        assert reply.status == 401
        assert header(reply, "www-authenticate") is not None
        assert b"x" not in reply.body.replace(b"required", b"")

    def test_fallback_credentials_work(self) -> None:
        """The second configured pair is accepted as well as the first."""
        reply = Setup().post(
            golden("conferenceCreated"), Authorization=authorization(password="old")
        )

        assert reply.status == 200

    def test_authentication_comes_before_everything(self) -> None:
        """Without credentials, even a GET or an oversize request only gets the challenge."""
        setup = Setup(max_body_size=10)

        assert setup.receiver.handle("GET", {}, b"x" * 100).status == 401
        assert setup.receiver.check("PUT", {"Content-Length": "100"}) == setup.receiver.handle(
            "PUT", {}, b""
        )

    def test_without_auth_any_request_is_taken(self) -> None:
        """auth=None accepts requests with no credentials at all."""
        receiver = Receiver(router=Router(), auth=None)

        reply = receiver.handle(
            "POST", {"content-type": "application/json"}, golden("conferenceRedirect")
        )

        assert reply.status == 204


class TestRequestChecks:
    def test_oversize_declared_length(self) -> None:
        """A declared Content-Length above the bound is answered 413 before the body is read."""
        setup = Setup(max_body_size=100)

        reply = setup.receiver.check("POST", headers(**{"Content-Length": "101"}))

        assert reply is not None
        assert reply.status == 413
        assert reply.body == b"webhook bodies are at most 100 bytes"

    def test_oversize_body(self) -> None:
        """A body above the bound is answered 413, whatever length was declared."""
        assert Setup(max_body_size=100).post(b"{" + b" " * 200 + b"}").status == 413

    def test_default_bound_is_one_mebibyte(self) -> None:
        """By default a body of 1 MiB is read and one byte more is not."""
        receiver = Receiver(router=Router(), auth=None)

        assert receiver.max_body_size == 1024 * 1024
        assert (
            receiver.handle("POST", {"content-type": "application/json"}, b" " * (2**20 + 1)).status
            == 413
        )

    @pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "HEAD"])
    def test_only_post_and_get(self, method: str) -> None:
        """Other methods get 405 with an Allow header."""
        reply = Setup().receiver.handle(method, headers(), golden("conferenceCreated"))

        assert (reply.status, header(reply, "allow")) == (405, "POST, GET")

    @pytest.mark.parametrize(
        "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "json"]
    )
    def test_only_json(self, content_type: str | None) -> None:
        """A body that is not declared JSON gets 415."""
        request = headers()
        del request["Content-Type"]
        if content_type is not None:
            request["Content-Type"] = content_type

        reply = Setup().receiver.handle("POST", request, golden("conferenceCreated"))

        assert reply.status == 415
        assert header(reply, "accept-post") == "application/json"

    @pytest.mark.parametrize(
        "content_type",
        ["application/json; charset=utf-8", "Application/JSON", "application/vnd.x+json"],
    )
    def test_json_with_parameters_or_suffix(self, content_type: str) -> None:
        """JSON media types with parameters, in any case, or with +json are taken."""
        assert (
            Setup().post(golden("conferenceCreated"), **{"Content-Type": content_type}).status
            == 200
        )

    def test_headers_as_pairs_any_case(self) -> None:
        """Headers may be (name, value) pairs, names in any case, as frameworks give them."""
        pairs = [("CONTENT-TYPE", "application/json"), ("authorization", authorization())]

        assert Setup().receiver.handle("post", pairs, golden("conferenceCreated")).status == 200

    def test_bound_must_be_positive(self) -> None:
        """A zero or negative bound is a configuration mistake."""
        with pytest.raises(ValueError, match="max_body_size"):
            Receiver(router=Router(), auth=None, max_body_size=0)


class TestAnswers:
    def test_bxml_for_conference_created(self) -> None:
        """A handler's BXML is answered 200 as application/xml."""
        reply = Setup().post(golden("conferenceCreated"))

        assert reply == Reply(
            200, (("content-type", "application/xml; charset=utf-8"),), BXML.encode()
        )

    def test_204_for_recording_available(self) -> None:
        """An event with no handler, or whose handler returns None, gets an empty 204."""
        assert Setup().post(golden("conferenceRecordingAvailable")) == Reply(204)

    def test_unknown_event_type_is_acknowledged(self) -> None:
        """An eventType this version does not model is answered 204, never an error."""
        assert Setup().post(b'{"eventType": "callQueued"}') == Reply(204)


class TestFailuresKeepTheBody:
    def test_unparseable_body_goes_to_the_hook(self) -> None:
        """A body that does not parse is answered 400 and handed, raw, to the hook."""
        setup = Setup()
        body = golden("conferenceCreated").replace(b'"eventTime"', b'"eventTim"')

        reply = setup.post(body)

        assert reply.status == 400
        assert reply.body == b"not a valid Bandwidth webhook body"
        [failure] = setup.failures
        assert failure.body == body
        assert (failure.status, failure.reason) == (400, "not a valid Bandwidth webhook body")
        assert isinstance(failure.error, EventParseError)
        assert "authorization" not in failure.headers
        assert failure.headers["content-type"] == "application/json"

    def test_not_json_at_all(self) -> None:
        """Bytes that are not JSON are kept the same way."""
        setup = Setup()

        assert setup.post(b"\xff{").status == 400
        assert setup.failures[0].body == b"\xff{"

    def test_handler_exception_goes_to_the_hook(self) -> None:
        """A handler that raises gets a 500 with a short reason, and the body is kept."""
        setup = Setup()

        reply = setup.post(golden("conferenceCompleted"))

        assert reply.status == 500
        assert reply.body == b"the webhook handler failed"
        [failure] = setup.failures
        assert failure.body == golden("conferenceCompleted")
        assert isinstance(failure.error, RuntimeError)

    def test_a_failing_hook_is_logged_and_the_answer_still_goes(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        """If the hook itself raises, the failure and the body go to the log instead."""

        def broken(_failure: Failure) -> None:
            raise OSError("disk full")

        receiver = Receiver(router=Router(), auth=None, on_failure=broken)

        with caplog.at_level(logging.ERROR, logger="bandwidth_events"):
            reply = receiver.handle("POST", {"content-type": "application/json"}, b"{}")

        assert reply.status == 400
        assert "the failure hook raised; the body was b'{}'" in caplog.text

    def test_default_hook_logs_the_body(self, caplog: pytest.LogCaptureFixture) -> None:
        """Without a hook of yours, the failure is logged at ERROR with the whole body."""
        receiver = Receiver(router=Router(), auth=BasicAuth([CREDENTIALS]))

        with caplog.at_level(logging.ERROR, logger="bandwidth_events"):
            receiver.handle("POST", headers(), b'{"eventType": 1}')

        assert "webhook answered 400 (not a valid Bandwidth webhook body)" in caplog.text
        assert "body kept here: b'{\"eventType\": 1}'" in caplog.text
        assert "s3cret" not in caplog.text


class TestContentLength:
    @pytest.mark.parametrize("length", ["\u00b2", "\u2460", "1\u00b2", "-1", "0x10", " ", ""])
    def test_anything_but_ascii_digits_is_a_bad_request(self, length: str) -> None:
        """A Content-Length that is not ASCII digits is answered 400, never a ValueError."""
        reply = Setup().post(golden("conferenceCreated"), **{"Content-Length": length})

        assert reply.status == 400
        assert reply.body == b"Content-Length must be a number of bytes"

    @pytest.mark.parametrize("length", ["5" * 5000, "9" * 19, "1048577"])
    def test_thousands_of_digits_are_too_large(self, length: str) -> None:
        """A length past any bound is answered 413, however many digits it has."""
        assert Setup().post(golden("conferenceCreated"), **{"Content-Length": length}).status == 413

    def test_a_true_length_is_read(self) -> None:
        """A Content-Length of ASCII digits, spaces around, is taken."""
        body = golden("conferenceCreated")

        assert Setup().post(body, **{"Content-Length": f" {len(body)} "}).status == 200


def test_bxml_that_cannot_be_encoded_goes_to_the_hook() -> None:
    """A handler's BXML that UTF-8 cannot carry is its failure: 500, body to the hook."""
    setup = Setup()

    @setup.router.on(ConferenceMemberJoin)
    def surrogate(_event: ConferenceMemberJoin) -> str:
        return "<Response>\ud800</Response>"

    reply = setup.post(golden("conferenceMemberJoin"))

    assert reply.status == 500
    assert [type(failure.error) for failure in setup.failures] == [UnicodeEncodeError]
    assert setup.failures[0].body == golden("conferenceMemberJoin")
