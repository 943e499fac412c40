"""Tests for the synthetic UTKFace stand-in (facevae.synthetic)."""

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from facevae.synthetic import ETHNICITY_WEIGHTS, make_faces, write_csv

KEYS = {"images", "age", "gender", "ethnicity", "img_name"}
LABELS = ("age", "gender", "ethnicity")


@pytest.fixture(scope="module")
def faces5000():
    return make_faces(5000, seed=0)


def test_same_seed_gives_identical_arrays():
    a, b = make_faces(200, seed=42), make_faces(200, seed=42)
    assert set(a) == set(b) == KEYS
    for key in KEYS:
        np.testing.assert_array_equal(a[key], b[key])


def test_different_seed_gives_different_data():
    a, b = make_faces(200, seed=1), make_faces(200, seed=2)
    assert not np.array_equal(a["images"], b["images"])
    assert not np.array_equal(a["age"], b["age"])


def test_dtypes_shapes_and_ranges(faces5000):
    f, n = faces5000, 5000
    assert set(f) == KEYS
    assert f["images"].dtype == np.uint8 and f["images"].shape == (n, 48, 48)
    for key in LABELS:
        assert f[key].dtype == np.int64 and f[key].shape == (n,)
    assert f["age"].min() >= 1 and f["age"].max() <= 116
    assert set(np.unique(f["gender"])) == {0, 1}
    assert set(np.unique(f["ethnicity"])) == {0, 1, 2, 3, 4}
    assert f["img_name"].dtype == object and f["img_name"].shape == (n,)
    assert all(isinstance(s, str) and s.endswith(".jpg") for s in f["img_name"])
    assert len(set(f["img_name"])) == n
    # Images use a good part of the grey range, not a constant or saturated blob.
    assert f["images"].std() > 20
    assert f["images"].reshape(n, -1).std(axis=1).min() > 3


def test_zero_and_tiny_n():
    assert make_faces(0, seed=0)["images"].shape == (0, 48, 48)
    one = make_faces(1, seed=0)
    assert one["images"].shape == (1, 48, 48) and one["age"].shape == (1,)


def test_label_frequencies(faces5000):
    f = faces5000
    assert sum(ETHNICITY_WEIGHTS) == pytest.approx(1.0)
    assert ETHNICITY_WEIGHTS[0] == pytest.approx(10078 / 23705)
    freq = np.bincount(f["ethnicity"], minlength=5) / 5000
    np.testing.assert_allclose(freq, ETHNICITY_WEIGHTS, atol=0.025)
    assert 0.44 <= f["gender"].mean() <= 0.52  # about 48% female
    age = f["age"]
    assert 25 <= np.median(age) <= 33
    assert 0.45 <= np.mean((age >= 20) & (age <= 40)) <= 0.65  # main mass
    assert 0.06 <= np.mean(age <= 10) <= 0.2  # young children
    assert 0.005 <= np.mean(age > 80) <= 0.08  # thin old tail


def _duplicate_groups(f):
    flat = f["images"].reshape(len(f["images"]), -1)
    _, inverse, counts = np.unique(flat, axis=0, return_inverse=True, return_counts=True)
    return inverse.ravel(), counts


def test_duplicates_and_conflicting_labels(faces5000):
    f = faces5000
    inverse, counts = _duplicate_groups(f)
    n_unique = counts.size
    assert 5000 - 150 <= n_unique <= 5000 - 50  # ~2% of rows are copies
    labels = np.stack([f[k] for k in LABELS], axis=1)
    conflicting = consistent = 0
    for g in np.flatnonzero(counts > 1):
        n_label_sets = len(np.unique(labels[inverse == g], axis=0))
        conflicting += n_label_sets > 1
        consistent += n_label_sets == 1
    assert conflicting >= 10 and consistent >= 10


def test_no_duplicates_when_fraction_zero():
    f = make_faces(500, seed=3, duplicate_fraction=0.0)
    assert _duplicate_groups(f)[1].size == 500


def test_invalid_duplicate_fraction():
    with pytest.raises(ValueError):
        make_faces(10, seed=0, duplicate_fraction=1.5)


@pytest.mark.parametrize("name", ["faces.csv", "faces.csv.gz"])
def test_write_csv_round_trip(tmp_path, name):
    f = make_faces(50, seed=7)
    path = tmp_path / "sub" / name
    write_csv(path, f)
    assert sorted(p.name for p in path.parent.iterdir()) == [name]  # no temp left
    if name.endswith(".gz"):
        assert path.read_bytes()[:2] == b"\x1f\x8b"
    df = pd.read_csv(path)
    assert list(df.columns) == ["age", "ethnicity", "gender", "img_name", "pixels"]
    assert len(df) == 50
    pixels = np.array([np.array(s.split(), dtype=np.int64) for s in df["pixels"]])
    assert pixels.shape == (50, 2304)
    assert pixels.min() >= 0 and pixels.max() <= 255
    np.testing.assert_array_equal(pixels.reshape(50, 48, 48), f["images"])
    for key in LABELS:
        np.testing.assert_array_equal(df[key].to_numpy(), f[key])
    assert list(df["img_name"]) == list(f["img_name"])


def test_write_csv_gz_is_byte_reproducible(tmp_path):
    f = make_faces(20, seed=7)
    write_csv(tmp_path / "a.csv.gz", f)
    write_csv(tmp_path / "b.csv.gz", f)
    assert (tmp_path / "a.csv.gz").read_bytes() == (tmp_path / "b.csv.gz").read_bytes()


def test_labels_are_learnable_but_not_trivial():
    from scipy.stats import pearsonr
    from sklearn.linear_model import LogisticRegression, Ridge

    f = make_faces(4000, seed=123)
    # 2x2 block means -> 24x24, scaled to [0, 1].
    X = f["images"].reshape(4000, 24, 2, 24, 2).mean(axis=(2, 4)).reshape(4000, -1) / 255
    tr, te = slice(0, 3000), slice(3000, None)
    # One BLAS thread: on a busy machine oversubscription makes lbfgs ~20x slower.
    with threadpool_limits(1):
        acc = {}
        for key in ("gender", "ethnicity"):
            clf = LogisticRegression(C=0.1, max_iter=500).fit(X[tr], f[key][tr])
            acc[key] = clf.score(X[te], f[key][te])
        age_pred = Ridge(alpha=1.0).fit(X[tr], f["age"][tr]).predict(X[te])
    r = pearsonr(age_pred, f["age"][te])[0]
    assert 0.75 <= acc["gender"] < 0.98, acc  # chance ~0.52
    assert 0.5 <= acc["ethnicity"] < 0.95, acc  # chance ~0.43
    assert 0.5 < r < 0.95, r
