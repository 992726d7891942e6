# Guarded, and imported under the guard: the chart workers are spawned processes, which run
# this module again as __mp_main__ and need none of the command line (dagster, GX, the assets).
if __name__ == "__main__":
    from pipeline.cli import main

    raise SystemExit(main())
