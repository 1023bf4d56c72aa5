"""Permission-matrix rows for enrollment/views/roster_exports.py (see tests/permissions.py)."""

from tests.enrollment.routes_reports import REPORT_READERS, a_report
from tests.enrollment.routes_rosters import READERS, a_roster
from tests.permissions import Row

ROWS = {
    "enrollment:roster_pdf": Row(READERS, target=a_roster),
    "enrollment:roster_xlsx": Row(READERS, target=a_roster),
    "enrollment:township_report_pdf": Row(REPORT_READERS, target=a_report),
    "enrollment:township_report_xlsx": Row(REPORT_READERS, target=a_report),
}
