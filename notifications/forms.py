from __future__ import annotations

from django import forms

from notifications.models import Delivery, EscalationRule, Kind


class NotificationSettingsForm(forms.Form):
    """One choice per kind, and whether emails go at all."""

    emails_on = forms.BooleanField(
        required=False,
        label="Send me emails",
        help_text="Unticked (or after an unsubscribe link): no reminder or notification "
        "emails; notifications still appear under the bell.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in Kind.choices:
            self.fields[kind] = forms.ChoiceField(
                label=label, choices=Delivery.choices, widget=forms.RadioSelect
            )

    def deliveries(self) -> dict[str, str]:
        return {kind: self.cleaned_data[kind] for kind in Kind.values}


class EscalationRuleForm(forms.ModelForm):
    class Meta:
        model = EscalationRule
        fields = ["secretariat_after_days", "chair_after_days"]
        labels = {
            "secretariat_after_days": "To the secretariat after (days overdue)",
            "chair_after_days": "To the chair after (days overdue)",
        }
        help_texts = {
            "secretariat_after_days": "0 turns this escalation off.",
            "chair_after_days": "0 turns this escalation off.",
        }
