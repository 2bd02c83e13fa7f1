from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The kernel: refs, roles and visibility, service helpers, the view/form/admin kit, the
    API plumbing and the PDF fetcher. It imports no app of the project."""

    name = "core"
    verbose_name = "Kernel"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        user_logged_out.connect(_say_signed_out, dispatch_uid="meetings-signed-out")


def _say_signed_out(sender: object, request: object = None, **kwargs: object) -> None:
    """Tell the person on the login page that they were signed out (the message outlives
    the session, which logout flushes, in the messages cookie)."""
    from django.contrib import messages

    if request is not None and hasattr(request, "_messages"):
        messages.info(request, "You have been signed out.")
