"""Every product made before premium shares gets one share: the township takes the whole
premium, which is what every campaign did until then (Haimen's)."""

from django.db import migrations


def township_takes_all(apps, schema_editor):
    Product = apps.get_model("enrollment", "Product")
    PremiumShare = apps.get_model("enrollment", "PremiumShare")
    have = set(PremiumShare.objects.values_list("product_id", flat=True))
    PremiumShare.objects.bulk_create(
        PremiumShare(
            campaign_id=product.campaign_id,
            product_id=product.pk,
            payer="township",
            amount=None,
            takes_rest=True,
        )
        for product in Product.objects.exclude(pk__in=have)
    )


def forget(apps, schema_editor):
    apps.get_model("enrollment", "PremiumShare").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0015_premium_shares")]

    operations = [migrations.RunPython(township_takes_all, forget)]
