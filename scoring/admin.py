import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks_db.models import DBTaskResult

from scoring import engine, services
from scoring.admin_imports import FrameworkImportMixin, ResultsResource, ScoresResource
from scoring.forms import note_field
from scoring.models import (
    Band,
    BandScheme,
    Criterion,
    Framework,
    ImportJob,
    Index,
    Publication,
    Result,
    Score,
    period_step,
)
from scoring.spreadsheets.previews import Preview
from scoring.tasks import import_job_confirm


class ServiceWritesAdmin(admin.ModelAdmin):
    """A ModelAdmin whose writes are service calls (in ``save_model``,
    ``save_related``, ``delete_model``, ``delete_queryset``, actions). A service
    refuses with ``ScoringInputError`` after the form was valid, so the refusal
    rolls back everything the request wrote (the admin's log entry too) and comes
    back on the page: the form as it was filled in, with the refusal as its
    errors; after a deletion or an action, as a message."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)  # atomic for a POST
        except services.ScoringInputError as refusal:
            # Django's admin re-renders a form only when it is invalid: run the same
            # POST again, with the refusal as the form's errors (``get_form``).
            request.admin_service_refusal = refusal.messages
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "admin_service_refusal", None)
        if refusal is None:
            return form

        class RefusedForm(form):
            def full_clean(self):
                super().full_clean()
                for message in refusal:
                    self.add_error(None, message)

        return RefusedForm

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)  # atomic for a POST
        except services.ScoringInputError as refusal:
            self._refusal_show(request, refusal)
            opts = self.opts
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id]))

    def changelist_view(self, request, extra_context=None):
        if request.method != "POST":
            return super().changelist_view(request, extra_context)
        try:
            with transaction.atomic():  # a deletion of several objects is all or nothing
                return super().changelist_view(request, extra_context)
        except services.ScoringInputError as refusal:
            self._refusal_show(request, refusal)
            return HttpResponseRedirect(request.get_full_path())

    def _refusal_show(self, request, refusal: services.ScoringInputError) -> None:
        problems = "; ".join(refusal.messages)
        self.message_user(request, _("Nothing was changed: %(problems)s") % {"problems": problems}, messages.ERROR)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that no service lets the admin write: shown, never added, changed or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Index)
class IndexAdmin(admin.ModelAdmin):
    list_display = ["slug", "short_name", "name"]
    search_fields = ["slug", "name", "short_name"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Its name is on the public pages of its published frameworks (a used index cannot be deleted).
        services.public_version_bump(frameworks=obj.frameworks.all())


class BandInline(admin.TabularInline):
    """A scheme's bands, editable until a framework uses the scheme. Then they
    change only through a framework's bands (``framework_bands_set``, in the
    staff editor), which never changes a shared scheme, records a revision and
    recomputes the bands of the results."""

    model = Band
    extra = 0

    def _in_use(self, scheme) -> bool:
        return scheme is not None and scheme.pk is not None and scheme.frameworks.exists()

    def has_add_permission(self, request, obj):
        return not self._in_use(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._in_use(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._in_use(obj) and super().has_delete_permission(request, obj)


@admin.register(BandScheme)
class BandSchemeAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    inlines = [BandInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Shared: its bands are public as soon as one published framework uses it (a used scheme cannot be deleted).
        services.public_version_bump(frameworks=form.instance.frameworks.all())


class CriterionInline(admin.TabularInline):
    """The criteria tree, one row per node in order, indented by level. Saved as
    one tree by ``framework_criteria_set`` (``FrameworkAdmin.save_related``),
    which checks it and refuses what would lose scores."""

    model = Criterion
    extra = 0
    fields = ["tree_position", "code", "name", "name_en", "max_points", "kind", "component", "order"]
    readonly_fields = ["tree_position"]
    ordering = ["order", "code"]

    @admin.display(description=_("level"))
    def tree_position(self, criterion):
        if not criterion.pk:
            return ""
        # Indented with em spaces, not a style attribute, which the Content-Security-Policy refuses.
        return "\u2003" * (2 * criterion.depth) + ("└" if criterion.depth else "■")


def criteria_from_inline(formset, framework: Framework | None) -> list[services.CriterionSpec]:
    """The tree as the criteria inline leaves it, by order then code: its rows
    less those marked for deletion, and any stored criterion it did not show
    (as a model formset leaves those alone)."""
    rows = [
        (
            data["order"],
            services.CriterionSpec(
                data["code"], data["name"], data["max_points"], data["kind"], data["component"], data["name_en"]
            ),
        )
        for data in (form.cleaned_data for form in formset.forms)
        if data and not data.get("DELETE")
    ]
    if framework is not None:
        shown = [form.instance.pk for form in formset.initial_forms]
        rows += [
            (
                criterion.order,
                services.CriterionSpec(
                    criterion.code,
                    criterion.name,
                    criterion.max_points,
                    criterion.kind,
                    criterion.component,
                    criterion.name_en,
                ),
            )
            for criterion in framework.criteria.exclude(pk__in=shown)
        ]
    return [spec for _order, spec in sorted(rows, key=lambda row: (row[0], row[1].code))]


class PublicationInline(admin.StackedInline):
    """Publishing (``framework_publish``) and withdrawing (``framework_unpublish``,
    the Delete box), each a workflow step on record. A stored publication is
    read-only: no service changes its number or date, so a wrong one is
    withdrawn and published again."""

    model = Publication
    extra = 0
    max_num = 1
    readonly_fields = ["published_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and Publication.objects.filter(framework=obj).exists():
            return ["decision_number", "decision_date", "signer", "is_sample", "published_at"]
        return self.readonly_fields


def publication_from_inline(formset) -> tuple[bool, dict | None]:
    """(whether the stored publication is marked for deletion, the new
    publication's fields or None) from the publication inline."""
    withdrawn, new = False, None
    for form in formset.forms:
        data = form.cleaned_data
        if form.instance.pk is not None:
            withdrawn = withdrawn or bool(data.get("DELETE"))
        elif data and not data.get("DELETE"):
            new = {name: data[name] for name in ("decision_number", "decision_date", "signer", "is_sample")}
    return withdrawn, new


class FrameworkAdminForm(forms.ModelForm):
    """The framework's fields (the admin adds them: ``ModelAdmin.get_form``) and
    the reason a correction of a published framework needs."""

    correction_reason = note_field(
        _("Reason for the correction"),
        required=False,
        help_text=_("Needed to change the criteria of a published framework; kept with the change."),
    )
    month = forms.IntegerField(
        label=_("month"),
        required=False,
        min_value=0,
        max_value=12,
        help_text=_("1–12 for a monthly round (such as the 766 service index); 0 or blank for a yearly one."),
    )

    def clean_month(self):
        return self.cleaned_data.get("month") or 0  # blank: a yearly round, as before months existed


class PublishedFilter(admin.EmptyFieldListFilter):
    """Published or not: "By publication", in the admin's language (the reverse
    relation has no translated name of its own)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = _("publication")

    def choices(self, changelist):
        """ "Not published" and "Published", not Django's "Empty" and "Not empty"."""
        names = [_("All"), _("Not published"), _("Published")]
        for choice, name in zip(super().choices(changelist), names, strict=True):
            count = re.search(r" \([^()]*\)$", str(choice["display"]))  # the facet count, when shown
            yield {**choice, "display": name + (count.group() if count else "")}


@admin.register(Framework)
class FrameworkAdmin(ServiceWritesAdmin):
    """Frameworks with their criteria tree and publication. Every write is a
    service call: creation (``framework_create``), settings, participants and the
    tree (``framework_details_set``, ``framework_participants_set``,
    ``framework_criteria_set``), publication and deletion. What identifies the
    round (index, year, scope, block, slug, mode) and the source note are set on
    creation: no service changes them."""

    form = FrameworkAdminForm
    fields = [
        "index",
        "year",
        "month",
        "scope",
        "block",
        "block_name",
        "name",
        "name_en",
        "slug",
        "mode",
        "band_scheme",
        "participants",
        "source_note",
        "source_note_en",
        "results_version",
        "results_updated_at",
        "correction_reason",
    ]
    list_display = ["name", "year", "month", "scope", "block", "mode", "is_published", "results_updated_at"]
    list_filter = ["year", "block", "mode", "index", ("publication", PublishedFilter)]
    search_fields = ["name", "slug", "scope"]
    autocomplete_fields = ["participants"]
    readonly_fields = ["results_version", "results_updated_at"]
    list_select_related = ["index", "publication"]
    inlines = [CriterionInline, PublicationInline]
    actions = ["recompute_results", "copy_to_next_year"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return ["index", "year", "month", "scope", "block", "slug", "mode", "source_note", *self.readonly_fields]

    def get_fields(self, request, obj=None):
        return self.fields if obj is not None else [name for name in self.fields if name != "correction_reason"]

    @admin.display(boolean=True, description=_("published"))
    def is_published(self, framework):
        return hasattr(framework, "publication")

    def save_model(self, request, obj, form, change):
        """Nothing yet: ``save_related`` writes the framework once its inlines are read."""

    def save_related(self, request, form, formsets, change):
        """The form's writes, one service each, in one transaction (the admin's):
        a withdrawal first, so that the rest edits a draft, then the settings,
        participants and criteria tree; publishing last. A part the form did not
        change is not written, so that its service's checks do not refuse an
        edit of another part."""
        inline = {formset.model: formset for formset in formsets}
        withdrawn, publication = publication_from_inline(inline[Publication])
        data, user, changed = form.cleaned_data, request.user, set(form.changed_data)
        # Each service locks the framework and reads it as stored (the form's
        # instance holds the new values, unsaved): the instance only names it.
        framework = form.instance
        if change:
            if withdrawn:
                services.framework_unpublish(framework=framework, user=user)
            if changed & {"name", "block_name", "band_scheme"}:
                services.framework_details_set(
                    framework=framework,
                    name=data["name"],
                    block_name=data["block_name"],
                    band_scheme=data["band_scheme"],
                )
            if changed & {"name_en", "source_note_en"}:
                services.framework_english_set(
                    framework=framework,
                    name_en=data["name_en"],
                    source_note_en=data["source_note_en"],
                    criteria={},
                    bands={},
                    user=user,
                )
            if "participants" in changed:
                services.framework_participants_set(framework=framework, units=data["participants"], user=user)
            if inline[Criterion].has_changed():
                services.framework_criteria_set(
                    framework=framework,
                    criteria=criteria_from_inline(inline[Criterion], framework),
                    user=user,
                    reason=data["correction_reason"],
                    source=_("admin form"),
                )
        else:
            created = services.framework_create(
                index=data["index"],
                year=data["year"],
                month=data["month"],
                scope=data["scope"],
                block=data["block"],
                block_name=data["block_name"],
                name=data["name"],
                slug=data["slug"],
                mode=data["mode"],
                band_scheme=data["band_scheme"],
                source_note=data["source_note"],
                name_en=data["name_en"],
                source_note_en=data["source_note_en"],
                participants=data["participants"],
                criteria=criteria_from_inline(inline[Criterion], None),
            )
            framework.pk = created.pk  # for the log entry and the redirect
        if publication is not None:
            services.framework_publish(framework=framework, user=user, **publication)

    def construct_change_message(self, request, form, formsets, add=False):
        # The inlines were written by the services, not saved as model formsets.
        return super().construct_change_message(request, form, [], add)

    def delete_model(self, request, obj):
        services.framework_delete(framework=obj)

    def delete_queryset(self, request, queryset):
        for framework in queryset:
            services.framework_delete(framework=framework)

    @admin.action(description=_("Recompute results"))
    def recompute_results(self, request, queryset):
        for framework in queryset:
            services.framework_results_recompute(framework=framework)
        count = len(queryset)
        message = ngettext("Recomputed %(count)d framework.", "Recomputed %(count)d frameworks.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Copy to the next year (or month)"), permissions=["add"])
    def copy_to_next_year(self, request, queryset):
        """Each selected framework's draft round for the year after, or the month
        after for a monthly round (``services.framework_copy``)."""
        copies = []
        for framework in queryset:
            year, month = period_step(framework.year, framework.month, 1)
            try:
                copies.append(services.framework_copy(source=framework, year=year, month=month, user=request.user))
            except services.ScoringInputError as error:
                problems = "; ".join(error.messages)
                self.message_user(request, f"{framework.slug}: {problems}", messages.ERROR)
        if copies:
            links = format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                ((reverse("admin:scoring_framework_change", args=[copy.pk]), copy.name) for copy in copies),
            )
            self.message_user(request, format_html("{} {}", _("Copied to the next year:"), links), messages.SUCCESS)


class ScoreForm(forms.ModelForm):
    reason = note_field(
        _("Reason for the correction"),
        required=False,
        help_text=_("Needed to change a score of a published framework; kept with the change."),
    )

    class Meta:
        model = Score
        fields = ["criterion", "unit", "points", "not_applicable", "self_assessed_points", "note"]

    def clean(self):
        """The same checks as every other write of scores (``services.scores_validate``)."""
        cleaned = super().clean()
        criterion = cleaned.get("criterion", getattr(self.instance, "criterion", None))
        unit = cleaned.get("unit", getattr(self.instance, "unit", None))
        if criterion is None or unit is None:
            return cleaned
        if cleaned.get("not_applicable") and cleaned.get("points") is not None:
            raise ValidationError(_("A not-applicable criterion has no points."))
        self.entry = services.ScoreEntry(
            unit_code=unit.code,
            criterion_code=criterion.code,
            value=engine.NOT_APPLICABLE if cleaned.get("not_applicable") else cleaned.get("points"),
            self_assessed_points=cleaned.get("self_assessed_points"),
            note=cleaned.get("note", ""),
        )
        errors = services.scores_validate(framework=criterion.framework, entries=[self.entry])
        if errors:
            raise ValidationError(errors)
        return cleaned


@admin.register(Score)
class ScoreAdmin(FrameworkImportMixin, ServiceWritesAdmin):
    """Single cells, and whole files through Import; writes go through the
    services (``scores_set``, ``scores_delete``), so results are recomputed,
    changes audited and a published framework corrected only with a reason."""

    resource_classes = [ScoresResource]
    form = ScoreForm
    list_display = ["unit", "criterion", "points", "not_applicable", "self_assessed_points", "updated_at"]
    list_filter = ["criterion__framework", "not_applicable"]
    search_fields = ["unit__code", "unit__name", "criterion__code"]
    autocomplete_fields = ["unit", "criterion"]
    list_select_related = ["unit", "criterion"]

    def get_readonly_fields(self, request, obj=None):
        return ["criterion", "unit"] if obj else []

    def save_model(self, request, obj, form, change):
        services.scores_set(
            framework=obj.criterion.framework,
            entries=[form.entry],
            user=request.user,
            reason=form.cleaned_data["reason"],
            source=_("admin form"),
        )
        obj.pk = Score.objects.values_list("pk", flat=True).get(criterion=obj.criterion, unit=obj.unit)

    def delete_model(self, request, obj):
        services.scores_delete(scores=Score.objects.filter(pk=obj.pk), user=request.user, source=_("admin form"))

    def delete_queryset(self, request, queryset):
        services.scores_delete(scores=queryset, user=request.user, source=_("admin form"))


@admin.register(Criterion)
class CriterionAdmin(ReadOnlyAdmin):
    """For the score form's autocomplete; read-only, since a criterion changes
    only with its whole tree (``framework_criteria_set``, in its framework)."""

    search_fields = ["code", "name", "framework__slug"]
    list_display = ["framework", "code", "name", "max_points", "kind", "is_leaf"]
    list_filter = ["framework"]
    list_select_related = ["framework"]

    def has_module_permission(self, request):
        return False


@admin.register(Result)
class ResultAdmin(FrameworkImportMixin, ReadOnlyAdmin):
    """Stored results are computed, never typed or deleted: read-only here. A
    published-mode framework's decision table comes in through Import
    (``published_results_set``, which records the change)."""

    resource_classes = [ResultsResource]
    list_display = ["framework", "rank", "tied", "unit", "index", "band", "delta_index", "delta_rank", "is_sample"]
    list_filter = ["framework", "band", "is_sample"]
    search_fields = ["unit__code", "unit__name"]
    list_select_related = ["framework", "unit"]
    ordering = ["framework", "rank"]


@admin.register(Publication)
class PublicationAdmin(ServiceWritesAdmin):
    """Publishing and withdrawing go through the services, which record the
    workflow step and refresh the next year's deltas. A stored publication is
    read-only: no service changes its number or date, so a wrong one is
    withdrawn and published again."""

    list_display = ["framework", "decision_number", "decision_date", "signer", "is_sample"]
    search_fields = ["decision_number", "framework__name"]
    autocomplete_fields = ["framework"]
    list_select_related = ["framework"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return ["framework", "decision_number", "decision_date", "signer", "is_sample", "published_at"]

    def save_model(self, request, obj, form, change):
        if change:
            return  # every field is read-only
        publication = services.framework_publish(
            framework=obj.framework,
            decision_number=obj.decision_number,
            decision_date=obj.decision_date,
            signer=obj.signer,
            is_sample=obj.is_sample,
            user=request.user,
        )
        obj.pk = publication.pk

    def delete_model(self, request, obj):
        services.framework_unpublish(framework=obj.framework, user=request.user)

    def delete_queryset(self, request, queryset):
        for publication in queryset.select_related("framework"):
            services.framework_unpublish(framework=publication.framework, user=request.user)


# Background imports are followed on their ImportJob page, in Vietnamese; the
# queue's own table (English only) stays out of the admin.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Files imported in the background: each one's page shows its progress, its
    preview or problems, and the button that confirms it."""

    list_display = ["created_at", "file_name", "kind", "framework", "status", "user"]
    list_filter = ["status", "kind"]
    search_fields = ["file_name", "framework__slug", "framework__name"]
    list_select_related = ["framework", "user"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = get_object_or_404(ImportJob.objects.select_related("framework", "user"), pk=object_id)
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        can_confirm = request.user.is_superuser or request.user.pk == job.user_id
        if request.method == "POST" and can_confirm:
            if import_job_confirm(job):
                self.message_user(request, _("Confirmed: the file is being imported."), messages.SUCCESS)
            return HttpResponseRedirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import of %(file)s") % {"file": job.file_name},
            "job": job,
            "preview": Preview.from_json(job.preview) if job.preview else None,
            "can_confirm": can_confirm,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/scoring/importjob_status.html", context)
