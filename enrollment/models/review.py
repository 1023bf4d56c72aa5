"""The written part of the year's review (点评总结): 「总结点评，肯定成绩，找出不足，完善措施」,
written by the city officer for the city and by each township officer for their township."""

from django.conf import settings
from django.db import models

from haimen_insurance.models import Area

from .campaigns import Campaign, CampaignRowQuerySet, campaign_scope


class ReviewNoteQuerySet(CampaignRowQuerySet):
    def for_user(self, user):
        """The city roles read every area's text; a township's roles read their township's."""
        return (
            super()
            .for_user(user)
            .filter(campaign_scope(user, campaign="campaign", township="area"))
        )


class ReviewNote(models.Model):
    """One area's review text for one campaign: what went well, what fell short, what to do."""

    FIELDS = ("achievements", "shortcomings", "measures")

    campaign = models.ForeignKey(
        Campaign, verbose_name="参保年度", on_delete=models.CASCADE, related_name="review_notes"
    )
    area = models.ForeignKey(
        Area, verbose_name="区域", on_delete=models.PROTECT, related_name="review_notes"
    )
    achievements = models.TextField("肯定成绩", blank=True)
    shortcomings = models.TextField("找出不足", blank=True)
    measures = models.TextField("完善措施", blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="填写人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField("填写时间", auto_now=True)

    objects = ReviewNoteQuerySet.as_manager()

    class Meta:
        verbose_name = "点评总结"
        verbose_name_plural = "点评总结"
        ordering = ["campaign", "area__code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "area"], name="review_note_once_per_area")
        ]

    def __str__(self):
        return f"{self.campaign} {self.area.name}点评总结"

    @property
    def written(self) -> bool:
        return any(getattr(self, name).strip() for name in self.FIELDS)
