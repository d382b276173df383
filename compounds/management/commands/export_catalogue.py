"""manage.py export_catalogue [--live|--working] [--format json|csv] [OUT]"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from compounds.catalogue import export


class Command(BaseCommand):
    help = (
        "Export the catalogue (docs/catalogue-format.md): the working copies (default) or the "
        "live content, as one JSON file or as CSV files (a directory, or a .zip when OUT ends "
        "in .zip). Without OUT, or with -, it is written to standard output (CSV as a zip). "
        "Rows are read and written in chunks, so any size of catalogue exports in little memory."
    )

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group()
        source.add_argument(
            "--live",
            dest="source",
            action="store_const",
            const=export.LIVE,
            help="The approved content, as the public site shows it.",
        )
        source.add_argument(
            "--working",
            dest="source",
            action="store_const",
            const=export.WORKING,
            help="The working copies, drafts included (the default).",
        )
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("out", nargs="?", default="-")

    def handle(self, out, source=None, format="json", **options):
        source = source or export.WORKING
        if format == "json":
            chunks = export.json_chunks(source)
            if out == "-":
                for chunk in chunks:
                    self.stdout.write(chunk, ending="")
            else:
                with open(out, "w", encoding="utf-8") as target:
                    target.writelines(chunks)
        elif out == "-" or out.lower().endswith(".zip"):
            target = sys.stdout.buffer if out == "-" else open(out, "wb")  # noqa: SIM115
            try:
                for chunk in export.csv_zip_chunks(source):
                    target.write(chunk)
            finally:
                if out != "-":
                    target.close()
        else:
            path = Path(out)
            if path.exists() and not path.is_dir():
                raise CommandError(f"{out} is a file: CSV goes to a directory, or to a .zip.")
            export.write_csv_directory(path, source)
        if out != "-":
            self.stderr.write(f"Exported the {source} catalogue to {out}.")
