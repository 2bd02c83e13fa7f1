"""The page a reminder email's one-click link opens (``/act/<token>/``, composer.email_links).

GET shows what the link will do and a short form; POST does it. Neither needs a login: the
signed token names the person, the action and the one thing it may do. A tampered link is
refused (400), an expired or used one says so (410), one that no longer applies (the action
closed, the person no longer its owner) says why (403). Counted per client address against
the ``email_link`` rate (core.ratelimit).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from composer import email_links
from core.ratelimit import retry_after, too_many_requests

RATE_SCOPE = "email_link"


class EmailLinkForm(forms.Form):
    """What the person may add: a date for ``redate``, a note (required for ``note``)."""

    until_date = forms.DateField(
        label="Need until",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The date you now expect to finish by. The PMO re-dates the action.",
    )
    text = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, purpose: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if purpose != "redate":
            del self.fields["until_date"]
        else:
            self.fields["until_date"].required = True
        if purpose == "note":
            self.fields["text"].required = True
        elif purpose == "close":
            self.fields["text"].label = "What was done"


def _refused(request: HttpRequest, *, status: int, title: str, message: str) -> HttpResponse:
    return render(
        request,
        "email_actions/link_refused.html",
        {"title": title, "message": message},
        status=status,
    )


def _read(request: HttpRequest, token: str) -> email_links.EmailLink | HttpResponse:
    try:
        return email_links.email_link_read(token=token)
    except email_links.LinkInvalidError:
        return _refused(
            request,
            status=400,
            title="This link is not valid",
            message="The link is damaged or was changed. Open the action from a recent "
            "reminder email, or sign in and open it from My actions.",
        )
    except email_links.LinkExpiredError:
        return _refused(
            request,
            status=410,
            title="This link has expired",
            message="Links in reminder emails work for a limited time. Use the links in a "
            "more recent reminder email, or sign in and open the action from My actions.",
        )
    except email_links.LinkUsedError as used:
        when = used.use.used_at if used.use else None
        return render(
            request, "email_actions/link_used.html", {"use": used.use, "when": when}, status=410
        )
    except email_links.LinkNotApplicableError as exc:
        return _refused(request, status=403, title="This link no longer applies", message=str(exc))


@require_http_methods(["GET", "POST"])
def email_link_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET: what the link will do; POST: do it (once)."""
    seconds = retry_after(request, RATE_SCOPE)
    if seconds is not None:
        return too_many_requests(request, seconds)
    link = _read(request, token)
    if isinstance(link, HttpResponse):
        return link
    form = EmailLinkForm(request.POST or None, purpose=link.purpose)
    if request.method == "POST" and form.is_valid():
        try:
            update = email_links.email_link_use(
                link=link,
                text=form.cleaned_data.get("text", ""),
                until_date=form.cleaned_data.get("until_date"),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except email_links.LinkUsedError as used:
            return render(
                request,
                "email_actions/link_used.html",
                {"use": used.use, "when": used.use.used_at if used.use else None},
                status=410,
            )
        except email_links.LinkNotApplicableError as exc:
            return _refused(
                request, status=403, title="This link no longer applies", message=str(exc)
            )
        else:
            return render(request, "email_actions/link_done.html", {"link": link, "update": update})
    return render(request, "email_actions/link_confirm.html", {"link": link, "form": form})
