from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Event notifications (in the app and by email, batched per person), preferences and
    the escalation of overdue actions. Above the composer: it hears the record apps'
    ``core.events.record_event`` and adds its section to the reminders' daily digest through
    ``composer.digest_sections``; nothing below imports it."""

    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Imported here: the receivers and the digest provider need the models loaded.
        from composer.digest_sections import digest_section_provider_register
        from core.events import record_event
        from notifications import digest, receivers

        record_event.connect(receivers.on_record_event, dispatch_uid="notifications")
        digest_section_provider_register(digest.digest_sections_for)
