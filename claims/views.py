"""Claim pages: report for an insured person, the claim with its checklist, decision, payment and
timeline; the insurer's queue; the claims register and its export."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from enrollment.models import InsuredPerson, Policy
from haimen_insurance.access import deny_unless
from haimen_insurance.audit import audit_download, readable_changes
from haimen_insurance.models import AuditEvent
from haimen_insurance.money import format_yuan
from haimen_insurance.privacy import shown_id

from . import access, services
from .documents import checklist
from .exports import claims_workbook
from .filters import ClaimFilter
from .forms import ApproveForm, ClaimForm, DocumentForm, EscalateForm, PayForm, RejectForm
from .models import Claim, ClaimDocument
from .selectors import (
    AWAITING_DECISION,
    DOOR_DELIVERY_FROM,
    cap_line,
    insurer_queue,
    suggested_amount,
)
from .tables import ClaimTable
from .tasks import start_claims_export

PER_PAGE = 50


def _claims(user):
    return Claim.objects.for_user(user).select_related(
        "person", "village__parent", "policy__product", "insurer"
    )


class ClaimListView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    """The claims register of the user's area (or insurer), with days to settle."""

    permission_required = access.VIEW
    template_name = "claims/claim_list.html"
    table_class = ClaimTable
    filterset_class = ClaimFilter
    table_pagination = {"per_page": PER_PAGE}

    def get_queryset(self):
        return _claims(self.request.user).order_by("-reported_at", "-pk")

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            can_report=access.may_report_claims(user),
            can_see_queue=access.may_see_queue(user),
            **kwargs,
        )


class ClaimExportView(ClaimListView):
    """The filtered register as a spreadsheet: at once while small, else a background job."""

    def get(self, request, *args, **kwargs):
        claims = ClaimFilter(request.GET, queryset=self.get_queryset(), request=request).qs
        if claims.count() > settings.JOBS_IMMEDIATE_ROWS:
            job, _ = start_claims_export(actor=request.user, query=request.GET.urlencode())
            messages.info(request, "理赔登记较多，正在后台导出；完成后在「后台任务」中下载。")
            return redirect(job)
        name = f"理赔登记_{timezone.localdate():%Y%m%d}.xlsx"
        writer = claims_workbook(claims, full_ids=request.user.sees_full_ids)
        response = writer.response(name)
        if request.user.sees_full_ids:
            audit_download(actor=request.user, export="理赔登记（Excel）", rows=writer.rows_written)
        return response


class ClaimQueueView(PermissionRequiredMixin, SingleTableMixin, TemplateView):
    """The insurer's queue: overdue first, then by due date."""

    permission_required = access.DECIDE
    template_name = "claims/claim_queue.html"
    table_class = ClaimTable
    table_pagination = {"per_page": PER_PAGE}

    def get_table_data(self):
        return insurer_queue(self.request.user)

    def get_table_kwargs(self):
        return {"exclude": ("settle", "standard")}


class PersonSearchView(PermissionRequiredMixin, TemplateView):
    """Find the insured person among the issued policies in scope, to report for them."""

    permission_required = access.REPORT
    template_name = "claims/person_search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()
        user = self.request.user
        persons = []
        if query:
            persons = list(
                InsuredPerson.objects.for_user(user)
                .filter(
                    Q(name__contains=query) | Q(id_number=query.upper()),
                    entry_product__policy__status=Policy.Status.ISSUED,
                )
                .select_related(
                    "entry_product__policy__village",
                    "entry_product__product",
                    "entry_product__entry",
                )
                .order_by("name", "pk")[:PER_PAGE]
            )
            for person in persons:
                person.shown_id = shown_id(person.id_number, full=user.sees_full_ids)
        context.update(query=query, persons=persons)
        return context


class ClaimCreateView(PermissionRequiredMixin, FormView):
    permission_required = access.REPORT
    template_name = "claims/claim_form.html"
    form_class = ClaimForm

    @cached_property
    def person(self) -> InsuredPerson:
        persons = (
            InsuredPerson.objects.for_user(self.request.user)
            .filter(entry_product__policy__status=Policy.Status.ISSUED)
            .select_related(
                "entry_product__policy__village", "entry_product__product", "entry_product__entry"
            )
        )
        return get_object_or_404(persons, pk=self.kwargs["person"])

    def get_context_data(self, **kwargs):
        person = self.person
        return super().get_context_data(
            person=person,
            policy=person.entry_product.policy,
            shown_id=shown_id(person.id_number, full=self.request.user.sees_full_ids),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            claim = services.claim_report(
                actor=self.request.user, person=self.person, **form.cleaned_data
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"已报案，案件号 {claim.number}。请按材料清单收集理赔材料，齐全后移交保险公司。",
        )
        if claim.late_report:
            messages.warning(
                self.request,
                "本次报案距出险已超过 48 小时，已受理，记为延迟报案。",
            )
        return redirect(claim)


class ClaimDetailView(PermissionRequiredMixin, DetailView):
    permission_required = access.VIEW
    template_name = "claims/claim_detail.html"
    context_object_name = "claim"

    def get_queryset(self):
        return _claims(self.request.user).select_related(
            "policy__entry_product__entry", "reported_by", "decided_by"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claim, user = self.object, self.request.user
        documents = {document.item: document for document in claim.documents.all()}
        line = cap_line(claim)
        events = (
            AuditEvent.objects.for_user(user)
            .filter(object_type="claims.claim", object_id=str(claim.pk))
            .select_related("actor")
        )
        waiting = claim.status in AWAITING_DECISION
        context.update(
            shown_id=shown_id(claim.person.id_number, full=user.sees_full_ids),
            checklist=[
                {
                    "code": code,
                    "label": label,
                    "required": required,
                    "document": documents.get(code),
                }
                for code, label, required in checklist(claim.benefit, claim=claim)
            ],
            line=line,
            suggested=suggested_amount(claim, line) if waiting else None,
            timeline=[
                (event, readable_changes(event, full_ids=user.sees_full_ids))
                for event in events.order_by("at", "pk")
            ],
            can_view_scans=access.may_view_scan(user, claim),
            can_tick_documents=access.may_tick_documents(user, claim),
            can_remove_documents=access.may_remove_document(user, claim),
            can_complete=access.may_complete_documents(user, claim),
            can_submit=access.may_submit(user, claim),
            can_decide=access.may_decide(user, claim),
            can_escalate=access.may_escalate(user, claim),
            can_pay=access.may_pay(user, claim),
            can_close=access.may_close(user, claim),
            door_delivery_from=DOOR_DELIVERY_FROM,
            show_due=claim.due_date is not None and waiting,
            disability_percent=claim.disability_percent,
            document_form=DocumentForm(initial={"received_on": timezone.localdate()}),
            reject_form=RejectForm(),
            escalate_form=EscalateForm(),
            pay_form=PayForm(
                initial={"paid_on": timezone.localdate(), "amount": claim.approved_amount}
            ),
            other_claims=_claims(user)
            .filter(policy__household=claim.policy.household_id)
            .exclude(pk=claim.pk),
        )
        context["approve_form"] = ApproveForm(initial={"amount": context["suggested"]})
        return context


class _ClaimAction(PermissionRequiredMixin, View):
    """A POST that moves a claim one step through its service; refusals come back as messages."""

    http_method_names = ["post"]
    permission_required = access.VIEW
    form_class = None

    def post(self, request, pk):
        claim = get_object_or_404(_claims(request.user), pk=pk)
        values = {}
        if self.form_class is not None:
            form = self.form_class(request.POST, request.FILES)
            if not form.is_valid():
                for errors in form.errors.values():
                    for error in errors:
                        messages.error(request, error)
                return redirect(claim)
            values = form.cleaned_data
        try:
            claim = self.act(request.user, claim, **values)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, self.done(claim))
        return redirect(claim)


class DocumentTickView(_ClaimAction):
    permission_required = access.REPORT
    form_class = DocumentForm

    def act(self, user, claim, *, item, received_on, file):
        services.claim_document_tick(
            actor=user, claim=claim, item=item, received_on=received_on, file=file
        )
        return claim

    def done(self, claim):
        return "已登记收到的材料。"


class DocumentRemoveView(_ClaimAction):
    permission_required = access.REPORT

    def post(self, request, pk, item):
        self.item = item
        return super().post(request, pk)

    def act(self, user, claim):
        services.claim_document_remove(actor=user, claim=claim, item=self.item)
        return claim

    def done(self, claim):
        return "已撤销这项材料。"


class DocumentsCompleteView(_ClaimAction):
    permission_required = access.REPORT

    def act(self, user, claim):
        return services.claim_documents_complete(actor=user, claim=claim)

    def done(self, claim):
        return "材料已齐全，可以移交保险公司。"


class SubmitView(_ClaimAction):
    permission_required = access.REPORT

    def act(self, user, claim):
        return services.claim_submit(actor=user, claim=claim)

    def done(self, claim):
        return f"已移交保险公司，应于 {claim.due_date:%Y-%m-%d} 前结案。"


class EscalateView(_ClaimAction):
    permission_required = access.DECIDE
    form_class = EscalateForm

    def act(self, user, claim, *, reason):
        return services.claim_escalate(actor=user, claim=claim, reason=reason)

    def done(self, claim):
        return f"已作为疑难案件上报，应于 {claim.due_date:%Y-%m-%d} 前答复。"


class ApproveView(_ClaimAction):
    permission_required = access.DECIDE
    form_class = ApproveForm

    def act(self, user, claim, *, amount):
        return services.claim_approve(actor=user, claim=claim, amount=amount)

    def done(self, claim):
        return f"已核定赔付 {format_yuan(claim.approved_amount)} 元。"


class RejectView(_ClaimAction):
    permission_required = access.DECIDE
    form_class = RejectForm

    def act(self, user, claim, *, code, text):
        return services.claim_reject(actor=user, claim=claim, code=code, text=text)

    def done(self, claim):
        return f"已拒赔：{claim.get_rejection_code_display()}。"


class PayView(_ClaimAction):
    permission_required = access.DECIDE
    form_class = PayForm

    def act(self, user, claim, **values):
        return services.claim_pay(actor=user, claim=claim, **values)

    def done(self, claim):
        return f"已赔付 {format_yuan(claim.paid_amount)} 元（{claim.paid_on:%Y-%m-%d}）。"


class CloseView(_ClaimAction):
    permission_required = access.DECIDE

    def act(self, user, claim):
        return services.claim_close(actor=user, claim=claim)

    def done(self, claim):
        return "已结案。"


class DocumentFileView(PermissionRequiredMixin, View):
    """A scan, to those who see the claim."""

    permission_required = access.VIEW

    def get(self, request, pk, document):
        claim = get_object_or_404(_claims(request.user), pk=pk)
        deny_unless(access.may_view_scan(request.user, claim), access.SCAN_VIEWERS_ONLY)
        scan = get_object_or_404(ClaimDocument, claim=claim, pk=document)
        if not scan.file:
            raise Http404("没有扫描件。")
        return FileResponse(scan.file.open("rb"), filename=scan.file.name.rsplit("/", 1)[-1])


urlpatterns = [
    path("", ClaimListView.as_view(), name="claim_list"),
    path("export.xlsx", ClaimExportView.as_view(), name="claim_export"),
    path("queue/", ClaimQueueView.as_view(), name="claim_queue"),
    path("new/", PersonSearchView.as_view(), name="person_search"),
    path("new/<int:person>/", ClaimCreateView.as_view(), name="claim_create"),
    path("<int:pk>/", ClaimDetailView.as_view(), name="claim_detail"),
    path("<int:pk>/documents/", DocumentTickView.as_view(), name="document_tick"),
    path(
        "<int:pk>/documents/<str:item>/remove/",
        DocumentRemoveView.as_view(),
        name="document_remove",
    ),
    path(
        "<int:pk>/documents/<int:document>/file/",
        DocumentFileView.as_view(),
        name="document_file",
    ),
    path("<int:pk>/complete/", DocumentsCompleteView.as_view(), name="documents_complete"),
    path("<int:pk>/submit/", SubmitView.as_view(), name="claim_submit"),
    path("<int:pk>/escalate/", EscalateView.as_view(), name="claim_escalate"),
    path("<int:pk>/approve/", ApproveView.as_view(), name="claim_approve"),
    path("<int:pk>/reject/", RejectView.as_view(), name="claim_reject"),
    path("<int:pk>/pay/", PayView.as_view(), name="claim_pay"),
    path("<int:pk>/close/", CloseView.as_view(), name="claim_close"),
]
