from django.apps import AppConfig


class RequestsAppConfig(AppConfig):
    name = "requests_app"
    verbose_name = "依申请公开"

    def ready(self) -> None:
        from portal.signals import work_calendar_changed
        from requests_app.services import on_work_calendar_changed

        # A changed holiday table recomputes every open request's deadline in its years.
        work_calendar_changed.connect(
            on_work_calendar_changed, dispatch_uid="requests_app.recompute_deadlines"
        )
