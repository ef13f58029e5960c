"""Applicant photos: only a real JPEG or PNG of sane size and dimensions is accepted; it is
decoded under limits (image bombs), re-encoded as a fresh JPEG, and every metadata block
(EXIF with its location, comments, ICC) is dropped, after the EXIF orientation is applied.
A file Pillow cannot decode, whatever the way it fails, is refused as not an image."""

from __future__ import annotations

import io
import warnings

from django.utils.translation import gettext_lazy as _
from PIL import Image

from umis.core.errors import DomainError

MAX_BYTES = 5 * 1024 * 1024
MIN_SIDE = 200
MAX_SIDE = 6000
MAX_PIXELS = 24_000_000
OUT_MAX_SIDE = 1000
FIELD = "photo"


def _refuse(code: str, message: object) -> DomainError:
    return DomainError(code, message, FIELD)  # type: ignore[arg-type]


def photo_clean(data: bytes) -> bytes:
    """The photo re-encoded as a metadata-free JPEG, or a DomainError naming the problem."""
    if not data:  # a file of 0 bytes was chosen (a download cut short, a file not synced)
        raise _refuse(
            "photo_empty",
            _("The photo file is empty (0 bytes). Choose the file of your photo again."),
        )
    if len(data) > MAX_BYTES:
        raise _refuse(
            "photo_too_large",
            _("The photo is larger than 5 MB. Choose a smaller file, or save the photo smaller."),
        )
    if not (data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n")):
        raise _refuse("photo_not_image", _("The photo must be a JPEG or PNG image."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in {"JPEG", "PNG"}:
                    raise _refuse("photo_not_image", _("The photo must be a JPEG or PNG image."))
                width, height = probe.size
                if getattr(probe, "n_frames", 1) > 1:
                    raise _refuse("photo_not_image", _("The photo must be a single still image."))
                if min(width, height) < MIN_SIDE:
                    raise _refuse(
                        "photo_too_small",
                        _("The photo must be at least %(n)d pixels on each side.")
                        % {"n": MIN_SIDE},
                    )
                if max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
                    raise _refuse(
                        "photo_dimensions",
                        _("The photo's dimensions are too large (at most %(n)d pixels a side).")
                        % {"n": MAX_SIDE},
                    )
                probe.verify()
            with Image.open(io.BytesIO(data)) as opened:
                opened.load()
                rgb = _upright(opened, _orientation(opened)).convert("RGB")
            rgb.thumbnail((OUT_MAX_SIDE, OUT_MAX_SIDE))
            clean = Image.new("RGB", rgb.size)
            clean.paste(rgb)
            out = io.BytesIO()
            clean.save(out, format="JPEG", quality=88, optimize=True)
    except DomainError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _refuse(
            "photo_dimensions",
            _("The photo's dimensions are too large (at most %(n)d pixels a side).")
            % {"n": MAX_SIDE},
        ) from exc
    except Exception as exc:
        # Pillow's decoders fail in many ways on damaged files (IndexError, struct.error,
        # OSError, ...): whatever it is, the photo could not be read.
        raise _refuse("photo_not_image", _("The photo could not be read as an image.")) from exc
    return out.getvalue()


ORIENTATION_TAG = 0x0112
_TURNS = {  # EXIF orientation -> the turn that makes the picture upright
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation (1 = as stored); an unreadable value counts as 1. Read alone,
    so a camera's odd tags elsewhere in its EXIF do not matter (they are dropped)."""
    try:
        value = image.getexif().get(ORIENTATION_TAG, 1)
    except Exception:
        return 1
    return value if isinstance(value, int) and value in _TURNS else 1


def _upright(image: Image.Image, orientation: int) -> Image.Image:
    turn = _TURNS.get(orientation)
    return image if turn is None else image.transpose(turn)
