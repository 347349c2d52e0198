"""The patient handout as a PDF (fpdf2, pure Python), from the same document as the page.

Helvetica, one of the PDF standard fonts, covers Latin-1, which has æ, ø, å and ½; nothing
needs embedding, so the file stays small and its text stays searchable. The few characters
outside Latin-1 that Danish typography uses (dashes, the ellipsis) are replaced by their
plain equivalents.
"""

from __future__ import annotations

from fpdf import FPDF, XPos, YPos

from smertespor.tapering.handout import TIME_NAMES, Handout, Period

_PLAIN = str.maketrans({"–": "-", "—": "-", "…": "...", "’": "'", "“": '"', "”": '"', "≤": "<="})
MARGIN = 15
WIDTH = 210 - 2 * MARGIN  # A4


def latin1(text: str) -> str:
    return text.translate(_PLAIN).encode("latin-1", errors="replace").decode("latin-1")


class _Document(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.set_text_color(90)
        self.cell(0, 5, latin1(f"{self.footer_text} - side {self.page_no()}/{{nb}}"), align="C")


def _heading(pdf: FPDF, text: str, size: int = 12) -> None:
    pdf.set_font("Helvetica", "B", size)
    pdf.multi_cell(WIDTH, 6, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _text(pdf: FPDF, text: str, size: int = 10, style: str = "") -> None:
    pdf.set_font("Helvetica", style, size)
    pdf.multi_cell(WIDTH, 5, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _bullets(pdf: FPDF, items: tuple[str, ...]) -> None:
    pdf.set_font("Helvetica", size=10)
    for item in items:
        pdf.multi_cell(WIDTH, 5, latin1(f"- {item}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _period(pdf: FPDF, period: Period) -> None:
    if pdf.get_y() > 240:
        pdf.add_page()
    pdf.ln(2)
    _heading(pdf, f"{period.heading}: {period.dates}", 11)
    if period.rows:
        pdf.set_font("Helvetica", size=9)
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
                cells.cell(latin1(product))
                for value in row.cells:
                    cells.cell(latin1(value or "-"))
    for line in period.lines:
        _text(pdf, line, 9)


def handout_pdf(handout: Handout) -> bytes:
    pdf = _Document(format="A4")
    pdf.footer_text = f"{handout.patient_name} ({handout.patient_cpr})"
    pdf.set_title(latin1(handout.title))
    pdf.set_author(latin1(handout.practice_name))
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
    _heading(pdf, "Abstinenser - det kan du mærke")
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
