"""Each view module owns its routes (``urlpatterns`` at its foot); all live in this namespace."""

from .views import households, imports, verification

app_name = "enrollment"

urlpatterns = [
    *households.urlpatterns,
    *imports.urlpatterns,
    *verification.urlpatterns,
]
