#!/usr/bin/env python3
"""Regenerates every image of the example listings in examples/.

Needs Pillow and qrcode (PyPI). They are not project dependencies: use a
throwaway virtual environment, e.g.

    python3 -m venv /tmp/bylaw-img && /tmp/bylaw-img/bin/pip install pillow qrcode
    /tmp/bylaw-img/bin/python examples/make_images.py

The good examples get a 128×128 logo and company logo (a few KB each) and
preview images at the exact sizes of the newest Tencent Meeting norms
(desktop 1920×1080, mobile 750×1628; `bylaw rules show
meeting-search/fields.preview`). The previews are wireframes of a UI drawn
with a handful of flat colours, so each PNG stays far under the byte limits
(and under the older 512 KB / 200 KB design-norm figures too). Every preview
of a listing has a different layout, and the script checks that their
difference hashes are far apart, so `bylaw review`'s duplicate-screenshot
check (meeting-compliance/1.10) does not fire on them.

examples/meeting-bad gets the classic mistakes on purpose: a QR code as the
app logo, a company logo of about 25 KB, and the same screenshot uploaded
twice.

The output is deterministic for a given Pillow version (fixed random seed).
"""

import io
import math
import random
import sys
from pathlib import Path

from PIL import Image, ImageDraw

try:
    import qrcode
except ImportError:  # pragma: no cover
    sys.exit("make_images.py needs the qrcode package: pip install pillow qrcode")

ROOT = Path(__file__).resolve().parent
DESKTOP = (1920, 1080)
MOBILE = (750, 1628)

WHITE = (255, 255, 255)
PAGE = (245, 246, 248)
LINE = (222, 225, 230)
TEXT = (200, 204, 212)
DARK = (31, 35, 41)
TILE = (58, 63, 72)
MUTED = (120, 126, 138)


def hexrgb(h):
    h = h.lstrip("#")
    return tuple(int(h[i : i + 2], 16) for i in (0, 2, 4))


def tint(c, k):
    """Mixes colour c with white (k = 0: c, k = 1: white)."""
    return tuple(round(x + (255 - x) * k) for x in c)


def save_png(img, path, colours=16):
    """Saves as an optimised palette PNG with at most `colours` colours."""
    path.parent.mkdir(parents=True, exist_ok=True)
    img = img.convert("RGB").quantize(colors=colours, method=Image.Quantize.MEDIANCUT,
                                       dither=Image.Dither.NONE)
    img.save(path, optimize=True)
    return path


def bars(d, x, y, w, n, gap=34, h=14, colour=TEXT, seed=0):
    """Grey bars standing for lines of text."""
    r = random.Random(seed)
    for i in range(n):
        lw = int(w * (0.55 + 0.45 * r.random())) if i < n - 1 else int(w * 0.4)
        d.rounded_rectangle([x, y + i * gap, x + lw, y + i * gap + h], radius=h // 2, fill=colour)


def avatar(d, cx, cy, r, colour):
    d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=colour)


# ── desktop screens ──────────────────────────────────────────────────────────


def desk_meeting_panel(accent, panel):
    """The Meeting window: video tiles on the left, the app's panel on the right."""
    img = Image.new("RGB", DESKTOP, DARK)
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, 1920, 56], fill=(24, 27, 32))
    for i, c in enumerate([(255, 95, 86), (255, 189, 46), (39, 201, 63)]):
        avatar(d, 30 + i * 26, 28, 8, c)
    tiles = [(40, 90), (740, 90), (40, 500), (740, 500)]
    colours = [(90, 120, 160), (160, 110, 90), (100, 150, 120), (140, 110, 160)]
    for (x, y), c in zip(tiles, colours):
        d.rounded_rectangle([x, y, x + 680, y + 390], radius=12, fill=TILE)
        avatar(d, x + 340, y + 180, 70, c)
        d.rounded_rectangle([x + 16, y + 350, x + 150, y + 374], radius=6, fill=(40, 44, 52))
    d.rectangle([0, 960, 1440, 1080], fill=(24, 27, 32))
    for i in range(7):
        x = 420 + i * 90
        d.rounded_rectangle([x, 990, x + 56, 1046], radius=14,
                            fill=accent if i == 5 else (52, 57, 66))
    d.rounded_rectangle([1290, 995, 1410, 1041], radius=10, fill=(230, 75, 70))
    # the app's side panel
    d.rectangle([1440, 56, 1920, 1080], fill=WHITE)
    d.rectangle([1440, 56, 1920, 130], fill=tint(accent, 0.85))
    avatar(d, 1490, 93, 20, accent)
    bars(d, 1525, 86, 200, 1, colour=accent)
    panel(d, 1440, 130, 480, 950, accent)
    return img


def panel_minutes(d, x, y, w, h, accent):
    for i in range(5):
        top = y + 30 + i * 175
        d.rounded_rectangle([x + 24, top, x + w - 24, top + 150], radius=10, outline=LINE, width=2)
        d.rectangle([x + 24, top, x + 32, top + 150], fill=accent if i % 2 == 0 else TEXT)
        bars(d, x + 52, top + 24, w - 110, 3, gap=38, seed=i)


def panel_poll(d, x, y, w, h, accent):
    bars(d, x + 30, y + 40, w - 60, 2, gap=40, colour=MUTED, seed=3)
    for i, share in enumerate([0.72, 0.41, 0.23, 0.12]):
        top = y + 160 + i * 130
        d.rounded_rectangle([x + 30, top, x + w - 30, top + 80], radius=10, fill=PAGE)
        d.rounded_rectangle([x + 30, top, x + 30 + int((w - 60) * share), top + 80], radius=10,
                            fill=tint(accent, 0.2 + 0.15 * i))
    d.rounded_rectangle([x + 30, y + h - 130, x + w - 30, y + h - 60], radius=12, fill=accent)


def panel_stream(d, x, y, w, h, accent):
    d.rounded_rectangle([x + 24, y + 24, x + w - 24, y + 300], radius=10, fill=DARK)
    d.polygon([(x + w // 2 - 30, y + 120), (x + w // 2 - 30, y + 200), (x + w // 2 + 40, y + 160)],
              fill=WHITE)
    avatar(d, x + 60, y + 340, 12, (230, 75, 70))
    bars(d, x + 84, y + 332, 160, 1, colour=(230, 75, 70))
    for i in range(6):
        top = y + 400 + i * 80
        avatar(d, x + 50, top + 20, 18, tint(accent, 0.3 * (i % 3)))
        bars(d, x + 84, top + 4, w - 140, 2, gap=26, h=12, seed=40 + i)
    d.rounded_rectangle([x + 24, y + h - 90, x + w - 24, y + h - 30], radius=30, fill=PAGE)


def desk_document(accent):
    """A minutes document: left navigation, document, to-do column."""
    img = Image.new("RGB", DESKTOP, PAGE)
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, 280, 1080], fill=tint(accent, 0.1))
    for i in range(8):
        d.rounded_rectangle([24, 120 + i * 70, 256, 170 + i * 70], radius=10,
                            fill=WHITE if i == 1 else tint(accent, 0.25))
    d.rectangle([280, 0, 1920, 80], fill=WHITE)
    d.line([280, 80, 1920, 80], fill=LINE, width=2)
    d.rounded_rectangle([340, 120, 1380, 1040], radius=14, fill=WHITE)
    d.rounded_rectangle([390, 170, 900, 210], radius=10, fill=DARK)
    bars(d, 390, 260, 940, 6, gap=40, seed=1)
    d.rounded_rectangle([390, 520, 640, 550], radius=8, fill=accent)
    bars(d, 390, 590, 940, 9, gap=40, seed=2)
    d.rounded_rectangle([1420, 120, 1880, 1040], radius=14, fill=WHITE)
    for i in range(7):
        top = 180 + i * 110
        d.rounded_rectangle([1450, top, 1482, top + 32], radius=6, outline=accent, width=4)
        if i < 3:
            d.rectangle([1459, top + 9, 1473, top + 23], fill=accent)
        bars(d, 1505, top + 2, 330, 2, gap=34, h=12, seed=10 + i)
    return img


def desk_board(accent):
    """A task board: accent header, four columns of cards."""
    img = Image.new("RGB", DESKTOP, tint(accent, 0.92))
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, 1920, 150], fill=accent)
    d.rounded_rectangle([60, 50, 520, 100], radius=12, fill=tint(accent, 0.35))
    for i in range(4):
        avatar(d, 1600 + i * 60, 75, 24, tint(accent, 0.2 * (i + 1)))
    heights = [[140, 200, 120, 180], [220, 140], [160, 160, 200], [120]]
    for c, hs in enumerate(heights):
        x = 60 + c * 460
        d.rounded_rectangle([x, 190, x + 420, 1040], radius=14, fill=tint(accent, 0.8))
        top = 250
        for j, hh in enumerate(hs):
            d.rounded_rectangle([x + 20, top, x + 400, top + hh], radius=10, fill=WHITE)
            d.rectangle([x + 20, top, x + 400, top + 10], fill=[accent, (240, 160, 60),
                                                                  (90, 180, 120), MUTED][c])
            bars(d, x + 44, top + 36, 330, max(1, (hh - 60) // 36), gap=34, h=12, seed=c * 10 + j)
            top += hh + 24
    return img


def desk_dashboard(accent):
    """A statistics page: KPI cards, a bar chart, a ring chart."""
    img = Image.new("RGB", DESKTOP, WHITE)
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, 110, 1080], fill=DARK)
    for i in range(6):
        d.rounded_rectangle([30, 140 + i * 90, 80, 190 + i * 90], radius=12,
                            fill=accent if i == 2 else TILE)
    for i in range(4):
        x = 170 + i * 430
        d.rounded_rectangle([x, 60, x + 390, 260], radius=16, fill=tint(accent, 0.15 * i))
        bars(d, x + 30, 100, 200, 1, colour=WHITE if i < 2 else DARK)
        d.rounded_rectangle([x + 30, 160, x + 210, 220], radius=10, fill=WHITE if i < 2 else DARK)
    d.rounded_rectangle([170, 310, 1230, 1020], radius=16, fill=PAGE)
    r = random.Random(7)
    for i in range(12):
        hh = r.randint(120, 560)
        x = 230 + i * 82
        d.rectangle([x, 960 - hh, x + 46, 960], fill=accent if i % 3 else tint(accent, 0.5))
    d.rounded_rectangle([1280, 310, 1890, 1020], radius=16, fill=PAGE)
    box = [1390, 420, 1780, 810]
    d.pieslice(box, 0, 200, fill=accent)
    d.pieslice(box, 200, 290, fill=(240, 160, 60))
    d.pieslice(box, 290, 360, fill=(90, 180, 120))
    d.ellipse([1490, 520, 1680, 710], fill=PAGE)
    bars(d, 1340, 870, 480, 3, gap=40, seed=8)
    return img


def desk_canvas(accent):
    """A whiteboard: dotted canvas, sticky notes, shapes, floating toolbar."""
    img = Image.new("RGB", DESKTOP, (252, 251, 246))
    d = ImageDraw.Draw(img)
    for y in range(40, 1080, 60):
        for x in range(40, 1920, 60):
            d.point([(x, y), (x + 1, y), (x, y + 1), (x + 1, y + 1)], fill=LINE)
    notes = [(300, 140, (255, 220, 90)), (620, 200, (140, 210, 250)), (360, 520, (250, 170, 170)),
             (1500, 640, (170, 230, 170)), (1620, 180, (255, 220, 90))]
    for x, y, c in notes:
        d.rectangle([x, y, x + 260, y + 260], fill=c)
        bars(d, x + 24, y + 40, 200, 4, gap=44, h=14, colour=MUTED, seed=x)
    d.ellipse([960, 260, 1360, 660], outline=accent, width=10)
    d.rectangle([1000, 760, 1400, 960], outline=DARK, width=8)
    d.line([860, 400, 960, 460], fill=DARK, width=6)
    d.line([1200, 660, 1200, 760], fill=DARK, width=6)
    d.rounded_rectangle([30, 260, 110, 820], radius=20, fill=WHITE, outline=LINE, width=2)
    for i in range(7):
        d.rounded_rectangle([46, 280 + i * 76, 94, 328 + i * 76], radius=10,
                            fill=accent if i == 0 else PAGE)
    d.rounded_rectangle([760, 990, 1160, 1050], radius=30, fill=DARK)
    return img


def desk_calendar(accent):
    """A schedule: month grid with events, a header, a detail drawer."""
    img = Image.new("RGB", DESKTOP, WHITE)
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, 1920, 90], fill=tint(accent, 0.6))
    d.rounded_rectangle([40, 25, 360, 65], radius=10, fill=WHITE)
    cw, ch = 190, 180
    r = random.Random(11)
    for row in range(5):
        for col in range(7):
            x, y = 40 + col * cw, 130 + row * ch
            d.rectangle([x, y, x + cw, y + ch], outline=LINE, width=2)
            if r.random() < 0.45:
                d.rounded_rectangle([x + 12, y + 50, x + cw - 12, y + 90], radius=8,
                                    fill=tint(accent, r.choice([0.0, 0.4, 0.7])))
    d.rectangle([1400, 90, 1920, 1080], fill=DARK)
    d.rounded_rectangle([1440, 140, 1880, 380], radius=14, fill=TILE)
    bars(d, 1470, 180, 380, 4, gap=44, colour=MUTED, seed=12)
    for i in range(4):
        top = 430 + i * 140
        avatar(d, 1480, top + 40, 30, tint(accent, 0.2 * i))
        bars(d, 1530, top + 20, 320, 2, gap=36, colour=MUTED, seed=13 + i)
    return img


def desk_settings(accent):
    """A settings form under a modal dialog."""
    img = Image.new("RGB", DESKTOP, PAGE)
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, 1920, 80], fill=WHITE)
    d.rectangle([0, 80, 360, 1080], fill=WHITE)
    for i in range(10):
        top = 150 + i * 80
        bars(d, 440, top + 14, 260, 1, seed=20 + i)
        d.rounded_rectangle([800, top, 1500, top + 50], radius=8, fill=WHITE, outline=LINE, width=2)
        d.rounded_rectangle([1560, top + 5, 1640, top + 45], radius=20,
                            fill=accent if i % 2 else LINE)
    # dim the page, then the dialog
    dim = Image.new("RGB", DESKTOP, (0, 0, 0))
    img = Image.blend(img, dim, 0.55)
    d = ImageDraw.Draw(img)
    d.rounded_rectangle([560, 240, 1360, 840], radius=20, fill=WHITE)
    d.rounded_rectangle([620, 300, 1000, 340], radius=10, fill=DARK)
    bars(d, 620, 400, 680, 6, gap=50, seed=30)
    d.rounded_rectangle([1080, 740, 1300, 800], radius=12, fill=accent)
    d.rounded_rectangle([840, 740, 1060, 800], radius=12, outline=LINE, width=3)
    return img


# ── mobile screens ───────────────────────────────────────────────────────────


def mob_meeting_sheet(accent, sheet):
    """Meeting on a phone: video on top, the app's sheet sliding up."""
    img = Image.new("RGB", MOBILE, DARK)
    d = ImageDraw.Draw(img)
    d.rounded_rectangle([30, 120, 720, 620], radius=20, fill=TILE)
    avatar(d, 375, 370, 110, (90, 120, 160))
    d.rounded_rectangle([0, 700, 750, 1628], radius=40, fill=WHITE)
    d.rounded_rectangle([320, 720, 430, 732], radius=6, fill=LINE)
    sheet(d, 0, 760, 750, 868, accent)
    return img


def sheet_list(d, x, y, w, h, accent):
    for i in range(6):
        top = y + 20 + i * 135
        avatar(d, x + 80, top + 50, 40, tint(accent, 0.15 * i))
        bars(d, x + 150, top + 25, w - 220, 2, gap=40, h=16, seed=50 + i)
        d.line([x + 150, top + 120, x + w - 40, top + 120], fill=LINE, width=2)


def sheet_buttons(d, x, y, w, h, accent):
    bars(d, x + 50, y + 30, w - 100, 3, gap=48, h=18, colour=MUTED, seed=60)
    for i in range(2):
        for j in range(2):
            bx, by = x + 50 + j * 335, y + 220 + i * 260
            d.rounded_rectangle([bx, by, bx + 315, by + 230], radius=24, fill=tint(accent, 0.3 + 0.3 * i))
    d.rounded_rectangle([x + 50, y + h - 130, x + w - 50, y + h - 40], radius=45, fill=accent)


def mob_list(accent):
    img = Image.new("RGB", MOBILE, WHITE)
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, 750, 300], fill=accent)
    d.rounded_rectangle([40, 180, 710, 250], radius=35, fill=tint(accent, 0.4))
    for i in range(9):
        top = 340 + i * 140
        d.rounded_rectangle([40, top, 150, top + 110], radius=20, fill=tint(accent, 0.1 * (i % 5)))
        bars(d, 180, top + 20, 500, 2, gap=44, h=18, seed=70 + i)
    d.rectangle([0, 1500, 750, 1628], fill=PAGE)
    for i in range(4):
        avatar(d, 95 + i * 187, 1560, 26, accent if i == 0 else TEXT)
    return img


def mob_detail(accent):
    img = Image.new("RGB", MOBILE, PAGE)
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, 750, 140], fill=WHITE)
    d.rounded_rectangle([30, 180, 720, 700], radius=24, fill=DARK)
    d.polygon([(330, 380), (330, 500), (440, 440)], fill=WHITE)
    d.rounded_rectangle([30, 740, 720, 1340], radius=24, fill=WHITE)
    bars(d, 70, 790, 610, 10, gap=52, h=18, seed=80)
    d.rounded_rectangle([30, 1420, 360, 1530], radius=24, outline=accent, width=4)
    d.rounded_rectangle([390, 1420, 720, 1530], radius=24, fill=accent)
    return img


def mob_chart(accent):
    img = Image.new("RGB", MOBILE, WHITE)
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, 750, 120], fill=DARK)
    box = [175, 200, 575, 600]
    d.pieslice(box, 0, 230, fill=accent)
    d.pieslice(box, 230, 320, fill=(240, 160, 60))
    d.pieslice(box, 320, 360, fill=(90, 180, 120))
    d.ellipse([275, 300, 475, 500], fill=WHITE)
    r = random.Random(9)
    for i in range(8):
        top = 700 + i * 105
        d.rounded_rectangle([40, top, 40 + r.randint(200, 660), top + 60], radius=12,
                            fill=tint(accent, 0.1 * i))
    return img


def mob_canvas(accent):
    img = Image.new("RGB", MOBILE, (252, 251, 246))
    d = ImageDraw.Draw(img)
    for y in range(30, 1628, 50):
        for x in range(30, 750, 50):
            d.point([(x, y), (x + 1, y)], fill=LINE)
    d.rectangle([60, 200, 340, 480], fill=(255, 220, 90))
    d.rectangle([400, 620, 680, 900], fill=(140, 210, 250))
    d.ellipse([120, 980, 520, 1380], outline=accent, width=10)
    d.rounded_rectangle([40, 1480, 710, 1580], radius=50, fill=DARK)
    for i in range(6):
        avatar(d, 120 + i * 100, 1530, 22, accent if i == 1 else TILE)
    return img


# ── logos ────────────────────────────────────────────────────────────────────


def logo(kind, colour, bg=None):
    """A 128×128 flat brand mark, drawn at 4× and reduced."""
    s = 512
    c = hexrgb(colour)
    img = Image.new("RGB", (s, s), WHITE)
    d = ImageDraw.Draw(img)
    d.rounded_rectangle([0, 0, s - 1, s - 1], radius=110, fill=c if bg is None else hexrgb(bg))
    fg = WHITE if bg is None else c
    if kind == "doc":  # a page with lines and a leaf
        d.rounded_rectangle([130, 100, 382, 412], radius=30, fill=fg)
        for i in range(3):
            d.rounded_rectangle([175, 170 + i * 60, 337, 196 + i * 60], radius=13, fill=c)
        d.ellipse([250, 300, 360, 380], fill=(140, 200, 90))
    elif kind == "ink":  # an ink drop on a board
        d.rounded_rectangle([96, 130, 416, 370], radius=24, outline=fg, width=28)
        d.ellipse([206, 200, 306, 300], fill=fg)
        d.polygon([(256, 150), (214, 230), (298, 230)], fill=fg)
    elif kind == "sail":  # a sail over a wave
        d.polygon([(270, 90), (270, 340), (120, 340)], fill=fg)
        d.polygon([(290, 140), (290, 340), (400, 340)], fill=tint(fg, 0.3) if bg else (255, 210, 120))
        d.rounded_rectangle([100, 370, 412, 410], radius=20, fill=fg)
    elif kind == "flower":  # five petals
        for a in range(5):
            x = 256 + 100 * math.cos(a * 2 * math.pi / 5 - math.pi / 2)
            y = 256 + 100 * math.sin(a * 2 * math.pi / 5 - math.pi / 2)
            d.ellipse([x - 75, y - 75, x + 75, y + 75], fill=fg)
        d.ellipse([206, 206, 306, 306], fill=(255, 200, 80))
    elif kind == "grid":  # a schedule grid
        for i in range(3):
            for j in range(3):
                x, y = 120 + j * 96, 120 + i * 96
                d.rounded_rectangle([x, y, x + 76, y + 76], radius=14,
                                    fill=fg if (i + j) % 2 == 0 else tint(c, 0.5))
    elif kind == "ring":  # company mark: a ring and a dot
        d.ellipse([110, 110, 402, 402], outline=fg, width=48)
        d.ellipse([226, 226, 286, 286], fill=fg)
    elif kind == "bars":  # company mark: rising bars
        for i in range(4):
            x = 116 + i * 76
            d.rounded_rectangle([x, 360 - i * 60 - 60, x + 52, 380], radius=14, fill=fg)
    elif kind == "diamond":
        d.polygon([(256, 96), (416, 256), (256, 416), (96, 256)], fill=fg)
        d.polygon([(256, 176), (336, 256), (256, 336), (176, 256)], fill=c if bg is None else WHITE)
    return img.resize((128, 128), Image.LANCZOS)


def qr_logo(text):
    """A QR code as a 128×128 logo (the mistake meeting-design/logo.safety.qr-code forbids)."""
    q = qrcode.QRCode(version=None, error_correction=qrcode.constants.ERROR_CORRECT_L,
                      box_size=4, border=2)
    q.add_data(text)
    q.make(fit=True)
    code = q.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    if code.size[0] > 128:
        sys.exit(f"QR code too large for 128 px: {code.size}")
    img = Image.new("RGB", (128, 128), WHITE)
    off = (128 - code.size[0]) // 2
    img.paste(code, (off, off))
    return img


def heavy_logo(colour, target_kb=25):
    """A 128×128 logo of about `target_kb` KB: a gradient photo-like mark with
    grain, saved as true-colour PNG (the 20 KB mistake)."""
    c = hexrgb(colour)
    best = None
    for grain in range(4, 80, 2):
        r = random.Random(42)
        img = Image.new("RGB", (128, 128))
        px = img.load()
        for y in range(128):
            for x in range(128):
                k = (x + y) / 254
                base = tuple(int(v * (1 - k) + 255 * k * 0.3) for v in c)
                n = r.randint(-grain, grain)
                px[x, y] = tuple(max(0, min(255, v + n)) for v in base)
        d = ImageDraw.Draw(img)
        d.ellipse([34, 34, 94, 94], fill=WHITE)
        buf = io.BytesIO()
        img.save(buf, format="PNG", optimize=True)
        size = len(buf.getvalue())
        best = img
        if size >= target_kb * 1024:
            return img, size
    return best, size


# ── duplicate check (what meeting-compliance/1.10 looks for) ─────────────────


def dhash(img, method=Image.LANCZOS):
    g = img.convert("L").resize((9, 8), method)
    px = list(g.tobytes())
    bits = 0
    for row in range(8):
        for col in range(8):
            bits = (bits << 1) | (px[row * 9 + col + 1] > px[row * 9 + col])
    return bits


def check_distinct(paths, min_bits=16):
    """Fails when two previews of one listing are near-duplicates."""
    imgs = {p: Image.open(p) for p in paths}
    worst = 64
    # Area-averaging reductions, as image libraries do when they shrink a picture.
    for method in (Image.LANCZOS, Image.BILINEAR, Image.BOX):
        hashes = {p: dhash(i, method) for p, i in imgs.items()}
        ps = list(hashes)
        for a in range(len(ps)):
            for b in range(a + 1, len(ps)):
                dist = bin(hashes[ps[a]] ^ hashes[ps[b]]).count("1")
                worst = min(worst, dist)
                if dist < min_bits:
                    sys.exit(f"{ps[a]} and {ps[b].name} are only {dist} bits apart")
    return worst


# ── the examples ─────────────────────────────────────────────────────────────


def previews(folder, accent, desktop, mobile, check=True):
    out = []
    for i, f in enumerate(desktop, 1):
        out.append(save_png(f(accent), ROOT / folder / f"preview-desktop-{i}.png"))
    for i, f in enumerate(mobile, 1):
        out.append(save_png(f(accent), ROOT / folder / f"preview-mobile-{i}.png"))
    if check and out:
        print(f"  {folder}: {len(out)} previews, closest pair {check_distinct(out)} bits apart")
    return out


def main():
    # meeting-listing: 青禾纪要, AI meeting minutes (desktop only)
    green = hexrgb("#2f9e6e")
    save_png(logo("doc", "#2f9e6e"), ROOT / "meeting-listing/logo.png", 32)
    save_png(logo("ring", "#1d6b4a", bg="#ffffff"), ROOT / "meeting-listing/company-logo.png", 32)
    previews("meeting-listing", green,
             [lambda a: desk_meeting_panel(a, panel_minutes), desk_document, desk_board], [])

    # meeting-search: 墨点白板, whiteboard (5 desktop + 5 mobile: the benchmark listing)
    blue = hexrgb("#3370ff")
    save_png(logo("ink", "#3370ff"), ROOT / "meeting-search/logo.png", 32)
    save_png(logo("diamond", "#243b7a", bg="#ffffff"), ROOT / "meeting-search/company-logo.png", 32)
    previews("meeting-search", blue,
             [desk_canvas, lambda a: desk_meeting_panel(a, panel_minutes), desk_board,
              desk_calendar, desk_settings],
             [mob_canvas, lambda a: mob_meeting_sheet(a, sheet_list), mob_list, mob_detail,
              mob_chart])

    # meeting-showcase: 云帆直播, meeting live streaming (3 desktop + 3 mobile)
    orange = hexrgb("#ff6a3d")
    save_png(logo("sail", "#ff6a3d"), ROOT / "meeting-showcase/logo.png", 32)
    save_png(logo("bars", "#c2410c", bg="#ffffff"), ROOT / "meeting-showcase/company-logo.png", 32)
    previews("meeting-showcase", orange,
             [lambda a: desk_meeting_panel(a, panel_stream), desk_dashboard, desk_calendar],
             [lambda a: mob_meeting_sheet(a, sheet_buttons), mob_detail, mob_list])

    # miniprogram: 拾光花店 (avatar only; mini programs have no preview gallery)
    save_png(logo("flower", "#e0607e"), ROOT / "miniprogram/logo.png", 32)

    # wecom-isv: 云栈排班 (logo + 3 desktop screenshots)
    teal = hexrgb("#0e9f9a")
    save_png(logo("grid", "#0e9f9a"), ROOT / "wecom-isv/logo.png", 32)
    previews("wecom-isv", teal, [desk_calendar, desk_dashboard, desk_settings], [])

    # meeting-bad: the classic mistakes
    save_png(qr_logo("https://m.example.com/app"),
             ROOT / "meeting-bad/logo.png", 2)
    heavy, size = heavy_logo("#7c3aed", 25)
    (ROOT / "meeting-bad").mkdir(parents=True, exist_ok=True)
    heavy.save(ROOT / "meeting-bad/company-logo.png", optimize=True)
    print(f"  meeting-bad: company-logo.png {size / 1024:.1f} KB")
    purple = hexrgb("#7c3aed")
    shot = desk_meeting_panel(purple, panel_minutes)
    save_png(shot, ROOT / "meeting-bad/preview-desktop-1.png")
    # the same screenshot again, exported a second time with the cursor moved
    again = shot.copy()
    ImageDraw.Draw(again).polygon([(900, 300), (900, 340), (912, 330), (926, 350)], fill=WHITE)
    save_png(again, ROOT / "meeting-bad/preview-desktop-2.png")
    save_png(desk_document(purple), ROOT / "meeting-bad/preview-desktop-3.png")

    for p in sorted(ROOT.glob("*/*.png")):
        im = Image.open(p)
        print(f"  {p.relative_to(ROOT)}: {im.size[0]}×{im.size[1]}, {p.stat().st_size / 1024:.1f} KB")


if __name__ == "__main__":
    main()
