"""The dashboards: the city's (townships) and a township's (villages), for one campaign."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.generic import TemplateView

from enrollment.models import Campaign
from enrollment.views.reports import chosen_campaign

from .dashboard import dashboard
from .models import Area
from .roles import CITY_ROLES, Role


def phase_calendar(campaign: Campaign) -> list[dict]:
    """The four phases with their deadlines and whether each is past, current or to come."""
    today = timezone.localdate()
    phases, current_found = [], False
    for label, deadline in campaign.phases:
        if deadline < today:
            state = "past"
        elif not current_found:
            state, current_found = "current", True
        else:
            state = "coming"
        phases.append({"label": label, "deadline": deadline, "state": state})
    return phases


class _DashboardPage(PermissionRequiredMixin, TemplateView):
    permission_required = "haimen_insurance.view_dashboard"
    template_name = "haimen_insurance/dashboard.html"
    township = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        campaign = chosen_campaign(user, self.request.GET.get("campaign", ""))
        context.update(
            campaign=campaign,
            township=self.township,
            campaigns=Campaign.objects.for_user(user).order_by("-year"),
            city_link=self.township is not None and user.role in CITY_ROLES,
        )
        if campaign is not None:
            board = dashboard(campaign=campaign, user=user, township=self.township)
            context.update(board=board, phases=phase_calendar(campaign))
        return context


class DashboardView(_DashboardPage):
    """The city dashboard; a township officer is sent to their own township's."""

    def get(self, request, *args, **kwargs):
        if request.user.role == Role.TOWNSHIP_OFFICER:
            return redirect("dashboard_township", request.user.area_id)
        if request.user.role not in CITY_ROLES:
            raise PermissionDenied
        return super().get(request, *args, **kwargs)


class TownshipDashboardView(_DashboardPage):
    def get(self, request, *args, **kwargs):
        self.township = get_object_or_404(
            Area.objects.for_user(request.user).townships(), pk=kwargs["pk"]
        )
        return super().get(request, *args, **kwargs)
