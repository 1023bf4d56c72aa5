"""Where a page's server time goes: SQL, template rendering, the view's own Python, middleware.

    import pageprofile  # scripts/ is on the path of a script run from it

    pageprofile.install()              # before the first request of any test client
    parts = pageprofile.breakdown(client, url, runs=20)
    print(pageprofile.line("roster page", parts))

``install`` wraps Django's handler once: the time inside ``BaseHandler._get_response`` (URL
resolution, the view, and rendering its TemplateResponse) is told apart from the rest (the
middleware around it, the test client's own work), the time inside ``Template.render`` of the
template backend (the page's outermost templates) from the view, and the time of each SQL
query (an ``execute_wrapper``) from both. ``breakdown`` gives the median of each part over
``runs`` requests: total, sql, template (without the SQL run while rendering), view (the
view's Python, without SQL), middleware (total minus ``_get_response``); and the CPU of this
process (median and least) and of its PostgreSQL backend (mean) a request.
"""

import os
import statistics
import time

_clock = {"handler": 0.0, "template": 0.0, "sql": 0.0, "sql_in_template": 0.0}
_depth = {"template": 0}
_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    from django.core.handlers.base import BaseHandler
    from django.template.backends.django import Template

    handler_call = BaseHandler._get_response
    render = Template.render

    def timed_get_response(self, request):
        start = time.perf_counter()
        try:
            return handler_call(self, request)
        finally:
            _clock["handler"] += time.perf_counter() - start

    def timed_render(self, *args, **kwargs):
        _depth["template"] += 1
        start = time.perf_counter()
        try:
            return render(self, *args, **kwargs)
        finally:
            _depth["template"] -= 1
            if not _depth["template"]:
                _clock["template"] += time.perf_counter() - start

    BaseHandler._get_response = timed_get_response
    Template.render = timed_render
    _installed = True


def _sql_wrapper(execute, sql, params, many, context):
    start = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        spent = time.perf_counter() - start
        _clock["sql"] += spent
        if _depth["template"]:
            _clock["sql_in_template"] += spent


def _backend_cpu(connection) -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (same machine, Linux;
    0 elsewhere). Clock ticks of 10 ms: meaningful as a median or a sum over many requests."""
    try:
        pid = connection.connection.info.backend_pid
    except AttributeError:  # psycopg2
        pid = connection.connection.get_backend_pid()
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(client, url: str) -> dict[str, float]:
    """One GET of ``url``: milliseconds in each part, and its query count."""
    from django.db import connection

    for key in _clock:
        _clock[key] = 0.0
    queries = []

    def counting(execute, sql, params, many, context):
        queries.append(sql)
        return _sql_wrapper(execute, sql, params, many, context)

    connection.ensure_connection()
    backend = _backend_cpu(connection)
    with connection.execute_wrapper(counting):
        cpu = time.process_time()
        start = time.perf_counter()
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        total = time.perf_counter() - start
        cpu = time.process_time() - cpu
    backend = _backend_cpu(connection) - backend
    assert response.status_code == 200, (url, response.status_code)
    template = _clock["template"] - _clock["sql_in_template"]
    view = _clock["handler"] - _clock["template"] - (_clock["sql"] - _clock["sql_in_template"])
    return {
        "total": total * 1000,
        "sql": _clock["sql"] * 1000,
        "template": template * 1000,
        "view": view * 1000,
        "middleware": (total - _clock["handler"]) * 1000,
        "queries": len(queries),
        "cpu": cpu * 1000,
        "db_cpu": backend * 1000,
    }


def breakdown(client, url: str, runs: int = 20, warmups: int = 2) -> dict[str, float]:
    """The median of each part over ``runs`` GETs after ``warmups``."""
    install()
    for _ in range(warmups):
        measure(client, url)
    samples = [measure(client, url) for _ in range(runs)]
    parts = {key: statistics.median(sample[key] for sample in samples) for key in samples[0]}
    # The backend's CPU is counted in clock ticks: the mean over the runs, not the median.
    parts["db_cpu"] = sum(sample["db_cpu"] for sample in samples) / len(samples)
    # The least CPU of a run: what the request costs with the least interference from other
    # work on the machine (which slows every instruction, not only the wall clock).
    parts["cpu_min"] = min(sample["cpu"] for sample in samples)
    return parts


def line(label: str, parts: dict[str, float]) -> str:
    return (
        f"{label:<34}{parts['total']:>8.1f}ms  sql {parts['sql']:6.1f} ({parts['queries']:.0f} q)"
        f"  template {parts['template']:6.1f}  view {parts['view']:6.1f}"
        f"  middleware {parts['middleware']:5.1f}"
        f"  | cpu {parts['cpu']:6.1f} (least {parts['cpu_min']:5.1f}) + db {parts['db_cpu']:5.1f}"
    )
