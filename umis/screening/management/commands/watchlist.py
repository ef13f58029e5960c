from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from umis.core.text import invisible_character
from umis.screening.files import FileRefused, import_source, row_label, watchlist_file_rows
from umis.screening.models import Watchlist
from umis.screening.services import watchlist_import_by_code, watchlist_import_in_progress
from umis.screening.validation import MAX_SOURCE

CODE_MAX_LENGTH: int = Watchlist._meta.get_field("code").max_length or 50
NAME_MAX_LENGTH: int = Watchlist._meta.get_field("name").max_length or 200


class Command(BaseCommand):
    help = (
        "Watchlists: umis watchlist import FILE --list NAME (CSV or JSON). Messages are in "
        "the configured language (LANGUAGE_CODE) unless --language says otherwise."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import entries from CSV or JSON")
        imp.add_argument("file", type=Path)
        imp.add_argument("--list", dest="list_code", required=True, help="watchlist code")
        imp.add_argument("--name", default="", help="name of a new watchlist")
        imp.add_argument("--source", default="", help="source for rows without one")
        imp.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the valid rows and report the others (default: refuse the file)",
        )
        imp.add_argument("--batch", type=int, default=2000)
        imp.add_argument("--quiet", action="store_true", help="no progress bar")
        imp.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="language of the messages (default: %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            self._import(options)

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        code: str = options["list_code"]
        if not code.strip() or len(code) > CODE_MAX_LENGTH:
            raise CommandError(
                _("--list %(code)s: give the watchlist's code (1 to %(n)d characters).")
                % {"code": repr(code), "n": CODE_MAX_LENGTH}
            )
        # an entry's source is refused when too long (never cut) or holding a character drawn
        # as nothing: a --source that would be refused on every row without one is refused
        # once, before the file is read
        source = " ".join(options["source"].split())
        if len(source) > MAX_SOURCE:
            raise CommandError(
                _("--source: at most %(n)d characters (this has %(length)d); nothing imported.")
                % {"n": MAX_SOURCE, "length": len(source)}
            )
        hidden = invisible_character(source)
        if hidden is not None:
            raise CommandError(
                _(
                    "--source: an invisible character (%(char)s), which can change how the "
                    "text reads where it is shown; nothing imported."
                )
                % {"char": f"U+{ord(hidden):04X}"}
            )
        # a new list's name longer than the list's name takes could not be stored
        if len(options["name"]) > NAME_MAX_LENGTH:
            raise CommandError(
                _("--name: at most %(n)d characters (this has %(length)d); nothing imported.")
                % {"n": NAME_MAX_LENGTH, "length": len(options["name"])}
            )
        # a new list's name is shown on the office's pages as it is given
        hidden = invisible_character(options["name"])
        if hidden is not None:
            raise CommandError(
                _(
                    "--name: an invisible character (%(char)s), which can change how the "
                    "text reads where it is shown; nothing imported."
                )
                % {"char": f"U+{ord(hidden):04X}"}
            )
        if not path.is_file():
            raise CommandError(_("%(path)s: no such file.") % {"path": path})
        try:
            rows = watchlist_file_rows(name=path.name, data=path.read_bytes())
        except FileRefused as exc:
            raise CommandError(f"{path}: {exc.message}") from exc
        earlier = watchlist_import_in_progress(watchlist_code=code, rows=rows)
        if earlier is not None:
            raise CommandError(
                _(
                    "The same entries are already waiting to be imported into %(code)s, or "
                    "being imported (import %(id)d); nothing imported. Wait until it has "
                    "finished."
                )
                % {"code": code, "id": earlier.pk}
            )
        bar = tqdm(
            total=len(rows),
            unit="entries",
            disable=options["quiet"],
            file=self.stderr._out,
            desc=code,
        )
        result = watchlist_import_by_code(
            actor=None,
            code=code,
            name=options["name"],
            raws=rows,
            default_source=source or import_source(name=path.name),
            skip_invalid=options["skip_invalid"],
            batch_size=max(1, options["batch"]),
            progress=bar.update,
            one_transaction=False,
        )
        bar.close()
        for i, errs in result.errors[:100]:
            for e in errs:
                where = row_label(name=path.name, index=i)
                self.stderr.write(f"{where}: {e.field}: {e.code}: {e.message}")
        if result.errors and not options["skip_invalid"]:
            raise CommandError(
                _("Invalid rows: %(n)d; nothing imported (correct them, or use --skip-invalid).")
                % {"n": len(result.errors)}
            )
        self.stdout.write(
            _(
                "%(code)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
                "%(skipped)d skipped"
            )
            % {
                "code": code,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "skipped": len(result.errors),
            }
        )
