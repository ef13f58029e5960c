import re

from django.db import migrations
from django.utils import translation
from django.utils.translation import gettext

# The labels the daily check stored as a finding's legal basis, in the language it ran in,
# before it stored a code: each as a code again (kind, and how its parameters are written).
LABELS = (
    ("visa_free", "visa-free stay (%s)"),
    ("evisa", "e-visa %(number)s, single entry, %(days)d days"),
)
PLACEHOLDERS = {
    re.escape("%s"): "(?P<regimes>.+)",
    re.escape("%(number)s"): "(?P<number>.+)",
    re.escape("%(days)d"): "(?P<days>[0-9]+)",
}


def _patterns():
    """(kind, pattern) of every stored label in Azerbaijani, English and Russian."""
    out = []
    for lang in ("az", "en", "ru"):
        with translation.override(lang):
            for kind, msgid in LABELS:
                pattern = re.escape(gettext(msgid))
                for placeholder, group in PLACEHOLDERS.items():
                    pattern = pattern.replace(placeholder, group)
                out.append((kind, re.compile(pattern + r"\Z")))
    return out


def code_of(text, patterns):
    """The code of a stored label ("vizasız qalma (90/180)" → "visa_free:90/180"), or the
    text as it is when it is none of the labels (cut short, or written otherwise)."""
    for kind, pattern in patterns:
        found = pattern.match(text)
        if found is None:
            continue
        if kind == "visa_free":
            regimes = [r.strip() for r in found["regimes"].split(",")]
            if all(re.fullmatch(r"[0-9]+(/[0-9]+)?", r) for r in regimes):
                return "visa_free:" + ",".join(regimes)
        elif kind == "evisa":
            return f"evisa:{found['number']}:{found['days']}"
    return text


def legal_basis_as_a_code(apps, schema_editor):
    """Findings store their legal basis as a code that each reader reads in their language;
    the labels stored before are turned into codes where they are recognised."""
    Finding = apps.get_model("border", "OverstayFinding")
    patterns = _patterns()
    stored = Finding.objects.exclude(legal_basis="").values_list("legal_basis", flat=True)
    for text in sorted(set(stored.distinct())):
        code = code_of(text, patterns)
        if code != text:
            Finding.objects.filter(legal_basis=text).update(legal_basis=code)


class Migration(migrations.Migration):
    dependencies = [
        ("border", "0005_land_crossings_name_their_country"),
    ]

    operations = [
        migrations.RunPython(legal_basis_as_a_code, migrations.RunPython.noop),
    ]
