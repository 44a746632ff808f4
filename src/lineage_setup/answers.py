"""The connection answers, resolved once: flag > environment > prompt.

With no prompter (no terminal, CI set, or --no-input) a missing answer is a UsageError that
names the flag and the environment variable that would supply it.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from lineage_setup import redact, validate
from lineage_setup.errors import UnsafeTargetError, UsageError

ENV_URL = "OPENLINEAGE_URL"
ENV_KEY = "OPENLINEAGE_API_KEY"
ENV_NAMESPACE = "OPENLINEAGE_NAMESPACE"
ENV_ENDPOINT = "OPENLINEAGE_ENDPOINT"
ENV_DOMAIN = "LINEAGE_SETUP_DOMAIN"


@dataclass(frozen=True)
class Connection:
    url: str  # scheme://host[:port]
    endpoint: str  # path without a leading slash
    namespace: str
    api_key: str = field(repr=False)
    origin: Mapping[str, str] = field(default_factory=dict, compare=False)  # answer -> where from

    @property
    def lineage_url(self) -> str:
        return f"{self.url}/{self.endpoint}"

    @property
    def insecure(self) -> bool:
        return self.url.startswith("http://")


@dataclass(frozen=True)
class Flags:
    domain: str | None = None
    url: str | None = None
    endpoint: str | None = None
    api_key: str | None = field(default=None, repr=False)
    api_key_file: str | None = None
    namespace: str | None = None


class Prompter(Protocol):
    def text(self, message: str, *, default: str = "", validate: validate.Check) -> str: ...

    def secret(self, message: str, *, validate: validate.Check) -> str: ...

    def confirm(self, message: str, *, default: bool = False) -> bool: ...


SAVED = "saved settings"


def resolve(
    flags: Flags,
    env: Mapping[str, str],
    prompter: Prompter | None,
    namespace_default: str | None = None,
    saved: Mapping[str, str] | None = None,
) -> Connection:
    """Each answer from its flag, else its environment variable, else saved settings, else a prompt."""
    origin: dict[str, str] = {}
    saved = saved or {}
    for raw in (flags.api_key, flags.api_key_file, env.get(ENV_KEY)):  # masked in every message, even bad ones
        redact.register((raw or "").strip())
    base = _resolve_url(flags, env, prompter, origin, saved)
    api_key = _resolve_key(flags, env, prompter, origin)
    redact.register(api_key)
    namespace = _resolve_namespace(flags, env, prompter, namespace_default, origin)
    endpoint = _resolve_endpoint(flags, env, base, origin, saved)
    return Connection(base.base, endpoint, namespace, api_key, origin)


def _missing(what: str, flag: str, var: str) -> UsageError:
    return UsageError(f"missing {what}: pass {flag} or set {var} (no terminal to ask in)")


def _resolve_url(
    flags: Flags, env: Mapping[str, str], prompter: Prompter | None, origin: dict[str, str], saved: Mapping[str, str]
) -> validate.Url:
    candidates = (
        (flags.url, "--url", validate.url),
        (flags.domain, "--domain", _from_domain),
        (env.get(ENV_URL), ENV_URL, validate.url),
        (env.get(ENV_DOMAIN), ENV_DOMAIN, _from_domain),
        (saved.get("url"), SAVED, validate.url),
    )
    for raw, source, parse in candidates:
        if raw:
            origin["url"] = source
            return parse(raw, source)
    if prompter is None:
        raise _missing("the OpenLineage endpoint", "--domain (or --url)", f"{ENV_DOMAIN} (or {ENV_URL})")
    origin["url"] = "prompt"
    answer = prompter.text(
        "OpenLineage URL (Astro shows it in your Organization settings, https://cloud.<domain>/settings), "
        "or your Astro base domain (e.g. astronomer.io)",
        validate=validate.as_prompt_check(_domain_or_url, "answer"),
    )
    return _domain_or_url(answer, "answer")


def _from_domain(raw: str, source: str) -> validate.Url:
    return validate.Url(f"https://api.{validate.domain(raw, source)}", "")


def _domain_or_url(raw: str, source: str) -> validate.Url:
    return validate.url(raw, source) if "://" in raw else _from_domain(raw, source)


def _resolve_key(flags: Flags, env: Mapping[str, str], prompter: Prompter | None, origin: dict[str, str]) -> str:
    if flags.api_key and flags.api_key_file:
        raise UsageError("pass the API key once: --api-key or --api-key-file, not both")
    if flags.api_key:
        origin["api_key"] = "--api-key"
        return validate.api_key(flags.api_key, "--api-key")
    if flags.api_key_file:
        origin["api_key"] = "--api-key-file"
        return validate.api_key(_read_key_file(flags.api_key_file), "--api-key-file")
    if env.get(ENV_KEY):
        origin["api_key"] = ENV_KEY
        return validate.api_key(env[ENV_KEY], ENV_KEY)
    if prompter is None:
        raise _missing("the API key", "--api-key-file (or --api-key)", ENV_KEY)
    origin["api_key"] = "prompt"
    answer = prompter.secret(
        "OpenLineage API key (input hidden)",
        validate=validate.as_prompt_check(validate.api_key, "answer"),
    )
    return validate.api_key(answer, "answer")


def _read_key_file(name: str) -> str:
    """The file's text. Its name is never echoed: a key pasted where the path belongs would be shown."""
    from lineage_setup import fs

    if name == "-":
        return sys.stdin.read()
    try:
        data = fs.read_regular(Path(name).expanduser(), limit=validate.KEY_MAX * 4)
    except UnsafeTargetError as exc:
        reason = str(exc).rsplit("(", 1)[-1].rstrip(")") if "(" in str(exc) else "not a readable file"
        raise UsageError(f"--api-key-file: cannot read the file it names ({reason}){_KEY_FILE_HINT}") from None
    if data is None:
        raise UsageError(f"--api-key-file: the file it names does not exist{_KEY_FILE_HINT}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError("--api-key-file: the file it names is not UTF-8 text") from None


_KEY_FILE_HINT = (
    " (the path is not shown, in case it is the key itself: pass the key with --api-key-file - on stdin, "
    "or in OPENLINEAGE_API_KEY)"
)


def _resolve_namespace(
    flags: Flags,
    env: Mapping[str, str],
    prompter: Prompter | None,
    default: str | None,
    origin: dict[str, str],
) -> str:
    for raw, source in ((flags.namespace, "--namespace"), (env.get(ENV_NAMESPACE), ENV_NAMESPACE)):
        if raw is not None and raw != "":
            origin["namespace"] = source
            return validate.namespace(raw, source)
    if prompter is None:
        raise _missing("the namespace", "--namespace", ENV_NAMESPACE)
    origin["namespace"] = "prompt"
    answer = prompter.text(
        "Namespace for these jobs (e.g. dbt-prod)",
        default=default or "",
        validate=validate.as_prompt_check(validate.namespace, "answer"),
    )
    return validate.namespace(answer, "answer")


def _resolve_endpoint(
    flags: Flags, env: Mapping[str, str], base: validate.Url, origin: dict[str, str], saved: Mapping[str, str]
) -> str:
    if flags.endpoint:
        if base.path:
            raise UsageError(f"the URL already has a path (/{base.path}) and --endpoint was given; pass one of them")
        origin["endpoint"] = "--endpoint"
        return validate.endpoint(flags.endpoint, "--endpoint")
    if base.path:
        origin["endpoint"] = "URL path"
        return base.path
    if env.get(ENV_ENDPOINT):
        origin["endpoint"] = ENV_ENDPOINT
        return validate.endpoint(env[ENV_ENDPOINT], ENV_ENDPOINT)
    if origin["url"] == SAVED and saved.get("endpoint"):  # it belongs to the saved URL only
        origin["endpoint"] = SAVED
        return validate.endpoint(saved["endpoint"], SAVED)
    origin["endpoint"] = "default"
    return validate.DEFAULT_ENDPOINT
