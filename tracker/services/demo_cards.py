"""The demo's certification cards: a small one-page PDF per card, made here so the demo ships no files.

Each says plainly that it is a demo, and shows what the manager compares with the typed record:
the type, the holder, the number and the dates. The bytes depend only on the text, so a rebuilt
demo has the same cards with the same SHA-256.
"""

from __future__ import annotations

CARD_SIZE = (243, 153)  # points: a wallet card, 85.6 by 54 mm
FONT_SIZE, LEADING, MARGIN = 10, 15, 16


def _pdf_text(line: str) -> str:
    """A line as a PDF string: Latin-1 (Helvetica's range), with the characters PDF reserves escaped."""
    plain = line.encode("latin-1", "replace").decode("latin-1")
    return "(" + plain.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def card_pdf(lines: list[str]) -> bytes:
    """A one-page PDF the size of a card, ``lines`` in Helvetica from the top left."""
    width, height = CARD_SIZE
    shown = " ".join(f"{_pdf_text(line)} Tj T*" for line in lines)
    content = f"BT /F1 {FONT_SIZE} Tf {LEADING} TL {MARGIN} {height - MARGIN - FONT_SIZE} Td {shown} ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] /Resources << /Font << /F1 4 0 R >> >> "
        "/Contents 5 0 R >>".encode("ascii"),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def demo_card(type_name: str, holder: str, number: str, issued_on: str, expires_on: str, copy: str = "") -> bytes:
    return card_pdf([type_name, holder, f"Number {number}", f"Issued {issued_on}",
                     f"Expires {expires_on}" if expires_on else "Does not expire",
                     f"Demo card{copy}: not a real document"])
