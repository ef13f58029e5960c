"""What WCAG 2.1 AA asks of a page that can be read from the page itself in a browser: each
check is a small script run in the page (Playwright's evaluate), returning the problems it
finds as text. Used by the browser tests of the portal's and the office's pages."""

from __future__ import annotations

from typing import Any

# Colours as the page draws them: a CSS colour read as [r, g, b, alpha] (null when it is
# none), one colour over another, the background an element is drawn on (its own and its
# ancestors' layers over white), relative luminance and the contrast ratio (WCAG 2.1).
COLOURS = r"""  const rgba = (text) => {
    const m = text.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, below) => [0, 1, 2].map((i) => top[i] * top[3] + below[i] * (1 - top[3])).concat([1]);
  const background = (from) => {
    const layers = [];
    for (let e = from; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor) || [0, 0, 0, 0];
      if (c[3] > 0) layers.push(c);
      if (c[3] === 1) break;
    }
    let colour = [255, 255, 255, 1];
    for (const c of layers.reverse()) colour = over(c, colour);
    return colour;
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
"""

# Every check on the page as it stands; `lang` is the page's expected language.
AUDIT = (
    r"""(lang) => {
"""
    + COLOURS
    + r"""  const problems = [];
  const where = (el) => {
    const id = el.id ? "#" + el.id : "";
    const name = el.getAttribute("name") ? "[name=" + el.getAttribute("name") + "]" : "";
    const text = (el.innerText || "").trim().slice(0, 30);
    return el.tagName.toLowerCase() + id + name + (text && !id && !name ? " '" + text + "'" : "");
  };
  const shown = (el) => {
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return s.display !== "none" && s.visibility !== "hidden" && r.width > 0 && r.height > 0;
  };
  // the language of the page and of the language switch
  if (document.documentElement.lang !== lang)
    problems.push("<html lang=" + document.documentElement.lang + ">, expected " + lang);
  for (const b of document.querySelectorAll("[data-lang]")) {
    if (b.getAttribute("lang") !== b.dataset.lang)
      problems.push("language switch " + b.dataset.lang + " without lang");
    if (!b.getAttribute("aria-label") && !b.textContent.trim())
      problems.push("language switch " + b.dataset.lang + " without a name");
  }
  // headings and landmarks
  const h1 = document.querySelectorAll("h1");
  if (h1.length !== 1) problems.push(h1.length + " h1 elements");
  let level = 0;
  for (const h of document.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
    const next = Number(h.tagName[1]);
    if (level && next > level + 1)
      problems.push("heading h" + next + " after h" + level + ": " + h.textContent.trim());
    level = next;
  }
  for (const [selector, name] of [["body > header", "header"], ["header nav, body > nav", "nav"],
      ["main", "main"], ["body > footer", "footer"]]) {
    if (document.querySelectorAll(selector).length !== 1) problems.push("no single " + name);
  }
  const skip = document.querySelector("body > a:first-child");
  const main = document.querySelector("main");
  if (!skip || !main || skip.getAttribute("href") !== "#" + main.id)
    problems.push("no skip link to the main content first in the page");
  // form controls: a label, the required ones marked, choices grouped
  const controls = document.querySelectorAll(
    "input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea");
  for (const c of controls) {
    if (c.closest("[aria-hidden=true]") || c.classList.contains("implicit-submit")) continue;
    const labelled = c.labels.length > 0 && [...c.labels].some((l) => l.textContent.trim());
    const aria = c.getAttribute("aria-labelledby") || c.getAttribute("aria-label");
    if (!labelled && !aria) problems.push(where(c) + " has no label");
    if (c.type === "radio") {
      const set = c.closest("fieldset");
      if (!set || !set.querySelector("legend")) problems.push(where(c) + " radio outside a fieldset with a legend");
    }
    // a control that must be filled in says so to everyone: a mark beside its label (its
    // group's legend for a choice of radio buttons) and aria-required for a screen reader
    if (c.required || c.getAttribute("aria-required") === "true") {
      const set = c.type === "radio" ? c.closest("fieldset") : null;
      const named = set ? [set.querySelector("legend")].filter(Boolean) : [...c.labels];
      if (!named.some((l) => l.querySelector(".required-mark")))
        problems.push(where(c) + " must be filled in but its label has no mark (*)");
      if (c.type !== "radio" && c.getAttribute("aria-required") !== "true")
        problems.push(where(c) + " must be filled in but has no aria-required");
    }
    if (c.getAttribute("aria-invalid") === "true") {
      const ids = (c.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
      const texts = ids.map((id) => document.getElementById(id)).filter((e) => e && e.textContent.trim());
      if (!texts.some((e) => e.classList.contains("error")))
        problems.push(where(c) + " is invalid but not described by its error");
    }
    for (const id of (c.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean)) {
      if (!document.getElementById(id)) problems.push(where(c) + " described by missing #" + id);
    }
  }
  // an error beside a field is tied to it; a summary of errors is announced
  for (const e of document.querySelectorAll("main .field .error, main .inline-form .error")) {
    const field = e.closest(".field, .inline-form");
    const c = field.querySelector("input, select, textarea");
    const ids = c ? (c.getAttribute("aria-describedby") || "").split(/\s+/) : [];
    if (c && !(e.id && ids.includes(e.id) && c.getAttribute("aria-invalid") === "true"))
      problems.push("error '" + e.textContent.trim().slice(0, 40) + "' not tied to its field");
  }
  for (const e of document.querySelectorAll("main .errors")) {
    if (e.getAttribute("role") !== "alert" && document.activeElement !== e)
      problems.push("error summary neither an alert nor focused");
  }
  // images and tables
  for (const img of document.querySelectorAll("img, svg[role=img], [role=img]")) {
    const name = img.getAttribute("alt") ?? img.getAttribute("aria-label") ?? img.getAttribute("aria-labelledby");
    if (img.tagName === "IMG" ? img.getAttribute("alt") === null : !name)
      problems.push(where(img) + " without alt text");
  }
  for (const t of document.querySelectorAll("main table")) {
    const heads = t.querySelectorAll("th");
    if (!heads.length) problems.push(where(t) + " has no header cells");
    for (const th of heads) {
      if (!th.getAttribute("scope")) {
        problems.push(where(t) + " header '" + th.textContent.trim().slice(0, 30) + "' without scope");
        break;
      }
    }
    let before = t.closest(".table-scroll, .report-scroll") || t;
    let heading = t.querySelector("caption") || t.getAttribute("aria-labelledby") || t.getAttribute("aria-label");
    while (!heading && before) {
      let prev = before.previousElementSibling;
      while (prev && !/^H[1-6]$/.test(prev.tagName)) prev = prev.previousElementSibling;
      if (prev) heading = prev;
      before = before.parentElement;
      if (before && before.tagName === "MAIN") break;
    }
    if (!heading) problems.push(where(t) + " has neither a caption nor a heading");
  }
  // contrast of the text shown, against the background it is drawn on
  const seen = new Set();
  for (const el of document.body.querySelectorAll("*")) {
    if (!shown(el) || el.closest(".skip-link, [aria-hidden=true], .implicit-submit")) continue;
    if (el.disabled || el.closest("button:disabled")) continue;
    const text = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())
      || (el.tagName === "INPUT" && el.value && !["hidden", "file", "radio", "checkbox"].includes(el.type));
    if (!text) continue;
    const s = getComputedStyle(el);
    const bg = background(el);
    const fg = over(rgba(s.color) || [0, 0, 0, 0], bg);
    const r = ratio(fg, bg);
    const size = parseFloat(s.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(s.fontWeight) >= 700);
    const need = large ? 3 : 4.5;
    const key = where(el).replace(/ '.*/, "") + s.color + s.backgroundColor;
    if (r < need && !seen.has(key)) {
      seen.add(key);
      problems.push("contrast " + r.toFixed(2) + " < " + need + ": " + where(el));
    }
  }
  return problems;
}"""
)

# The keyboard's walk through a page: each element Tab reaches, whether a focus indicator is
# drawn on it (an outline or a shadow that is not there without focus), until Tab comes back
# to where it started or leaves the page; and the indicator's contrast (WCAG 2.1 SC 1.4.11,
# at least 3:1) with what is drawn beside it, sampled in the middle of the ring on each
# side of the element: the header's, the page's, a table row's, an alert's background.
FOCUSED = (
    r"""() => {
"""
    + COLOURS
    + r"""  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
  const shadow = s.boxShadow && s.boxShadow !== "none";
  const id = el.id ? "#" + el.id : "";
  const name = el.getAttribute("name") ? "[name=" + el.getAttribute("name") + "]" : "";
  const label = (el.innerText || el.value || "").trim().slice(0, 30);
  let contrast = null;
  let against = "";
  const ring = outline ? rgba(s.outlineColor) : shadow ? rgba(s.boxShadow) : null;
  if (ring) {
    const width = outline ? parseFloat(s.outlineWidth) : 2;
    const offset = outline ? parseFloat(s.outlineOffset) || 0 : 0;
    const inside = outline ? offset + width <= 0 : /inset/.test(s.boxShadow);
    const r = el.getBoundingClientRect();
    const out = offset + width / 2;
    const points = inside ? [[r.left + r.width / 2, r.top + r.height / 2]] : [
      [r.left - out, r.top + r.height / 2], [r.right + out, r.top + r.height / 2],
      [r.left + r.width / 2, r.top - out], [r.left + r.width / 2, r.bottom + out]];
    for (const [x, y] of points) {
      if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
      const beside = inside ? el : document.elementsFromPoint(x, y).find(
        (e) => e !== el && !el.contains(e) && !e.contains(el)) || el.parentElement;
      const bg = background(beside);
      const c = ratio(over(ring, bg), bg);
      if (contrast === null || c < contrast) {
        contrast = c;
        against = "rgb(" + bg.slice(0, 3).map(Math.round).join(", ") + ")";
      }
    }
  }
  return {key: el.tagName.toLowerCase() + id + name + " '" + label + "'",
          id: el.id, visible: outline || !!shadow, tag: el.tagName.toLowerCase(),
          href: el.getAttribute("href") || "", contrast: contrast, against: against,
          ring: ring ? "rgb(" + ring.slice(0, 3).join(", ") + ")" : ""};
}"""
)


def audit(page: Any, lang: str) -> list[str]:
    return [f"{page.url}: {p}" for p in page.evaluate(AUDIT, lang)]


def tab_walk(page: Any, limit: int = 400) -> tuple[list[dict[str, Any]], list[str]]:
    """Tab from the top of the page until focus leaves it or comes back to an element
    already met: the elements reached in order, and the problems (no visible focus, a
    trap that never lets Tab leave)."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    page.evaluate("() => window.scrollTo(0, 0)")
    reached: list[dict[str, Any]] = []
    problems: list[str] = []
    keys: set[str] = set()
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is not None and reached and focused["key"] == reached[-1]["key"]:
            continue  # the next part of the same field (a date's day, month and year)
        if focused is None or focused["key"] in keys:
            break
        keys.add(focused["key"])
        reached.append(focused)
        if not focused["visible"]:
            problems.append(f"{page.url}: no visible focus on {focused['key']}")
        elif focused["contrast"] is not None and focused["contrast"] < 3:
            problems.append(
                f"{page.url}: focus ring {focused['ring']} on {focused['against']} has contrast "
                f"{focused['contrast']:.2f} < 3 on {focused['key']}"
            )
    else:
        problems.append(f"{page.url}: Tab never leaves the page ({limit} stops)")
    return reached, problems
