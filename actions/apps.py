from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = "Actions"

    def ready(self) -> None:
        # The register's cached choices and total are thrown away when what they are made
        # of changes (actions.register_cache).
        from django.db.models.signals import post_delete, post_save

        from meetings.models import (
            Committee,
            Meeting,
            MeetingParticipant,
            Membership,
            Organisation,
            Person,
        )

        from .models import Action, ActionOwner
        from .register_cache import on_write

        for model in (
            Action,
            ActionOwner,
            Committee,
            Meeting,
            MeetingParticipant,
            Membership,
            Organisation,
            Person,
        ):
            post_save.connect(on_write, sender=model, dispatch_uid=f"register-cache-save-{model}")
            post_delete.connect(
                on_write, sender=model, dispatch_uid=f"register-cache-delete-{model}"
            )
