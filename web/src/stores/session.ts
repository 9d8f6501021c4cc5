// The signed-in user and the session's CSRF token; restored from the cookie on page load.
import { defineStore } from "pinia";
import { computed, ref } from "vue";
import { ApiError, setCsrfToken } from "../api/client";
import {
  changePasswordApi,
  createSessionApi,
  deleteSessionApi,
  getSessionApi,
} from "../api/endpoints";
import type { Session, User } from "../api/types";
import { script } from "../i18n";
export const useSessionStore = defineStore("session", () => {
  const user = ref<User | null>(null);
  /** The role's permissions as the server sends them (data/policy/permissions.csv). */
  const permissions = ref<Set<string>>(new Set());
  const roles = ref<{ key: string; label: string }[]>([]);
  const mustChangePassword = ref(false);
  const restored = ref(false);

  let readIn = script.value;
  function apply(s: Session) {
    readIn = script.value;
    user.value = s.user;
    permissions.value = new Set(s.permissions ?? []);
    roles.value = s.roles ?? [];
    mustChangePassword.value = s.must_change_password;
    setCsrfToken(s.csrf_token);
  }

  async function restore(): Promise<void> {
    if (restored.value) return;
    try {
      apply(await getSessionApi());
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      user.value = null;
    }
    restored.value = true;
  }

  /** Reads the session again when it was read in the other script (org and role names). */
  async function refreshIfStale(): Promise<void> {
    if (!user.value || readIn === script.value) return;
    try {
      apply(await getSessionApi());
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
    }
  }

  async function login(username: string, password: string, totp_code?: string) {
    apply(await createSessionApi({ username, password, totp_code: totp_code || undefined }));
    restored.value = true;
  }

  async function changePassword(oldPassword: string, newPassword: string) {
    apply(await changePasswordApi(oldPassword, newPassword));
  }

  async function logout() {
    try {
      await deleteSessionApi();
    } catch {
      /* already gone */
    }
    clear();
  }

  function clear() {
    user.value = null;
    permissions.value = new Set();
    roles.value = [];
    mustChangePassword.value = false;
    setCsrfToken("");
  }

  const role = computed(() => user.value?.role ?? "");
  function can(permission: string): boolean {
    return permissions.value.has(permission);
  }

  return {
    user,
    mustChangePassword,
    restored,
    restore,
    refreshIfStale,
    login,
    changePassword,
    logout,
    clear,
    role,
    roles,
    can,
  };
});
