from django.apps import AppConfig


class ComposerConfig(AppConfig):
    """What reads or writes across records: the meeting page, home, reviews, the headline
    report (data, render, storage, import), reminders. Above the record apps; nothing below
    imports it."""

    name = "composer"
    verbose_name = "Meeting pages, reports and reminders"
