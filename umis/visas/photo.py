"""Applicant photos: only a real JPEG or PNG of sane size and dimensions is accepted; it is
decoded under limits (image bombs), re-encoded as a fresh JPEG, and every metadata block
(EXIF with its location, comments, ICC) is dropped."""

from __future__ import annotations

import io
import warnings

from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

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
    if not data:
        raise _refuse("photo_required", _("Upload a photo."))
    if len(data) > MAX_BYTES:
        raise _refuse("photo_too_large", _("The photo is larger than 5 MB."))
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
                upright: Image.Image = ImageOps.exif_transpose(opened) or opened
                rgb = upright.convert("RGB")
    except DomainError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _refuse(
            "photo_dimensions",
            _("The photo's dimensions are too large (at most %(n)d pixels a side).")
            % {"n": MAX_SIDE},
        ) from exc
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
    ) as exc:
        raise _refuse("photo_not_image", _("The photo could not be read as an image.")) from exc
    rgb.thumbnail((OUT_MAX_SIDE, OUT_MAX_SIDE))
    clean = Image.new("RGB", rgb.size)
    clean.paste(rgb)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=88, optimize=True)
    return out.getvalue()
