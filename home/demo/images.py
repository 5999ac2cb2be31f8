"""Pictures for the demo, drawn with Pillow: landscapes for stories and events, shields for
coats of arms. Deterministic (seeded by name), so every run draws the same picture."""

import hashlib
import io
import random

from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

from django.core.files.images import ImageFile

from wagtail.images import get_image_model

PALETTES = [
    ((186, 214, 235), (58, 110, 70), (35, 80, 120), (230, 190, 90)),
    ((245, 214, 180), (90, 120, 60), (40, 90, 140), (200, 90, 60)),
    ((200, 225, 240), (40, 90, 80), (20, 60, 110), (250, 230, 150)),
    ((225, 215, 240), (70, 100, 90), (60, 70, 130), (240, 160, 80)),
]
TINCTURES = [(0, 82, 147), (200, 16, 46), (0, 122, 61), (254, 203, 0), (255, 255, 255)]


def _rng(name: str) -> random.Random:
    # Not for security: a stable seed so the same name always draws the same picture.
    return random.Random(int(hashlib.sha256(name.encode()).hexdigest()[:12], 16))  # noqa: S311


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def draw_landscape(name: str, width: int = 1600, height: int = 1000) -> bytes:
    """Sky, hills and a lake (small-town Sweden, roughly), with a sun."""
    rng = _rng(name)
    sky, hill, lake, sun = rng.choice(PALETTES)
    img = PILImage.new("RGB", (width, height), sky)
    draw = ImageDraw.Draw(img)
    for y in range(height // 2):  # sky gradient
        t = y / (height / 2)
        colour = tuple(int(c * (1 - 0.25 * t) + 255 * 0.25 * t) for c in sky)
        draw.line([(0, y), (width, y)], fill=colour)
    sx, sy = rng.randint(width // 8, width - width // 8), rng.randint(height // 8, height // 3)
    r = rng.randint(height // 16, height // 9)
    draw.ellipse([sx - r, sy - r, sx + r, sy + r], fill=sun)
    for layer in range(3):
        base = int(height * (0.45 + 0.08 * layer))
        shade = tuple(max(0, c - 25 * layer) for c in hill)
        points = [(0, height)]
        for x in range(0, width + 100, 100):
            points.append((x, base - rng.randint(0, 140 - 30 * layer)))
        points.append((width, height))
        draw.polygon(points, fill=shade)
    draw.rectangle([0, int(height * 0.72), width, height], fill=lake)
    for _ in range(40):  # reflections
        x, y = rng.randint(0, width), rng.randint(int(height * 0.74), height - 10)
        draw.line(
            [(x, y), (x + rng.randint(20, 90), y)], fill=tuple(min(255, c + 40) for c in lake)
        )
    for _ in range(rng.randint(4, 9)):  # red cottages
        x = rng.randint(width // 30, width - width // 10 - 70)
        y = int(height * 0.66) + rng.randint(-20, 20)
        draw.rectangle([x, y, x + 70, y + 45], fill=(150, 30, 30))
        draw.polygon([(x - 8, y), (x + 35, y - 30), (x + 78, y)], fill=(60, 40, 40))
        draw.rectangle([x + 28, y + 20, x + 42, y + 45], fill=(245, 240, 230))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=82)
    return out.getvalue()


def draw_shield(name: str, size: int = 256) -> bytes:
    """A simple heraldic shield with the municipality's initial (not the real arms)."""
    rng = _rng(name)
    field, charge = rng.sample(TINCTURES, 2)
    img = PILImage.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    w, h = size * 0.8, size * 0.9
    x0, y0 = (size - w) / 2, (size - h) / 2
    shield = [
        (x0, y0),
        (x0 + w, y0),
        (x0 + w, y0 + h * 0.55),
        (size / 2, y0 + h),
        (x0, y0 + h * 0.55),
    ]
    draw.polygon(shield, fill=field, outline=(40, 40, 40))
    letter = name[0].upper()
    font = _font(int(size * 0.45))
    box = draw.textbbox((0, 0), letter, font=font)
    draw.text(((size - (box[2] - box[0])) / 2, y0 + h * 0.18), letter, fill=charge, font=font)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def get_or_create_image(title: str, drawer, filename: str, description: str = ""):
    """The image with this title, drawn and saved the first time."""
    Image = get_image_model()
    image = Image.objects.filter(title=title).first()
    if image is None:
        image = Image(title=title, description=description)
        image.file = ImageFile(io.BytesIO(drawer(title)), name=filename)
        image.save()
    return image
