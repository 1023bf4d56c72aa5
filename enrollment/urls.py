"""Each view module owns its routes (``urlpatterns`` at its foot); all live in this namespace."""

from .views import (
    campaigns,
    county_reports,
    households,
    imports,
    policies,
    reports,
    roster_exports,
    rosters,
    verification,
)

app_name = "enrollment"

urlpatterns = [
    *households.urlpatterns,
    *imports.urlpatterns,
    *verification.urlpatterns,
    *campaigns.urlpatterns,
    *rosters.urlpatterns,
    *reports.urlpatterns,
    *county_reports.urlpatterns,
    *roster_exports.urlpatterns,
    *policies.urlpatterns,
]
