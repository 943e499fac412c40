"""The report's figures, one module per chapter: data, supervised (the CNNs), vae, restore and
beyond (chapter 3).

Each figure is one function that takes results already loaded (arrays, dicts read from the
workflow's npz and JSON files) and returns a matplotlib Figure in the shared look of
facevae.plotstyle; the scripts in scripts/fig_*.py only load, call and save.
"""
