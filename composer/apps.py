from django.apps import AppConfig


class ComposerConfig(AppConfig):
    """What reads or writes across records: the meeting page, home, reviews, the headline
    report (data, render, storage, import), reminders. Above the record apps; nothing below
    imports it."""

    name = "composer"
    verbose_name = "Meeting pages, reports and reminders"

    def ready(self) -> None:
        # The search index follows every save and delete of the kinds it finds.
        from django.db.models.signals import post_migrate

        from composer.search import kinds  # noqa: F401 - registers the kinds
        from composer.search.index import search_index_connect, search_index_fill_if_empty

        search_index_connect()
        # The pack's "Since the last meeting" section: meetings may not import the composer.
        from composer.since_last_pack import SINCE_LAST_SECTION
        from meetings.pack import pack_section_register

        pack_section_register(SINCE_LAST_SECTION)
        post_migrate.connect(
            search_index_fill_if_empty, sender=self, dispatch_uid="search-index-fill"
        )
