from django.core.management.base import BaseCommand
from django.utils import timezone

from contest.demo.loader import build_demo


class Command(BaseCommand):
    help = (
        "Build the demo contest (2021上海国资国企数字化转型创新大赛) with one login per role. Idempotent. "
        "Dates are shifted so that today falls inside the submission window."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--original-dates", action="store_true", help="Keep the real 2021 calendar instead of shifting it to today."
        )

    def handle(self, *args, **options):
        today = timezone.localdate()  # in the site time zone (Asia/Shanghai)
        ctx = build_demo(today=today, original_dates=options["original_dates"])
        created = sum(ctx.created.values())
        updated = sum(ctx.updated.values())
        self.stdout.write(
            f"Demo contest “{ctx.contest.name}” (id {ctx.contest.pk}): {len(ctx.tracks)} tracks, "
            f"{len(ctx.scenarios)} scenarios, {len(ctx.rounds)} rounds; "
            f"{created} row(s) created, {updated} updated; calendar shifted by {ctx.shift.days} day(s)."
        )
        round1 = ctx.rounds[1]
        self.stdout.write(
            f"Submissions open {timezone.localtime(round1.submission_opens_at):%Y-%m-%d %H:%M} – "
            f"{timezone.localtime(round1.submission_deadline):%Y-%m-%d %H:%M:%S} (Asia/Shanghai)."
        )
        width = max(len(u) for u, _, _ in ctx.logins)
        self.stdout.write("")
        self.stdout.write(f"{'username'.ljust(width)}  {'password'.ljust(14)}  role")
        self.stdout.write(f"{'-' * width}  {'-' * 14}  {'-' * 30}")
        for username, password, label in ctx.logins:
            self.stdout.write(f"{username.ljust(width)}  {password.ljust(14)}  {label}")
