import re
from decimal import Decimal

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .access import roles_given_by
from .area_pickers import AreaChoiceField, picker_areas
from .models import Area, Insurer, User
from .roles import Role
from .text import INVISIBLE_MESSAGE, control_message, has_control_characters, is_invisible


def refuse_invisible(value: str) -> None:
    """A validator: text that shows nothing (only zero-width, direction or space characters)."""
    if is_invisible(value):
        raise forms.ValidationError(INVISIBLE_MESSAGE, code="invisible")


def refuse_control_characters(value: str, *, multiline: bool = False) -> None:
    """A validator: control characters; tab, newline and CR pass when ``multiline``."""
    if has_control_characters(value, multiline=multiline):
        raise forms.ValidationError(control_message(value, multiline=multiline), code="control")


class TextField(forms.CharField):
    """Free text people type (a name, a reason, an address): no control characters (a
    multi-line widget may have line breaks and tabs) and not only invisible characters. Every
    form of the project uses it for such text, so none can store what a page cannot show."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        multiline = isinstance(self.widget, forms.Textarea)
        self.validators.append(refuse_invisible)
        self.validators.append(lambda value: refuse_control_characters(value, multiline=multiline))


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。请注意密码区分大小写。",
        "inactive": "该账号已停用，请联系市计生委。",
    }


class UserForm(forms.Form):
    """Create or edit a user; the role decides whether an area or an insurer is needed."""

    username = forms.RegexField(
        label="用户名",
        max_length=50,
        regex=r"^[A-Za-z0-9_.\-]+$",
        error_messages={"invalid": "用户名只能包含英文字母、数字、下划线、点和短横线。"},
        help_text="登录时使用，例如 cadre_dongxing。",
    )
    full_name = TextField(label="姓名", max_length=50)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    area = AreaChoiceField(
        label="所属区域",
        queryset=Area.objects.none(),
        required=False,
        help_text="村（社区）计生专干选村（社区）；乡镇计生办和财政所选乡镇（园区）；"
        "县（区）计生委和县财政局选县（区）；市级和保险公司留空。",
    )
    insurer = forms.ModelChoiceField(
        label="所属保险公司",
        queryset=Insurer.objects.none(),
        required=False,
        help_text="仅保险公司人员填写。",
    )

    def __init__(self, *args, actor, editing: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # The roles and areas this manager may give (a county officer: its county's).
        roles = roles_given_by(actor)
        self.fields["role"].choices = [(role, Role(role).label) for role in roles]
        areas = Area.objects.for_user(actor).exclude(kind=Area.Kind.CITY)
        self.fields["area"].queryset = picker_areas(areas)
        insurers = Insurer.objects.for_user(actor)
        self.fields["insurer"].queryset = (
            insurers if Role.INSURER_STAFF in roles else Insurer.objects.none()
        )
        if editing is not None:
            self.fields["username"].disabled = True
            self.fields["username"].required = False


def date_field(label: str, **kwargs) -> forms.DateField:
    """A date picked in the browser's own date control, with the messages in Chinese."""
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": f"请填写{label}。", "invalid": f"{label}不是有效的日期。"},
        **kwargs,
    )


class YuanField(forms.DecimalField):
    """An amount as people write it: 1200.00, 1,200.00 or ¥1,200.00 all read as 1200.00."""

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"[\s,，¥￥元]", "", value)
        return super().to_python(value)


def yuan_field(label: str, *, max_digits: int = 12, minimum: str = "0.01", **kwargs) -> YuanField:
    """An amount in yuan, to the fen, with the messages in Chinese."""
    name = label.split("（")[0]
    return YuanField(
        label=label,
        max_digits=max_digits,
        decimal_places=2,
        min_value=Decimal(minimum),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "required": f"请填写{name}。",
            "invalid": f"{name}请填写数字，例如 1200.00。",
            "min_value": f"{name}必须大于 0。" if Decimal(minimum) > 0 else f"{name}不能为负数。",
            "max_decimal_places": f"{name}最多保留两位小数（精确到分）。",
            "max_digits": f"{name}数额过大。",
            "max_whole_digits": f"{name}数额过大。",
        },
        **kwargs,
    )
