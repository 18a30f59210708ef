"""One factory per model, smallest valid defaults, fixed dates (no randomness)."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from portal.models import Agency, StaffProfile


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试局{n}")
    short_name = factory.LazyAttribute(lambda o: o.name)
    kind = Agency.Kind.DEPARTMENT
    org_code = ""
    office_name = factory.LazyAttribute(lambda o: f"{o.name}办公室")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.gov.cn")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")


class StaffFactory(UserFactory):
    """A staff user of ``agency`` with the given Django group names as roles."""

    is_staff = True

    @factory.post_generation
    def agency(self, create, extracted, **kwargs):
        if not create:
            return
        StaffProfile.objects.update_or_create(user=self, defaults={"agency": extracted or AgencyFactory()})

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        from django.contrib.auth.models import Group

        for name in extracted:
            group, _ = Group.objects.get_or_create(name=name)
            self.groups.add(group)
