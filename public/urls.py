"""The public site's pages, under a language prefix (none for Vietnamese, /en/ for English)."""

from django.urls import path

from public import views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("rankings/<slug:slug>/", views.ranking, name="ranking"),
    path("rankings/<slug:slug>/method/", views.ranking_method, name="ranking_method"),
    path("compare/", views.compare, name="compare"),
    path("units/", views.unit_search, name="unit_search"),
    path("units/<str:code>/", views.unit_profile, name="unit_profile"),
    path("units/<str:code>/evidence/<int:evidence_id>/", views.evidence_file, name="evidence_file"),
    path("statistics/", views.statistics_index, name="statistics_index"),
    path("statistics/<str:code>/", views.province_statistics, name="province_statistics"),
]
