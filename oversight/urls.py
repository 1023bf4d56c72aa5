"""The roof's pages, included by the root URL conf without a namespace (the names are used
across every app's templates and the permission matrix)."""

from django.urls import path

from haimen_insurance.jobs.models import JobKind

from . import views

urlpatterns = [
    path("workbench/", views.WorkbenchView.as_view(), name="workbench"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path(
        "dashboard/counties/<int:pk>/",
        views.CountyDashboardView.as_view(),
        name="dashboard_county",
    ),
    path(
        "dashboard/townships/<int:pk>/",
        views.TownshipDashboardView.as_view(),
        name="dashboard_township",
    ),
    path("assessment/", views.AssessmentView.as_view(), name="assessment"),
    path(
        "assessment/counties/<int:pk>/",
        views.CountyAssessmentView.as_view(),
        name="assessment_county",
    ),
    path("assessment/review.xlsx", views.AssessmentXlsxView.as_view(), name="review_xlsx"),
    path("assessment/review.pdf", views.ReviewPdfView.as_view(), name="review_pdf"),
    path(
        "assessment/review-job/xlsx/",
        views.ReviewJobView.as_view(kind=JobKind.REVIEW_WORKBOOK),
        name="review_xlsx_job",
    ),
    path(
        "assessment/review-job/pdf/",
        views.ReviewJobView.as_view(kind=JobKind.REVIEW_PDF),
        name="review_pdf_job",
    ),
    path(
        "dashboard/townships/<int:pk>/review/",
        views.TownshipReviewView.as_view(),
        name="township_review",
    ),
]
