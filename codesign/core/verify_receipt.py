#!/usr/bin/env python3
"""Check a codesign submission receipt offline, without trusting the server that issued it.

    python3 verify_receipt.py ricevuta.json --keys chiavi-pubbliche.json
    python3 verify_receipt.py ricevuta.json --public-key HEX

A signed receipt (`/proposte/<id>/ricevuta.json`, or `GET /api/v1/proposals/<id>/receipt`) is a JSON
file: the receipt (`receipt`: call, body, proposal, receipt number, time of receipt, SHA-256 of the
content and of every document) and its signature (`signature`: `alg` Ed25519, the `key_id` of the
administration's key, `value`). The administration publishes its public keys, current and retired,
at `/ricevute/chiavi-pubbliche.json`, and prints the one it signs with on every receipt PDF: download
that file once, or pass the printed key with `--public-key`.

The check: the file is exactly as issued (the canonical form: keys sorted, two-space indent, UTF-8, one
final newline, so a changed byte anywhere fails), its key is one of the administration's, and the
Ed25519 signature (RFC 8032) over the receipt's compact canonical JSON holds.

Exit status: 0 when the receipt is authentic; 1 when it is not, saying why; 2 when the files cannot be
read. Standard library only (Ed25519 verification as in RFC 8032, section 6: slow, and exact), importing
nothing of codesign.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys

FORMAT = "codesign-receipt/1"

# --- Ed25519 verification (RFC 8032, section 6) ------------------------------------------------------------
P = 2**255 - 19
Q = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _add(a, b):
    """Points in extended coordinates (X, Y, Z, T)."""
    x = (a[1] - a[0]) * (b[1] - b[0]) % P
    y = (a[1] + a[0]) * (b[1] + b[0]) % P
    c = 2 * a[3] * b[3] * D % P
    z = 2 * a[2] * b[2] % P
    e, f, g, h = y - x, z - c, z + c, y + x
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _mul(s: int, point):
    result = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            result = _add(result, point)
        point = _add(point, point)
        s >>= 1
    return result


def _equal(a, b) -> bool:
    return (a[0] * b[2] - b[0] * a[2]) % P == 0 and (a[1] * b[2] - b[1] * a[2]) % P == 0


def _recover_x(y: int, sign: int):
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P)
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    if (x & 1) != sign:
        x = P - x
    return x


def _decompress(data: bytes):
    if len(data) != 32:
        return None
    y = int.from_bytes(data, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % P)


_GY = 4 * pow(5, P - 2, P) % P
_GX = _recover_x(_GY, 0)
BASE = (_GX, _GY, 1, _GX * _GY % P)


def ed25519_verify(public: bytes, message: bytes, signature: bytes) -> bool:
    """True when `signature` is the Ed25519 signature of `message` under `public` (RFC 8032)."""
    if len(public) != 32 or len(signature) != 64:
        return False
    a = _decompress(public)
    r = _decompress(signature[:32])
    if a is None or r is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= Q:
        return False
    h = int.from_bytes(hashlib.sha512(signature[:32] + public + message).digest(), "little") % Q
    return _equal(_mul(s, BASE), _add(r, _mul(h, a)))


# --- the receipt --------------------------------------------------------------------------------------------
def key_id(public: bytes) -> str:
    """A key's identifier: the first 16 hex digits of the SHA-256 of its 32 raw bytes."""
    return hashlib.sha256(public).hexdigest()[:16]


def signed_bytes(receipt) -> bytes:
    """What the signature covers: the receipt as compact canonical JSON (keys sorted, no spaces, UTF-8)."""
    return json.dumps(receipt, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def file_text(document) -> str:
    """The canonical form of a receipt file."""
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def problems(raw: bytes, keys: dict[str, bytes]) -> list[str]:
    """Why the receipt file `raw` is not authentic under `keys` (key_id -> 32-byte public key); [] when it is."""
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [f"not a JSON file in UTF-8: {exc}"]
    if not isinstance(document, dict) or not isinstance(document.get("receipt"), dict):
        return ["no receipt in the file"]
    signature = document.get("signature")
    if not isinstance(signature, dict):
        return ["the receipt is not signed"]
    found = []
    if file_text(document).encode("utf-8") != raw:
        found.append("the file is not in the form it was issued in: a byte was changed, added or removed")
    if document["receipt"].get("format") != FORMAT:
        found.append(f"format {document['receipt'].get('format')!r}, expected {FORMAT!r}")
    if signature.get("alg") != "Ed25519":
        return found + [f"signature algorithm {signature.get('alg')!r}, expected 'Ed25519'"]
    public = keys.get(signature.get("key_id"))
    if public is None:
        return found + [f"signed with key {signature.get('key_id')!r}, which is not among the administration's "
                        f"keys ({', '.join(sorted(keys)) or 'none given'})"]
    try:
        value = bytes.fromhex(signature.get("value") or "")
    except ValueError:
        return found + ["the signature is not written in hexadecimal"]
    if not ed25519_verify(public, signed_bytes(document["receipt"]), value):
        found.append("the signature does not match the receipt: its content is not the one the administration "
                     "signed")
    return found


def keys_from(published) -> dict[str, bytes]:
    """The keys of a published key file (`{"keys": [{"key_id", "public_key"}]}`), each checked against its id."""
    keys = {}
    for entry in published.get("keys", []) if isinstance(published, dict) else []:
        public = bytes.fromhex(entry["public_key"])
        if key_id(public) != entry.get("key_id"):
            raise ValueError(f"key {entry.get('key_id')!r}: its id is not the SHA-256 of the key")
        keys[entry["key_id"]] = public
    return keys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Check a codesign submission receipt offline.")
    parser.add_argument("file", help="the signed receipt (ricevuta.json)")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--keys", help="the administration's published keys (chiavi-pubbliche.json)")
    source.add_argument("--public-key", help="the public key printed on the receipt PDF, in hexadecimal")
    args = parser.parse_args(argv)
    try:
        with open(args.file, "rb") as handle:
            raw = handle.read()
        if args.keys:
            with open(args.keys, "rb") as handle:
                keys = keys_from(json.loads(handle.read().decode("utf-8")))
        else:
            public = bytes.fromhex(args.public_key.strip())
            keys = {key_id(public): public}
    except OSError as exc:
        print(f"cannot read {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    except (ValueError, KeyError, TypeError) as exc:
        print(f"the keys cannot be read: {exc}", file=sys.stderr)
        return 2
    found = problems(raw, keys)
    if found:
        print("NOT AUTHENTIC:", file=sys.stderr)
        for problem in found:
            print(f"  {problem}", file=sys.stderr)
        return 1
    receipt = json.loads(raw)["receipt"]
    print(f"Authentic: receipt n. {receipt.get('protocol_number')} of {receipt.get('submitted_at')}, "
          f"content SHA-256 {receipt.get('content_sha256')}, signed with key {json.loads(raw)['signature']['key_id']}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
