"""Sections other apps add to a person's daily reminder email, without the composer
importing them.

An app above the composer (notifications) registers a provider in its ``AppConfig.ready``;
the reminders' email calls :func:`digest_sections` for each person it writes to. A provider
only reads: a dry run writes its emails too.
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


DigestSectionProvider = Callable[..., list[DigestSection]]

_PROVIDERS: list[DigestSectionProvider] = []


def digest_section_provider_register(provider: DigestSectionProvider) -> None:
    """Add ``provider(*, person_id, today)`` (once; registering again is a no-op)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def digest_sections(*, person_id: int, today: dt.date) -> list[DigestSection]:
    """Every registered provider's sections for one person's email, in registration order."""
    return [
        section for provider in _PROVIDERS for section in provider(person_id=person_id, today=today)
    ]
