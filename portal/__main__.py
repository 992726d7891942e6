"""`python -m portal [--host H] [--port P]`: serve the portal over the published lists."""

from __future__ import annotations

import argparse

import uvicorn

from portal.app import PortalConfig, create_app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m portal", description="重点支援企業候補ポータル")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)
    config = PortalConfig.from_env()
    print(f"portal: http://{args.host}:{args.port}/ over {config.marts_dir.resolve()}", flush=True)
    uvicorn.run(create_app(config), host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
