# SPDX-License-Identifier: MIT
# Reads a diagnosis (HTML, Markdown, JSON) as a wethouder would and checks its wording: no jargon
# or English words, no file paths in the Dutch text, indicator values with the unit their model
# gives (the model parsed here, independently of leefbaar), and the sentence that the wijk is
# itself an aandachtswijk exactly when it is. Usage:
#   diagnose_words.py BASE MODEL.yaml|- focus|partial|none [ID=none|ID=UNIT ...]
# BASE is the report without extension; MODEL the model file the scores were made with ("-"
# when the scores carry no indicators); ID=none: the run gives that indicator no unit, ID=UNIT:
# the run gives it UNIT instead of the model's.
import html
import json
import re
import sys

base, model_path, focus_want = sys.argv[1:4]
override = dict(a.split('=', 1) for a in sys.argv[4:])
fails = []


def check(cond, what):
    print(('ok - ' if cond else 'not ok - ') + what)
    if not cond:
        fails.append(what)


def model_units(path):
    """indicator id -> (label, unit or None), from the YAML text (block style)."""
    out, cur = {}, None
    for line in open(path, encoding='utf-8'):
        m = re.match(r'\s*- id: (\w+)', line)
        if m:
            cur = m.group(1)
            out[cur] = [cur, None]
            continue
        m = re.match(r'\s+(label|unit): (.*)$', line)
        if m and cur:
            v = m.group(2).strip()
            if len(v) >= 2 and v[0] == v[-1] and v[0] in '"\'':
                v = v[1:-1]
            out[cur][0 if m.group(1) == 'label' else 1] = v
        elif re.match(r'\S', line):
            cur = None
    return out


page = open(base + '.html', encoding='utf-8').read()
md = open(base + '.md', encoding='utf-8').read()
doc = json.load(open(base + '.json', encoding='utf-8'))

# The visible text of the HTML (no head, style sheet or SVG tooltips).
body = re.sub(r'<head>.*?</head>|<style>.*?</style>|<title>.*?</title>', ' ', page, flags=re.S)
html_text = html.unescape(re.sub(r'<[^>]+>', ' ', body))
md_text = md.replace('\\', '')  # Markdown escapes

TECH = 'Technische bijlage'
for name, t in (('HTML', html_text), ('Markdown', md_text)):
    check(TECH in t, f'{name}: a technical appendix')
    dutch, _, tech = t.partition(TECH)
    # Jargon a wethouder does not read: the tool's words for units, weights and changes.
    for bad in ('eenheid', 'eenheden', 'Gewicht (som)', 'Δ', 'lbm', 'standaarddeviatie',
                'β', 'f(x)', 'polygon', 'polygonen', 'c_<'):
        found = re.search(r'(?<!\w)' + re.escape(bad) + r'(?!\w)', dutch, re.I)
        check(not found, f'{name}: no "{bad}" in the Dutch text')
    # English words the report used to carry.
    for word in ('run', 'weight', 'units', 'inhabitants', 'score)', 'table', 'layer', 'model '
                 'leefbaar-default'):
        check(not re.search(r'(?<![\w-])' + re.escape(word) + r'(?![\w-])', dutch, re.I),
              f'{name}: no English "{word}" in the Dutch text')
    # No file paths or file names in the Dutch text; the appendix names files by base name.
    check(not re.search(r'(^|[\s(\'"])\.{1,2}/', dutch), f'{name}: no ./ or ../ in the text')
    check(not re.search(r'\w\.(gpkg|geojson|csv|shp|json|yaml|tif)\b', dutch, re.I),
          f'{name}: no file names in the Dutch text')
    check('/' not in re.sub(r'\d/\d|µg/m|km²|/m³|[^\s]*/(km|ha)\b', '', tech),
          f'{name}: base names only in the appendix')

# Units: every indicator value of section 5 carries its model's unit, and only that.
inds = [i for w in doc['drivers']['weakest'] for i in w['indicators']]
if model_path != '-':
    units = model_units(model_path)
    check(len(inds) > 0, f'the report lists indicators ({len(inds)})')
    rows = {}
    for line in md.split('\n'):
        cells = [c.strip().replace('\\', '') for c in line.strip().strip('|').split('|')]
        if len(cells) == 6 and cells[0] != 'Indicator':
            rows[cells[0]] = cells
    for i in inds:
        label, unit = units[i['id']]
        if i['id'] in override:
            unit = None if override[i['id']] == 'none' else override[i['id']]
        check(i.get('unit') == unit, f"JSON unit of {i['id']}: {i.get('unit')!r} = model {unit!r}")
        row = rows.get(label)
        check(row is not None, f'row of indicator {label!r} in the Markdown')
        if not row:
            continue
        for cell in row[1:3]:
            if cell == '–':
                continue
            if unit:
                ok = re.fullmatch(r'-?[\d.]+(,\d+)? ' + re.escape(unit), cell)
            else:
                ok = re.fullmatch(r'-?[\d.]+(,\d+)?', cell)
            check(ok is not None, f'{label}: value {cell!r} with unit {unit!r}')
        # The same in the HTML table.
        want = f'{row[1]}</td>'
        check(html.escape(row[1], quote=False) + '</td>' in page or want in page,
              f'{label}: HTML shows {row[1]!r}')

# The focus sentence: near the top (before the verdict) exactly when the wijk is a focus area.
FULL = 'Deze wijk is zelf een van de'
PART = 'Deze wijk ligt voor een deel in de aandachtswijken'
for name, t in (('HTML', html_text), ('Markdown', md_text)):
    top = t.split('Preventiebudget: indicatief oordeel')[0]
    if focus_want == 'focus':
        check(FULL in top, f'{name}: says near the top that the wijk is an aandachtswijk')
    elif focus_want == 'partial':
        check(PART in top, f'{name}: says near the top that the wijk is partly in one')
    else:
        check(FULL not in t and PART not in t, f'{name}: no aandachtswijk sentence')
w = doc['wijk']
check(w.get('is_focus_area') == (focus_want == 'focus'),
      f"JSON wijk.is_focus_area = {w.get('is_focus_area')}")
sys.exit(1 if fails else 0)
