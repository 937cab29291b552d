"""Signed receipts: the administration's Ed25519 key, the signature of a receipt and its check.

A receipt (the domain builds its content) is signed once, when it is issued, with the administration's
private key, which lives outside the database like the audit key (CODESIGN_RECEIPT_KEY, else a key
generated once into the instance folder). The public keys, the current one and every retired one, are
published (`published_keys`), so a receipt signed before a rotation stays verifiable. The file's form and
the check live in `verify_receipt.py`, the standalone verifier anyone can run offline: the server checks
receipts with the same code (`verify`), so there is one reading of the format.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from flask import current_app

from codesign.core import verify_receipt as check

FORMAT = check.FORMAT
KEY_FILE = "receipt_key"
RETIRED_FILE = "receipt_keys_retired"


@functools.lru_cache(maxsize=4)
def _private(seed_hex: str) -> Ed25519PrivateKey:
    try:
        seed = bytes.fromhex(seed_hex)
    except ValueError:
        seed = b""
    if len(seed) != 32:
        raise RuntimeError("CODESIGN_RECEIPT_KEY must be 64 hexadecimal digits (an Ed25519 seed of 32 bytes)")
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_of(seed_hex: str) -> bytes:
    return _private(seed_hex).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def published_keys() -> dict:
    """The administration's public keys: the one it signs with now, then the retired ones (old receipts)."""
    current = public_of(current_app.config["RECEIPT_KEY"])
    keys = [{"key_id": check.key_id(current), "public_key": current.hex(), "status": "current"}]
    for retired in current_app.config.get("RECEIPT_RETIRED_KEYS") or ():
        public = bytes.fromhex(retired)
        if public != current and all(k["public_key"] != retired for k in keys):
            keys.append({"key_id": check.key_id(public), "public_key": public.hex(), "status": "retired"})
    return {"algorithm": "Ed25519", "keys": keys}


def current_key() -> dict:
    return published_keys()["keys"][0]


def sign(receipt: dict) -> str:
    """The signed receipt file (verify_receipt.file_text) of `receipt`, with the current key."""
    private = _private(current_app.config["RECEIPT_KEY"])
    value = private.sign(check.signed_bytes(receipt)).hex()
    return check.file_text({"receipt": receipt, "signature": {
        "alg": "Ed25519", "key_id": check.key_id(public_of(current_app.config["RECEIPT_KEY"])), "value": value}})


def signature_of(text: str) -> dict:
    """A signed receipt's signature as the receipt's page and PDF print it: key_id, value and the public key
    (None when the key is no longer published)."""
    signature = json.loads(text)["signature"]
    public = next((k["public_key"] for k in published_keys()["keys"] if k["key_id"] == signature["key_id"]), None)
    return {"alg": signature["alg"], "key_id": signature["key_id"], "value": signature["value"], "public_key": public}


def verify(raw: bytes) -> list[str]:
    """Why the receipt file is not authentic under the administration's keys; [] when it is."""
    return check.problems(raw, check.keys_from(published_keys()))


def retired_keys(instance_path: Path) -> list[str]:
    """Public keys that signed receipts before a rotation: CODESIGN_RECEIPT_RETIRED_KEYS (comma separated hex)
    and the lines `rotate` appends to the instance folder's RETIRED_FILE (the key first)."""
    keys = [k.strip() for k in (os.environ.get("CODESIGN_RECEIPT_RETIRED_KEYS") or "").split(",") if k.strip()]
    path = Path(instance_path) / RETIRED_FILE
    if path.exists():
        keys += [line.split()[0] for line in path.read_text().splitlines() if line.strip()]
    return keys


def rotate(instance_path: Path, now: dt.datetime) -> tuple[str, str]:
    """A new signing key in the instance folder; the old public key joins the retired ones (kept published).
    Refused when the key comes from CODESIGN_RECEIPT_KEY: whoever set it rotates it there. Takes effect when
    the application restarts. Returns the old and the new key's ids."""
    if os.environ.get("CODESIGN_RECEIPT_KEY"):
        raise RuntimeError("la chiave viene da CODESIGN_RECEIPT_KEY: cambiala lì e aggiungi la chiave pubblica "
                           "precedente a CODESIGN_RECEIPT_RETIRED_KEYS")
    folder = Path(instance_path)
    path = folder / KEY_FILE
    if not path.exists():
        raise RuntimeError(f"nessuna chiave in {path}: si crea al primo avvio dell'applicazione")
    old = public_of(path.read_text().strip())
    with open(folder / RETIRED_FILE, "a", encoding="utf-8") as retired:
        retired.write(f"{old.hex()} {check.key_id(old)} ritirata il {now.isoformat(timespec='seconds')}\n")
    seed = secrets.token_hex(32)
    tmp = folder / f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(seed)
    os.replace(tmp, path)
    return check.key_id(old), check.key_id(public_of(seed))
