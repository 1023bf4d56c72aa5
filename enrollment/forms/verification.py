"""The conditions of the verification page: the age date and the age limit (a GET form)."""

from datetime import date
from urllib.parse import urlencode

from django import forms
from django.utils import timezone

DEFAULT_AGE_LIMIT = 14


def default_age_date() -> date:
    """1 January of next year: only a starting value for the form while no campaign is open.
    Once one is, its age date and age limit are the defaults; the page always states the date
    used."""
    return date(timezone.localdate().year + 1, 1, 1)


NO_CAMPAIGN_HELP = "默认取明年 1 月 1 日，只是一个起始值；核查结果始终按这里填写的日期判定。"


class VerificationForm(forms.Form):
    age_date = forms.DateField(
        label="年龄判定日",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=NO_CAMPAIGN_HELP,
    )
    age_limit = forms.IntegerField(
        label="年龄界限（周岁）",
        min_value=1,
        max_value=18,
        help_text="子女在年龄判定日未满此年龄的家庭符合条件。",
    )

    @classmethod
    def from_query(cls, query, *, campaign=None) -> "VerificationForm":
        """Bound to the query string, with the defaults for what it leaves out — the age date
        and age limit of ``campaign`` (the current one), or next 1 January and 14 without one —
        so the page shows figures at once and a wrong value comes back as the user typed it,
        with the error."""
        data = query.copy()
        if campaign is None:
            data.setdefault("age_date", default_age_date().isoformat())
            data.setdefault("age_limit", str(DEFAULT_AGE_LIMIT))
        else:
            data.setdefault("age_date", campaign.age_date.isoformat())
            data.setdefault("age_limit", str(campaign.age_limit))
        form = cls(data)
        if campaign is not None:
            form.fields["age_date"].help_text = (
                f"默认取{campaign}的年龄判定日（{campaign.age_date:%Y-%m-%d}）和年龄界限"
                f"（{campaign.age_limit} 周岁）；核查结果始终按这里填写的条件判定。"
            )
        return form

    def clean_age_date(self):
        value = self.cleaned_data["age_date"]
        if not 1990 <= value.year <= 2100:
            raise forms.ValidationError("年龄判定日应在 1990 年至 2100 年之间。")
        return value

    def query_string(self) -> str:
        """The valid conditions as a query string, for links that must keep them."""
        return urlencode(
            {
                "age_date": f"{self.cleaned_data['age_date']:%Y-%m-%d}",
                "age_limit": self.cleaned_data["age_limit"],
            }
        )
