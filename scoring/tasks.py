"""Background imports: an ``ImportJob`` is checked by one task and, once a person
confirms the preview, written by another (django-tasks; ``manage.py db_worker``
runs them). Progress is saved as the rows are read, so the status page can show
it while the import runs."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django_tasks import task

from scoring.models import ImportJob
from scoring.spreadsheets.previews import import_file
from scoring.spreadsheets.reader import Upload

Status = ImportJob.Status
logger = logging.getLogger(__name__)


def import_job_start(
    *, kind: str, framework, upload, sheet: str, reason: str, user, units=None, origin: str = ""
) -> ImportJob:
    """An import of an uploaded file (``upload``: Django's ``UploadedFile``):
    checked now when it is small (``IMPORT_BACKGROUND_BYTES``), else in the
    background; ``units`` and ``origin`` as ``ImportJob`` keeps them."""
    job = ImportJob.objects.create(
        kind=kind,
        framework=framework,
        file_name=upload.name[:255],
        data=b"".join(upload.chunks()),
        sheet=sheet,
        reason=reason,
        user=user,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        units=None if units is None else sorted(units),
        origin=origin,
    )
    import_job_enqueue(job, background=in_background(job))
    return job


def in_background(job: ImportJob) -> bool:
    """Whether the job's steps run in the background: a file larger than ``IMPORT_BACKGROUND_BYTES``."""
    return len(job.data) > settings.IMPORT_BACKGROUND_BYTES


def import_job_enqueue(job: ImportJob, *, background: bool = True) -> None:
    """Run the job's next step in the background, once the caller's transaction
    commits; or now, in this process (``background`` False: a small file)."""
    if background:
        transaction.on_commit(lambda: import_job_run.enqueue(job.pk))
        return
    try:
        import_job_run.call(job.pk)
    except Exception:  # the job is marked failed, nothing written; its page says so
        logger.exception("import %s failed", job.pk)


def import_job_confirm(job: ImportJob, *, background: bool = True) -> bool:
    """Queue (or run, ``background`` False) the write of a checked job; False
    when it is not waiting for confirmation."""
    if not ImportJob.objects.filter(pk=job.pk, status=Status.CHECKED).update(status=Status.CONFIRMED, rows_done=0):
        return False
    import_job_enqueue(job, background=background)
    return True


@task()
def import_job_run(job_id: int) -> str:
    """Check a waiting job, or write a confirmed one. Returns the new status."""
    job = ImportJob.objects.select_related("framework", "user").get(pk=job_id)
    steps = {Status.WAITING: Status.CHECKING, Status.CONFIRMED: Status.IMPORTING}
    if job.status not in steps:
        return job.status  # already done: a task run twice does nothing
    write = job.status == Status.CONFIRMED
    job.status = steps[job.status]
    job.save(update_fields=["status", "updated_at"])

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(rows_done=done, rows_total=total)

    try:
        with translation.override(job.language):
            preview = import_file(
                job.kind,
                framework=job.framework,
                source=Upload(job.file_name, bytes(job.data)),
                sheet=job.sheet or None,
                user=job.user,
                reason=job.reason,
                dry_run=not write,
                progress=progress,
                origin=job.origin,
                units=job.units,
            )
    except Exception:
        job.status = Status.FAILED
        job.save(update_fields=["status", "updated_at"])
        raise
    job.preview = preview.as_json()
    if preview.problems:
        job.status = Status.INVALID
    elif write:
        job.status, job.revision_id = Status.DONE, preview.revision_id
    else:
        job.status = Status.CHECKED
    if job.status != Status.CHECKED:
        job.data = b""  # the file is no longer needed
    job.save(update_fields=["preview", "status", "revision", "data", "updated_at"])
    return job.status
