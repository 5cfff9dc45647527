"""Writes the token keys' public documents (jwks.json, .well-known/openid-configuration) for deploy.sh to upload.

Usage: python scripts/token_keys.py --keys KEYS.json --base-url URL --out DIR
KEYS.json is `terraform output -json token_public_keys`: {"<kid>": "<public key PEM>", ...}.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common.domain.accounts.jwks import documents


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=Path, required=True, help="JSON map of key id to public key PEM")
    parser.add_argument("--base-url", required=True, help="public URL the documents will be served under")
    parser.add_argument("--out", type=Path, required=True, help="directory to write the documents into")
    args = parser.parse_args(argv)
    keys = json.loads(args.keys.read_text())
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        parser.error(f"{args.keys}: expected a JSON object of key id to PEM")
    for path, content in documents(keys, args.base_url).items():
        target = args.out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
