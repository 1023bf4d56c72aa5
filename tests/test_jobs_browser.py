"""Done-when of the background jobs, in Chromium with a real worker (``manage.py db_worker``):
a township officer uploads a large register, watches its check, leaves the page, comes back and
confirms, watches the import; the city officer starts the roll-over and downloads the city's
policy list the same way. Screenshots: test-artifacts/screenshots/jobs_*.png.

The register has ``ROWS`` rows; the phases' times are printed."""

import contextlib
import os
import re
import time

import pytest
from openpyxl import load_workbook
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from enrollment.models import Campaign, Household
from enrollment.services.policies import policies_issue, transfer_record
from haimen_insurance.jobs.models import Job
from tests.browser import login, open_page, screenshot
from tests.enrollment.conftest import (
    build_campaign,
    build_household,
    build_reported_report,
    transfer_values,
)
from tests.enrollment.test_register_files import household_values, write_csv

pytestmark = pytest.mark.browser

# 20,000 in the suite; JOBS_BROWSER_ROWS=50000 for the full size (run by hand).
ROWS = int(os.environ.get("JOBS_BROWSER_ROWS", 20_000))
LONG = 180_000  # ms: a job's whole run on a busy machine


def issued_year(world):
    """2013, with 海门镇's 120 families enrolled, funded and issued (240 policies)."""
    campaign = build_campaign()
    for n in range(120):
        build_household(world.village_a1 if n % 2 else world.village_a2, child_name=f"续保{n}")
    report = build_reported_report(campaign, world.town_a)
    transfer_record(actor=None, report=report, **transfer_values(report))
    report.refresh_from_db()
    policies_issue(actor=None, report=report)
    return campaign


def test_large_work_runs_in_the_background_and_its_progress_shows(
    browser, page, live_server, world, job_worker, settings, tmp_path
):
    settings.JOBS_IMMEDIATE_BYTES = 20_000
    settings.JOBS_IMMEDIATE_ROWS = 100
    campaign = issued_year(world)
    rows = [
        household_values(f"BIG{n:06d}", village="东兴村" if n % 2 else "新河村")
        for n in range(ROWS)
    ]
    path = write_csv(tmp_path / "海门镇登记.csv", rows)
    job_worker()
    started = time.monotonic()

    # The township officer uploads; the check runs in the background.
    login(page, live_server, world.user("township_a"))
    upload_url = f"{live_server.url}/enrollment/register-import/"
    page.goto(upload_url)
    page.locator("#id_file").set_input_files(str(path))
    page.get_by_role("button", name="上传并检查").click()
    card = page.locator(".hm-job").first
    expect(card).to_contain_text("检查独生子女证登记文件")
    expect(page.get_by_role("alert").first).to_contain_text("正在后台检查")
    screenshot(page, "jobs_register_check_started")

    # Leaves the page, comes back: the check leads to its preview when done.
    page.goto(f"{live_server.url}/")
    page.goto(upload_url)
    card = page.locator(".hm-job").first
    if card.get_attribute("data-job-status") == "done":
        card.get_by_role("link", name="查看结果").click()
    page.wait_for_url(re.compile(r"/register-import/\d+/$"), timeout=LONG)
    expect(page.locator("main")).to_contain_text("检查通过，还没有写入任何数据")
    screenshot(page, "jobs_register_preview")

    # Confirms; the import runs in the background and shows its progress.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="确认导入").click()
    card = page.locator(".hm-job").first
    expect(card).to_contain_text("导入独生子女证登记")
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    preview_url = page.url
    if card.get_attribute("data-job-status") != "done":
        expect(card.locator("progress")).to_be_visible()
        with contextlib.suppress(PlaywrightTimeout):  # unless it ends between two polls
            page.wait_for_selector(
                '.hm-job[data-job-status="running"] progress[value]', timeout=60_000
            )
        screenshot(page, "jobs_register_import_progress")
        page.goto(f"{live_server.url}/")  # leaves, and comes back
        page.goto(preview_url)
    expect(page.locator(".hm-job").first).to_have_attribute("data-job-status", "done", timeout=LONG)
    expect(page.locator("main")).to_contain_text(f"导入完成：新增 {ROWS} 户", timeout=LONG)
    screenshot(page, "jobs_register_import_done")
    assert Household.objects.filter(certificate_no__startswith="BIG").count() == ROWS
    for job in Job.objects.order_by("pk"):
        print(f"{job.get_kind_display()}: {job.seconds:.1f} s in the worker")
    print(f"upload to imported, in the browser: {time.monotonic() - started:.1f} s")

    # The city officer rolls the year over and downloads the city's policy list.
    context, city, _ = open_page(browser, live_server, [])
    login(city, live_server, world.user("city"))
    city.goto(f"{live_server.url}{campaign.get_absolute_url()}")
    city.get_by_role("button", name="续保：生成下一年度").click()
    roll_over = city.locator(".hm-job", has_text="续保生成下一年度")
    expect(roll_over).to_have_attribute("data-job-status", "done", timeout=LONG)
    expect(roll_over).to_contain_text("已生成2014年度：上年度参保家庭 120 户仍符合条件")
    screenshot(city, "jobs_roll_over_done")

    city.get_by_role("button", name="导出全市保单清单（后台进行）").click()
    export = city.locator(".hm-job", has_text="导出保单清单")
    expect(export).to_have_attribute("data-job-status", "done", timeout=LONG)
    screenshot(city, "jobs_policy_list_done")
    with city.expect_download() as download:
        export.get_by_role("link", name=re.compile("下载")).click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert download.value.suggested_filename == "2013年度保单清单_全市.xlsx"
    sheet = load_workbook(saved, read_only=True).worksheets[0]
    assert sheet.max_row == 1 + 240 + 1

    # The 后台任务 page lists the city's view of every job.
    city.goto(f"{live_server.url}/jobs/")
    expect(city.locator(".hm-job")).to_have_count(Job.objects.count())
    screenshot(city, "jobs_list_city")
    city.set_viewport_size({"width": 375, "height": 812})
    assert city.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(city, "jobs_list_city_phone")
    assert Campaign.objects.filter(year=2014).exists()
    context.close()
