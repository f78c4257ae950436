"""Evidence files (tài liệu kiểm chứng): what a unit may upload for a criterion
and how it is kept. The type is told by the content, not the name (``filetype``
reads the magic numbers); sizes and counts are limited per file, per criterion
and per unit; files go through Django's storage API under random names; removing
one is a step in the history and keeps the file. Evidence is never public unless
the province shows a file (``evidence_public_set``), and then only once the
framework is published (``selectors.public_evidence``)."""

import unicodedata
from pathlib import PurePath

import filetype
from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from assessments.appraisal import EXPLANATION_PHASES, _locked
from assessments.models import AssessmentEvent, Evidence, UnitAssessment
from assessments.services import _event, _locked_open
from scoring.services.common import ScoringInputError, public_version_bump

# What a unit may give as evidence: documents and pictures, by the type its content shows.
TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WebP",
    "application/msword": "Word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.ms-excel": "Excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.oasis.opendocument.text": "OpenDocument",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument",
}
KINDS = "PDF, JPEG, PNG, WebP, Word, Excel, OpenDocument"
_HEADER_BYTES = 8192  # as much as filetype reads


def _megabytes(size: int) -> str:
    return number_format(size / 2**20, 1)


def safe_name(name: str) -> str:
    """The uploaded name as a download may carry it: its last part, no control
    characters, at most 255 characters ("evidence" when nothing is left)."""
    base = PurePath(name.replace("\\", "/")).name
    cleaned = "".join(char for char in base if unicodedata.category(char)[0] != "C").strip()
    return cleaned[-255:] or "evidence"


def _content_type(upload) -> str | None:
    upload.seek(0)
    kind = filetype.guess(upload.read(_HEADER_BYTES))
    upload.seek(0)
    return kind.mime if kind is not None and kind.mime in TYPES else None


def _locked_for_files(unit: UnitAssessment, now):
    """The round and the unit, locked, while the unit may change its evidence:
    self-assessing, or explaining after its appraisal came back."""
    if unit.status == UnitAssessment.Status.RETURNED:
        return _locked(unit, EXPLANATION_PHASES, {UnitAssessment.Status.RETURNED}, "explanation_deadline", now)
    return _locked_open(unit, now)


def active(unit: UnitAssessment):
    """The unit's evidence not removed."""
    return Evidence.objects.filter(round_id=unit.round_id, unit_id=unit.unit_id, removed_at=None)


def evidence_add(*, unit: UnitAssessment, criterion_code: str, upload, user=None, now=None) -> Evidence:
    """Keep ``upload`` (Django's ``UploadedFile``) as evidence for one leaf
    criterion while the unit may self-assess or explain. Refused, naming the limit, above
    ``EVIDENCE_MAX_BYTES``, past ``EVIDENCE_UNIT_MAX_BYTES`` for the unit or
    ``EVIDENCE_MAX_FILES`` for the criterion, or when its content is not one of
    ``TYPES`` whatever its name says."""
    with transaction.atomic():
        round_, unit = _locked_for_files(unit, now)
        criterion = round_.framework.criteria.filter(code=criterion_code, is_leaf=True).first()
        name = safe_name(upload.name or "")
        problems = []
        if criterion is None:
            raise ScoringInputError([_("no such leaf criterion in this framework")])
        content_type = None
        if upload.size > settings.EVIDENCE_MAX_BYTES:
            problems.append(
                _("%(file)s is %(size)s MB: a file takes at most %(limit)s MB")
                % {"file": name, "size": _megabytes(upload.size), "limit": _megabytes(settings.EVIDENCE_MAX_BYTES)}
            )
        else:
            content_type = _content_type(upload)
            if content_type is None:
                problems.append(
                    _("%(file)s is not a document or a picture the portal keeps (%(kinds)s), whatever its name says")
                    % {"file": name, "kinds": KINDS}
                )
        stored = active(unit)
        used = stored.aggregate(total=Sum("size"))["total"] or 0
        if used + upload.size > settings.EVIDENCE_UNIT_MAX_BYTES:
            problems.append(
                _("the unit's evidence would take %(size)s MB: at most %(limit)s MB a unit")
                % {"size": _megabytes(used + upload.size), "limit": _megabytes(settings.EVIDENCE_UNIT_MAX_BYTES)}
            )
        if stored.filter(criterion=criterion).count() >= settings.EVIDENCE_MAX_FILES:
            problems.append(
                _("criterion %(code)s already has %(limit)s files: remove one first")
                % {"code": criterion.code, "limit": settings.EVIDENCE_MAX_FILES}
            )
        if problems:
            raise ScoringInputError(problems)
        evidence = Evidence(
            round=round_, criterion=criterion, unit=unit.unit, name=name, content_type=content_type, size=upload.size
        )
        evidence.uploaded_by = user
        evidence.file.save("evidence", upload, save=False)  # the storage's random name (evidence_name)
        try:
            evidence.save()
            after = {"name": name, "size": upload.size, "type": content_type}
            _event(
                round_, AssessmentEvent.Kind.EVIDENCE_ADDED, user=user, unit=unit.unit, criterion=criterion, after=after
            ).save()
        except Exception:
            evidence.file.delete(save=False)  # nothing half-written: no file without its row
            raise
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: Evidence, unit: UnitAssessment, user=None, now=None) -> None:
    """Take a file out of the unit's evidence while it may change it; the row
    and the file stay (the history shows who removed what, and when)."""
    round_, unit = _locked_for_files(unit, now)
    evidence = Evidence.objects.select_for_update().get(pk=evidence.pk, round=round_, unit=unit.unit)
    if evidence.removed_at is not None:
        return
    evidence.removed_at, evidence.removed_by = timezone.now(), user
    evidence.save(update_fields=["removed_at", "removed_by"])
    before = {"name": evidence.name, "size": evidence.size, "type": evidence.content_type}
    _event(
        round_,
        AssessmentEvent.Kind.EVIDENCE_REMOVED,
        user=user,
        unit=unit.unit,
        criterion=evidence.criterion,
        before=before,
    ).save()


@transaction.atomic
def evidence_public_set(*, evidence: Evidence, public: bool, user=None) -> Evidence:
    """Show a file on its unit's public page (once the framework is published and
    its round shows the criteria), or hide it again; a step in the history. A
    removed file cannot be shown."""
    evidence = Evidence.objects.select_for_update().select_related("round__framework").get(pk=evidence.pk)
    if public and evidence.removed_at is not None:
        raise ScoringInputError(_("%(name)s was removed: it cannot be made public.") % {"name": evidence.name})
    if evidence.is_public != public:
        evidence.is_public = public
        evidence.save(update_fields=["is_public"])
        _event(
            evidence.round,
            AssessmentEvent.Kind.EVIDENCE_PUBLIC,
            user=user,
            unit=evidence.unit,
            criterion=evidence.criterion,
            before={"name": evidence.name, "public": not public},
            after={"name": evidence.name, "public": public},
        ).save()
        public_version_bump(framework=evidence.round.framework)  # its unit's public page changes
    return evidence
