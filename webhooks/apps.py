from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Webhooks: endpoints the PMO registers, and the record events delivered to them (signed
    JSON, through Celery, with retries and a delivery log). Above the record apps: it hears
    ``core.events.record_event`` and nothing below imports it."""

    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from webhooks import receivers  # noqa: F401  (connects the record_event receiver)
