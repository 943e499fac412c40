"""The first page, captions (reStructuredText), tables and the summary's numbers (HTML) for
`snakemake --report`, all read from what the PDF is made of."""

import logging
from pathlib import Path

from facevae.files import read_json, write_text
from facevae.htmlreport import about_rst, caption_rst, captions, metrics_html, table_html

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = snakemake.params
summary = read_json(snakemake.input.summary)
latex = captions("".join(Path(path).read_text() for path in snakemake.input.sections))
missing = sorted(set(params.figures + params.tables) - set(latex))
if missing:
    raise SystemExit(f"no caption in report/sections for: {', '.join(missing)}")
for name, path in zip(params.figures + params.tables, snakemake.output.captions):
    write_text(path, caption_rst(latex[name], summary))
for source, path in zip(snakemake.input.tables, snakemake.output.tables):
    write_text(path, table_html(Path(source).read_text(), summary))
write_text(snakemake.output.metrics, metrics_html(summary))
intro = Path(snakemake.input.intro).read_text()
write_text(snakemake.output.about, about_rst(intro, summary, params.run))
logging.info("%d captions, %d tables", len(snakemake.output.captions), len(snakemake.output.tables))
