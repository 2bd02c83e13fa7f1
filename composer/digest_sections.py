"""Sections other apps add to a person's daily reminder email, without the composer
importing them.

An app above the composer (notifications) registers a provider in its ``AppConfig.ready``:
``provider(*, person_ids, today)`` returns the sections of each of those people who has
any. The reminders' email asks once per run for the run's people (a fixed number of queries
per run, none per person) and lists each person's sections in their email. A provider only
reads: a dry run writes its emails too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DigestLine:
    """One line of a section: a record's ref, what it says, and its absolute link."""

    ref: str
    text: str
    url: str


@dataclass(frozen=True)
class DigestSection:
    title: str
    lines: list[DigestLine] = field(default_factory=list)


DigestSectionProvider = Callable[..., dict[int, list[DigestSection]]]

_PROVIDERS: list[DigestSectionProvider] = []


def digest_section_provider_register(provider: DigestSectionProvider) -> None:
    """Add ``provider(*, person_ids, today)`` (once; registering again is a no-op)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def digest_sections(*, person_ids: list[int], today: dt.date) -> dict[int, list[DigestSection]]:
    """Every registered provider's sections, by person, in registration order."""
    sections: dict[int, list[DigestSection]] = {}
    for provider in _PROVIDERS:
        for person_id, found in provider(person_ids=person_ids, today=today).items():
            sections.setdefault(person_id, []).extend(found)
    return sections
