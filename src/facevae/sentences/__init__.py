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
    tree: dict, paper: dict, beyond: dict, points: dict, synthetic: bool = False
) -> dict[str, str]:
    """Every result-dependent clause of the report, keyed ``text.<key>``.

    ``tree``: the stage results by prefix; ``paper``: the original's published numbers
    ({"cnn": {task: {metric: value}}}); ``beyond``: chapter 3's settings, whose clauses are
    written only when it is enabled; ``points``: every VAE's grid point by name;
    ``synthetic``: the run is on the demo faces, which no published number speaks of.
    """
    text = data_sentences(tree) | supervised_sentences(tree, paper, synthetic) | vae_sentences(tree)
    if beyond["enabled"]:
        text |= beyond_sentences(tree, beyond, smallest_class(tree))
        text |= generation_sentences(tree, points) | restoration_sentences(tree)
        text |= recipe_sentences(tree)
    return {f"text.{key}": clause for key, clause in text.items()}
