"""Forms for campaign set-up by the city officer: the year and its dates, one product, and the
insurer of each township. The services check the rules; these forms only parse what was typed."""

from datetime import date
from decimal import Decimal

from django import forms
from django.utils import timezone

from haimen_insurance.forms import date_field

from ..models import Campaign, PremiumShare, Product
from ..models.campaigns import DEFAULT_PRODUCTS, FIRST_YEAR, campaign_bound_errors, latest_year
from ..services.campaigns import CAMPAIGN_FIELDS, PRODUCT_FIELDS
from ..services.shares import ShareInput

PERCENT = Decimal(100)


def _yuan_field(label: str, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.00"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        error_messages={
            "required": f"请填写{label}。",
            "invalid": f"{label}请填写数字。",
            "min_value": f"{label}不能为负数。",
            "max_decimal_places": f"{label}最多保留两位小数。",
            "max_digits": f"{label}数额过大。",
            "max_whole_digits": f"{label}数额过大。",
        },
        **kwargs,
    )


def ratio_as_percent(ratio: Decimal) -> Decimal:
    """1.0000 → 100, 0.8500 → 85, 0.3333 → 33.33"""
    percent = (ratio * PERCENT).quantize(Decimal("0.01"))
    return percent.quantize(Decimal(1)) if percent == percent.to_integral_value() else percent


def new_campaign_initial(newest: Campaign | None, *, today: date) -> dict:
    """What a new year most likely looks like: the year after the newest campaign (or next
    year), cover for the calendar year, and the 2012 phase dates of docs/design.md moved along."""
    year = newest.year + 1 if newest is not None else today.year + 1
    return {
        "year": year,
        "coverage_start": date(year, 1, 1),
        "coverage_end": date(year, 12, 31),
        "age_limit": 14,
        "age_date": date(year, 1, 1),
        "verification_deadline": date(year - 1, 12, 21),
        "mobilisation_deadline": date(year - 1, 12, 26),
        "implementation_deadline": date(year - 1, 12, 31),
        "review_deadline": date(year, 1, 15),
    }


class CampaignForm(forms.Form):
    """The dates and age rule of a campaign; ``with_year`` adds the year for a new one."""

    year = forms.IntegerField(
        label="参保年度",
        error_messages={
            "required": "请填写参保年度。",
            "invalid": "参保年度请填写四位数字的年份。",
        },
        help_text="例如 2014：保险期间为 2014 年全年的一期参保。最多提前建立下一年度。",
    )
    coverage_start = date_field("保险期间起")
    coverage_end = date_field("保险期间止", help_text="保险期间一般为一年。")
    age_limit = forms.IntegerField(
        label="年龄界限（周岁）",
        initial=14,
        min_value=1,
        max_value=18,
        error_messages={
            "required": "请填写年龄界限。",
            "invalid": "年龄界限请填写整数。",
            "min_value": "年龄界限应在 1 到 18 周岁之间。",
            "max_value": "年龄界限应在 1 到 18 周岁之间。",
        },
        help_text="独生子女未满这一年龄才可参保，按规定为 14 周岁。",
    )
    age_date = date_field(
        "年龄判定日",
        required=False,
        help_text="按这一天的年龄判断子女是否符合条件，一般与保险期间起为同一天；"
        "留空即取保险期间起。例如年龄界限 14 周岁、判定日 2013-01-01 时，"
        "1999-01-01 出生的子女已满 14 周岁，不能参保；1999-01-02 出生的可以。",
    )
    verification_deadline = date_field("核查准备截止", help_text="乡镇核查各村符合条件的户数。")
    mobilisation_deadline = date_field("宣传发动截止", help_text="召开会议、培训村专干。")
    implementation_deadline = date_field(
        "全面实施截止", help_text="各村登记造册，乡镇审核上报，财政划拨保费。"
    )
    review_deadline = date_field("点评总结截止", help_text="逐级汇总、考核各乡镇。")

    SECTIONS = (
        ("保险期间与年龄条件", ("year", "coverage_start", "coverage_end", "age_limit", "age_date")),
        (
            "四个阶段的截止日期",
            (
                "verification_deadline",
                "mobilisation_deadline",
                "implementation_deadline",
                "review_deadline",
            ),
        ),
    )

    def __init__(self, *args, year: int | None = None, today: date | None = None, **kwargs):
        """A new campaign's form has the year; an existing campaign's (``year`` given) not."""
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.campaign_year = year
        if year is None:
            self.fields["year"].widget.attrs.update(min=FIRST_YEAR, max=latest_year(self.today))
        else:
            del self.fields["year"]

    @classmethod
    def initial_from(cls, campaign: Campaign) -> dict:
        return {name: getattr(campaign, name) for name in CAMPAIGN_FIELDS}

    def sections(self):
        return [
            (title, [self[name] for name in names if name in self.fields])
            for title, names in self.SECTIONS
        ]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("age_date") and cleaned.get("coverage_start"):
            cleaned["age_date"] = cleaned["coverage_start"]
        new = self.campaign_year is None
        year = cleaned.get("year") if new else self.campaign_year
        errors = campaign_bound_errors(year, cleaned, today=self.today, new=new)
        for name, message in errors.items():
            if name not in self.errors:
                self.add_error(name, message)
        return cleaned

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in CAMPAIGN_FIELDS}


class ProductForm(forms.Form):
    """One product's premium and caps; the reimbursement ratio is typed as a percentage."""

    premium = _yuan_field("每份保费（元）")
    accident_cap = _yuan_field("意外身故/伤残保额（元）")
    medical_cap = _yuan_field("意外医疗保额（元）")
    caps_per_person = forms.BooleanField(
        label="保额按人计",
        required=False,
        help_text="勾选：每位被保险人各享一份保额（如父母各自享有）；不勾选：一份保单共用保额。",
    )
    medical_deductible = _yuan_field(
        "医疗免赔额（元）", help_text="医疗费用先扣除这一数额再赔付；没有免赔额填 0。"
    )
    reimbursement_percent = forms.DecimalField(
        label="医疗赔付比例（%）",
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=PERCENT,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        error_messages={
            "required": "请填写医疗赔付比例。",
            "invalid": "医疗赔付比例请填写数字，例如 100。",
            "min_value": "医疗赔付比例应大于 0。",
            "max_value": "医疗赔付比例不能超过 100%%。",
            "max_decimal_places": "医疗赔付比例最多保留两位小数。",
            "max_digits": "医疗赔付比例不能超过 100%%。",
            "max_whole_digits": "医疗赔付比例不能超过 100%%。",
        },
        help_text="按比例赔付医疗费用，全额赔付填 100。",
    )

    FIELD_ORDER = (
        "premium",
        "accident_cap",
        "medical_cap",
        "caps_per_person",
        "medical_deductible",
        "reimbursement_percent",
    )

    def __init__(self, *args, product_label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.product_label = product_label

    @classmethod
    def initial_from(cls, values: dict) -> dict:
        """Form initial values from a product's values (a Product's fields or a defaults dict)."""
        initial = {name: values[name] for name in PRODUCT_FIELDS if name != "reimbursement_ratio"}
        initial["reimbursement_percent"] = ratio_as_percent(
            values.get("reimbursement_ratio", Decimal("1"))
        )
        return initial

    @classmethod
    def initial_from_product(cls, product: Product) -> dict:
        return cls.initial_from({name: getattr(product, name) for name in PRODUCT_FIELDS})

    @classmethod
    def defaults_for(cls, code: str) -> dict:
        return cls.initial_from({"medical_deductible": Decimal("0.00"), **DEFAULT_PRODUCTS[code]})

    def fields_in_order(self):
        return [self[name] for name in self.FIELD_ORDER]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        values = {name: data[name] for name in PRODUCT_FIELDS if name != "reimbursement_ratio"}
        values["reimbursement_ratio"] = data["reimbursement_percent"] / PERCENT
        return values


class TownshipInsurersForm(forms.Form):
    """One select per township: which insurer covers it in this campaign. The choices are one
    list shared by every select, so the page costs the same queries for 3 or 30 townships."""

    def __init__(self, *args, townships, insurers, current: dict, **kwargs):
        """``current`` maps township id → insurer id of the campaign's rows."""
        super().__init__(*args, **kwargs)
        self.townships = list(townships)
        self.insurers = {insurer.pk: insurer for insurer in insurers}
        self.current = current
        choices = [(pk, insurer.name) for pk, insurer in self.insurers.items()]
        for township in self.townships:
            has_row = township.pk in current
            self.fields[self.field_name(township)] = forms.TypedChoiceField(
                label=township.name,
                choices=choices if has_row else [("", "（未指定）"), *choices],
                coerce=int,
                empty_value=None,
                required=has_row,
                initial=current.get(township.pk),
                error_messages={
                    "required": f"请为{township.name}选择承保公司。",
                    "invalid_choice": f"{township.name}的承保公司不在可选范围内。",
                },
            )

    @staticmethod
    def field_name(township) -> str:
        return f"township_{township.pk}"

    def rows(self):
        """(township, bound field) in the townships' order."""
        return [(township, self[self.field_name(township)]) for township in self.townships]

    def changed_rows(self):
        """(township, field name, insurer) for every township whose choice differs from now."""
        changed = []
        for township in self.townships:
            name = self.field_name(township)
            insurer_id = self.cleaned_data.get(name)
            if insurer_id is not None and insurer_id != self.current.get(township.pk):
                changed.append((township, name, self.insurers[insurer_id]))
        return changed


class PremiumSharesForm(forms.Form):
    """A product's premium shares: an amount per share for each payer who pays a fixed part
    (blank: pays nothing), the one payer who takes the rest, and, where the city has counties,
    the counties whose amount differs from the county share's own."""

    rest = forms.ChoiceField(
        label="承担其余部分的一方",
        choices=PremiumShare.Payer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择承担其余部分的一方。"},
        help_text="每份保费减去其他各方的固定分担，余下的由这一方承担。",
    )

    def __init__(self, *args, counties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.counties = list(counties)
        if not self.counties:
            self.fields["rest"].choices = [
                choice
                for choice in PremiumShare.Payer.choices
                if choice[0] != PremiumShare.Payer.COUNTY
            ]
        for payer, label in PremiumShare.Payer.choices:
            if payer == PremiumShare.Payer.COUNTY and not self.counties:
                continue  # no counties in the tree: no county share to set
            self.fields[f"amount_{payer}"] = _yuan_field(f"{label}每份分担（元）", required=False)
        for county in self.counties:
            self.fields[f"county_{county.pk}"] = _yuan_field(f"{county.name}（元）", required=False)

    @classmethod
    def initial_from(cls, shares) -> dict:
        """The form's values for the current shares (PremiumShare rows with their
        ``county_amounts`` prefetched)."""
        initial = {}
        for share in shares:
            if share.takes_rest:
                initial["rest"] = share.payer
            else:
                initial[f"amount_{share.payer}"] = share.amount
            for amount in share.county_amounts.all():
                initial[f"county_{amount.county_id}"] = amount.amount
        return initial

    def payer_fields(self):
        return [self[name] for name in self.fields if name.startswith("amount_")]

    def county_fields(self):
        return [self[name] for name in self.fields if name.startswith("county_")]

    def share_inputs(self) -> list[ShareInput]:
        """The shares as the service takes them: each payer with an amount or the rest."""
        cleaned = self.cleaned_data
        by_county = {
            county.pk: cleaned[f"county_{county.pk}"]
            for county in self.counties
            if cleaned.get(f"county_{county.pk}") is not None
        }
        shares = []
        for payer in PremiumShare.Payer.values:
            amount = cleaned.get(f"amount_{payer}")
            takes_rest = cleaned.get("rest") == payer
            counties = by_county if payer == PremiumShare.Payer.COUNTY else None
            if amount is None and not takes_rest and not counties:
                continue
            shares.append(ShareInput(payer, None if takes_rest else amount, takes_rest, counties))
        return shares
