from django.contrib.auth import views as auth_views
from django.urls import path

from staff import assessment_views, editor_views, history_views, import_views, round_views, statistics_views, views

app_name = "staff"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="staff/login.html", next_page="staff:dashboard"),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="staff:login"), name="logout"),
    path("frameworks/new/", editor_views.framework_new, name="framework_new"),  # before the slug pattern
    path("frameworks/<slug:slug>/", views.framework, name="framework"),
    path("frameworks/<slug:slug>/edit/", editor_views.framework_edit, name="framework_edit"),
    path("frameworks/<slug:slug>/english/", editor_views.framework_english, name="framework_english"),
    path("frameworks/<slug:slug>/workflow/", views.workflow, name="workflow"),
    path("frameworks/<slug:slug>/scores.xlsx", views.scores_workbook, name="scores_workbook"),
    path("frameworks/<slug:slug>/import/", import_views.scores_upload, name="scores_upload"),
    path("frameworks/<slug:slug>/assessment/<str:code>/", assessment_views.self_assessment, name="self_assessment"),
    path(
        "frameworks/<slug:slug>/assessment/<str:code>/evidence/",
        assessment_views.evidence_upload,
        name="evidence_upload",
    ),
    path(
        "frameworks/<slug:slug>/assessment/<str:code>/evidence/<int:evidence_id>/remove/",
        assessment_views.evidence_remove,
        name="evidence_remove",
    ),
    path("frameworks/<slug:slug>/round/", round_views.round_page, name="round"),
    path("frameworks/<slug:slug>/appraisal/<str:code>/", assessment_views.appraisal_page, name="appraisal"),
    path("evidence/<int:evidence_id>/", assessment_views.evidence_file, name="evidence_file"),
    path("evidence/<int:evidence_id>/public/", assessment_views.evidence_public, name="evidence_public"),
    path("statistics/", statistics_views.statistics_upload, name="statistics_upload"),
    path("statistics/template.xlsx", statistics_views.statistics_template, name="statistics_template"),
    path("notifications/", assessment_views.notification_list, name="notifications"),
    path("imports/<int:job_id>/", import_views.import_job, name="import_job"),
    path("imports/<int:job_id>/confirm/", import_views.import_job_confirm_view, name="import_job_confirm"),
    path("frameworks/<slug:slug>/units/<str:code>/", views.unit_grid, name="unit_grid"),
    path("frameworks/<slug:slug>/criteria/<str:code>/", views.criterion_grid, name="criterion_grid"),
    path("frameworks/<slug:slug>/history/", history_views.framework_history, name="framework_history"),
    path("frameworks/<slug:slug>/history/<int:revision_id>/", history_views.revision, name="revision"),
    path("units/<str:code>/history/", history_views.unit_history, name="unit_history"),
]
