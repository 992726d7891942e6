from pipeline.cli import main

# Guarded: the chart workers are spawned processes, which import the parent's main module.
if __name__ == "__main__":
    raise SystemExit(main())
