from django.urls import path

from units import views

app_name = "units"

urlpatterns = [
    path("units/", views.search, name="search"),
    path("units/<str:code>/", views.profile, name="profile"),
]
