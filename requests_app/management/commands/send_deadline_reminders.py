"""E-mail handlers and department heads about requests due soon or overdue, and about
applications still waiting for confirmation (待确认: online, fax, e-mail, 平常信函).

Safe to run as often as you like (e.g. twice a day from cron): every reminder is
claimed by inserting a ``ReminderLog`` row that is UNIQUE per (request, recipient,
kind, due date) before the e-mail goes out, so no one gets the same reminder twice,
even from two runs at once. A failed e-mail releases its claims for the next run.
"""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from portal import roles
from portal.timeutil import local_now
from portal.workdays import load_calendar
from requests_app import deadlines, services
from requests_app.models import (
    FeeNotice,
    InfoRequest,
    ReminderKind,
    ReminderLog,
    Status,
)
from requests_app.selectors import due_soon_until


def _waiting_since(req: InfoRequest):
    """The day an unconfirmed application started waiting (the key of its warning)."""
    return req.arrived_date or timezone.localdate(req.submitted_at)


class Command(BaseCommand):
    help = (
        "发送答复期限提醒：向承办人（未分配时向本机关全部承办人）和本机关审核人发送"
        "“即将到期”（剩余不超过 5 个工作日）和“已逾期”的提醒邮件；同一提醒对同一人只发送一次，"
        "可每天运行多次。待确认的网上申请和平常信函（条例第三十一条第（二）项要求信件到达当日确认）"
        "也会提醒一次。运行时还会先把已过补正期限仍未补正的申请按“逾期不补正”办结，"
        "把已过缴费期限仍未缴费的申请按“逾期未缴费”办结（加 --no-expire 可跳过）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="只列出将要发送的提醒和将要办结的申请，不做任何修改",
        )
        parser.add_argument(
            "--no-expire",
            action="store_true",
            help="不处理逾期未补正、逾期未缴费的申请",
        )

    def handle(self, *args, dry_run=False, no_expire=False, **options):
        now = local_now()
        today = now.date()
        expired = 0 if no_expire else self._expire(now, dry_run)
        cal = load_calendar(years=[today.year - 1, today.year, today.year + 1])
        until = due_soon_until(today, cal)
        reqs = list(
            InfoRequest.objects.clock_running()
            .filter(reply_due_date__lte=until)
            .select_related("agency", "assigned_to")
            .order_by("reply_due_date", "id")
        )
        # 待确认: online applications and letters not yet confirmed with the applicant
        # (平常信函 must be confirmed on the day it arrives, 条例 第三十一条第（二）项).
        # One warning per request and recipient, keyed on the day it started waiting.
        pending = list(
            InfoRequest.objects.filter(status=Status.PENDING)
            .select_related("agency", "assigned_to")
            .order_by("submitted_at", "id")
        )
        recipients = self._recipients(reqs + pending)
        claimed: dict[int, list] = defaultdict(list)
        users = {}
        todo = [
            (
                req,
                ReminderKind.OVERDUE
                if req.reply_due_date < today
                else ReminderKind.DUE_SOON,
                req.reply_due_date,
            )
            for req in reqs
        ] + [(req, ReminderKind.UNCONFIRMED, _waiting_since(req)) for req in pending]
        for req, kind, key_date in todo:
            for user in recipients.get(req.pk, []):
                users[user.pk] = user
                if dry_run:
                    if not ReminderLog.objects.filter(
                        info_request=req,
                        recipient=user,
                        kind=kind,
                        due_date=key_date,
                    ).exists():
                        claimed[user.pk].append((req, kind, None))
                    continue
                claim = self._claim(req, user, kind, now, key_date)
                if claim is not None:
                    claimed[user.pk].append((req, kind, claim))
        sent = 0
        for uid, items in claimed.items():
            user = users[uid]
            if dry_run:
                for req, kind, _ in items:
                    self.stdout.write(
                        f"将提醒 {user.get_username()}：{req.tracking_no} {ReminderKind(kind).label}"
                    )
                continue
            if self._send(user, items, today, cal):
                ReminderLog.objects.filter(pk__in=[c.pk for _, _, c in items]).update(
                    sent_at=now
                )
                sent += len(items)
            else:
                ReminderLog.objects.filter(pk__in=[c.pk for _, _, c in items]).delete()
        verb = "将发送" if dry_run else "已发送"
        self.stdout.write(
            f"{verb}提醒 {sum(len(v) for v in claimed.values()) if dry_run else sent} 条"
            f"（收件人 {len(claimed)} 人），按期限届满办结 {expired} 件。"
        )

    # -- expiry of 补正 and fee periods ------------------------------------------------------
    def _expire(self, now, dry_run: bool) -> int:
        today = now.date()
        count = 0
        corrections = InfoRequest.objects.filter(
            status=Status.AWAITING_CORRECTION, correction_due_date__lt=today
        )
        fees = InfoRequest.objects.filter(
            status=Status.AWAITING_PAYMENT,
            pk__in=FeeNotice.objects.filter(
                paid_date__isnull=True,
                waived=False,
                expired_date__isnull=True,
                pay_by_date__lt=today,
            ).values("info_request_id"),
        )
        for qs, service, label in (
            (corrections, services.request_expire_correction, "逾期不补正"),
            (fees, services.request_expire_fee, "逾期未缴费"),
        ):
            for req in qs.order_by("id"):
                if dry_run:
                    self.stdout.write(f"将按{label}办结：{req.tracking_no}")
                    count += 1
                    continue
                try:
                    service(info_request=req, now=now)
                except (
                    ValidationError
                ) as exc:  # changed meanwhile (e.g. corrected by another run)
                    self.stdout.write(
                        f"跳过 {req.tracking_no}：{'；'.join(exc.messages)}"
                    )
                    continue
                self.stdout.write(f"已按{label}办结：{req.tracking_no}")
                count += 1
        return count

    # -- who is told --------------------------------------------------------------------------
    def _recipients(self, reqs: list[InfoRequest]) -> dict[int, list]:
        user_model = get_user_model()
        agency_ids = {r.agency_id for r in reqs}
        staff = (
            user_model.objects.filter(
                is_active=True, is_staff=True, staff_profile__agency_id__in=agency_ids
            )
            .exclude(email="")
            .prefetch_related("groups")
            .select_related("staff_profile")
        )
        approvers: dict[int, list] = defaultdict(list)
        handlers: dict[int, list] = defaultdict(list)
        for user in staff:
            names = {g.name for g in user.groups.all()}
            if roles.APPROVER in names:
                approvers[user.staff_profile.agency_id].append(user)
            if roles.HANDLER in names:
                handlers[user.staff_profile.agency_id].append(user)
        out: dict[int, list] = {}
        for req in reqs:
            people = list(approvers[req.agency_id])
            if (
                req.assigned_to_id
                and req.assigned_to.is_active
                and req.assigned_to.email
            ):
                people.append(req.assigned_to)
            elif not req.assigned_to_id:
                people += handlers[req.agency_id]
            out[req.pk] = list({u.pk: u for u in people}.values())
        return out

    @staticmethod
    def _claim(req, user, kind, now, key_date):
        try:
            with transaction.atomic():
                return ReminderLog.objects.create(
                    info_request=req,
                    recipient=user,
                    kind=kind,
                    due_date=key_date,
                    claimed_at=now,
                )
        except IntegrityError:
            return None  # already claimed (sent earlier, or by a parallel run)

    def _send(self, user, items, today, cal) -> bool:
        lines = []
        for req, kind, _ in items:
            left = (
                deadlines.workdays_left(today, req.reply_due_date, cal)
                if req.reply_due_date is not None
                else 0
            )
            lines.append(
                {
                    "req": req,
                    "kind": kind,
                    "left": left,
                    "late": -left,
                    "waiting": deadlines.unconfirmed_age_days(
                        today,
                        arrived_date=req.arrived_date,
                        submitted_at=req.submitted_at,
                    ),
                    "assignee": (
                        req.assigned_to.get_full_name()
                        or req.assigned_to.get_username()
                    )
                    if req.assigned_to_id
                    else "",
                    "url": services.staff_url(req),
                }
            )
        text = render_to_string(
            "requests_app/email/reminder.txt",
            {
                "recipient_name": user.get_full_name() or user.get_username(),
                "items": lines,
                "overdue": sum(1 for i in lines if i["kind"] == ReminderKind.OVERDUE),
                "due_soon": sum(1 for i in lines if i["kind"] == ReminderKind.DUE_SOON),
                "unconfirmed": sum(
                    1 for i in lines if i["kind"] == ReminderKind.UNCONFIRMED
                ),
                "site_name": settings.SITE_NAME,
            },
        )
        subject, _, body = text.strip().partition("\n")
        try:
            send_mail(
                subject.strip(),
                body.strip() + "\n",
                settings.DEFAULT_FROM_EMAIL,
                [user.email],
            )
        except Exception:
            self.stderr.write(
                f"发送给 {user.get_username()} 的提醒失败，下次运行时重试"
            )
            return False
        return True
