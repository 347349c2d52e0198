"""The patient handout as a PDF (fpdf2, pure Python), from the same document as the page.

The text is set in DejaVu Sans (``smertespor/fonts/``, Bitstream Vera licence in
LICENSE-DejaVu.txt), embedded as a subset of the glyphs used, so every resident's name
prints: Ł, ś, ş and ễ came out as "?" in the Latin-1 standard font Helvetica (issue 12). The
subset keeps the file small, and its ToUnicode map keeps the text searchable.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF, XPos, YPos

from smertespor.tapering.handout import TIME_NAMES, Handout, Period

FONT = "DejaVuSans"
FONT_DIR = Path(__file__).resolve().parents[1] / "fonts"
MARGIN = 15
WIDTH = 210 - 2 * MARGIN  # A4


def printable(text: str) -> str:
    """``text`` without control characters, which no font draws."""
    return "".join(ch if ch.isprintable() or ch == "\n" else " " for ch in text)


class _Document(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(90)
        self.cell(0, 5, printable(f"{self.footer_text} – side {self.page_no()}/{{nb}}"), align="C")


def _heading(pdf: FPDF, text: str, size: int = 12) -> None:
    pdf.set_font(FONT, "B", size)
    pdf.multi_cell(WIDTH, 6, printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _text(pdf: FPDF, text: str, size: int = 10, style: str = "") -> None:
    pdf.set_font(FONT, style, size)
    pdf.multi_cell(WIDTH, 5, printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _bullets(pdf: FPDF, items: tuple[str, ...]) -> None:
    pdf.set_font(FONT, size=10)
    for item in items:
        pdf.multi_cell(WIDTH, 5, printable(f"– {item}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _period(pdf: FPDF, period: Period) -> None:
    if pdf.get_y() > 240:
        pdf.add_page()
    pdf.ln(2)
    _heading(pdf, f"{period.heading}: {period.dates}", 11)
    if period.rows:
        pdf.set_font(FONT, size=9)
        widths = (70, 25, 25, 25, 25)
        with pdf.table(
            col_widths=widths, text_align="LEFT", line_height=5, first_row_as_headings=True
        ) as table:
            header = table.row()
            header.cell("Medicin")
            for name in TIME_NAMES.values():
                header.cell(name)
            for row in period.rows:
                cells = table.row()
                product = row.product + (f" ({row.brands})" if row.brands else "")
                cells.cell(printable(product))
                for value in row.cells:
                    cells.cell(printable(value or "–"))
    for line in period.lines:
        _text(pdf, line, 9)


def handout_pdf(handout: Handout) -> bytes:
    pdf = _Document(format="A4")
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.footer_text = f"{handout.patient_name} ({handout.patient_cpr})"
    pdf.set_title(printable(handout.title))
    pdf.set_author(printable(handout.practice_name))
    pdf.set_creator("Smertespor")
    pdf.set_lang("da")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    _heading(pdf, handout.title, 15)
    _text(pdf, f"{handout.patient_name}, CPR {handout.patient_cpr}", 10, "B")
    _text(pdf, f"Udarbejdet {handout.made_on} af {handout.made_by}, {handout.practice_name}", 9)
    pdf.ln(2)
    _text(pdf, handout.intro)
    for line in handout.excluded:
        _text(pdf, line, 9)
    for period in handout.periods:
        _period(pdf, period)
    pdf.ln(3)
    _heading(pdf, "Abstinenser – det kan du mærke")
    _text(pdf, "Når dosis sættes ned, kan du få abstinenser, fx:")
    _bullets(pdf, handout.withdrawal_symptoms)
    pdf.ln(2)
    _heading(pdf, "Gode råd")
    _bullets(pdf, handout.advice)
    pdf.ln(2)
    _heading(pdf, "Kontakt lægen, hvis")
    _bullets(pdf, handout.when_to_call)
    _text(pdf, handout.emergency, 10, "B")
    pdf.ln(2)
    _heading(pdf, "Din læge")
    contact = [handout.practice_name, handout.practice_address]
    if handout.practice_phone:
        contact.append(f"Telefon {handout.practice_phone}")
    _text(pdf, "\n".join(c for c in contact if c))
    return bytes(pdf.output())
