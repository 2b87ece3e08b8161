"""Markdown from editors becomes HTML that cannot run script, leak visitors or frame other sites."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings

from madoguchi.safety.markdown import markdown_to_text, render_markdown, video_for


def test_ordinary_markdown_keeps_its_structure() -> None:
    html = render_markdown("## Steps\n\n1. Open **Wallet**\n2. Press *Withdraw*\n\n~~old~~")
    assert "<h2>Steps</h2>" in html
    assert "<ol>" in html and "<li>Open <strong>Wallet</strong></li>" in html
    assert "<em>Withdraw</em>" in html
    assert "<s>old</s>" in html


def test_tables_are_rendered_with_their_alignment() -> None:
    html = render_markdown("| coin | fee |\n|:--|--:|\n| BTC | 0.0005 |")
    assert "<table>" in html
    assert '<td style="text-align:right">0.0005</td>' in html


def test_raw_script_tags_are_shown_as_text_not_run() -> None:
    html = render_markdown("Hello <script>alert(1)</script>\n\n<script>\nalert(2)\n</script>")
    assert "<script" not in html
    assert "&lt;script&gt;" in html


def test_event_handler_attributes_never_survive() -> None:
    html = render_markdown('<img src=x onerror="alert(1)">\n\n<a href="#" onclick="x()">q</a>')
    # The attributes may remain as visible, escaped text, never inside a real tag.
    assert not re.search(r"<[a-z][^>]*\son\w+\s*=", html)
    assert "<img" not in html
    assert "<a " not in html


@pytest.mark.parametrize(
    "link",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](java\tscript:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[click](vbscript:msgbox(1))",
        "<javascript:alert(1)>",
    ],
)
def test_dangerous_link_schemes_are_not_links(link: str) -> None:
    html = render_markdown(link)
    for anchor in re.findall(r"<a [^>]*>", html):
        assert "script:" not in anchor.lower()
        assert "data:" not in anchor.lower()


def test_links_do_not_pass_on_ranking_or_the_opener() -> None:
    html = render_markdown(
        "[our fees](https://tsukimi.example/fees) or [mail](mailto:help@tsukimi.example)"
    )
    assert 'href="https://tsukimi.example/fees" rel="nofollow noopener noreferrer"' in html
    assert 'href="mailto:help@tsukimi.example"' in html


@pytest.mark.parametrize(
    ("markdown", "kept"),
    [
        ("![screen](/media/helpcenter/images/abc.png)", True),
        ("![screen](https://cdn.tsukimi.example/abc.png)", True),
        ("![screen](http://cdn.tsukimi.example/abc.png)", False),
        ("![screen](data:image/png;base64,iVBORw0KGgo=)", False),
        ("![screen](//evil.example/abc.png)", False),
        ("![screen](/admin/logout/)", False),
    ],
)
def test_images_come_only_from_our_uploads_or_https(markdown: str, kept: bool) -> None:
    html = render_markdown(markdown)
    assert ("src=" in html) is kept


def test_a_lone_youtube_url_becomes_a_sandboxed_privacy_player() -> None:
    html = render_markdown("Watch this:\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n")
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in html
    assert 'sandbox="allow-scripts allow-same-origin allow-presentation"' in html
    assert "allow-top-navigation" not in html


def test_a_video_image_from_vimeo_becomes_a_player() -> None:
    html = render_markdown("![video](https://vimeo.com/76979871)")
    assert 'src="https://player.vimeo.com/video/76979871"' in html


def test_a_video_from_another_host_stays_a_plain_link() -> None:
    html = render_markdown("![video](https://videos.evil.example/v.mp4)\n\nhttps://evil.example/x")
    assert "<iframe" not in html
    assert '<a href="https://videos.evil.example/v.mp4"' in html
    assert '<a href="https://evil.example/x"' in html


def test_video_hosts_follow_the_setting() -> None:
    with override_settings(MADOGUCHI_VIDEO_HOSTS=["vimeo.com"]):
        html = render_markdown("https://youtu.be/dQw4w9WgXcQ")
    assert "<iframe" not in html
    assert '<a href="https://youtu.be/dQw4w9WgXcQ"' in html


def test_raw_iframes_from_anywhere_are_removed() -> None:
    html = render_markdown(
        '<iframe src="https://evil.example/"></iframe>\n\n'
        '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"></iframe>'
    )
    assert "<iframe" not in html


def test_a_youtube_lookalike_host_is_not_embedded() -> None:
    assert video_for("https://www.youtube.com.evil.example/watch?v=dQw4w9WgXcQ") is None
    assert video_for("https://user@www.youtube.com/watch?v=dQw4w9WgXcQ") is None
    assert video_for("javascript:alert(1)//youtu.be/dQw4w9WgXcQ") is None


def test_a_video_id_with_markup_is_refused() -> None:
    assert video_for('https://youtu.be/abc"><script>') is None


def test_plain_text_drops_markup_but_keeps_the_words() -> None:
    text = markdown_to_text(
        "## 出金の手順\n\n1. **ウォレット**を開く\n2. [出金](https://x.example)を押す"
    )
    assert "出金の手順" in text
    assert "ウォレットを開く" in text
    assert "**" not in text and "](" not in text and "##" not in text


def test_empty_and_odd_input_render_without_error() -> None:
    assert render_markdown("") == ""
    assert "\x00" not in render_markdown("a\x00b")
    assert render_markdown("\ud800 lone surrogate") is not None
