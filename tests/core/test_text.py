"""core/text.py: Markdown → bleach allow-list → linkify, once, at write time."""

from html.parser import HTMLParser
from pathlib import Path

import pytest

from community.core import text

PAYLOADS = [line for line in (Path(__file__).parents[1] / "data" / "xss-payloads.txt").read_text().splitlines()
            if line.strip()]
ALLOWED = text.ALLOWED_TAGS


class Inspector(HTMLParser):
    """Collects every tag and attribute of the rendered HTML."""

    def __init__(self):
        super().__init__()
        self.tags, self.attributes = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend((tag, name, value or "") for name, value in attrs)


def inspect(html):
    parser = Inspector()
    parser.feed(html)
    return parser


def test_corpus_is_the_shared_one():
    assert len(PAYLOADS) == 35


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_leaves_no_executable_html(payload):
    found = inspect(text.render(payload))
    assert set(found.tags) <= ALLOWED
    for tag, name, value in found.attributes:
        assert not name.startswith("on"), (tag, name)
        assert name in text.ALLOWED_ATTRIBUTES.get(tag, []), (tag, name)
        if name in ("href", "src"):
            assert value.split(":", 1)[0].strip().lower() in ("http", "https", "mailto") or ":" not in value


def test_markdown_becomes_html():
    html = text.render("**bold** and *soft*\n\n- one\n- two\n\n`<b>`")
    assert "<strong>bold</strong>" in html and "<em>soft</em>" in html
    assert "<li>one</li>" in html and "<code>&lt;b&gt;</code>" in html


def test_raw_html_is_shown_as_text_not_markup():
    assert text.render("<b>hi</b>") == "<p>&lt;b&gt;hi&lt;/b&gt;</p>"


def test_links_and_bare_urls_get_nofollow_ugc():
    html = text.render("[docs](https://example.com/a) and https://example.org/b")
    assert html.count('rel="nofollow ugc"') == 2
    assert 'href="https://example.org/b"' in html


def test_javascript_links_lose_their_href():
    assert "<a" not in text.render("[x](javascript:alert(1))")
    assert "<a" not in text.render("[x](JaVaScRiPt:alert(1))")
    assert "<a" not in text.render('<a href="javascript:alert(1)">x</a>')


def test_code_blocks_are_not_linkified():
    assert "<a " not in text.render("```\nhttps://example.com\n```")


def test_empty_input_renders_empty():
    assert text.render("") == "" and text.render(None) == ""


def test_headings_move_down_so_the_page_keeps_its_own_h1():
    assert text.render("# Big\n\n## Smaller") == "<h3>Big</h3>\n<h4>Smaller</h4>"


def test_images_become_links_so_no_stranger_learns_who_reads_the_page():
    html = text.render("![a cat](https://tracker.example/p.png)")
    assert "<img" not in html
    assert html == '<p><a href="https://tracker.example/p.png" rel="nofollow ugc">a cat</a></p>'


def test_plain_gives_the_words_a_full_html_parser_gives_for_every_payload():
    """`plain` strips tags with a pattern (the index reads every post through it); on our own cleaned HTML it must
    agree with bleach's parser, payloads included."""
    import html

    import bleach

    from community.core.text import plain, render

    samples = [*PAYLOADS, "**bold** and `<code>` and [a link](https://x.example 'a > b')", "1. one\n2. two\n\n> quote"]
    for markdown in samples:
        rendered = render(markdown)
        parsed = " ".join(html.unescape(bleach.clean(rendered, tags=set(), strip=True)).split())
        assert plain(rendered) == parsed, markdown
