"""Which villages' figures each writing transaction changed: the log the figures kept between
requests are checked against (``selectors.village_cache``).

PostgreSQL triggers (migrations 0012 and 0014) write it, one statement at a time, whatever
writes the tables — a service, an import's COPY, a roll-over, a test's fixture: the villages
whose households, roster entries, insured persons or rosters a statement wrote, and the ID
numbers of the insured persons it wrote. Nothing else writes these rows; the SQLite demo has no
triggers and counts its figures directly.
"""

import uuid

from django.db import models


class FigureChange(models.Model):
    """What one statement changed, tagged with its transaction's id (``txid``): a village
    (``village_id``); an insured person's ID number in a campaign (``campaign_id`` and
    ``id_number``); every ID number of a campaign (``campaign_id`` and an empty ``id_number``,
    for a statement of more than a thousand insured persons); every village and ID number of a
    campaign (``campaign_id`` alone: insured persons whose line was deleted before them, so
    their village is not known); or everything (all three empty)."""

    txid = models.BigIntegerField("事务号")
    village_id = models.BigIntegerField("村（社区）", null=True)
    campaign_id = models.BigIntegerField("参保年度", null=True)
    id_number = models.CharField("身份证号", max_length=18, null=True)

    class Meta:
        verbose_name = "统计变更记录"
        verbose_name_plural = "统计变更记录"
        indexes = [models.Index(fields=["txid"], name="figurechange_txid")]

    def __str__(self):
        what = self.village_id or self.id_number or self.campaign_id or "全部"
        return f"{self.txid}: {what}"


class FigureLog(models.Model):
    """The log's one row: ``epoch`` names the log (a new one after the tables were emptied, so
    nothing counted before is trusted), rows of transactions before ``horizon`` have been
    pruned, and ``candidate`` (a snapshot, taken at ``candidate_at``) is the next horizon."""

    epoch = models.UUIDField(default=uuid.uuid4)
    horizon = models.BigIntegerField(default=0)
    candidate = models.TextField()
    candidate_at = models.DateTimeField()

    class Meta:
        verbose_name = "统计变更记录状态"
        verbose_name_plural = "统计变更记录状态"

    def __str__(self):
        return str(self.epoch)
