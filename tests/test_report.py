"""Summary merging and the LaTeX macros the report reads its numbers from."""

import pytest

from facevae.report import (
    escape_latex,
    flatten,
    format_number,
    latex_macros,
    latex_table,
    merge_parts,
    model_label,
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
