"""The roof's forms: a scoring rule of the assessment and the written part of the review."""

from decimal import Decimal

from django import forms

from haimen_insurance.forms import TextField

from .models import AssessmentRule


class AssessmentRuleForm(forms.Form):
    """One scoring rule. Where the city has counties (``counties``) the officer chooses whom it
    scores, the townships or the counties; elsewhere the choice is not shown and the rule
    scores the townships (the service refuses a county rule there, with its message)."""

    level = forms.ChoiceField(
        label="考核对象",
        choices=AssessmentRule.Level.choices,
        required=False,
        initial=AssessmentRule.Level.TOWNSHIP,
    )
    metric = forms.ChoiceField(label="考核项目", choices=[])
    threshold = forms.DecimalField(
        label="达标线（%）",
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        error_messages={
            "required": "请填写达标线。",
            "min_value": "达标线应大于 0%。",
            "max_value": "达标线不能超过 100%。",
        },
    )
    points = forms.DecimalField(
        label="分值",
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages={"required": "请填写分值。", "min_value": "分值必须大于 0。"},
    )
    pro_rata = forms.BooleanField(label="未达标按比例得分", required=False, initial=True)

    def __init__(self, *args, counties: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = AssessmentRule.Metric.choices
        if not counties:
            self.fields["level"].widget = forms.HiddenInput()

    def clean_level(self) -> str:
        return self.cleaned_data["level"] or AssessmentRule.Level.TOWNSHIP


class ReviewNoteForm(forms.Form):
    """The written part of the review: 肯定成绩 / 找出不足 / 完善措施 (at least one)."""

    achievements = TextField(
        label="肯定成绩",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    shortcomings = TextField(
        label="找出不足",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    measures = TextField(
        label="完善措施",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(value.strip() for value in cleaned.values()):
            raise forms.ValidationError("请至少填写肯定成绩、找出不足、完善措施中的一项。")
        return cleaned
