"""Forms of the roster page: one household's decision, the search, and a return reason."""

from django import forms

from haimen_insurance.forms import TextField

from ..models import RosterEntry

DECLINE_SUGGESTIONS = (
    "家庭自愿放弃",
    "已参加其他商业保险",
    "全家外出务工，联系不上",
    "子女已户口迁出",
)
NOT_ELIGIBLE_SUGGESTIONS = ("子女已满 14 周岁", "非农业户口", "未领取独生子女父母奖励金", "再生育")


class EntryDecisionForm(forms.Form):
    """Enrolled with shares per product, or declined / not eligible with a reason."""

    decision = forms.ChoiceField(
        label="参保情况", choices=RosterEntry.Decision.choices, widget=forms.RadioSelect
    )
    reason = TextField(
        label="原因",
        required=False,
        max_length=200,
        help_text="自愿放弃或不符合条件时必填，可从建议中选择或自己填写。",
        widget=forms.TextInput(attrs={"list": "reason-suggestions"}),
    )

    def __init__(self, *args, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.products = list(products)
        for product in self.products:
            self.fields[f"shares_{product.code}"] = forms.IntegerField(
                label=f"{product}（每份 {product.premium} 元）",
                min_value=0,
                max_value=10,
                initial=1,
                help_text="填 0 表示不参加这个险种。",
            )

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision == RosterEntry.Decision.ENROLLED:
            shares = self.shares()
            if shares is not None and not any(shares.values()):
                raise forms.ValidationError("参保至少选择一个险种（份数大于 0）。")
        elif decision and not cleaned.get("reason", "").strip():
            self.add_error("reason", f"请填写{RosterEntry.Decision(decision).label}的原因。")
        return cleaned

    def shares(self):
        """{product: shares} as entered, or None while a share field is invalid."""
        values = {}
        for product in self.products:
            value = self.cleaned_data.get(f"shares_{product.code}")
            if value is None:
                return None
            values[product] = value
        return values

    def share_fields(self):
        return [self[f"shares_{product.code}"] for product in self.products]


class RosterSearchForm(forms.Form):
    STATES = [
        ("", "全部"),
        ("undecided", "未处理"),
        (RosterEntry.Decision.ENROLLED, "参保"),
        (RosterEntry.Decision.DECLINED, "自愿放弃"),
        (RosterEntry.Decision.NOT_ELIGIBLE, "不符合条件"),
    ]

    q = forms.CharField(
        label="查找",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "姓名、证号或身份证号"}),
    )
    state = forms.ChoiceField(label="参保情况", required=False, choices=STATES)


class RosterReturnForm(forms.Form):
    reason = TextField(
        label="退回原因",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="村（社区）专干会在名册上看到这段话。",
    )
