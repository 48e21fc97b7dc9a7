"""Extracting articles: what the sanitiser keeps of a page's HTML."""

from reader.capture.extract import sanitise


def test_sanitise_removes_scripts_handlers_styles_and_unsafe_links():
    html = (
        '<p onclick="steal()" style="color:red" class="x">Hello <a href="/rel">rel</a> '
        '<a href="ftp://x.org/f">ftp</a> <a href="mailto:a@b.c">mail</a> '
        '<a href="javascript:alert(1)">js</a></p><script>alert(1)</script>'
        '<img src="data:image/png;base64,AAAA" onerror="x()"><form><input name="q"></form>'
    )
    clean = sanitise(html, "https://example.org/dir/page")
    assert clean.startswith(
        '<p>Hello <a href="https://example.org/rel">rel</a> <a>ftp</a> '
        '<a href="mailto:a@b.c">mail</a> <a'
    )
    assert clean.endswith(">js</a></p><img>")
    for unsafe in ["javascript", "alert", "onclick", "onerror", "style", "class", "data:",
                   "<script", "<form", "<input"]:
        assert unsafe not in clean, unsafe
