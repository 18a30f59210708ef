from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = "年度报告"

    def ready(self) -> None:
        from disclosure.desk import register

        # its entries in the staff navigation and its panel on the 工作台 (portal/staff_desk.py)
        register()
