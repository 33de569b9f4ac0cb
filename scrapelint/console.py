"""The console script (and `python -m scrapelint`): it owns the process from its first import."""

import gc


def main() -> None:
    # The run allocates many small objects and frees nothing early, its imports included:
    # cyclic collection is wasted work (about 5 ms of collections during the imports alone).
    gc.disable()
    from scrapelint.cli import entry  # imported with the collector off

    entry()
