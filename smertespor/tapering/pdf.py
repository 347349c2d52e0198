"""The patient handout as a PDF (fpdf2, pure Python), from the same document as the page.

Every page starts with who made it and how to reach them (region, practice, address and
telephone); the text is 12 pt so a patient can read it without glasses, and each period's
dose table has a box to tick when that period has begun.

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
BODY = 12  # pt: readable on paper for a patient (issue 16)
LINE = 6.2  # mm per line of 12 pt text
TICK_HEADING = "Sæt kryds når startet"
TICK_BOX = "\u2610"  # ☐, drawn by DejaVu Sans
# Medicine, morning, noon, evening, night, tick: 180 mm, the A4 text width.
COLUMNS = (56, 22, 22, 22, 22, 36)


def printable(text: str) -> str:
    """``text`` without control characters, which no font draws."""
    return "".join(ch if ch.isprintable() or ch == "\n" else " " for ch in text)


class _Document(FPDF):
    footer_text = ""
    header_lines: tuple[str, str] = ("", "")

    def header(self) -> None:
        """Region and practice on the left, how to reach the practice on the right."""
        sender, contact = self.header_lines
        top = self.get_y()
        self.set_text_color(30)
        self.set_font(FONT, "B", 10)
        self.multi_cell(
            WIDTH * 0.55, 5, printable(sender), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        bottom = self.get_y()
        self.set_xy(MARGIN + WIDTH * 0.55, top)
        self.set_font(FONT, "", 10)
        self.multi_cell(WIDTH * 0.45, 5, printable(contact), align="R", new_y=YPos.NEXT)
        self.set_y(max(bottom, self.get_y()) + 1)
        self.set_draw_color(120)
        self.line(MARGIN, self.get_y(), MARGIN + WIDTH, self.get_y())
        self.set_text_color(0)
        self.ln(4)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(90)
        self.cell(0, 5, printable(f"{self.footer_text} – side {self.page_no()}/{{nb}}"), align="C")


def _heading(pdf: FPDF, text: str, size: int = 14) -> None:
    pdf.set_font(FONT, "B", size)
    pdf.multi_cell(
        WIDTH, size * 0.5, printable(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )


def _text(pdf: FPDF, text: str, size: int = BODY, style: str = "") -> None:
    pdf.set_font(FONT, style, size)
    pdf.multi_cell(WIDTH, LINE, printable(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _bullets(pdf: FPDF, items: tuple[str, ...]) -> None:
    pdf.set_font(FONT, size=BODY)
    for item in items:
        pdf.multi_cell(
            WIDTH, LINE, printable(f"– {item}"), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )


def _period(pdf: FPDF, period: Period) -> None:
    if pdf.get_y() > 220:
        pdf.add_page()
    pdf.ln(3)
    _heading(pdf, f"{period.heading}: {period.dates}", 13)
    if period.rows:
        pdf.set_font(FONT, size=BODY)
        with pdf.table(
            col_widths=COLUMNS,
            text_align=("LEFT", "CENTER", "CENTER", "CENTER", "CENTER", "CENTER"),
            line_height=LINE,
            first_row_as_headings=True,
            repeat_headings=1,
        ) as table:
            header = table.row()
            header.cell("Medicin")
            for name in TIME_NAMES.values():
                header.cell(name)
            header.cell(TICK_HEADING)
            for row in period.rows:
                cells = table.row()
                product = row.product + (f" ({row.brands})" if row.brands else "")
                cells.cell(printable(product))
                for value in row.cells:
                    cells.cell(printable(value or "–"))
                cells.cell(TICK_BOX)
    for line in period.lines:
        _text(pdf, line)


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
    pdf.set_auto_page_break(True, margin=20)
    pdf.header_lines = (
        "\n".join(n for n in (handout.region_name, handout.practice_name) if n),
        "\n".join(
            c
            for c in (
                handout.practice_address,
                f"Telefon {handout.practice_phone}" if handout.practice_phone else "",
            )
            if c
        ),
    )
    pdf.add_page()
    _heading(pdf, handout.title, 18)
    pdf.ln(1)
    _text(pdf, f"{handout.patient_name}, CPR {handout.patient_cpr}", BODY, "B")
    _text(pdf, f"Udarbejdet {handout.made_on} af {handout.made_by}, {handout.practice_name}", 11)
    pdf.ln(2)
    _text(pdf, handout.intro)
    _text(pdf, "Sæt kryds i skemaet, når du er begyndt på en ny periode.")
    for line in handout.excluded:
        _text(pdf, line)
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
    _text(pdf, handout.emergency, BODY, "B")
    pdf.ln(2)
    _heading(pdf, "Din læge")
    contact = [handout.practice_name, handout.practice_address]
    if handout.practice_phone:
        contact.append(f"Telefon {handout.practice_phone}")
    _text(pdf, "\n".join(c for c in contact if c))
    return bytes(pdf.output())
