from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "主动公开目录"

    def ready(self) -> None:
        from catalog.desk import register

        # its entries in the staff navigation and its panel on the 工作台 (portal/staff_desk.py)
        register()
