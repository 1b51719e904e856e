"""The figures' shared look: the classification schemes and the font."""

SCHEMES = {
    "quantiles": "quantiles (about the same number of areas in each class)",
    "natural_breaks": "natural breaks (Fisher-Jenks: classes where the values cluster)",
    "equal_interval": "equal intervals (classes of the same width)",
}
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif", "size": 13}
