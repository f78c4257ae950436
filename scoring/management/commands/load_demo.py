from django.core.management.base import BaseCommand

from scoring.demo import demo_load


class Command(BaseCommand):
    help = "Load the demonstration units, frameworks and results (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Reload demo frameworks that already exist.")

    def handle(self, *args, reset=False, **options):
        loaded = demo_load(reset=reset)
        for framework in loaded:
            self.stdout.write(f"loaded {framework.slug}")
        if not loaded:
            self.stdout.write("demo already loaded (use --reset to reload)")
