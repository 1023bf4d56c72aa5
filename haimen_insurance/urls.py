from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from . import views
from .forms import LoginForm
from .jobs import views as job_views
from .programmes import programme

admin.site.site_header = f"{programme().city}独生子女保险参保管理系统 · 后台"
admin.site.site_title = "参保管理后台"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        login_not_required(
            auth_views.LoginView.as_view(
                authentication_form=LoginForm, redirect_authenticated_user=True
            )
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("areas/", views.AreaListView.as_view(), name="area_list"),
    path("areas/<int:pk>/", views.AreaDetailView.as_view(), name="area_detail"),
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/new/", views.UserCreateView.as_view(), name="user_create"),
    path("users/<int:pk>/", views.UserDetailView.as_view(), name="user_detail"),
    path("users/<int:pk>/edit/", views.UserUpdateView.as_view(), name="user_update"),
    path(
        "users/<int:pk>/deactivate/",
        views.UserActionView.as_view(action="deactivate"),
        name="user_deactivate",
    ),
    path(
        "users/<int:pk>/activate/",
        views.UserActionView.as_view(action="activate"),
        name="user_activate",
    ),
    path(
        "users/<int:pk>/reset-password/",
        views.UserActionView.as_view(action="reset_password"),
        name="user_reset_password",
    ),
    path("audit/", views.AuditListView.as_view(), name="audit_list"),
    path("audit/export.xlsx", views.AuditExportView.as_view(), name="audit_export"),
    path("jobs/", job_views.JobListView.as_view(), name="job_list"),
    path("jobs/<int:pk>/progress/", job_views.JobProgressView.as_view(), name="job_progress"),
    path("jobs/<int:pk>/download/", job_views.JobDownloadView.as_view(), name="job_download"),
    path("enrollment/", include("enrollment.urls")),
    path("claims/", include("claims.urls")),
    path("", include("oversight.urls")),
    path("admin/", admin.site.urls),
]
# Uploaded files (claim scans) are never served from MEDIA_URL, not even by the demo server:
# only the claim's own view, scoped to who may see the claim, sends them.
