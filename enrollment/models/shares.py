"""The premium per policy shared between payers (保费分担): for each product of a campaign, the
city, the county (an amount that may differ per county), the township, the village collective
and the household itself each pay a share per share unit, and one share takes the rest.

The amounts due are never typed: ``enrollment.selectors.shares`` computes them from a township
report's lines. Haimen's campaigns have one share, the township's, taking the rest: the premium
as a whole, as before shares existed.
"""

from django.db import models
from django.db.models import Q

from haimen_insurance.models import Area

from .campaigns import Campaign, CampaignRowQuerySet, Product


class PremiumShare(models.Model):
    """One payer's share of a product's premium per share unit; ``takes_rest`` (amount None)
    pays what the others leave."""

    class Payer(models.TextChoices):
        CITY = "city", "市财政"
        COUNTY = "county", "县（区）财政"
        TOWNSHIP = "township", "乡镇"
        VILLAGE = "village", "村集体"
        HOUSEHOLD = "household", "农户自缴"

    campaign = models.ForeignKey(
        Campaign, verbose_name="参保年度", on_delete=models.CASCADE, related_name="premium_shares"
    )
    product = models.ForeignKey(
        Product, verbose_name="险种", on_delete=models.CASCADE, related_name="shares"
    )
    payer = models.CharField("分担方", max_length=10, choices=Payer.choices)
    amount = models.DecimalField(
        "每份分担（元）", max_digits=10, decimal_places=2, null=True, blank=True
    )
    takes_rest = models.BooleanField("承担其余部分", default=False)

    objects = CampaignRowQuerySet.as_manager()

    class Meta:
        verbose_name = "保费分担"
        verbose_name_plural = "保费分担"
        ordering = ["product", "payer"]
        constraints = [
            models.UniqueConstraint(fields=["product", "payer"], name="share_once_per_payer"),
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(takes_rest=True),
                name="share_one_rest_per_product",
                violation_error_message="每个险种只能有一方承担其余部分。",
            ),
            models.CheckConstraint(
                condition=Q(takes_rest=True, amount__isnull=True)
                | Q(takes_rest=False, amount__gte=0),
                name="share_amount_or_rest",
                violation_error_message="分担金额不能为负数；承担其余部分的一方不填金额。",
            ),
        ]

    def __str__(self):
        return f"{self.product} {self.get_payer_display()}"


class CountyShareAmount(models.Model):
    """The county share's amount for one county, where it differs from the share's own."""

    share = models.ForeignKey(
        PremiumShare,
        verbose_name="保费分担",
        on_delete=models.CASCADE,
        related_name="county_amounts",
    )
    county = models.ForeignKey(
        Area, verbose_name="县（区）", on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField("每份分担（元）", max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = "县（区）分担金额"
        verbose_name_plural = "县（区）分担金额"
        ordering = ["share", "county__code"]
        constraints = [
            models.UniqueConstraint(fields=["share", "county"], name="county_share_once"),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="county_share_not_negative",
                violation_error_message="分担金额不能为负数。",
            ),
        ]

    def __str__(self):
        return f"{self.share} {self.county}"


class PayerOffice(models.TextChoices):
    """The finance office that records a transfer (资金划拨) of a township report."""

    TOWNSHIP = "township", "乡镇财政所"
    COUNTY = "county", "县（区）财政局"
    CITY = "city", "市财政局"


# Which finance office transfers each share: the township's finance office transfers the money
# collected locally (the township's, the village collectives' and the households' own), the
# county's and the city's their own.
PAYER_OFFICE = {
    PremiumShare.Payer.CITY: PayerOffice.CITY,
    PremiumShare.Payer.COUNTY: PayerOffice.COUNTY,
    PremiumShare.Payer.TOWNSHIP: PayerOffice.TOWNSHIP,
    PremiumShare.Payer.VILLAGE: PayerOffice.TOWNSHIP,
    PremiumShare.Payer.HOUSEHOLD: PayerOffice.TOWNSHIP,
}
# What a transfer's voucher and the awaited list call each office's money.
AWAITED_LABEL = {
    PayerOffice.TOWNSHIP: "待乡镇财政所划拨",
    PayerOffice.COUNTY: "待县（区）财政划拨",
    PayerOffice.CITY: "待市财政划拨",
}
