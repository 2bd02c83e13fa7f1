"""Install the impact assessment chasers in the beat schedule: daily at 08:10 Europe/London
(after the reminder emails). The PMO can change or pause it in the admin (Periodic tasks)."""

from django.db import migrations

TASK_NAME = "Impact assessment chasers (daily)"
CHASERS_TASK = "composer.ia_chasers_send"


def install(apps, schema_editor):
    crontab_model = apps.get_model("django_celery_beat", "CrontabSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = crontab_model.objects.get_or_create(
        minute="10",
        hour="8",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/London",
    )
    task_model.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": CHASERS_TASK,
            "crontab": crontab,
            "enabled": True,
            "description": (
                "Chase the organisations expected to answer a CR's impact assessment: once"
                " before their due date and once after it (composer.ia_chasers)."
            ),
        },
    )


def uninstall(apps, schema_editor):
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    task_model.objects.filter(name=TASK_NAME, task=CHASERS_TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("composer", "0005_email_link_use"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
