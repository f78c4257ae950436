from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from scoring.models import Framework
from staff.demo import DEMO_DRAFT_YEAR, DEMO_SOURCE, demo_staff_load


class Command(BaseCommand):
    help = (
        "Create the demo's staff sign-ins (tinh, huyen, thamdinh, quantri; password demo-<user name>) "
        f"and a draft {DEMO_DRAFT_YEAR} round copied from {DEMO_SOURCE}. For a local demo only: "
        "the passwords are public. Refused unless DEBUG is on."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-debug",
            action="store_true",
            help="When DEBUG is off, say so and do nothing instead of failing (for `make setup`).",
        )

    def handle(self, *args, if_debug=False, **options):
        if not settings.DEBUG:
            message = "DEBUG is off: demo sign-ins with public passwords are for local development only."
            if if_debug:
                self.stdout.write(f"{message} Skipped.")
                return
            raise CommandError(message)
        try:
            sign_ins, draft = demo_staff_load()
        except Framework.DoesNotExist as error:
            raise CommandError(f"{DEMO_SOURCE} is missing: run `manage.py load_demo` first.") from error
        self.stdout.write("Demo sign-ins at /staff/login/ (local demo only: these passwords are public):")
        for sign_in in sign_ins:
            where = f" · {sign_in.unit.code} {sign_in.unit.name}" if sign_in.unit else ""
            self.stdout.write(f"  {sign_in.username:<9} {sign_in.password:<14} {sign_in.role}{where}")
        if draft is not None:
            self.stdout.write(f"created the draft {draft.slug} (copied from {DEMO_SOURCE})")
