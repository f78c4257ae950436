from django.contrib.auth import views as auth_views
from django.urls import path

from staff import views

app_name = "staff"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="staff/login.html", next_page="staff:dashboard"),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="staff:login"), name="logout"),
    path("frameworks/<slug:slug>/", views.framework, name="framework"),
    path("frameworks/<slug:slug>/workflow/", views.workflow, name="workflow"),
    path("frameworks/<slug:slug>/units/<str:code>/", views.unit_grid, name="unit_grid"),
    path("frameworks/<slug:slug>/criteria/<str:code>/", views.criterion_grid, name="criterion_grid"),
]
