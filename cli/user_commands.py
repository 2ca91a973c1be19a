"""The logins in COACH_USERS_FILE: add, remove, list.

add_parsers() registers each command's arguments and its function (args.run).
"""

import argparse
import sys

from interviewer.settings import Settings


def add_parsers(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = sub.add_parser("user", help="the logins in COACH_USERS_FILE")
    p.add_argument("action", choices=["add", "remove", "list"])
    p.add_argument("name", nargs="?")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin (scripts)")
    p.set_defaults(run=cmd_user)


def cmd_user(args: argparse.Namespace, settings: Settings) -> int:
    import getpass

    from interviewer.storage import users

    if settings.users_file is None:
        print("error: set COACH_USERS_FILE to the file of logins first", file=sys.stderr)
        return 2
    path = settings.users_file
    if args.action == "list":
        print("\n".join(users.names(path)))
        return 0
    if not args.name:
        print(f"error: user {args.action} needs a NAME", file=sys.stderr)
        return 2
    if args.action == "remove":
        if not users.remove(path, args.name):
            print(f"error: no user {args.name!r} in {path}", file=sys.stderr)
            return 2
        print(f"Removed {args.name}; their interviews stay in the history.")
        return 0
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"Password for {args.name}: ")
        if getpass.getpass("Again: ") != password:
            print("error: the two passwords differ", file=sys.stderr)
            return 2
    try:
        users.add(path, args.name, password)
    except users.UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"{args.name} can log in.")
    return 0
