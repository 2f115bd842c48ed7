"""HTTP Basic authentication as Bandwidth does it: a challenge first, then credentials.

Bandwidth sends each webhook first without credentials and resends it with an ``Authorization:
Basic`` header only after a ``401`` that carries ``WWW-Authenticate: Basic realm="…"``. A plain
``401`` or a ``403`` means the event never arrives.
"""

import hashlib
import hmac
from base64 import b64decode, b64encode
from collections.abc import Callable, Iterable
from typing import Any

import attrs

# BLAKE2s: a 32-byte cryptographic digest that CPython computes itself. hashlib's SHA-256 goes
# through OpenSSL, whose generic digest machinery costs about twice the instructions on a
# header this short (callgrind), and runs for every request.
_hash = hashlib.blake2s


def _digest(username: str, password: str) -> bytes:
    # A fixed-length digest of the pair: comparing digests takes the same time whatever the
    # lengths of what was sent and what is configured. Each part is hashed on its own, so no
    # two pairs give the same digest ("alice" + "pw\0x" is not "alice\0pw" + "x").
    user = _hash(username.encode(errors="surrogatepass")).digest()
    return _hash(user + password.encode(errors="surrogatepass")).digest()


def _header(username: str, password: str) -> bytes:
    # The digest of the header as clients write it: the word Basic, one space, and the base64
    # of the username, a colon and the password, in UTF-8.
    token = b64encode(f"{username}:{password}".encode()).decode()
    return _header_digest(f"Basic {token}")


def _header_digest(authorization: str) -> bytes:
    return _hash(authorization.encode(errors="surrogatepass")).digest()


def _pairs(value: Iterable[tuple[str, str]] | tuple[str, str]) -> tuple[tuple[str, str], ...]:
    if isinstance(value, str | bytes):
        raise TypeError("BasicAuth takes (username, password) pairs, not a string")
    given: tuple[object, ...] = tuple(value)
    if len(given) == 2 and all(isinstance(part, str) for part in given):  # noqa: PLR2004
        given = (given,)  # one pair: BasicAuth(("bandwidth", "s3cret"))
    if not given:
        raise ValueError("BasicAuth needs at least one (username, password) pair")
    return tuple(map(_pair, given))


def _pair(pair: object) -> tuple[str, str]:
    if not isinstance(pair, tuple | list) or len(pair) != 2:  # pyright: ignore[reportUnknownArgumentType]  # noqa: PLR2004
        raise TypeError(f"BasicAuth takes (username, password) pairs, not {pair!r}")
    username, password = pair  # pyright: ignore[reportUnknownVariableType]
    if not isinstance(username, str) or not isinstance(password, str):
        kinds = f"{type(username).__name__} and {type(password).__name__}"  # pyright: ignore[reportUnknownArgumentType]
        raise TypeError(f"a username and a password are strings, not {kinds}")
    if not username or not password:
        raise ValueError("usernames and passwords may not be empty")
    if ":" in username:
        raise ValueError("a Basic-auth username may not contain ':'")
    for part, name in ((username, "username"), (password, "password")):
        if any(ord(char) < 32 or ord(char) == 127 for char in part):  # noqa: PLR2004
            # RFC 7617: no control characters; a NUL would make two pairs alike, too.
            raise ValueError(f"a Basic-auth {name} may not contain control characters")
    return (username, password)


def _of_each_pair(digest: Callable[[str, str], bytes]) -> Any:  # noqa: ANN401 -- attrs's Factory
    """Give the default of a field holding ``digest`` of each accepted pair, made once."""
    return attrs.Factory(
        lambda self: tuple(digest(user, password) for user, password in self.credentials),
        takes_self=True,
    )


@attrs.frozen
class BasicAuth:
    """The credentials a receiver accepts, checked in constant time.

    Give more than one pair to rotate them: add the new pair, change it on Bandwidth's side,
    then drop the old one. Every pair is compared on every request, so the time taken says
    nothing about which one matched, nor how close a wrong one came. Credentials never appear
    in a repr or a log.

    Attributes:
        credentials: The accepted ``(username, password)`` pairs, in the order given; one pair
            may be given alone (``BasicAuth(("bandwidth", "s3cret"))``). Strings without control
            characters, and no ``:`` in a username (Basic auth could not carry it).
        realm: The realm of the challenge, ``WWW-Authenticate: Basic realm="…"``.
    """

    credentials: tuple[tuple[str, str], ...] = attrs.field(converter=_pairs, repr=False)
    realm: str = "bandwidth-events"
    _digests: tuple[bytes, ...] = attrs.field(
        init=False, repr=False, eq=False, default=_of_each_pair(_digest)
    )
    _headers: tuple[bytes, ...] = attrs.field(
        init=False, repr=False, eq=False, default=_of_each_pair(_header)
    )

    @property
    def challenge(self) -> str:
        """Give the ``WWW-Authenticate`` value that makes Bandwidth send its credentials."""
        realm = self.realm.replace("\\", "\\\\").replace('"', '\\"')
        return f'Basic realm="{realm}", charset="UTF-8"'

    def accepts(self, authorization: str | None) -> bool:
        """Tell whether an ``Authorization`` header value carries accepted credentials.

        A missing, malformed or non-Basic value is not accepted. Never raises.
        """
        # The header as clients write it takes one digest; any other spelling ("basic", extra
        # spaces) is decoded. Either way every pair is compared.
        if authorization is not None and _matches(_header_digest(authorization), self._headers):
            return True
        return _matches(_decode(authorization), self._digests)


def _matches(given: bytes, digests: tuple[bytes, ...]) -> bool:
    # Compared with every digest, wrong or not: no early exit.
    matched = False
    for digest in digests:
        matched |= hmac.compare_digest(given, digest)
    return matched


_NOTHING = _digest("", "")  # compared like any other, and never equal to a configured pair


def _decode(authorization: str | None) -> bytes:
    if authorization is None:
        return _NOTHING
    scheme, _, encoded = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        return _NOTHING
    try:
        decoded = b64decode(encoded.strip(), validate=True).decode()
    except ValueError:  # bad base64 (binascii.Error) or not UTF-8 (UnicodeDecodeError)
        return _NOTHING
    username, separator, password = decoded.partition(":")
    return _digest(username, password) if separator else _NOTHING
