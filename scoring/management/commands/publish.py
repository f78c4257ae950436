from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cchc_portal.commands import problems_error
from scoring.commands import framework_get
from scoring.services import ScoringInputError, framework_publish
from scoring.spreadsheets.reader import parse_date


class Command(BaseCommand):
    help = _(
        "Publish a framework under its decision: its rankings become public and next year's deltas compare with it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--framework", required=True, metavar="SLUG")
        parser.add_argument("--decision", required=True, help=_("the decision number, e.g. 501/QĐ-UBND"))
        parser.add_argument("--date", required=True, help=_("the decision date, 2023-03-29 or 29/3/2023"))
        parser.add_argument("--signer", default="", help=_("the signing body, e.g. UBND tỉnh Bình Phước"))

    def handle(self, *args, framework, decision, date, signer, **options):
        framework = framework_get(framework)
        try:
            decision_date = parse_date(date)
        except ValueError:
            decision_date = None
        if decision_date is None or not decision.strip():
            raise CommandError(_("give a decision number and a date such as 2023-03-29 or 29/3/2023"))
        try:
            framework_publish(
                framework=framework, decision_number=decision.strip(), decision_date=decision_date, signer=signer
            )
        except ScoringInputError as error:
            raise problems_error(error.messages) from error
        self.stdout.write(
            _("%(slug)s published: decision %(decision)s of %(date)s")
            % {"slug": framework.slug, "decision": decision.strip(), "date": date_format(decision_date)}
        )
