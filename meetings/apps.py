from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Committees and meetings"

    def ready(self) -> None:
        # The records' lists keep figures that depend on who sees which meeting and on
        # names (core.list_cache): any write of these throws them away.
        from django.db.models.signals import post_delete, post_save

        from core.list_cache import on_any_write

        from .models import (
            Committee,
            Meeting,
            MeetingParticipant,
            Membership,
            Organisation,
            Person,
        )

        for model in (Committee, Meeting, MeetingParticipant, Membership, Organisation, Person):
            post_save.connect(on_any_write, sender=model, dispatch_uid=f"list-cache-save-{model}")
            post_delete.connect(
                on_any_write, sender=model, dispatch_uid=f"list-cache-delete-{model}"
            )
