"""The figures' shared look: the classification schemes, the font and wrapped titles."""

SCHEMES = {
    "quantiles": "quantiles (about the same number of areas in each class)",
    "natural_breaks": "natural breaks (Fisher-Jenks: classes where the values cluster)",
    "equal_interval": "equal intervals (classes of the same width)",
}
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif", "size": 13}


def wrap(text: str, width: int) -> str:
    """``text`` broken into lines of at most ``width`` characters (plotly's ``<br>``)."""
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + len(w) + 1 > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "<br>".join(lines)
