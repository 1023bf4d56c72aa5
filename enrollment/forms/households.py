"""Forms for the register: add or edit a certificate; revoke it or record that it moved away."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from haimen_insurance.forms import TextField

from ..models import Household
from ..services.households import EDITABLE_FIELDS, VILLAGE_PAYER, clean_household_values


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _id_input():
    return forms.TextInput(
        attrs={"autocomplete": "off", "spellcheck": "false", "placeholder": "18位，末位可为X"}
    )


class HouseholdForm(forms.Form):
    """The fields a village cadre enters; the service checks IDs and uniqueness."""

    certificate_no = TextField(
        label="证号", max_length=40, error_messages={"required": "请填写证号。"}
    )
    hukou = forms.ChoiceField(
        label="户籍性质",
        choices=[("", "请选择"), *Household.Hukou.choices],
        error_messages={"required": "请选择户籍性质。"},
    )
    certificate_date = forms.DateField(label="领证日期", required=False, widget=_date_input())
    receives_reward = forms.BooleanField(
        label="领取独生子女父母奖励金", required=False, initial=True
    )
    employer_name = TextField(
        label="奖励金发放单位",
        max_length=100,
        required=False,
        help_text="留空表示由村集体发放；由企事业单位发放的填写单位名称。",
        widget=forms.TextInput(attrs={"placeholder": VILLAGE_PAYER}),
    )
    phone = forms.CharField(label="联系电话", max_length=40, required=False)
    address = TextField(label="家庭住址", max_length=200, required=False)
    child_name = TextField(
        label="子女姓名", max_length=50, error_messages={"required": "请填写子女姓名。"}
    )
    child_id_number = forms.CharField(
        label="子女身份证号",
        max_length=30,
        widget=_id_input(),
        error_messages={"required": "请填写子女身份证号。"},
        help_text="15位旧号会自动升级为18位。",
    )
    child_birth_date = forms.DateField(
        label="子女出生日期",
        widget=_date_input(),
        error_messages={"required": "请填写子女出生日期。"},
    )
    child_sex = forms.ChoiceField(
        label="子女性别",
        choices=[("", "请选择"), *Household.Sex.choices],
        error_messages={"required": "请选择子女性别。"},
    )
    father_name = TextField(label="父亲姓名", max_length=50, required=False)
    father_id_number = forms.CharField(
        label="父亲身份证号", max_length=30, required=False, widget=_id_input()
    )
    mother_name = TextField(label="母亲姓名", max_length=50, required=False)
    mother_id_number = forms.CharField(
        label="母亲身份证号", max_length=30, required=False, widget=_id_input()
    )

    SECTIONS = (
        ("独生子女证", ("certificate_no", "certificate_date", "hukou", "receives_reward")),
        ("子女", ("child_name", "child_id_number", "child_birth_date", "child_sex")),
        ("父亲", ("father_name", "father_id_number")),
        ("母亲", ("mother_name", "mother_id_number")),
        ("奖励金与联系方式", ("employer_name", "phone", "address")),
    )

    @classmethod
    def initial_from(cls, household: Household) -> dict:
        return {field: getattr(household, field) for field in EDITABLE_FIELDS}

    def sections(self):
        """(title, bound fields) per fieldset, in the order a paper certificate reads."""
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            # Some fields failed already, so the service will not run: check the rest (IDs against
            # birth date and sex, parents) now, so that every reason shows in one go.
            values = {field: cleaned.get(field) for field in EDITABLE_FIELDS}
            try:
                clean_household_values(values, today=timezone.localdate())
            except ValidationError as error:
                for field, reasons in error.message_dict.items():
                    if field in self.fields and field not in self.errors:
                        self.add_error(field, reasons)
        return cleaned

    def service_fields(self) -> dict:
        return {field: self.cleaned_data[field] for field in EDITABLE_FIELDS}


class HouseholdLeaveForm(forms.Form):
    """Revoke a certificate (注销) or record that the family moved away (迁出), with the reason."""

    REVOKE = "revoke"
    MOVE_AWAY = "move_away"

    kind = forms.ChoiceField(
        label="处理方式",
        choices=[(REVOKE, "注销"), (MOVE_AWAY, "迁出")],
        initial=REVOKE,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择注销还是迁出。"},
    )
    reason = TextField(
        label="原因",
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="例如：再生育子女，证件收回；全家迁往外地。",
        error_messages={"required": "请填写原因。"},
    )
