"""Which table a run reads and what its folder is called (facevae.runs)."""

import os

import pytest

from facevae.runs import raw_csv_problem, resolve_raw_csv, run_name, table_label


def test_run_names_come_from_the_settings_and_the_table():
    assert table_label("data/age_gender.csv.gz") == "age_gender"
    assert table_label("/x/faces v2.csv") == "faces_v2"
    assert table_label("/x/.csv") == "table"
    assert run_name("cpu", "data/age_gender.csv") == "cpu-age_gender"
    assert run_name("demo", None) == "demo-synthetic"


def test_a_regular_file_or_a_link_to_one_is_the_table(tmp_path):
    table = tmp_path / "faces.csv"
    table.write_text("age,ethnicity,gender,img_name,pixels\n")
    (tmp_path / "link.csv").symlink_to(table)
    assert raw_csv_problem(table) is None and raw_csv_problem(tmp_path / "link.csv") is None
    assert resolve_raw_csv(str(table)) == str(table)
    assert resolve_raw_csv("synthetic") is None


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda p: p.mkdir(), "is a directory, but a file is expected"),
        (lambda p: p.symlink_to(p.parent / "gone.csv"), "which does not exist"),
        (lambda p: p.symlink_to(p), "part of a loop of links"),
        (lambda p: os.mkfifo(p), "is not a regular file"),
    ],
)
def test_what_cannot_be_the_table_is_named(tmp_path, make, expected):
    path = tmp_path / "faces.csv"
    make(path)
    assert expected in raw_csv_problem(path)
    with pytest.raises(ValueError, match=f"raw_csv: '{path}'"):
        resolve_raw_csv(str(path))


def test_a_missing_table_says_where_to_get_it_and_how_to_run_the_demo(tmp_path):
    with pytest.raises(ValueError, match="does not exist") as error:
        resolve_raw_csv(str(tmp_path / "age_gender.csv"))
    assert "kaggle.com" in str(error.value) and "configs/demo.yaml" in str(error.value)


def test_auto_takes_the_default_place_or_the_demo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_raw_csv("auto") is None
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "age_gender.csv.gz").write_bytes(b"")
    assert resolve_raw_csv("auto") == "data/age_gender.csv.gz"
    (tmp_path / "data" / "age_gender.csv").symlink_to("nowhere.csv")
    with pytest.raises(ValueError, match="auto found data/age_gender.csv, but it is a symbolic"):
        resolve_raw_csv("auto")
