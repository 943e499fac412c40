"""Seeded synthetic stand-in for the UTKFace 48x48 greyscale table.

The real data (Kaggle ``age_gender.csv``) cannot be redistributed with the
code, yet the workflow, its tests and CI need something with the same shape,
the same CSV format and the same statistical quirks.  This module draws
cartoon faces from smooth shapes (head ellipse, hair, eyes, brows, nose,
mouth, shading) whose appearance depends on the labels, so that models
trained downstream have a real but imperfect signal to learn:

* ethnicity -> skin brightness (five overlapping levels), hair colour and
  eye shape;
* gender    -> hair length, jaw shape and face width, brows, stubble,
  slightly lighter skin (make-up);
* age       -> child proportions (round head, low and large eyes), grey
  hair, receding hairline and wrinkles for the old.

Every cue is blurred by per-face variation, lighting and pose jitter so that
a classifier is well above chance but not perfect.  A small fraction of rows
are pixel-identical copies of other rows, half of them with a different
label, mimicking the duplicate / conflicting-label groups of the real table.

Everything is vectorised over the batch: per-face parameters are drawn as
``(n,)`` vectors and broadcast against a ``(48, 48)`` coordinate grid; the
only loop is over small fixed-size chunks of faces, which keeps the
temporaries in CPU cache (n = 25000 takes about 2.5 s).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from facevae import SIDE
from facevae.files import atomic_path

# Real UTKFace ethnicity counts (White, Black, Asian, Indian, Others) of 23705.
_ETHNICITY_COUNTS = (10078, 4526, 3434, 3975, 1692)
ETHNICITY_WEIGHTS = tuple(c / sum(_ETHNICITY_COUNTS) for c in _ETHNICITY_COUNTS)
_P_FEMALE = 0.477  # 11314 of 23705 in the real table
# Mean skin brightness per ethnicity: distinct, but only about one per-face
# standard deviation apart (before lighting jitter), so the classes overlap.
_SKIN_LEVEL = np.array([0.72, 0.38, 0.64, 0.50, 0.58], dtype=np.float32)
# Faces rendered per step.  Small chunks keep the temporaries in CPU cache,
# which is several times faster than one big batch.  The noise stream is drawn
# chunk by chunk, so changing this changes the output for a given seed.
_CHUNK = 32

# Pixel-centre coordinates in [-1, 1]; y grows downwards like image rows.
_AX = (np.arange(SIDE, dtype=np.float32) + 0.5) / SIDE * 2 - 1
_X = _AX[None, None, :]
_Y = _AX[None, :, None]


def _sample_age(rng: np.random.Generator, n: int) -> np.ndarray:
    """UTKFace-like ages: babies/children, a large 20-40 mode, a thin old tail."""
    comp = rng.choice(5, size=n, p=[0.12, 0.06, 0.52, 0.26, 0.04])
    age = np.select(
        [comp == 0, comp == 1, comp == 2, comp == 3],
        [
            1 + np.floor(rng.exponential(2.5, n)),  # many 1-3 year olds
            rng.integers(11, 20, n),  # teenagers
            rng.normal(28, 5.5, n),  # young adults
            rng.normal(52, 12, n),  # middle aged / old
        ],
        80 + rng.exponential(8, n),  # 80+ tail up to 116
    )
    return np.clip(np.rint(age), 1, 116).astype(np.int64)


def _sample_params(rng, age, gender, eth):
    """Per-face shape/colour parameters, all (n,) float32 vectors."""
    n = age.size
    f = gender.astype(np.float32)  # 1 for female
    child = np.clip((14.0 - age) / 11.0, 0, 1).astype(np.float32)
    old = np.clip((age - 40.0) / 40.0, 0, 1).astype(np.float32)

    def u(lo, hi):
        return rng.uniform(lo, hi, n).astype(np.float32)

    def g(sd):
        return rng.normal(0, sd, n).astype(np.float32)

    p = {}
    # Pose: centre shift and scale (no rotation keeps the grid separable).
    p["cx"], p["cy"] = g(0.05), g(0.05)
    p["scale"] = u(1.02, 1.2)
    # Head: children rounder and larger, women narrower with a pointed chin.
    p["a"] = 0.60 - 0.05 * f + 0.06 * child + g(0.03)
    p["b"] = 0.80 - 0.06 * child + g(0.03)
    p["taper"] = 0.2 + 0.3 * f - 0.12 * child + g(0.08)
    # Skin: ethnicity level + individual variation; children and women (make-up,
    # as in many portrait photos) slightly lighter.
    p["skin"] = _SKIN_LEVEL[eth] + g(0.06) + 0.03 * child + 0.03 * f
    p["bg"] = u(0.1, 0.9)
    p["bgx"], p["bgy"] = g(0.12), g(0.12)
    # Hair colour: mostly dark; some White faces brown/blond; grey with age.
    light = (eth == 0) & (rng.random(n) < 0.35)
    hair = np.where(light, u(0.35, 0.65), u(0.05, 0.25))
    grey = old * u(0.4, 1.0) * (rng.random(n) < 0.2 + 0.8 * old)
    p["hair"] = hair + (0.78 - hair) * grey
    # Hair length: women mostly long, men mostly short; babies have little hair.
    p_long = np.where(gender == 1, np.where(eth == 1, 0.6, 0.85), 0.06)
    p_long = p_long * np.clip(age / 6.0, 0.1, 1)  # toddlers' hair is short
    p["long"] = (rng.random(n) < p_long).astype(np.float32)
    p["hair_len"] = u(0.45, 1.2)
    p["hairline"] = -0.38 + g(0.05) + 0.12 * child  # lower forehead edge for kids
    p["hairline"] += 0.2 * old * (1 - f) * (rng.random(n) < 0.5)  # receding
    p["cap"] = np.clip(1 - 0.8 * np.clip((3.0 - age) / 2.0, 0, 1), 0, 1) * u(0.75, 1)
    p["fringe"] = (rng.random(n) < np.where(eth == 2, 0.45, 0.15)).astype(np.float32)
    # Eyes: children have large eyes set low in the face; Asian eyes narrower.
    p["ex"] = 0.26 + g(0.015)
    p["ey"] = -0.06 + 0.12 * child + g(0.02)
    p["ew"] = (0.09 + 0.02 * child) * u(0.9, 1.1)
    p["eh"] = (0.055 + 0.02 * child) * np.where(eth == 2, 0.65, 1.0) * u(0.85, 1.15)
    p["eye_dark"] = u(0.04, 0.18)
    p["brow_h"] = (0.06 + 0.03 * (1 - f)) * u(0.8, 1.2) * (1 - 0.4 * child)
    p["nose"] = 0.24 - 0.03 * child + g(0.02)
    p["mouth"] = 0.46 - 0.03 * child + g(0.02)
    p["mw"] = (0.19 - 0.04 * child) * u(0.85, 1.15)
    p["smile"] = u(-0.05, 0.25)
    p["lip"] = u(0.12, 0.22) + 0.08 * f * (rng.random(n) < 0.4)  # lipstick
    # Stubble/beard for some adult men.
    adult_man = (gender == 0) & (age >= 17)
    p["beard"] = adult_man * (rng.random(n) < 0.45) * u(0.2, 0.6)
    p["wrinkle"] = old * u(0.5, 1.0)
    # Lighting: direction, strength, global exposure and contrast.
    p["lx"], p["ly"] = g(0.2), g(0.1)
    p["gain"] = u(0.85, 1.15)
    p["offset"] = g(0.04)
    return {k: np.asarray(v, dtype=np.float32) for k, v in p.items()}


def _soft(d, width=0.03):
    """Soft step: 1 where the signed distance d > width, 0 below -width, linear between.

    A clipped ramp rather than a logistic: the final blur smooths the corners
    anyway, and it is several times cheaper on millions of pixels.
    """
    return np.clip(d * (0.5 / width) + 0.5, 0, 1)


def _ellipse(u, v, cu, cv, a, b, width=0.03):
    """Soft mask of an axis-aligned ellipse.

    Uses 1 - r^2 (about twice the normalised distance near the rim) instead of
    1 - r to avoid a square root; u-only and v-only terms stay 1-D, so only
    the final sum and clip touch the full (n, 48, 48) grid.
    """
    k = np.minimum(a, b, dtype=np.float32) * (0.25 / width)
    du = ((u - cu) / a) ** 2 * k
    dv = ((v - cv) / b) ** 2 * k
    return np.clip((k + 0.5 - du) - dv, 0, 1)


def _blur(img):
    """Separable 3-tap binomial blur (sigma ~0.7 px) with edge padding, axes 1, 2."""
    pad = np.pad(img, ((0, 0), (1, 1), (0, 0)), mode="edge")
    img = 0.25 * pad[:, :-2] + 0.5 * pad[:, 1:-1] + 0.25 * pad[:, 2:]
    pad = np.pad(img, ((0, 0), (0, 0), (1, 1)), mode="edge")
    return 0.25 * pad[:, :, :-2] + 0.5 * pad[:, :, 1:-1] + 0.25 * pad[:, :, 2:]


def _render(p, rng):
    """Draw one chunk of faces from parameter vectors into float images in [0, 1].

    Pose jitter is a shift and a scale only, so face coordinates stay
    separable: u has shape (m, 1, 48) and v (m, 48, 1).  Terms depending on
    one of them are cheap; broadcasting builds full images only where the two
    meet.  Expressions are ordered to keep the 1-D parts together.
    """
    P = {k: v[:, None, None] for k, v in p.items()}
    u = (_X - P["cx"]) / P["scale"]
    v = (_Y - P["cy"]) / P["scale"]
    au = np.abs(u)  # most features are mirror-symmetric
    skin, hair, a, b = P["skin"], P["hair"], P["a"], P["b"]

    img = (P["bg"] + P["bgx"] * _X) + P["bgy"] * _Y

    # Neck, slightly shadowed, then long hair behind the head (down the sides).
    neck = _soft(0.3 - au) * _soft(v - 0.5)
    img += neck * (0.8 * skin - img)
    long_hair = _ellipse(u, v, 0, 0.1, a + 0.25, b + 0.2) * (P["long"] * _soft(P["hair_len"] - v))
    img += long_hair * (hair - img)

    # Head: ellipse whose width shrinks below the cheeks (jaw taper), shaded
    # darker towards the rim so it reads as a rounded surface.
    jaw = 1 - P["taper"] * np.clip(v - 0.1, 0, None)
    head = _ellipse(u, v, 0, 0.05, a * jaw, b)
    r2 = np.minimum((u / a) ** 2 + ((v - 0.05) / b) ** 2, 1)
    img += head * (skin * (1 - 0.3 * r2) - img)

    # Hair cap: band above a curved hairline, a little wider than the head.
    line = (P["hairline"] + 0.25 * (u / a) ** 2 + P["fringe"] * 0.18 * _soft(0.3 - au)) - v
    cap = _ellipse(u, v, 0, 0.03, a + 0.06, b + 0.06) * (P["cap"] * _soft(line, 0.04))
    img += cap * (hair - img)

    # Stubble / beard: darker band over jaw and chin, sparing the lips.
    beard = head * (P["beard"] * _soft(v - (P["nose"] + 0.06), 0.05))
    beard *= 1 - _ellipse(u, v, 0, P["mouth"], P["mw"] * 0.9, 0.06)
    img *= 1 - 0.6 * beard

    # Eye sockets (shadow), eyes, brows (coloured like the hair, but not grey).
    img *= 1 - 0.18 * _ellipse(au, v, P["ex"], P["ey"], P["ew"] * 1.6, P["eh"] * 2.2, 0.06)
    eye = _ellipse(au, v, P["ex"], P["ey"], P["ew"], P["eh"], 0.02)
    img += eye * (P["eye_dark"] - img)
    brow_dist = np.abs((v - P["ey"] + 0.13) - 3 * (au - P["ex"]) ** 2)
    brow = _soft(P["brow_h"] / 2 - brow_dist, 0.015) * _soft(0.13 - np.abs(au - P["ex"]), 0.02)
    img += 0.8 * brow * (np.minimum(hair, 0.3) - img)

    # Nose: shadow along one side of the bridge, a highlight, nostrils.
    bridge = _soft(v - P["ey"] - 0.04) * _soft(P["nose"] - v)
    side = -0.16 * np.exp(-((u - 0.06) ** 2) / 0.0015) + 0.08 * np.exp(-((u + 0.01) ** 2) / 0.001)
    img *= 1 + bridge * side
    img *= 1 - 0.45 * _ellipse(au, v, 0.05, P["nose"], 0.035, 0.022, 0.015)

    # Mouth: lips bent by the smile (corners lifted), with a dark parting line.
    mv = (v - P["mouth"]) + P["smile"] * 0.08 * (u / P["mw"]) ** 2
    lips = _ellipse(u, mv, 0, 0, P["mw"], 0.045, 0.02)
    img *= 1 - lips * (1.5 * P["lip"] + 0.35 * _soft(0.012 - np.abs(mv), 0.01))

    # Age lines: nasolabial folds, forehead creases, under-eye bags.
    t = (v - P["nose"]) / (P["mouth"] + 0.06 - P["nose"])  # 0 at nose, 1 below mouth
    fold_u = 0.1 + t * (P["mw"] - 0.07)
    fold = _soft(0.015 - np.abs(au - fold_u), 0.01) * (_soft(t) * _soft(1 - t))
    crease = np.square(np.square(np.cos(v * 70)))  # 1-D stripes
    crease *= _soft(v - P["hairline"] - 0.08) * _soft(P["ey"] - 0.2 - v)
    bag_dist = np.abs((v - P["ey"] - P["eh"] - 0.04) - 2 * (au - P["ex"]) ** 2)
    bag = _soft(0.015 - bag_dist, 0.01) * _soft(0.1 - np.abs(au - P["ex"]), 0.02)
    lines = fold + bag + crease * (0.6 * _soft(0.3 - au))
    img *= 1 - (0.45 * P["wrinkle"] * head) * lines

    # Directional lighting on the head, global exposure/contrast, blur, noise.
    img *= 1 + head * (P["lx"] * u + P["ly"] * v)
    img = (img - 0.5) * P["gain"] + (0.5 + P["offset"])
    img = _blur(img)
    img += 0.025 * rng.standard_normal(img.shape, dtype=np.float32)
    return np.clip(img, 0, 1)


def _add_duplicates(rng, out, fraction):
    """Overwrite a fraction of rows with pixel copies of other rows.

    Half of the copies keep the source's labels (exact duplicates), the other
    half change one label, giving 'conflicting label' groups like the real data.
    """
    n = out["age"].size
    k = min(int(round(fraction * n)), n // 2)
    if k == 0:
        return
    perm = rng.permutation(n)
    targets, pool = perm[:k], perm[k:]
    sources = rng.choice(pool, size=k)  # with replacement: some groups of 3+
    for key in ("images", "age", "gender", "ethnicity"):
        out[key][targets] = out[key][sources]
    conflict = targets[rng.random(k) < 0.5]
    kind = rng.integers(0, 3, conflict.size)
    age_shift = rng.integers(1, 6, conflict.size) * rng.choice([-1, 1], conflict.size)
    new_age = np.clip(out["age"][conflict] + age_shift, 1, 116)
    # If clipping undid the shift, move the other way instead.
    new_age = np.where(new_age == out["age"][conflict], out["age"][conflict] - age_shift, new_age)
    new_eth = (out["ethnicity"][conflict] + rng.integers(1, 5, conflict.size)) % 5
    age, gender, eth = (out[key][conflict] for key in ("age", "gender", "ethnicity"))
    out["age"][conflict] = np.where(kind == 0, new_age, age)
    out["gender"][conflict] = np.where(kind == 1, 1 - gender, gender)
    out["ethnicity"][conflict] = np.where(kind == 2, new_eth, eth)


def make_faces(n: int, seed: int, duplicate_fraction: float = 0.02) -> dict[str, np.ndarray]:
    """Return {"images": uint8 (n, 48, 48), "age": int64 (n,), "gender": int64 (n,),
    "ethnicity": int64 (n,), "img_name": object array of str (n,)}.

    Deterministic for a given (n, seed, duplicate_fraction).
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if not 0 <= duplicate_fraction <= 0.5:
        raise ValueError(f"duplicate_fraction must be in [0, 0.5], got {duplicate_fraction}")
    rng = np.random.default_rng(seed)
    gender = (rng.random(n) < _P_FEMALE).astype(np.int64)
    ethnicity = rng.choice(len(ETHNICITY_WEIGHTS), size=n, p=ETHNICITY_WEIGHTS).astype(np.int64)
    age = _sample_age(rng, n)
    params = _sample_params(rng, age, gender, ethnicity)

    images = np.empty((n, SIDE, SIDE), dtype=np.uint8)
    for start in range(0, n, _CHUNK):  # chunks bound memory; not a per-face loop
        sl = slice(start, start + _CHUNK)
        chunk = _render({k: v[sl] for k, v in params.items()}, rng)
        images[sl] = np.rint(chunk * 255).astype(np.uint8)

    width = max(6, len(str(max(n - 1, 0))))
    names = np.array([f"synthetic_{i:0{width}d}.jpg" for i in range(n)], dtype=object)
    out = {
        "images": images,
        "age": age,
        "gender": gender,
        "ethnicity": ethnicity,
        "img_name": names,
    }
    _add_duplicates(rng, out, duplicate_fraction)
    return out


def write_csv(path, faces: dict) -> None:
    """Write the same CSV format as the real Kaggle table.

    Header ``age,ethnicity,gender,img_name,pixels``; ``pixels`` holds 2304
    space-separated ints 0-255, row-major. A ``.gz`` suffix means gzip. The
    file is written atomically through facevae.files.
    """
    target = Path(path)
    images = np.asarray(faces["images"], dtype=np.uint8).reshape(len(faces["images"]), -1)
    lut = np.array([str(i) for i in range(256)], dtype=object)
    df = pd.DataFrame(
        {
            "age": np.asarray(faces["age"], dtype=np.int64),
            "ethnicity": np.asarray(faces["ethnicity"], dtype=np.int64),
            "gender": np.asarray(faces["gender"], dtype=np.int64),
            "img_name": np.asarray(faces["img_name"], dtype=object),
            "pixels": [" ".join(row) for row in lut[images]],
        }
    )
    # Fixed mtime and no embedded (temporary) file name give byte-identical reruns; level 1
    # is ~10x faster than the default 9 for ~25% more bytes.
    gzip = {"method": "gzip", "mtime": 0, "filename": "", "compresslevel": 1}
    with atomic_path(target) as tmp, open(tmp, "wb") as handle:
        df.to_csv(
            handle,
            index=False,
            lineterminator="\n",
            compression=gzip if target.suffix == ".gz" else None,
            mode="wb",
        )
