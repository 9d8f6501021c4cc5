// Browser tests of the 台账 pages (issue 5), run by run.mjs with the same world and browser:
//   a 低保 household enrolled with a back-dated date (so that its review is overdue), the
//   enrolment approved by a second user (the community head), the entry in 我的待办's overdue list,
//   a review visit recorded and the entry gone from the overdue list; a class change approved by
//   the second user; a zero report filed in 重点对象 and seen on the completeness view; the
//   statistics chart; the export download and its dry-run import refused row by row; a grid worker not seeing 社区矫正 at all; the 390 px
//   phone layout; screenshots of the main ledger pages for docs/USER-GUIDE.md.
import {
  uiLogin,
  shot,
  assert,
  expectFieldError,
  daysAgo,
  fillDate,
  pickSubject,
  downloadLedgerExport,
} from "./lib.mjs";

/** Approves the pending request whose row mentions `text`, as the logged-in approver. */
async function approveInInbox(page, base, text, note) {
  await page.goto(`${base}/approvals`);
  const row = `[data-test="approvals-table"] .el-table__row:has-text("${text}")`;
  await page.waitForSelector(row);
  await page.click(`${row} [data-test="approval-approve"]`);
  await page.fill('textarea[name="approval_note"]', note);
  await page.click('[data-test="approval-confirm"]');
  await page.waitForSelector(".el-message--success");
}

export function ledgerTests({ newPage, pickOption, noHorizontalScroll }) {
  return [
    [
      "ledgers: a 低保 household enrolled back-dated, approved by a second user, overdue, a review visit clears it",
      async (ctx) => {
        const base = ctx.world.base;
        // A household head not yet in 低保 (and not the household the registry tests change),
        // whose name the search finds once.
        const s = await ctx.world.apiLogin("worker");
        const inDibao = new Set(
          (
            await ctx.world.api(
              s,
              "GET",
              "/ledgers/dibao/entries?stage=*&limit=500",
            )
          ).json.data.map((e) => e.household_id),
        );
        const persons = (
          await ctx.world.api(
            s,
            "GET",
            `/persons?org_id=${ctx.communityId}&limit=200`,
          )
        ).json.data;
        let who = null;
        for (const p of persons) {
          if (!p.household_id || inDibao.has(p.household_id)) continue;
          if (p.household_id === ctx.household) continue;
          // The household's entry is named after its head (relation 02 户主).
          const rel = p.fields.relation;
          if ((typeof rel === "string" ? rel : rel?.code) !== "02") continue;
          const hits = await ctx.world.api(
            s,
            "GET",
            `/persons/search?q=${encodeURIComponent(p.fields.name)}&limit=5`,
          );
          if (hits.json.data.length === 1) {
            who = p.fields.name;
            break;
          }
        }
        assert(who, "no resident to enrol in 低保");
        ctx.dibaoName = who;
        const page = await newPage(ctx);
        await uiLogin(page, ctx.world, "worker");
        await page.goto(`${base}/ledgers`);
        await page.waitForSelector(
          '[data-test="ledger-card"][data-key="dibao"]',
        );
        await shot(page, "30-ledgers");
        // The enrolment form, built from the declaration: the household through a resident.
        await page.goto(`${base}/ledgers/dibao/new`);
        await page.waitForSelector('[data-field="class"]');
        await pickSubject(page, who);
        await pickOption(page, '[data-field="class"]', "C类");
        // Checked before sending, with the server's own message template.
        await page.fill('[data-field="people_covered"] input', "0");
        await page.fill('[data-field="monthly_amount"] input', "860");
        await fillDate(page, '[data-field="approved_on"]', daysAgo(140));
        await fillDate(page, '[data-field="on"]', daysAgo(130));
        await page.click('[data-test="ledger-save"]');
        await expectFieldError(page, "people_covered", [
          "“保障人数”应在1到20之间",
        ]);
        await shot(page, "31-ledger-form-error");
        await page.fill('[data-field="people_covered"] input', "1");
        await page.click('[data-test="ledger-save"]');
        await page.waitForURL(/\/ledgers\/dibao$/);
        // The worker cannot approve their own request: only withdraw it.
        await page.goto(`${base}/approvals`);
        const own =
          '[data-test="approvals-table"] .el-table__row:has-text("新增")';
        await page.waitForSelector(own);
        assert(
          (await page
            .locator(`${own} [data-test="approval-approve"]`)
            .count()) === 0,
          "the requester is offered to approve their own enrolment",
        );
        // A second user (the community head) approves the enrolment.
        const head = await newPage(ctx);
        await uiLogin(head, ctx.world, "head");
        await head.goto(`${base}/approvals`);
        await head.waitForSelector(
          '[data-test="approvals-table"] .el-table__row',
        );
        await shot(head, "32-approvals");
        await approveInInbox(
          head,
          base,
          `新增 · ${who}户`,
          "材料齐全，同意纳入",
        );
        // The worker's 我的待办: the household's review is overdue.
        await page.goto(`${base}/ledgers/todo`);
        const group = '[data-test="todo-group"][data-key="dibao"]';
        await page.waitForSelector(`${group} >> text=${who}`);
        await shot(page, "33-ledger-todo");
        await page.click(`${group} a:has-text("${who}")`);
        await page.waitForURL(/\/ledgers\/dibao\/entries\/\d+$/);
        ctx.dibaoEntry = Number(new URL(page.url()).pathname.split("/").pop());
        await page.waitForSelector(
          '[data-test="ledger-entry-due"] [data-test="due-overdue"]',
        );
        // The history names who asked and who approved.
        const approvedBy = await page.textContent(
          '[data-test="ledger-history"] [data-test="ledger-approved-by"]',
        );
        // …by name (the server sends display names), not by user number.
        assert(
          !/用户\d/.test(approvedBy) && approvedBy.trim().length > 4,
          `approver named in the history: ${approvedBy}`,
        );
        await shot(page, "34-ledger-entry");
        // Record the review visit: the entry is no longer overdue.
        await page.click('[data-test="ledger-visit"]');
        await page.fill(
          'textarea[name="visit_notes"]',
          "入户核对收入和家庭人口，情况属实",
        );
        await page.click('[data-test="ledger-visit-save"]');
        await page.waitForSelector(".el-message--success");
        await page.waitForSelector(
          '[data-test="ledger-visits"] >> text=入户核对收入',
        );
        await page.waitForFunction(
          () =>
            !document.querySelector(
              '[data-test="ledger-entry-due"] [data-test="due-overdue"]',
            ),
        );
        await page.goto(`${base}/ledgers/dibao?due=overdue`);
        await page.waitForSelector('[data-test="ledger-total"]');
        await page.waitForTimeout(500);
        const overdue = await page.textContent('[data-test="ledger-table"]');
        assert(
          !overdue.includes(who),
          "the visited household is still in the overdue list",
        );
        await page.goto(`${base}/ledgers/todo`);
        await page.waitForSelector('[data-test="todo-due"]');
        await page.waitForTimeout(800);
        assert(
          (await page.locator(`${group} >> text=${who}`).count()) === 0,
          "the visited household is still in 我的待办",
        );
      },
    ],
    [
      "ledgers: a 低保 class change waits for approval and a second user approves it",
      async (ctx) => {
        assert(ctx.dibaoEntry, "needs the enrolment of the previous test");
        const base = ctx.world.base;
        const page = await newPage(ctx);
        await uiLogin(page, ctx.world, "worker");
        await page.goto(`${base}/ledgers/dibao/entries/${ctx.dibaoEntry}`);
        await page.click('[data-transition="change_class"]');
        const dlg = '[data-test="ledger-transition-dialog"]';
        await page.waitForSelector(`${dlg} [data-field="class"]`);
        await pickOption(page, `${dlg} [data-field="class"]`, "A类");
        // The reason is required: checked here first.
        await page.click('[data-test="ledger-transition-save"]');
        await page.waitForSelector(
          `${dlg} [data-field="reason"] .el-form-item__error`,
        );
        await page.fill(
          `${dlg} input[name="reason"]`,
          "户主重病，丧失劳动能力",
        );
        await shot(page, "35-ledger-transition");
        await page.click('[data-test="ledger-transition-save"]');
        await page.waitForSelector(
          '[data-test="ledger-entry-pending"] >> text=调整类别',
        );
        const values = await page.textContent('[data-test="ledger-values"]');
        assert(values.includes("C类"), "class changed before approval");
        const head = await newPage(ctx);
        await uiLogin(head, ctx.world, "head");
        await approveInInbox(
          head,
          base,
          `调整类别 · ${ctx.dibaoName}`,
          "同意调整为A类",
        );
        await page.reload();
        await page.waitForSelector('[data-test="ledger-values"] >> text=A类');
        const history = await page.textContent('[data-test="ledger-history"]');
        assert(
          history.includes("调整类别") && history.includes("户主重病"),
          `history: ${history.slice(0, 300)}`,
        );
      },
    ],
    [
      "ledgers: a zero report in 重点对象 by the community worker, seen on the completeness view",
      async (ctx) => {
        const base = ctx.world.base;
        // Set up through the API: one key person enrolled and approved.
        const s = await ctx.world.apiLogin("worker");
        const r = await ctx.world.api(s, "POST", "/ledgers/zhongdian/entries", {
          subject_id: ctx.ownGridPerson,
          values: {
            category: "03",
            risk: "1",
            listed_on: daysAgo(10),
            cadre: "陈晓燕",
          },
          on: daysAgo(10),
        });
        assert(r.status === 202, `zhongdian enrol: ${JSON.stringify(r.json)}`);
        const h = await ctx.world.apiLogin("head");
        const a = await ctx.world.api(
          h,
          "POST",
          `/approvals/${r.json.data.approval_id}/approve`,
          { note: "同意列管" },
        );
        assert(a.status === 200, `approve: ${JSON.stringify(a.json)}`);
        const p = await ctx.world.api(
          s,
          "GET",
          `/persons/${ctx.ownGridPerson}`,
        );
        ctx.zhongdianName = p.json.data.fields.name;
        const page = await newPage(ctx);
        await uiLogin(page, ctx.world, "worker");
        await page.goto(`${base}/ledgers/zhongdian/completeness`);
        const missing = '[data-test="completeness-missing"] a';
        await page.waitForSelector(
          `${missing}:has-text("${ctx.zhongdianName}")`,
        );
        const zeroBefore = Number(
          await page.textContent('[data-test="completeness-zero"]'),
        );
        await shot(page, "36-completeness-missing");
        const target = page.locator(missing, { hasText: ctx.zhongdianName });
        await target.first().click();
        await page.waitForURL(/\/ledgers\/zhongdian\/entries\/\d+$/);
        await page.click('[data-test="ledger-report"]');
        await page.waitForSelector('[data-test="ledger-report-zero"]');
        await shot(page, "37-zero-report");
        await page.click('[data-test="ledger-report-save"]');
        await page.waitForSelector(".el-message--success");
        await page.goto(`${base}/ledgers/zhongdian/completeness`);
        await page.waitForSelector('[data-test="completeness-summary"]');
        const zero = Number(
          await page.textContent('[data-test="completeness-zero"]'),
        );
        assert(
          zero === zeroBefore + 1,
          `zero reports shown: ${zero} (before: ${zeroBefore})`,
        );
        const left = await page.textContent(
          '[data-test="completeness-missing"]',
        );
        assert(
          !left.includes(ctx.zhongdianName),
          `${ctx.zhongdianName} still missing after the zero report`,
        );
        await shot(page, "38-completeness");
      },
    ],
    [
      "ledgers: statistics chart by class and the export download",
      async (ctx) => {
        const base = ctx.world.base;
        const page = await newPage(ctx);
        await uiLogin(page, ctx.world, "worker");
        await page.goto(`${base}/ledgers/dibao/statistics`);
        await page.waitForSelector('[data-test="ledger-stats-chart"] canvas');
        await page.waitForSelector(
          '[data-test="ledger-stats-table"] >> text=安华',
        );
        await shot(page, "39-ledger-stats");
        // The export masks ID numbers, so the same file uploaded again is refused at the
        // dry run, row by row, and nothing is written.
        const file = await downloadLedgerExport(
          page,
          base,
          "dibao",
          ctx.world.dir,
        );
        await page.setInputFiles('[data-test="ledger-import-file"]', file);
        await page.click('[data-test="ledger-import-check"]');
        const errors = '[data-test="ledger-import-errors"] .el-table__row';
        await page.waitForSelector(errors);
        const first = await page.textContent(errors);
        assert(first.includes("公民身份号码"), `import row error: ${first}`);
        assert(
          (await page
            .locator('[data-test="ledger-import-confirm"]')
            .count()) === 0,
          "a file with rejected rows can be confirmed",
        );
        await shot(page, "42-ledger-import");
      },
    ],
    [
      "ledgers: list filters from the declaration, sorting and keyset 加载更多 with the total",
      async (ctx) => {
        const base = ctx.world.base;
        const page = await newPage(ctx);
        await uiLogin(page, ctx.world, "worker");
        // The ledger with the most open entries in the demo, to page through.
        const s = await ctx.world.apiLogin("worker");
        const list = (await ctx.world.api(s, "GET", "/ledgers")).json.data;
        const big = list.reduce((a, b) =>
          (b.active ?? 0) > (a.active ?? 0) ? b : a,
        );
        assert(
          big.active > 20,
          `no ledger with more than one page: ${big.active}`,
        );
        await page.goto(`${base}/ledgers/${big.key}`);
        const rows =
          '[data-test="ledger-table"] .el-table__body-wrapper .el-table__row';
        await page.waitForSelector(rows);
        assert(
          (await page.locator(rows).count()) === 20,
          "first page is not 20 rows",
        );
        const total = await page.textContent('[data-test="ledger-total"]');
        assert(total.includes(`共 ${big.active} 条`), `total: ${total}`);
        await page.click('[data-test="ledger-more"]');
        await page.waitForFunction(
          ([sel, n]) => document.querySelectorAll(sel).length === n,
          [rows, Math.min(big.active, 40)],
        );
        // Sorting by name (descending): the first names change order, the total stays.
        await page.click('[data-test="ledger-table"] th:has-text("姓名")');
        await page.click('[data-test="ledger-table"] th:has-text("姓名")');
        await page.waitForTimeout(600);
        assert(
          (await page.locator(rows).count()) === 20,
          "sorting did not start again from the first page",
        );
        // A declared filter (低保 类别 = C类): every row shown is C类.
        await page.goto(`${base}/ledgers/dibao`);
        await page.waitForSelector(rows);
        await pickOption(page, '[data-filter="class"]', "C类");
        await page.waitForTimeout(800);
        const classes = await page
          .locator(`${rows} td:nth-child(3)`)
          .allTextContents();
        assert(
          classes.length > 0 && classes.every((c) => c.trim() === "C类"),
          `filtered classes: ${classes.join(",")}`,
        );
        await shot(page, "43-ledger-list");
      },
    ],
    [
      "ledgers: a grid worker does not see 社区矫正 (absent from the list, 404 by URL)",
      async (ctx) => {
        const base = ctx.world.base;
        const page = await newPage(ctx);
        await uiLogin(page, ctx.world, "gridw");
        await page.goto(`${base}/ledgers`);
        await page.waitForSelector(
          '[data-test="ledger-card"][data-key="dibao"]',
        );
        const keys = await page
          .locator('[data-test="ledger-card"]')
          .evaluateAll((els) => els.map((e) => e.dataset.key));
        assert(
          !keys.includes("jiaozheng") && !keys.includes("zhongdian"),
          `grid worker sees ${keys.join(",")}`,
        );
        await page.goto(`${base}/ledgers/jiaozheng`);
        await page.waitForSelector(".el-alert--error");
        const s = await ctx.world.apiLogin("gridw");
        const r = await ctx.world.api(s, "GET", "/ledgers/jiaozheng");
        assert(
          r.status === 404,
          `GET /ledgers/jiaozheng as grid worker: ${r.status}`,
        );
      },
    ],
    [
      "ledgers: phone layout at 390 px (overview, list, entry)",
      async (ctx) => {
        const base = ctx.world.base;
        const page = await newPage(ctx, { phone: true });
        await uiLogin(page, ctx.world, "worker");
        await page.goto(`${base}/ledgers`);
        await page.waitForSelector('[data-test="ledger-card"]');
        await noHorizontalScroll(page, "ledgers");
        await shot(page, "40-ledgers-phone");
        await page.goto(`${base}/ledgers/dibao`);
        await page.waitForSelector('[data-test="ledger-table"] .el-table__row');
        await noHorizontalScroll(page, "ledger list");
        for (const [route, ready] of [
          ["/ledgers/todo", '[data-test="todo-due"]'],
          ["/approvals", '[data-test="approvals-table"]'],
          ["/ledgers/dibao/new", '[data-field="class"]'],
          [
            "/ledgers/dibao/statistics",
            '[data-test="ledger-stats-chart"] canvas',
          ],
          [
            "/ledgers/zhongdian/completeness",
            '[data-test="completeness-summary"]',
          ],
          ["/ledgers/dibao/transfer", '[data-test="ledger-import"]'],
        ]) {
          await page.goto(`${base}${route}`);
          await page.waitForSelector(ready);
          await noHorizontalScroll(page, route);
        }
        if (ctx.dibaoEntry) {
          await page.goto(`${base}/ledgers/dibao/entries/${ctx.dibaoEntry}`);
          await page.waitForSelector('[data-test="ledger-values"]');
          await noHorizontalScroll(page, "ledger entry");
          await shot(page, "41-ledger-entry-phone");
        }
      },
    ],
  ];
}
