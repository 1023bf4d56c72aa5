"""The 后台任务 page, the progress partial a starting page polls, and the result download."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from ..audit import audit_download
from .models import Job, sees_every_job
from .services import job_checked, jobs_fail_stale

PARTIAL = "haimen_insurance/jobs/_job.html"


def _jobs(user):
    return Job.objects.for_user(user).select_related("started_by")


class JobListView(View):
    """Each user's own jobs, newest first; city officers and leaders see everybody's."""

    def get(self, request):
        jobs = _jobs(request.user)
        jobs_fail_stale(jobs)
        page = Paginator(jobs, 20).get_page(request.GET.get("page"))
        context = {
            "page": page,
            "days": settings.JOBS_RESULT_DAYS,
            "sees_every_job": sees_every_job(request.user),
        }
        return render(request, "haimen_insurance/jobs/list.html", context)


class JobProgressView(View):
    """One job as the partial the page swaps in every two seconds while it runs. With
    ``?follow=1`` a finished job that made something to look at sends the browser there."""

    def get(self, request, pk):
        job = job_checked(get_object_or_404(_jobs(request.user), pk=pk))
        follow = request.GET.get("follow") == "1"
        if follow and job.status == Job.Status.DONE and job.result_url:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = job.result_url
            return response
        return render(request, PARTIAL, {"job": job, "follow": follow})


class JobDownloadView(View):
    """A job's file, for the person who started it (it was made with their rights), until it
    expires."""

    def get(self, request, pk):
        job = get_object_or_404(
            _jobs(request.user).filter(started_by=request.user), pk=pk, status=Job.Status.DONE
        )
        if not job.result_file:
            raise Http404("这个任务没有结果文件。")
        if job.expired:
            messages.error(request, "这个文件已过保留期并已删除，请重新导出。")
            return redirect("job_list")
        try:
            handle = job.result_file.open("rb")
        except FileNotFoundError:
            messages.error(request, "找不到这个文件（可能已被清理），请重新导出。")
            return redirect("job_list")
        if job.result_audit:
            audit_download(
                actor=request.user,
                export=job.result_audit,
                rows=job.result_rows or 0,
                obj=job,
                area=job.area,
            )
        return FileResponse(handle, as_attachment=True, filename=job.result_name)
