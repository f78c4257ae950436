from django.urls import path

from scoring import views

app_name = "scoring"

urlpatterns = [
    path("", views.home, name="home"),
    path("rankings/<slug:slug>/", views.ranking, name="ranking"),
    path("compare/", views.compare, name="compare"),
]
