# SPDX-License-Identifier: MIT
# Compares a printed diagnosis (pdftotext output) with its HTML and JSON: every number the
# report shows, every figure of the JSON as the report rounds it, every table column header, and
# no heading as the last line of a page. Usage: print_check.py HTML JSON RAW.txt LAYOUT.txt;
# JSON '-' checks a page without one (the scan's index) on its own numbers, headers, headings.
import html
import json
import re
import sys

html_path, json_path, raw_path, layout_path = sys.argv[1:5]


def norm(t):
    return re.sub(r'\s+', ' ', t.replace('\u2212', '-').replace('\u00a0', ' ')).strip()


def text(fragment):
    return norm(html.unescape(re.sub(r'<[^>]+>', ' ', fragment)))


def fmt(v):
    # The report's format for scores: three decimals, decimal comma (src/diagnose/text.c).
    s = f'{v:.3f}'.replace('.', ',')
    return '0,000' if s == '-0,000' else s


NUM = r'-?\d+(?:[.,]\d+)*'
page = open(html_path, encoding='utf-8').read()
# Only what is printed: not the head, the style sheet, nor SVG tooltips (<title>).
body = re.sub(r'<head>.*?</head>|<style>.*?</style>|<title>.*?</title>', ' ', page, flags=re.S)
raw = norm(open(raw_path, encoding='utf-8').read())
pdf_nums = set(re.findall(NUM, raw))
# Numbers glued to a sign ('+0,030') are found without it too.
pdf_nums |= {n.lstrip('+') for n in re.findall(r'\+\d+(?:[.,]\d+)*', raw)}
pdf_words = set(re.findall(r'\w+', raw))
fails = []

shown = set(re.findall(NUM, text(body)))
missing = sorted(shown - pdf_nums)
print(f'report shows {len(shown)} distinct numbers; {len(shown) - len(missing)} in the PDF')
if missing:
    fails.append(f'numbers of the report not in the PDF: {missing[:20]}')

d = json.load(open(json_path, encoding='utf-8')) if json_path != '-' else {'years': []}
want = []


def area(label, a, keys=('lbm', 'afw')):
    for k in keys:
        if a.get(k) is not None:
            want.append((f'{label} {k}', fmt(a[k])))
    for code, v in a.get('dimensions', {}).items():
        if isinstance(v, dict):
            v = v.get('delta')
        if v is not None:
            want.append((f'{label} {code}', fmt(v)))


for y in d['years']:
    for who in ('wijk', 'gemeente', 'focus'):
        if y.get(who):
            area(f"{y['year']} {who}", y[who])
for c in d.get('comparison', []):
    for k in ('wijk', 'gemeente', 'gap'):
        if c.get(k) is not None:
            want.append((f"comparison {c['code']} {k}", fmt(c[k])))
for dv in d.get('development', []):
    for who in ('wijk', 'gemeente', 'focus'):
        if dv.get(who) and who == 'wijk':
            area(f"change {dv['from']}-{dv['to']} {who}", dv[who], ('lbm',))
lost = [f'{n}={v}' for n, v in want if v not in pdf_nums]
print(f'figures of the JSON checked: {len(want)}; {len(want) - len(lost)} in the PDF')
if lost:
    fails.append(f'figures of the JSON not in the PDF: {lost[:20]}')

heads = {text(h) for h in re.findall(r'<th\b[^>]*>(.*?)</th>', body, flags=re.S)}
cut = sorted(h for h in heads if not all(w in pdf_words for w in re.findall(r'\w+', h)))
print(f'table column headers: {len(heads)}; {len(heads) - len(cut)} whole in the PDF')
if cut:
    fails.append(f'column headers not whole in the PDF: {cut}')

titles = [text(h) for h in re.findall(r'<h[1-6]\b[^>]*>(.*?)</h[1-6]>', body, flags=re.S)]
pages = open(layout_path, encoding='utf-8').read().split('\f')
alone = []
for i, p in enumerate(pages[:-1]):
    lines = [norm(line) for line in p.split('\n') if line.strip()]
    if lines and any(t == lines[-1] or t.startswith(lines[-1] + ' ') for t in titles):
        alone.append(f'page {i + 1}: {lines[-1]!r}')
print(f'pages: {sum(1 for p in pages if p.strip())}; headings last on a page: {len(alone)}')
if alone:
    fails.append(f'headings alone at the bottom of a page: {alone}')
for f in fails:
    print('FAIL', f)
sys.exit(1 if fails else 0)
