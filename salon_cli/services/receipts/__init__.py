"""Receipts: every paid sale, refund and void as the client takes it away, and the day's Z-report.

`content` reads a sale into a `Receipt` (plain data); `words` says it in the receipt's language (the
location's, or SALON_LANG's): its words from that language's gettext catalog, its money and dates from
`i18n.formats` (Babel); `text` lays it out in 42 columns (80 mm paper), which `escpos_out` prints on an
ESC/POS printer (python-escpos) and `pdf` sets on a page (fpdf2); `emailing` queues it to the client
through the outbox with the PDF attached; `delivery` prints and e-mails it, each time audited.
`zreport` does the same for the close's report.

escpos and fpdf are imported only here (Babel through `i18n.formats`), and only when a receipt is
made: `salon --help` and the commands that make none never load them (DESIGN.md, lazy imports).
"""
