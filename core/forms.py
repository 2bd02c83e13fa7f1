"""Form widgets and fields every app's forms share."""

from __future__ import annotations

from typing import Any

from django import forms

# The wall-clock rule (a time the clocks skip or pass twice is refused) lives in core.times,
# shared with the API; forms import it from here as before.
from core.times import london_datetime

__all__ = ["AreaField", "DateInput", "TimeInput", "london_datetime"]


class DateInput(forms.DateInput):
    """A native date picker (values written YYYY-MM-DD)."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    """A native time picker (HH:MM)."""

    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class AreaField(forms.CharField):
    """An agenda area by title: an existing one of the meeting, or a new one to add."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 300)
        kwargs.setdefault("label", "Area")
        kwargs.setdefault(
            "help_text", "An agenda item of this meeting; a new title adds it to the agenda."
        )
        # The meeting page holds one <datalist id="area-titles"> of the meeting's areas.
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"list": "area-titles", "autocomplete": "off"})
        )
        super().__init__(**kwargs)
