"""The parts of ``snakemake --report`` that the PDF does not give for free.

The LaTeX sections stay the one place where captions are written. This module reads them back:
every figure's and table's caption becomes a reStructuredText file (numbers filled in from
the summary), every generated LaTeX table becomes an HTML table, and the headline metrics
become one more HTML table.
"""

from __future__ import annotations

import html
import re

from facevae.latex import macro_text

_FLOAT = re.compile(r"\\begin\{(figure|table)\}.*?\\end\{\1\}", re.S)
_FIGURE = re.compile(r"\\includegraphics(?:\[[^]]*\])?\{([^}]+)\}")
_TABLE = re.compile(r"\\generatedtable\{([^}]+)\}")
# LaTeX that stands for one character or a word in plain text.
_SYMBOLS = {
    r"\beta": "β",
    r"\times": "×",
    r"\pm": "±",
    r"\le": "≤",
    r"\ge": "≥",
    r"\approx": "≈",
    r"\%": "%",
    r"\,": "\u202f",  # a narrow space that never breaks: 95 %, 23 705
    r"\ ": " ",
    r"\&": "&",
    r"\_": "_",
    r"\textemdash{}": "—",
    r"\ldots": "…",
    "``": "“",
    "''": "”",
    "---": "—",
    "--": "–",
    "~": " ",
}


def _argument(text: str, start: int) -> tuple[str, int]:
    """The brace group opening at text[start] ("{"): its contents and the index after it."""
    depth, i = 0, start
    while True:
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
        if depth == 0:
            return text[start + 1 : i - 1], i


def captions(tex: str) -> dict[str, str]:
    """{figure or table name: its LaTeX caption} for every float in `tex` that includes one
    figure (``\\includegraphics{name}``) or one generated table (``\\generatedtable{name}``)."""
    found = {}
    for float_ in _FLOAT.finditer(tex):
        body = float_.group(0)
        names = _FIGURE.findall(body) + _TABLE.findall(body)
        if len(names) != 1 or r"\caption{" not in body:
            continue
        text, _ = _argument(body, body.index(r"\caption{") + len(r"\caption"))
        found[names[0]] = text
    return found


def latex_to_text(latex: str, summary: dict) -> str:
    r"""Plain text of a caption or table cell: ``\val{key}`` filled in from `summary`,
    ``\drawnby{name}`` as the script's path, markup removed."""

    def value(match):
        key = match.group(1)
        return latex_to_text(_value_text(key, summary[key]), summary)

    text = re.sub(r"\\val\{([^}]+)\}", value, latex)
    text = re.sub(r"\\drawnby\{([^}]+)\}", r" [scripts/fig_\1.py]", text)
    text = re.sub(r"\\(?:label|ref)\{[^}]*\}", "", text)
    # \ensuremath{1.50\times10^{-5}}: its argument holds at most one level of braces.
    text = re.sub(r"\\ensuremath\{((?:[^{}]|\{[^{}]*\})*)\}", r"\1", text)
    text = re.sub(r"10\^\{([-\u2212]?\d+)\}", r"10^\1", text)
    for latex_symbol, plain in _SYMBOLS.items():
        text = text.replace(latex_symbol, plain)
    text = re.sub(r"\\[A-Za-z]+\*?(\[[^]]*\])?", "", text)  # \textbf, \scriptsize, ...
    text = text.replace("$", "").replace("{", "").replace("}", "")
    return re.sub(r"[ \t\n]+", " ", text).strip()


def _value_text(key: str, value) -> str:
    """A summary value as the PDF prints it (facevae.latex.macro_text), strings unescaped."""
    return value if isinstance(value, str) else macro_text(key, value)


def caption_rst(latex: str, summary: dict) -> str:
    """A caption as reStructuredText for the HTML report: plain text, the script's path as
    a literal. Snakemake renders it with Jinja first, so braces never reach it."""
    text = latex_to_text(latex, summary)
    text = re.sub(r"\[(scripts/[^]\s]+)\]", r"(drawn by ``\1``)", text)
    return text.replace("*", r"\*") + "\n"


def rst_text(value) -> str:
    """Any value as literal reStructuredText on one line: every character that is not a
    letter, digit or space is backslash-escaped, so neither reStructuredText nor the Jinja
    pass Snakemake runs first reads markup in it (a folder named ``{{ x }}`` or
    ``</script>`` is shown as it is, and docutils escapes it for HTML)."""
    return re.sub(r"([^\w ])", r"\\\1", " ".join(str(value).split()))


def about_rst(intro: str, summary: dict, run: str) -> str:
    """The first page of ``snakemake --report``: ``intro`` (report/workflow.rst), then what
    built the run ``run`` (its folder's name), from its summary: data, settings, code,
    machine, software and time."""
    get = lambda key, default="unknown": summary.get(key, default)  # noqa: E731
    versions = ", ".join(
        f"{name.replace('_', '-')} {get(f'provenance.versions.{name}')}"
        for name in ("python", "torch", "snakemake", "numpy", "scikit_image", "scikit_learn")
    )
    seeds = lambda part: get(f"config.{part}.seeds", "")  # noqa: E731
    fields = {
        "Run": f"{run} (results/{run}/)",
        "Data": f"{get('data.source')}, {get('data.rows')} rows, SHA-256 {get('data.sha256')}",
        "Settings": (
            f"SHA-256 {get('provenance.config_sha256')} of the resolved settings (every one:"
            f" summary.json, config.*); CNNs {get('config.cnn.epochs')} epochs, seeds"
            f" {seeds('cnn')}; VAEs {get('config.vae.epochs')} epochs, seeds {seeds('vae')};"
            f" chapter 3 {'on' if get('config.beyond.enabled', False) else 'off'}"
        ),
        "Code": f"commit {get('provenance.commit')} ({get('provenance.tree')})",
        "Machine": get("provenance.training.devices"),
        "Software": versions,
        "Time": (
            f"{get('provenance.training.count')} training jobs,"
            f" {round(get('provenance.training.minutes', 0))} min of training in all"
        ),
    }
    lines = [intro.rstrip(), "", "This run", "--------", ""]
    lines += [f":{name}: {rst_text(value)}" for name, value in fields.items()]
    return "\n".join(lines) + "\n"


def table_html(latex_tabular: str, summary: dict) -> str:
    """A generated booktabs tabular (see facevae.latex.latex_table) as an HTML table."""
    rows, head = [], True
    for line in latex_tabular.splitlines():
        line = line.strip()
        if line == r"\midrule":
            head = False
        if not line.endswith(r"\\"):
            continue
        cells = [html.escape(latex_to_text(c, summary)) for c in line[:-2].split(" & ")]
        tag = "th" if head else "td"
        rows.append("<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in cells) + "</tr>")
    return _page("\n".join(rows))


def metrics_html(summary: dict) -> str:
    """Every number of the summary except settings and provenance, one row each."""
    rows = ["<tr><th>key</th><th>value</th></tr>"]
    for key, value in summary.items():
        if key.startswith(("config.", "text.")) or isinstance(value, (list, dict)):
            continue
        shown = latex_to_text(_value_text(key, value), summary) if value is not None else "—"
        rows.append(
            f"<tr><td><code>{html.escape(key)}</code></td><td>{html.escape(shown)}</td></tr>"
        )
    return _page("\n".join(rows))


def _page(rows: str) -> str:
    style = (
        "table{border-collapse:collapse;font:14px sans-serif}"
        "td,th{padding:2px 10px;border-bottom:1px solid #ddd;text-align:right}"
        "td:first-child,th:first-child{text-align:left}"
    )
    return (
        f'<!doctype html>\n<html><head><meta charset="utf-8"><style>{style}</style></head>'
        f"<body><table>\n{rows}\n</table></body></html>\n"
    )
