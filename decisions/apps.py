from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = "Decisions"

    def ready(self) -> None:
        # The register's cached counts per committee are thrown away when a decision is
        # recorded or deleted (decisions.selectors.decision_register_counts,
        # core.list_cache; the meetings app connects what decides visibility).
        from django.db.models.signals import post_delete, post_save

        from core.list_cache import on_created_or_deleted

        from .models import Decision

        post_save.connect(
            on_created_or_deleted, sender=Decision, dispatch_uid="list-cache-save-decision"
        )
        post_delete.connect(
            on_created_or_deleted, sender=Decision, dispatch_uid="list-cache-delete-decision"
        )
