"""The connection answers, resolved once: flag > environment > prompt.

With no prompter (no terminal, CI set, or --no-input) a missing answer is a UsageError that
names the flag and the environment variable that would supply it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from lineage_setup import backends, keyfile, redact, validate
from lineage_setup.errors import UsageError

ENV_URL = "OPENLINEAGE_URL"
ENV_KEY = "OPENLINEAGE_API_KEY"
ENV_NAMESPACE = "OPENLINEAGE_NAMESPACE"
ENV_ENDPOINT = "OPENLINEAGE_ENDPOINT"
ENV_DOMAIN = "LINEAGE_SETUP_DOMAIN"
ENV_BACKEND = "LINEAGE_SETUP_BACKEND"


@dataclass(frozen=True)
class Connection:
    url: str  # scheme://host[:port]
    endpoint: str  # path without a leading slash
    namespace: str
    api_key: str = field(repr=False)
    origin: Mapping[str, str] = field(default_factory=dict, compare=False)  # answer -> where from
    backend: str = "custom"  # a backends.PRESETS name
    domain_source: str = field(default="", compare=False)  # the URL was built from a domain given here ("": whole)

    @property
    def preset(self) -> backends.Preset:
        return backends.get(self.backend)

    @property
    def keyless(self) -> bool:
        """No key to send (a backend without auth, such as Marquez): configs carry no auth section."""
        return not self.api_key

    @property
    def lineage_url(self) -> str:
        return f"{self.url}/{self.endpoint}"

    @property
    def insecure(self) -> bool:
        """Plain http to another machine (a loopback receiver is not one)."""
        return self.url.startswith("http://") and not validate.is_loopback(self.url)


@dataclass(frozen=True)
class Flags:
    domain: str | None = None
    url: str | None = None
    endpoint: str | None = None
    api_key: str | None = field(default=None, repr=False)
    api_key_file: str | None = None
    namespace: str | None = None
    backend: str | None = None


class Prompter(Protocol):
    def text(self, message: str, *, default: str = "", validate: validate.Check) -> str: ...

    def secret(self, message: str, *, validate: validate.Check) -> str: ...

    def confirm(self, message: str, *, default: bool = False) -> bool: ...

    def choose(self, message: str, choices: Sequence[tuple[str, str]], *, default: str) -> str:
        """One of the choices' values (each choice: value, title)."""

    def choose_many(self, message: str, choices: Sequence[tuple[str, str, bool]]) -> list[str]:
        """The values ticked in a checkbox list (each choice: value, title, ticked at first)."""


SAVED = "saved settings"


def resolve(
    flags: Flags,
    env: Mapping[str, str],
    prompter: Prompter | None,
    namespace_default: str | None = None,
    saved: Mapping[str, str] | None = None,
    *,
    namespace_required: bool = True,
) -> Connection:
    """Each answer from its flag, else its environment variable, else saved settings, else a prompt.

    Without a prompter every missing answer is reported in one message. namespace_required=False: a
    namespace nobody gave is "" (the wizard asks one per project).
    """
    origin: dict[str, str] = {}
    saved = saved or {}
    for raw in (flags.api_key, flags.api_key_file, env.get(ENV_KEY)):  # masked in every message, even bad ones
        redact.register((raw or "").strip())
    missing: list[_Missing] = []
    preset = _resolve_backend(flags, env, prompter, origin, saved)
    resolved = _collect(missing, lambda: _resolve_url(flags, env, prompter, origin, saved, preset))
    api_key = _collect(missing, lambda: _resolve_key(flags, env, prompter, origin, preset))
    redact.register(api_key)
    ask = prompter if namespace_required else None
    namespace = _collect(missing, lambda: _resolve_namespace(flags, env, ask, namespace_default, origin, preset))
    if missing and (namespace_required or len(missing) > 1 or missing[0].what != "the namespace"):
        raise _all_missing([m for m in missing if namespace_required or m.what != "the namespace"])
    assert resolved is not None and api_key is not None
    base, domain_source = resolved
    endpoint = _resolve_endpoint(flags, env, base, origin, saved, preset)
    return Connection(base.base, endpoint, namespace or "", api_key, origin, preset.name, domain_source)


def given_lineage_url(flags: Flags, env: Mapping[str, str], saved: Mapping[str, str]) -> str | None:
    """Where events will go by flags, environment variables and saved settings alone (nothing asked, no key
    read or registered); None when a question must decide it, or a value is bad (reported when resolved)."""
    origin: dict[str, str] = {}
    try:
        preset = _resolve_backend(flags, env, None, origin, saved)
        base, _ = _resolve_url(flags, env, None, origin, saved, preset)
        endpoint = _resolve_endpoint(flags, env, base, origin, saved, preset)
    except UsageError:
        return None
    return f"{base.base}/{endpoint}"


T = TypeVar("T")


class _Missing(UsageError):
    def __init__(self, what: str, flag: str, var: str) -> None:
        super().__init__(f"missing {what}: pass {flag} or set {var} (no terminal to ask in)")
        self.what, self.flag, self.var = what, flag, var


def _collect(missing: list[_Missing], resolve_one: Callable[[], T]) -> T | None:
    try:
        return resolve_one()
    except _Missing as exc:
        missing.append(exc)
        return None


def _all_missing(missing: list[_Missing]) -> UsageError:
    if len(missing) == 1:
        return missing[0]
    told = "; ".join(f"{m.what}: pass {m.flag} or set {m.var}" for m in missing)
    return UsageError(f"missing answers (no terminal to ask in): {told}")


def _missing(what: str, flag: str, var: str) -> _Missing:
    return _Missing(what, flag, var)


def _resolve_backend(
    flags: Flags, env: Mapping[str, str], prompter: Prompter | None, origin: dict[str, str], saved: Mapping[str, str]
) -> backends.Preset:
    """--backend, else LINEAGE_SETUP_BACKEND; else what the endpoint says (a domain: Astro; a URL: any backend);
    else the saved one; else asked (a list); else custom."""
    for raw, source in ((flags.backend, "--backend"), (env.get(ENV_BACKEND), ENV_BACKEND)):
        if raw:
            origin["backend"] = source
            return _preset(raw, source)
    if flags.domain or env.get(ENV_DOMAIN) or flags.url or env.get(ENV_URL):
        origin["backend"] = "implied by the endpoint"
        return backends.get("astro" if flags.domain or (env.get(ENV_DOMAIN) and not flags.url) else "custom")
    if saved.get("url") and prompter is None:
        origin["backend"] = SAVED
        return _preset(saved.get("backend", "custom"), SAVED)
    if prompter is None:
        return backends.get("custom")
    origin["backend"] = "prompt"
    choices = [(p.name, f"{p.title}  ({p.name})") for p in backends.PRESETS.values()]
    return backends.get(prompter.choose("Where should lineage go?", choices, default=saved.get("backend", "astro")))


def _preset(raw: str, source: str) -> backends.Preset:
    if raw not in backends.PRESETS:
        raise UsageError(f"{source}: {raw!r} is not one of {', '.join(backends.NAMES)}")
    return backends.get(raw)


def _resolve_url(
    flags: Flags,
    env: Mapping[str, str],
    prompter: Prompter | None,
    origin: dict[str, str],
    saved: Mapping[str, str],
    preset: backends.Preset,
) -> tuple[validate.Url, str]:
    """The URL, and where the domain it was built from came from ("" for a URL given whole)."""
    candidates = (
        (flags.url, "--url", False),
        (flags.domain, "--domain", True),
        (env.get(ENV_URL), ENV_URL, False),
        (env.get(ENV_DOMAIN), ENV_DOMAIN, True),
    )
    for raw, source, is_domain in candidates:
        if raw:
            origin["url"] = source
            return (_domain_parser(preset)(raw, source), source) if is_domain else (validate.url(raw, source), "")
    if prompter is None:
        if saved.get("url"):
            origin["url"] = SAVED
            return validate.url(saved["url"], SAVED), ""
        raise _missing("the OpenLineage endpoint", "--domain (or --url)", f"{ENV_DOMAIN} (or {ENV_URL})")
    default = saved.get("url", "")  # shown and editable, never a skipped question
    answer = prompter.text(_url_question(preset), default=default, validate=_url_check(preset))
    origin["url"] = SAVED if default and answer.strip() == default else "prompt"
    built = origin["url"] == "prompt" and "://" not in answer
    return _domain_or_url(answer, "answer", preset), "prompt" if built else ""


def _url_question(preset: backends.Preset) -> str:
    if preset.name == "astro":
        return (
            "OpenLineage URL (Astro shows it in your Organization settings, https://cloud.<domain>/settings), "
            "or your Astro base domain (e.g. astronomer.io)"
        )
    if preset.name == "datadog":
        return "Datadog site (e.g. datadoghq.com, datadoghq.eu), or the intake URL"
    if preset.name == "atlan":
        return "Atlan tenant (e.g. mycompany.atlan.com), or its URL"
    return f"{preset.title} URL ({preset.url_form})"


def _domain_parser(preset: backends.Preset) -> validate.Parser:
    def parse(raw: str, source: str) -> validate.Url:
        if preset.domain_url is None:
            raise UsageError(
                f"{source}: a domain names an Astro, Datadog or Atlan endpoint; for {preset.title} pass the full URL "
                "with --url (or OPENLINEAGE_URL)"
            )
        return validate.Url(preset.domain_url.format(domain=validate.domain(raw, source)), "")

    return parse


def _domain_or_url(raw: str, source: str, preset: backends.Preset) -> validate.Url:
    return validate.url(raw, source) if "://" in raw else _domain_parser(preset)(raw, source)


def _url_check(preset: backends.Preset) -> validate.Check:
    return validate.as_prompt_check(lambda raw, source: _domain_or_url(raw, source, preset), "answer")


def _resolve_key(
    flags: Flags, env: Mapping[str, str], prompter: Prompter | None, origin: dict[str, str], preset: backends.Preset
) -> str:
    """The key; "" for a backend that takes none (Marquez) when none is given: configs then carry no auth."""
    if flags.api_key and flags.api_key_file:
        raise UsageError("pass the API key once: --api-key or --api-key-file, not both")
    if flags.api_key:
        origin["api_key"] = "--api-key"
        return validate.api_key(flags.api_key, "--api-key")
    if flags.api_key_file:
        origin["api_key"] = "--api-key-file"
        return validate.api_key(keyfile.read(flags.api_key_file), "--api-key-file")
    if env.get(ENV_KEY):
        origin["api_key"] = ENV_KEY
        return validate.api_key(env[ENV_KEY], ENV_KEY)
    if preset.auth == "none":
        origin["api_key"] = f"none: {preset.title} takes no key"
        return ""
    if prompter is None:
        raise _missing("the API key", "--api-key-file (or --api-key)", ENV_KEY)
    origin["api_key"] = "prompt"
    answer = prompter.secret(
        "OpenLineage API key (input hidden)",
        validate=validate.as_prompt_check(validate.api_key, "answer"),
    )
    return validate.api_key(answer, "answer")


def _resolve_namespace(
    flags: Flags,
    env: Mapping[str, str],
    prompter: Prompter | None,
    default: str | None,
    origin: dict[str, str],
    preset: backends.Preset,
) -> str:
    for raw, source in ((flags.namespace, "--namespace"), (env.get(ENV_NAMESPACE), ENV_NAMESPACE)):
        if raw is not None and raw != "":
            origin["namespace"] = source
            return validate.namespace(raw, source)
    if prompter is None:
        raise _missing("the namespace", "--namespace", ENV_NAMESPACE)
    origin["namespace"] = "prompt"
    hint = f": {preset.namespace_hint}" if preset.namespace_hint else " (e.g. dbt-prod)"
    answer = prompter.text(
        f"Namespace for these jobs{hint}",
        default=default or "",
        validate=validate.as_prompt_check(validate.namespace, "answer"),
    )
    return validate.namespace(answer, "answer")


def _resolve_endpoint(
    flags: Flags,
    env: Mapping[str, str],
    base: validate.Url,
    origin: dict[str, str],
    saved: Mapping[str, str],
    preset: backends.Preset,
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
    origin["endpoint"] = "default" if preset.name == "custom" else f"--backend {preset.name}"
    return preset.endpoint
