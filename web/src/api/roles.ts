// The roles, in the order of data/policy/permissions.csv's columns, with their Chinese labels.
import permissions from "../../../data/policy/permissions.csv?raw";
import { t, type MessageKey } from "../i18n";

const headerLine = permissions.split(/\r?\n/).find((l) => l && !l.startsWith("#")) ?? "";
export const roles: string[] = headerLine.split(",").slice(2);

export function roleLabel(role: string): string {
  const key = `role.${role}` as MessageKey;
  const s = t(key);
  return s === key ? role : s;
}
