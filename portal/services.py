"""Writes of the portal core that are not the work calendar (that is
``portal.calendar_services``): staff second-factor enrolment, verification, recovery
codes and an administrator's reset (issue 11 §3, ``portal.twofactor``); agencies and
the site identity, each with its history (``AgencyEvent``, ``SiteIdentityVersion``,
each changed field as ``[before, after]``), called by the admin's ``save_model`` and
the notice importer; and ``agency_profile_update``, the one path that changes 机构信息
(条例 第二十条第（二）项): the staff page, the admin and the demo call it; each change
leaves an ``AgencyProfileVersion`` (who, when, old → new).

Each function is keyword-only, runs in ``transaction.atomic``, locks what it changes
and writes a ``StaffAuthEvent``; no code or key is ever logged or stored in clear
(recovery codes are kept as HMAC digests).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from portal import twofactor
from portal.context_processors import forget_site_identity
from portal.models import (
    Agency,
    AgencyEvent,
    AgencyLeader,
    AgencyProfile,
    AgencyProfileVersion,
    RecoveryCode,
    SiteIdentity,
    SiteIdentityVersion,
    StaffAuthEvent,
)
from portal.timeutil import local_now
from portal.validators import agency_profile_errors

DEVICE_NAME = "验证器"


def _event(user: Any, kind: str, *, now: datetime, by: Any = None, note: str = ""):
    return StaffAuthEvent.objects.create(
        user=user,
        at=now,
        kind=kind,
        by=by if getattr(by, "pk", None) else None,
        note=note,
    )


@transaction.atomic
def staff_totp_enrol_start(*, user: Any, now: datetime) -> Any:
    """The account's unconfirmed TOTP device (a new random key the first time)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if twofactor.confirmed_device(user) is not None:
        raise ValidationError("已绑定验证器；如需更换请联系管理员重置两步验证。")
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("id")
        .first()
    )
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def staff_totp_enrol_confirm(*, user: Any, token: str, now: datetime) -> list[str]:
    """Confirm the device with a code from the app; returns the new recovery codes
    (shown once). A wrong code raises ``ValidationError`` and confirms nothing."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("id")
        .first()
    )
    if device is None:
        raise ValidationError("请先打开绑定页面扫描二维码。")
    if not _token_ok(device, token):
        raise ValidationError("验证码不正确，请核对手机上显示的 6 位数字后重试。")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    _event(user, StaffAuthEvent.Kind.TOTP_ENROLLED, now=now, by=user)
    return _issue_codes(user=user, now=now, by=user)


@transaction.atomic
def staff_recovery_codes_issue(*, user: Any, now: datetime, by: Any) -> list[str]:
    """New recovery codes; the old ones stop working."""
    return _issue_codes(user=user, now=now, by=by)


def _issue_codes(*, user: Any, now: datetime, by: Any) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [
        twofactor.new_recovery_code() for _ in range(twofactor.RECOVERY_CODE_COUNT)
    ]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(
            user=user, code_hash=twofactor.recovery_code_hash(c), created_at=now
        )
        for c in codes
    )
    _event(user, StaffAuthEvent.Kind.RECOVERY_CODES_ISSUED, now=now, by=by)
    return [twofactor.format_recovery_code(c) for c in codes]


def _token_ok(device: Any, token: str) -> bool:
    token = "".join(c for c in (token or "") if c.isdigit())
    if len(token) != 6:
        return False
    return bool(device.verify_token(token))  # saves last_t / throttling itself


@transaction.atomic
def staff_second_factor_verify(*, user: Any, code: str, now: datetime) -> str:
    """Check a TOTP code or a recovery code: ``"totp"``, ``"recovery"`` or ``""``
    (wrong). A recovery code is used up; a TOTP code cannot be replayed."""
    device = twofactor.confirmed_device(user)
    if device is None:
        return ""
    digits = "".join(c for c in (code or "") if not c.isspace())
    if digits.isdigit():
        from django_otp.plugins.otp_totp.models import TOTPDevice

        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        return "totp" if _token_ok(locked, digits) else ""
    digest = twofactor.recovery_code_hash(code)
    row = (
        RecoveryCode.objects.select_for_update()
        .filter(user=user, code_hash=digest, used_at__isnull=True)
        .first()
    )
    if row is None:
        return ""
    row.used_at = now
    row.save(update_fields=["used_at"])
    left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
    _event(
        user,
        StaffAuthEvent.Kind.RECOVERY_CODE_USED,
        now=now,
        by=user,
        note=f"剩余 {left} 个",
    )
    return "recovery"


@transaction.atomic
def staff_second_factor_reset(*, user: Any, by: Any, now: datetime) -> None:
    """An administrator's reset (lost phone): the device and the recovery codes go;
    the user enrols again at the next sign-in."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    _event(user, StaffAuthEvent.Kind.SECOND_FACTOR_RESET, now=now, by=by)


@transaction.atomic
def staff_totp_enrol_demo(*, user: Any, key_hex: str, now: datetime) -> bool:
    """Demo only (``ensure_demo_admin``, refused when DEBUG is off): give an account
    without a device a confirmed one with the demo's published key, so a reviewer can
    sign in as a demo approver with any authenticator. True when one was added."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if twofactor.confirmed_device(user) is not None:
        return False
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    TOTPDevice.objects.create(user=user, name=DEVICE_NAME, key=key_hex, confirmed=True)
    _event(user, StaffAuthEvent.Kind.TOTP_ENROLLED, now=now, note="演示密钥")
    return True


# --- agencies and the site identity ----------------------------------------------------


def _values(obj: models.Model | None) -> dict[str, Any]:
    """The concrete fields of ``obj`` as JSON values (foreign keys as their id)."""
    if obj is None:
        return {}
    out: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key:
            continue
        value = getattr(obj, field.attname)
        if isinstance(value, date | datetime):
            value = value.isoformat()
        out[field.attname] = value
    return out


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list]:
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def _actor(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


@transaction.atomic
def agency_create(*, by: Any, source: str, name: str, **values: Any) -> Agency:
    """A new agency (e.g. one named by an imported notice), with its "created" event."""
    agency = Agency(name=name, **values)
    agency.save()
    AgencyEvent.objects.create(
        agency=agency,
        at=local_now(),
        actor=_actor(by),
        action=AgencyEvent.Action.CREATED,
        source=source,
        changes=_diff({}, _values(agency)),
    )
    return agency


@transaction.atomic
def agency_save(*, agency: Agency, by: Any, source: str) -> Agency:
    """Save ``agency`` as edited (new or existing) and record what changed."""
    if agency.pk is None:
        fields = _values(agency)
        name = fields.pop("name")
        created = agency_create(by=by, source=source, name=name, **fields)
        agency.pk = created.pk
        return created
    current = Agency.objects.select_for_update().get(pk=agency.pk)
    changes = _diff(_values(current), _values(agency))
    if not changes:
        return agency
    agency.save(update_fields=[Agency._meta.get_field(n).name for n in changes])
    AgencyEvent.objects.create(
        agency=agency,
        at=local_now(),
        actor=_actor(by),
        action=AgencyEvent.Action.UPDATED,
        source=source,
        changes=changes,
    )
    return agency


@transaction.atomic
def site_identity_save(*, identity: SiteIdentity, by: Any) -> SiteIdentity:
    """Save the one site identity row as edited and keep the version."""
    identity.pk = 1  # the singleton constraint allows only id 1
    current = SiteIdentity.objects.select_for_update().filter(pk=1).first()
    before = _values(current)
    after = _values(identity)
    changes = _diff(before, after)
    if current is not None and not changes:
        return identity
    identity.save()
    SiteIdentityVersion.objects.create(
        identity=identity,
        at=local_now(),
        actor=_actor(by),
        changes=changes,
        values=after,
    )
    transaction.on_commit(forget_site_identity)
    return identity


# -- 机构信息 (条例 第二十条第（二）项) ----------------------------------------------------

# 办公地址、办公时间、联系方式 live on Agency (also used by the 指南); 职能、内设机构 on the
# profile; 负责人 in AgencyLeader rows.
AGENCY_CONTACT_FIELDS = ("address", "office_hours", "phone", "fax", "postcode", "email")
PROFILE_FIELDS = ("functions", "internal_units")


def _leader_dicts(profile: AgencyProfile | None) -> list[dict]:
    if profile is None or profile.pk is None:
        return []
    return [
        {"name": x.name, "post": x.post, "duties": x.duties}
        for x in profile.leaders.order_by("sort_order", "id")
    ]


@transaction.atomic
def agency_profile_update(
    *,
    agency: Agency,
    by=None,
    functions: str,
    internal_units: str,
    leaders: list[dict],
    address: str,
    office_hours: str,
    phone: str,
    fax: str,
    postcode: str,
    email: str,
    note: str = "",
    now: datetime | None = None,
) -> AgencyProfileVersion | None:
    """Set an agency's 机构信息. Returns the version written, or None when nothing
    changed. Raises ``ValidationError`` (Chinese, per field) on bad input."""
    leaders = [
        {
            "name": (x.get("name") or "").strip(),
            "post": (x.get("post") or "").strip(),
            "duties": (x.get("duties") or "").strip(),
        }
        for x in leaders
    ]
    new = {
        "functions": functions.strip(),
        "internal_units": internal_units.strip(),
        "address": address.strip(),
        "office_hours": office_hours.strip(),
        "phone": phone.strip(),
        "fax": fax.strip(),
        "postcode": postcode.strip(),
        "email": email.strip(),
    }
    errors = agency_profile_errors({**new, "leaders": leaders})
    if errors:
        raise ValidationError(errors)

    locked = Agency.objects.select_for_update().get(pk=agency.pk)
    profile = AgencyProfile.objects.select_for_update().filter(agency=locked).first()
    if profile is None:
        profile = AgencyProfile.objects.create(agency=locked)
    old_leaders = _leader_dicts(profile)

    changes: dict[str, list] = {}
    for field in AGENCY_CONTACT_FIELDS:
        if getattr(locked, field) != new[field]:
            changes[field] = [getattr(locked, field), new[field]]
    for field in PROFILE_FIELDS:
        if getattr(profile, field) != new[field]:
            changes[field] = [getattr(profile, field), new[field]]
    if old_leaders != leaders:
        changes["leaders"] = [old_leaders, leaders]
    if not changes:
        return None

    when = now or local_now()
    agency_fields = [f for f in AGENCY_CONTACT_FIELDS if f in changes]
    if agency_fields:
        for field in agency_fields:
            setattr(locked, field, new[field])
        locked.save(update_fields=agency_fields)
    for field in PROFILE_FIELDS:
        setattr(profile, field, new[field])
    profile.last_changed_at = when
    profile.save(update_fields=[*PROFILE_FIELDS, "last_changed_at"])
    if "leaders" in changes:
        profile.leaders.all().delete()
        AgencyLeader.objects.bulk_create(
            AgencyLeader(profile=profile, sort_order=i, **x)
            for i, x in enumerate(leaders)
        )
    return AgencyProfileVersion.objects.create(
        profile=profile,
        changed_at=when,
        changed_by=by if getattr(by, "pk", None) else None,
        changes=changes,
        note=note[:200],
    )
