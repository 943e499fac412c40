"""Chapter 3's clauses on the improved VAE: against the original's architecture and PCA on the
test faces, and what each of its ingredients is worth on the validation faces."""

from __future__ import annotations

from facevae.latex import estimate_of, interval_of, with_interval
from facevae.names import ERASE
from facevae.sentences.vae import versus_paired
from facevae.vae_recipe import INGREDIENT_NAMES


def recipe_sentences(tree: dict) -> dict[str, str]:
    """``beyond.recipe.versus_paper``, ``beyond.recipe.versus_pca`` (when PCA with as many
    components ran) and ``beyond.recipe.ablation``, from beyond/vae_recipe.json."""
    recipe = tree["beyond.vae_recipe"]
    dB = lambda scores: with_interval(*estimate_of(scores), text=True, unit=" dB")  # noqa: E731
    text = {
        "beyond.recipe.versus_paper": (
            f"it reconstructs the test faces at {dB(recipe['improved'])}, against"
            f" {dB(recipe['paper'])} for the original's architecture; its PSNR is "
            + versus_paired(recipe["versus_paper"], "the original's architecture")
        )
    }
    if "versus_pca" in recipe:
        text["beyond.recipe.versus_pca"] = versus_paired(
            recipe["versus_pca"], f"PCA with {recipe['yardstick']} components"
        )
    clauses = []
    for ingredient, found in recipe["ablation"].items():
        change, name = found["difference"], INGREDIENT_NAMES[ingredient]
        if change["ci95_high"] < 0:
            verdict = f"without the {name} the validation PSNR falls"
        elif change["ci95_low"] > 0:
            verdict = f"without the {name} it rises"
        else:
            verdict = f"without the {name} there is no clear change"
        shift = with_interval(*estimate_of(change), text=True, signed=True, unit=" dB")
        clauses.append(f"{verdict} ({shift})")
    text["beyond.recipe.ablation"] = "; ".join(clauses) if clauses else "no ingredient was left out"
    # The latent search of chapter 3 in the improved VAE's latent space, on the same faces.
    search = tree.get("beyond.recipe_search", {}).get(ERASE)
    if search is not None:
        text["beyond.recipe.search"] = (
            "searching its latent space restores the erased block at "
            + with_interval(*interval_of(search, "region_psnr"), text=True, unit=" dB")
            + ", "
            + versus_paired(search["versus"]["biharmonic"], "biharmonic inpainting")
        )
    return text
