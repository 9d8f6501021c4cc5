// 台账 (ledgers) over the API: the declaration the pages are built from, the entries, approvals,
// reports and statistics (server/src/http/ledger_routes.cc), and the client-side checks that
// use the server's own message templates, so that a message before sending reads like the
// server's answer.
import { request, requestFile, requestPage } from "./client";

export interface LedgerSummary {
  key: string;
  name: string;
  title: string;
  purpose: string;
  subject: "person" | "household";
  restricted: boolean;
  daily_report: boolean;
  schedule: string | null;
  active?: number;
  due_today?: number;
  due_week?: number;
  overdue?: number;
}

export type LedgerFieldType =
  | "text"
  | "integer"
  | "decimal"
  | "money"
  | "date"
  | "boolean"
  | "code"
  | "codes"
  | "person"
  | "phone"
  | "id_number"
  | "attachment";

export interface LedgerField {
  key: string;
  label: string;
  type: LedgerFieldType;
  required: boolean;
  min?: number | string;
  max?: number | string;
  max_length?: number;
  pattern?: string;
  pattern_message?: string;
  scale?: number;
  table?: string;
  choices?: { code: string; label: string }[];
  /** attachment: the kinds accepted (pdf, jpg, png, docx, xlsx) and the largest size in KB. */
  accept?: string[];
  max_kb?: number;
  filter: boolean;
  help: string;
  visible: boolean;
}

export interface LedgerRule {
  code: string;
  kind: string;
  fields: string[];
  when?: { field: string; in: string[] };
  message: string;
}

export interface LedgerTransition {
  key: string;
  label: string;
  from: string[];
  to: string;
  fields: string[];
  reasons: string[];
  reason_required: boolean;
  needs_approval: boolean;
  approvers: string[];
  satisfies_schedule: boolean;
  allowed: boolean;
}

export interface LedgerSchedule {
  label: string;
  by_field: string;
  every_days: number;
  every_days_by: Record<string, number>;
  first_due_days: number;
  grace_days: number;
}

/** The declaration: the summary's schedule label becomes the whole schedule here. */
export interface LedgerDeclaration extends Omit<LedgerSummary, "schedule"> {
  schedule: LedgerSchedule | null;
  fields: LedgerField[];
  rules: LedgerRule[];
  stages: { key: string; label: string; final: boolean }[];
  transitions: LedgerTransition[];
  statistics: { key: string; label: string; sum: string; by: string }[];
  columns: { source: string; header: string }[];
  export_needs_approval: boolean;
  messages: Record<string, string>;
}

/** An attachment field's value: the uploaded file (upload answers with size, kind, sha256). */
export interface LedgerAttachment {
  id: number;
  name: string;
  size?: number;
  kind?: string;
  sha256?: string;
}

export type LedgerValue = string | number | boolean | string[] | LedgerAttachment | null;

export interface LedgerEntry {
  id: number;
  ledger: string;
  subject_id: number;
  person_id: number;
  household_id: number | null;
  person_name: string;
  community_id: number;
  grid_id: number | null;
  stage: string;
  stage_label: string;
  enrolled_on: string;
  exited_on: string | null;
  exit_reason: string | null;
  last_followup_on: string | null;
  next_due_on: string | null;
  due_state: "overdue" | "due" | "week" | "";
  responsible_user_id: number | null;
  version: number;
  values: Record<string, LedgerValue>;
  labels: Record<string, string>;
}

export interface LedgerEvent {
  id: number;
  event: string;
  label: string;
  date: string;
  stage_from: string;
  stage_to: string;
  reason: string;
  changes: Record<string, [string, string]>;
  requested_by: number | null;
  approved_by: number | null;
  /** Display names of those users (the server adds them). */
  requested_by_name?: string;
  approved_by_name?: string;
  recorded_at: string;
}

export interface LedgerEntryDetail extends LedgerEntry {
  history: LedgerEvent[];
  visits: {
    id: number;
    date: string;
    method: string;
    notes: string;
    visitor_id: number | null;
    visitor_id_name?: string;
  }[];
  pending_approvals: { id: number; action: string; label: string }[];
  /** Residents named by person fields: their names when in the caller's scope. */
  people?: Record<string, { name: string | null; in_scope: boolean }>;
}

export interface KeysetPage {
  limit: number;
  total: number;
  next: string;
}

/** org_id, stage, due, name, responsible, sort, order, limit, after, and f.<field> filters. */
export type EntryQuery = Record<string, string | number | undefined>;

export interface Approval {
  id: number;
  ledger: string;
  ledger_name: string;
  entry_id: number | null;
  action: string;
  label: string;
  status: "pending" | "approved" | "rejected";
  community_id: number;
  requested_by: number;
  requested_by_name?: string;
  requested_at: string;
  decided_by: number | null;
  decided_by_name?: string;
  decided_at: string;
  note: string;
  on: string;
  reason: string;
  subject_id: number;
}

export interface CompletenessRow {
  org_id: number;
  name: string;
  expected: number;
  filed: number;
  zero: number;
  rate: number;
}

export interface Completeness {
  date: string;
  expected: number;
  filed: number;
  zero: number;
  rate: number;
  by_grid: CompletenessRow[];
  by_community: CompletenessRow[];
  /** Per responsible worker (user_id null: nobody named). */
  by_worker: (Omit<CompletenessRow, "org_id" | "name"> & {
    user_id: number | null;
    user_id_name?: string;
  })[];
  missing: { id: number; person_name: string; grid_id: number }[];
}

export interface LedgerStatistics {
  as_of: string;
  from: string;
  units: {
    org_id: number;
    name: string;
    active: number;
    enrolled: number;
    exited: number;
    /** Daily-report ledgers: reports due over the period, filed, zero, rate. */
    reports?: { expected: number; filed: number; zero: number; rate: number };
    statistics: Record<string, { total: number; by?: Record<string, number> }>;
  }[];
}

export interface LedgerImportReport {
  imported: number;
  updated: number;
  unchanged: number;
  pending: number;
  rejected: number;
  errors: { row: number; column: string; code: number; message: string }[];
  written: boolean;
}

const base = (key: string) => `/ledgers/${encodeURIComponent(key)}`;

export const listLedgersApi = (org_id?: number) =>
  request<LedgerSummary[]>("GET", "/ledgers", { query: { org_id } });
export const getLedgerApi = (key: string) => request<LedgerDeclaration>("GET", base(key));

/** The keyset-paged list: pass page.next back as `after` for the following page. */
export async function listEntriesApi(
  key: string,
  query: EntryQuery,
): Promise<{ data: LedgerEntry[]; page: KeysetPage }> {
  const r = await requestPage<LedgerEntry>(`${base(key)}/entries`, query);
  return { data: r.data, page: r.page as unknown as KeysetPage };
}

export const getEntryApi = (key: string, id: number) =>
  request<LedgerEntryDetail>("GET", `${base(key)}/entries/${id}`);
export const enrolApi = (
  key: string,
  body: {
    subject_id: number;
    values: Record<string, LedgerValue>;
    on: string;
    responsible_user_id?: number;
  },
) =>
  request<{ id: number | null; approval_id: number | null }>("POST", `${base(key)}/entries`, {
    json: body,
  });
export const editEntryApi = (key: string, id: number, values: Record<string, LedgerValue>) =>
  request<{ id: number }>("PATCH", `${base(key)}/entries/${id}`, { json: { values } });
export const transitionApi = (
  key: string,
  id: number,
  body: { transition: string; values: Record<string, LedgerValue>; on: string; reason: string },
) =>
  request<{ id: number; approval_id: number | null }>(
    "POST",
    `${base(key)}/entries/${id}/transitions`,
    { json: body },
  );
export const visitApi = (
  key: string,
  id: number,
  body: { on: string; method: string; notes: string },
) =>
  request<{ id: number; next_due_on: string }>("POST", `${base(key)}/entries/${id}/visits`, {
    json: body,
  });
export const reportApi = (
  key: string,
  id: number,
  body: { on: string; zero: boolean; details: string },
) => request<{ id: number }>("POST", `${base(key)}/entries/${id}/reports`, { json: body });

export const completenessApi = (key: string, org_id?: number, date?: string) =>
  request<Completeness>("GET", `${base(key)}/reports/completeness`, { query: { org_id, date } });
export const statisticsApi = (
  key: string,
  query: { org_id?: number; from?: string; as_of?: string },
) => request<LedgerStatistics>("GET", `${base(key)}/statistics`, { query });

export const listApprovalsApi = (status: string, ledger?: string) =>
  request<Approval[]>("GET", "/approvals", { query: { status, ledger } });
export const approveApi = (id: number, note: string) =>
  request<{ id: number; status: string }>("POST", `/approvals/${id}/approve`, { json: { note } });
export const rejectApi = (id: number, note: string) =>
  request<{ id: number; status: string }>("POST", `/approvals/${id}/reject`, { json: { note } });

export const exportLedgerApi = (key: string, org_id?: number, approval?: number) =>
  requestFile("GET", `${base(key)}/export`, { query: { org_id, approval } });
export const requestExportApi = (key: string, org_id?: number) =>
  request<{ approval_id: number }>("POST", `${base(key)}/export_requests`, { query: { org_id } });
export const importLedgerApi = (
  key: string,
  file: File,
  org_id: number | undefined,
  dryRun: boolean,
) =>
  request<LedgerImportReport>("POST", `${base(key)}/imports`, {
    query: { org_id, file_name: file.name, dry_run: dryRun ? 1 : undefined },
    body: file,
    contentType: "application/octet-stream",
  });

/** Uploads one file for an attachment field (before the entry is saved); its id goes into values. */
export const uploadAttachmentApi = (key: string, field: string, file: File) =>
  request<LedgerAttachment>("POST", `${base(key)}/attachments`, {
    query: { field, file_name: file.name },
    body: file,
    contentType: "application/octet-stream",
  });
export const downloadAttachmentApi = (key: string, entryId: number, attachmentId: number) =>
  requestFile("GET", `${base(key)}/entries/${entryId}/attachments/${attachmentId}`);

/** The attachment in a value (an uploaded file, or only its id), or null. */
export function attachmentOf(v: LedgerValue | undefined): LedgerAttachment | null {
  if (typeof v === "number") return { id: v, name: `#${v}` };
  if (v && typeof v === "object" && !Array.isArray(v) && typeof v.id === "number") return v;
  return null;
}

/** The kinds an attachment field accepts (the declaration's default: pdf, jpg, png). */
export const attachmentKinds = (f: LedgerField) => f.accept ?? ["pdf", "jpg", "png"];
export const attachmentMaxKb = (f: LedgerField) => f.max_kb ?? 5120;

// ---- client-side checks with the server's templates (error codes 9003–9009) ----

function fill(template: string, params: Record<string, string | number>): string {
  let s = template;
  for (const [k, v] of Object.entries(params)) s = s.split(`{${k}}`).join(String(v));
  return s;
}

const typeLabels: Record<string, string> = {
  text: "文本",
  integer: "整数",
  decimal: "数值",
  money: "金额（元）",
  date: "日期",
  boolean: "是或否",
  code: "代码",
  codes: "代码（可多选）",
  person: "居民",
  phone: "电话号码",
  id_number: "公民身份号码",
  attachment: "附件",
};

function today(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}
export const todayIso = today;

/** A date n days before today (negative: after), as YYYY-MM-DD. */
export function daysAgo(n: number): string {
  const d = new Date();
  d.setDate(d.getDate() - n);
  const p = (x: number) => String(x).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

const isEmpty = (v: LedgerValue | undefined) =>
  v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0);

/** The values to send: empty ones left out, numbers as numbers, attachments as their id. */
export function payload(
  fields: LedgerField[],
  model: Record<string, LedgerValue>,
): Record<string, LedgerValue> {
  const out: Record<string, LedgerValue> = {};
  for (const f of fields) {
    const v = model[f.key];
    if (isEmpty(v)) continue;
    if (f.type === "attachment") {
      out[f.key] = attachmentOf(v)?.id ?? v;
    } else if (["integer", "decimal", "money"].includes(f.type) && typeof v === "string") {
      const n = Number(v.trim());
      out[f.key] = v.trim() !== "" && Number.isFinite(n) ? n : v;
    } else out[f.key] = v;
  }
  return out;
}

/** The message for one field's value, or "" when it passes; `messages` from the declaration. */
export function checkField(
  f: LedgerField,
  v: LedgerValue | undefined,
  messages: Record<string, string>,
): string {
  const m = (code: number, params: Record<string, string | number>) =>
    fill(messages[String(code)] ?? "", { label: f.label, ...params });
  if (isEmpty(v)) return f.required ? m(9003, {}) : "";
  if (f.type === "attachment")
    return attachmentOf(v) ? "" : m(9004, { type: typeLabels.attachment, value: String(v) });
  if (Array.isArray(v) || typeof v === "object") return "";
  const text = String(v).trim();
  const bound = (b: number | string | undefined) =>
    b === undefined ? "不限" : b === "today" ? "今天" : String(b);
  switch (f.type) {
    case "text": {
      const length = [...text].length;
      const max = f.max_length ?? 200;
      if (length > max) return m(9007, { max, length });
      if (f.pattern && !new RegExp(f.pattern).test(text))
        return m(9006, { hint: f.pattern_message ?? f.pattern });
      return "";
    }
    case "integer":
    case "decimal":
    case "money": {
      const n = Number(text);
      if (!Number.isFinite(n) || (f.type === "integer" && !Number.isInteger(n)))
        return m(9004, { type: typeLabels[f.type], value: text });
      if ((typeof f.min === "number" && n < f.min) || (typeof f.max === "number" && n > f.max))
        return m(9005, { min: bound(f.min), max: bound(f.max), value: text });
      return "";
    }
    case "date": {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return m(9004, { type: typeLabels.date, value: text });
      const resolve = (b: number | string | undefined) =>
        b === "today" ? today() : typeof b === "string" ? b : undefined;
      const lo = resolve(f.min);
      const hi = resolve(f.max);
      if ((lo && text < lo) || (hi && text > hi))
        return m(9005, { min: bound(f.min), max: bound(f.max), value: text });
      return "";
    }
    case "phone":
      if (!/^[0-9\-+ ]{7,20}$/.test(text)) return m(9004, { type: typeLabels.phone, value: text });
      return "";
    default:
      return "";
  }
}

/** Checks the given values: each field's own checks, then the declared cross-field rules. */
export function checkValues(
  decl: LedgerDeclaration,
  values: Record<string, LedgerValue>,
  only?: string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  const fields = decl.fields.filter((f) => f.visible && (!only || only.includes(f.key)));
  for (const f of fields) {
    const msg = checkField(f, values[f.key], decl.messages);
    if (msg) out[f.key] = msg;
  }
  const present = new Set(fields.map((f) => f.key));
  for (const r of decl.rules ?? []) {
    if (!r.fields.every((k) => present.has(k)) || r.fields.some((k) => out[k])) continue;
    let violated = false;
    let at = r.fields[0];
    if (r.kind === "date_order") {
      at = r.fields[1];
      const a = values[r.fields[0]];
      const b = values[r.fields[1]];
      violated = !isEmpty(a) && !isEmpty(b) && String(b) < String(a);
    } else if ((r.kind === "required_if" || r.kind === "forbidden_if") && r.when) {
      const w = values[r.when.field];
      if (only && !only.includes(r.when.field)) continue;
      const matches = !isEmpty(w) && r.when.in.includes(String(w));
      const empty = isEmpty(values[at]);
      violated = matches && (r.kind === "required_if" ? empty : !empty);
    }
    if (violated && !r.message.includes("{")) out[at] = r.message;
  }
  return out;
}
