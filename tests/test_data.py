"""Parser and validator: good tables in every accepted encoding, and each kind of bad input."""

import gzip

import numpy as np
import pandas as pd
import pytest
from conftest import table_text

from facevae import data
from facevae.data import DataError, duplicate_groups, load_faces, parse_pixels, quality_report


def test_parses_values_row_major(write_table):
    text = table_text(n=3)
    faces = load_faces(write_table(text))
    expected = pd.read_csv(write_table(text, "b.csv"))["pixels"].str.split().tolist()
    expected = np.array(expected, dtype=np.uint8).reshape(3, 48, 48)
    np.testing.assert_array_equal(faces["images"], expected)
    assert faces["images"].dtype == np.uint8
    assert faces["age"].tolist() == [20, 21, 22]
    assert faces["ethnicity"].tolist() == [0, 1, 2]
    assert faces["gender"].tolist() == [0, 1, 0]
    assert faces["img_name"].tolist() == ["face_0.jpg", "face_1.jpg", "face_2.jpg"]


def test_edge_values_and_spacing():
    row = " ".join(["0", "255", "7", "42"] * 576)
    images = parse_pixels("x.csv", pd.Series(["  " + row + " ", row.replace(" ", "\t")]))
    assert images[0, 0, :4].tolist() == [0, 255, 7, 42]
    np.testing.assert_array_equal(images[0], images[1])


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_bom_and_crlf_accepted(write_table, encoding, newline):
    plain = load_faces(write_table(table_text(), "plain.csv"))
    other = load_faces(write_table(table_text().replace("\n", newline), encoding=encoding))
    np.testing.assert_array_equal(plain["images"], other["images"])
    np.testing.assert_array_equal(plain["age"], other["age"])


def test_gzip_accepted(tmp_path):
    path = tmp_path / "faces.csv.gz"
    with gzip.open(path, "wt") as handle:
        handle.write(table_text())
    assert load_faces(path)["images"].shape == (4, 48, 48)


@pytest.mark.parametrize(
    "damage",
    [lambda data: data[:-30], lambda data: data[:20] + b"x" * 50 + data[70:], lambda _: b"plain"],
    ids=["truncated", "corrupt", "not-gzip"],
)
def test_damaged_gzip_is_a_clear_error(tmp_path, damage):
    path = tmp_path / "faces.csv.gz"
    path.write_bytes(damage(gzip.compress(table_text().encode())))
    with pytest.raises(DataError, match=f"^{path}: cannot be read as CSV"):
        load_faces(path)


def _bad_pixels(row: int, value: str) -> list[str]:
    """Four valid pixel strings, the one of `row` replaced by `value`."""
    rows = [" ".join(["10"] * 2304) for _ in range(4)]
    rows[row] = value
    return rows


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        (table_text(pixels=_bad_pixels(1, " ".join(["1"] * 2303))), "line 3", "2303 values"),
        (table_text(pixels=_bad_pixels(2, " ".join(["1"] * 2305))), "line 4", "2305 values"),
        (table_text(pixels=_bad_pixels(0, "256 " + " ".join(["1"] * 2303))), "line 2", "above 255"),
        (
            table_text(pixels=_bad_pixels(3, "1000 " + " ".join(["1"] * 2303))),
            "line 5",
            "above 255",
        ),
        (table_text(pixels=_bad_pixels(1, "-1 " + " ".join(["1"] * 2303))), "line 3", "'-'"),
        (table_text(pixels=_bad_pixels(2, "1.5 " + " ".join(["1"] * 2303))), "line 4", "'.'"),
        (table_text(pixels=_bad_pixels(0, "")), "line 2", "0 values"),
        (table_text().replace("\n21,", "\n2x,"), "line 3", "age is not an integer"),
        (table_text().replace("\n22,", "\n0,"), "line 4", "age = 0 is outside 1..116"),
        (table_text().replace(",1,face_1", ",2,face_1"), "line 3", "gender = 2"),
        (table_text().replace("\n23,3,", "\n23,7,"), "line 5", "ethnicity = 7"),
        ("age,ethnicity,gender,img_name,pixels\n", "", "header but no rows"),
        ("", "", "empty"),
        (table_text().replace("gender,", "sex,", 1), "line 1", "missing ['gender']"),
        (table_text().replace("pixels", "pixels,extra", 1), "line 1", ""),
    ],
    ids=[
        "short-row",
        "long-row",
        "256",
        "4-digits",
        "negative",
        "decimal",
        "no-pixels",
        "age-text",
        "age-range",
        "gender-range",
        "ethnicity-range",
        "header-only",
        "empty",
        "missing-column",
        "extra-column",
    ],
)
def test_bad_input_names_file_line_and_problem(write_table, text, line, problem):
    path = write_table(text)
    with pytest.raises(DataError) as err:
        load_faces(path)
    message = str(err.value)
    assert message.startswith(str(path))
    assert line in message
    assert problem in message


def test_error_lists_first_lines_and_how_many_more(write_table):
    pixels = [" ".join(["1"] * 2300)] * 8
    path = write_table(table_text(n=8, pixels=pixels))
    with pytest.raises(DataError, match=r"line 2, 3, 4, 5, 6 and 3 more: pixels has 2300"):
        load_faces(path)


@pytest.mark.parametrize("threads", [1, 2])
def test_chunks_and_threads_change_nothing(threads):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(11, 48, 48), dtype=np.uint8)
    column = pd.Series([" ".join(map(str, image.ravel())) for image in images])
    parsed = parse_pixels("x.csv", column, threads=threads, chunk_rows=3)
    np.testing.assert_array_equal(parsed, images)
    # Offending rows in different chunks are all counted; the first problem kind wins.
    column[[1, 7, 8]] = "1 2 3"
    column[10] = "1 x 3"
    with pytest.raises(DataError, match=r"line 12: pixels must be integers"):
        parse_pixels("x.csv", column, threads=threads, chunk_rows=3)
    column[10] = column[0]
    with pytest.raises(DataError, match=r"line 3, 9, 10: pixels has 3 values"):
        parse_pixels("x.csv", column, threads=threads, chunk_rows=3)


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="not found"):
        load_faces(tmp_path / "nope.csv")


def test_duplicate_groups_and_conflicts():
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (6, 48, 48), dtype=np.uint8)
    images[3] = images[0]
    images[5] = images[0]
    images[4] = images[2]
    group = duplicate_groups(images)
    assert group.tolist() == [0, 1, 2, 0, 2, 0]
    faces = {
        "images": images,
        "group": group,
        "age": np.array([30, 5, 40, 30, 41, 30]),  # group of 2 conflicts on age
        "gender": np.array([0, 1, 1, 0, 1, 0]),
        "ethnicity": np.array([0, 2, 4, 0, 4, 0]),
    }
    report = quality_report(faces)
    assert report["duplicate_groups"] == 2
    assert report["duplicate_rows"] == 5
    assert report["conflicting_groups"] == 1
    assert report["gender"] == {"male": 3, "female": 3}
    assert report["ethnicity"]["white"] == 3


def _with_lines_before(text: str, row: int, extra: str) -> str:
    """Insert `extra` (raw text, ending in a newline) before data row `row` of a table."""
    lines = text.splitlines(keepends=True)
    return "".join(lines[: row + 1]) + extra + "".join(lines[row + 1 :])


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_line_numbers_count_blank_lines(write_table, newline):
    # Row 2 (line 4 of a plain table) and row 3 have age 0; pandas skips the empty,
    # space-only and tab-only lines, but they are lines of the file all the same.
    text = table_text().replace("\n22,", "\n0,").replace("\n23,", "\n0,")
    text = "\n" + _with_lines_before(text, 2, "\n   \n\t\n")
    path = write_table(text.replace("\n", newline))
    with pytest.raises(DataError, match=rf"^{path}: line 8, 9: age = 0 is outside"):
        load_faces(path)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_line_numbers_count_lines_inside_quoted_fields(write_table, newline):
    # Row 1's name spans three lines, so the bad row 2 starts on line 6, not 4.
    text = table_text().replace("face_1.jpg", '"face\n1\n.jpg"').replace("\n22,", "\n0,")
    path = write_table(text.replace("\n", newline))
    with pytest.raises(DataError, match=rf"^{path}: line 6: age = 0 is outside"):
        load_faces(path)


def test_line_numbers_in_gzip_and_header_after_blank_lines(tmp_path):
    path = tmp_path / "faces.csv.gz"
    text = _with_lines_before(table_text(), 1, "\n\n").replace("\n21,", "\n2x,")
    path.write_bytes(gzip.compress(("\n \n" + text).encode()))
    with pytest.raises(DataError, match=rf"^{path}: line 7: age is not an integer"):
        load_faces(path)
    path.write_bytes(gzip.compress(("\n \n" + text.replace("gender", "sex", 1)).encode()))
    with pytest.raises(DataError, match=rf"^{path}: line 3: header has columns"):
        load_faces(path)


@pytest.mark.parametrize(
    ("damage", "line", "problem"),
    [
        (lambda t: t.replace("face_2.jpg", "face,2.jpg"), "line 6", "6 fields, expected 5"),
        (lambda t: t.replace("face_3.jpg", '"face_3.jpg'), "line 7", "never closed"),
    ],
    ids=["extra-field", "open-quote"],
)
def test_csv_errors_name_the_physical_line(write_table, damage, line, problem):
    # Row 1's name spans two lines and a blank line follows, which pandas' own "line" or
    # "row" in its message does not count.
    text = _with_lines_before(table_text().replace("face_1.jpg", '"face\n1.jpg"'), 2, "\n")
    path = write_table(damage(text))
    with pytest.raises(DataError, match=rf"^{path}: {line}: cannot be read as CSV: .*{problem}"):
        load_faces(path)


def test_newline_inside_pixels_is_named_on_its_line(write_table):
    text = table_text(
        pixels=_bad_pixels(2, '"' + " ".join(["1"] * 1000) + "\n" + "1 " * 1304 + '"')
    )
    path = write_table(text)
    with pytest.raises(DataError, match=rf"^{path}: line 4: pixels must .*found '\\n'"):
        load_faces(path)


def test_unknown_lines_are_not_guessed(write_table, monkeypatch):
    def unreadable(path, max_mb):
        raise OSError("gone")

    monkeypatch.setattr(data, "_record_starts", unreadable)
    path = write_table(table_text().replace("\n21,", "\n2x,"))
    with pytest.raises(DataError, match=rf"^{path}: data row 2 \(line numbers unknown\): age"):
        load_faces(path)


def test_long_img_name_is_refused(write_table):
    name = "n" * 1_000_000
    text = table_text(n=13).replace("face_4.jpg", name).replace("face_9.jpg", name[:256])
    path = write_table(text)
    with pytest.raises(DataError) as err:
        load_faces(path)
    message = str(err.value)
    assert message.startswith(f"{path}: line 6, 11: img_name is 1,000,000 characters long")
    assert f"limit is {data.MAX_NAME_LENGTH}" in message
    assert len(message) < 1000
    # A name at the limit is fine.
    path = write_table(table_text().replace("face_1.jpg", "n" * data.MAX_NAME_LENGTH))
    assert len(load_faces(path)["img_name"][1]) == data.MAX_NAME_LENGTH


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda t: t.replace("\n21,", "\n" + "x" * 1_000_000 + ","), "line 3: age is not"),
        (lambda t: t.replace("pixels", "pixels" + "x" * 1_000_000, 1), "line 1: header"),
        (lambda t: t.replace("pixels", "pixels" + ",extra" * 200, 1), "line 1: header"),
        (lambda t: t.replace("\n23,", "\n1e30,"), "line 5: age = 1e+30 is outside"),
    ],
    ids=["long-label", "long-header", "many-columns", "huge-number"],
)
def test_values_from_the_file_are_shown_cut_short(write_table, damage, expected):
    path = write_table(damage(table_text()))
    with pytest.raises(DataError) as err:
        load_faces(path)
    message = str(err.value)
    assert message.startswith(f"{path}: {expected}")
    assert len(message) < 1000
