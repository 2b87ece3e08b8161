"""Markdown written by people (editors now, forum members later) as HTML that is safe to show.

Two locks, either of which alone would stop script injection: markdown-it-py parses with raw
HTML switched off, so `<script>` arrives as text; then nh3 (ammonia) keeps only an explicit
allowlist of tags, attributes and URL schemes. Videos are the one kind of embedded frame, and
only from the hosts in `settings.MADOGUCHI_VIDEO_HOSTS`, rewritten to the provider's player URL.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qs, urlsplit

import nh3
from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

LINK_REL = "nofollow noopener noreferrer"
URL_SCHEMES = frozenset({"http", "https", "mailto"})

_TAGS = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "s", "del",
        "code", "pre", "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody",
        "tr", "th", "td", "div", "iframe",
    }
)  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
    "code": {"class"},
    "div": {"class"},
    "iframe": {"src", "title", "allowfullscreen"},
}
# Set on every frame whatever the input said: scripts may run inside the player, but it
# cannot navigate the help page, open pop-ups or submit forms to it.
_IFRAME_FIXED = {
    "sandbox": "allow-scripts allow-same-origin allow-presentation",
    "allow": "fullscreen; picture-in-picture",
    "loading": "lazy",
    "referrerpolicy": "strict-origin-when-cross-origin",
    "width": "560",
    "height": "315",
}
_CODE_CLASS = re.compile(r"^language-[A-Za-z0-9_+-]{1,30}$")
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")
_VIMEO_ID = re.compile(r"^[0-9]{1,12}$")
_BARE_URL = re.compile(r"^https?://\S+$")
_EMBED_SRC = re.compile(
    r"^https://(www\.youtube-nocookie\.com/embed/[A-Za-z0-9_-]{6,20}"
    r"|player\.vimeo\.com/video/[0-9]{1,12})$"
)

_YOUTUBE_HOSTS = frozenset(
    {"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be", "www.youtube-nocookie.com"}
)
_VIMEO_HOSTS = frozenset({"vimeo.com", "www.vimeo.com", "player.vimeo.com"})


@dataclass(frozen=True, slots=True)
class Video:
    """A video the page may embed: the provider's player URL, never the URL as written."""

    embed_url: str
    source_url: str


def video_for(url: str, *, allowed_hosts: Sequence[str] | None = None) -> Video | None:
    """The embeddable player for a YouTube or Vimeo URL on an allowed host, else None."""
    hosts = {
        h.lower()
        for h in (settings.MADOGUCHI_VIDEO_HOSTS if allowed_hosts is None else allowed_hosts)
    }
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme not in {"http", "https"} or host not in hosts or parts.username:
        return None
    segments = [s for s in parts.path.split("/") if s]
    if host in _YOUTUBE_HOSTS:
        video_id = ""
        if host == "youtu.be" and segments:
            video_id = segments[0]
        elif segments[:1] == ["watch"]:
            video_id = (parse_qs(parts.query).get("v") or [""])[0]
        elif len(segments) >= 2 and segments[0] in {"embed", "shorts", "live", "v"}:
            video_id = segments[1]
        if _YOUTUBE_ID.match(video_id):
            return Video(f"https://www.youtube-nocookie.com/embed/{video_id}", url)
        return None
    if host in _VIMEO_HOSTS:
        candidate = segments[-1] if segments else ""
        if _VIMEO_ID.match(candidate):
            return Video(f"https://player.vimeo.com/video/{candidate}", url)
    return None


def _attribute_filter(media_url: str, element: str, attribute: str, value: str) -> str | None:
    if element == "img" and attribute == "src":
        # Our own uploads, or any https image; never data:, javascript: or plain http.
        if value.startswith(media_url) and not value.startswith("//"):
            return value
        return value if value.lower().startswith("https://") else None
    if element == "iframe" and attribute == "src":
        return value if _EMBED_SRC.match(value) else None
    if element == "code" and attribute == "class":
        return value if _CODE_CLASS.match(value) else None
    if element == "div" and attribute == "class":
        return value if value == "video-embed" else None
    if attribute == "style":
        return value if re.fullmatch(r"text-align:\s*(left|right|center)", value) else None
    return value


@lru_cache(maxsize=8)
def _cleaner(media_url: str) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(_TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(attrs) for tag, attrs in _ATTRIBUTES.items()},
        attribute_filter=lambda element, attribute, value: _attribute_filter(
            media_url, element, attribute, value
        ),
        link_rel=LINK_REL,
        url_schemes=set(URL_SCHEMES),
        set_tag_attribute_values={"iframe": dict(_IFRAME_FIXED), "img": {"loading": "lazy"}},
        strip_comments=True,
    )


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.add_render_rule("video_embed", _render_video)
    md.core.ruler.push("madoguchi_media", _media_rule)
    return md


def _render_video(
    self: object, tokens: Sequence[Token], idx: int, options: object, env: object
) -> str:
    token = tokens[idx]
    frame = (
        f'<iframe src="{escape(token.attrGet("src") or "")}" '
        f'title="{escape(token.content)}" allowfullscreen></iframe>'
    )
    # A block of its own gets a wrapper for sizing; inside a paragraph a <div> would split it.
    return f'<div class="video-embed">{frame}</div>\n' if token.block else frame


def _lone_url(inline: Token) -> str | None:
    """The URL when a paragraph is nothing but one URL, bare or in angle brackets."""
    children = inline.children or []
    if len(children) == 1 and children[0].type == "text" and _BARE_URL.match(inline.content):
        return inline.content
    if (
        len(children) == 3
        and children[0].type == "link_open"
        and children[0].markup == "autolink"
        and children[2].type == "link_close"
    ):
        href = str(children[0].attrGet("href") or "")
        return href if _BARE_URL.match(href) else None
    return None


def _media_rule(state: StateCore) -> None:
    """A paragraph holding only a video URL, or `![video](url)`, becomes a player.

    Any other lone URL becomes a plain link, and an image whose alt is "video" but whose
    host is not allowed becomes a link to it, so an author sees what happened.
    """
    tokens = state.tokens
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if (
            token.type == "paragraph_open"
            and i + 2 < len(tokens)
            and tokens[i + 1].type == "inline"
            and tokens[i + 2].type == "paragraph_close"
        ):
            inline = tokens[i + 1]
            url = _lone_url(inline)
            video = video_for(url) if url else None
            if video is not None:
                out.append(_video_token(video, title=url or "", block=True))
                i += 3
                continue
            if url is not None and (inline.children or [])[0].type == "text":
                inline.children = _link_tokens(url, url)
        if token.type == "inline" and token.children:
            token.children = _video_images(token.children)
        out.append(token)
        i += 1
    state.tokens = out


def _video_token(video: Video, *, title: str, block: bool) -> Token:
    token = Token("video_embed", "iframe", 0)
    token.block = block
    token.attrSet("src", video.embed_url)
    token.content = title or video.source_url
    return token


def _link_tokens(href: str, text: str) -> list[Token]:
    link_open = Token("link_open", "a", 1)
    link_open.attrSet("href", href)
    label = Token("text", "", 0)
    label.content = text
    return [link_open, label, Token("link_close", "a", -1)]


def _video_images(children: list[Token]) -> list[Token]:
    result: list[Token] = []
    for child in children:
        if child.type == "image" and child.content.strip().lower() == "video":
            src = str(child.attrGet("src") or "")
            video = video_for(src)
            if video is not None:
                result.append(_video_token(video, title=src, block=False))
            else:
                result.extend(_link_tokens(src, src))
            continue
        result.append(child)
    return result


@lru_cache(maxsize=1)
def _shared_parser() -> MarkdownIt:
    return _parser()


_SURROGATES = re.compile("[\ud800-\udfff]")


def _readable(source: str) -> str:
    # A lone surrogate (from a broken paste or a JSON "\ud800") cannot be encoded as UTF-8.
    return _SURROGATES.sub("\ufffd", source or "")


def render_markdown(source: str) -> SafeString:
    """Markdown to sanitized HTML, ready for a template without further escaping."""
    html = _shared_parser().render(_readable(source))
    return mark_safe(_cleaner(settings.MEDIA_URL).clean(html))  # noqa: S308 - nh3 just cleaned it


# Line starts that are only markup: headings, quotes, list markers, fences, table rules.
_BLOCK_MARKUP = re.compile(
    r"^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d{1,9}[.)][ \t]+|(?:`{3,}|~{3,}).*$"
    r"|\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$)",
    re.MULTILINE,
)
_LINK_OR_IMAGE = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")
# Emphasis and code marks vanish without a gap, so that 「**出金**を」 stays one run of text.
_INLINE_MARKUP = re.compile(r"[*~`]+|<(?=https?:)|(?<=\S)>")


def markdown_to_text(source: str) -> str:
    """The words of a Markdown text without its markup, for the search index and summaries.

    Pattern-based rather than a full parse: indexing calls this for every article of a
    bulk import, where parsing with markdown-it costs several times more, and the analyzer
    only needs the words (links keep their text, images their alt text).
    """
    text = _BLOCK_MARKUP.sub("", _readable(source))
    text = _LINK_OR_IMAGE.sub(r"\1", text)
    text = _INLINE_MARKUP.sub("", text).replace("|", " ")
    return re.sub(r"[ \t]+", " ", text).strip()
