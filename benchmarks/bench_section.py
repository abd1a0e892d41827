"""Shared by the benchmark scripts: replace one "## Heading" section of BENCHMARKS.md (up to the next ## or ###
heading, so hand-written ### subsections after a generated table survive), or insert it before another section."""
import re


def replace_section(heading: str, section: str, before: str | None = None, path: str = "BENCHMARKS.md") -> None:
    text = open(path).read()
    pattern = re.compile(r"## " + re.escape(heading) + r"\n.*?(?=\n### |\n## |\Z)", re.S)
    body = section.rstrip("\n") + "\n"
    if pattern.search(text):
        text = pattern.sub(lambda _: body, text, count=1)
    elif before is not None and "\n## " + before in text:
        text = text.replace("\n## " + before, "\n" + body + "\n## " + before, 1)
    else:
        text = text.rstrip("\n") + "\n\n" + body
    open(path, "w").write(text)
