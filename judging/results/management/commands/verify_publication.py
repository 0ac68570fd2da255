from django.core.management.base import BaseCommand, CommandError

from contest.models import Round
from judging.results.models import Publication
from judging.results.services.publication import publication_verify


class Command(BaseCommand):
    help = "Recompute the SHA-256 digests of a round's publications and compare them (exit 1 on mismatch)."

    def add_arguments(self, parser):
        parser.add_argument("round_id", type=int)

    def handle(self, *args, round_id, **options):
        if not Round.objects.filter(pk=round_id).exists():
            raise CommandError(f"round {round_id} does not exist")
        publications = list(Publication.objects.filter(round_id=round_id).order_by("number"))
        if not publications:
            raise CommandError(f"round {round_id} has no publication")
        failed = False
        for publication in publications:
            report = publication_verify(publication=publication)
            ok = report["stored_table_ok"] and report["current_results_ok"]
            failed = failed or not ok
            state = "superseded" if publication.superseded else "current"
            self.stdout.write(
                f"publication {publication.number} ({state}) {publication.digest}: "
                f"table {'ok' if report['stored_table_ok'] else 'MISMATCH'}, "
                f"results {'ok' if report['current_results_ok'] else 'MISMATCH'}"
            )
        if failed:
            raise CommandError("digest mismatch")
        self.stdout.write(self.style.SUCCESS("all digests verified"))
