// Interface text lookup: t("area.page.item", {param}) in the current script. The same switch sets
// the data script (the server's X-Linli-Script header) and Element Plus's locale.
import { ref } from "vue";
import { setDataScript } from "../api/client";
import zhCN from "./zh-CN";
import zhTW from "./zh-TW";

export type MessageKey = keyof typeof zhCN;
export type Script = "simplified" | "traditional";

const stored = (typeof localStorage !== "undefined" && localStorage.getItem("linli.script")) || "";
export const script = ref<Script>(stored === "traditional" ? "traditional" : "simplified");

const tables: Record<Script, Record<string, string>> = { simplified: zhCN, traditional: zhTW };

export function t(key: MessageKey, params?: Record<string, string | number>): string {
  let s = tables[script.value][key] ?? zhCN[key] ?? key;
  if (params) {
    for (const [k, v] of Object.entries(params)) s = s.split(`{${k}}`).join(String(v));
  }
  return s;
}

export function setScript(next: Script): void {
  script.value = next;
  setDataScript(next);
  localStorage.setItem("linli.script", next);
  document.documentElement.lang = next === "traditional" ? "zh-TW" : "zh-CN";
}
