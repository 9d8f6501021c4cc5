// The 台账 the role may see (with their counts) and each ledger's declaration, read once and
// shared by the ledger pages; read again after the 简体/繁體 switch (labels come converted).
import { defineStore } from "pinia";
import { ref, watch } from "vue";
import { script } from "../i18n";
import {
  attachmentOf,
  getLedgerApi,
  listLedgersApi,
  type LedgerDeclaration,
  type LedgerField,
  type LedgerSummary,
  type LedgerValue,
} from "../api/ledgers";

export const useLedgersStore = defineStore("ledgers", () => {
  const list = ref<LedgerSummary[]>([]);
  const declarations = ref<Record<string, LedgerDeclaration>>({});
  const pending = new Map<string, Promise<LedgerDeclaration>>();

  async function loadList(): Promise<LedgerSummary[]> {
    list.value = await listLedgersApi();
    return list.value;
  }

  function declaration(key: string): Promise<LedgerDeclaration> {
    const have = declarations.value[key];
    if (have) return Promise.resolve(have);
    let p = pending.get(key);
    if (!p) {
      p = getLedgerApi(key).then((d) => {
        declarations.value = { ...declarations.value, [key]: d };
        return d;
      });
      p.finally(() => pending.delete(key)).catch(() => undefined);
      pending.set(key, p);
    }
    return p;
  }

  function reset() {
    list.value = [];
    declarations.value = {};
  }
  watch(script, () => {
    declarations.value = {};
  });

  return { list, declarations, loadList, declaration, reset };
});

/** The text to show for a value: the server's label for codes, booleans and money; a file's name. */
export function shownValue(
  f: LedgerField,
  values: Record<string, LedgerValue>,
  labels: Record<string, string>,
): string {
  const label = labels[f.key];
  if (label !== undefined && label !== "") return label;
  const v = values[f.key];
  if (v === null || v === undefined) return "";
  if (f.type === "attachment") return attachmentOf(v)?.name ?? "";
  if (f.choices) return f.choices.find((c) => c.code === String(v))?.label ?? String(v);
  if (typeof v === "boolean") return v ? "是" : "否";
  return String(v);
}

/** A code's label for a field with choices (statistics by code, filters). */
export function codeLabel(decl: LedgerDeclaration, fieldKey: string, code: string): string {
  const f = decl.fields.find((x) => x.key === fieldKey);
  return f?.choices?.find((c) => c.code === code)?.label ?? code;
}
