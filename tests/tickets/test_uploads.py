"""Attachment checks: real files made by Pillow and pillow-heif, and hand-made hostile ones."""

from __future__ import annotations

import csv
import dataclasses
import gzip
import hashlib
import io
import logging
import random
import struct
import unicodedata
import zipfile
import zlib
from pathlib import Path

import pillow_heif
import pytest
from django.utils import translation
from PIL import Image, ImageChops, ImageCms, ImageStat
from PIL.PngImagePlugin import PngInfo

from madoguchi.tickets.uploads import (
    CheckedUpload,
    UploadErrorCode,
    UploadRejected,
    check_count,
    inspect_upload,
    safe_name,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "uploads"
GPS_IFD = 0x8825
ORIENTATION = 0x0112


# --- Files ---------------------------------------------------------------------------


def screenshot(size: tuple[int, int] = (120, 80), mode: str = "RGB") -> Image.Image:
    """A picture with distinct quadrants, so that a rotation or a lost pixel shows."""
    width, height = size
    image = Image.new("RGB", size, (255, 255, 255))
    image.paste((220, 30, 30), (0, 0, width // 2, height // 2))
    image.paste((30, 160, 40), (width // 2, 0, width, height // 2))
    image.paste((20, 40, 200), (0, height // 2, width // 2, height))
    for x in range(width):
        image.putpixel((x, height - 1), (x * 2 % 256, 255 - x % 256, 90))
    return image.convert(mode)


def encode(image: Image.Image, format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


def gps_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "Apple"
    exif[0x0110] = "iPhone 15 Pro"
    exif[GPS_IFD] = {1: "N", 2: (35.0, 39.0, 31.0), 3: "E", 4: (139.0, 44.0, 28.0)}
    return exif


def heic(image: Image.Image, **options: object) -> bytes:
    buffer = io.BytesIO()
    pillow_heif.from_pillow(image).save(buffer, quality=90, **options)
    return buffer.getvalue()


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload))
    )


def png_by_hand(width: int, height: int, rows: bytes) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(rows, 9))
        + png_chunk(b"IEND", b"")
    )


def zip_archive(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def pdf_by_hand(*objects: bytes) -> bytes:
    """A PDF with a correct cross-reference table around `objects` (numbered from 1)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"


def pillow_pdf() -> bytes:
    return encode(screenshot(), "PDF")


def rejection(name: str, data: bytes) -> UploadErrorCode:
    with pytest.raises(UploadRejected) as caught:
        inspect_upload(name=name, data=data)
    return caught.value.code


def pixels_differ_by(first: Image.Image, second: Image.Image) -> float:
    difference = ImageChops.difference(first.convert("RGB"), second.convert("RGB"))
    return max(ImageStat.Stat(difference).mean)


def reopened(upload: CheckedUpload) -> Image.Image:
    image = Image.open(io.BytesIO(upload.data))
    image.load()
    return image


# --- Images --------------------------------------------------------------------------


def test_a_png_screenshot_is_stored_as_png_with_every_pixel_kept():
    original = screenshot()
    upload = inspect_upload(name="残高画面.png", data=encode(original, "PNG"))

    assert upload.content_type == "image/png"
    assert upload.name == "残高画面.png"
    stored = reopened(upload)
    assert stored.format == "PNG"
    assert stored.mode == "RGB"
    assert ImageChops.difference(stored, original).getbbox() is None


def test_png_text_chunks_exif_and_colour_profile_are_gone_after_reencoding():
    metadata = PngInfo()
    metadata.add_text("Comment", "seed phrase abandon ability")
    metadata.add_text("Author", "Tanaka Hanako", zip=True)
    metadata.add_itxt("Description", "自宅の住所", lang="ja")
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    original = screenshot()
    data = encode(original, "PNG", pnginfo=metadata, exif=gps_exif(), icc_profile=profile)
    assert all(chunk in data for chunk in (b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"iCCP"))

    upload = inspect_upload(name="screen.png", data=data)

    for chunk in (b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"iCCP", b"abandon", b"Tanaka"):
        assert chunk not in upload.data
    stored = reopened(upload)
    assert stored.info == {}
    assert not stored.getexif()
    assert ImageChops.difference(stored, original).getbbox() is None


def test_gps_position_comment_and_xmp_are_gone_from_a_jpeg_photo():
    original = screenshot((160, 120))
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>Tokyo</rdf:RDF></x:xmpmeta>'
    data = encode(original, "JPEG", quality=95, exif=gps_exif(), comment=b"wallet-backup", xmp=xmp)
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)

    upload = inspect_upload(name="photo.jpg", data=data)

    assert upload.content_type == "image/jpeg"
    stored = reopened(upload)
    assert not stored.getexif()
    assert "exif" not in stored.info and "xmp" not in stored.info
    assert "comment" not in stored.info
    for trace in (b"Exif", b"Apple", b"iPhone", b"wallet-backup", b"xmpmeta", b"Tokyo"):
        assert trace not in upload.data
    assert stored.size == original.size
    assert pixels_differ_by(stored, original) < 3


def test_a_jpeg_turned_by_its_exif_orientation_is_stored_upright():
    upright = screenshot((120, 80))
    # A phone held sideways stores the pixels rotated and says "turn 90° clockwise" (6).
    sideways = upright.transpose(Image.Transpose.ROTATE_90)
    data = encode(sideways, "JPEG", quality=95, exif=gps_exif(orientation=6))

    stored = reopened(inspect_upload(name="sideways.jpg", data=data))

    assert stored.size == (120, 80)
    assert pixels_differ_by(stored, upright) < 4


def test_a_heic_photo_from_a_phone_becomes_a_jpeg_without_its_gps_position():
    original = screenshot((128, 96))
    data = heic(original, exif=gps_exif().tobytes())
    assert data[4:12] == b"ftypheic"

    upload = inspect_upload(name="IMG_0042.HEIC", data=data, declared_type="image/heic")

    assert upload.content_type == "image/jpeg"
    assert upload.name == "IMG_0042.jpg"
    stored = reopened(upload)
    assert stored.format == "JPEG"
    assert not stored.getexif()
    assert b"Apple" not in upload.data and b"Exif" not in upload.data
    assert stored.size == original.size
    assert pixels_differ_by(stored, original) < 6


def test_a_rotated_heic_photo_is_stored_upright():
    upright = screenshot((96, 64))
    sideways = upright.transpose(Image.Transpose.ROTATE_90)
    data = heic(sideways, exif=gps_exif(orientation=6).tobytes())

    stored = reopened(inspect_upload(name="IMG_0043.heic", data=data))

    assert stored.size == (96, 64)
    assert pixels_differ_by(stored, upright) < 8


def test_a_lossless_webp_stays_lossless_webp_without_its_metadata():
    original = screenshot()
    data = encode(original, "WEBP", lossless=True, exif=gps_exif(), xmp=b"<x:xmpmeta>Osaka")
    assert b"EXIF" in data

    upload = inspect_upload(name="capture.webp", data=data)

    assert upload.content_type == "image/webp"
    assert b"VP8L" in upload.data
    for chunk in (b"EXIF", b"XMP ", b"ICCP", b"Osaka"):
        assert chunk not in upload.data
    assert ImageChops.difference(reopened(upload).convert("RGB"), original).getbbox() is None


def test_a_lossy_webp_stays_webp_with_its_pixels_close():
    data = encode(screenshot(), "WEBP", quality=92)
    upload = inspect_upload(name="capture.webp", data=data)

    assert upload.content_type == "image/webp"
    assert b"VP8L" not in upload.data
    assert pixels_differ_by(reopened(upload), Image.open(io.BytesIO(data))) < 4


def test_transparency_of_a_png_is_kept():
    original = screenshot(mode="RGBA")
    original.putpixel((0, 0), (0, 0, 0, 0))
    original.putpixel((1, 0), (10, 20, 30, 128))

    stored = reopened(inspect_upload(name="alpha.png", data=encode(original, "PNG")))

    assert stored.mode == "RGBA"
    assert ImageChops.difference(stored, original).getbbox() is None


def test_a_palette_png_with_a_transparent_colour_keeps_its_look():
    original = screenshot().convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    data = encode(original, "PNG", transparency=0)

    stored = reopened(inspect_upload(name="palette.png", data=data))

    assert stored.mode == "RGBA"
    expected = Image.open(io.BytesIO(data)).convert("RGBA")
    assert ImageChops.difference(stored, expected).getbbox() is None


def test_a_sixteen_bit_greyscale_png_is_scaled_not_clipped():
    original = Image.new("I;16", (8, 8), 0x8000)
    stored = reopened(inspect_upload(name="scan.png", data=encode(original, "PNG")))

    assert stored.mode == "L"
    assert stored.getpixel((0, 0)) == 128


def test_a_cmyk_jpeg_is_stored_as_rgb():
    original = screenshot()
    data = encode(original.convert("CMYK"), "JPEG", quality=95)

    stored = reopened(inspect_upload(name="print.jpg", data=data))

    assert stored.mode == "RGB"
    assert pixels_differ_by(stored, original.convert("CMYK").convert("RGB")) < 4


def test_an_image_with_a_colour_profile_keeps_its_colours_without_the_profile():
    original = screenshot()
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(original, "JPEG", quality=95, icc_profile=profile)

    upload = inspect_upload(name="profiled.jpg", data=data)

    assert "icc_profile" not in reopened(upload).info
    assert pixels_differ_by(reopened(upload), original) < 4


def test_a_jpeg_named_png_is_accepted_as_the_jpeg_it_is():
    upload = inspect_upload(
        name="scan.png", data=encode(screenshot(), "JPEG"), declared_type="image/png"
    )

    assert upload.content_type == "image/jpeg"
    assert upload.name == "scan.jpg"


def test_the_stored_name_takes_the_real_type_whatever_the_sender_wrote():
    upload = inspect_upload(name="invoice\u202egnp.exe", data=encode(screenshot(), "PNG"))

    assert upload.name == "invoicegnp.png"


@pytest.mark.parametrize(
    ("format", "options"),
    [("PNG", {}), ("JPEG", {"quality": 90}), ("WEBP", {"quality": 90})],
)
def test_a_truncated_image_is_refused_as_damaged(format, options):
    data = encode(screenshot((300, 200)), format, **options)

    assert rejection("cut.img", data[: len(data) * 2 // 3]) is UploadErrorCode.IMAGE_DAMAGED


def test_a_truncated_heic_is_refused_as_damaged():
    data = heic(screenshot((256, 256)))

    assert rejection("cut.heic", data[: len(data) // 2]) is UploadErrorCode.IMAGE_DAMAGED


def test_a_png_with_a_corrupted_chunk_is_refused_as_damaged():
    data = bytearray(encode(screenshot(), "PNG"))
    data[data.index(b"IDAT") + 10] ^= 0xFF

    assert rejection("bad.png", bytes(data)) is UploadErrorCode.IMAGE_DAMAGED


def test_a_png_signature_followed_by_noise_is_refused_as_damaged():
    noise = random.Random(3).randbytes(4000)

    assert rejection("noise.png", b"\x89PNG\r\n\x1a\n" + noise) is UploadErrorCode.IMAGE_DAMAGED


def test_a_png_decompression_bomb_is_refused_before_its_pixels_are_decoded():
    width, height = 8000, 6000  # 48 megapixels of zeros: 48 MB inflated from 47 kB
    bomb = png_by_hand(width, height, bytes(width + 1) * height)
    assert len(bomb) < 100_000

    with pytest.raises(UploadRejected) as caught:
        inspect_upload(name="bomb.png", data=bomb)

    assert caught.value.code is UploadErrorCode.IMAGE_TOO_MANY_PIXELS
    assert "40" in caught.value.message


def test_an_image_claiming_billions_of_pixels_is_refused_as_too_many_pixels():
    data = bytearray(encode(screenshot((16, 16)), "JPEG"))
    frame = data.index(b"\xff\xc0")
    data[frame + 5 : frame + 9] = struct.pack(">HH", 65000, 65000)

    assert rejection("huge.jpg", bytes(data)) is UploadErrorCode.IMAGE_TOO_MANY_PIXELS


def test_a_webp_claiming_the_largest_size_is_refused_as_too_many_pixels():
    data = bytearray(encode(screenshot((16, 16)), "WEBP", lossless=True))
    assert data[12:16] == b"VP8L"
    # VP8L header (RFC 9649 §3.2.1): 14 bits width - 1, 14 bits height - 1, alpha, version.
    data[21:25] = struct.pack("<I", 16383 | 16383 << 14)

    assert rejection("huge.webp", bytes(data)) is UploadErrorCode.IMAGE_TOO_MANY_PIXELS


@pytest.mark.parametrize("format", ["GIF", "BMP", "TIFF", "ICO"])
def test_other_image_types_are_refused(format):
    data = encode(screenshot((32, 32)), format)

    assert rejection("picture.png", data) is UploadErrorCode.UNSUPPORTED_TYPE


# --- Hostile files -------------------------------------------------------------------

WINDOWS_EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8"
    + bytes(43)
    + b"\x80\x00\x00\x00"
    + b"\x0e\x1f\xba\x0e\x00\xb4\t\xcd!\xb8\x01L\xcd!This program cannot be run in DOS mode.\r\r\n$"
    + bytes(7)
    + b"PE\x00\x00L\x01\x03\x00"
    + bytes(200)
)
LINUX_ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00>\x00\x01\x00\x00\x00" + bytes(200)
HTML_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>Login</title></head>"
    b"<body><script>fetch('/api/v1/tickets').then(r => r.text())</script></body></html>\n"
)
SVG_IMAGE = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" '
    b'onload="alert(document.cookie)"><rect width="10" height="10"/></svg>\n'
)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(WINDOWS_EXE, id="exe"),
        pytest.param(LINUX_ELF, id="elf"),
        pytest.param(HTML_PAGE, id="html"),
        pytest.param(b"\n\n   " + HTML_PAGE, id="html-after-blank-lines"),
        pytest.param(SVG_IMAGE, id="svg"),
        pytest.param(zip_archive({"screenshot.png": b"not really"}), id="zip"),
        pytest.param(gzip.compress(b"a,b\n" * 1000), id="gzip"),
        pytest.param(b"#!/bin/sh\x00rm -rf ~\n", id="script-with-nul"),
    ],
)
def test_a_png_that_is_really_something_else_is_refused(data):
    assert rejection("screenshot.png", data) is UploadErrorCode.UNSUPPORTED_TYPE


def test_a_zip_bomb_renamed_as_csv_is_refused_without_being_inflated():
    bomb = zip_archive({"history.csv": bytes(64 * 1024 * 1024)})
    assert len(bomb) < 300_000

    assert rejection("取引履歴.csv", bomb) is UploadErrorCode.UNSUPPORTED_TYPE


def test_an_excel_workbook_is_refused_with_a_hint_to_save_as_csv():
    workbook = zip_archive(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.'
            b'openxmlformats.org/package/2006/content-types"/>',
            "_rels/.rels": b"<Relationships/>",
            "xl/workbook.xml": b"<workbook/>",
        }
    )

    with pytest.raises(UploadRejected) as caught:
        inspect_upload(name="history.csv", data=workbook)

    assert caught.value.code is UploadErrorCode.SPREADSHEET_NOT_CSV
    assert "CSV" in caught.value.message


def test_a_png_with_a_zip_archive_appended_is_refused_as_hidden_content():
    image = encode(screenshot(), "PNG")
    archive = zip_archive({"payload.exe": WINDOWS_EXE})

    assert rejection("screen.png", image + archive) is UploadErrorCode.HIDDEN_CONTENT


def test_a_jpeg_with_a_zip_archive_appended_is_refused_as_hidden_content():
    # A JPEG may carry more data after its end, so only the archive itself gives it away.
    image = encode(screenshot(), "JPEG")
    archive = zip_archive({"payload.exe": WINDOWS_EXE})

    assert rejection("photo.jpg", image + archive) is UploadErrorCode.HIDDEN_CONTENT


def test_a_jpeg_carrying_html_in_a_comment_is_refused_as_hidden_content():
    data = encode(screenshot(), "JPEG", comment=b"<script>alert(1)</script>")

    assert rejection("photo.jpg", data) is UploadErrorCode.HIDDEN_CONTENT


def test_a_png_carrying_html_in_a_text_chunk_is_refused_as_hidden_content():
    metadata = PngInfo()
    metadata.add_text("Comment", "<html><body onload=alert(1)>")

    data = encode(screenshot(), "PNG", pnginfo=metadata)

    assert rejection("screen.png", data) is UploadErrorCode.HIDDEN_CONTENT


@pytest.mark.parametrize(("format", "options"), [("PNG", {}), ("WEBP", {"lossless": True})])
def test_an_image_with_bytes_after_its_end_is_refused_as_hidden_content(format, options):
    data = encode(screenshot(), format, **options) + b"#!/bin/sh\necho owned\n"

    assert rejection("screen.img", data) is UploadErrorCode.HIDDEN_CONTENT


def test_a_heic_with_bytes_after_its_last_box_is_refused_as_hidden_content():
    data = heic(screenshot()) + b"\x00\x01\x02\x03\x04\x05\x06\x07garbage"

    assert rejection("photo.heic", data) is UploadErrorCode.HIDDEN_CONTENT


def test_a_pdf_that_is_also_an_html_page_is_refused_as_hidden_content():
    data = pdf_by_hand(CATALOG, PAGES, PAGE + b"\n% <html><script>alert(1)</script>")

    assert rejection("statement.pdf", data) is UploadErrorCode.HIDDEN_CONTENT


# --- PDF -----------------------------------------------------------------------------


def test_a_pdf_is_stored_exactly_as_sent():
    data = pillow_pdf()

    upload = inspect_upload(name="残高証明書.pdf", data=data)

    assert upload.content_type == "application/pdf"
    assert upload.name == "残高証明書.pdf"
    assert upload.data == data
    assert upload.sha256 == upload.original_sha256 == hashlib.sha256(data).hexdigest()


def test_a_hand_written_pdf_with_a_cross_reference_table_is_accepted():
    upload = inspect_upload(name="minimal.pdf", data=pdf_by_hand(CATALOG, PAGES, PAGE))

    assert upload.content_type == "application/pdf"


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="cut-in-half"),
        pytest.param(lambda data: data[:-6], id="without-eof"),
        pytest.param(lambda data: data.replace(b"startxref", b"startxxef"), id="no-startxref"),
        pytest.param(lambda data: data.replace(b"%PDF-1.", b"%PDF-x."), id="bad-version"),
    ],
)
def test_a_damaged_pdf_is_refused(damage):
    data = damage(pdf_by_hand(CATALOG, PAGES, PAGE))

    assert rejection("statement.pdf", data) is UploadErrorCode.PDF_DAMAGED


def test_a_pdf_cut_before_its_end_is_refused_as_damaged():
    data = pillow_pdf()

    assert rejection("statement.pdf", data[: len(data) - 40]) is UploadErrorCode.PDF_DAMAGED


def test_a_pdf_whose_header_is_not_at_the_start_is_not_taken_for_a_pdf():
    data = b"junk before the header\n" + pillow_pdf()

    assert rejection("statement.pdf", data) is UploadErrorCode.UNSUPPORTED_TYPE


@pytest.mark.parametrize(
    "catalog",
    [
        pytest.param(
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript "
            b"/JS (app.alert('x')) >> >>",
            id="javascript",
        ),
        pytest.param(
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /J#61vaScr#69pt "
            b"/J#53 (app.alert('x')) >> >>",
            id="escaped-javascript",
        ),
        pytest.param(
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /Launch /F (cmd.exe) >> >>",
            id="launch",
        ),
        pytest.param(
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /GoToR "
            b"/F (\\\\\\\\attacker\\\\share\\\\x.pdf) >> >>",
            id="remote-goto",
        ),
        pytest.param(
            b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 4 0 R >> >>",
            id="embedded-files",
        ),
    ],
)
def test_a_pdf_with_active_content_is_refused(catalog):
    data = pdf_by_hand(catalog, PAGES, PAGE)

    assert rejection("statement.pdf", data) is UploadErrorCode.PDF_ACTIVE_CONTENT


def test_javascript_hidden_in_a_compressed_object_stream_is_found():
    hidden = b"4 0 << /S /JavaScript /JS (app.alert(1)) >>"
    stream = zlib.compress(hidden)
    object_stream = (
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(stream)
        + stream
        + b"\nendstream"
    )
    data = pdf_by_hand(CATALOG, PAGES, PAGE, object_stream)
    assert b"JavaScript" not in data

    assert rejection("statement.pdf", data) is UploadErrorCode.PDF_ACTIVE_CONTENT


def test_a_harmless_compressed_object_stream_is_accepted():
    stream = zlib.compress(b"4 0 << /Type /Annot /Subtype /Link /Rect [0 0 1 1] >>")
    object_stream = (
        b"<< /Type /Obj#53tm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n"
        % len(stream)
        + stream
        + b"\nendstream"
    )

    upload = inspect_upload(name="ok.pdf", data=pdf_by_hand(CATALOG, PAGES, PAGE, object_stream))

    assert upload.content_type == "application/pdf"


def test_an_object_stream_that_inflates_without_end_is_refused():
    stream = zlib.compress(bytes(70 * 1024 * 1024), 9)
    object_stream = (
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(stream)
        + stream
        + b"\nendstream"
    )
    data = pdf_by_hand(CATALOG, PAGES, PAGE, object_stream)
    assert len(data) < 200_000

    assert rejection("bomb.pdf", data) is UploadErrorCode.PDF_DAMAGED


# --- CSV -----------------------------------------------------------------------------

HISTORY_ROWS = [
    ["日時", "種別", "通貨", "数量", "手数料", "TxID"],
    ["2024/05/01 10:12:03", "入金", "BTC", "0.0150", "0", "9f2c" * 16],
    ["2024/05/02 18:40:55", "出金", "ETH", "1.2", "0.005", "0x" + "ab" * 32],
    ["2024/05/03 09:00:00", "売買", "XRP", "1,000", "0.1", ""],
]


def history_csv(encoding: str, delimiter: str = ",") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(HISTORY_ROWS)
    return buffer.getvalue().encode(encoding)


@pytest.mark.parametrize(
    ("encoding", "charset"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8"), ("cp932", "shift_jis")],
)
def test_a_transaction_history_csv_is_stored_exactly_as_sent(encoding, charset):
    data = history_csv(encoding)

    upload = inspect_upload(name="取引履歴_202405.csv", data=data, declared_type="text/csv")

    assert upload.content_type == f"text/csv; charset={charset}"
    assert upload.name == "取引履歴_202405.csv"
    assert upload.data == data
    assert upload.sha256 == upload.original_sha256


def test_a_tab_separated_history_is_accepted_as_csv():
    upload = inspect_upload(name="history.txt", data=history_csv("utf-8", delimiter="\t"))

    assert upload.content_type == "text/csv; charset=utf-8"
    assert upload.name == "history.csv"


def test_a_csv_that_starts_like_a_binary_signature_is_still_a_csv():
    # "BM" opens a BMP and "MZ" an EXE; as text they are just the first two letters.
    for data in (b"BMI,height\n22.5,170\n", b"MZN,qty\n1,2\n"):
        assert inspect_upload(name="x.csv", data=data).content_type.startswith("text/csv")


def test_a_utf16_csv_from_excel_is_refused_with_a_hint_to_save_as_utf8():
    data = history_csv("utf-16")
    assert data.startswith(b"\xff\xfe")

    assert rejection("history.csv", data) is UploadErrorCode.CSV_ENCODING


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(history_csv("euc_jp"), id="euc-jp"),
        pytest.param("date,memo\n2024-05-01,café\n".encode("latin-1"), id="latin-1"),
    ],
)
def test_a_csv_in_neither_utf8_nor_shift_jis_is_refused_as_wrongly_encoded(data):
    assert rejection("history.csv", data) is UploadErrorCode.CSV_ENCODING


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"no delimiter here\nnor here\n", id="one-column"),
        pytest.param(b'a,b\n"unterminated,c\n', id="open-quote"),
        pytest.param(b'a,b\n"x"y,c\n', id="stray-quote"),
        pytest.param(b"a,b\n" + b"x" * 200_000 + b",y\n", id="field-over-128-kib"),
    ],
)
def test_text_that_is_not_a_table_is_refused_as_malformed_csv(data):
    assert rejection("history.csv", data) is UploadErrorCode.CSV_MALFORMED


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"date,amount\n2024-05-01,<script>alert(1)</script>\n", id="script-cell"),
        pytest.param(b'<?xml version="1.0"?><Workbook><Row/></Workbook>', id="xml-spreadsheet"),
        pytest.param(b"a,b\n1,\x07\x08\x1b[31m\n", id="control-characters"),
        pytest.param(random.Random(7).randbytes(5000), id="random-bytes"),
    ],
)
def test_markup_and_binary_data_named_csv_are_refused(data):
    assert rejection("history.csv", data) is UploadErrorCode.UNSUPPORTED_TYPE


def test_a_csv_of_blank_lines_is_refused_as_empty():
    assert rejection("history.csv", b"\r\n\r\n   \n") is UploadErrorCode.EMPTY


def test_a_csv_written_on_dos_with_an_end_of_file_mark_is_accepted():
    assert inspect_upload(name="old.csv", data=b"a,b\r\n1,2\r\n\x1a").size == 11


# --- Limits and names ----------------------------------------------------------------


def test_an_empty_file_is_refused_as_empty():
    assert rejection("screen.png", b"") is UploadErrorCode.EMPTY


def test_a_file_over_ten_megabytes_is_refused_by_default():
    with pytest.raises(UploadRejected) as caught:
        inspect_upload(name="big.csv", data=b"a,b\n" + b"1,2\n" * (10 * 1024 * 1024 // 4))

    assert caught.value.code is UploadErrorCode.TOO_LARGE
    assert "10 MB" in caught.value.message


def test_the_size_limit_comes_from_the_settings(settings):
    settings.MADOGUCHI_ATTACHMENT_MAX_BYTES = 1536 * 1024
    data = b"a,b\n" + b"1,2\n" * (1536 * 256)

    with pytest.raises(UploadRejected) as caught:
        inspect_upload(name="history.csv", data=data)

    assert caught.value.code is UploadErrorCode.TOO_LARGE
    with translation.override("ja"):
        assert "1.5 MB" in caught.value.message
    assert inspect_upload(name="history.csv", data=data[:-4]).size == 1536 * 1024


def test_ten_attachments_fit_in_one_message_and_eleven_do_not():
    check_count(0)
    check_count(10)

    with pytest.raises(UploadRejected) as caught:
        check_count(11)

    assert caught.value.code is UploadErrorCode.TOO_MANY
    with translation.override("en"):
        assert caught.value.message == "Attach at most 10 files to one message."
    with translation.override("ja"):
        assert caught.value.message == "1 件のメッセージに添付できるファイルは 10 個までです。"


def test_the_count_limit_comes_from_the_settings(settings):
    settings.MADOGUCHI_ATTACHMENTS_PER_MESSAGE = 1
    check_count(1)

    with pytest.raises(UploadRejected) as caught:
        check_count(2)

    with translation.override("en"):
        assert caught.value.message == "Attach at most 1 file to one message."


@pytest.mark.parametrize(
    ("sent", "extension", "stored"),
    [
        ("screenshot.png", "png", "screenshot.png"),
        ("入出金履歴 2024年5月.csv", "csv", "入出金履歴 2024年5月.csv"),
        ("C:\\Users\\tanaka\\Desktop\\残高.png", "png", "残高.png"),
        ("../../../etc/passwd", "csv", "passwd.csv"),
        ("/var/www/html/shell.php", "png", "shell.png"),
        ("invoice\u202egnp.exe", "png", "invoicegnp.png"),
        ("report\u2066\u2069\u200b\u200d\ufeff.pdf", "pdf", "report.pdf"),
        ("line\r\nbreak\x00\x1b[2J.png", "png", "linebreak[2J.png"),
        ('a<b>c:d"e|f?g*h;i%j#k.png', "png", "a_b_c_d_e_f_g_h_i_j_k.png"),
        ("photo.HEIC", "jpg", "photo.jpg"),
        ("invoice.pdf.exe", "pdf", "invoice.pdf"),
        ("statement.exe.pdf", "pdf", "statement.exe.pdf"),
        ("CON.png", "png", "_CON.png"),
        ("lpt1", "csv", "_lpt1.csv"),
        ("   ...  ", "png", "attachment.png"),
        ("", "pdf", "attachment.pdf"),
        (".png", "png", "attachment.png"),
        ("ｶﾞｲﾄﾞ　画面.png", "png", "ｶﾞｲﾄﾞ 画面.png"),
        (unicodedata.normalize("NFD", "ダウンロード.png"), "png", "ダウンロード.png"),
        ("\ud800broken.png", "png", "broken.png"),
    ],
)
def test_safe_name(sent, extension, stored):
    assert safe_name(sent, extension=extension) == stored


def test_a_long_japanese_name_is_shortened_within_the_byte_limit_and_keeps_its_type():
    name = safe_name("出金が反映されない件について" * 20 + ".png", extension="png")

    assert len(name.encode()) <= 150
    assert name.startswith("出金が反映されない件について")
    assert name.endswith(".png")


# --- Messages, evidence and logs -----------------------------------------------------


def test_every_refusal_has_a_japanese_message():
    for code in UploadErrorCode:
        rejected = UploadRejected(code, {"limit": 10})
        with translation.override("en"):
            english = rejected.message
        with translation.override("ja"):
            japanese = rejected.message
        assert japanese != english, code
        assert "%(" not in japanese and "%(" not in english


def test_an_unsupported_type_is_explained_in_japanese():
    with pytest.raises(UploadRejected) as caught:
        inspect_upload(name="setup.png", data=WINDOWS_EXE)

    with translation.override("ja"):
        assert caught.value.message == (
            "このファイル形式は添付できません（PNG、JPEG、WebP、HEIC、PDF、CSV のみ）"
        )


def test_both_fingerprints_are_kept_for_a_reencoded_image():
    data = encode(screenshot(), "JPEG", exif=gps_exif())

    upload = inspect_upload(name="photo.jpg", data=data)

    assert upload.original_sha256 == hashlib.sha256(data).hexdigest()
    assert upload.sha256 == hashlib.sha256(upload.data).hexdigest()
    assert upload.sha256 != upload.original_sha256
    assert upload.size == len(upload.data)
    with pytest.raises(dataclasses.FrozenInstanceError):
        upload.name = "other.jpg"  # type: ignore[misc]


def test_names_and_contents_never_reach_the_log(caplog):
    caplog.set_level(logging.DEBUG)
    secret_name = "田中花子_パスポート.png"
    secret = b"abandon ability able about above absent absorb abstract absurd abuse"

    with pytest.raises(UploadRejected):
        inspect_upload(name=secret_name, data=secret + b"\x00\x01")
    inspect_upload(name=secret_name, data=encode(screenshot(), "PNG"))
    with pytest.raises(UploadRejected):
        inspect_upload(name=secret_name, data=b"\x89PNG\r\n\x1a\n" + secret)

    logged = caplog.text
    assert "田中" not in logged and "abandon" not in logged
    assert all(record.levelno < logging.INFO for record in caplog.records)


# --- Nothing but UploadRejected ------------------------------------------------------


def seed_files() -> dict[str, bytes]:
    return {
        "png": encode(screenshot((48, 32)), "PNG", pnginfo=PngInfo(), exif=gps_exif()),
        "jpeg": encode(screenshot((48, 32)), "JPEG", exif=gps_exif(orientation=6)),
        "webp": encode(screenshot((48, 32)), "WEBP", lossless=True),
        "heic": heic(screenshot((64, 64))),
        "pdf": pillow_pdf(),
        "csv": history_csv("cp932"),
    }


# Pillow warns about the EXIF blocks the mutations break; the warnings carry no content.
@pytest.mark.filterwarnings("ignore::UserWarning:PIL")
@pytest.mark.parametrize("kind", ["png", "jpeg", "webp", "heic", "pdf", "csv"])
def test_mangled_files_give_an_upload_rejected_or_a_clean_upload_and_nothing_else(kind):
    original = seed_files()[kind]
    chance = random.Random(kind)
    for _ in range(150):
        data = bytearray(original)
        mutation = chance.choice(("truncate", "flip", "insert", "splice"))
        if mutation == "truncate":
            data = data[: chance.randrange(1, len(data))]
        elif mutation == "flip":
            for _ in range(chance.randrange(1, 8)):
                data[chance.randrange(len(data))] = chance.randrange(256)
        elif mutation == "insert":
            position = chance.randrange(len(data))
            data[position:position] = chance.randbytes(chance.randrange(1, 64))
        else:
            start = chance.randrange(len(data))
            data[start : start + 16] = bytes(16)
        try:
            upload = inspect_upload(name=f"fuzz.{kind}", data=bytes(data))
        except UploadRejected as rejected:
            assert rejected.message
        else:
            assert upload.size == len(upload.data) > 0
            if upload.content_type.startswith("image/"):
                reopened(upload)


def test_the_sample_files_of_the_fixtures_folder_are_checked_as_documented():
    expected = {
        "polyglot-gifar.jpg": UploadErrorCode.HIDDEN_CONTENT,
        "phishing-page.png": UploadErrorCode.UNSUPPORTED_TYPE,
        "svg-script.png": UploadErrorCode.UNSUPPORTED_TYPE,
        "zip-bomb.csv": UploadErrorCode.UNSUPPORTED_TYPE,
        "javascript.pdf": UploadErrorCode.PDF_ACTIVE_CONTENT,
    }
    for name, code in expected.items():
        assert rejection(name, (FIXTURES / name).read_bytes()) is code, name
