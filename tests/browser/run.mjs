// Browser tests of the web UI (issue 4), run by scripts/test.sh after the C++ suite:
//   login with the forced password change, TOTP login, search (name, pinyin initials, ID
//   fragment, Traditional input, keyboard), the audited reveal and its audit entry, create/edit
//   with server field errors at the field, the import wizard with a dirty file, export download,
//   a grid worker refused another grid's resident by URL, the 390 px phone layout, the 简体/繁體
//   switch, and a screenshot of each main page into docs/screenshots/ for docs/USER-GUIDE.md;
//   first, the web sources are type-checked (vue-tsc) and checked for prettier formatting; then
//   the 台账 pages (ledgers.mjs) and a ledger declared only by a folder the run writes
//   (declared-ledger.mjs, on every `linli` of the run through LINLI_LEDGERS).
// Usage: node tests/browser/run.mjs   (BUILD_DIR, CHROMIUM, BROWSER_TEST_FILTER=name-part)
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import {
  ROOT,
  World,
  launchBrowser,
  uiLogin,
  shot,
  assert,
  expectFieldError,
  runTests,
  idWithCheck,
} from "./lib.mjs";
import { ledgerTests } from "./ledgers.mjs";
import {
  declaredLedgerTests,
  writeDeclaredLedger,
} from "./declared-ledger.mjs";

const COMMUNITY = "110105001001";

async function newPage(ctx, opts = {}) {
  const context = await ctx.browser.newContext({
    viewport: opts.phone
      ? { width: 390, height: 844 }
      : { width: 1280, height: 860 },
    deviceScaleFactor: 1,
    isMobile: !!opts.phone,
    hasTouch: !!opts.phone,
    acceptDownloads: true,
    locale: "zh-CN",
  });
  ctx.contexts.push(context);
  return context.newPage();
}

/** Picks an option of an Element Plus select inside `scope` by its visible text. */
async function pickOption(page, scope, text) {
  await page.click(`${scope} .el-select__wrapper`);
  await page.click(`.el-select-dropdown__item:visible:has-text("${text}")`);
}

async function noHorizontalScroll(page, what) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert(
    w <= 392,
    `${what}: page is ${w}px wide at 390px (horizontal scrolling)`,
  );
}

/** Writes a minimal .xlsx (one sheet of inline strings) with Python's zipfile. */
function writeXlsx(file, rows) {
  const esc = (v) =>
    String(v)
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;");
  const sheet =
    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' +
    rows
      .map(
        (r, i) =>
          `<row r="${i + 1}">` +
          r
            .map((v) => `<c t="inlineStr"><is><t>${esc(v)}</t></is></c>`)
            .join("") +
          "</row>",
      )
      .join("") +
    "</sheetData></worksheet>";
  const parts = {
    "[Content_Types].xml":
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels":
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml":
      '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels":
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    "xl/worksheets/sheet1.xml": sheet,
  };
  execFileSync(
    "python3",
    [
      "-c",
      "import json,sys,zipfile\n" +
        "parts=json.load(sys.stdin)\n" +
        "with zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED) as z:\n" +
        "  [z.writestr(k,v) for k,v in parts.items()]",
      file,
    ],
    { input: JSON.stringify(parts) },
  );
}

/** Runs a tool from web/node_modules in web/; throws with its output when it fails. */
function webTool(script, ...args) {
  try {
    execFileSync(
      process.execPath,
      [path.join(ROOT, "web/node_modules", script), ...args],
      {
        cwd: path.join(ROOT, "web"),
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
  } catch (e) {
    throw new Error(
      `${script}: ${e.message}\n${(e.stdout ?? "") + (e.stderr ?? "")}`.slice(
        0,
        2000,
      ),
    );
  }
}

const tests = [
  [
    "web sources type-check (vue-tsc --noEmit) and are formatted (prettier --check)",
    async () => {
      webTool("vue-tsc/bin/vue-tsc.js", "--noEmit");
      webTool(
        "prettier/bin/prettier.cjs",
        "--check",
        "src/**/*.{ts,vue}",
        "scripts/*.mjs",
        "vite.config.ts",
        "../tests/browser/*.mjs",
      );
    },
  ],
  [
    "login: first login forces the password change, then the home dashboard",
    async (ctx) => {
      const page = await newPage(ctx);
      await page.goto(`${ctx.world.base}/`);
      await page.waitForURL(/\/login/);
      await page.fill('input[name="username"]', "laowang");
      await page.fill('input[name="password"]', "wrong-password");
      await page.click('[data-test="login-submit"]');
      await page.waitForSelector('[data-test="login-error"]');
      await page.fill('input[name="username"]', "");
      await shot(page, "01-login");
      await uiLogin(page, ctx.world, "laowang");
      await page.waitForSelector('[data-test="stat-residents"]');
      const residents = await page.textContent(
        '[data-test="stat-residents"] .num',
      );
      assert(residents.trim() === "300", `residents shown: ${residents}`);
      await page.waitForSelector("canvas");
      await shot(page, "02-home");
      const compare = await page.waitForSelector(
        '[data-test="home-compare"] >> text=第1网格',
      );
      await compare.scrollIntoViewIfNeeded();
      await shot(page, "21-home-compare");
      // Recent changes of the unit: the demo's registrations, each linking to its person.
      const change = await page.waitForSelector(
        '[data-test="home-changes"] li a',
      );
      const href = await change.getAttribute("href");
      assert(/\/persons\/\d+$/.test(href), `change links to ${href}`);
    },
  ],
  [
    "org tree and places tree (vacant and rented rooms marked)",
    async (ctx) => {
      const page = await newPage(ctx);
      await uiLogin(page, ctx.world, "worker");
      await page.goto(`${ctx.world.base}/org`);
      await page.waitForSelector('[data-test="org-tree"] >> text=第1网格');
      await shot(page, "03-org");
      await page.goto(`${ctx.world.base}/places`);
      const tree = '[data-test="places-tree"]';
      await page.click(`${tree} .el-tree-node__content >> nth=0`);
      await page.click(`${tree} >> text=1栋`);
      await page.click(`${tree} >> text=1单元`);
      await page.waitForSelector(`${tree} [data-kind="room"]`);
      const vacant = await page
        .locator(`${tree} [data-kind="room"].vacant`)
        .count();
      const owner = await page
        .locator(`${tree} [data-kind="room"].owner`)
        .count();
      assert(vacant + owner > 0, "rooms are not coloured by use");
      const tiles = '[data-test="unit-rooms"] .tile';
      await page.waitForSelector(tiles);
      assert(
        (await page.locator(`${tiles}.vacant, ${tiles}.rented`).count()) > 0,
        "no vacant or rented room tile in the unit",
      );
      await page.click(`${tiles}.owner >> nth=0`);
      await page.waitForSelector('[data-test="place-detail"] li');
      await shot(page, "04-places");
    },
  ],
  [
    "search as you type: name, pinyin initials, ID fragment, Traditional input, keyboard",
    async (ctx) => {
      const page = await newPage(ctx);
      await uiLogin(page, ctx.world, "worker");
      await page.goto(`${ctx.world.base}/search`);
      const input = '[data-test="search-input"]';
      const target = ctx.target;
      const times = [];
      for (const q of [target.name, target.initials, target.traditional]) {
        await page.fill(input, "");
        await page.waitForSelector('[data-test="search-results"]', {
          state: "detached",
        });
        const start = Date.now();
        await page.fill(input, q);
        await page.waitForSelector(`[data-test="hit-${target.id}"]`, {
          timeout: 5000,
        });
        times.push(`${q} ${Date.now() - start} ms`);
      }
      console.log(
        `     typed → results shown (300 residents, 40 ms debounce): ${times.join(", ")}`,
      );
      await page.fill(input, target.idTail);
      await page.waitForSelector('[data-test="search-results"] .hit');
      const ids = await page.$$eval(
        '[data-test="search-results"] .line2 span:first-child',
        (els) => els.map((e) => e.textContent),
      );
      assert(
        ids.length > 0 && ids.every((s) => s.endsWith(target.idTail)),
        `ID fragment results: ${ids.join(",")}`,
      );
      await page.fill(input, target.initials);
      await page.waitForSelector(`[data-test="hit-${target.id}"]`);
      await shot(page, "05-search");
      await page.focus(input);
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("ArrowUp");
      await page.keyboard.press("Enter");
      await page.waitForURL(/\/persons\/\d+$/);
      await page.waitForSelector('[data-test="person-name"]');
    },
  ],
  [
    "reveal asks for a reason, shows the full value, and the auditor sees the entry",
    async (ctx) => {
      const page = await newPage(ctx);
      await uiLogin(page, ctx.world, "worker");
      await page.goto(`${ctx.world.base}/persons/${ctx.target.id}`);
      await page.waitForSelector('[data-test="value-phone"]');
      const masked = await page.textContent('[data-test="value-phone"]');
      assert(masked.includes("*"), `phone not masked: ${masked}`);
      await shot(page, "06-person");
      await page.click('[data-test="reveal-phone"]');
      await page.click('[data-test="reveal-confirm"]');
      await page.waitForSelector(
        '[data-test="reveal-dialog"] .el-form-item__error',
      );
      await page.fill('input[name="reveal_reason"]', "电话回访核实");
      await page.click('[data-test="reveal-confirm"]');
      await page.waitForFunction(() =>
        /^\d{11}$/.test(
          document.querySelector('[data-test="value-phone"]')?.textContent ??
            "",
        ),
      );

      const audit = await newPage(ctx);
      await uiLogin(audit, ctx.world, "aud");
      await audit.goto(`${ctx.world.base}/audit`);
      await pickOption(audit, '[data-test="audit-action"]', "reveal");
      await audit.click('[data-test="audit-search"]');
      await audit.waitForSelector(
        '[data-test="audit-table"] >> text=电话回访核实',
      );
      await shot(audit, "12-audit");
    },
  ],
  [
    "create and edit: the server's validation error shown at the field",
    async (ctx) => {
      const page = await newPage(ctx);
      await uiLogin(page, ctx.world, "worker");
      await page.goto(`${ctx.world.base}/persons/new`);
      await page.waitForSelector('[data-field="gender"]');
      await page.fill('[data-field="name"] input', "测试居民");
      await page.fill('[data-field="id_number"] input', "110105198001010000");
      await pickOption(page, '[data-field="gender"]', "男性");
      await page.fill('[data-field="phone"] input', "13912345678");
      await page.fill('input[name="reason"]', "新迁入登记");
      await page.click('[data-test="person-save"]');
      await expectFieldError(page, "id_number", ["校验位"]);
      await shot(page, "07-person-form-error");
      await page.fill(
        '[data-field="id_number"] input',
        idWithCheck("11010519800101003"),
      );
      await page.click('[data-test="person-save"]');
      await page.waitForURL(/\/persons\/\d+$/);
      await page.waitForSelector('[data-test="person-name"] >> text=测试居民');
      await page.click('[data-test="person-edit"]');
      await page.waitForSelector('[data-field="phone"] input');
      await page.fill('[data-field="phone"] input', "123");
      await page.fill('input[name="reason"]', "更正电话");
      await page.click('[data-test="person-save"]');
      await page.waitForSelector('[data-field="phone"] .el-form-item__error');
      await page.fill('[data-field="phone"] input', "13812345678");
      await page.click('[data-test="person-save"]');
      await page.waitForURL(/\/persons\/\d+$/);
      await page.waitForSelector('[data-test="history"] >> text=更正电话');
    },
  ],
  [
    "import wizard with a dirty file: rejected rows with reasons, confirm, error report",
    async (ctx) => {
      const file = path.join(ctx.world.dir, "去年台账.csv");
      fs.writeFileSync(
        file,
        "\uFEFF姓名,公民身份号码,性别,出生日期,联系电话,现居住地址\n" +
          `王建国,${idWithCheck("11010519650304001")},男,1965-03-04,13800138000,安华小区1栋1单元101室\n` +
          "李秀英,110105197002030000,女,1970-02-03,13800138001,安华小区1栋1单元101室\n" +
          `赵小红,${idWithCheck("11010519900101002")},女,1990-13-01,123,安华小区1栋1单元103室\n` +
          `孙立,${idWithCheck("11010519881111003")},男,1988-11-11,13700137000,安华小区2栋1单元201室\n`,
      );
      const page = await newPage(ctx);
      await uiLogin(page, ctx.world, "worker");
      await page.goto(`${ctx.world.base}/import`);
      await page.setInputFiles('[data-test="import-file"]', file);
      await shot(page, "08-import-upload");
      await page.click('[data-test="import-upload"]');
      await page.waitForSelector('[data-test="import-errors"]');
      const text = await page.textContent('[data-test="import-errors"]');
      assert(
        text.includes("校验位") &&
          text.includes("无法识别") &&
          text.includes("联系电话"),
        `reasons: ${text}`,
      );
      assert(
        (await page.locator('[data-test="import-errors"] .cell.bad').count()) >=
          3,
        "bad cells not highlighted",
      );
      await shot(page, "09-import-preview");
      await page.click('[data-test="import-confirm"]');
      await page.waitForSelector('[data-test="import-result"]');
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.click('[data-test="import-download-errors"]'),
      ]);
      const report = fs.readFileSync(await download.path(), "utf8");
      assert(
        report.includes("原因") && report.includes("校验位"),
        `error report: ${report.slice(0, 200)}`,
      );
      await shot(page, "10-import-result");
    },
  ],
  [
    "import wizard with a dirty .xlsx: the server sends the rejected rows' cells, bad cells highlighted",
    async (ctx) => {
      const file = path.join(ctx.world.dir, "去年台账.xlsx");
      writeXlsx(file, [
        ["姓名", "公民身份号码", "性别", "出生日期", "联系电话", "现居住地址"],
        [
          "周文",
          idWithCheck("11010519700707003"),
          "男",
          "1970-07-07",
          "13900139000",
          "安华小区3栋1单元301室",
        ],
        [
          "吴敏",
          "110105197108080000",
          "女",
          "1971-08-08",
          "13900139001",
          "安华小区3栋1单元302室",
        ],
        [
          "郑强",
          idWithCheck("11010519720909005"),
          "男",
          "1972-19-09",
          "456",
          "安华小区3栋1单元303室",
        ],
      ]);
      const page = await newPage(ctx);
      await uiLogin(page, ctx.world, "worker");
      await page.goto(`${ctx.world.base}/import`);
      await page.setInputFiles('[data-test="import-file"]', file);
      await page.click('[data-test="import-upload"]');
      await page.waitForSelector('[data-test="import-errors"] .cell.bad');
      const bad = await page
        .locator('[data-test="import-errors"] .cell.bad')
        .allTextContents();
      assert(bad.length >= 3, `bad cells highlighted: ${bad.join(" | ")}`);
      assert(
        bad.some((c) => c.includes("1972-19-09")) &&
          bad.some((c) => c.includes("456")),
        `bad cells: ${bad.join(" | ")}`,
      );
      // ID numbers come back masked, like every report of the API.
      const text = await page.textContent('[data-test="import-errors"]');
      assert(
        !text.includes("110105197108080000"),
        "clear ID number in the preview",
      );
      await shot(page, "24-import-xlsx-preview");
    },
  ],
  [
    "export downloads the registry as .xlsx",
    async (ctx) => {
      const page = await newPage(ctx);
      await uiLogin(page, ctx.world, "worker");
      await page.goto(`${ctx.world.base}/export`);
      await page.waitForSelector('[data-test="export-run"]');
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.click('[data-test="export-run"]'),
      ]);
      assert(
        download.suggestedFilename().endsWith(".xlsx"),
        `file name ${download.suggestedFilename()}`,
      );
      const bytes = fs.readFileSync(await download.path());
      assert(
        bytes.length > 1000 && bytes.subarray(0, 2).toString() === "PK",
        `export is ${bytes.length} bytes`,
      );
      await page.waitForSelector('[data-test="export-done"]');
      await shot(page, "11-export");
    },
  ],
  [
    "a grid worker cannot reach another grid's resident by URL",
    async (ctx) => {
      const page = await newPage(ctx);
      await uiLogin(page, ctx.world, "gridw");
      await page.goto(`${ctx.world.base}/persons/${ctx.ownGridPerson}`);
      await page.waitForSelector('[data-test="person-name"]');
      await page.goto(`${ctx.world.base}/persons/${ctx.otherGridPerson}`);
      await page.waitForSelector('[data-test="person-error"]');
      assert(
        (await page.locator('[data-test="person-name"]').count()) === 0,
        "other grid's person shown",
      );
      await page.goto(`${ctx.world.base}/search`);
      await page.fill('[data-test="search-input"]', ctx.otherGridName);
      await page.waitForSelector(
        '[data-test="search-none"], [data-test="search-results"]',
      );
      assert(
        (await page
          .locator(`[data-test="hit-${ctx.otherGridPerson}"]`)
          .count()) === 0,
        "other grid's person found by search",
      );
    },
  ],
  [
    "phone layout at 390 px: menu drawer, home, search, person without horizontal scrolling",
    async (ctx) => {
      const page = await newPage(ctx, { phone: true });
      await uiLogin(page, ctx.world, "worker");
      await page.waitForSelector('[data-test="stat-residents"]');
      await noHorizontalScroll(page, "home");
      await shot(page, "13-phone-home");
      await page.click('[data-test="menu-button"]');
      await page.click(".drawer-nav >> text=查找居民");
      await page.fill('[data-test="search-input"]', ctx.target.initials);
      await page.waitForSelector(`[data-test="hit-${ctx.target.id}"]`);
      await noHorizontalScroll(page, "search");
      await shot(page, "14-phone-search");
      await page.click(`[data-test="hit-${ctx.target.id}"]`);
      await page.waitForSelector('[data-test="person-name"]');
      await noHorizontalScroll(page, "person");
      await shot(page, "15-phone-person");
      for (const [route, ready] of [
        ["/persons/new", '[data-field="gender"]'],
        ["/import", '[data-test="import-file"]'],
        ["/export", '[data-test="export-run"]'],
        ["/places", '[data-test="places-tree"] .el-tree-node'],
        ["/persons", '[data-test="persons-table"] .el-table__row'],
        ["/org", ".el-tree-node"],
        ["/duplicates", "h1"],
        ["/password", 'input[type="password"]'],
        [
          `/households/${ctx.household}`,
          '[data-test="household-member-actions"]',
        ],
      ]) {
        await page.goto(`${ctx.world.base}${route}`);
        await page.waitForSelector(ready);
        await noHorizontalScroll(page, route);
      }
      await page.goto(`${ctx.world.base}/persons/new`);
      await page.waitForSelector('[data-field="gender"]');
      await shot(page, "23-phone-form");
      await page.goto(`${ctx.world.base}/households/${ctx.household}`);
      await page.waitForSelector('[data-test="household-member-actions"]');
      await shot(page, "28-phone-household");
      // The administrators' pages on a phone too.
      for (const [user, route, ready] of [
        ["sec", "/users", '[data-test="users-table"]'],
        ["aud", "/audit", "h1"],
      ]) {
        const p = await newPage(ctx, { phone: true });
        await uiLogin(p, ctx.world, user);
        await p.goto(`${ctx.world.base}${route}`);
        await p.waitForSelector(ready);
        await noHorizontalScroll(p, route);
      }
    },
  ],
  [
    "简体/繁體 switch converts the interface text and the data",
    async (ctx) => {
      const page = await newPage(ctx);
      await uiLogin(page, ctx.world, "worker");
      await page.goto(`${ctx.world.base}/persons/${ctx.target.id}`);
      await page.waitForSelector('[data-test="person-name"]');
      await page.click('[data-test="script-switch"] >> text=繁體');
      await page.waitForSelector(".side >> text=組織架構");
      // Data: the server converts every JSON text (X-Linli-Script: traditional, OpenCC).
      await page.waitForSelector(
        `[data-test="person-name"] >> text=${ctx.target.traditionalData}`,
      );
      await page.waitForSelector('[data-field="phone"] >> text=聯繫電話');
      await page.waitForSelector('[data-test="user-menu"] >> text=社區工作者');
      await shot(page, "16-traditional");
      await page.click('[data-test="script-switch"] >> text=简体');
      await page.waitForSelector(".side >> text=组织架构");
    },
  ],
  [
    "registry table and household page, built from the column declarations",
    async (ctx) => {
      const page = await newPage(ctx);
      await uiLogin(page, ctx.world, "worker");
      await page.goto(`${ctx.world.base}/persons`);
      await page.waitForSelector('[data-test="persons-table"] .el-table__row');
      const header = await page.textContent(
        '[data-test="persons-table"] thead',
      );
      assert(
        header.includes("公民身份号码") && header.includes("现居住地址"),
        `header: ${header}`,
      );
      await shot(page, "19-persons");
      await page.goto(`${ctx.world.base}/persons/${ctx.target.id}`);
      await page.click("text=查看整户");
      await page.waitForSelector(
        `[data-test="household-members"] >> text=${ctx.target.name}`,
      );
      await shot(page, "20-household");
    },
  ],
  [
    "household editing: a resident joins with a relation, relation changed, head changed, the household moves, a member leaves",
    async (ctx) => {
      // A resident of the community without a household of several people: registered for this test.
      const s = await ctx.world.apiLogin("worker");
      const created = await ctx.world.api(s, "POST", "/persons", {
        org_id: ctx.communityId,
        name: "钱入户",
        id_number: idWithCheck("11010519950606005"),
        gender: "1",
        birth_date: "1995-06-06",
        reason: "新登记",
      });
      assert(created.status === 201, `create: ${JSON.stringify(created.json)}`);
      const joiner = created.json.data.id;
      const page = await newPage(ctx);
      await uiLogin(page, ctx.world, "worker");
      await page.goto(`${ctx.world.base}/households/${ctx.household}`);
      await page.waitForSelector('[data-test="household-member-actions"]');
      // Join: find by name, pick the relation; a reason that is too short is refused at the field.
      await page.click('[data-test="household-join"]');
      await page.click('[data-test="join-person"] .el-select__wrapper');
      await page.keyboard.type("钱入户");
      await page.click('.el-select-dropdown__item:visible:has-text("钱入户")');
      await page.click('[data-test="join-relation"] .el-select__wrapper');
      await page
        .getByRole("option", { name: "子", exact: true })
        .filter({ visible: true })
        .click();
      await page.fill('input[name="join_reason"]', "投");
      await page.click('[data-test="join-confirm"]');
      await page.waitForSelector(".el-dialog .el-form-item__error");
      await shot(page, "25-household-join");
      await page.fill('input[name="join_reason"]', "投靠父母");
      await page.click('[data-test="join-confirm"]');
      await page.waitForSelector(`[data-test="member-${joiner}"]`);
      // Change the new member's relation.
      await page.click(`[data-test="member-relation-${joiner}"]`);
      await page.click('[data-test="relation-select"] .el-select__wrapper');
      await page
        .getByRole("option", { name: "孙子", exact: true })
        .filter({ visible: true })
        .click();
      await page.fill('input[name="relation_reason"]', "核对户口簿");
      await page.click('[data-test="relation-confirm"]');
      await page.waitForSelector(`[data-test="member-${joiner}"] >> text=孙子`);
      // Make them the head; the former head becomes 祖父.
      await page.click('[data-test="household-head-change"]');
      await page.click('[data-test="head-select"] .el-select__wrapper');
      await page.click('.el-select-dropdown__item:visible:has-text("钱入户")');
      await page.click(
        '[data-test="former-relation-select"] .el-select__wrapper',
      );
      await page
        .getByRole("option", { name: "祖父", exact: true })
        .filter({ visible: true })
        .click();
      await page.fill('input[name="head_reason"]', "原户主年迈");
      await page.click('[data-test="head-confirm"]');
      await page.waitForSelector('[data-test="household-head"] >> text=钱入户');
      // The whole household moves.
      await page.click('[data-test="household-move"]');
      await page.fill(
        'input[name="household_address"]',
        "安华小区9栋1单元901室",
      );
      await page.fill('input[name="household_reason"]', "全户搬家");
      await page.click('[data-test="household-move-confirm"]');
      await page.waitForSelector(
        '[data-test="household-title"] >> text=9栋1单元901室',
      );
      await shot(page, "26-household-edit");
      // The history of a member records the move with its reason; the audit has the changes.
      const h = await ctx.world.api(s, "GET", `/households/${ctx.household}`);
      assert(h.status === 200, `household: ${JSON.stringify(h.json)}`);
      assert(h.json.data.head_person_id === joiner, "head not changed");
      const p = await ctx.world.api(s, "GET", `/persons/${joiner}`);
      assert(
        p.json.data.history.some((e) => e.reason === "全户搬家"),
        `history: ${JSON.stringify(p.json.data.history).slice(0, 300)}`,
      );
      // A member other than the head leaves the household (and stays registered).
      const former = h.json.data.members.find(
        (m) => m.id !== joiner && m.status === "active",
      );
      await page.click(`[data-test="member-leave-${former.id}"]`);
      await page.fill('input[name="leave_reason"]', "分户另住");
      await page.click('[data-test="leave-confirm"]');
      await page.waitForFunction(
        (id) => !document.querySelector(`[data-test="member-${id}"]`),
        former.id,
      );
      const aud = await ctx.world.apiLogin("aud");
      const records = await ctx.world.api(
        aud,
        "GET",
        `/audit_records?target_type=household&target_id=${ctx.household}`,
      );
      assert(
        records.status === 200 && records.json.data.records.length >= 5,
        `household audit: ${JSON.stringify(records.json).slice(0, 300)}`,
      );
    },
  ],
  [
    "a street supervisor (TOTP) sees the street's figures and cannot register residents",
    async (ctx) => {
      const page = await newPage(ctx);
      await uiLogin(page, ctx.world, "sup");
      await page.waitForSelector('[data-test="stat-residents"]');
      const title = await page.textContent("h1");
      assert(title.includes("建外街道"), `supervisor home: ${title}`);
      assert(
        (await page.locator(".side >> text=登记居民").count()) === 0,
        "supervisor may register",
      );
      assert(
        (await page.locator(".side >> text=导出").count()) === 1,
        "supervisor cannot export",
      );
      await page.goto(`${ctx.world.base}/persons/new`);
      await page.waitForURL((url) => url.pathname === "/");
    },
  ],
  [
    "duplicates and user administration pages",
    async (ctx) => {
      // Two records of one person: same name and birth date, two ID numbers.
      const s = await ctx.world.apiLogin("worker");
      for (const body17 of ["11010519750505001", "11010519750505003"]) {
        const r = await ctx.world.api(s, "POST", "/persons", {
          org_id: ctx.communityId,
          name: "李重复",
          id_number: idWithCheck(body17),
          gender: "1",
          birth_date: "1975-05-05",
          reason: "测试重复",
        });
        assert(r.status === 201, `create duplicate: ${JSON.stringify(r.json)}`);
      }
      const page = await newPage(ctx);
      await uiLogin(page, ctx.world, "worker");
      await page.goto(`${ctx.world.base}/duplicates`);
      const group = '[data-test="dup-group"]:has-text("李重复")';
      await page.waitForSelector(group);
      await shot(page, "17-duplicates");
      await page.click(`${group} [data-test="dup-merge"] >> nth=0`);
      await page.fill('input[name="merge_reason"]', "同一人两条记录");
      await page.click('[data-test="dup-confirm"]');
      // Two different ID numbers are two people: the server refuses, and the reason is shown.
      const err = await page.waitForSelector('[data-test="dup-error"]');
      assert((await err.textContent()).length > 4, "merge refusal not shown");
      await shot(page, "22-duplicates-refused");
      await page.keyboard.press("Escape");
      // A record without an ID number and one with it, same name and birth date: merged.
      for (const id_number of [undefined, idWithCheck("11010519800808008")]) {
        const r = await ctx.world.api(s, "POST", "/persons", {
          org_id: ctx.communityId,
          name: "周合并",
          id_number,
          gender: "2",
          birth_date: "1980-08-08",
          reason: "测试合并",
        });
        assert(r.status === 201, `create mergeable: ${JSON.stringify(r.json)}`);
      }
      await page.goto(`${ctx.world.base}/duplicates`);
      const mergeable = '[data-test="dup-group"]:has-text("周合并")';
      await page.waitForSelector(mergeable);
      const ids = (
        await page
          .locator(`${mergeable} .el-table__row td:first-child`)
          .allTextContents()
      ).map((x) => Number(x.trim()));
      await page.click(`${mergeable} [data-test="dup-merge"] >> nth=0`);
      await page.fill('input[name="merge_reason"]', "同一人重复登记");
      await page.click('[data-test="dup-confirm"]');
      await page.waitForSelector(".el-message--success");
      await page.waitForFunction(
        () =>
          ![...document.querySelectorAll('[data-test="dup-group"]')].some((g) =>
            g.textContent.includes("周合并"),
          ),
      );
      // The merged record points at the kept one; the kept one has the ID number now.
      const merged = await ctx.world.api(s, "GET", `/persons/${ids[1]}`);
      assert(
        merged.json.data.status === "merged" &&
          merged.json.data.merged_into === ids[0],
        `merged record: ${JSON.stringify(merged.json).slice(0, 300)}`,
      );
      await shot(page, "27-duplicates-merged");
      const admin = await newPage(ctx);
      await uiLogin(admin, ctx.world, "sec");
      await admin.goto(`${ctx.world.base}/users`);
      await admin.waitForSelector('[data-test="users-table"] >> text=gridw');
      await shot(admin, "18-users");
    },
  ],
];

// The 台账 pages (tests/browser/ledgers.mjs), after the registry tests.
tests.push(...ledgerTests({ newPage, pickOption, noHorizontalScroll }));
// A ledger declared only by a folder the run writes (tests/browser/declared-ledger.mjs).
tests.push(...declaredLedgerTests({ newPage, pickOption, noHorizontalScroll }));

async function main() {
  const world = new World();
  const ctx = { world, contexts: [] };
  let result = { passed: 0, failed: 0 };
  try {
    // Every `linli` of the run (demo, users, serve) reads the test's declaration folder too.
    world.env.LINLI_LEDGERS = writeDeclaredLedger(world.dir);
    world.demo();
    world.addUser("laowang", "community_worker", COMMUNITY);
    world.addUser("worker", "community_worker", COMMUNITY);
    world.addUser("aud", "auditor", "110105");
    world.addUser("sec", "security_admin", "110105");
    world.addUser("sup", "supervisor", "110105001");
    world.addUser("head", "community_head", COMMUNITY);
    await world.start();
    // Facts the tests need, read through the API as the community worker.
    const s = await world.apiLogin("worker");
    const found = await world.api(
      s,
      "GET",
      `/persons/search?q=${encodeURIComponent("张海峰")}&limit=5`,
    );
    assert(found.status === 200, `search: ${JSON.stringify(found.json)}`);
    const hit = found.json.data.find((h) => h.name === "张海峰");
    assert(hit, "demo resident 张海峰 (seed 1) not found");
    ctx.target = {
      id: hit.id,
      name: "张海峰",
      initials: "zhf",
      traditional: "張海峰",
      idTail: hit.id_number.slice(-4),
    };
    // The target's name as the server writes it in Traditional script (OpenCC).
    const trad = await fetch(`${world.base}/api/v1/persons/${hit.id}`, {
      headers: { cookie: s.cookie, "x-linli-script": "traditional" },
    }).then((r) => r.json());
    ctx.target.traditionalData = trad.data.fields.name;
    assert(
      ctx.target.traditionalData !== hit.name,
      `no Traditional data: ${ctx.target.traditionalData}`,
    );
    // The grid worker works in the target's grid; "other" lives in another grid.
    const orgs = await world.api(s, "GET", "/org_units");
    assert(orgs.status === 200, `org_units: ${JSON.stringify(orgs.json)}`);
    const list = await world.api(
      s,
      "GET",
      `/persons?org_id=${hit.community_id}&limit=200`,
    );
    assert(list.status === 200, `persons: ${JSON.stringify(list.json)}`);
    const targetPerson =
      list.json.data.find((p) => p.id === hit.id) ??
      (await world.api(s, "GET", `/persons/${hit.id}`)).json.data;
    const grid = orgs.json.data.find((o) => o.id === targetPerson.grid_id);
    const own = targetPerson;
    const other = list.json.data.find(
      (p) => p.grid_id !== grid.id && p.grid_id,
    );
    await world.restart(() => world.addUser("gridw", "grid_worker", grid.code));
    ctx.communityId = hit.community_id;
    ctx.household = targetPerson.household_id;
    ctx.ownGridPerson = own.id;
    ctx.otherGridPerson = other.id;
    ctx.otherGridName = other.fields.name;
    ctx.browser = await launchBrowser();
    result = await runTests(tests, ctx);
  } catch (e) {
    console.log(`FAIL setup\n     ${String(e?.stack ?? e)}`);
    result.failed++;
  } finally {
    for (const c of ctx.contexts) await c.close().catch(() => {});
    if (ctx.browser) await ctx.browser.close().catch(() => {});
    if (result.failed && process.env.BROWSER_TEST_SERVER_LOG)
      console.log(world.serverLog);
    world.stop();
  }
  console.log(`browser: ${result.passed} passed, ${result.failed} failed`);
  process.exit(result.failed ? 1 : 0);
}

main();
