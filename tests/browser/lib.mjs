// Browser-test harness: a private `linli serve` over a fresh SQLite demo store with one account
// per role, Debian's Chromium through playwright-core, RFC 6238 codes for the TOTP roles, and a
// tiny runner that prints one line per test and "N passed, N failed".
import { createRequire } from "node:module";
import { spawn, execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../..",
);
const require = createRequire(path.join(ROOT, "web/package.json"));
export const { chromium } = require("playwright-core");

export const BUILD_DIR = path.resolve(ROOT, process.env.BUILD_DIR ?? "build");
export const LINLI = path.join(BUILD_DIR, "linli");
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const SHOTS = path.join(ROOT, "docs/screenshots");
export const PASSWORD = "Linli@Demo2026";
export const NEW_PASSWORD = "Linli@Test2026!";

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s) for a base32 secret, at time t (ms). */
export function totp(secret, t = Date.now()) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const ch of secret.replace(/=+$/, "").toUpperCase())
    bits += alphabet.indexOf(ch).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(t / 1000 / 30)));
  const h = createHmac("sha1", key).update(counter).digest();
  const off = h[h.length - 1] & 0xf;
  const n = (h.readUInt32BE(off) & 0x7fffffff) % 1000000;
  return String(n).padStart(6, "0");
}

/** A fresh code: waits for the next 30 s window when this one was used for the same secret. */
const usedWindows = new Map();
export async function freshTotp(secret) {
  for (;;) {
    const w = Math.floor(Date.now() / 30000);
    if (usedWindows.get(secret) !== w && Date.now() % 30000 < 27000) {
      usedWindows.set(secret, w);
      return totp(secret);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

export class World {
  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "linli-browser-"));
    this.db = `sqlite:${path.join(this.dir, "x.db")}`;
    this.env = {
      ...process.env,
      LINLI_AUDIT_KEY: path.join(this.dir, "audit.key"),
      LINLI_FIELD_KEY: path.join(this.dir, "field.key"),
    };
    this.users = {};
    this.server = null;
  }

  linli(...args) {
    return execFileSync(LINLI, [...args, "--db", this.db], {
      env: this.env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  }

  addUser(username, role, org) {
    const out = this.linli(
      "user",
      "add",
      "--username",
      username,
      "--role",
      role,
      "--org",
      org,
      "--password",
      PASSWORD,
    );
    const m = /secret=([A-Z2-7]+)/.exec(out);
    this.users[username] = {
      username,
      role,
      org,
      password: PASSWORD,
      secret: m ? m[1] : null,
    };
    return this.users[username];
  }

  /** Creates the demo store; call before addUser and start (SQLite allows one writer process). */
  demo() {
    this.linli("demo", "--residents", "300", "--seed", "1");
  }

  async start() {
    this.port = await freePort();
    this.base = `http://127.0.0.1:${this.port}`;
    this.server = spawn(
      LINLI,
      [
        "serve",
        "--db",
        this.db,
        "--listen",
        `127.0.0.1:${this.port}`,
        "--web",
        path.join(ROOT, "web/dist"),
      ],
      {
        env: this.env,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    this.serverLog = "";
    this.server.stdout.on("data", (d) => (this.serverLog += d));
    this.server.stderr.on("data", (d) => (this.serverLog += d));
    for (let i = 0; i < 100; i++) {
      try {
        const r = await fetch(`${this.base}/api/v1/health`);
        if (r.ok) return;
      } catch {
        /* not yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`linli serve did not start:\n${this.serverLog}`);
  }

  /** Signs in through the API (changing the first password) and returns {cookie, csrf}. */
  async apiLogin(username) {
    const u = this.users[username];
    const body = { username, password: u.password };
    if (u.secret) body.totp_code = await freshTotp(u.secret);
    let r = await fetch(`${this.base}/api/v1/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (r.status !== 201)
      throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
    let cookie = r.headers.get("set-cookie").split(";")[0];
    let data = (await r.json()).data;
    if (data.must_change_password) {
      r = await fetch(`${this.base}/api/v1/session/password`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          cookie,
          "x-csrf-token": data.csrf_token,
        },
        body: JSON.stringify({
          old_password: u.password,
          new_password: NEW_PASSWORD,
        }),
      });
      if (!r.ok)
        throw new Error(`password ${username}: ${r.status} ${await r.text()}`);
      u.password = NEW_PASSWORD;
      cookie = (r.headers.get("set-cookie") ?? cookie).split(";")[0];
      data = (await r.json()).data;
    }
    return { cookie, csrf: data.csrf_token };
  }

  /** A request with a JSON body (or none): {status, json}. */
  async api(session, method, p, body) {
    return this.request(
      session,
      method,
      p,
      "application/json",
      body === undefined ? undefined : JSON.stringify(body),
    );
  }

  /** A request with a raw body (an upload): {status, json}. */
  async apiRaw(session, method, p, bytes) {
    return this.request(session, method, p, "application/octet-stream", bytes);
  }

  async request(session, method, p, contentType, body) {
    const r = await fetch(`${this.base}/api/v1${p}`, {
      method,
      headers: {
        "content-type": contentType,
        cookie: session.cookie,
        "x-csrf-token": session.csrf,
      },
      body,
    });
    const text = await r.text();
    return { status: r.status, json: text ? JSON.parse(text) : null };
  }

  /** Stops the server (to add users: SQLite allows one writer process) and starts it again. */
  async restart(between) {
    const exited = new Promise((r) => this.server.once("exit", r));
    this.server.kill("SIGTERM");
    await exited;
    between();
    await this.start();
  }

  stop() {
    if (this.server) this.server.kill("SIGTERM");
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-dev-shm-usage",
    ],
  });
}

/** Logs in through the UI (TOTP when asked); lands past the password change. */
export async function uiLogin(page, world, username) {
  const u = world.users[username];
  await page.goto(`${world.base}/login`);
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', u.password);
  await page.click('[data-test="login-submit"]');
  if (u.secret) {
    await page.waitForSelector('input[name="totp_code"]');
    await page.fill('input[name="totp_code"]', await freshTotp(u.secret));
    await page.click('[data-test="login-submit"]');
  }
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
  if (new URL(page.url()).pathname === "/password") {
    await page.fill('input[name="old_password"]', u.password);
    await page.fill('input[name="new_password"]', NEW_PASSWORD);
    await page.fill('input[name="repeat_password"]', NEW_PASSWORD);
    await page.click('[data-test="password-submit"]');
    await page.waitForURL((url) => url.pathname === "/");
    u.password = NEW_PASSWORD;
  }
}

export async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.waitForTimeout(300);
  await page.screenshot({
    path: path.join(SHOTS, `${name}.png`),
    fullPage: false,
  });
}

export function assert(cond, message) {
  if (!cond) throw new Error(message);
}

/**
 * Waits for the form error under `[data-field=field]` and checks that it says every one of
 * `words`; returns its text.
 */
export async function expectFieldError(page, field, words) {
  const el = await page.waitForSelector(
    `[data-field="${field}"] .el-form-item__error`,
  );
  const text = await el.textContent();
  for (const w of words) assert(text.includes(w), `${field} error: ${text}`);
  return text;
}

/** Runs tests in order; prints ok/FAIL lines and the closing count line. Returns failures. */
export async function runTests(tests, ctx) {
  let passed = 0;
  let failed = 0;
  const only = process.env.BROWSER_TEST_FILTER;
  for (const [name, fn] of tests) {
    if (only && !name.includes(only)) continue;
    const start = Date.now();
    try {
      await fn(ctx);
      passed++;
      console.log(`ok   ${name} (${Date.now() - start} ms)`);
    } catch (e) {
      failed++;
      console.log(
        `FAIL ${name} (${Date.now() - start} ms)\n     ${String(e?.stack ?? e)
          .split("\n")
          .slice(0, 6)
          .join("\n     ")}`,
      );
    }
  }
  return { passed, failed };
}

/** A valid 18-digit ID number for a 17-digit body (GB 11643 check digit). */
export function idWithCheck(body17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body17].reduce((s, d, i) => s + Number(d) * w[i], 0);
  return body17 + "10X98765432"[sum % 11];
}

/** YYYY-MM-DD of n days before today (local time, like the date pickers). */
export function daysAgo(n) {
  const d = new Date();
  d.setDate(d.getDate() - n);
  const p = (x) => String(x).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** Types a date into an Element Plus date picker inside `scope` and confirms it. */
export async function fillDate(page, scope, value) {
  const input = page.locator(`${scope} input`).first();
  await input.click();
  await input.fill(value);
  await input.press("Enter");
  await page.keyboard.press("Escape").catch(() => {});
}

/** The cells of an .xlsx file's first sheet as rows of text (shared or inline strings), via Python. */
export function readXlsxRows(file) {
  const out = execFileSync(
    "python3",
    [
      "-c",
      `import json,re,sys,zipfile
import xml.etree.ElementTree as ET
ns={'m':'http://schemas.openxmlformats.org/spreadsheetml/2006/main'}
z=zipfile.ZipFile(sys.argv[1])
shared=[]
if 'xl/sharedStrings.xml' in z.namelist():
  for si in ET.fromstring(z.read('xl/sharedStrings.xml')).findall('m:si',ns):
    shared.append(''.join(t.text or '' for t in si.iter('{%s}t'%ns['m'])))
def col(ref):
  n=0
  for ch in re.match('[A-Z]+',ref).group(0): n=n*26+ord(ch)-64
  return n-1
rows=[]
for row in ET.fromstring(z.read('xl/worksheets/sheet1.xml')).iter('{%s}row'%ns['m']):
  cells={}
  for c in row.findall('m:c',ns):
    t=c.get('t'); v=c.find('m:v',ns)
    if t=='s': text=shared[int(v.text)]
    elif t=='inlineStr': text=''.join(x.text or '' for x in c.iter('{%s}t'%ns['m']))
    else: text=v.text if v is not None else ''
    cells[col(c.get('r'))]=text
  rows.append([cells.get(i,'') for i in range(max(cells)+1)] if cells else [])
print(json.dumps(rows,ensure_ascii=False))`,
      file,
    ],
    { encoding: "utf8" },
  );
  return JSON.parse(out);
}

/** Picks the subject of a ledger enrolment form: types the name, chooses the one hit. */
export async function pickSubject(page, name) {
  await page.click('[data-test="ledger-subject"] .el-select__wrapper');
  await page.fill('[data-test="ledger-subject"] input', name);
  await page.click(`.el-select-dropdown__item:visible:has-text("${name}")`);
  await page.waitForSelector('[data-test="ledger-subject-chosen"]');
}

/** Downloads a ledger's export from its 导入导出 page (no approval needed) into `dir`; returns the path. */
export async function downloadLedgerExport(page, base, key, dir) {
  await page.goto(`${base}/ledgers/${key}/transfer`);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.click('[data-test="ledger-export-download"]'),
  ]);
  assert(
    download.suggestedFilename().endsWith(".xlsx"),
    `export file: ${download.suggestedFilename()}`,
  );
  const file = path.join(dir, `${key}-export.xlsx`);
  await download.saveAs(file);
  return file;
}
