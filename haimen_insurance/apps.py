from django.apps import AppConfig


class HaimenInsuranceConfig(AppConfig):
    name = "haimen_insurance"
    verbose_name = "基础设置"

    def ready(self):
        from django.db.models.signals import post_migrate

        from .roles import sync_role_groups

        post_migrate.connect(sync_role_groups)
