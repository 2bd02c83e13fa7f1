"""Install the notifications' beat schedule (django-celery-beat, changeable in the admin):

- the batch flush of "immediately" notifications every 2 minutes;
- escalations daily at 07:45 Europe/London (before the 08:00 reminders, so the reminder
  email can carry them);
- the daily digest of notifications at 08:30 (after the reminders: what they carried is not
  sent again).

Reversing removes the tasks this migration installed.
"""

from django.db import migrations

TASKS = (
    (
        "Notification emails (batched, every 2 minutes)",
        "notifications.notifications_flush",
        None,
        "Emails each person their 'immediately' notifications once the batch window passed.",
    ),
    (
        "Escalation of overdue actions (daily)",
        "notifications.escalations_run",
        ("45", "7"),
        "Overdue actions to the committee's secretariat after N days, its chair after M.",
    ),
    (
        "Notification digest (daily)",
        "notifications.digest_send",
        ("30", "8"),
        "The 'daily digest' notifications not already carried by the reminder email.",
    ),
)


def install(apps, schema_editor):
    crontab_model = apps.get_model("django_celery_beat", "CrontabSchedule")
    interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, at, description in TASKS:
        schedule = {}
        if at is None:
            schedule["interval"], _ = interval_model.objects.get_or_create(
                every=2, period="minutes"
            )
        else:
            schedule["crontab"], _ = crontab_model.objects.get_or_create(
                minute=at[0],
                hour=at[1],
                day_of_week="*",
                day_of_month="*",
                month_of_year="*",
                timezone="Europe/London",
            )
        task_model.objects.get_or_create(
            name=name,
            defaults={"task": task, "enabled": True, "description": description, **schedule},
        )


def uninstall(apps, schema_editor):
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, _, _ in TASKS:
        task_model.objects.filter(name=name, task=task).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_notifications_preferences_escalation"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
