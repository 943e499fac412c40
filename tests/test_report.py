"""The flat summary, the words shared by tables, sentences and figures, and the guard that
keeps typed numbers and typed comparisons out of the report's LaTeX."""

import re

import pytest
from conftest import REPO

from facevae.report import (
    baseline_label,
    best_classical,
    flatten,
    merge_parts,
    method_name,
    readable,
)


def test_flatten_and_merge():
    merged = merge_parts({"data": {"rows": 5, "gender": {"male": 3}}, "data.split": {"test": 1}})
    assert merged == {"data.gender.male": 3, "data.rows": 5, "data.split.test": 1}
    with pytest.raises(ValueError, match="data.split.test"):
        merge_parts({"data": {"split": {"test": 1}}, "data.split": {"test": 2}})
    assert flatten({"channels": [32, 64]}) == {"channels": "32, 64"}
    assert flatten({"sd": None}) == {"sd": None}  # a missing number (strict JSON's null)
    assert flatten({"loss": [1.5, None]}) == {"loss": "1.5, null"}
    with pytest.raises(TypeError, match="holds a set"):
        flatten({"counts": {1, 2}})


def _prose(text: str) -> str:
    """The running text of a .tex file: no comments, maths, \\val{...} or command arguments
    that are names (labels, files, environments)."""
    text = re.sub(r"(?<!\\)%.*", "", text)
    text = re.sub(r"\\begin\{equation\}.*?\\end\{equation\}", " ", text, flags=re.S)
    text = re.sub(r"\$[^$]*\$", " ", text)
    text = re.sub(r"\\val\{[^}]*\}", " ", text)
    names = (
        r"label|ref|includegraphics|input|begin|end|graphicspath|usepackage|documentclass"
        r"|generatedtable"
    )
    text = re.sub(rf"\\({names})(\[[^\]]*\])?\{{[^}}]*\}}", " ", text)
    return re.sub(
        r"\\(newcommand|newsavebox|ifcsname|ifdim|PackageError|DeclareUnicodeCharacter).*",
        " ",
        text,
    )


# Numbers that are names or fixed conventions, not measurements or settings.
ALLOWED_NUMBERS = [r"95\\,\\%", r"SHA-256", r"\bF1\b", r"#\d"]  # #1: a macro parameter
# Words that state how results compare; such clauses come from the summary (text.* keys).
RESULT_WORDS = (
    r"\b(better|worse|beats?|outperform\w*|exceeds?|higher than|lower than|above|"
    r"below|within|matches|surpass\w*|consistent with)\b"
)


def test_no_result_or_setting_is_typed_in_the_report():
    for path in sorted((REPO / "report").rglob("*.tex")):
        text = _prose(path.read_text())
        for allowed in ALLOWED_NUMBERS:
            text = re.sub(allowed, " ", text)
        numbers = [line.strip() for line in text.splitlines() if re.search(r"\d", line)]
        assert numbers == [], f"{path.name}: a number typed by hand: {numbers}"
        words = [m.group(0) for m in re.finditer(RESULT_WORDS, text, flags=re.I)]
        assert words == [], f"{path.name}: result wording typed by hand: {words}"


def test_the_guard_sees_typed_results():
    assert re.search(r"\d", _prose("the VAE reaches 19.6 dB"))
    assert not re.search(r"\d", _prose(r"the VAE reaches \val{vae.best.test_psnr} dB"))
    assert re.search(RESULT_WORDS, _prose("which is better than the mean filter"), flags=re.I)


def test_words_for_restorers_yardsticks_and_variants():
    assert method_name("tv") == "total-variation denoising"
    assert method_name("new_filter") == "new filter"
    assert baseline_label("mean_face") == "the mean training face"
    assert baseline_label("pca256") == "PCA with 256 components"
    assert readable("reweight_augment") == "reweight + augment"
    assert readable("improved_without_augment") == "improved without augment"
    scores = {
        "corrupted": {"psnr": 30},
        "vae": {"psnr": 25},
        "tv": {"psnr": 20},
        "median": {"psnr": 22},
    }
    assert best_classical(scores) == "median"  # neither the damaged input nor the VAE


def test_the_html_reports_first_page_says_what_built_the_run_and_escapes_names():
    """The run's data, settings digest, commit, machine, versions and time, each shown as
    given: a hostile file name is neither markup (reStructuredText, HTML) nor a template."""
    import jinja2
    from docutils.core import publish_parts

    from facevae.htmlreport import about_rst

    hostile = "</script><script>alert(1)</script>{{ 7*7 }}{% if 1 %}_x_ `y` *z*.csv.gz"
    summary = {
        "data.source": hostile,
        "data.rows": 23705,
        "data.sha256": "ab" * 32,
        "provenance.config_sha256": "cd" * 32,
        "provenance.commit": "0123abc",
        "provenance.tree": "no uncommitted changes",
        "provenance.training.devices": "Intel(R) Xeon(R) Processor (cpu, bf16)",
        "provenance.training.count": 147,
        "provenance.training.minutes": 150.4,
        "provenance.versions.torch": "2.13.0+cpu",
        "config.beyond.enabled": True,
    }
    text = about_rst("The workflow.", summary, "cpu-age_gender")
    rendered = jinja2.Template(text).render()  # Snakemake's pass before docutils
    page = publish_parts(rendered, writer="html")["html_body"]
    assert "<script>" not in page and "&lt;/script&gt;" in page
    assert "{{ 7*7 }}" in page and "{% if 1 %}_x_ `y` *z*.csv.gz" in page
    for shown in ("cpu-age_gender", "ab" * 32, "0123abc", "Xeon", "torch 2.13.0+cpu", "150 min"):
        assert shown in page, shown


def test_every_table_names_the_rule_that_makes_it():
    """\\generatedtable{<table>}{<rule>}: the rule exists, writes generated/<table>.tex, and
    its script is scripts/<rule>.py (what the PDF links to)."""
    rules = "".join(path.read_text() for path in (REPO / "rules").glob("*.smk"))
    blocks = dict(re.findall(r"^rule (\w+):\n(.*?)(?=^\S|\Z)", rules, flags=re.M | re.S))
    sections = "".join(p.read_text() for p in (REPO / "report" / "sections").glob("*.tex"))
    used = re.findall(r"\\generatedtable\{(\w+)\}\{(\w+)\}", sections)
    assert len(used) == sections.count(r"\generatedtable") >= 15
    for table, rule in used:
        assert f'generated/{table}.tex"' in blocks[rule], (table, rule)
        assert f'"../scripts/{rule}.py"' in blocks[rule]


@pytest.mark.parametrize(
    "remote, url",
    [
        ("https://github.com/face-lab/facevae.git", "https://github.com/face-lab/facevae/blob/"),
        ("git@github.com:face-lab/face_vae.git", "https://github.com/face-lab/face_vae/blob/"),
        ("https://user@gitlab.example.org/a/b/c", "https://gitlab.example.org/a/b/c/-/blob/"),
        ("ssh://git@codeberg.org/x/y.git", "https://codeberg.org/x/y/blob/"),
        ("/srv/git/facevae.git", ""),  # a local path: nothing to link to
        ("https://github.com/x/y z", ""),
        ("", ""),
    ],
)
def test_scripts_are_linked_at_the_runs_commit_when_the_remote_is_a_web_host(remote, url):
    from facevae.latex import macro_text
    from facevae.provenance import source_url

    commit = "0123456789abcdef0123456789abcdef01234567"
    found = source_url(remote, commit)
    assert found == (f"{url}{commit}/" if url else "")
    assert source_url(remote, "unknown (not a git checkout)") == ""
    shown = macro_text("provenance.source_url", found)
    assert shown == (rf"\detokenize{{{found}}}" if found else "")
    assert macro_text("provenance.source_url", "https://x.org/%&#") == ""  # never unsafe TeX
