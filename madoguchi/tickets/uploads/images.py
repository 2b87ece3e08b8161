"""Screenshots: decoded with Pillow under a pixel limit, turned upright, re-encoded bare.

Only the pixels survive re-encoding: EXIF (with GPS positions and device names), XMP,
ICC profiles, PNG text chunks, comments and anything appended after the image are left
behind. PNG stays PNG, WebP stays WebP, JPEG and HEIC become JPEG.
"""

from __future__ import annotations

import io
import logging

import pillow_heif
from PIL import Image, ImageCms, ImageOps

from madoguchi.tickets.uploads.errors import UploadErrorCode, UploadRejected
from madoguchi.tickets.uploads.limits import MAX_PIXELS
from madoguchi.tickets.uploads.sniffing import HEIC, JPEG, PNG, WEBP, FileType

logger = logging.getLogger(__name__)

JPEG_QUALITY = 90
_PILLOW_FORMATS = {PNG: "PNG", JPEG: "JPEG", WEBP: "WEBP"}
_OUTPUT = {PNG: PNG, JPEG: JPEG, HEIC: JPEG, WEBP: WEBP}
_SRGB = ImageCms.createProfile("sRGB")
_SIXTEEN_BIT = frozenset({"I", "I;16", "I;16B", "I;16L", "I;16N"})


def reencode(data: bytes, source: FileType) -> tuple[bytes, FileType]:
    """The image's pixels alone, upright, in the stored format; and that format.

    Raises UploadRejected for a damaged or truncated image, one with data after its end,
    and one with more than MAX_PIXELS pixels (checked before any pixel is decoded).
    """
    _check_container(data, source)
    image = _decode(data, source)
    output = _OUTPUT[source]
    pixels = _bare_pixels(_upright(image), output)
    buffer = io.BytesIO()
    if output is JPEG:
        # 4:4:4 keeps the coloured text of error messages in screenshots legible.
        pixels.save(buffer, format="JPEG", quality=JPEG_QUALITY, subsampling=0)
    elif output is WEBP:
        if _is_lossless_webp(data):
            pixels.save(buffer, format="WEBP", lossless=True, exact=True)
        else:
            pixels.save(buffer, format="WEBP", quality=JPEG_QUALITY)
    else:
        pixels.save(buffer, format="PNG")
    return buffer.getvalue(), output


def _decode(data: bytes, source: FileType) -> Image.Image:
    try:
        if source is HEIC:
            heif = pillow_heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=True)
            _check_pixels(heif.size)
            # libheif applies the rotation and mirroring boxes while decoding.
            return heif.to_pillow()
        pillow_format = _PILLOW_FORMATS[source]
        with Image.open(io.BytesIO(data), formats=[pillow_format]) as probe:
            _check_pixels(probe.size)
            if source is PNG:
                probe.verify()  # every chunk's CRC, which decoding alone skips
        image = Image.open(io.BytesIO(data), formats=[pillow_format])
        image.load()
        return image
    except UploadRejected:
        raise
    except Image.DecompressionBombError as error:
        raise UploadRejected(
            UploadErrorCode.IMAGE_TOO_MANY_PIXELS, {"limit": MAX_PIXELS // 1_000_000}
        ) from error
    except Exception as error:
        # Decoders of hostile input fail in every way (OSError, SyntaxError, struct.error,
        # ValueError, RuntimeError from libheif, ...); each means the image is unusable.
        logger.debug("image decoder refused an upload: %s", type(error).__name__)
        raise UploadRejected(UploadErrorCode.IMAGE_DAMAGED) from error


def _check_pixels(size: tuple[int, int]) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise UploadRejected(UploadErrorCode.IMAGE_DAMAGED)
    if width * height > MAX_PIXELS:
        raise UploadRejected(
            UploadErrorCode.IMAGE_TOO_MANY_PIXELS, {"limit": MAX_PIXELS // 1_000_000}
        )


def _upright(image: Image.Image) -> Image.Image:
    try:
        return ImageOps.exif_transpose(image) or image
    except Exception:
        # A broken EXIF block says nothing reliable about orientation; the pixels are fine.
        return image


def _bare_pixels(image: Image.Image, output: FileType) -> Image.Image:
    """A new image holding only the pixels, in a mode the output format stores as is."""
    image = _to_srgb(image)
    if image.mode in _SIXTEEN_BIT:
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    alpha = image.has_transparency_data
    if output is JPEG:
        if alpha:
            rgba = image.convert("RGBA")
            image = Image.new("RGB", rgba.size, (255, 255, 255))
            image.paste(rgba, mask=rgba.getchannel("A"))
        elif image.mode != "L":
            image = image.convert("RGB")
    elif output is PNG:
        if image.mode not in {"L", "LA", "RGB", "RGBA"}:
            image = image.convert("RGBA" if alpha else ("L" if image.mode == "1" else "RGB"))
    elif image.mode not in {"RGB", "RGBA"}:
        image = image.convert("RGBA" if alpha else "RGB")
    # frombytes starts from an empty `info`, so no metadata can ride along to the encoder.
    return Image.frombytes(image.mode, image.size, image.tobytes())


def _to_srgb(image: Image.Image) -> Image.Image:
    """Colours as the profile meant them, in sRGB, so that dropping the profile changes nothing."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in {"RGB", "RGBA", "CMYK"}:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=mode)
    except Exception:
        # A broken profile is dropped with the rest; the colours may shift slightly.
        return image
    return converted or image


def _check_container(data: bytes, source: FileType) -> None:
    if source is PNG:
        _check_png_chunks(data)
    elif source is WEBP:
        _check_riff_length(data)
    elif source is HEIC:
        _check_heif_boxes(data)
    # JPEG has no length to check: cameras legitimately put more images after the first
    # (CIPA DC-007 multi-picture format), and re-encoding keeps only the first.


def _check_png_chunks(data: bytes) -> None:
    position = 8
    while True:
        if position + 12 > len(data):
            raise UploadRejected(UploadErrorCode.IMAGE_DAMAGED)
        length = int.from_bytes(data[position : position + 4], "big")
        chunk_type = data[position + 4 : position + 8]
        position += 12 + length
        if length > 0x7FFFFFFF or position > len(data):
            raise UploadRejected(UploadErrorCode.IMAGE_DAMAGED)
        if chunk_type == b"IEND":
            break
    if position != len(data):
        raise UploadRejected(UploadErrorCode.HIDDEN_CONTENT)


def _check_riff_length(data: bytes) -> None:
    declared = 8 + int.from_bytes(data[4:8], "little")
    if len(data) < declared:
        raise UploadRejected(UploadErrorCode.IMAGE_DAMAGED)
    if len(data) > declared + (declared % 2):
        raise UploadRejected(UploadErrorCode.HIDDEN_CONTENT)


def _is_lossless_webp(data: bytes) -> bool:
    position = 12
    while position + 8 <= len(data):
        fourcc = data[position : position + 4]
        if fourcc == b"VP8L":
            return True
        size = int.from_bytes(data[position + 4 : position + 8], "little")
        position += 8 + size + (size % 2)
    return False


def _check_heif_boxes(data: bytes) -> None:
    position = 0
    while position < len(data):
        if position + 8 > len(data):
            raise UploadRejected(UploadErrorCode.IMAGE_DAMAGED)
        size = int.from_bytes(data[position : position + 4], "big")
        box_type = data[position + 4 : position + 8]
        header = 8
        if size == 1:
            size = int.from_bytes(data[position + 8 : position + 16], "big")
            header = 16
        elif size == 0:
            size = len(data) - position
        if not all(0x20 <= byte < 0x7F for byte in box_type):
            raise UploadRejected(UploadErrorCode.HIDDEN_CONTENT)
        if size < header or position + size > len(data):
            raise UploadRejected(UploadErrorCode.IMAGE_DAMAGED)
        position += size
