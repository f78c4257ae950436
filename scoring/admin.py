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
from scoring.models import Band, BandScheme, Criterion, Framework, ImportJob, Index, Publication, Result, Score
from scoring.previews import Preview
from scoring.tasks import import_job_confirm


@admin.register(Index)
class IndexAdmin(admin.ModelAdmin):
    list_display = ["slug", "short_name", "name"]
    search_fields = ["slug", "name", "short_name"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Its name is on the public pages of its published frameworks (a used index cannot be deleted).
        services.public_version_bump(frameworks=obj.frameworks.all())


class BandInline(admin.TabularInline):
    model = Band
    extra = 0


@admin.register(BandScheme)
class BandSchemeAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    inlines = [BandInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Shared: its bands are public as soon as one published framework uses it (a used scheme cannot be deleted).
        services.public_version_bump(frameworks=form.instance.frameworks.all())


class CriterionFormSet(forms.BaseInlineFormSet):
    def clean(self):
        """The tree as edited must be whole: parents exist, maxima add up."""
        super().clean()
        if any(form.errors for form in self.forms):
            return  # each row's own errors first
        nodes = [
            engine.CriterionNode(form.cleaned_data["code"], form.cleaned_data["max_points"], form.cleaned_data["kind"])
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        errors = engine.tree_errors(nodes)
        if errors:
            raise ValidationError(errors)


class CriterionInline(admin.TabularInline):
    """The criteria tree, one row per node in order, indented by level."""

    model = Criterion
    formset = CriterionFormSet
    extra = 0
    fields = ["tree_position", "code", "name", "max_points", "kind", "component", "order"]
    readonly_fields = ["tree_position"]
    ordering = ["order", "code"]

    @admin.display(description=_("level"))
    def tree_position(self, criterion):
        if not criterion.pk:
            return ""
        # Indented with em spaces, not a style attribute, which the Content-Security-Policy refuses.
        return "\u2003" * (2 * criterion.depth) + ("└" if criterion.depth else "■")


class PublicationInline(admin.StackedInline):
    model = Publication
    extra = 0
    max_num = 1
    readonly_fields = ["published_at"]


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["name", "year", "scope", "block", "mode", "is_published", "results_updated_at"]
    list_filter = ["year", "block", "mode", "index", ("publication", admin.EmptyFieldListFilter)]
    search_fields = ["name", "slug", "scope"]
    autocomplete_fields = ["participants"]
    readonly_fields = ["results_version", "results_updated_at"]
    list_select_related = ["index", "publication"]
    inlines = [CriterionInline, PublicationInline]
    actions = ["recompute_results", "copy_to_next_year"]

    @admin.display(boolean=True, description=_("published"))
    def is_published(self, framework):
        return hasattr(framework, "publication")

    @transaction.atomic
    def save_related(self, request, form, formsets, change):
        # A publication the inline showed: the framework was public, even if the inline deletes it now.
        was_published = any(formset.model is Publication and formset.initial_form_count() for formset in formsets)
        super().save_related(request, form, formsets, change)
        services.criteria_tree_link(framework=form.instance)
        services.framework_results_recompute(framework=form.instance)  # moves the version if published now
        if was_published:
            services.public_version_bump(framework=form.instance, published=True)

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

    @admin.action(description=_("Copy to the next year"), permissions=["add"])
    def copy_to_next_year(self, request, queryset):
        """Each selected framework's draft round for the year after (``services.framework_copy``)."""
        copies = []
        for framework in queryset:
            try:
                copies.append(services.framework_copy(source=framework, year=framework.year + 1, user=request.user))
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
class ScoreAdmin(FrameworkImportMixin, admin.ModelAdmin):
    """Single cells, and whole files through Import; writes go through the
    services, so results are recomputed and changes audited."""

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
            framework=obj.criterion.framework, entries=[form.entry], user=request.user, source=_("admin form")
        )
        obj.pk = Score.objects.values_list("pk", flat=True).get(criterion=obj.criterion, unit=obj.unit)

    def delete_model(self, request, obj):
        services.scores_delete(scores=Score.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.scores_delete(scores=queryset)


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    """For the score form's autocomplete; criteria are edited in their framework."""

    search_fields = ["code", "name", "framework__slug"]
    list_display = ["framework", "code", "name", "max_points", "kind", "is_leaf"]
    list_filter = ["framework"]
    list_select_related = ["framework"]

    def has_module_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.public_version_bump(framework=obj.framework)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.public_version_bump(framework=obj.framework)

    def delete_queryset(self, request, queryset):
        framework_ids = set(queryset.values_list("framework", flat=True))
        super().delete_queryset(request, queryset)
        services.public_version_bump(frameworks=Framework.objects.filter(pk__in=framework_ids))


@admin.register(Result)
class ResultAdmin(FrameworkImportMixin, admin.ModelAdmin):
    """Stored results are computed, never typed: read-only here. A published-mode
    framework's decision table comes in through Import."""

    resource_classes = [ResultsResource]
    list_display = ["framework", "rank", "tied", "unit", "index", "band", "delta_index", "delta_rank", "is_sample"]
    list_filter = ["framework", "band", "is_sample"]
    search_fields = ["unit__code", "unit__name"]
    list_select_related = ["framework", "unit"]
    ordering = ["framework", "rank"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    """Publishing and withdrawing go through the services, which refresh the next year's deltas."""

    list_display = ["framework", "decision_number", "decision_date", "signer", "is_sample"]
    search_fields = ["decision_number", "framework__name"]
    autocomplete_fields = ["framework"]
    list_select_related = ["framework"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)  # a corrected number or date changes no figure
            services.public_version_bump(framework=obj.framework, published=True)  # but is on the pages
            return
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
