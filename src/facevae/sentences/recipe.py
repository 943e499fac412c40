"""Chapter 3's clauses on the improved VAE: against the original's architecture and PCA on the
test faces, and what each of its ingredients is worth on the validation faces."""

from __future__ import annotations

from facevae.latex import estimate_of, format_setting, interval_of, with_interval
from facevae.names import ERASE, is_noise_key, noise_sigma
from facevae.report import best_classical, method_name
from facevae.sentences.vae import versus_paired
from facevae.vae_recipe import INGREDIENT_NAMES


def recipe_sentences(tree: dict) -> dict[str, str]:
    """``beyond.recipe.versus_paper``, ``beyond.recipe.versus_pca`` (when PCA with as many
    components ran) and ``beyond.recipe.ablation``, from beyond/vae_recipe.json."""
    recipe = tree["beyond.vae_recipe"]
    dB = lambda scores: with_interval(*estimate_of(scores), text=True, unit="dB")  # noqa: E731
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
        shift = with_interval(*estimate_of(change), text=True, signed=True, unit="dB")
        clauses.append(f"{verdict} ({shift})")
    text["beyond.recipe.ablation"] = "; ".join(clauses) if clauses else "no ingredient was left out"
    # The latent search of chapter 3 in the improved VAE's latent space, on the same faces.
    search = tree.get("beyond.recipe_search", {}).get(ERASE)
    if search is not None:
        text["beyond.recipe.search"] = (
            "searching its latent space restores the erased block at "
            + with_interval(*interval_of(search, "region_psnr"), text=True, unit="dB")
            + ", "
            + versus_paired(search["versus"]["biharmonic"], "biharmonic inpainting")
        )
    text |= _passes_sentence(tree)
    return text


def _passes_sentence(tree: dict) -> dict[str, str]:
    """``beyond.recipe.passes``: the improved VAE's own encode-decode restorations (chapter 2's
    protocol) against the damaged input, the best classical restorer and the chosen VAE's
    passes, each paired face by face (beyond/recipe/restore_search.json, ``passes``)."""
    search = tree.get("beyond.recipe_search", {})
    noise = next((key for key in search if is_noise_key(key)), None)
    if noise is None or "passes" not in search[noise]:
        return {}
    dB = lambda scores, key: with_interval(*interval_of(scores, key), text=True, unit="dB")
    denoised, inpainted = search[noise]["passes"], search[ERASE]["passes"]
    classical = best_classical(tree["restore"][noise])
    return {
        "beyond.recipe.passes": (
            f"its encode-decode passes denoise the test faces at noise level"
            f" {format_setting(noise_sigma(noise))} at {dB(denoised, 'psnr')}, "
            + versus_paired(denoised["versus"]["corrupted"], "the noisy input")
            + ", "
            + versus_paired(
                denoised["versus"][classical],
                f"the best classical denoiser ({method_name(classical)})",
            )
            + " and "
            + versus_paired(denoised["versus"]["vae"], "the chosen VAE's passes")
            + f"; they fill the erased block at {dB(inpainted, 'region_psnr')}, "
            + versus_paired(inpainted["versus"]["biharmonic"], "biharmonic inpainting")
        )
    }
