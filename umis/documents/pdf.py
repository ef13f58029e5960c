"""PDF rendering of issued documents (reportlab, with a font that covers Azerbaijani and Cyrillic)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import font_source_sans_pro
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from umis.documents import vds

FONT_DIR = Path(font_source_sans_pro.__file__).parent / "files"


@cache
def _fonts() -> tuple[str, str, frozenset[int]]:
    regular = TTFont("UmisSans", str(FONT_DIR / "SourceSansPro-Regular.ttf"))
    bold = TTFont("UmisSans-Bold", str(FONT_DIR / "SourceSansPro-Semibold.ttf"))
    pdfmetrics.registerFont(regular)
    pdfmetrics.registerFont(bold)
    return "UmisSans", "UmisSans-Bold", frozenset(regular.face.charToGlyph)


def printable(text: str, fallback: str) -> str:
    """The text if the font can draw it, else the fallback (e.g. an Arabic name's Latin form)."""
    covered = _fonts()[2]
    return text if all(ord(c) in covered or c.isspace() for c in text) else fallback


def render_certificate(
    *,
    authority: str,
    title: str,
    number_label: str,
    number: str,
    rows: Sequence[tuple[str, str]],
    qr_text: str,
    footer: str,
    photo: bytes | None = None,
    mrz_lines: Sequence[str] = (),
) -> bytes:
    """An A4 certificate; a visa adds the holder's photo and its machine-readable zone."""
    regular, bold, _covered = _fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(f"{title} {number}")
    pdf.setAuthor(authority)
    width, height = A4
    y = height - 25 * mm
    pdf.setFont(bold, 11)
    pdf.drawString(20 * mm, y, authority)
    y -= 14 * mm
    pdf.setFont(bold, 18)
    pdf.drawString(20 * mm, y, title)
    y -= 9 * mm
    pdf.setFont(regular, 12)
    pdf.drawString(20 * mm, y, f"{number_label}: {number}")
    y -= 12 * mm
    for label, value in rows:
        pdf.setFont(regular, 9)
        pdf.setFillGray(0.35)
        pdf.drawString(20 * mm, y, label)
        pdf.setFillGray(0)
        pdf.setFont(regular, 12)
        pdf.drawString(75 * mm, y, value)
        y -= 8 * mm
    if photo:
        pdf.drawImage(
            ImageReader(io.BytesIO(photo)),
            width - 20 * mm - 35 * mm,
            height - 25 * mm - 45 * mm,
            35 * mm,
            45 * mm,
            preserveAspectRatio=True,
        )
    if mrz_lines:
        pdf.setFont("Courier-Bold", 11)
        for i, line in enumerate(mrz_lines):
            pdf.drawString(20 * mm, 95 * mm - i * 6 * mm, line)
    qr = ImageReader(io.BytesIO(vds.qr_png(qr_text, scale=4)))
    size = 60 * mm
    pdf.drawImage(qr, width - 20 * mm - size, 22 * mm, size, size)
    pdf.setFont(regular, 8)
    text = pdf.beginText(20 * mm, 70 * mm)
    for line in footer.split("\n"):
        text.textLine(line)
    pdf.drawText(text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
