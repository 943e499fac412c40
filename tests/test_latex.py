"""facevae.latex: the one way the report prints a number, a number with its interval, a table
and the macros of the summary."""

import pytest

from facevae.latex import (
    escape_latex,
    format_number,
    format_percent,
    format_setting,
    interval_of,
    latex_macros,
    latex_table,
    macro_text,
    with_interval,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (23705, r"23\,705"),
        (0.90, "0.900"),  # three significant figures keep the zeros they ask for
        (29.0, "29.0"),
        (-3.2, "\u22123.20"),  # a true minus sign, not a hyphen
        (6.034, "6.03"),
        (19.66, "19.7"),
        (99.96, "100"),  # rounds up to three figures, not "100."
        (0.0122, "0.0122"),
        (0.001, "0.00100"),
        (12345.6, r"12\,346"),
        (1234.0, r"1\,234"),
        (375, "375"),
        (0.0, "0"),
        (1e-5, "\\ensuremath{1.00\\times10^{\u22125}}"),
        (-2.46e-4, "\\ensuremath{\u22122.46\\times10^{\u22124}}"),
        (float("nan"), r"\textemdash{}"),
        (float("inf"), r"\textemdash{}"),
        (True, "yes"),
        (False, "no"),
    ],
)
def test_format_number(value, text):
    assert format_number(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.001, "0.001"), (0.9, "0.9"), (29.0, "29"), (1e-5, "\\ensuremath{1\\times10^{\u22125}}")],
)
def test_a_setting_is_written_as_given(value, text):
    assert format_setting(value) == text


def test_percent_in_running_text():
    assert format_percent(0.9012) == r"90.1\,\%"
    assert format_percent(0.05) == r"5.00\,\%"
    assert format_percent(float("nan")) == r"\textemdash{}"


def test_interval_in_a_table_cell():
    assert with_interval(19.66, 19.4, 19.8) == r"19.7 {\scriptsize [19.4, 19.8]}"
    assert with_interval(19.66, 19.4, 19.8, bold=True) == (
        r"\textbf{19.7} {\scriptsize [19.4, 19.8]}"
    )


def test_interval_in_running_text():
    assert with_interval(19.66, 19.4, 19.8, text=True, unit="dB") == (
        r"19.7\,dB (95\,\% interval 19.4 to 19.8)"
    )
    assert with_interval(5.56, 5.3, 5.8, text=True, unit="years") == (
        r"5.56~years (95\,\% interval 5.30 to 5.80)"
    )


def test_a_missing_number_is_a_dash():
    assert with_interval(None, percent=True) == r"\textemdash{}"
    assert format_percent(None) == r"\textemdash{}"


def test_a_missing_interval_leaves_the_value():
    assert with_interval(19.66) == "19.7"
    assert with_interval(19.66, None, 19.8, text=True, unit="dB") == r"19.7\,dB"
    assert with_interval(*interval_of({"psnr": 19.66}, "psnr")) == "19.7"


def test_percent_scales_value_and_bounds():
    assert with_interval(0.9012, 0.89, 0.912, percent=True) == r"90.1 {\scriptsize [89.0, 91.2]}"


def test_a_signed_difference_marks_every_positive_number():
    assert with_interval(0.031, -0.005, 0.06, percent=True, signed=True) == (
        "+3.10 {\\scriptsize [\u22120.500, +6.00]}"
    )
    assert with_interval(-3.2, -4.0, -2.5, signed=True, text=True) == (
        "\u22123.20 (95\\,\\% interval \u22124.00 to \u22122.50)"
    )
    assert with_interval(0.0, signed=True) == "0"


def test_interval_of_reads_the_stage_keys():
    scores = {"psnr": 20.0, "psnr_ci95_low": 19.0, "psnr_ci95_high": 21.0}
    assert interval_of(scores, "psnr") == (20.0, 19.0, 21.0)
    assert interval_of({"psnr": 20.0}, "psnr") == (20.0, None, None)


def test_latex_table_with_two_header_rows():
    text = latex_table([["a", "b"], ["", "x"]], [["1", "2"]], "lr")
    lines = text.splitlines()
    assert lines[:5] == [r"\begin{tabular}{lr}", r"\toprule", r"a & b \\", r" & x \\", r"\midrule"]
    assert lines[5] == r"1 & 2 \\"
    assert lines[-2:] == [r"\bottomrule", r"\end{tabular}"]


def test_macros_define_every_key():
    summary = {
        "data.rows": 10,
        "cnn.gender.test_accuracy": 0.9012,
        "data.source": "a_b & c",
        "vae.best.test_ssim": 0.9,
        "config.vae.lr": 0.001,
        "paper.cnn.gender.test_accuracy": 0.9,
        "text.vae.versus_baselines": r"higher than $z=4$ (95\,\% interval)",
    }
    text = latex_macros(summary)
    defined = [
        line.split(r"\csname fv@")[1].split(r"\endcsname")[0] for line in text.splitlines()[1:]
    ]
    assert set(summary) <= set(defined)
    assert set(defined) - set(summary) == {
        "cnn.gender.test_accuracy.pct",
        "paper.cnn.gender.test_accuracy.pct",
    }
    assert r"\csname fv@data.rows\endcsname{10}" in text
    assert r"\csname fv@cnn.gender.test_accuracy.pct\endcsname{90.1\,\%}" in text
    assert r"\csname fv@vae.best.test_ssim\endcsname{0.900}" in text  # measured
    assert r"\csname fv@config.vae.lr\endcsname{0.001}" in text  # given
    assert r"\csname fv@paper.cnn.gender.test_accuracy\endcsname{0.9}" in text
    assert r"{a\_\allowbreak{}b \& c}" in text  # a plain string is escaped ...
    assert r"{higher than $z=4$ (95\,\% interval)}" in text  # ... a sentence is LaTeX already


def test_macro_text_and_escape():
    assert macro_text("data.source", "100%") == r"100\%"
    # a long path may break after a slash or an underscore
    assert macro_text("data.source", "/data/a_b.csv") == (
        r"/\allowbreak{}data/\allowbreak{}a\_\allowbreak{}b.csv"
    )
    assert macro_text("text.x", r"100\,\%") == r"100\,\%"
    assert escape_latex(r"a~b^c\d") == r"a\~{}b\^{}c\textbackslash{}d"


def test_thousands_inside_an_interval_are_grouped_by_a_thin_space_never_a_comma():
    cell = with_interval(1550.4, 1529.2, 1572.0)
    assert cell == r"1\,550 {\scriptsize [1\,529, 1\,572]}"
    bracket = cell.split("[")[1].rstrip("]}")
    assert bracket.count(",") == 1 + bracket.count(r"\,")  # the only bare comma separates


def test_a_unit_symbol_follows_a_thin_space_and_a_word_a_tie():
    assert format_percent(0.95) == r"95.0\,\%"
    assert with_interval(-16884.2, text=True, unit="nats") == "\u221216\\,884~nats"


@pytest.mark.parametrize(
    "text, shown",
    [
        ("données_€.csv", r"données\_?.csv"),  # a Latin-1 letter stays, the euro sign does not
        ("a\tb\x07😀.csv", "a?b??.csv"),  # control characters and an emoji
        ("50%_#1&$~^\\.csv", r"50\%\_\#1\&\$\~{}\^{}\textbackslash{}.csv"),
    ],
)
def test_any_file_name_becomes_latex_that_builds(text, shown):
    assert escape_latex(text) == shown
