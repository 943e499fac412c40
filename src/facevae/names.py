"""Keys and names, each built and parsed in one place.

Folder names, JSON keys and summary keys are made here and nowhere else, so a key written by
one job is the key another job reads:

- a VAE grid point and its folder: ``z256_b0.01``, ``z256_b0.01_gmm10``, ``z256_b0.01_res``
  (vae_name, parse_vae_name);
- a damage of the restoration protocol: ``noise_s0.1``, ``erase`` (noise_key, noise_sigma);
- a restoration of one damage: ``<restorer>.<damage>`` (method_key, parse_method_key);
- an ablation variant of chapter 3: ``<improved>_without_<ingredient>`` (ablation_name,
  parse_ablation_name).
"""

from __future__ import annotations

import re

# --- labels --------------------------------------------------------------------------------

GENDER_NAMES = ("male", "female")
ETHNICITY_NAMES = ("White", "Black", "East Asian", "South Asian", "Other")
GENDER_KEYS = tuple(name.lower() for name in GENDER_NAMES)  # keys in JSON summaries
ETHNICITY_KEYS = tuple(name.lower().replace(" ", "_") for name in ETHNICITY_NAMES)


def group_name(key: str) -> str:
    """How the text names a label's key: south_asian -> South Asian, female -> female."""
    names = dict(zip(ETHNICITY_KEYS, ETHNICITY_NAMES)) | dict(zip(GENDER_KEYS, GENDER_NAMES))
    if key not in names:
        raise ValueError(f"{key!r} is no gender or ethnicity key ({', '.join(names)})")
    return names[key]


def group_label(key: str) -> str:
    """Any group of faces as plain text: a gender or ethnicity by its name (South Asian), an
    age bucket as it is keyed ("15-30")."""
    try:
        return group_name(key)
    except ValueError:
        return key.replace("_", " ")


# --- VAE grid points ------------------------------------------------------------------------

RECIPE = "res"  # the tag of chapter 3's improved VAE (facevae.vae.ResVAE) in its folder name
_VAE_NAME = re.compile(
    r"z(?P<latent>[0-9]+)_b(?P<beta>[0-9.e+-]+)(?:_gmm(?P<components>[0-9]+))?"
    rf"(?:_(?P<recipe>{RECIPE})(?:_without_(?P<without>[a-z_]+))?)?"
)
# The same pattern without group names: the Snakefile's wildcard constraint for {vae}.
VAE_NAME_PATTERN = re.sub(r"\?P<\w+>", "", _VAE_NAME.pattern)
DEFAULT_COMPONENTS = 10  # of a mixture prior whose grid entry does not say


def vae_point(point: dict) -> dict:
    """A grid entry with its prior filled in: the standard normal unless it names one (a
    mixture of ``components`` Gaussians, 10 by default). A point of chapter 3's improved
    recipe also has ``recipe`` (RECIPE) and, for an ablation variant, ``without`` (the
    ingredient it goes without)."""
    prior = point.get("prior", "normal")
    components = point.get("components", DEFAULT_COMPONENTS) if prior == "gmm" else 1
    return point | {"prior": prior, "components": components}


def vae_name(point: dict) -> str:
    """Folder name of a grid point: z256_b0.01, or z256_b0.01_gmm10 with a mixture prior of
    10 components; z256_b0.01_res for the improved recipe, z256_b0.01_res_without_blocks for
    its ablation variant without residual blocks."""
    point = vae_point(point)
    mixture = f"_gmm{point['components']}" if point["prior"] == "gmm" else ""
    recipe = f"_{point['recipe']}" if point.get("recipe") else ""
    without = f"_without_{point['without']}" if point.get("without") else ""
    return f"z{point['latent']}_b{point['beta']:g}{mixture}{recipe}{without}"


def vae_label(point: dict) -> str:
    """How the report names a grid point, in LaTeX that matplotlib's mathtext also draws:
    $z=256$, $\\beta=0.01$, followed by the prior when it is a mixture
    (", mixture of $K=10$"), then ", improved" for the improved recipe (", improved without
    blocks" for one of its ablation variants)."""
    point = vae_point(point)
    label = rf"$z={point['latent']}$, $\beta={point['beta']:g}$"
    if point["prior"] == "gmm":
        label += rf", mixture of $K={point['components']}$"
    if point.get("recipe"):
        label += ", improved"
        if point.get("without"):
            label += " without " + point["without"].replace("_", " ")
    return label


def parse_vae_name(name: str) -> dict:
    """The grid point a folder name stands for (the inverse of vae_name)."""
    match = _VAE_NAME.fullmatch(name)
    if match is None:
        raise ValueError(f"{name!r} is not a VAE grid point's name (such as z256_b0.01)")
    point = {"latent": int(match["latent"]), "beta": float(match["beta"])}
    if match["components"]:
        point |= {"prior": "gmm", "components": int(match["components"])}
    point |= {key: match[key] for key in ("recipe", "without") if match[key]}
    return vae_point(point)


def vae_grid(points: list[dict]) -> dict[str, dict]:
    """Grid points by folder name, each with its prior filled in."""
    return {vae_name(point): vae_point(point) for point in points}


def prior_twins(grid: dict[str, dict]) -> dict[str, str]:
    """Each learned-mixture point of ``grid`` and its standard-prior twin (same latent size and
    beta), where the grid has one."""
    return {
        name: twin
        for name, point in grid.items()
        if point["prior"] == "gmm"
        for twin, other in grid.items()
        if other["prior"] == "normal"
        and (other["latent"], other["beta"]) == (point["latent"], point["beta"])
        and (other.get("recipe"), other.get("without"))
        == (point.get("recipe"), point.get("without"))
    }


# --- damages and restorations ---------------------------------------------------------------

ERASE = "erase"
_NOISE = "noise_s"


def noise_key(sigma: float) -> str:
    """Key of one noise level: noise_s0.1."""
    return f"{_NOISE}{sigma:g}"


def is_noise_key(key: str) -> bool:
    return key.startswith(_NOISE)


def noise_sigma(key: str) -> float:
    """The noise level a key names (the inverse of noise_key)."""
    if not is_noise_key(key):
        raise ValueError(f"{key!r} is not a noise level's key (such as noise_s0.1)")
    return float(key.removeprefix(_NOISE))


def damage_keys(noise_sigmas) -> list[str]:
    """Every damage of the protocol, in the order it is drawn: each noise level, then erase."""
    return [noise_key(sigma) for sigma in noise_sigmas] + [ERASE]


# What a restoration undid: a damage key (noise_s0.1, erase) or a plain word (noise,
# reconstruction). A restorer's name may hold dots (a grid point, z256_b0.01), so a key is
# split where the rest is such a word.
_METHOD_KEY = re.compile(r"(?P<restorer>.+)\.(?P<what>noise_s[0-9.e+-]+|[a-z_]+)")


def method_key(restorer: str, damage: str) -> str:
    """Key of one restoration: <restorer>.<what it undid>, e.g. gaussian.noise_s0.1,
    vae.erase, z256_b0.01.reconstruction."""
    key = f"{restorer}.{damage}"
    if parse_method_key(key) != (restorer, damage):
        raise ValueError(
            f"({restorer!r}, {damage!r}) does not make a restoration key that parses back:"
            " the damage must be a noise level's key or a lower-case word"
        )
    return key


def parse_method_key(key: str) -> tuple[str, str]:
    """(restorer, damage) of a restoration's key (the inverse of method_key)."""
    match = _METHOD_KEY.fullmatch(key)
    if match is None:
        raise ValueError(f"{key!r} is not a restoration's key (<restorer>.<damage>)")
    return match["restorer"], match["what"]


def example_key(damage: str, method: str) -> str:
    """Key of one restored face set among chapter 2's examples: <damage>.<method>, e.g.
    noise_s0.1.vae (the damage first: the figure reads the examples damage by damage)."""
    return f"{damage}.{method}"


# --- chapter-3 variants ---------------------------------------------------------------------

_WITHOUT = "_without_"


def ablation_name(improved: str, ingredient: str) -> str:
    """The variant that drops one ingredient of the improved recipe: improved_without_augment."""
    return f"{improved}{_WITHOUT}{ingredient}"


def parse_ablation_name(name: str) -> tuple[str, str] | None:
    """(improved, ingredient) of an ablation variant's name; None for any other variant."""
    improved, found, ingredient = name.partition(_WITHOUT)
    return (improved, ingredient) if found and improved and ingredient else None


# --- predictions of a multi-task network ----------------------------------------------------


def pack_predictions(predictions: dict) -> dict:
    """A multi-task network's prediction arrays (``predictions[part][task][array]``) as one
    flat dict for one .npz file, keyed <part>.<task>.<array> (val.age.y_pred)."""
    return {
        f"{part}.{task}.{array}": value
        for part, by_task in predictions.items()
        for task, arrays in by_task.items()
        for array, value in arrays.items()
    }


def unpack_predictions(packed: dict, part: str, task: str) -> dict:
    """One part's and task's arrays out of a packed file (the inverse of pack_predictions)."""
    prefix = f"{part}.{task}."
    return {
        key.removeprefix(prefix): value for key, value in packed.items() if key.startswith(prefix)
    }
