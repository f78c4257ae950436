"""A unit's self-assessment (DESIGN §9): its own person (the unit respondent)
scores each leaf criterion while the phase is open (points, or KAD with a reason,
and how the unit came to them), saves as often as needed and submits for
appraisal; after that, and for the staff of the framework's scope, the page reads
the same, without inputs."""

from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assessments import appraisal, evidence, services
from assessments.models import CellAssessment, Evidence, Phase, UnitAssessment
from cchc_portal.files import file_attachment
from scoring import engine
from scoring.forms import NOTE_MAX_LENGTH
from scoring.services import ScoringInputError
from staff import notifications
from staff.access import access_for
from staff.grids import CELL_MAX_LENGTH, parse_cell, value_text
from staff.views import staff_only


def _unit_assessment(request, slug: str, code: str) -> UnitAssessment:
    """The unit's assessment in the framework's round, if the user may read it (404 otherwise)."""
    found = UnitAssessment.objects.select_related("round__framework", "unit").filter(
        round__framework__slug=slug, unit__code=code
    )
    unit_assessment = get_object_or_404(found)
    if not access_for(request.user).may_read_assessment(unit_assessment.round.framework, unit_assessment.unit):
        raise Http404("No such assessment.")
    return unit_assessment


class _Row:
    """A leaf criterion on the page: what is stored, or what was typed."""

    def __init__(self, criterion, cell: CellAssessment | None, files: list[Evidence]):
        self.criterion, self.files, self.cell = criterion, files, cell
        self.appraised = value_text(appraisal.appraised_value(cell)) if cell else ""
        self.adjusted = cell is not None and appraisal.adjusted(cell)
        self.points = value_text(cell.self_value) if cell else ""
        self.reason = cell.self_reason if cell else ""
        self.explanation = cell.self_explanation if cell else ""
        self.error = ""

    @property
    def key(self) -> str:
        return str(self.criterion.pk)


def _typed(request, rows: list[_Row]) -> tuple[list[services.SelfEntry], list[str]]:
    """The entries typed in the form, and the cells that are not a score."""
    entries, problems = [], []
    for row in rows:
        row.points = request.POST.get(f"p-{row.key}", "")[:CELL_MAX_LENGTH]
        row.reason = request.POST.get(f"r-{row.key}", "")[: NOTE_MAX_LENGTH + 1]
        row.explanation = request.POST.get(f"e-{row.key}", "")[: NOTE_MAX_LENGTH + 1]
        try:
            value = parse_cell(row.points)
        except ValueError:
            row.error = _("Not a number, and not KAD (not applicable).")
            problems.append(_("criterion %(code)s") % {"code": row.criterion.code} + ": " + row.error)
            continue
        entries.append(services.SelfEntry(row.criterion.code, value, row.reason, row.explanation))
    return entries, problems


def _mark(rows: list[_Row], problems: list[str]) -> None:
    """Mark each row a problem names ("tiêu chí 1.2: …") with that problem."""
    for row in rows:
        prefix = _("criterion %(code)s") % {"code": row.criterion.code} + ": "
        named = [problem.removeprefix(prefix) for problem in problems if problem.startswith(prefix)]
        if named:
            row.error = "; ".join(named)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_only
def self_assessment(request, slug, code):
    unit_assessment = _unit_assessment(request, slug, code)
    round_, unit = unit_assessment.round, unit_assessment.unit
    access = access_for(request.user)
    open_now = services.unit_is_open(unit_assessment, Phase.SELF_ASSESSMENT)
    may_edit = (
        access.may_self_assess(unit) and open_now and unit_assessment.status == UnitAssessment.Status.SELF_ASSESSING
    )
    criteria = list(round_.framework.criteria.filter(is_leaf=True).order_by("order", "code"))
    cells = {cell.criterion_id: cell for cell in CellAssessment.objects.filter(round=round_, unit=unit)}
    files = defaultdict(list)
    for item in evidence.active(unit_assessment):
        files[item.criterion_id].append(item)
    rows = [_Row(criterion, cells.get(criterion.pk), files[criterion.pk]) for criterion in criteria]
    explaining = access.may_self_assess(unit) and appraisal.explanation_open(unit_assessment)
    problems, status, problems_title = [], 200, _("Nothing was saved")
    if request.method == "POST" and explaining:
        return _explanations_save(request, unit_assessment, rows)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        entries, problems = _typed(request, rows)
        status = 400
        if not problems:
            try:
                changed = services.self_scores_set(unit=unit_assessment, entries=entries, user=request.user)
            except ScoringInputError as error:
                problems = list(error.messages)
                _mark(rows, problems)
        if not problems and "submit" in request.POST:
            try:
                services.unit_submit(unit=unit_assessment, user=request.user)
            except ScoringInputError as error:  # saved, but not complete yet
                problems, problems_title = list(error.messages), _("Saved, but not submitted")
                _mark(rows, problems)
            else:
                messages.success(request, _("Submitted for appraisal: the self-assessment is read-only now."))
                return redirect(request.get_full_path())
        elif not problems:
            messages.success(request, _("Saved: %(count)s criteria changed.") % {"count": changed})
            return redirect(request.get_full_path())
    context = {
        "framework": round_.framework,
        "round": round_,
        "unit_assessment": unit_assessment,
        "unit": unit,
        "rows": rows,
        "may_edit": may_edit,
        "open_now": open_now,
        "deadline": unit_assessment.reopened_until or round_.self_deadline,
        "problems": problems,
        "problems_title": problems_title,
        "scored": sum(1 for cell in cells.values() if cell.self_value is not None),
        "not_applicable": engine.NOT_APPLICABLE,
        "evidence_kinds": evidence.KINDS,
        "explaining": explaining,
        "appraised": unit_assessment.status
        in (UnitAssessment.Status.RETURNED, UnitAssessment.Status.EXPLAINED, UnitAssessment.Status.FINAL),
        "explanation_deadline": unit_assessment.reopened_until or round_.explanation_deadline,
    }
    return render(request, "staff/self_assessment.html", context, status=status)


def _explanations_save(request, unit_assessment: UnitAssessment, rows: list[_Row]):
    """The unit's answers to its adjusted criteria; "finish" ends its explanation."""
    texts = {
        row.criterion.code: request.POST.get(f"x-{row.key}", "")[: NOTE_MAX_LENGTH + 1]
        for row in rows
        if row.cell is not None and appraisal.adjusted(row.cell)
    }
    try:
        appraisal.explanations_set(unit=unit_assessment, texts=texts, user=request.user)
        if "finish" in request.POST:
            notifications.explanation_arrived(appraisal.unit_explained(unit=unit_assessment, user=request.user))
            messages.success(request, _("Your explanations are sent: the appraisers fix the final scores."))
        else:
            messages.success(request, _("Saved."))
    except ScoringInputError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect(request.get_full_path())


def _editable(request, slug: str, code: str) -> UnitAssessment:
    """The unit's assessment, for its own person while it may change its evidence:
    self-assessing or explaining (else 403)."""
    unit_assessment = _unit_assessment(request, slug, code)
    open_now = appraisal.explanation_open(unit_assessment) or (
        services.unit_is_open(unit_assessment, Phase.SELF_ASSESSMENT)
        and unit_assessment.status == UnitAssessment.Status.SELF_ASSESSING
    )
    if not (access_for(request.user).may_self_assess(unit_assessment.unit) and open_now):
        raise PermissionDenied
    return unit_assessment


@require_POST
@staff_only
def evidence_upload(request, slug, code):
    """Add a file to a criterion's evidence; every refusal names the file and the limit."""
    unit_assessment = _editable(request, slug, code)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to attach."))
    else:
        try:
            evidence.evidence_add(
                unit=unit_assessment, criterion_code=request.POST.get("criterion", ""), upload=upload, user=request.user
            )
            messages.success(request, _("Attached: %(file)s.") % {"file": evidence.safe_name(upload.name)})
        except ScoringInputError as error:
            for message in error.messages:
                messages.error(request, message)
    return redirect("staff:self_assessment", slug=slug, code=code)


@require_POST
@staff_only
def evidence_remove(request, slug, code, evidence_id):
    unit_assessment = _editable(request, slug, code)
    item = get_object_or_404(evidence.active(unit_assessment), pk=evidence_id)
    try:
        evidence.evidence_remove(evidence=item, unit=unit_assessment, user=request.user)
        messages.success(request, _("Removed: %(file)s (kept in the history).") % {"file": item.name})
    except ScoringInputError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("staff:self_assessment", slug=slug, code=code)


@require_safe
@never_cache
def evidence_file(request, evidence_id):
    """An evidence file, to those who may read its unit's assessment: as an
    attachment of the type its content showed, never rendered by the browser.
    Anyone else, signed in or not, finds nothing (404)."""
    item = get_object_or_404(Evidence.objects.select_related("round__framework", "unit"), pk=evidence_id)
    if not access_for(request.user).may_read_assessment(item.round.framework, item.unit):
        raise Http404("No such file.")
    return file_attachment(item.file, filename=item.name, content_type=item.content_type)


@require_POST
@staff_only
def evidence_public(request, evidence_id):
    """Show a file on its unit's public page, or hide it (``public`` 1 or 0): the
    province's editors decide, on the appraisal page."""
    item = get_object_or_404(Evidence.objects.select_related("round__framework", "unit"), pk=evidence_id)
    framework = item.round.framework
    access = access_for(request.user)
    if not access.may_read_assessment(framework, item.unit):
        raise Http404("No such file.")
    if not access.may_show_evidence(framework):
        raise PermissionDenied
    public = request.POST.get("public") == "1"
    try:
        evidence.evidence_public_set(evidence=item, public=public, user=request.user)
    except ScoringInputError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        done = _("%(file)s is public.") if public else _("%(file)s is no longer public.")
        messages.success(request, done % {"file": item.name})
    return redirect("staff:appraisal", slug=framework.slug, code=item.unit.code)


class _AppraisalRow:
    """A leaf criterion on the appraisal page: the unit's self-assessment beside
    the appraised value and comment (stored, or as typed)."""

    def __init__(self, criterion, cell: CellAssessment | None, files: list[Evidence], editable: bool):
        self.criterion, self.cell, self.files, self.editable = criterion, cell, files, editable
        self.self_text = value_text(cell.self_value) if cell else ""
        self.value = value_text(appraisal.appraised_value(cell)) if cell else ""
        self.comment = cell.appraisal_comment if cell else ""
        self.error = ""

    @property
    def key(self) -> str:
        return str(self.criterion.pk)

    @property
    def gap(self):
        """Self minus appraised points, when both are numbers."""
        if self.cell is None:
            return None
        return appraisal.cell_gap(self.cell)


def _appraisal_typed(request, rows: list[_AppraisalRow]) -> tuple[list, list[str]]:
    """The appraised values typed in the editable rows (a blank one is not appraised
    yet), and the cells that are not a score."""
    entries, problems = [], []
    for row in (row for row in rows if row.editable):
        row.value = request.POST.get(f"a-{row.key}", "")[:CELL_MAX_LENGTH]
        row.comment = request.POST.get(f"c-{row.key}", "")[: NOTE_MAX_LENGTH + 1]
        if not row.value.strip():
            continue
        try:
            entries.append(appraisal.AppraisalEntry(row.criterion.code, parse_cell(row.value), row.comment))
        except ValueError:
            row.error = _("Not a number, and not KAD (not applicable).")
            problems.append(_("criterion %(code)s") % {"code": row.criterion.code} + ": " + row.error)
    return entries, problems


def _appraise(request, unit_assessment, entries):
    """Save the appraisals and, when asked, return them to the unit: True when
    done, else (the reasons it was not returned, their heading)."""
    appraisal.appraisals_set(unit=unit_assessment, entries=entries, user=request.user)
    if "return" not in request.POST:
        messages.success(request, _("Saved."))
        return True
    try:
        notifications.appraisal_returned(appraisal.appraisal_return(unit=unit_assessment, user=request.user))
    except ScoringInputError as error:  # saved, but not every criterion is appraised
        return list(error.messages), _("Saved, but not returned to the unit")
    messages.success(request, _("The appraisal is returned to the unit: its explanation window is open."))
    return True


def _revise(request, unit_assessment, entries):
    """Save what an appraiser of some fields changes after the unit's explanation."""
    appraisal.appraisals_set(unit=unit_assessment, entries=entries, user=request.user)
    messages.success(request, _("Saved: those who appraise the whole unit fix its final scores."))
    return True


def _finalise(request, unit_assessment, entries):
    appraisal.finalise(unit=unit_assessment, entries=entries, user=request.user)
    messages.success(request, _("The final scores are fixed: they are the framework's scores now."))
    return True


@require_http_methods(["GET", "HEAD", "POST"])
@staff_only
def appraisal_page(request, slug, code):
    """A submitted unit's criteria for its appraisers: each self score with its
    reason, explanation and evidence beside the appraised score and comment, the
    difference per cell, field and unit; save, and return the appraisal to the unit."""
    unit_assessment = _unit_assessment(request, slug, code)
    round_, unit = unit_assessment.round, unit_assessment.unit
    fields = access_for(request.user).appraised_fields(round_.framework, unit)
    in_finalisation = (
        round_.phase == Phase.FINALISATION
        and unit_assessment.status in (UnitAssessment.Status.RETURNED, UnitAssessment.Status.EXPLAINED)
        and services.unit_is_open(unit_assessment, Phase.FINALISATION)
    )
    open_now = in_finalisation or (
        round_.phase == Phase.APPRAISAL
        and unit_assessment.status == UnitAssessment.Status.SUBMITTED
        and services.unit_is_open(unit_assessment, Phase.APPRAISAL)
    )
    # The final scores are fixed for the whole unit at once, by those who appraise all of it;
    # an appraiser of some fields may still change theirs, after the unit's explanation.
    finalising = fields is None and in_finalisation
    criteria = list(round_.framework.criteria.filter(is_leaf=True).order_by("order", "code"))
    cells = {cell.criterion_id: cell for cell in CellAssessment.objects.filter(round=round_, unit=unit)}
    files = defaultdict(list)
    for item in evidence.active(unit_assessment):
        files[item.criterion_id].append(item)

    def editable(criterion) -> bool:
        return open_now and (fields is None or criterion.code.split(".")[0] in fields)

    rows = [_AppraisalRow(c, cells.get(c.pk), files[c.pk], editable(c)) for c in criteria]
    problems, status, problems_title = [], 200, _("Nothing was saved")
    if request.method == "POST":
        if not any(row.editable for row in rows):
            raise PermissionDenied
        entries, problems = _appraisal_typed(request, rows)
        status = 400
        if not problems:
            step = _finalise if finalising else _revise if in_finalisation else _appraise
            try:
                done = step(request, unit_assessment, entries)
            except ScoringInputError as error:
                problems = list(error.messages)
                _mark(rows, problems)
            else:
                if done is True:
                    return redirect(request.get_full_path())
                problems, problems_title = done  # saved, but not returned: every reason why
                _mark(rows, problems)
    by_field = defaultdict(lambda: Decimal(0))
    for row in rows:
        if row.gap is not None:
            by_field[row.criterion.code.split(".")[0]] += row.gap
    context = {
        "framework": round_.framework,
        "round": round_,
        "unit_assessment": unit_assessment,
        "unit": unit,
        "rows": rows,
        "may_edit": any(row.editable for row in rows),
        "may_show_evidence": access_for(request.user).may_show_evidence(round_.framework),
        "problems": problems,
        "problems_title": problems_title,
        "field_gaps": sorted(by_field.items()),
        "finalising": finalising,
        "in_finalisation": in_finalisation,
        "unit_gap": sum(by_field.values(), Decimal(0)),
        "deadline": unit_assessment.reopened_until or round_.deadline(round_.phase),
    }
    return render(request, "staff/appraisal.html", context, status=status)


@require_safe
@staff_only
def notification_list(request):
    """The notifications the user was sent, newest first."""
    items = request.user.notifications.all()[:200]
    return render(request, "staff/notifications.html", {"notifications": items})
