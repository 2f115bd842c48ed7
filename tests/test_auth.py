"""Basic auth as Bandwidth does it: the challenge, constant-time checks, several credentials."""

# pyright: reportPrivateUsage=false
# (The digest test checks the private helper directly.)

from base64 import b64encode
from typing import Any

import pytest

from bandwidth_events import BasicAuth, _auth
from bandwidth_events._auth import _digest

AUTH = BasicAuth([("bandwidth", "s3cret"), ("bandwidth", "next-s3cret")], realm="voice")


def basic(username: str, password: str) -> str:
    """Give the Authorization header value for a username and password."""
    return "Basic " + b64encode(f"{username}:{password}".encode()).decode()


@pytest.mark.parametrize("password", ["s3cret", "next-s3cret"])
def test_every_configured_pair_is_accepted(password: str) -> None:
    """The primary and the fallback (rotation) credentials are both accepted."""
    assert AUTH.accepts(basic("bandwidth", password))


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        basic("bandwidth", "wrong"),
        basic("someone", "s3cret"),
        basic("bandwidth", "s3cret" * 200),  # much longer than the secret
        basic("bandwidth", "s"),  # much shorter
        "Bearer abc",
        "Basic",
        "Basic !!not-base64!!",
        "Basic " + b64encode(b"no-colon-here").decode(),
        "Basic " + b64encode(b"\xff\xfe:\xff").decode(),  # not UTF-8
        "Digest username=bandwidth",
    ],
)
def test_anything_else_is_refused_without_raising(authorization: str | None) -> None:
    """Missing, wrong, malformed or other-scheme headers are all simply not accepted."""
    assert not AUTH.accepts(authorization)


def test_scheme_is_case_insensitive_and_spaces_are_tolerated() -> None:
    """``basic`` and extra spaces are as good as ``Basic``."""
    token = basic("bandwidth", "s3cret").split()[1]

    assert AUTH.accepts(f"  basic   {token}  ")


def test_passwords_may_hold_colons_and_any_text() -> None:
    """Only the first colon separates the username: passwords keep theirs (RFC 7617)."""
    auth = BasicAuth([("user", "pa:ss wörd")])

    assert auth.accepts(basic("user", "pa:ss wörd"))


def test_challenge_names_the_realm_safely() -> None:
    """The challenge is what makes Bandwidth resend: Basic, the realm quoted and escaped."""
    assert AUTH.challenge == 'Basic realm="voice", charset="UTF-8"'
    assert BasicAuth([("u", "p")], realm='say "hi"').challenge.startswith(
        'Basic realm="say \\"hi\\""'
    )


def test_credentials_never_show() -> None:
    """Neither the repr nor the str shows a username or password."""
    assert "s3cret" not in repr(AUTH)
    assert "bandwidth" not in str(AUTH)


@pytest.mark.parametrize(
    ("credentials", "message"),
    [
        ([], "at least one"),
        ([("", "p")], "may not be empty"),
        ([("u", "")], "may not be empty"),
        ([("a:b", "p")], "may not contain ':'"),
    ],
)
def test_configuration_mistakes_are_refused(
    credentials: list[tuple[str, str]], message: str
) -> None:
    """Credentials Bandwidth could never send are refused when configured."""
    with pytest.raises(ValueError, match=message):
        BasicAuth(credentials)


@pytest.mark.parametrize(
    ("credentials", "error", "message"),
    [
        ([("alice", "pw\0x")], ValueError, "password may not contain control characters"),
        ([("al\nice", "pw")], ValueError, "username may not contain control characters"),
        ([("alice", 1234)], TypeError, "strings, not str and int"),
        ([("alice",)], TypeError, "pairs, not"),
        ("alice:pw", TypeError, "not a string"),
    ],
)
def test_ambiguous_or_mistyped_credentials_are_refused(
    credentials: Any, error: type[Exception], message: str
) -> None:
    """Credentials with control characters or of other types are refused, the mistake named."""
    with pytest.raises(error, match=message):
        BasicAuth(credentials)


def test_one_pair_may_be_given_alone() -> None:
    """BasicAuth(("bw", "pw")) is one pair, not two one-character usernames."""
    auth = BasicAuth(("bandwidth", "s3cret"))

    assert auth.credentials == (("bandwidth", "s3cret"),)
    assert auth.accepts(basic("bandwidth", "s3cret"))


def test_no_two_pairs_share_a_digest() -> None:
    """The digest keeps username and password apart: a NUL cannot move one into the other."""
    assert _digest("alice", "pw\0x") != _digest("alice\0pw", "x")
    assert _digest("ab", "c") != _digest("a", "bc")


def test_the_header_as_clients_write_it_takes_no_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """``Basic`` and the token, as Bandwidth sends it, is matched by its digest alone."""

    def never(authorization: str | None) -> bytes:
        raise AssertionError(f"decoded {authorization!r}")

    monkeypatch.setattr(_auth, "_decode", never)

    assert AUTH.accepts(basic("bandwidth", "s3cret"))
    assert AUTH.accepts(basic("bandwidth", "next-s3cret"))
    with pytest.raises(AssertionError, match="decoded"):
        AUTH.accepts(basic("bandwidth", "wrong"))  # anything else is decoded, then refused
