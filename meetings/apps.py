from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Committees and meetings"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        user_logged_out.connect(_say_signed_out, dispatch_uid="meetings-signed-out")


def _say_signed_out(sender: object, request: object = None, **kwargs: object) -> None:
    """Tell the person on the login page that they were signed out (the message outlives
    the session, which logout flushes, in the messages cookie)."""
    from django.contrib import messages

    if request is not None and hasattr(request, "_messages"):
        messages.info(request, "You have been signed out.")
