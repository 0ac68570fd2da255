from django.core.management.base import BaseCommand, CommandError

from contest.audit import audit_verify


class Command(BaseCommand):
    help = "Recompute the audit hash chain; exit non-zero and list the problems if it is broken."

    def handle(self, *args, **options):
        report = audit_verify()
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(f"audit chain broken: {len(report.problems)} problem(s) in {report.checked} event(s)")
        self.stdout.write(f"audit chain intact: {report.checked} event(s)")
