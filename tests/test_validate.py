from __future__ import annotations

import pytest

from lineage_setup import validate
from lineage_setup.errors import UsageError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("astronomer.io", "astronomer.io"),
        ("  Astronomer.IO  ", "astronomer.io"),
        ("astronomer.io.", "astronomer.io"),
        ("a-b.example.co.uk", "a-b.example.co.uk"),
        ("ドメイン.テスト", "xn--eckwd4c7c.xn--zckzah"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("a" * 63 + ".io", "a" * 63 + ".io"),
    ],
)
def test_domain_good(raw: str, expected: str) -> None:
    assert validate.domain(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("https://astronomer.io/x", "did you mean 'astronomer.io'"),
        ("astronomer.io/path", "without a path"),
        ("astronomer.io:443", "without a port"),
        ("user@astronomer.io", "without user info"),
        ("exa mple.com", "whitespace"),
        ("astro\tnomer.io", "whitespace"),
        ("astro\x00nomer.io", "control character"),
        ("-bad.com", "not a valid host name label"),
        ("bad-.com", "not a valid host name label"),
        ("a" * 64 + ".io", "not a valid host name label"),
        (".".join(["abcdefghij"] * 24), "at most 253"),
        ("under_score.io", "not a valid host name label"),
        ("", "empty"),
        ("10.0.0.1", "IP address"),
        ("a..b", "not a valid host name label"),
    ],
)
def test_domain_bad(raw: str, message: str) -> None:
    with pytest.raises(UsageError, match=r"^--domain: ") as info:
        validate.domain(raw)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("raw", "base", "path"),
    [
        ("https://lineage.example.com", "https://lineage.example.com", ""),
        ("https://lineage.example.com/", "https://lineage.example.com", ""),
        ("HTTPS://Lineage.Example.com:8443", "https://lineage.example.com:8443", ""),
        ("http://127.0.0.1:5000", "http://127.0.0.1:5000", ""),
        ("http://[::1]:5000/api/v1/lineage", "http://[::1]:5000", "api/v1/lineage"),
        ("https://h.example/custom/api/v1/lineage/", "https://h.example", "custom/api/v1/lineage"),
        ("http://localhost:5000", "http://localhost:5000", ""),
    ],
)
def test_url_good(raw: str, base: str, path: str) -> None:
    assert validate.url(raw) == (base, path)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("lineage.example.com", "has no scheme"),
        ("127.0.0.1:5000", "has no scheme"),
        ("ftp://h.example", "scheme must be https"),
        ("https://user:pw@h.example", "user info"),
        ("https://h.example/?a=1", "a query"),
        ("https://h.example/#x", "a fragment"),
        ("https://h.example:0", "port"),
        ("https://h.example:99999", "port"),
        ("https://h.example:ab", "port"),
        ("https://exa mple.com", "whitespace"),
        ("https://h.example/a\nb", "whitespace"),
        ("https://", "empty"),
        ("https://h.example/a'b", "not allowed in the path"),
        ("https://[zz]:80", "IPv6"),
    ],
)
def test_url_bad(raw: str, message: str) -> None:
    with pytest.raises(UsageError, match=r"^--url: ") as info:
        validate.url(raw)
    assert message in str(info.value)


@pytest.mark.parametrize(
    "raw", ["dev", "s3://bucket", "bigquery:", "databricks+connector://h", "@", "a;b=c", "x" * 1024]
)
def test_namespace_good(raw: str) -> None:
    assert validate.namespace(raw) == raw


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "empty"),
        ("x" * 1025, "at most 1024"),
        ("dev!", "'!'"),
        ("🙂", "'🙂'"),
        (" dev", "whitespace"),
        ("dev\n", "whitespace"),
    ],
)
def test_namespace_bad(raw: str, message: str) -> None:
    with pytest.raises(UsageError, match=r"^--namespace: ") as info:
        validate.namespace(raw)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("olk_abcdef123", "olk_abcdef123"),
        ("  olk_abcdef123\r\n", "olk_abcdef123"),
        ("a.b-c_d+e/f=g#h", "a.b-c_d+e/f=g#h"),
    ],
)
def test_key_good(raw: str, expected: str) -> None:
    assert validate.api_key(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("Bearer olk_abcdef123", "'Bearer ' prefix"),
        ("bearer olk_abcdef123", "'Bearer ' prefix"),
        ("olk_abc def123", "whitespace"),
        ("olk_abc\tdef123", "whitespace"),
        ("olk_abc\x07def123", "control character"),
        ("'olk_abcdef123'", "quote"),
        ('"olk_abcdef123"', "quote"),
        ("olk_abc$def123", "'$'"),
        ("olk_abc\\def123", "backslash"),
        ("olk_abcdéf123", "non-ASCII"),
        ("short", "5 characters long"),
        ("k" * 4097, "4097 characters long"),
    ],
)
def test_key_bad(raw: str, message: str) -> None:
    with pytest.raises(UsageError, match=r"^--api-key: ") as info:
        validate.api_key(raw)
    assert message in str(info.value)
    if len(raw) > 8:
        assert raw.strip() not in str(info.value)  # the key is never echoed


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("api/v1/lineage", "api/v1/lineage"), ("/api/v1/lineage", "api/v1/lineage"), ("v2/events/", "v2/events")],
)
def test_endpoint_good(raw: str, expected: str) -> None:
    assert validate.endpoint(raw) == expected


@pytest.mark.parametrize("raw", ["", "/", "https://h/api", "a b", "a?b"])
def test_endpoint_bad(raw: str) -> None:
    with pytest.raises(UsageError, match=r"^--endpoint: "):
        validate.endpoint(raw)


def test_prompt_check_returns_message_without_source() -> None:
    check = validate.as_prompt_check(validate.namespace, "answer")
    assert check("dev") is True
    assert check("dev!") == "'!' is not allowed in a namespace (use letters, digits and : ; = / _ - . @ +)"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("http://999.1.1.1", "neither a host name nor a valid IPv4 address"),
        ("http://1.2.3.04:1", "neither a host name nor a valid IPv4 address"),
        ("https://h.example.123", "neither a host name nor a valid IPv4 address"),
        ("https://xn--zz.example", "not valid punycode"),
    ],
)
def test_url_hosts_an_http_client_would_refuse(raw: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        validate.url(raw)


@pytest.mark.parametrize(
    "pasted", ["olkA1b2C3d4E5f6G7h8I9j0", "0123456789abcdefghijKLMN", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"]
)
def test_a_key_pasted_as_the_domain_is_refused_unechoed(pasted: str) -> None:
    with pytest.raises(UsageError, match="looks like an API key") as info:
        validate.domain(pasted)
    assert pasted not in str(info.value)


@pytest.mark.parametrize("domain", ["astronomer.io", "my-company-astro-domain.io", "localhost1234567890abc.dev"])
def test_real_domains_are_not_taken_for_keys(domain: str) -> None:
    assert validate.domain(domain) == domain
