"""Summary merging and the LaTeX macros the report reads its numbers from."""

import re

import pytest
from conftest import REPO

from facevae.report import (
    escape_latex,
    flatten,
    format_number,
    latex_macros,
    latex_table,
    merge_parts,
    model_label,
    position,
    schedule_phrase,
    versus_method,
    versus_published,
)


def test_flatten_and_merge():
    merged = merge_parts({"data": {"rows": 5, "gender": {"male": 3}}, "data.split": {"test": 1}})
    assert merged == {"data.gender.male": 3, "data.rows": 5, "data.split.test": 1}
    with pytest.raises(ValueError, match="data.split.test"):
        merge_parts({"data": {"split": {"test": 1}}, "data.split": {"test": 2}})
    assert flatten({"channels": [32, 64]}) == {"channels": "32, 64"}
    with pytest.raises(TypeError, match="NoneType"):
        flatten({"counts": None})


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (23705, "23{,}705"),
        (29.0, "29"),
        (6.034, "6.03"),
        (19.66, "19.7"),
        (0.0122, "0.0122"),
        (0.001, "0.001"),
        (1e-5, r"\ensuremath{1\times10^{-5}}"),
        (-2.46e-4, r"\ensuremath{-2.46\times10^{-4}}"),
        (0.0, "0"),
        (375, "375"),
        (1234.0, "1{,}234"),
        (1234.56, "1{,}235"),
        (float("nan"), r"\textemdash{}"),
        (True, "yes"),
    ],
)
def test_format_number(value, text):
    assert format_number(value) == text


def test_macros_define_every_key_and_percent():
    text = latex_macros(
        {"data.rows": 10, "cnn.gender.test_accuracy": 0.9012, "data.source": "a_b & c"}
    )
    assert r"\csname fv@data.rows\endcsname{10}" in text
    assert r"\csname fv@cnn.gender.test_accuracy.pct\endcsname{90.1\,\%}" in text
    assert r"{a\_b \& c}" in text
    assert escape_latex("100%") == r"100\%"


def test_latex_table_with_two_header_rows():
    text = latex_table([["a", "b"], ["", "x"]], [["1", "2"]], "lr")
    lines = text.splitlines()
    assert lines[:5] == [r"\begin{tabular}{lr}", r"\toprule", r"a & b \\", r" & x \\", r"\midrule"]
    assert lines[-2:] == [r"\bottomrule", r"\end{tabular}"]
    assert model_label({"latent": 256, "beta": 0.01}) == r"$z=256$, $\beta=0.01$"


def _prose(text: str) -> str:
    """The running text of a .tex file: no comments, maths, \\val{...} or command arguments
    that are names (labels, files, environments)."""
    text = re.sub(r"(?<!\\)%.*", "", text)
    text = re.sub(r"\\begin\{equation\}.*?\\end\{equation\}", " ", text, flags=re.S)
    text = re.sub(r"\$[^$]*\$", " ", text)
    text = re.sub(r"\\val\{[^}]*\}", " ", text)
    names = r"label|ref|includegraphics|input|begin|end|graphicspath|usepackage|documentclass"
    text = re.sub(rf"\\({names})(\[[^\]]*\])?\{{[^}}]*\}}", " ", text)
    return re.sub(r"\\(newcommand|ifcsname|PackageError).*", " ", text)


# Numbers that are names or fixed conventions, not measurements or settings.
ALLOWED_NUMBERS = [r"95\\,\\%", r"SHA-256", r"\bF1\b"]
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


def test_result_sentences_follow_the_intervals():
    def scores(value, low, high):
        return {"v": value, "v_ci95_low": low, "v_ci95_high": high}

    assert versus_published(scores(0.92, 0.91, 0.93), "v", 0.90, percent=True).startswith(
        "higher than the original's 90.0 %"
    )
    assert versus_published(scores(0.92, 0.89, 0.95), "v", 0.90).startswith("consistent")
    assert versus_published(scores(5.0, 4.8, 5.2), "v", 6.03).startswith("lower than")
    assert versus_method(scores(20, 19.5, 20.5), scores(18, 17.5, 18.5), "v", "X").startswith(
        "higher than that of X"
    )
    assert versus_method(scores(20, 19, 21), scores(20.5, 20, 21), "v", "X").startswith("not")
    assert position(1, 2, 3) == "above" and position(1, 2, 0) == "below"


def test_schedule_phrase_follows_the_settings():
    constant = {"lr": 0.001, "lr_schedule": "constant", "warmup": 0.3}
    assert schedule_phrase(constant) == "a constant learning rate of 0.001"
    cycle = schedule_phrase(constant | {"lr": 0.003, "lr_schedule": "onecycle", "warmup": 0.2})
    assert "one-cycle" in cycle and "0.00012 to 0.003" in cycle and "first 20 %" in cycle
    # the phrase goes into the LaTeX macros escaped, like every string
    assert r"20 \% of" in latex_macros({"config.vae.schedule": cycle})
