from django.core.management.base import BaseCommand, CommandError

from contest.audit import audit_chain_pending, audit_verify


class Command(BaseCommand):
    help = (
        "Chain any committed audit events still waiting, then recompute the hash chain; exit non-zero "
        "and list the problems if it is broken."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-chain", action="store_true", help="Only check; leave events waiting to be chained as they are."
        )

    def handle(self, *args, no_chain=False, **options):
        if not no_chain:
            chained = audit_chain_pending()
            if chained:
                self.stdout.write(f"chained {chained} waiting event(s)")
        report = audit_verify()
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(f"audit chain broken: {len(report.problems)} problem(s) in {report.checked} event(s)")
        self.stdout.write(f"audit chain intact: {report.checked} event(s)")
        if report.pending:
            self.stdout.write(f"{report.pending} event(s) not chained yet, the oldest from {report.oldest_pending}")
