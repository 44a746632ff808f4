"""Validate the raw text of every answer before any parser sees it.

Each validator takes the raw string and the name of where it came from (a flag or an
environment variable) and returns the normalised value or raises UsageError naming that source.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import unquote

from lineage_setup.errors import UsageError

DEFAULT_ENDPOINT = "api/v1/lineage"
# Marquez's NamespaceName pattern: the strictest known consumer.
_NAMESPACE_RE = re.compile(r"[A-Za-z0-9:;=/_\-.@+]{1,1024}")
_LABEL_RE = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
_PATH_RE = re.compile(r"[A-Za-z0-9._~%/+=:@,;-]*")
_KEY_FORBIDDEN = {"'": "a quote", '"': "a quote", "`": "a backquote", "$": "'$'", "\\": "a backslash"}
KEY_MIN, KEY_MAX = 8, 4096
_SCHEME_LIKE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")  # what urlsplit takes for a scheme
_PERCENT = re.compile(r"%(?:([0-9A-Fa-f]{2})|)")
_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]")


Check = Callable[[str], "bool | str"]  # an inline prompt check: True, or the error text
Parser = Callable[[str, str], "Url"]  # raw text and where it came from -> a URL (or UsageError)


class Url(NamedTuple):
    base: str  # scheme://host[:port], no path
    path: str  # without the leading slash; "" when none

    @property
    def insecure(self) -> bool:
        return self.base.startswith("http://")


def _fail(source: str, message: str) -> UsageError:
    return UsageError(f"{source}: {message}")


def _describe(ch: str) -> str:
    if ch.isspace():
        return "whitespace"
    if unicodedata.category(ch).startswith("C"):
        return f"a control character (U+{ord(ch):04X})"
    return repr(ch)


def _reject_space_and_controls(raw: str, source: str) -> None:
    for ch in raw:
        if ch.isspace() or unicodedata.category(ch).startswith("C"):
            raise _fail(source, f"{_describe(ch)} is not allowed")


def _host(raw: str, source: str) -> str:
    """A DNS host name: IDNA allowed, labels 1-63, total <= 253; returned lower-case ASCII."""
    host = raw[:-1] if raw.endswith(".") else raw
    if not host:
        raise _fail(source, "the host name is empty")
    if not host.isascii():
        import idna

        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError as exc:
            raise _fail(source, f"{raw!r} is not a valid international domain name ({exc})") from None
    host = host.lower()
    if len(host) > 253:
        raise _fail(source, f"the host name is {len(host)} characters long (at most 253)")
    labels = host.split(".")
    for label in labels:
        if not _LABEL_RE.fullmatch(label):
            raise _fail(
                source,
                f"{label!r} is not a valid host name label "
                "(1-63 letters, digits or '-', not starting or ending with '-')",
            )
        _check_punycode(label, raw, source)
    if labels[-1].isdigit():  # URL parsers read a host ending in a number as an IPv4 address
        raise _fail(source, f"{raw!r} is neither a host name nor a valid IPv4 address")
    return host


def _check_punycode(label: str, raw: str, source: str) -> None:
    """An xn-- label must decode, or the HTTP client refuses the host later."""
    if not label.startswith("xn--"):
        return
    import idna

    try:
        idna.decode(label)
    except (idna.IDNAError, UnicodeError):
        raise _fail(source, f"{raw!r} holds {label!r}, which is not valid punycode") from None


def domain(raw: str, source: str = "--domain") -> str:
    """An Astro base domain such as 'astronomer.io': a host name only."""
    value = raw.strip()
    if looks_like_key(value):  # checked first, and never echoed: it may be the key, pasted in the wrong place
        raise _fail(
            source,
            "that looks like an API key, not a domain (one long word of letters and digits, no dot); "
            "give the domain (e.g. astronomer.io) or the OpenLineage URL, and the key to --api-key-file",
        )
    if "://" in value:
        hint = value.split("://", 1)[1].split("/", 1)[0]
        raise _fail(
            source,
            f"expects a domain, not a URL; did you mean '{hint}', or --url {value}?",
        )
    _reject_space_and_controls(value, source)
    for ch, what in (("/", "a path"), (":", "a port"), ("@", "user info"), ("?", "a query"), ("#", "a fragment")):
        if ch in value:
            raise _fail(source, f"expects a host name only, without {what} ({ch!r} found)")
    if _is_ip(value):
        raise _fail(source, f"{value} is an IP address, not a domain; pass --url http(s)://{value} instead")
    return _host(value, source)


def looks_like_key(value: str) -> bool:
    """One label of 20 or more characters mixing letters and digits, without a dot: no domain looks so."""
    return (
        len(value) >= 20
        and "." not in value
        and any(ch.isalpha() for ch in value)
        and any(ch.isdigit() for ch in value)
    )


def is_loopback(url_or_host: str) -> bool:
    """localhost, 127.0.0.0/8 or ::1, as a host or as the host of a URL."""
    host = url_or_host.split("://", 1)[-1].split("/", 1)[0]
    host = host[1 : host.index("]")] if host.startswith("[") and "]" in host else host.rsplit(":", 1)[0]
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return False
    return True


def url(raw: str, source: str = "--url") -> Url:
    """An http(s) URL: scheme + host (+ port) (+ path); no user info, query or fragment."""
    value = raw.strip()
    _reject_space_and_controls(value, source)
    scheme, sep, rest = value.partition("://")
    if not sep:
        raise _fail(source, f"{value!r} has no scheme; did you mean https://{value} ?")
    scheme = scheme.lower()
    if scheme not in ("http", "https"):
        raise _fail(source, f"the scheme must be https (or http), not {scheme!r}")
    for ch, what in (("?", "a query"), ("#", "a fragment")):
        if ch in rest:
            raise _fail(source, f"must not contain {what} ({ch!r} found)")
    authority, _, path = rest.partition("/")
    if "@" in authority:
        raise _fail(source, "must not contain user info (user:password@); pass the key with --api-key-file")
    host, port = _split_port(authority, source)
    if not _PATH_RE.fullmatch(path):
        bad = next(ch for ch in path if not _PATH_RE.fullmatch(ch))
        raise _fail(source, f"{bad!r} is not allowed in the path")
    base = f"{scheme}://{host}" + (f":{port}" if port else "")
    return Url(base, _joinable(path.strip("/"), source) if path.strip("/") else "")


def _split_port(authority: str, source: str) -> tuple[str, str]:
    if authority.startswith("["):  # IPv6 literal
        end = authority.find("]")
        host, rest = authority[: end + 1], authority[end + 1 :]
        if end < 0 or not _is_ip(host):
            raise _fail(source, f"{authority!r} is not a valid IPv6 address")
        port = rest[1:] if rest.startswith(":") else rest
    else:
        host, _, port = authority.partition(":")
        if not host:
            raise _fail(source, "the host name is empty")
        host = host if _is_ip(host) else _host(host, source)
    if port and not (port.isdigit() and port.isascii() and 1 <= int(port) <= 65535):
        raise _fail(source, f"the port {port!r} is not a number from 1 to 65535")
    return host, port


def endpoint(raw: str, source: str = "--endpoint") -> str:
    value = raw.strip()
    _reject_space_and_controls(value, source)
    if "://" in value:
        raise _fail(source, "expects a path such as api/v1/lineage; put the host in --url")
    if not _PATH_RE.fullmatch(value) or not value.strip("/"):
        raise _fail(source, f"{value!r} is not a URL path such as api/v1/lineage")
    return _joinable(value.strip("/"), source)


def _joinable(path: str, source: str) -> str:
    problem = endpoint_problem(path)
    if problem is not None:
        raise _fail(
            source,
            f"the endpoint path {path!r} cannot be used: {problem} "
            "(the OpenLineage client posts to urljoin(url, path))",
        )
    return path


def endpoint_problem(endpoint: str) -> str | None:
    """Why the OpenLineage client would not post to url/endpoint (None: it would).

    The Python client posts to urljoin(url, endpoint) through requests. urljoin reads a first segment such as
    `proxy:8080` as a scheme, drops empty segments, resolves dot segments and splits `;parameters` off the
    last segment (dropping an empty one); requests re-quotes a stray '%' and decodes an escaped letter, digit
    or '-._~'.
    """
    if _SCHEME_LIKE.match(endpoint):
        scheme = endpoint.split(":", 1)[0]
        return f"its first segment reads as a URL scheme ({scheme!r}:); the client would post to {endpoint!r} alone"
    *segments, last = endpoint.split("/")
    name, semicolon, parameters = last.partition(";")  # urljoin splits these off the last segment only
    if semicolon and not parameters:
        return "its last segment ends in ';', which the client drops"
    if "" in segments or not (name or parameters):
        return "it holds an empty segment ('//'), which the client drops"
    dots = [s for s in (*segments, name) if s in (".", "..")]
    if dots:
        return f"it holds a {dots[0]!r} segment, which the client resolves away"
    return _percent_problem(endpoint)


def _percent_problem(endpoint: str) -> str | None:
    for match in _PERCENT.finditer(endpoint):
        code = match.group(1)
        if code is None:
            return "it holds a '%' that does not start an escape such as %2F; the client would re-quote it as %25"
        if _UNRESERVED.fullmatch(unquote(f"%{code}")):
            return f"%{code} stands for {unquote('%' + code)!r}, which the client sends unescaped; write that instead"
    return None


def namespace(raw: str, source: str = "--namespace") -> str:
    if not raw:
        raise _fail(source, "the namespace is empty")
    if len(raw) > 1024:
        raise _fail(source, f"the namespace is {len(raw)} characters long (at most 1024)")
    for ch in raw:
        if not _NAMESPACE_RE.fullmatch(ch):
            raise _fail(
                source,
                f"{_describe(ch)} is not allowed in a namespace (use letters, digits and : ; = / _ - . @ +)",
            )
    return raw


def api_key(raw: str, source: str = "--api-key") -> str:
    """The key trimmed of surrounding whitespace; never echoed in a message."""
    value = raw.strip()
    if not value:
        raise _fail(source, "the API key is empty")
    if value[:7].lower() == "bearer ":
        raise _fail(source, "paste the key without the 'Bearer ' prefix")
    for ch in value:
        if ch in _KEY_FORBIDDEN:
            raise _fail(source, f"the API key contains {_KEY_FORBIDDEN[ch]}; paste the bare key")
        if not ch.isascii():
            raise _fail(source, "the API key contains a non-ASCII character")
        if ch.isspace() or not ch.isprintable():
            raise _fail(source, f"the API key contains {_describe(ch)}")
    if not KEY_MIN <= len(value) <= KEY_MAX:
        length = f"{len(value)} character{'s' if len(value) != 1 else ''}"
        raise _fail(source, f"the API key is {length} long (expected {KEY_MIN} to {KEY_MAX})")
    return value


def as_prompt_check(validator: Callable[[str, str], object], source: str) -> Check:
    """Adapt a validator for an inline prompt check: True, or the error text."""

    def check(raw: str) -> bool | str:
        try:
            validator(raw, source)
        except UsageError as exc:
            return str(exc).removeprefix(f"{source}: ")
        return True

    return check
