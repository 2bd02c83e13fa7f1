from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = "Actions"

    def ready(self) -> None:
        # The register's cached choices and total are thrown away when what they are made
        # of changes (actions.register_cache, core.list_cache; the meetings app connects
        # its own models).
        from django.db.models.signals import post_delete, post_save

        from core.list_cache import on_any_write, on_created_or_deleted

        from .models import Action, ActionOwner

        for model, receiver in ((Action, on_created_or_deleted), (ActionOwner, on_any_write)):
            post_save.connect(receiver, sender=model, dispatch_uid=f"list-cache-save-{model}")
            post_delete.connect(receiver, sender=model, dispatch_uid=f"list-cache-delete-{model}")
