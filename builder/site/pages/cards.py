"""Open Graph cards: one 1200×630 PNG per recipe (`og/<org>/<repo>.png`) and one for the site.

Drawn with Pillow from the recipe facts — model name, provider and its mark, parameter sizes,
architecture, context length and the hardware the recipe is verified on — in the site's own
marks (:mod:`builder.site.html.brand`). Text uses the font bundled with Pillow, so a card is the
same on every machine, and PNG encoding has no timestamps: two builds write identical bytes.

Drawing and encoding a card takes ~50 ms, so cards are cached by content: the key hashes everything drawn
plus this module's source and the Pillow version, and a cache folder (``.cache/cards`` beside
`mkdocs.yml`) keeps them across builds. A rebuild redraws only cards whose inputs changed.
"""
from __future__ import annotations

import hashlib
import io
import json
from dataclasses import asdict, dataclass
from functools import cache, lru_cache
from pathlib import Path

import PIL
from PIL import Image, ImageDraw, ImageFont

from builder.site.facts import RecipeFacts, SiteFacts
from builder.site.html import brand
from builder.site.html.components import arch_label, ctx_short, size_text

W, H = 1200, 630
PAD = 72
SITE_CARD = "og/site.png"
_MAX_CHIPS = 6


@dataclass(frozen=True)
class Card:
    """Everything one card shows; its JSON is the cache key (with the renderer's own hash)."""

    title: str
    kicker: str
    """Line above the title: the provider's name (recipe cards) or the site's tagline."""
    org: str
    specs: str
    chips: tuple[str, ...]
    footer: str


def card_path(hf_id: str) -> str:
    return f"og/{hf_id}.png"


def recipe_card(r: RecipeFacts, site: SiteFacts, host: str) -> Card:
    parts = (f"{size_text(r)} params" if size_text(r) else "",
             arch_label(r.architecture) if r.architecture else "",
             f"{ctx_short(r.context_length)} context" if r.context_length else "",
             r.default_variant.precision.upper() if r.default_variant else "")
    specs = " · ".join(x for x in parts if x)
    hw = [site.hardware[h].display_name for h in r.verified if h in site.hardware]
    chips = tuple(hw[:_MAX_CHIPS]) + ((f"+{len(hw) - _MAX_CHIPS}",) if len(hw) > _MAX_CHIPS else ())
    return Card(r.repo, site.provider(r.org), r.org, specs, chips, f"{host}/{r.url}".rstrip("/"))


def site_card(site: SiteFacts, host: str) -> Card:
    n = len(site.recipes)
    return Card("vLLM Recipes", "Deploy any open model on any hardware", "",
                f"{n} recipe{'s' if n != 1 else ''} · tuned vllm serve commands per GPU", (), host)


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _fit(draw: ImageDraw.ImageDraw, text: str, size: int, width: int) -> int:
    """The largest size ≤ `size` at which `text` fits `width` pixels (long names shrink)."""
    while size > 36 and draw.textlength(text, font=_font(size)) > width:
        size -= 4
    return size


def _logo(draw: ImageDraw.ImageDraw, x: int, y: int, scale: float) -> None:
    draw.rounded_rectangle((x, y, x + 32 * scale, y + 32 * scale), radius=8 * scale, fill=brand.BLUE)
    pts = [(x + px * scale, y + py * scale) for px, py in brand.CHEVRON]
    width = round(brand.STROKE * scale)
    draw.line(pts, fill="#ffffff", width=width, joint="curve")
    cur = [(x + px * scale, y + py * scale) for px, py in brand.CURSOR]
    draw.line(cur, fill=brand.AMBER, width=width)
    ends = [(pts[0], "#ffffff"), (pts[-1], "#ffffff"), (cur[0], brand.AMBER), (cur[1], brand.AMBER)]
    for (cx, cy), colour in ends:  # round caps, as the SVG's stroke-linecap
        draw.ellipse((cx - width / 2, cy - width / 2, cx + width / 2, cy + width / 2), fill=colour)


def _mark(draw: ImageDraw.ImageDraw, org: str, name: str, x: int, y: int, size: int) -> None:
    fill, fold = brand.hue(org)
    s = size / 24
    draw.rounded_rectangle((x, y, x + size, y + size), radius=6 * s, fill=fill)
    fold_pts = [(x + 15 * s, y), (x + 18.5 * s, y), (x + 24 * s, y + 5.5 * s), (x + 24 * s, y + 9 * s)]
    draw.polygon(fold_pts, fill=fold)
    letters = brand.monogram(name)
    font = _font(int(size * (0.55 if len(letters) == 1 else 0.45)))
    draw.text((x + size / 2, y + size / 2), letters, font=font,
              fill="#ffffff", anchor="mm", stroke_width=1, stroke_fill="#ffffff")


def render(card: Card) -> bytes:
    """The PNG bytes of one card (light only, like the reference site's cards)."""
    img = Image.new("RGB", (W, H), "#ffffff")
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, W // 2, 10), fill=brand.BLUE)
    draw.rectangle((W // 2, 0, W, 10), fill=brand.AMBER)
    # Faint rings in the bottom-right corner.
    for i, r in enumerate((360, 280, 200)):
        draw.ellipse((W - 120 - r, H - 60 - r, W - 120 + r, H - 60 + r), outline="#e8edf7", width=2 + i)
    _logo(draw, PAD, 56, 1.5)
    draw.text((PAD + 64, 80), "vLLM", font=_font(34), fill=brand.INK, anchor="lm", stroke_width=1,
              stroke_fill=brand.INK)
    draw.text((PAD + 64 + draw.textlength("vLLM ", font=_font(34)) + 2, 80), "Recipes", font=_font(34),
              fill=brand.BLUE, anchor="lm", stroke_width=1, stroke_fill=brand.BLUE)
    y = 196
    if card.org:
        _mark(draw, card.org, card.kicker, PAD, y - 4, 48)
        draw.text((PAD + 64, y + 20), card.kicker, font=_font(36), fill="#334155", anchor="lm")
    else:
        draw.text((PAD, y + 20), card.kicker, font=_font(36), fill="#334155", anchor="lm")
    size = _fit(draw, card.title, 96, W - 2 * PAD)
    draw.text((PAD, y + 70), card.title, font=_font(size), fill=brand.INK, anchor="lt", stroke_width=2,
              stroke_fill=brand.INK)
    y += 70 + size + 34
    if card.specs:
        draw.text((PAD, y), card.specs, font=_font(34), fill="#475569", anchor="lt")
        y += 70
    if card.chips:
        draw.text((PAD, y + 22), "Verified on", font=_font(28), fill="#64748b", anchor="lm")
        x = PAD + int(draw.textlength("Verified on", font=_font(28))) + 20
        for chip in card.chips:
            w = int(draw.textlength(chip, font=_font(28))) + 36
            if x + w > W - PAD:
                break
            draw.rounded_rectangle((x, y, x + w, y + 44), radius=22, fill="#dcfce7", outline="#16a34a",
                                   width=2)
            draw.text((x + w / 2, y + 22), chip, font=_font(28), fill="#14532d", anchor="mm")
            x += w + 12
    draw.text((PAD, H - 56), card.footer, font=_font(28), fill="#64748b", anchor="ls")
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=False, compress_level=6)
    return out.getvalue()


@lru_cache(maxsize=1)
def _renderer_key() -> str:
    return hashlib.sha256(Path(__file__).read_bytes() + PIL.__version__.encode()).hexdigest()


def card_key(card: Card) -> str:
    text = json.dumps(asdict(card), sort_keys=True, ensure_ascii=False) + _renderer_key()
    return hashlib.sha256(text.encode()).hexdigest()


def render_cached(card: Card, cache_dir: Path | None) -> bytes:
    """`render(card)`, read from `cache_dir` when an identical card was drawn before."""
    if cache_dir is None:
        return render(card)
    path = cache_dir / f"{card_key(card)}.png"
    if path.is_file():
        return path.read_bytes()
    data = render(card)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)  # atomic: a concurrent build never reads half a card
    return data


def all_cards(site: SiteFacts, host: str, cache_dir: Path | None) -> dict[str, bytes]:
    """Site-relative path → PNG for the site card and every recipe card."""
    out = {SITE_CARD: render_cached(site_card(site, host), cache_dir)}
    for r in site.recipes:
        out[card_path(r.hf_id)] = render_cached(recipe_card(r, site, host), cache_dir)
    return out
