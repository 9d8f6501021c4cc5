// Browser test of a ledger that exists only as a declaration folder (issue 5: "a new ledger
// added in a test from a declaration folder alone works end to end"): run.mjs writes the folder
// below (ledger.json + codes/level.csv) into the world's temporary directory and starts every
// `linli` of the run with LINLI_LEDGERS pointing at it — no C++ and no built-in. In the browser:
// the ledger's card on the 台账 overview, its list with the declared filters, the enrolment form
// built from the declaration (the declared rule's message and a range error at their fields), its
// attachment field (a .docx and a too large file refused here, a text file named .pdf refused by
// the server with its message at the field, a PDF uploaded), the entry with its history and the
// attachment downloaded byte for byte (the download audited with the file's SHA-256), a visit and
// a declared transition moving the due date by the schedule, the attachment replaced by a PNG in
// the edit dialog, the overdue list before and after, the file name in the list, the declared
// statistics, the export in the declared layout (read back cell by cell, the file name in its
// column), an import (dry run → confirm) and the 390 px phone layout.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import {
  uiLogin,
  shot,
  assert,
  expectFieldError,
  daysAgo,
  fillDate,
  pickSubject,
  downloadLedgerExport,
  idWithCheck,
  readXlsxRows,
} from "./lib.mjs";

export const DECLARED_KEY = "bangfu";

const declaration = {
  key: DECLARED_KEY,
  name: "困难帮扶",
  title: "困难群众帮扶台账",
  purpose: "浏览器测试用台账：只有一个声明文件夹，没有一行代码。",
  subject: "person",
  fields: [
    {
      key: "level",
      label: "帮扶等级",
      type: "code",
      table: "level",
      required: true,
      filter: true,
    },
    {
      key: "income",
      label: "月收入（元）",
      type: "money",
      min: 0,
      max: 100000,
    },
    {
      key: "scan",
      label: "证明材料",
      type: "attachment",
      accept: ["pdf", "jpg", "png"],
      max_kb: 64,
    },
    { key: "found_on", label: "发现日期", type: "date", max: "today" },
    { key: "checked_on", label: "核实日期", type: "date" },
    { key: "alone", label: "独居", type: "boolean", filter: true },
    {
      key: "note",
      label: "情况说明",
      type: "text",
      max_length: 50,
      help: "写明困难原因，50字以内",
    },
  ],
  rules: [
    {
      code: "bangfu.check_after_found",
      kind: "date_order",
      fields: ["found_on", "checked_on"],
      message: "核实日期不能早于发现日期",
    },
  ],
  lifecycle: {
    stages: [
      { key: "open", label: "帮扶中" },
      { key: "closed", label: "已结束", final: true },
    ],
    transitions: [
      { key: "enrol", label: "纳入帮扶", to: "open" },
      {
        key: "change_level",
        label: "调整等级",
        from: ["open"],
        to: "open",
        fields: ["level"],
      },
      {
        key: "close",
        label: "结束帮扶",
        from: ["open"],
        to: "closed",
        reasons: ["情况好转", "迁出"],
        reason_required: true,
      },
    ],
  },
  schedule: {
    label: "走访",
    by_field: "level",
    every_days: 90,
    every_days_by: { 1: 90, 2: 30 },
    grace_days: 5,
  },
  statistics: [
    { key: "by_level", label: "按等级人数", by: "level" },
    { key: "income", label: "月收入合计", sum: "income" },
  ],
  export: {
    title: "{org}{name}台账（{date}）",
    columns: [
      { source: "person.name", header: "姓名" },
      { source: "person.id_number", header: "公民身份号码" },
      { source: "level" },
      { source: "scan" },
      { source: "income", aliases: ["月收入"] },
      { source: "alone" },
      { source: "next_due_on", header: "下次走访" },
    ],
  },
};
// The export's header row: a field column is headed by the field's label.
const exportHeaders = [
  "姓名",
  "公民身份号码",
  "帮扶等级",
  "证明材料",
  "月收入（元）",
  "独居",
  "下次走访",
];

/** Writes the declaration folder under `dir`; returns the folder of folders for LINLI_LEDGERS. */
export function writeDeclaredLedger(dir) {
  const root = path.join(dir, "ledgers");
  const folder = path.join(root, DECLARED_KEY);
  fs.mkdirSync(path.join(folder, "codes"), { recursive: true });
  fs.writeFileSync(
    path.join(folder, "ledger.json"),
    JSON.stringify(declaration, null, 2),
  );
  fs.writeFileSync(
    path.join(folder, "codes/level.csv"),
    "# title: 帮扶等级 | 浏览器测试\ncode,label,aliases\n1,一般帮扶,一般\n2,重点帮扶,重点\n",
  );
  return root;
}

// A small PDF and PNG (the server checks a file's kind by its first bytes).
const pdf = Buffer.from(
  "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
);
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from("\0\0\0\rIHDR browser test"),
]);

/** Registers a resident of the community through the API; returns its id. */
async function register(ctx, s, person) {
  const r = await ctx.world.api(s, "POST", "/persons", {
    org_id: ctx.communityId,
    reason: "新登记",
    ...person,
  });
  assert(r.status === 201, `register: ${JSON.stringify(r.json)}`);
  return r.json.data.id;
}

export function declaredLedgerTests({
  newPage,
  pickOption,
  noHorizontalScroll,
}) {
  const key = DECLARED_KEY;
  return [
    [
      "declared ledger (a folder only): overview, filters, form with the declared rule, attachment upload (refusals at the field) and download, enrol, history, visit, transition, overdue list, statistics, export layout, import, phone",
      async (ctx) => {
        const base = ctx.world.base;
        const s = await ctx.world.apiLogin("worker");
        const who = "甘念慈";
        await register(ctx, s, {
          name: who,
          id_number: idWithCheck("11010519580303007"),
          gender: "1",
          birth_date: "1958-03-03",
        });
        const imported = {
          name: "甘念恩",
          id_number: idWithCheck("11010519600404008"),
          gender: "2",
          birth_date: "1960-04-04",
        };
        await register(ctx, s, imported);

        // The overview has the ledger's card; its list has the declared filters.
        const page = await newPage(ctx);
        await uiLogin(page, ctx.world, "worker");
        await page.goto(`${base}/ledgers`);
        const card = `[data-test="ledger-card"][data-key="${key}"]`;
        await page.waitForSelector(`${card} >> text=困难帮扶`);
        await page.click(`${card} .name`);
        await page.waitForURL(new RegExp(`/ledgers/${key}$`));
        await page.waitForSelector(
          '[data-test="ledger-total"] >> text=共 0 条',
        );
        for (const f of ["level", "alone"])
          assert(
            (await page.locator(`[data-filter="${f}"]`).count()) === 1,
            `declared filter ${f} missing`,
          );
        assert(
          (await page.textContent(".purpose")).includes("困难群众帮扶台账"),
          "the declared title is not shown",
        );

        // The enrolment form from the declaration: the declared rule's message at its field.
        await page.click('[data-test="ledger-new"]');
        await page.waitForSelector('[data-field="level"]');
        for (const f of ["income", "found_on", "checked_on", "alone", "note"])
          assert(
            (await page.locator(`[data-field="${f}"]`).count()) === 1,
            `form field ${f} missing`,
          );
        await page.waitForSelector(
          '[data-field="note"] >> text=写明困难原因，50字以内',
        );
        await pickSubject(page, who);
        await pickOption(page, '[data-field="level"]', "重点帮扶");
        await page.fill('[data-field="income"] input', "-5");
        await fillDate(page, '[data-field="found_on"]', daysAgo(70));
        await fillDate(page, '[data-field="checked_on"]', daysAgo(75));
        await page.fill('[data-field="note"] input', "独居老人，收入低");
        await fillDate(page, '[data-field="on"]', daysAgo(60));

        // The attachment: checked here by extension and size, then by the server by its bytes.
        const scan = '[data-field="scan"]';
        const scanInput = `${scan} input[type="file"]`;
        const scanError = `${scan} .el-form-item__error`;
        await page.setInputFiles(scanInput, {
          name: "帮扶证明.docx",
          mimeType: "application/octet-stream",
          buffer: Buffer.from("PK\x03\x04word/document.xml"),
        });
        await page.waitForSelector(
          `${scanError} >> text=只能上传 PDF、JPG、PNG 文件`,
        );
        await page.setInputFiles(scanInput, {
          name: "扫描件.pdf",
          mimeType: "application/pdf",
          buffer: Buffer.concat([pdf, Buffer.alloc(64 * 1024)]),
        });
        await page.waitForSelector(`${scanError} >> text=不能超过 64 KB`);
        // A text file named .pdf passes the client check; the server refuses it, and its
        // message (the same as to a direct upload) is shown at the field.
        const fake = Buffer.from("这只是一段文字，扩展名改成了 pdf\n");
        const refused = await ctx.world.apiRaw(
          s,
          "POST",
          `/ledgers/${key}/attachments?field=scan&file_name=${encodeURIComponent("说明.pdf")}`,
          fake,
        );
        assert(
          refused.status === 422,
          `a text file as .pdf: ${refused.status} ${JSON.stringify(refused.json)}`,
        );
        const serverMessage =
          refused.json.error.fields?.find((f) => f.field === "scan")?.message ??
          refused.json.error.message;
        await page.setInputFiles(scanInput, {
          name: "说明.pdf",
          mimeType: "application/pdf",
          buffer: fake,
        });
        await page.waitForFunction(
          ([sel, message]) =>
            document.querySelector(sel)?.textContent.trim() === message,
          [scanError, serverMessage],
        );
        assert(
          (await page
            .locator(`${scan} [data-test="attachment-name"]`)
            .count()) === 0,
          "a refused file is shown as uploaded",
        );
        await page.locator(scan).scrollIntoViewIfNeeded();
        await shot(page, "44-ledger-attachment-refused");
        await page.setInputFiles(scanInput, {
          name: "帮扶证明.pdf",
          mimeType: "application/pdf",
          buffer: pdf,
        });
        await page.waitForSelector(
          `${scan} [data-test="attachment-name"] >> text=帮扶证明.pdf`,
        );
        await page.waitForSelector(
          `${scan} [data-test="attachment-size"] >> text=${pdf.length} 字节`,
        );
        // The refusal goes once a file is accepted.
        await page.waitForSelector(scanError, { state: "detached" });
        await page.click('[data-test="ledger-save"]');
        await expectFieldError(page, "checked_on", [
          "核实日期不能早于发现日期",
        ]);
        await expectFieldError(page, "income", ["月收入（元）", "100000"]);
        await page.fill('[data-field="income"] input', "1200");
        await fillDate(page, '[data-field="checked_on"]', daysAgo(65));
        await page.click('[data-test="ledger-save"]');
        await page.waitForURL(new RegExp(`/ledgers/${key}/entries/\\d+$`));
        const entryId = Number(new URL(page.url()).pathname.split("/").pop());

        // The entry: stage, values, history; enrolled 60 days ago at 重点帮扶 (every 30 days).
        await page.waitForSelector(
          '[data-test="ledger-entry-stage"] >> text=帮扶中',
        );
        await page.waitForSelector(
          '[data-test="ledger-values"] >> text=重点帮扶',
        );
        await page.waitForSelector(
          '[data-test="ledger-history"] >> text=纳入帮扶',
        );
        await page.waitForSelector(
          '[data-test="ledger-entry-due"] [data-test="due-overdue"]',
        );
        // The attachment downloads as the bytes uploaded.
        const link = '[data-test="attachment-download"][data-field="scan"]';
        await page.waitForSelector(`${link} >> text=帮扶证明.pdf`);
        const [got] = await Promise.all([
          page.waitForEvent("download"),
          page.click(link),
        ]);
        assert(
          got.suggestedFilename() === "帮扶证明.pdf",
          `attachment file name: ${got.suggestedFilename()}`,
        );
        assert(
          fs.readFileSync(await got.path()).equals(pdf),
          "the downloaded attachment differs from the upload",
        );
        await page.locator(link).scrollIntoViewIfNeeded();
        await shot(page, "45-ledger-attachment");
        // The download is audited: the entry, the attachment and the file's SHA-256.
        const sha = createHash("sha256").update(pdf).digest("hex");
        const aud = await ctx.world.apiLogin("aud");
        const audit = await ctx.world.api(
          aud,
          "GET",
          `/audit_records?target_type=${encodeURIComponent(`ledger:${key}`)}&target_id=${entryId}&limit=200`,
        );
        assert(
          audit.status === 200 &&
            audit.json.data.records.some(
              (r) =>
                r.details?.sha256 === sha && r.details?.name === "帮扶证明.pdf",
            ),
          `download audit: ${JSON.stringify(audit.json).slice(0, 400)}`,
        );
        // The overview counts it overdue, and the overdue list has it.
        await page.goto(`${base}/ledgers`);
        const overdue = await page.waitForSelector(
          `${card} [data-test="ledger-card-overdue"] b`,
        );
        assert(
          (await overdue.textContent()).trim() === "1",
          `overdue on the card: ${await overdue.textContent()}`,
        );
        await page.goto(`${base}/ledgers/${key}?due=overdue`);
        await page.waitForSelector(`[data-test="ledger-table"] >> text=${who}`);

        // A visit: due again 30 days from today; then the level changes to 一般帮扶 (90 days).
        await page.goto(`${base}/ledgers/${key}/entries/${entryId}`);
        await page.click('[data-test="ledger-visit"]');
        await page.fill('textarea[name="visit_notes"]', "入户了解生活情况");
        await page.click('[data-test="ledger-visit-save"]');
        await page.waitForSelector(
          '[data-test="ledger-visits"] >> text=入户了解生活情况',
        );
        await page.waitForSelector(
          `[data-test="ledger-entry-due"] >> text=${daysAgo(-30)}`,
        );
        await page.click('[data-transition="change_level"]');
        const dlg = '[data-test="ledger-transition-dialog"]';
        await page.waitForSelector(`${dlg} [data-field="level"]`);
        await pickOption(page, `${dlg} [data-field="level"]`, "一般帮扶");
        await page.click('[data-test="ledger-transition-save"]');
        await page.waitForSelector(
          '[data-test="ledger-values"] >> text=一般帮扶',
        );
        await page.waitForSelector(
          `[data-test="ledger-entry-due"] >> text=${daysAgo(-90)}`,
        );
        // 重新上传 in the edit dialog: a PNG replaces the PDF.
        await page.click('[data-test="ledger-edit"]');
        const editScan = '.el-dialog [data-field="scan"]';
        await page.waitForSelector(
          `${editScan} [data-test="attachment-name"] >> text=帮扶证明.pdf`,
        );
        await page.setInputFiles(`${editScan} input[type="file"]`, {
          name: "入户照片.png",
          mimeType: "image/png",
          buffer: png,
        });
        await page.waitForSelector(
          `${editScan} [data-test="attachment-name"] >> text=入户照片.png`,
        );
        await page.click('[data-test="ledger-edit-save"]');
        await page.waitForSelector(`${link} >> text=入户照片.png`);
        const history = await page.textContent('[data-test="ledger-history"]');
        assert(
          history.includes("调整等级") && history.includes("纳入帮扶"),
          `history: ${history.slice(0, 300)}`,
        );

        // The overdue list no longer has it; the declared filter finds it by its new level.
        await page.goto(`${base}/ledgers/${key}?due=overdue`);
        await page.waitForSelector(
          '[data-test="ledger-total"] >> text=共 0 条',
        );
        await page.goto(`${base}/ledgers/${key}`);
        await page.waitForSelector(`[data-test="ledger-table"] >> text=${who}`);
        assert(
          (await page.textContent('[data-test="ledger-table"]')).includes(
            "入户照片.png",
          ),
          "the list does not show the attachment's file name",
        );
        await pickOption(page, '[data-filter="level"]', "重点帮扶");
        await page.waitForSelector(
          '[data-test="ledger-total"] >> text=共 0 条',
        );
        await page.click('[data-filter="level"] .el-select__wrapper');
        await page.click(
          '.el-select-dropdown__item:visible:has-text("一般帮扶")',
        );
        await page.waitForSelector(`[data-test="ledger-table"] >> text=${who}`);

        // The declared statistics: by level (a chart) and the income sum.
        await page.goto(`${base}/ledgers/${key}/statistics`);
        await page.waitForSelector(
          '[data-test="ledger-stats-chart"]:has-text("按等级人数") canvas',
        );
        const stats = '[data-test="ledger-stats-table"]';
        await page.waitForSelector(`${stats} >> text=月收入合计`);
        await page.waitForSelector(`${stats} .el-table__row >> text=1200`);

        // The export in the declared layout, read back cell by cell.
        const file = await downloadLedgerExport(page, base, key, ctx.world.dir);
        const rows = readXlsxRows(file);
        assert(
          rows[0][0].includes("困难帮扶台账"),
          `export title: ${rows[0][0]}`,
        );
        const header = rows.findIndex((r) => r[0] === "姓名");
        assert(
          header >= 0 &&
            JSON.stringify(rows[header]) === JSON.stringify(exportHeaders),
          `export header: ${JSON.stringify(rows[header] ?? rows.slice(0, 3))}`,
        );
        const row = rows.find((r) => r[0] === who);
        assert(
          row &&
            row[2] === "一般帮扶" &&
            row[3] === "入户照片.png" &&
            row[6] === daysAgo(-90),
          `export row: ${JSON.stringify(row ?? rows)}`,
        );

        // An import of another resident: checked first, then written.
        const csv = path.join(ctx.world.dir, "帮扶台账.csv");
        fs.writeFileSync(
          csv,
          `\uFEFF姓名,公民身份号码,帮扶等级,月收入\n${imported.name},${imported.id_number},重点,300\n`,
        );
        await page.setInputFiles('[data-test="ledger-import-file"]', csv);
        await page.click('[data-test="ledger-import-check"]');
        await page.waitForSelector('[data-test="ledger-import-confirm"]');
        await page.click('[data-test="ledger-import-confirm"]');
        await page.waitForSelector(
          '[data-test="ledger-import-report"] .el-alert--success',
        );
        await page.goto(`${base}/ledgers/${key}`);
        await page.waitForSelector(
          `[data-test="ledger-table"] >> text=${imported.name}`,
        );
        await page.waitForSelector(
          '[data-test="ledger-total"] >> text=共 2 条',
        );

        // On a phone: the form and the entry (with its file link) without horizontal scrolling.
        const phone = await newPage(ctx, { phone: true });
        await uiLogin(phone, ctx.world, "worker");
        for (const [route, ready] of [
          [`/ledgers/${key}/new`, '[data-field="level"]'],
          [`/ledgers/${key}/entries/${entryId}`, '[data-test="ledger-values"]'],
        ]) {
          await phone.goto(`${base}${route}`);
          await phone.waitForSelector(ready);
          await noHorizontalScroll(phone, route);
        }
        // A file with a long name, uploaded on the phone: name, size and buttons still fit.
        await phone.goto(`${base}/ledgers/${key}/new`);
        await phone.setInputFiles('[data-field="scan"] input[type="file"]', {
          name: "二〇二六年十一月困难群众帮扶入户核查证明材料扫描件.pdf",
          mimeType: "application/pdf",
          buffer: pdf,
        });
        await phone.waitForSelector(
          '[data-field="scan"] [data-test="attachment-remove"]',
        );
        await noHorizontalScroll(phone, "attachment on the phone form");
      },
    ],
  ];
}
