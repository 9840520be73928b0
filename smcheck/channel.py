"""Which channel a record or a draft is about, and when two of them name the same one.

A channel is named by the checklist's ``name_from`` answers (platform and handle) and by its web
address. People write one channel many ways: ``@essexhistory``, ``Essexhistory`` and `` essexhistory ``
on one platform are one account, and so are ``https://www.instagram.com/essexhistory/`` and
``https://Instagram.com/essexhistory?hl=en``. So every file is given *keys*, compared as sets: two files
that share a key are about one channel. ``verify`` (its repeated-channel warning), the register
(``status`` and verify's folder report) and ``diff`` all ask :func:`channel_of`, so none of them can be
fooled by a spelling another sees through.

- A handle (a text answer of ``name_from``) is compared without surrounding spaces, without regard to
  case, and without the prefix the checklist's ``normalize`` data adds (``@``), whether or not the
  prefix applies to that platform: the checklist's current version says what the prefix is, so records
  made against an archived version that had no ``normalize`` compare alike.
- A web address (a ``url`` question in the same section as the ``name_from`` questions: the channel's
  own address) is compared by its host (any case, without ``www.``) and its path (without a trailing
  slash); scheme, port, query and fragment are ignored, except an ``id`` parameter, which is how some
  platforms name an account (``facebook.com/profile.php?id=...``). An address with no path names a
  site, not a channel, and gives no key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from smcheck.checklist import Checklist, QType, format_value


class Channel(NamedTuple):
    """The channel a file is about: as its answers write it, and the keys it is known by."""

    shown: str
    """The ``name_from`` answers as given, joined by spaces (``instagram @essexhistory``)."""
    keys: tuple[str, ...]
    """Its identities: ``name ...`` (platform and handle, normalised) when every ``name_from`` question
    is answered, and ``url ...`` for its web address. Two files that share one are one channel."""


def channel_of(
    checklist: Checklist | None,
    answers: Mapping[str, object],
    *,
    current: Checklist | None = None,
) -> Channel | None:
    """The channel ``answers`` (of a record or a draft) name under ``checklist``, or None when the
    checklist names none or nothing naming it is answered. ``current`` is the checklist's current
    version, when ``checklist`` is an archived one: its ``normalize`` prefixes count too."""
    if checklist is None or not checklist.name_from:
        return None
    given = [q for q in checklist.name_from if answers.get(q) is not None]
    if not given:
        return None
    shown = " ".join(str(answers[q]) for q in given)
    keys: list[str] = []
    if len(given) == len(checklist.name_from):
        parts = [_fold(_prefixes(q, checklist, current), answers[q]) for q in given]
        keys.append("name " + "\x1f".join(parts))
    sections = {
        question.section
        for q in checklist.name_from
        if (question := checklist.question(q)) is not None
    }
    for section in checklist.sections:
        if section.id not in sections:
            continue
        for question in section.questions:
            value = answers.get(question.id)
            if question.type is QType.URL and isinstance(value, str):
                key = url_key(value)
                if key is not None:
                    keys.append("url " + key)
    return Channel(shown, tuple(keys))


def same_channel(one: Channel | None, other: Channel | None) -> bool:
    """Whether two files are about one channel: they share a key (two that name no channel at all
    cannot be told apart, and count as one)."""
    if one is None or other is None:
        return one is None and other is None
    return not set(one.keys).isdisjoint(other.keys)


def _prefixes(qid: str, *checklists: Checklist | None) -> tuple[str, ...]:
    found = []
    for checklist in checklists:
        question = checklist.question(qid) if checklist is not None else None
        if question is not None and question.validate.prefix:
            found.append(question.validate.prefix.casefold())
    return tuple(found)


def _fold(prefixes: tuple[str, ...], value: object) -> str:
    """An answer as it is compared: without surrounding spaces or case, and without its prefix."""
    text = (value if isinstance(value, str) else format_value(value)).strip().casefold()
    for prefix in prefixes:
        if text.startswith(prefix):
            return text[len(prefix) :].strip()
    return text


def url_key(url: str) -> str | None:
    """A web address as it is compared (``instagram.com/essexhistory``), or None when it names no
    channel (no host, or no path) or cannot be read as an address."""
    from urllib.parse import parse_qs, urlsplit

    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return None
    host = host.removeprefix("www.")
    path = parts.path.rstrip("/")
    if not host or not path:
        return None
    ids = parse_qs(parts.query).get("id")
    return f"{host}{path}" + (f"?id={ids[0]}" if ids else "")


__all__ = ["Channel", "channel_of", "same_channel", "url_key"]
