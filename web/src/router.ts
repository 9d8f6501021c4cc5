// Routes: the login page is its own chunk; every page behind it is loaded on first visit.
import { createRouter, createWebHistory, type RouteRecordRaw } from "vue-router";
import { useSessionStore } from "./stores/session";
import LoginView from "./views/login-view.vue";

declare module "vue-router" {
  interface RouteMeta {
    public?: boolean;
    permission?: string;
  }
}

const routes: RouteRecordRaw[] = [
  { path: "/login", name: "login", component: LoginView, meta: { public: true } },
  {
    path: "/",
    component: () => import("./layouts/app-layout.vue"),
    children: [
      { path: "", name: "home", component: () => import("./views/home-view.vue") },
      { path: "password", name: "password", component: () => import("./views/password-view.vue") },
      { path: "org", name: "org", component: () => import("./views/org-view.vue") },
      {
        path: "places",
        name: "places",
        component: () => import("./views/places-view.vue"),
        meta: { permission: "registry.read" },
      },
      {
        path: "search",
        name: "search",
        component: () => import("./views/search-view.vue"),
        meta: { permission: "registry.read" },
      },
      {
        path: "persons",
        name: "persons",
        component: () => import("./views/persons-view.vue"),
        meta: { permission: "registry.read" },
      },
      {
        path: "households/:id",
        name: "household",
        component: () => import("./views/household-view.vue"),
        meta: { permission: "registry.read" },
      },
      {
        path: "persons/new",
        name: "person-new",
        component: () => import("./views/person-form-view.vue"),
        meta: { permission: "registry.write" },
      },
      {
        path: "persons/:id",
        name: "person",
        component: () => import("./views/person-view.vue"),
        meta: { permission: "registry.read" },
      },
      {
        path: "persons/:id/edit",
        name: "person-edit",
        component: () => import("./views/person-form-view.vue"),
        meta: { permission: "registry.write" },
      },
      {
        path: "import",
        name: "import",
        component: () => import("./views/import-view.vue"),
        meta: { permission: "registry.import" },
      },
      {
        path: "export",
        name: "export",
        component: () => import("./views/export-view.vue"),
        meta: { permission: "registry.export" },
      },
      {
        path: "duplicates",
        name: "duplicates",
        component: () => import("./views/duplicates-view.vue"),
        meta: { permission: "registry.read" },
      },
      {
        path: "ledgers",
        name: "ledgers",
        component: () => import("./views/ledger-overview-view.vue"),
        meta: { permission: "ledger.read" },
      },
      {
        path: "ledgers/todo",
        name: "ledger-todo",
        component: () => import("./views/ledger-todo-view.vue"),
        meta: { permission: "ledger.read" },
      },
      {
        path: "approvals",
        name: "approvals",
        component: () => import("./views/ledger-approvals-view.vue"),
        meta: { permission: "ledger.read" },
      },
      {
        path: "ledgers/:key",
        name: "ledger",
        component: () => import("./views/ledger-list-view.vue"),
        meta: { permission: "ledger.read" },
      },
      {
        path: "ledgers/:key/new",
        name: "ledger-new",
        component: () => import("./views/ledger-form-view.vue"),
        meta: { permission: "ledger.write" },
      },
      {
        path: "ledgers/:key/entries/:id",
        name: "ledger-entry",
        component: () => import("./views/ledger-entry-view.vue"),
        meta: { permission: "ledger.read" },
      },
      {
        path: "ledgers/:key/statistics",
        name: "ledger-statistics",
        component: () => import("./views/ledger-stats-view.vue"),
        meta: { permission: "ledger.read" },
      },
      {
        path: "ledgers/:key/completeness",
        name: "ledger-completeness",
        component: () => import("./views/ledger-completeness-view.vue"),
        meta: { permission: "ledger.read" },
      },
      {
        path: "ledgers/:key/transfer",
        name: "ledger-transfer",
        component: () => import("./views/ledger-transfer-view.vue"),
        meta: { permission: "ledger.read" },
      },
      {
        path: "users",
        name: "users",
        component: () => import("./views/users-view.vue"),
        meta: { permission: "user.admin" },
      },
      {
        path: "audit",
        name: "audit",
        component: () => import("./views/audit-view.vue"),
        meta: { permission: "audit.read" },
      },
    ],
  },
  { path: "/:rest(.*)*", redirect: "/" },
];

export const router = createRouter({ history: createWebHistory(), routes });

router.beforeEach(async (to) => {
  const session = useSessionStore();
  await session.restore();
  if (to.meta.public) return session.user && to.name === "login" ? { name: "home" } : true;
  if (!session.user)
    return { name: "login", query: to.fullPath !== "/" ? { next: to.fullPath } : {} };
  if (session.mustChangePassword && to.name !== "password") return { name: "password" };
  const permission = to.matched.map((r) => r.meta.permission).find(Boolean);
  if (permission && !session.can(permission)) return { name: "home" };
  return true;
});
