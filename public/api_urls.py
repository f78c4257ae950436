from django.urls import path

from public import api

app_name = "api"

urlpatterns = [
    path("frameworks/", api.frameworks, name="frameworks"),
    path("frameworks/<slug:slug>/results/", api.framework_results, name="framework_results"),
    path("units/<str:code>/results/", api.unit_results, name="unit_results"),
    path("units/<str:code>/statistics/", api.unit_statistics, name="unit_statistics"),
    path("statistics/<str:code>/", api.province_statistics, name="province_statistics"),
]
