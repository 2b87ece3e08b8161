"""HTML mail made into readable, safe plain text.

Block elements become line breaks, links are kept as "text (url)", scripts, styles and the
head are dropped; the result holds no markup, so it is safe to show as text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt"),
        *("fieldset", "figcaption", "figure", "footer", "form", "header", "hr", "main", "nav"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "ol", "p", "pre", "section", "table", "tbody"),
        *("thead", "tfoot", "tr", "ul"),
    }
)
_DROPPED = frozenset({"script", "style", "head", "title", "template", "noscript", "object"})
_LINK_SCHEMES = ("http://", "https://", "mailto:")


class _TextMaker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.dropping = 0
        self.pre = 0
        self.links: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            self.dropping += 1
            return
        if tag == "pre":
            self.pre += 1
        if tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag in _BLOCKS:
            self.parts.append("\n")
        if tag == "a":
            href = dict(attrs).get("href") or ""
            self.links.append((href.strip(), len(self.parts)))
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt and not self.dropping:
                self.parts.append(f"[{alt}]")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            return
        self.handle_starttag(tag, attrs)
        if tag in _DROPPED:
            self.dropping -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self.dropping = max(0, self.dropping - 1)
            return
        if tag == "pre":
            self.pre = max(0, self.pre - 1)
        if tag == "a" and self.links:
            href, start = self.links.pop()
            text = "".join(self.parts[start:]).strip()
            shown = href[7:] if href.lower().startswith("mailto:") else href
            if href.lower().startswith(_LINK_SCHEMES) and shown not in text:
                self.parts.append(f" ({shown})")
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.dropping:
            return
        if not self.pre:
            data = re.sub(r"\s+", " ", data)
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """Readable text of an HTML document; never raises."""
    maker = _TextMaker()
    try:
        maker.feed(html)
        maker.close()
    except Exception:  # broken HTML must still give its text
        return re.sub(r"<[^>]*>", " ", html).strip()
    text = "".join(maker.parts).replace("\xa0", " ")
    lines = [line.strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
