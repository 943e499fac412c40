"""The report's result-dependent wording, written from the summary, one module per chapter.

The report never types "better" or "within the original's": it prints clauses chosen here
from the numbers, stored in results/summary.json under ``text.<key>`` and shown in the text
with ``\\val{text.<key>}``. Each chapter's function reads the stage results by prefix (the
tree of ``merge_parts``'s input: ``tree["cnn.gender"]``, ``tree["restore"]``, ...) and the
settings, and returns {key: LaTeX}; the clauses are LaTeX, not plain text, so that they can
name a VAE setting with its symbols (facevae.names.vae_label) and print their numbers with
facevae.latex, like the tables.
"""

from __future__ import annotations

from facevae.sentences.beyond import beyond_sentences, smallest_class
from facevae.sentences.data import data_sentences
from facevae.sentences.generation import generation_sentences, restoration_sentences
from facevae.sentences.recipe import recipe_sentences
from facevae.sentences.supervised import supervised_sentences
from facevae.sentences.vae import vae_sentences


def report_sentences(
    tree: dict, paper: dict, config: dict, points: dict, synthetic: bool = False
) -> dict[str, str]:
    """Every result-dependent clause of the report, keyed ``text.<key>``, and the lists of
    seeds as prose (``seed_sentences``).

    ``tree``: the stage results by prefix; ``paper``: the original's published numbers
    ({"cnn": {task: {metric: value}}}); ``config``: the run's settings (chapter 3's clauses
    are written only when ``beyond`` is enabled); ``points``: every VAE's grid point by name;
    ``synthetic``: the run is on the demo faces, which no published number speaks of.
    """
    beyond = config["beyond"]
    text = data_sentences(tree) | supervised_sentences(tree, paper, synthetic) | vae_sentences(tree)
    if beyond["enabled"]:
        text |= beyond_sentences(tree, beyond, smallest_class(tree))
        text |= generation_sentences(tree, points) | restoration_sentences(tree)
        text |= recipe_sentences(tree)
    return {f"text.{key}": clause for key, clause in text.items()} | seed_sentences(config)


# Where each list of training seeds is set, by the name of its clause (text.seeds.<name>).
SEED_SETTINGS = {
    "cnn": ("cnn", "seeds"),
    "vae": ("vae", "seeds"),
    "beyond": ("beyond", "seeds"),
    "ablation": ("beyond", "ablation_seeds"),
    "generation": ("beyond", "generation", "seeds"),
}


def seeds_phrase(seeds: list[int]) -> str:
    """A list of seeds as prose: [0] -> "seed 0", [0, 1, 2] -> "seeds 0, 1 and 2"."""
    if len(seeds) == 1:
        return f"seed {seeds[0]}"
    return f"seeds {', '.join(map(str, seeds[:-1]))} and {seeds[-1]}"


def seed_sentences(config: dict) -> dict[str, str]:
    """``text.seeds.<name>``: each list of training seeds of the settings as prose."""
    text = {}
    for name, path in SEED_SETTINGS.items():
        found = config
        for key in path:
            found = found.get(key) if isinstance(found, dict) else None
        if found:
            text[f"text.seeds.{name}"] = seeds_phrase(list(found))
    return text
