"""`python -m portal [--host H] [--port P]`: serve the portal over the published lists."""

from __future__ import annotations

import argparse
import sys

import uvicorn

from portal.app import PortalConfig, create_app
from portal.database import PortalFileError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m portal", description="重点支援企業候補ポータル")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)
    config = PortalConfig.from_env()
    try:
        app = create_app(config)
    except PortalFileError as error:
        print(f"portal: {error}", file=sys.stderr)
        return 2
    print(f"portal: http://{args.host}:{args.port}/ over {config.marts_dir.resolve()}", flush=True)
    # proxy_headers=False: uvicorn would otherwise believe X-Forwarded-For from loopback; the
    # app itself trusts it only from PORTAL_TRUSTED_PROXIES.
    uvicorn.run(
        app, host=args.host, port=args.port, log_level="warning", proxy_headers=False, server_header=False
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
