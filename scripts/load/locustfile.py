"""Village cadres at the deadline, as `make load` (scripts/load_test.py) drives them.

Each simulated cadre logs in with its own account (``load001``, ``load002``, ...: the prefix,
the number of accounts and the password come from the environment), so no two of them edit the
same roster. After logging in (the login page, its static files once, the credentials) a cadre
opens the workbench and follows its "打开本村名册" link, then until the end of the run, with a
think time of ``HAIMEN_LOAD_WAIT`` seconds ("min,max") between actions:

- opens the workbench or the village roster;
- searches the roster by surname and filters it by state;
- records a decision: lists the undecided, enrolled or declined families, opens one family's
  form and saves it as enrolled (one share of each product) or declined (with a reason), then
  lands on the roster again as the browser would after the redirect. A person reads the list
  before opening a form and fills the form in before saving it, so these steps are a think
  time apart too; only the redirect after saving follows at once.

Every page must answer 200 (a redirect to the login page is a failure) and every save must
redirect to the roster; anything else counts as an error. With ``HAIMEN_LOAD_REQUESTS`` set,
every request is also written to that CSV file (seconds since the first request, name,
milliseconds, failed) when locust quits, for the driver's breakdown over time.
"""

import csv
import itertools
import os
import random
import re
import time
from urllib.parse import urlencode

from locust import FastHttpUser, between, events, task
from locust.exception import StopUser

PREFIX = os.environ.get("HAIMEN_LOAD_USER_PREFIX", "load")
ACCOUNTS = int(os.environ.get("HAIMEN_LOAD_ACCOUNTS", "100"))
PASSWORD = os.environ.get("HAIMEN_LOAD_PASSWORD", "Load-Haimen-2013")
WAIT = [float(value) for value in os.environ.get("HAIMEN_LOAD_WAIT", "2,8").split(",")]

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STATIC = re.compile(r'(?:href|src)="(/static/[^"]+)"')
ROSTER_LINK = re.compile(r'href="(/enrollment/rosters/\d+/)">打开本村名册')
ENTRY_LINK = re.compile(r'href="(/enrollment/rosters/\d+/households/\d+/)"')
SHARES = re.compile(r'name="(shares_[^"]+)"')
SURNAMES = "张王李赵刘陈杨黄周吴徐孙朱马胡郭林何高罗郑"
DECLINE_REASONS = ("家庭自愿放弃", "已参加其他商业保险", "全家外出务工，联系不上")
# What a cadre does to a family listed under each state (all of them are eligible families).
NEXT_DECISION = {"undecided": "enrolled", "enrolled": "declined", "declined": "enrolled"}

_numbers = itertools.count()
_requests: list[tuple[float, str, float, bool]] = []


@events.request.add_listener
def _record(name, response_time, exception, **kwargs):
    _requests.append((time.time() - response_time / 1000, name, response_time, bool(exception)))


@events.quit.add_listener
def _write_requests(**kwargs):
    path = os.environ.get("HAIMEN_LOAD_REQUESTS")
    if not path or not _requests:
        return
    start = min(started for started, *_ in _requests)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["started", "name", "ms", "failed"])
        for started, name, milliseconds, failed in sorted(_requests):
            writer.writerow([f"{started - start:.3f}", name, f"{milliseconds:.1f}", int(failed)])


class VillageCadre(FastHttpUser):
    wait_time = between(*WAIT)

    def on_start(self):
        self.username = f"{PREFIX}{next(_numbers) % ACCOUNTS + 1:03d}"
        login_page = self.page("/login/", "login page")
        for url in STATIC.findall(login_page):
            self.page(url, "static file")
        data = {
            "csrfmiddlewaretoken": self.token(login_page),
            "username": self.username,
            "password": PASSWORD,
            "next": "",
        }
        with self.client.post(
            "/login/", data=data, name="login", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"{self.username}: login answered {response.status_code}")
                raise StopUser()
        with self.client.get(
            "/workbench/", name="workbench", allow_redirects=False, catch_response=True
        ) as response:
            match = ROSTER_LINK.search(response.text) if response.status_code == 200 else None
            if match is None:
                response.failure(f"{self.username}: no 打开本村名册 on the workbench")
                raise StopUser()
        self.roster = match.group(1)

    def page(self, url: str, name: str) -> str:
        """GET a page that must answer 200; its text, or "" after recording the failure."""
        with self.client.get(
            url, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{self.username}: {url} answered {response.status_code}")
                return ""
            return response.text

    @staticmethod
    def token(html: str) -> str:
        match = CSRF.search(html)
        return match.group(1) if match else ""

    @task(2)
    def workbench(self):
        self.page("/workbench/", "workbench")

    @task(3)
    def roster_page(self):
        self.page(self.roster, "roster")

    @task(3)
    def roster_search(self):
        query = {"q": random.choice(SURNAMES), "state": random.choice(["", "undecided"])}
        self.page(f"{self.roster}?{urlencode(query)}", "roster search")

    @task(4)
    def decide(self):
        states = list(NEXT_DECISION)
        random.shuffle(states)
        for state in states:
            links = ENTRY_LINK.findall(self.page(f"{self.roster}?state={state}", "roster filter"))
            if links:
                break
        else:
            return
        self.wait()
        url = random.choice(links)
        form = self.page(url, "entry form")
        if not form:
            return
        self.wait()
        decision = NEXT_DECISION[state]
        if state == "undecided" and random.random() < 0.1:
            decision = "declined"
        data = {
            "csrfmiddlewaretoken": self.token(form),
            "decision": decision,
            "reason": random.choice(DECLINE_REASONS) if decision == "declined" else "",
            **dict.fromkeys(SHARES.findall(form), "1"),
        }
        with self.client.post(
            url, data=data, name="entry save", allow_redirects=False, catch_response=True
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code != 302 or not location.startswith(self.roster):
                response.failure(
                    f"{self.username}: saving {url} as {decision} answered "
                    f"{response.status_code} {location}"
                )
                return
        self.page(self.roster, "roster")
