"""The verification page (核查) per township and the city roll-up, with xlsx export."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import TemplateView

from haimen_insurance.models import Area

from .. import access
from ..exports import verification_workbook
from ..forms.verification import VerificationForm
from ..selectors.campaigns import current_campaign
from ..selectors.verification import city_verification, township_verification


class _VerificationMixin(PermissionRequiredMixin):
    permission_required = "enrollment.view_verification"

    @cached_property
    def form(self) -> VerificationForm:
        return VerificationForm.from_query(self.request.GET, campaign=current_campaign())

    def townships(self):
        return Area.objects.for_user(self.request.user).townships().select_related("parent")

    def verification(self, township: Area | None):
        """The figures, or None while the conditions in the form are not valid."""
        if not self.form.is_valid():
            return None
        conditions = {
            "user": self.request.user,
            "age_date": self.form.cleaned_data["age_date"],
            "age_limit": self.form.cleaned_data["age_limit"],
        }
        if township is None:
            return city_verification(**conditions)
        return township_verification(township=township, **conditions)


class _VerificationPage(_VerificationMixin, TemplateView):
    template_name = "enrollment/verification.html"
    township = None

    def get_context_data(self, **kwargs):
        verification = self.verification(self.township)
        query = export_url = ""
        if verification is not None:
            query = self.form.query_string()
            township = f"township={self.township.pk}&" if self.township else ""
            export_url = f"{reverse('enrollment:verification_export')}?{township}{query}"
        return super().get_context_data(
            form=self.form,
            township=self.township,
            verification=verification,
            query=query,
            export_url=export_url,
            city_link=self.township is not None and access.may_see_city_overview(self.request.user),
            **kwargs,
        )


class VerificationCityView(_VerificationPage):
    """The city roll-up by township; a township officer is sent to their own township's page."""

    def get(self, request, *args, **kwargs):
        if access.sees_one_township(request.user):
            url = reverse("enrollment:verification_township", args=[request.user.area_id])
            query = request.GET.urlencode()
            return redirect(f"{url}?{query}" if query else url)
        return super().get(request, *args, **kwargs)


class VerificationTownshipView(_VerificationPage):
    def get(self, request, *args, **kwargs):
        self.township = get_object_or_404(self.townships(), pk=kwargs["pk"])
        return super().get(request, *args, **kwargs)


class VerificationExportView(_VerificationMixin, View):
    """The page's figures as xlsx: ``?township=<pk>`` for a township, none for the city (a
    township officer without it gets their own township)."""

    def get(self, request):
        township = None
        township_pk = request.GET.get("township", "")
        if township_pk:
            if not township_pk.isdigit():
                raise Http404("没有这个乡镇（园区）。")
            township = get_object_or_404(self.townships(), pk=township_pk)
        elif access.sees_one_township(request.user):
            township = get_object_or_404(self.townships(), pk=request.user.area_id)
        verification = self.verification(township)
        if verification is None:
            # Back to the page, which shows what was wrong with the conditions.
            page = (
                reverse("enrollment:verification_township", args=[township.pk])
                if township
                else reverse("enrollment:verification")
            )
            return redirect(f"{page}?{request.GET.urlencode()}")
        filename = f"核查汇总_{verification.name}_{verification.age_date:%Y%m%d}.xlsx"
        return verification_workbook(verification).response(filename)


urlpatterns = [
    path("verification/", VerificationCityView.as_view(), name="verification"),
    path(
        "verification/<int:pk>/",
        VerificationTownshipView.as_view(),
        name="verification_township",
    ),
    path("verification/export/", VerificationExportView.as_view(), name="verification_export"),
]
