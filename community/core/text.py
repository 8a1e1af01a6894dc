"""Safe text: Markdown (markdown-it-py, raw HTML off) → bleach allow-list → linkify with rel="nofollow ugc".

The one place user text becomes HTML. Call `render()` once, when the text is written, and store the result in a
`*_html` column; templates mark only `*_html` fields `|safe`.
"""

import html as htmlmod
import re
from functools import partial

import bleach
from bleach.linkifier import LinkifyFilter
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

# No h1/h2 (the page owns its headings: Markdown headings move down two levels) and no img (a remote image would
# tell a stranger's server who reads the page: Markdown images become links to the image).
ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h3", "h4", "h5", "h6", "hr", "i",
    "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
})
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "rel"],
    "abbr": ["title"],
    "ol": ["start"],
    "th": ["align"],
    "td": ["align"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)
HEADING_SHIFT = {"h1": "h3", "h2": "h4", "h3": "h5", "h4": "h6", "h5": "h6", "h6": "h6"}


def _heading(self, tokens, idx, options, env):
    tokens[idx].tag = HEADING_SHIFT[tokens[idx].tag]
    return self.renderToken(tokens, idx, options, env)


def _image_as_link(self, tokens, idx, options, env):
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env) or "image"
    return f'<a href="{escapeHtml(token.attrGet("src") or "")}">{escapeHtml(alt)}</a>'


MENTION = re.compile(r"@([A-Za-z0-9_]{3,30})\b")


def _mention(state, silent):
    """`@username` (not inside code, not part of an address like ana@example.com) → a link to the profile."""
    start = state.pos
    if state.src[start] != "@" or (start > 0 and (state.src[start - 1].isalnum() or state.src[start - 1] in "_.@")):
        return False
    match = MENTION.match(state.src, start)
    if match is None:
        return False
    if not silent:
        state.push("mention", "", 0).meta = {"name": match.group(1)}
    state.pos = match.end()
    return True


def _render_mention(self, tokens, idx, options, env):
    name = tokens[idx].meta["name"]
    return f'<a href="/u/{name.lower()}">@{name}</a>'


_markdown.inline.ruler.before("emphasis", "mention", _mention)
_markdown.add_render_rule("mention", _render_mention)
_markdown.add_render_rule("heading_open", _heading)
_markdown.add_render_rule("heading_close", _heading)
_markdown.add_render_rule("image", _image_as_link)


def _nofollow_ugc(attrs, new=False):
    href_key = (None, "href")
    if href_key in attrs:
        attrs[(None, "rel")] = "nofollow ugc"
    return attrs


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[partial(LinkifyFilter, callbacks=[_nofollow_ugc], skip_tags={"pre", "code"}, parse_email=False)],
)


def render(markdown: str | None) -> str:
    """Markdown source → sanitized HTML, safe to mark `|safe`."""
    if not markdown:
        return ""
    return _cleaner.clean(_markdown.render(markdown)).strip()


def mentions(markdown: str | None) -> list[str]:
    """The usernames a text mentions (lower-cased, in order, once each); mentions inside code don't count."""
    names = []
    for block in _markdown.parse(markdown or ""):
        for token in block.children or ():
            if token.type == "mention" and token.meta["name"].lower() not in names:
                names.append(token.meta["name"].lower())
    return names


_TAG = re.compile(r"""<(/?)([a-zA-Z0-9]*)(?:[^>"']|"[^"]*"|'[^']*')*>""")
_BLOCKS = frozenset(["p", "li", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "div", "blockquote", "pre", "ul", "ol",
                     "table", "tr", "td", "th"])


def _between(tag: re.Match) -> str:
    return " " if tag.group(2).lower() in _BLOCKS else ""  # blocks part words; inline tags (a, strong) don't


def plain(html: str | None) -> str:
    """The words of HTML this module rendered (cleaned, well-formed, attributes quoted), without tags: what the
    search index reads and snippets show. A block's tags become a space, so "<p>a</p><p>b</p>" stays two words. (bleach
    would parse it again: 25x slower, for HTML that is clean already; the result is escaped wherever it is shown.)"""
    return " ".join(htmlmod.unescape(_TAG.sub(_between, html or "")).split())
