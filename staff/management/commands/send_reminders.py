"""Remind those with work in an assessment round two days before its phase's
deadline (for cron, e.g. hourly): a reminder is sent once."""

from django.core.management.base import BaseCommand

from staff.notifications import reminders


class Command(BaseCommand):
    help = "Mail the reminders of the assessment rounds' deadlines that are due (each once)."

    def handle(self, *args, **options):
        count = reminders()
        self.stdout.write(f"{count} reminder(s) sent")
