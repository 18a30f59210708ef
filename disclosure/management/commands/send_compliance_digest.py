"""The weekly compliance e-mail: every agency's 管理员 gets the findings of their own
agency (docs/compliance.md §5). Safe to run as often as you like (e.g. every Monday
morning from cron, or daily): each e-mail is claimed first by inserting a
``ComplianceMailLog`` row UNIQUE per (agency, recipient, week) — a second run in the
same week, or a parallel one, sends nothing; a failed e-mail releases its claim for
the next run. An agency without findings gets no e-mail; an agency without an
administrator with an e-mail address is listed so that the 政务公开办 can follow up."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.template.loader import render_to_string
from django.urls import reverse

from disclosure import services
from disclosure.compliance import site_report
from portal import roles
from portal.timeutil import local_now


class Command(BaseCommand):
    help = (
        "每周向各机关管理员发送本机关的政务公开合规检查结果；同一周对同一人只发送一次。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="只列出将要发送的邮件，不发送"
        )

    def handle(self, *args, dry_run=False, **options):
        now = local_now()
        today = now.date()
        week = today - timedelta(days=today.weekday())
        report = site_report(today=today)
        admins: dict[int, list] = {}
        for user in (
            get_user_model()
            .objects.filter(
                is_active=True,
                is_staff=True,
                groups__name=roles.ADMIN,
                staff_profile__agency__is_active=True,
            )
            .exclude(email="")
            .select_related("staff_profile")
            .distinct()
        ):
            admins.setdefault(user.staff_profile.agency_id, []).append(user)
        site = settings.SITE_URL.rstrip("/")
        page = reverse("compliance:page")
        sent = skipped = 0
        for card in report.agencies:
            findings = report.findings_of(card.agency)
            if not findings:
                continue
            people = admins.get(card.agency_id, [])
            if not people:
                self.stdout.write(
                    f"{card.agency}：有 {len(findings)} 个问题，但没有可接收邮件的管理员"
                )
                continue
            body = render_to_string(
                "disclosure/email/compliance_weekly.txt",
                {
                    "card": card,
                    "findings": findings,
                    "as_of": today,
                    "site": site,
                    "page": page,
                },
            )
            subject = (
                f"政务公开合规检查周报：{card.agency} {card.score} 分，{card.verdict}"
            )
            for user in people:
                if dry_run:
                    self.stdout.write(f"将发送给 {user.get_username()}：{subject}")
                    continue
                claim = services.compliance_mail_claim(
                    agency=user.staff_profile.agency,
                    recipient=user,
                    week=week,
                    findings=len(findings),
                )
                if claim is None:
                    skipped += 1
                    continue
                try:
                    send_mail(
                        subject,
                        body.strip() + "\n",
                        settings.DEFAULT_FROM_EMAIL,
                        [user.email],
                    )
                except Exception:  # any mail failure: retry on the next run
                    services.compliance_mail_done(claim=claim, sent=False, now=now)
                    self.stderr.write(
                        f"发送给 {user.get_username()} 失败，下次运行时重试"
                    )
                    continue
                services.compliance_mail_done(claim=claim, sent=True, now=now)
                sent += 1
        if not dry_run:
            self.stdout.write(
                f"已发送合规周报 {sent} 封，本周已发送过的跳过 {skipped} 封。"
            )
