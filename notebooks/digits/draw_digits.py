"""Draw the handful of non-MNIST digits notebook 08 classifies (run once; PNGs committed).

Each digit is a few pen strokes drawn with PIL on its own canvas: different pen widths,
canvas sizes, positions, and both dark-on-light (like paper) and light-on-dark.

    python notebooks/digits/draw_digits.py
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

HERE = Path(__file__).resolve().parent

# name: (canvas size, pen width, dark on light?, strokes as point lists in a 0-100 box)
DIGITS = {
    "two_thin_pen": (
        (120, 160),
        5,
        True,
        [[(20, 30), (40, 12), (70, 12), (85, 30), (80, 50), (20, 95), (88, 95)]],
    ),
    "three_marker": (
        (200, 200),
        18,
        True,
        [[(25, 15), (70, 15), (50, 45), (75, 60), (70, 88), (45, 95), (22, 85)]],
    ),
    "four_chalk": (
        (150, 150),
        9,
        False,
        [[(60, 10), (20, 65), (85, 65)], [(62, 35), (62, 95)]],
    ),
    "five_small": (
        (64, 64),
        4,
        True,
        [[(80, 12), (30, 12), (26, 45), (60, 42), (78, 62), (65, 88), (25, 85)]],
    ),
    "seven_wide": (
        (240, 120),
        10,
        True,
        [[(15, 15), (85, 15), (45, 95)], [(35, 55), (70, 55)]],
    ),
    "eight_pencil": (
        (100, 140),
        6,
        True,
        [
            [
                (50, 50),
                (25, 30),
                (50, 10),
                (75, 30),
                (50, 50),
                (20, 72),
                (50, 95),
                (80, 72),
                (50, 50),
            ]
        ],
    ),
    "nine_off_centre": (
        (220, 180),
        12,
        False,
        [[(80, 30), (60, 12), (40, 20), (38, 40), (60, 48), (80, 30), (78, 95)]],
    ),
}


def draw(size, pen, dark_on_light, strokes):
    paper, ink = (235, 25) if dark_on_light else (10, 240)
    image = Image.new("L", size, paper)
    pen_draw = ImageDraw.Draw(image)
    width, height = size
    box = min(width, height) * 0.8  # digits fill most of the shorter side
    left, top = (width - box) / 2, (height - box) / 2
    for stroke in strokes:
        points = [(left + x * box / 100, top + y * box / 100) for x, y in stroke]
        pen_draw.line(points, fill=ink, width=pen, joint="curve")
    return image.filter(ImageFilter.GaussianBlur(1))  # softer edges, like a photo


if __name__ == "__main__":
    for name, (size, pen, dark_on_light, strokes) in DIGITS.items():
        draw(size, pen, dark_on_light, strokes).save(
            HERE / f"{name}.png", optimize=True
        )
    print(f"wrote {len(DIGITS)} PNGs to {HERE.name}/")
