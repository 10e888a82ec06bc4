#!/usr/bin/python3
"""The report prints the same on a machine without a CJK font.

  check_report_fonts.py GREENMINE WORKDIR [PAGE.html [TOLERANCE]]

With PAGE.html (another page greenmine wrote, e.g. the yearly report), that
page is checked instead of the demo's run report; TOLERANCE (default 0.05) is
how far A's ink may be from C's. Without a fontconfig configuration Chromium
renders glyphs with other hinting and antialiasing, so a page of much small
Latin text (the yearly report: 5.4 %, measured) differs by more than the
demo report's 0.4 %, while its text is all there.

Writes the demo's run report (greenmine demo --no-rasters, report --gpkg) and
prints it with headless Chromium to PDF three times: (A) with a private
fontconfig whose only font is DejaVu Sans (Latin, Greek, Cyrillic -- no CJK
glyph), like a server or a fresh desktop without a Chinese font; (B) the same
report with its embedded @font-face removed, same fontconfig; (C) with the
machine's fonts. Page 1 of each is rasterised (pdftoppm) and its ink (dark
pixels) counted, in the whole page and in the title band: A must carry the
text as C does (ink within the tolerance) and its PDF must hold the embedded
font; B's PDF must hold no CJK font (the test sees no system CJK font, so the
embedded font, not a system one, draws A's Chinese). Exit 1 on any failure.

Why one Latin font and not none: Chromium 156 with a fontconfig that lists no
font at all fails to load a web font in most page loads here (document.fonts
reports the @font-face as status "error", with no console message; measured
0-2 of 5 for the yearly report, through --print-to-pdf and through playwright
after document.fonts.ready), while with one font it loads every time (8 of 8).
No machine that prints has no font, so that failure says nothing about the
report.
"""
import os
import re
import shutil
import subprocess
import sys

from PIL import Image

gm, work = sys.argv[1], sys.argv[2]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
fails = []


def run(cmd, env=None, **kw):
    return subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=300, **kw)


env = dict(os.environ, GDAL_PAM_ENABLED="NO")
tool_env = dict(env)
tool_env.pop("LD_PRELOAD", None)  # ASan's runtime is for greenmine, not Chromium
tolerance = float(sys.argv[4]) if len(sys.argv) > 4 else 0.05
if len(sys.argv) > 3:
    shutil.copy(sys.argv[3], f"{work}/report.html")
else:
    r = run([gm, "demo", "-q", "--no-rasters", "-o", f"{work}/demo"], env)
    if r.returncode:
        sys.exit(f"FAIL: demo: {r.stderr.decode()[-300:]}")
    r = run([gm, "report", "-q", "--gpkg", f"{work}/demo/greenmine.gpkg", "-o",
             f"{work}/report.html"], env)
    if r.returncode:
        sys.exit(f"FAIL: report: {r.stderr.decode()[-300:]}")
html = open(f"{work}/report.html", encoding="utf-8").read()
faces = re.findall(r"@font-face \{[^}]*\}\n", html)
if len(faces) != 1 or "base64," not in faces[0]:
    fails.append(f"the report embeds {len(faces)} @font-face rules with inline data")
with open(f"{work}/stripped.html", "w", encoding="utf-8") as f:
    f.write(html.replace(faces[0], "") if faces else html)

LATIN_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # fonts-dejavu-core
if not os.path.exists(LATIN_FONT):
    sys.exit(f"FAIL: {LATIN_FONT} is missing (scripts/deps.sh installs fonts-dejavu-core)")
os.makedirs(f"{work}/fc-cache")
os.makedirs(f"{work}/fonts")
shutil.copy(LATIN_FONT, f"{work}/fonts/")
with open(f"{work}/latin-only.conf", "w") as f:
    f.write('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
            f"<fontconfig><dir>{work}/fonts</dir><cachedir>{work}/fc-cache</cachedir>"
            "</fontconfig>\n")
latin_env = dict(tool_env, FONTCONFIG_FILE=f"{work}/latin-only.conf")
listed = run(["fc-list", ":", "family"], latin_env).stdout.decode().split("\n")
zh = run(["fc-list", ":lang=zh", "family"], latin_env).stdout.decode().strip()
if zh or [l for l in listed if l.strip() and "DejaVu" not in l]:
    fails.append(f"the private fontconfig sees more than DejaVu Sans: {listed} / zh: {zh!r}")
chrome = shutil.which("chromium") or shutil.which("chromium-browser")
if not chrome:
    sys.exit("FAIL: chromium is not installed (scripts/deps.sh)")


def print_page(name, page, latin_only):
    e = latin_env if latin_only else tool_env
    pdf = f"{work}/{name}.pdf"
    run([chrome, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={work}/chrome-{name}", "--no-pdf-header-footer",
         f"--print-to-pdf={pdf}", f"file://{work}/{page}"], e)
    if not os.path.exists(pdf):
        fails.append(f"{name}: chromium printed no PDF")
        return None, ""
    run(["pdftoppm", "-r", "60", "-f", "1", "-l", "1", "-png", pdf, f"{work}/{name}"])
    pngs = [p for p in os.listdir(work) if p.startswith(name + "-") and p.endswith(".png")]
    fonts = run(["pdffonts", pdf]).stdout.decode()
    return (Image.open(f"{work}/{pngs[0]}").convert("L") if pngs else None), fonts


def ink(img, band=None):
    w, h = img.size
    box = img.crop((0, 0, w, int(h * band))) if band else img
    return sum(1 for v in box.getdata() if v < 100)


def font_names(listing):
    return [l.split()[0] for l in listing.splitlines()[2:] if l.strip()]


a, a_fonts = print_page("A", "report.html", True)
b, b_fonts = print_page("B", "stripped.html", True)
c, _ = print_page("C", "report.html", False)
if a and b and c:
    for what, band in (("page 1", None), ("title band", 0.1)):
        ia, ib, ic = ink(a, band), ink(b, band), ink(c, band)
        print(f"ink in {what}: Latin font only {ia}, Latin font only and nothing embedded "
              f"{ib}, system fonts {ic}")
        if abs(ia - ic) > tolerance * ic:
            fails.append(f"{what}: printed with no CJK font, ink {ia} against {ic}")
    names, b_names = font_names(a_fonts), font_names(b_fonts)
    print("fonts in the PDF printed with no CJK font:", names, "; without the embedded one:",
          b_names)
    # any font but DejaVu (and Chromium's unnamed Type 3 glyphs) is the embedded one
    other = lambda ns: [n for n in ns if "DejaVu" not in n and n != "[none]"]
    if not other(names):
        fails.append(f"the PDF printed with no CJK font does not hold the embedded font: {a_fonts}")
    if other(b_names):
        fails.append(f"without the embedded font the PDF still holds another font: {b_fonts}")
for f in fails:
    print("FAIL:", f)
print(f"report fonts: {len(fails)} problem(s)")
sys.exit(1 if fails else 0)
