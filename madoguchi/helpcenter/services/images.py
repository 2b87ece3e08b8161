"""Storing screenshots: checked by content, re-encoded, stripped of EXIF and other metadata."""

from __future__ import annotations

import io
import re
import secrets
from pathlib import PurePath
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from madoguchi.helpcenter.errors import HelpCenterError, HelpCenterErrorCode
from madoguchi.helpcenter.models import ArticleImage

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 25_000_000  # far above any screenshot, far below a decompression bomb
# What the browser sent as a type or name is ignored; Pillow reads the bytes.
_OUTPUT = {
    "PNG": ("PNG", "png"),
    "GIF": ("PNG", "png"),
    "JPEG": ("JPEG", "jpg"),
    "WEBP": ("WEBP", "webp"),
}


def _decode(upload: UploadedFile) -> Image.Image:
    if (upload.size or 0) > MAX_BYTES:
        raise HelpCenterError(HelpCenterErrorCode.IMAGE_TOO_LARGE)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise HelpCenterError(HelpCenterErrorCode.IMAGE_TOO_LARGE)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in _OUTPUT:
                raise HelpCenterError(HelpCenterErrorCode.IMAGE_INVALID)
            if probe.width * probe.height > MAX_PIXELS:
                raise HelpCenterError(HelpCenterErrorCode.IMAGE_TOO_LARGE)
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except HelpCenterError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
    ) as error:
        raise HelpCenterError(HelpCenterErrorCode.IMAGE_INVALID) from error
    return image


def _encode(image: Image.Image) -> tuple[bytes, str]:
    source_format = image.format or "PNG"
    output_format, extension = _OUTPUT[source_format]
    # Turn the pixels the way the camera meant, then drop the EXIF that said so (and
    # with it any GPS position or device name).
    upright = ImageOps.exif_transpose(image) or image
    if output_format == "JPEG" and upright.mode not in {"RGB", "L"}:
        upright = upright.convert("RGB")
    if output_format == "PNG" and upright.mode not in {"RGB", "RGBA", "L", "LA", "P"}:
        upright = upright.convert("RGBA")
    buffer = io.BytesIO()
    options: dict[str, Any] = {"quality": 90} if output_format in {"JPEG", "WEBP"} else {}
    upright.save(buffer, format=output_format, **options)
    return buffer.getvalue(), extension


def store_image(*, upload: UploadedFile, uploader: Any) -> ArticleImage:
    """Keep an editor's screenshot; raises HelpCenterError if it is not a real image."""
    image = _decode(upload)
    data, extension = _encode(image)
    name = f"{secrets.token_hex(12)}.{extension}"
    with transaction.atomic():
        stored = ArticleImage(width=image.width, height=image.height, uploaded_by=uploader)
        stored.file.save(name, ContentFile(data), save=False)
        stored.save()
        return stored


def markdown_snippet(image: ArticleImage, *, original_name: str = "") -> str:
    """The line an editor pastes into an article to show the screenshot."""
    alt = re.sub(r"[\[\]()\\\n\r]", " ", PurePath(original_name).stem).strip() or "screenshot"
    return f"![{alt}]({image.file.url})"
