"""Install the default beat schedule: reminder emails daily at 08:00 Europe/London.

The schedule lives in django-celery-beat's tables, so the PMO can change or pause it in the
admin (Periodic tasks). Reversing removes the task this migration installed.
"""

from django.db import migrations

TASK_NAME = "Reminder emails (daily)"
REMINDERS_TASK = "actions.reminders_send"


def install(apps, schema_editor):
    crontab_model = apps.get_model("django_celery_beat", "CrontabSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = crontab_model.objects.get_or_create(
        minute="0",
        hour="8",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/London",
    )
    task_model.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": REMINDERS_TASK,
            "crontab": crontab,
            "enabled": True,
            "description": (
                "Due-soon, due-today and overdue reminders and the digest before each meeting:"
                " one email per person, each reminder sent once (actions.reminders)."
            ),
        },
    )


def uninstall(apps, schema_editor):
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    task_model.objects.filter(name=TASK_NAME, task=REMINDERS_TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0003_reminderlog"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
