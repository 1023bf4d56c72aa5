"""(placeholder: routes of this module are added by the work on rosters)"""

urlpatterns = []
