"""Give the staff role groups the (read-only) admin permissions of this app.

承办人, 审核人 and 管理员 may view requests (scoped to their agency by the admin) and
the PII access log of their agency; 管理员 may also read the 告知书 templates.
State changes never go through the admin: they are services. Permissions are created
here first because post_migrate has not run on a fresh database."""

from django.db import migrations

GRANTS = {
    "承办人": ["view_inforequest"],
    "审核人": ["view_inforequest", "view_piiaccesslog"],
    "管理员": ["view_inforequest", "view_piiaccesslog", "view_replytemplate"],
}


def _permissions(apps, codenames):
    from django.contrib.auth.management import create_permissions

    Permission = apps.get_model("auth", "Permission")
    config = apps.get_app_config("requests_app")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    return Permission.objects.filter(content_type__app_label="requests_app", codename__in=codenames)


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(apps, codenames))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, codenames in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0005_withdrawn_before_confirmation"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
