// The roles an administrator can give, as the server sends them with the session (in the order of
// the server's role table), with their Chinese labels from the interface text.
import { computed } from "vue";
import { t, type MessageKey } from "../i18n";
import { useSessionStore } from "../stores/session";

export function useRoles() {
  const session = useSessionStore();
  return computed(() => session.roles.map((r) => r.key));
}

export function roleLabel(role: string): string {
  const key = `role.${role}` as MessageKey;
  const s = t(key);
  return s === key ? role : s;
}
