// tests/html/check.mjs - open an HTML report in Debian's Chromium (headless,
// driven by playwright-core) and check what a person would see: the rows,
// a finding opened to its code with the trace marked in place, filters,
// sorting, the chart; no console errors and no request but the page itself.
//
// usage: node tests/html/check.mjs REPORT.html EXPECTED_COUNT
//            [--json REPORT.json] [--screenshot OUT.png] [--expect-text TEXT]...
//   --json         the JSON report of the same run: exact expectations for
//                  the opened finding, the filters and the chart
//   --screenshot   save a 1280x900 screenshot with one finding opened
//   --expect-text  text that must be shown literally once every row is open
//                  (e.g. markup from a hostile source file)
// With EXPECTED_COUNT 0 the page must say "No findings".
// Prints "ok - ..." / "not ok - ..." per check; exits 1 if any failed.
import { chromium } from 'playwright-core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SEV = { low: 0, medium: 1, high: 2, critical: 3 };

let failures = 0;
function check(cond, name, detail) {
	if (cond) {
		console.log(`ok - ${name}`);
	} else {
		failures++;
		console.log(`not ok - ${name}${detail === undefined ? '' : ` (${detail})`}`);
	}
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const show = (v) => JSON.stringify(v);

// ---- arguments ----------------------------------------------------------------
const argv = process.argv.slice(2);
const opts = { json: null, screenshot: null, texts: [] };
const pos = [];
for (let i = 0; i < argv.length; i++) {
	if (argv[i] === '--json') opts.json = argv[++i];
	else if (argv[i] === '--screenshot') opts.screenshot = argv[++i];
	else if (argv[i] === '--expect-text') opts.texts.push(argv[++i]);
	else pos.push(argv[i]);
}
if (pos.length !== 2 || !/^\d+$/.test(pos[1])) {
	console.error('usage: node tests/html/check.mjs REPORT.html EXPECTED_COUNT ' +
		'[--json REPORT.json] [--screenshot OUT.png] [--expect-text TEXT]...');
	process.exit(2);
}
const report = resolve(pos[0]);
const expected = Number(pos[1]);
const url = pathToFileURL(report).href;
const data = opts.json ? JSON.parse(readFileSync(opts.json, 'utf8')) : null;
if (data)
	check(data.findings.length === expected,
		'the JSON report has the expected number of findings',
		`${data.findings.length} vs ${expected}`);

// ---- helpers running in the page ------------------------------------------------
const visibleRows = (page) => page.locator('#findings tr.f:visible');
const rowById = (page, id) =>
	page.locator('#findings tr.f').filter({ has: page.locator('td.id', { hasText: id }) }).first();
const countText = (page) => page.locator('#count').textContent();
const visibleAttr = (page, attr) => page.$$eval('#findings tr.f', (trs, a) =>
	trs.filter((tr) => !tr.hidden).map((tr) => tr.getAttribute(a)), attr);

async function reset(page) {
	await page.click('#reset');
	await page.click('#closeall');
}

// Same-file trace steps of a JSON finding, with their 1-based numbers.
function inPlaceSteps(f) {
	return f.trace.map((s, i) => ({ ...s, n: i + 1 })).filter((s) => s.path === f.path);
}

// The finding to open: most distinct same-file step lines, first on ties.
function pickFinding(findings) {
	let best = findings[0], score = -1;
	for (const f of findings) {
		const lines = new Set(inPlaceSteps(f).map((s) => s.line)).size;
		if (lines > score) { best = f; score = lines; }
	}
	return best;
}

// ---- the checks -----------------------------------------------------------------
async function checkEmpty(page) {
	check(await page.locator('#empty').isVisible() &&
		(await page.locator('#empty').textContent()).trim() === 'No findings',
		'an empty report says "No findings"');
	check(await page.locator('tr.f').count() === 0, 'an empty report has no rows');
	check((await page.textContent('#n-findings')).trim() === '0', 'the header counts 0 findings');
}

async function checkRows(page) {
	check(expected > 0, 'the expected finding count is positive', expected);
	check(await visibleRows(page).count() === expected, 'one visible row per finding',
		`${await visibleRows(page).count()} rows, ${expected} findings`);
	check(await countText(page) === `${expected} of ${expected} findings`,
		'the count reads "N of N findings"', await countText(page));
	check((await page.textContent('#n-findings')).trim() === String(expected),
		'the header counts the findings');
	check(await page.locator('#findings tr.d:visible').count() === 0,
		'finding details start closed');
	const ns = await page.$$eval('svg.chart .seg', (gs) => gs.map((g) => +g.dataset.n));
	check(ns.length > 0 && ns.reduce((a, b) => a + b, 0) === expected,
		'the chart segments add up to the findings', show(ns));
	if (data) {
		const byFam = await page.$$eval('svg.chart .bar', (gs) => gs.map((g) =>
			[g.dataset.fam, +g.querySelector('.total').textContent]));
		const want = Object.entries(data.summary.by_family).filter(([, n]) => n > 0);
		check(same(byFam.sort(), want.sort()), 'the chart shows each family\'s total',
			`${show(byFam)} vs ${show(want)}`);
	}
}

async function checkOpen(page, f) {
	const steps = inPlaceSteps(f);
	const row = rowById(page, f.id);
	await row.click();
	const detail = row.locator('xpath=following-sibling::tr[1]');
	check(await detail.isVisible() && await row.getAttribute('aria-expanded') === 'true',
		`clicking ${f.id} opens its details`);
	const code = detail.locator('.code');
	check(await code.isVisible(), `${f.id} shows a code view`);

	const findingLines = await detail.locator('.ln.mark.finding .no').allTextContents();
	check(findingLines.includes(String(f.line)),
		`${f.id}: the finding's line ${f.line} is highlighted`, show(findingLines));
	const stepLines = await detail.locator('.ln.mark.step .no').allTextContents();
	const wantLines = [...new Set(steps.map((s) => String(s.line)))].sort();
	check(same([...stepLines].sort(), wantLines),
		`${f.id}: each same-file trace step's line is highlighted`,
		`${show(stepLines)} vs ${show(wantLines)}`);

	// each marker: its number, its message, right under its step's line
	const markers = await detail.locator('.step-marker').evaluateAll((ms) => ms.map((m) => {
		let ln = m.parentElement.previousElementSibling;
		while (ln && !ln.classList.contains('ln')) ln = ln.previousElementSibling;
		return {
			n: Number(m.textContent),
			msg: m.nextElementSibling.textContent,
			line: ln ? Number(ln.querySelector('.no').textContent) : 0,
			visible: m.offsetParent !== null,
		};
	}));
	check(markers.length === steps.length && steps.length > 0,
		`${f.id}: ${steps.length} numbered markers for its same-file steps`,
		`${markers.length} markers`);
	const got = markers.map((m) => [m.n, m.line, m.msg]).sort((a, b) => a[0] - b[0]);
	const want = steps.map((s) => [s.n, s.line, s.message]);
	check(same(got, want) && markers.every((m) => m.visible),
		`${f.id}: each marker shows its step number and message under its line`,
		`${show(got)} vs ${show(want)}`);

	// the code is the file's text, with line numbers
	let source = null;
	try { source = readFileSync(f.path, 'utf8').split('\n'); } catch { /* frame */ }
	if (source) {
		const text = await detail.locator('.ln.finding').first().locator('.tx').textContent();
		check(text === source[f.line - 1].replace(/\r$/, ''),
			`${f.id}: the highlighted line is the source line`, show(text));
	}
	const fix = await detail.locator('.fix').textContent();
	check(fix.includes(f.fix_hint), `${f.id}: the fix hint is shown`);
	const meta = await detail.locator('.meta').textContent();
	check(meta.includes(f.fingerprint) && meta.includes(f.confidence) &&
		f.cwe.every((c) => meta.includes(c)),
		`${f.id}: fingerprint, confidence and CWE ids are shown`, meta);

	await row.click();
	check(!await detail.isVisible(), `clicking ${f.id} again closes it`);
	await row.focus();
	await page.keyboard.press('Enter');
	check(await detail.isVisible(), `Enter on a focused row opens it`);
	await page.keyboard.press('Enter');
	check(!await detail.isVisible(), `Enter again closes it`);
}

async function checkFilters(page) {
	const fams = [...new Set(data.findings.map((f) => f.family))];
	const fam = fams.map((name) => [name, data.findings.filter((f) => f.family === name).length])
		.find(([, n]) => n < expected);
	check(fam !== undefined, 'the report has a family filter that leaves rows out', show(fams));
	if (fam) {
		await page.selectOption('#ffam', fam[0]);
		const famRows = await visibleAttr(page, 'data-fam');
		check(famRows.length === fam[1] && famRows.length < expected &&
			famRows.every((x) => x === fam[0]),
			`filtering by family "${fam[0]}" shows its ${fam[1]} findings`,
			`${famRows.length} rows`);
		check(await countText(page) === `${fam[1]} of ${expected} findings`,
			'the count follows the family filter', await countText(page));
		await reset(page);
		check(await visibleRows(page).count() === expected, 'Reset shows every row again');
	}

	const sev = Object.keys(SEV).find((s) => data.findings.some((f) => f.severity === s));
	const nsev = data.findings.filter((f) => f.severity === sev).length;
	await page.selectOption('#fsev', String(SEV[sev]));
	check(await visibleRows(page).count() === nsev,
		`filtering by severity "${sev}" shows its ${nsev} findings`);
	await reset(page);

	const rule = data.findings[data.findings.length - 1].code;
	const nrule = data.findings.filter((f) => f.code === rule).length;
	await page.selectOption('#frule', rule);
	check(await visibleRows(page).count() === nrule,
		`filtering by rule ${rule} shows its ${nrule} findings`);
	await reset(page);

	const id = data.findings[0].id;
	const nid = data.findings.filter((f) => f.id === id).length;
	await page.fill('#q', id.toLowerCase());
	check(await visibleRows(page).count() === nid, `the text filter finds ${id} by ID`);
	const word = data.findings[0].path.split('/').pop();
	const nword = data.findings.filter((f) => f.path.includes(word)).length;
	await page.fill('#q', word);
	check(await visibleRows(page).count() === nword,
		`the text filter matches paths (${nword} in ${word})`);
	await page.fill('#q', 'no-such-finding-anywhere');
	check(await visibleRows(page).count() === 0 && await page.locator('#nomatch').isVisible(),
		'a text that matches nothing shows no rows and says so');
	await reset(page);

	const seg = page.locator('svg.chart .seg').first();
	const segN = Number(await seg.getAttribute('data-n'));
	await seg.click();
	check(await visibleRows(page).count() === segN,
		'clicking a chart segment filters to its findings', `${segN}`);
	await reset(page);
}

async function checkSort(page) {
	await page.click('th[data-sort="sev"] button');
	let sevs = (await visibleAttr(page, 'data-sev')).map(Number);
	const top = Math.max(...sevs);
	check(sevs.length === expected && sevs[0] === top && top >= SEV.high &&
		sevs.every((s, i) => i === 0 || sevs[i - 1] >= s),
		'sorting by severity puts critical/high first', show(sevs.slice(0, 5)));
	check(await page.getAttribute('th[data-sort="sev"]', 'aria-sort') === 'descending',
		'the severity header shows the sort direction');
	await page.click('th[data-sort="sev"] button');
	sevs = (await visibleAttr(page, 'data-sev')).map(Number);
	check(sevs.every((s, i) => i === 0 || sevs[i - 1] <= s),
		'a second click sorts by severity the other way');

	await page.click('th[data-sort="loc"] button');
	const locs = await page.$$eval('#findings tr.f', (trs) =>
		trs.map((tr) => [tr.dataset.path, Number(tr.dataset.line)]));
	const sorted = [...locs].sort((a, b) =>
		a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]);
	check(same(locs, sorted), 'sorting by location orders by path and line');

	const paired = await page.$$eval('#findings tr.f', (trs) => trs.every((tr) =>
		tr.nextElementSibling && tr.nextElementSibling.id === 'd' + tr.dataset.i));
	check(paired, 'each detail row moves with its finding when sorting');
}

async function checkTexts(page) {
	await page.click('#openall');
	const text = await page.locator('body').innerText();
	for (const t of opts.texts)
		check(text.includes(t), `the page shows ${show(t)} as text`);
	await page.click('#closeall');
}

async function screenshot(page, f) {
	await page.setViewportSize({ width: 1280, height: 900 });
	await page.goto(url, { waitUntil: 'load' });
	await page.selectOption('#frule', f.code);
	await rowById(page, f.id).click();
	await page.evaluate(() => window.scrollTo(0, 0));
	await page.screenshot({ path: opts.screenshot });
	console.log(`# screenshot saved to ${opts.screenshot}`);
}

// ---- the session ------------------------------------------------------------------
const profile = mkdtempSync(join(tmpdir(), 'faultline-html-'));
let context;
try {
	context = await chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM, headless: true, args: ARGS,
		viewport: { width: 1280, height: 900 },
	});
	const page = context.pages()[0] || await context.newPage();
	const errors = [], requests = [], dialogs = [];
	page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
	page.on('pageerror', (e) => errors.push(String(e)));
	page.on('request', (r) => requests.push(r.url()));
	page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
	page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });

	await page.goto(url, { waitUntil: 'load' });
	check((await page.title()).startsWith('faultline report'), 'the page loads with its title',
		await page.title());

	if (expected === 0) {
		await checkEmpty(page);
	} else {
		await checkRows(page);
		const f = data ? pickFinding(data.findings) : null;
		if (f) {
			await checkOpen(page, f);
			await checkFilters(page);
		}
		await checkSort(page);
		if (opts.texts.length) await checkTexts(page);
		if (opts.screenshot && f) await screenshot(page, f);
	}

	check((await page.title()).startsWith('faultline report'), 'no script changed the title',
		await page.title());
	check(dialogs.length === 0, 'no dialogs', show(dialogs));
	check(errors.length === 0, 'no console errors', show(errors));
	check(requests.length >= 1 && requests.every((r) => r === url),
		'no network requests: only the report itself is loaded', show(requests));
} catch (e) {
	check(false, 'the browser session runs to completion', String(e && e.stack || e));
} finally {
	if (context) await context.close();
	rmSync(profile, { recursive: true, force: true });
}
process.exit(failures ? 1 : 0);
