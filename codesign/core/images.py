"""Photos that people upload, checked by content and re-encoded: only JPEG, PNG or WebP that Pillow can read
whole, no bigger than MAX_PIXELS; turned upright from their EXIF orientation, then saved again as JPEG at two
sizes with no metadata (no camera, no position, no author: nothing a photo of a neighbourhood should leak)."""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from codesign.core.errors import Invalid

FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
MAX_PIXELS = 50_000_000          # 50 megapixels: any camera's photo, no decompression bomb
FULL_SIDE, THUMB_SIDE = 1600, 640


@dataclass(frozen=True)
class Photo:
    full: bytes
    thumb: bytes
    width: int
    height: int


def _refuse(field: str, message: str) -> Invalid:
    return Invalid({field: message})


MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def _checked(data: bytes, field: str, then):
    """Open the image whole (every check of `photo`) and answer `then(img)`, or 422 naming the field: not an
    image, a format not accepted, damaged, huge."""
    accepted = ", ".join(FORMATS.values())
    lenient = ImageFile.LOAD_TRUNCATED_IMAGES     # a library may have set it for the whole process
    ImageFile.LOAD_TRUNCATED_IMAGES = False       # a cut photo is refused, never padded with grey
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in FORMATS:
                    raise _refuse(field, f"formato non accettato ({probe.format}): solo {accepted}")
                if probe.width * probe.height > MAX_PIXELS:
                    raise _refuse(field, f"immagine troppo grande ({probe.width}×{probe.height} pixel)")
                probe.verify()
            with Image.open(io.BytesIO(data)) as img:
                img.load()
                return then(img)
    except Invalid:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(field, f"il contenuto non è un'immagine leggibile: solo {accepted}") from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise _refuse(field, "l'immagine è danneggiata o incompleta") from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient


def photo(data: bytes, *, field: str = "file") -> Photo:
    """The photo at its two sizes, or 422 naming the field (`_checked`)."""
    upright = _checked(data, field, lambda img: ImageOps.exif_transpose(img).convert("RGB"))
    full = _jpeg(upright, FULL_SIDE)
    return Photo(full=full[0], thumb=_jpeg(upright, THUMB_SIDE)[0], width=full[1], height=full[2])


def media_type(data: bytes, *, field: str = "file") -> str:
    """The media type of an image kept as uploaded (a scanned document: its bytes are the record), once Pillow
    read it whole (`_checked`); 422 otherwise."""
    return _checked(data, field, lambda img: MIME[img.format])


def _jpeg(img: Image.Image, side: int) -> tuple[bytes, int, int]:
    copy = img.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue(), copy.width, copy.height
