"""`python -m pipeline accounts`: the portal's accounts, added to the pipeline's command line."""

from __future__ import annotations

import argparse
import sys


def accounts(args: argparse.Namespace) -> int:
    """Create, revoke and list the portal's accounts, set a password, check the audit log."""
    import getpass
    import secrets

    from portal.accounts import AccountError, Store
    from portal.app import PortalConfig
    from portal.audit import verify_audit_command
    from portal.database import PortalFileError

    if args.action == "verify-audit":  # reads the file as it is: no Store, which would add tables
        return verify_audit_command(PortalConfig.from_env().database, args.expect)
    try:
        store = Store(PortalConfig.from_env().database)
        if args.action in ("create", "set-password"):
            if args.generate_password:
                password = secrets.token_urlsafe(18)
            elif args.password_stdin:
                password = sys.stdin.readline().rstrip("\n")
            else:
                password = getpass.getpass(f"password for {args.username}: ")
            if args.action == "create":
                account = store.create(args.username, args.role, password)
                print(f"created {account.username} ({account.role})")
            else:
                store.set_password(args.username, password)
                print(f"new password for {args.username}; its sessions are closed")
            if args.generate_password:
                print(f"password (shown once): {password}")
        elif args.action == "revoke":
            store.revoke(args.username)
            print(f"revoked {args.username}; its sessions are closed")
        else:
            for username, role, created, revoked in store.accounts():
                state = f"revoked {revoked}" if revoked else "active"
                print(f"{username:<32} {role:<12} created {created}  {state}")
    except (AccountError, PortalFileError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add `accounts` to the pipeline's command line (entry point `pipeline.commands`)."""
    a = sub.add_parser("accounts", help="create, revoke or list the portal's accounts")
    actions = a.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="a new account (the password is stored hashed)")
    create.add_argument("username")
    create.add_argument("--role", required=True, help="pref:01 … pref:47, secretariat or reviewer")
    how = create.add_mutually_exclusive_group()
    how.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    how.add_argument("--generate-password", action="store_true", help="make one and print it once")
    revoke = actions.add_parser("revoke", help="revoke an account and close its sessions")
    revoke.add_argument("username")
    actions.add_parser("list", help="every account, with its role and state")
    reset = actions.add_parser("set-password", help="a new password for an account; closes its sessions")
    reset.add_argument("username")
    how = reset.add_mutually_exclusive_group()
    how.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    how.add_argument("--generate-password", action="store_true", help="make one and print it once")
    verify = actions.add_parser("verify-audit", help="check the audit log's hash chain and triggers")
    verify.add_argument(
        "--expect", metavar="ID:HASH", help="a head printed by an earlier check, kept elsewhere"
    )
    a.set_defaults(handler=accounts)
