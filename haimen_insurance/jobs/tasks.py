"""The floor's own task: the sweep of dead jobs and expired files."""

import logging

from .queue import task
from .services import jobs_fail_stale, jobs_remove_expired

logger = logging.getLogger("haimen_insurance.jobs")


@task()
def jobs_sweep() -> dict:
    """End the jobs whose worker died and delete the expired result files. Queued, deferred,
    for the moment each result file expires (``services._schedule_sweep``); also
    ``manage.py jobs_sweep``."""
    found = {"stale": jobs_fail_stale(), "removed": jobs_remove_expired()}
    logger.info("jobs sweep: %s", found)
    return found
