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
    review_body = "株洲市天元区人民政府"
    court = "株洲市天元区人民法院"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True  # the hooks below save what they change

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.gov.cn")
    password = factory.django.Password("correct-horse-battery")


class StaffFactory(UserFactory):
    """A staff user of ``agency`` with the given Django group names as roles."""

    is_staff = True

    @factory.post_generation
    def agency(self, create, extracted, **kwargs):
        if not create:
            return
        StaffProfile.objects.update_or_create(
            user=self, defaults={"agency": extracted or AgencyFactory()}
        )

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        from django.contrib.auth.models import Group

        for name in extracted:
            group, _ = Group.objects.get_or_create(name=name)
            self.groups.add(group)


# --- catalog (catalog-core) ------------------------------------------------------------


class ThemeFactory(factory.django.DjangoModelFactory):
    """A 主题分类; the 22 seeded themes exist already (migration 0002)."""

    class Meta:
        model = "catalog.Theme"

    name = factory.Sequence(lambda n: f"测试主题{n}")
    parent = None
    sort_order = factory.Sequence(lambda n: 100 + n)


class GenreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalog.Genre"
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试体裁{n}")
    sort_order = factory.Sequence(lambda n: 100 + n)


class ColumnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalog.Column"
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"测试栏目{n}")
    slug = factory.Sequence(lambda n: f"test-column-{n}")
    sort_order = factory.Sequence(lambda n: 100 + n)


class NoticeFactory(factory.Factory):
    """A notice built through ``catalog.services`` (the production path).

    ``NoticeFactory(owner_agency=agency)`` is a draft; pass ``published_at`` (an aware
    datetime) to publish it, which issues its 索引号. Extra keyword arguments are the
    editable fields (``doc_number``, ``theme``, ``keywords`` …) and ``publishers``.
    """

    class Meta:
        model = dict  # built by _create through the services

    owner_agency = factory.SubFactory(AgencyFactory)
    title = factory.Sequence(lambda n: f"关于做好第{n}批义务教育招生入学工作的通知")
    by = None
    published_at = None

    @classmethod
    def _create(cls, model_class, *, owner_agency, by, published_at, **fields):
        from catalog import services

        notice = services.notice_create(owner_agency=owner_agency, by=by, **fields)
        if published_at is not None:
            notice = services.notice_publish(notice=notice, by=by, now=published_at)
        return notice

    _build = _create


# --- requests_app (built through the services, as production does) ------------------------

REQUESTS_TZ_NOW = "2026-03-02T10:00:00+08:00"  # a Monday, Asia/Shanghai


def _requests_now():
    from datetime import datetime

    return datetime.fromisoformat(REQUESTS_TZ_NOW)


class InfoRequestFactory(factory.Factory):
    """An online application submitted through ``request_submit_online``.

    ``confirm_by=<staff user>`` also confirms it (待确认 → 办理中) on ``confirmed_date``
    (default: the submission day). The 查询码 shown once is kept on the returned object
    as ``query_code`` (a plain attribute, not a field) for lookup tests.
    """

    class Meta:
        model = dict  # built by _create through the services

    agency = factory.SubFactory(AgencyFactory)
    now = factory.LazyFunction(_requests_now)
    applicant_type = "citizen"
    applicant_kind = "natural"
    applicant_name = factory.Sequence(lambda n: f"申请人{n}")
    id_type = "resident_id"
    id_number = "11010519491231002X"
    phone = "13812341234"
    address = "湖南省株洲市天元区天台路1号"
    email = ""
    description = factory.Sequence(
        lambda n: f"请公开天元区第{n}号学校改扩建项目的立项批复文件"
    )
    provide_forms = factory.LazyFunction(lambda: ["paper"])
    delivery_methods = factory.LazyFunction(lambda: ["post"])
    confirm_by = None
    confirmed_date = None

    @classmethod
    def _create(cls, model_class, *, agency, now, confirm_by, confirmed_date, **fields):
        from requests_app import services

        submission = services.request_submit_online(agency=agency, now=now, **fields)
        req = submission.info_request
        if confirm_by is not None:
            req = services.request_confirm(
                info_request=req, by=confirm_by, now=now, confirmed_date=confirmed_date
            )
        req.query_code = submission.query_code
        return req

    _build = _create


def reply_approver(agency):
    """The 审核人 who 签发 replies of ``agency`` in tests (created once)."""
    from portal import roles

    return StaffFactory(
        username=f"signer{agency.pk}",
        first_name="签发人",
        agency=agency,
        roles=[roles.APPROVER],
    )


def send_reply(
    *,
    info_request,
    by,
    outcome,
    now,
    letter_text="",
    files=(),
    notice=None,
    title="",
    reason="",
    approver=None,
    ground=None,
):
    """A reply through the production path: the handler drafts (``reply_draft``) and
    submits it, an approver of the agency 签发 it (``letter_approve``). The ground
    is the first one of ``outcome``; a 予以公开/部分公开 reply carries its files, the
    notice, or else a recorded delivery by post today. Returns the ``Reply``."""
    from requests_app import letters
    from requests_app.services import letters as letter_svc

    ground = ground or next(g.key for g in letters.GROUND_LIST if g.outcome == outcome)
    g = letters.GROUNDS[ground]
    material_kind, material_date = "", None
    if g.needs_material:
        if files:
            material_kind = "attachment"
        elif notice is not None:
            material_kind = "notice"
        else:
            material_kind, material_date = "post", now.date()
    letter = letter_svc.reply_draft(
        info_request=info_request,
        by=by,
        ground=ground,
        now=now,
        body=letter_text,
        title=title,
        reason=reason or ("依法说明的理由" if g.needs_reason else ""),
        other_agency="天元区住房和城乡建设局" if g.needs_other_agency else "",
        other_agency_contact="0731-22000000" if g.needs_other_agency else "",
        notice=notice,
        material_kind=material_kind,
        material_date=material_date,
        files=files,
    )
    letter = letter_svc.letter_submit(letter=letter, by=by, now=now)
    if letter.status != "sent":
        letter = letter_svc.letter_approve(
            letter=letter,
            by=approver or reply_approver(info_request.agency),
            now=now,
        )
    return letter.reply
