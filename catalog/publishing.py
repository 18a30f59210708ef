"""Who may publish what, in the government's name (issue 10 §2). One place for each rule.

Every path that writes a notice calls these through ``catalog.services``: the admin form
and actions, the services themselves, ``import_notices`` and the demo. ``by=None`` is the
system (a management command run by an operator on the server, the demo, migrations):
it acts for the agencies named in its input. A superuser acts for any agency.

- **Lead publisher.** The first 发文机关 is the lead (牵头机关) and is always the notice's
  主办机关 (``owner_agency``). A staff user may create, edit, publish and withdraw only
  notices whose lead is their own agency; the other 发文机关 of a 联合发文 may be any
  agencies, and their staff can then see the notice (``Notice.objects.visible_to``) but
  not change it. So nobody can put out a notice whose publishers leave out their own
  agency, or in another agency's name alone.
- **解读 links.** A staff user may link two notices only when their agency publishes
  (lead or co-publisher) at least one of them; when the other is not published by their
  agency, the link waits for that notice's lead agency to accept it.
- **保密审查 (条例 第十七条).** Publishing records who confirmed the security review; when
  the site (``settings.NOTICE_SECOND_SECURITY_REVIEW``) or the lead agency
  (``Agency.requires_second_security_review``) asks for it, the confirmer must be
  someone other than the drafter and the publisher. An import (``import_notices``,
  the demo) publishes a line only with a named confirmer (``import_reviewer_problem``):
  an active staff user of the line's lead agency or a superuser, and, under the
  second-person rule, someone other than the identified operator (``--user``) and the
  drafter; without one the line is kept as a draft.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError

from portal.models import Agency
from portal.roles import APPROVER, has_role, staff_agency


def acts_for_any_agency(user: Any) -> bool:
    """The system (``None``) and superusers are not bound to one agency."""
    return user is None or bool(getattr(user, "is_superuser", False))


def user_agency_or_refuse(user: Any) -> Agency:
    agency = staff_agency(user)
    if agency is None:
        raise PermissionDenied("您的账号未关联机关，不能创建、修改或发布政府信息")
    return agency


def check_publishers(
    *, user: Any, owner_agency: Agency, publishers: Sequence[Agency]
) -> None:
    """The rule on 发文机关, for a new notice or a change of its publishers."""
    if not publishers:
        raise ValidationError({"publishers": "至少需要一个发文机关"})
    if len({a.pk for a in publishers}) != len(publishers):
        raise ValidationError({"publishers": "发文机关不能重复"})
    if publishers[0].pk != owner_agency.pk:
        raise ValidationError(
            {
                "publishers": f"牵头发文机关（排在第一位的发文机关）必须是主办机关"
                f"“{owner_agency}”；其他机关只能作为联合发文机关列在其后"
            }
        )
    if acts_for_any_agency(user):
        return
    agency = user_agency_or_refuse(user)
    if owner_agency.pk != agency.pk:
        raise ValidationError(
            {
                "publishers": f"只能以本机关“{agency}”为牵头发文机关发布信息；"
                f"不能以“{owner_agency}”的名义发文"
            }
        )


# the role a staff user needs, as Django model permissions (held by the 管理员 role,
# catalog migration 0002): the admin asks them of its pages, the staff desk of its
# pages, and the services here, so no path lets a role do what another refuses it
PERMISSION_WORDS = {
    "view_notice": "查看",
    "add_notice": "新建",
    "change_notice": "编辑、发布或撤回",
}


def check_notice_permission(*, user: Any, codename: str) -> None:
    if acts_for_any_agency(user) or user.has_perm(f"catalog.{codename}"):
        return
    raise PermissionDenied(
        f"您没有{PERMISSION_WORDS[codename]}政府信息的权限（需要本机关管理员角色）"
    )


def may_see_notice_desk(user: Any) -> bool:
    """The staff notice list and previews (/staff/xinxi/): the catalog's view or change
    permission (the 管理员 role), or a 审核人, who confirms 保密审查 there. The nav and
    the views both ask this."""
    if not (getattr(user, "is_authenticated", False) and user.is_staff):
        return False
    if user.is_superuser:
        return True
    if staff_agency(user) is None:
        return False
    return (
        user.has_perm("catalog.view_notice")
        or user.has_perm("catalog.change_notice")
        or has_role(user, APPROVER)
    )


def check_may_manage(*, user: Any, notice: Any, reviewing: bool = False) -> None:
    """Editing, publishing and withdrawing: only the lead (主办) agency's staff, and only
    those holding the catalog's change permission. ``reviewing`` (confirming the
    保密审查): a 审核人 of the lead agency may do it too."""
    if acts_for_any_agency(user):
        return
    if not (reviewing and has_role(user, APPROVER)):
        check_notice_permission(user=user, codename="change_notice")
    agency = user_agency_or_refuse(user)
    if notice.owner_agency_id != agency.pk:
        raise PermissionDenied(
            f"“{notice.title}”的牵头发文机关不是本机关“{agency}”：联合发文机关只能查看，"
            "不能修改、发布或撤回"
        )


def agency_publishes(agency_id: int, notice: Any, publisher_ids: set[int]) -> bool:
    return notice.owner_agency_id == agency_id or agency_id in publisher_ids


def interpretation_link_mode(
    *,
    user: Any,
    policy: Any,
    interpretation: Any,
    policy_publishers: set[int],
    interpretation_publishers: set[int],
) -> str:
    """``"direct"`` (link now) or ``"request"`` (wait for the other agency); refuses
    when the user's agency publishes neither notice."""
    if acts_for_any_agency(user):
        return "direct"
    agency = user_agency_or_refuse(user)
    own_policy = agency_publishes(agency.pk, policy, policy_publishers)
    own_interpretation = agency_publishes(
        agency.pk, interpretation, interpretation_publishers
    )
    if own_policy and own_interpretation:
        return "direct"
    if own_policy or own_interpretation:
        return "request"
    raise ValidationError(
        {
            "interpretations": f"“{policy.title}”和“{interpretation.title}”都不是本机关"
            f"“{agency}”发布的信息，不能为它们建立解读关联"
        }
    )


def second_security_review_required(agency: Agency) -> bool:
    return bool(
        settings.NOTICE_SECOND_SECURITY_REVIEW or agency.requires_second_security_review
    )


def check_security_review(
    *,
    required_second: bool,
    reviewer_id: int | None,
    drafter_id: int | None,
    publisher_id: int | None,
) -> None:
    """Before publication: who confirmed the 保密审查 (None = nobody yet)."""
    if not required_second:
        return
    if reviewer_id is None:
        raise ValidationError(
            "本机关要求保密审查由第二人确认（条例第十七条）：请由起草人、发布人以外的"
            "工作人员先执行“确认保密审查”，再发布"
        )
    if reviewer_id in {drafter_id, publisher_id}:
        raise ValidationError(
            "保密审查的确认人不能是本信息的起草人或发布人（本机关要求第二人确认）；"
            "请由另一名工作人员确认后再发布"
        )


def import_reviewer_problem(
    *, reviewer: Any, agency: Agency, operator: Any, drafter_id: int | None
) -> str:
    """Why ``reviewer`` cannot be recorded as the 保密审查 confirmer of a line of
    ``agency`` that an import would publish ("" when they can). ``operator`` is the
    user the import acts as (``--user``; None = not identified)."""
    if reviewer is None:
        return "未记录保密审查"
    if not reviewer.is_active:
        return f"保密审查确认人“{reviewer.get_username()}”的账号已停用，未记录保密审查"
    if not reviewer.is_superuser and getattr(staff_agency(reviewer), "pk", None) != (
        agency.pk
    ):
        return (
            f"保密审查确认人“{reviewer.get_username()}”不是牵头发文机关“{agency}”的"
            "工作人员，未记录保密审查"
        )
    if not second_security_review_required(agency):
        return ""
    if operator is None:
        return (
            f"“{agency}”要求保密审查由第二人确认（条例第十七条）：导入时须用 --user "
            "指明操作人，且确认人不能是操作人，未记录保密审查"
        )
    try:
        check_security_review(
            required_second=True,
            reviewer_id=reviewer.pk,
            drafter_id=drafter_id,
            publisher_id=operator.pk,
        )
    except ValidationError as exc:
        return "；".join(exc.messages).rstrip("。") + "，未记录保密审查"
    return ""
