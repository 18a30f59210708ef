from django.apps import AppConfig


class RequestsAppConfig(AppConfig):
    name = "requests_app"
    verbose_name = "依申请公开"

    def ready(self) -> None:
        from catalog.guard import register_name_source
        from portal.signals import work_calendar_changed
        from requests_app.selectors import names_for_notice
        from requests_app.services import on_work_calendar_changed

        # A changed holiday table recomputes every open request's deadline in its years.
        work_calendar_changed.connect(
            on_work_calendar_changed, dispatch_uid="requests_app.recompute_deadlines"
        )
        # the publication guard looks for the applicant's and third parties' names in
        # notices drafted from requests (第四十四条)
        register_name_source(names_for_notice)
        # its entry in the staff navigation and its panel on the 工作台 (portal/staff_desk.py)
        from requests_app.desk import register

        register()
