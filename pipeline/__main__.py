# Guarded, and imported under the guard: the chart workers are spawned processes, which run
# this module again as __mp_main__ and need none of the command line (dagster, GX, the assets).
if __name__ == "__main__":
    import gc

    from pipeline.cli import main

    code = main()
    # The command is done and has closed what it opened. Frozen, the heap (Dagster, GX and their
    # imports) is not walked again by the collector's passes at exit: 1.4–1.7 s a command, measured.
    gc.freeze()
    raise SystemExit(code)
