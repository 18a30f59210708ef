from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "门户基础"

    def ready(self) -> None:
        from portal.staff_desk import register_portal_entries

        # 工作台, 用户与权限 and 管理后台 in the staff navigation (the other apps add theirs)
        register_portal_entries()
